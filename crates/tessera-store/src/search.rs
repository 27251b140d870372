//! The full-text index: writing a ticket's document, and search pages built like queue
//! pages (the same visibility and filters) but driven by the index.

use sqlx::FromRow;
use tessera_domain::{IndexText, TicketId};

use crate::{
    Handle, Result,
    db::on,
    queue::{
        Bind, QueueQuery, QueueRow, Sql, Visibility, bind_all, filters, queue_condition, visibility,
    },
    rows::{Script, V},
};

/// One search hit: the ticket as a queue shows it, its score (higher is better) and where
/// its window ends.
#[derive(Debug, Clone, FromRow)]
pub struct SearchRow {
    /// The ticket (its `sort_key` is empty: hits are ranked, not keyed).
    #[sqlx(flatten)]
    pub ticket: QueueRow,
    /// How well it matched, higher is better: 2 when the ticket's head (number, subject,
    /// requester) holds every word searched for, 1 when it holds some, 0 when only the rest
    /// of the ticket does. Hits of one score are newest first.
    pub score: i64,
    /// How many tickets the window held.
    pub window_rows: i64,
    /// The oldest ticket in the window (the next window starts below it).
    pub window_min: i64,
    /// The ticket's first message or reply (most hits are found there, and its snippet
    /// comes with the page rather than from a query of its own).
    pub first_body: Option<String>,
    /// Whether `first_body` is HTML.
    pub first_html: Option<bool>,
}

/// The match expression in both dialects (built by `SearchQuery`).
#[derive(Debug, Clone)]
pub struct SearchMatch {
    /// For SQLite FTS5.
    pub fts5: String,
    /// For PostgreSQL `to_tsquery('simple', …)`.
    pub tsquery: String,
    /// For FTS5, matching any one of the words; `None` when there is one word only.
    pub fts5_some: Option<String>,
    /// For PostgreSQL, matching any one of the words, like `fts5_some`.
    pub tsquery_some: Option<String>,
}

impl Handle<'_> {
    /// Rebuilds a ticket's documents from what it holds now. Call it in the transaction
    /// that changed the text.
    pub async fn reindex_ticket(&mut self, t: TicketId) -> Result<()> {
        // (text, is html, is the head)
        let parts: Vec<(String, bool, bool)> = on!(self, c => sqlx::query_as(
            "SELECT t.number || ' ' || t.subject || ' ' || c.name || ' ' || c.email, FALSE, TRUE
               FROM ticket t JOIN contact c ON c.contact_id = t.requester_id
              WHERE t.ticket_id = $1
             UNION ALL
             SELECT body, body_format = 'html', FALSE FROM thread_entry
              WHERE ticket_id = $1 AND kind <> 'event'
             UNION ALL
             SELECT filename, FALSE, FALSE FROM attachment WHERE ticket_id = $1
             UNION ALL
             SELECT value, FALSE, FALSE FROM ticket_field_value WHERE ticket_id = $1")
            .bind(t.0).fetch_all(c).await?);
        let mut doc = IndexText::default();
        let mut head = IndexText::default();
        for (text, html, is_head) in &parts {
            if *is_head {
                head.add(text);
            }
            if *html {
                doc.add_html(text);
            } else {
                doc.add(text);
            }
        }
        self.set_search_doc(t, &doc.finish()).await?;
        self.set_search_heads(&[(t.0, head.finish())]).await
    }

    /// Stores a ticket's document (stems separated by spaces), replacing the old one.
    pub async fn set_search_doc(&mut self, t: TicketId, doc: &str) -> Result<()> {
        let mut s = Script::for_handle(self);
        index_row(&mut s, "ticket_search", t, doc);
        s.execute(self).await
    }

    pub async fn set_search_heads(&mut self, heads: &[(i64, String)]) -> Result<()> {
        match self {
            Handle::Sqlite(c) => {
                // Narrow statements: sqlx looks placeholders up by name.
                for chunk in heads.chunks(100) {
                    let ids: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
                    let del = format!(
                        "DELETE FROM ticket_search_head WHERE rowid IN ({})",
                        ids.join(", ")
                    );
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(del));
                    for (t, _) in chunk {
                        q = q.bind(t);
                    }
                    q.execute(&mut **c).await?;
                    let rows: Vec<String> = (0..chunk.len())
                        .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
                        .collect();
                    let ins = format!(
                        "INSERT INTO ticket_search_head (rowid, doc) VALUES {}",
                        rows.join(", ")
                    );
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(ins));
                    for (t, doc) in chunk {
                        q = q.bind(t).bind(doc);
                    }
                    q.execute(&mut **c).await?;
                }
            }
            Handle::Postgres(c) => {
                let (ids, docs): (Vec<i64>, Vec<&str>) =
                    heads.iter().map(|(t, d)| (*t, d.as_str())).unzip();
                sqlx::query(
                    "INSERT INTO ticket_search_head (ticket_id, doc)
                     SELECT id, to_tsvector('simple', doc)
                       FROM UNNEST($1::BIGINT[], $2::TEXT[]) AS u (id, doc)
                     ON CONFLICT (ticket_id) DO UPDATE SET doc = EXCLUDED.doc",
                )
                .bind(ids)
                .bind(docs)
                .execute(&mut **c)
                .await?;
            }
        }
        Ok(())
    }

    /// Tickets after `after` whose head is not in the index yet, oldest first, with the
    /// text of their head (for the backfill of installations that had tickets before
    /// heads existed). The check is a subquery per ticket on purpose: as NOT EXISTS,
    /// PostgreSQL's generic plan made it an anti join over every head written so far,
    /// which makes a batch cost what the table holds.
    pub async fn headless_tickets(&mut self, after: i64, limit: i64) -> Result<Vec<(i64, String)>> {
        let key = match self {
            Handle::Sqlite(_) => "rowid",
            Handle::Postgres(_) => "ticket_id",
        };
        let text = format!(
            "SELECT t.ticket_id, t.number || ' ' || t.subject || ' ' || c.name || ' ' || c.email
               FROM ticket t JOIN contact c ON c.contact_id = t.requester_id
              WHERE t.ticket_id > $1
                AND (SELECT 1 FROM ticket_search_head h WHERE h.{key} = t.ticket_id) IS NULL
              ORDER BY t.ticket_id LIMIT $2"
        );
        on!(self, c => Ok(sqlx::query_as(sqlx::AssertSqlSafe(text))
            .bind(after).bind(limit).fetch_all(c).await?))
    }

    /// Tickets not in the index yet, oldest first, after `after` (for the backfill of
    /// installations that had tickets before search existed).
    pub async fn unindexed_tickets(&mut self, after: i64, limit: i64) -> Result<Vec<i64>> {
        match self {
            Handle::Sqlite(c) => Ok(sqlx::query_scalar(
                "SELECT t.ticket_id FROM ticket t WHERE t.ticket_id > $1
                   AND NOT EXISTS (SELECT 1 FROM ticket_search s WHERE s.rowid = t.ticket_id)
                 ORDER BY t.ticket_id LIMIT $2",
            )
            .bind(after)
            .bind(limit)
            .fetch_all(&mut **c)
            .await?),
            Handle::Postgres(c) => Ok(sqlx::query_scalar(
                "SELECT t.ticket_id FROM ticket t WHERE t.ticket_id > $1
                   AND NOT EXISTS (SELECT 1 FROM ticket_search s WHERE s.ticket_id = t.ticket_id)
                 ORDER BY t.ticket_id LIMIT $2",
            )
            .bind(after)
            .bind(limit)
            .fetch_all(&mut **c)
            .await?),
        }
    }

    /// A page of search hits: the newest `window` matching tickets the agent may see (in
    /// the queue and filters asked for, older than `before` when given), ranked, and of
    /// those the `limit` best after skipping `offset`. Walking the index newest first and
    /// stopping after `window` keeps a very common word as cheap as a rare one; so does
    /// the ranking, which looks up the heads of the window's tickets only (no statistics
    /// over the whole index like bm25's IDF), and the page's display columns are joined
    /// for the page's rows only.
    #[allow(clippy::too_many_arguments)]
    pub async fn search_page(
        &mut self,
        v: &Visibility,
        q: &QueueQuery,
        m: &SearchMatch,
        before: Option<i64>,
        window: i64,
        offset: i64,
        now: tessera_domain::Timestamp,
    ) -> Result<Vec<SearchRow>> {
        let mut sql = Sql::default();
        let me = sql.int(v.agent.0);
        let vis = visibility(&mut sql, v);
        let cond = queue_condition(&mut sql, q.queue, v, now);
        let f = filters(&mut sql, q);
        let sqlite = matches!(self, Handle::Sqlite(_));
        let key = if sqlite {
            "ticket_search.rowid"
        } else {
            "s.ticket_id"
        };
        // On the index itself, so that the walk starts there.
        let below = match before {
            Some(b) => format!(" AND {key} < {}", sql.int(b)),
            None => String::new(),
        };
        let w = Sql::limit(window);
        let lim = Sql::limit(q.limit);
        let off = sql.int(offset);
        let page = format!(
            "SELECT t.ticket_id, t.number, t.subject, c.name AS requester_name, t.updated_at,
                    a.display_name AS agent_name, tm.name AS team_name, t.priority, t.status,
                    t.due_at, (seen.seen_at IS NULL OR seen.seen_at < t.updated_at) AS unseen,
                    t.unconfirmed, '' AS sort_key, page.score, span.n AS window_rows, span.lo AS window_min,
                    first.body AS first_body, first.body_format = 'html' AS first_html
               FROM page CROSS JOIN span JOIN ticket t ON t.ticket_id = page.id
               JOIN contact c ON c.contact_id = t.requester_id
               LEFT JOIN agent a ON a.agent_id = t.assignee_agent_id
               LEFT JOIN team tm ON tm.team_id = t.assignee_team_id
               LEFT JOIN ticket_seen seen ON seen.ticket_id = t.ticket_id AND seen.agent_id = {me}
               LEFT JOIN thread_entry first ON first.thread_entry_id = (
                    SELECT MIN(e.thread_entry_id) FROM thread_entry e
                     WHERE e.ticket_id = t.ticket_id AND e.kind <> 'event')"
        );
        sql.text = if sqlite {
            let mt = sql.str(&m.fts5);
            // The heads that match, among the tickets between the window's first and last:
            // FTS5 seeks to the rowid range, so this reads a few doclist pages.
            let mut heads = |e: &str| {
                let e = sql.str(e);
                format!(
                    "SELECT ticket_search_head.rowid AS id FROM span CROSS JOIN ticket_search_head
                      WHERE ticket_search_head MATCH {e}
                        AND ticket_search_head.rowid BETWEEN span.lo AND span.hi"
                )
            };
            let all = heads(&m.fts5);
            let (some, score) = match &m.fts5_some {
                Some(e) => (
                    format!(", head_some AS ({})", heads(e)),
                    "(win.id IN head_all) + (win.id IN head_some)",
                ),
                None => (String::new(), "2 * (win.id IN head_all)"),
            };
            // CROSS JOIN keeps the index the outer loop (SQLite does not reorder it): the
            // window is the newest matches, whatever the statistics say of a department.
            format!(
                "WITH win AS (
                   SELECT ticket_search.rowid AS id
                   FROM ticket_search CROSS JOIN ticket t ON t.ticket_id = ticket_search.rowid
                   WHERE ticket_search MATCH {mt}{below} AND {vis} AND {cond}{f}
                   ORDER BY ticket_search.rowid DESC LIMIT {w}
                 ),
                 span AS (SELECT COUNT(*) AS n, MIN(id) AS lo, MAX(id) AS hi FROM win),
                 head_all AS ({all}){some},
                 page AS (
                   SELECT win.id, {score} AS score FROM win
                   ORDER BY score DESC, win.id DESC LIMIT {lim} OFFSET {off}
                 )
                 {page}"
            )
        } else {
            let mt = sql.str(&m.tsquery);
            let all = sql.str(&m.tsquery);
            let head =
                |e: &str| format!("COALESCE(h.doc @@ to_tsquery('simple', {e}), FALSE)::int");
            let score = match &m.tsquery_some {
                Some(e) => {
                    let e = sql.str(e);
                    format!("{} + {}", head(&all), head(&e))
                }
                None => format!("2 * {}", head(&all)),
            };
            // The ticket is checked in a subquery per match rather than joined: the
            // planner guesses every word that is not among the most common ones at 0.5% of
            // the tickets (5,000 of a million for a word in 40), and with a join it then
            // walks the whole ticket key for a merge join that it expects to stop early.
            // A subquery cannot become a join, so the choice is only how to read the
            // index: backwards along the key for a common word, the GIN index for the rest.
            format!(
                "WITH win AS (
                   SELECT s.ticket_id AS id FROM ticket_search s
                   WHERE s.doc @@ to_tsquery('simple', {mt}){below}
                     AND (SELECT {vis} AND {cond}{f} FROM ticket t WHERE t.ticket_id = s.ticket_id)
                   ORDER BY s.ticket_id DESC LIMIT {w}
                 ),
                 span AS (SELECT COUNT(*) AS n, MIN(id) AS lo FROM win),
                 page AS (
                   SELECT win.id, CAST({score} AS BIGINT) AS score
                   FROM win LEFT JOIN ticket_search_head h ON h.ticket_id = win.id
                   ORDER BY score DESC, win.id DESC LIMIT {lim} OFFSET {off}
                 )
                 {page}"
            )
        };
        let Sql { text, binds } = sql;
        let mut rows: Vec<SearchRow> = match self {
            Handle::Sqlite(c) => {
                bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(text)), &binds)
                    .fetch_all(&mut **c)
                    .await?
            }
            // Planned afresh with the words searched for: a prepared statement's generic plan
            // (PostgreSQL's choice after five runs) cannot tell a common word from a rare
            // one and read every match through the GIN index, then sorted them — 136 ms
            // instead of 12 for a word in a quarter of 100,000 tickets.
            Handle::Postgres(c) => {
                bind_all!(
                    sqlx::query_as(sqlx::AssertSqlSafe(text)).persistent(false),
                    &binds
                )
                .fetch_all(&mut **c)
                .await?
            }
        };
        // In the page's order, which the joins need not keep; sorted here rather than in the
        // statement, whose sorter would copy every first message's text.
        rows.sort_unstable_by(|a, b| {
            (b.score, b.ticket.ticket_id).cmp(&(a.score, a.ticket.ticket_id))
        });
        Ok(rows)
    }

    /// The texts of some tickets' entries that requesters or agents may search, for
    /// snippets: (ticket id, text, is html), oldest entry first. One query for a page.
    pub async fn snippet_sources(
        &mut self,
        tickets: &[i64],
        public_only: bool,
    ) -> Result<Vec<(i64, String, bool)>> {
        if tickets.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::default();
        let ids = sql.list(tickets.iter().copied());
        let kinds = if public_only {
            "kind IN ('message', 'reply')"
        } else {
            "kind <> 'event'"
        };
        sql.text = format!(
            "SELECT ticket_id, body, body_format = 'html' FROM thread_entry
              WHERE ticket_id IN ({ids}) AND {kinds}
              ORDER BY ticket_id, thread_entry_id"
        );
        let Sql { text, binds } = sql;
        on!(self, c => Ok(bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(text)), &binds)
            .fetch_all(c).await?))
    }
}

/// The FTS5 tables of the index: documents and heads.
const INDEX_TABLES: [&str; 2] = ["ticket_search", "ticket_search_head"];

impl crate::Db {
    /// One step of compacting the full-text index on SQLite: FTS5 merges up to `pages`
    /// pages of its segments, taking every level as one (a negative `merge`), in a write
    /// transaction of its own, so that the server goes on between steps. Returns whether
    /// there was anything left to merge. A search reads every segment for each of its
    /// words; merged, one. PostgreSQL's GIN index needs no such step (VACUUM keeps it).
    pub async fn compact_search_index(&self, pages: u32) -> Result<bool> {
        if self.backend() != crate::Backend::Sqlite {
            return Ok(false);
        }
        let mut tx = self.begin().await?;
        let merged = match tx.h() {
            Handle::Sqlite(c) => {
                // Each command counts as one change, and the rows FTS5 writes while merging
                // count as well: one change a command means there was nothing to merge.
                let before: i64 = sqlx::query_scalar("SELECT total_changes()")
                    .fetch_one(&mut *c)
                    .await?;
                for table in INDEX_TABLES {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "INSERT INTO {table} ({table}, rank) VALUES ('merge', -{pages})"
                    )))
                    .execute(&mut *c)
                    .await?;
                }
                let after: i64 = sqlx::query_scalar("SELECT total_changes()")
                    .fetch_one(&mut *c)
                    .await?;
                after - before > INDEX_TABLES.len() as i64
            }
            Handle::Postgres(_) => false,
        };
        tx.commit().await?;
        Ok(merged)
    }
}

/// The FTS5 statements that store several tickets' documents in `table`, replacing any
/// they had: one `INSERT` for all, which FTS5 keeps as one segment.
pub(crate) fn fts5_rows<'a>(s: &mut Script<'a>, table: &str, docs: &[(i64, &'a str)]) {
    // FTS5 has no upsert: the old rows go first (a deleted ticket's key may be used again).
    let ids: Vec<String> = docs.iter().map(|d| s.v(V::I(d.0))).collect();
    s.statement(&format!(
        "DELETE FROM {table} WHERE rowid IN ({})",
        ids.join(", ")
    ));
    let rows: Vec<String> = docs
        .iter()
        .map(|(id, doc)| s.row([V::I(*id), V::S(doc)]))
        .collect();
    s.statement(&format!(
        "INSERT INTO {table} (rowid, doc) VALUES {}",
        rows.join(", ")
    ));
}

/// The statements that store one ticket's document in `table` (`ticket_search` or
/// `ticket_search_head`), replacing any it had.
pub(crate) fn index_row<'a>(s: &mut Script<'a>, table: &str, t: TicketId, doc: &'a str) {
    index_rows(s, table, &[(t.0, doc)]);
}

/// The statements that store tickets' documents in `table`, replacing any they had: a new
/// ticket's (`index_row`), or demo data's in bulk.
pub(crate) fn index_rows<'a>(s: &mut Script<'a>, table: &str, docs: &[(i64, &'a str)]) {
    if s.joined() {
        fts5_rows(s, table, docs);
    } else {
        let rows: Vec<String> = docs
            .iter()
            .map(|(id, doc)| {
                let (id, doc) = (s.v(V::I(*id)), s.v(V::S(doc)));
                format!("({id}, to_tsvector('simple', {doc}))")
            })
            .collect();
        s.statement(&format!(
            "INSERT INTO {table} (ticket_id, doc) VALUES {}
             ON CONFLICT (ticket_id) DO UPDATE SET doc = EXCLUDED.doc",
            rows.join(", ")
        ));
    }
}
