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
};

/// One search hit: the ticket as a queue shows it, its score (higher is better) and where
/// its window ends.
#[derive(Debug, Clone, FromRow)]
pub struct SearchRow {
    /// The ticket (its `sort_key` is empty: hits are ranked, not keyed).
    #[sqlx(flatten)]
    pub ticket: QueueRow,
    /// Relevance.
    pub score: f64,
    /// How many tickets the window held.
    pub window_rows: i64,
    /// The oldest ticket in the window (the next window starts below it).
    pub window_min: i64,
}

/// The match expression in both dialects (built by `SearchQuery`).
#[derive(Debug, Clone)]
pub struct SearchMatch {
    /// For SQLite FTS5.
    pub fts5: String,
    /// For PostgreSQL `to_tsquery('simple', …)`.
    pub tsquery: String,
}

impl Handle<'_> {
    /// Rebuilds a ticket's document from what it holds now. Call it in the transaction
    /// that changed the text.
    pub async fn reindex_ticket(&mut self, t: TicketId) -> Result<()> {
        let parts: Vec<(String, bool)> = on!(self, c => sqlx::query_as(
            "SELECT t.number || ' ' || t.subject || ' ' || c.name || ' ' || c.email, FALSE
               FROM ticket t JOIN contact c ON c.contact_id = t.requester_id
              WHERE t.ticket_id = $1
             UNION ALL
             SELECT body, body_format = 'html' FROM thread_entry
              WHERE ticket_id = $1 AND kind <> 'event'
             UNION ALL
             SELECT filename, FALSE FROM attachment WHERE ticket_id = $1
             UNION ALL
             SELECT value, FALSE FROM ticket_field_value WHERE ticket_id = $1")
            .bind(t.0).fetch_all(c).await?);
        let mut doc = IndexText::default();
        for (text, html) in &parts {
            if *html {
                doc.add_html(text);
            } else {
                doc.add(text);
            }
        }
        self.set_search_doc(t, &doc.finish()).await
    }

    /// Stores a ticket's document (stems separated by spaces), replacing the old one.
    pub async fn set_search_doc(&mut self, t: TicketId, doc: &str) -> Result<()> {
        match self {
            Handle::Sqlite(c) => {
                sqlx::query("DELETE FROM ticket_search WHERE rowid = $1")
                    .bind(t.0)
                    .execute(&mut **c)
                    .await?;
                sqlx::query("INSERT INTO ticket_search (rowid, doc) VALUES ($1, $2)")
                    .bind(t.0)
                    .bind(doc)
                    .execute(&mut **c)
                    .await?;
            }
            Handle::Postgres(c) => {
                sqlx::query(
                    "INSERT INTO ticket_search (ticket_id, doc) VALUES ($1, to_tsvector('simple', $2))
                     ON CONFLICT (ticket_id) DO UPDATE SET doc = EXCLUDED.doc",
                )
                .bind(t.0)
                .bind(doc)
                .execute(&mut **c)
                .await?;
            }
        }
        Ok(())
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
    /// stopping after `window` keeps a very common word as cheap as a rare one.
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
        let mut f = filters(&mut sql, q);
        let sqlite = matches!(self, Handle::Sqlite(_));
        let key = if sqlite {
            "ticket_search.rowid"
        } else {
            "s.ticket_id"
        };
        if let Some(b) = before {
            f.push_str(&format!(" AND {key} < {}", sql.int(b)));
        }
        let w = sql.int(window);
        let lim = sql.int(q.limit);
        let off = sql.int(offset);
        let columns = "t.ticket_id, t.number, t.subject, c.name AS requester_name, t.updated_at,
                    a.display_name AS agent_name, tm.name AS team_name, t.priority, t.status,
                    t.due_at, (seen.seen_at IS NULL OR seen.seen_at < t.updated_at) AS unseen,
                    '' AS sort_key";
        let joins = format!(
            "JOIN contact c ON c.contact_id = t.requester_id
             LEFT JOIN agent a ON a.agent_id = t.assignee_agent_id
             LEFT JOIN team tm ON tm.team_id = t.assignee_team_id
             LEFT JOIN ticket_seen seen ON seen.ticket_id = t.ticket_id AND seen.agent_id = {me}"
        );
        sql.text = if sqlite {
            let mt = sql.str(&m.fts5);
            format!(
                "SELECT hits.*, COUNT(*) OVER () AS window_rows,
                        MIN(ticket_id) OVER () AS window_min FROM (
                   SELECT {columns}, -bm25(ticket_search) AS score
                   FROM ticket_search JOIN ticket t ON t.ticket_id = ticket_search.rowid
                   {joins}
                   WHERE ticket_search MATCH {mt} AND {vis} AND {cond}{f}
                   ORDER BY ticket_search.rowid DESC LIMIT {w}
                 ) hits
                 ORDER BY score DESC, ticket_id DESC LIMIT {lim} OFFSET {off}"
            )
        } else {
            let mt = sql.str(&m.tsquery);
            format!(
                "SELECT hits.*, COUNT(*) OVER () AS window_rows,
                        MIN(ticket_id) OVER () AS window_min FROM (
                   SELECT {columns}, CAST(ts_rank(s.doc, to_tsquery('simple', {mt})) AS DOUBLE PRECISION) AS score
                   FROM ticket_search s JOIN ticket t ON t.ticket_id = s.ticket_id
                   {joins}
                   WHERE s.doc @@ to_tsquery('simple', {mt}) AND {vis} AND {cond}{f}
                   ORDER BY s.ticket_id DESC LIMIT {w}
                 ) hits
                 ORDER BY score DESC, ticket_id DESC LIMIT {lim} OFFSET {off}"
            )
        };
        let Sql { text, binds } = sql;
        on!(self, c => Ok(bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(text)), &binds)
            .fetch_all(c).await?))
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
