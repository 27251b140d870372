//! Search: agents search every ticket they may see, combined with the queue filters;
//! requesters search the tickets of their session. Stemming and snippets come from
//! tessera-domain's `search.rs`, the index from the store; this module decides who sees what.

use tessera_domain::{IndexText, Problem, SearchQuery, TicketId, Timestamp, search::strip_tags};
use tessera_store::{Handle, QueueQuery, SearchMatch, SearchRow};

use crate::{Result, Tessera, access::Reader, work::visibility};

/// How many of the newest matches are ranked together, unless configured otherwise
/// (`CoreConfig::search_window`). A page shows the best of them; walking on continues
/// within the window, then with the next older window. This bounds the cost of a word
/// that is in half the tickets.
pub const SEARCH_WINDOW: i64 = 1000;

/// The setting that says every ticket older than the index has been indexed.
const BACKFILLED: &str = "search_backfilled";

/// The setting that says every ticket older than the index of heads has its head there.
const HEADS_BACKFILLED: &str = "search_heads_backfilled";

/// Longest search text, and longest custom field answer to filter by, in characters.
pub const MAX_SEARCH: usize = 200;

/// Checks what a person or program typed to filter and search by, the same for every
/// front end: not too long, and without NUL (which not every database can store or compare).
pub(crate) fn check_filters(q: &QueueQuery, text: Option<&str>) -> Result<()> {
    let mut p = Problem::default();
    for (field, value) in [("field_value", q.field_value.as_deref()), ("q", text)] {
        match value {
            Some(v) if v.contains('\0') => p.add(field, "error-api-nul"),
            Some(v) if v.trim().chars().count() > MAX_SEARCH => p.add(field, "error-too-long"),
            _ => {}
        }
    }
    Ok(p.into_result()?)
}

/// How many characters a snippet is long.
const SNIPPET_CHARS: usize = 180;

/// One hit with its snippet (runs of text, `true` for a matched word).
#[derive(Debug, Clone)]
pub struct SearchHit {
    /// The ticket as a queue shows it (its `sort_key` is empty: hits are ranked).
    pub ticket: tessera_domain::QueueItem,
    /// Where the words were found.
    pub snippet: Vec<(String, bool)>,
}

/// A page of hits.
#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    /// Best first.
    pub hits: Vec<SearchHit>,
    /// The cursor of the next page.
    pub next: Option<String>,
}

/// Index pages merged per step of `compact_search_index`: a few milliseconds of the
/// writer's time, so that transactions waiting behind it hardly notice.
const COMPACT_PAGES: u32 = 200;

fn parse_cursor(c: Option<&str>, window: i64) -> (Option<i64>, i64) {
    let Some((b, o)) = c.and_then(|c| c.split_once('.')) else {
        return (None, 0);
    };
    let before = b.parse::<i64>().ok().filter(|b| *b > 0);
    let offset = o
        .parse::<i64>()
        .ok()
        .filter(|o| (0..window).contains(o))
        .unwrap_or(0);
    (before, offset)
}

impl Tessera {
    /// Tickets the agent may see that match `text`, in the queue and filters of `q`
    /// (its sort and keyset are ignored: hits are ranked). Empty for a query without words;
    /// refused when the text or the field filter is too long (`MAX_SEARCH`).
    pub async fn search(
        &self,
        who: Reader<'_>,
        q: &QueueQuery,
        text: &str,
        cursor: Option<&str>,
    ) -> Result<SearchResults> {
        let agent = who.agent();
        check_filters(q, Some(text))?;
        let Some(query) = SearchQuery::parse(text) else {
            return Ok(SearchResults::default());
        };
        let m = SearchMatch {
            fts5: query.fts5(),
            tsquery: query.tsquery(),
            fts5_some: query.fts5_some(),
            tsquery_some: query.tsquery_some(),
        };
        // At least one, so that a window always moves the cursor on.
        let window = self.config().search_window.max(1);
        let (before, offset) = parse_cursor(cursor, window);
        let limit = q.limit;
        let mut conn = self.db().conn().await?;
        let mut rows = conn
            .h()
            .search_page(
                &visibility(agent),
                q,
                &m,
                before,
                window,
                offset,
                Timestamp::now(),
            )
            .await?;
        self.inner.marks.overlay(
            agent.id,
            rows.iter_mut().map(|r| {
                let t = &mut r.ticket;
                (TicketId(t.ticket_id), t.updated_at, &mut t.unseen)
            }),
        );
        let next = rows.first().and_then(|r| {
            if offset + limit < r.window_rows {
                Some(format!("{}.{}", before.unwrap_or(0), offset + limit))
            } else if r.window_rows == window {
                Some(format!("{}.0", r.window_min))
            } else {
                None
            }
        });
        let hits = with_snippets(&mut conn.h(), &query, rows).await?;
        Ok(SearchResults { hits, next })
    }

    /// Compacts the full-text index (SQLite) in steps of a few hundred pages, each a short
    /// transaction of its own: safe while Tessera serves. `progress(steps)` after each.
    pub async fn compact_search_index(&self, mut progress: impl FnMut(u64)) -> Result<u64> {
        let mut steps = 0;
        while self.db().compact_search_index(COMPACT_PAGES).await? {
            steps += 1;
            progress(steps);
        }
        Ok(steps)
    }

    /// Rebuilds the index entries of tickets that have none (installations that had
    /// tickets before search existed, or before the index kept heads), in batches;
    /// `progress(done)` after each.
    pub async fn backfill_search(&self, mut progress: impl FnMut(u64)) -> Result<u64> {
        let mut done = 0u64;
        // Once done, every change keeps the index itself: no scan at each start.
        if !self.is_set(BACKFILLED).await? {
            let mut after = 0;
            loop {
                let mut conn = self.db().conn().await?;
                let ids = conn.h().unindexed_tickets(after, 500).await?;
                drop(conn);
                let Some(last) = ids.last().copied() else {
                    break;
                };
                let mut tx = self.db().begin().await?;
                for id in &ids {
                    tx.h().reindex_ticket(TicketId(*id)).await?;
                }
                tx.commit().await?;
                done += ids.len() as u64;
                after = last;
                progress(done);
            }
            // The full rebuild wrote the heads too.
            let mut tx = self.db().begin().await?;
            tx.h()
                .put_settings(&[(BACKFILLED, "1"), (HEADS_BACKFILLED, "1")])
                .await?;
            tx.commit().await?;
            return Ok(done);
        }
        if self.is_set(HEADS_BACKFILLED).await? {
            return Ok(0);
        }
        // Heads come from the ticket and contact rows alone: a batch is one read.
        let mut after = 0;
        loop {
            let mut conn = self.db().conn().await?;
            let rows = conn.h().headless_tickets(after, 2000).await?;
            drop(conn);
            let Some(last) = rows.last().map(|r| r.0) else {
                let mut tx = self.db().begin().await?;
                tx.h().put_settings(&[(HEADS_BACKFILLED, "1")]).await?;
                tx.commit().await?;
                return Ok(done);
            };
            let heads: Vec<(i64, String)> = rows
                .into_iter()
                .map(|(id, text)| {
                    let mut head = IndexText::default();
                    head.add(&text);
                    (id, head.finish())
                })
                .collect();
            let mut tx = self.db().begin().await?;
            tx.h().set_search_heads(&heads).await?;
            tx.commit().await?;
            done += heads.len() as u64;
            after = last;
            progress(done);
        }
    }

    async fn is_set(&self, setting: &str) -> Result<bool> {
        Ok(self
            .db()
            .conn()
            .await?
            .h()
            .setting(setting)
            .await?
            .is_some())
    }
}

/// Adds a snippet to each row: the first entry (or the subject) with a matching word. For
/// agents: internal notes count.
pub(crate) async fn with_snippets(
    h: &mut Handle<'_>,
    query: &SearchQuery,
    mut rows: Vec<SearchRow>,
) -> Result<Vec<SearchHit>> {
    let snippet_of = |(_, body, html): &(i64, String, bool)| {
        if *html {
            query.snippet(&strip_tags(body), SNIPPET_CHARS)
        } else {
            query.snippet(body, SNIPPET_CHARS)
        }
    };
    // Most tickets are found by their first message, which comes with the page: only the
    // others' later entries are read, in a query of their own (each entry's text is copied
    // out of the database, some are long).
    let mut found: std::collections::HashMap<i64, Vec<(String, bool)>> = rows
        .iter_mut()
        .filter_map(|r| {
            let first = (
                r.ticket.ticket_id,
                r.first_body.take()?,
                r.first_html.unwrap_or(false),
            );
            snippet_of(&first).map(|snippet| (first.0, snippet))
        })
        .collect();
    let rest: Vec<i64> = rows
        .iter()
        .map(|r| r.ticket.ticket_id)
        .filter(|id| !found.contains_key(id))
        .collect();
    if !rest.is_empty() {
        for s in h.snippet_sources(&rest, false).await? {
            if !found.contains_key(&s.0)
                && let Some(snippet) = snippet_of(&s)
            {
                found.insert(s.0, snippet);
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let snippet = found
                .remove(&row.ticket.ticket_id)
                .or_else(|| query.snippet(&row.ticket.subject, SNIPPET_CHARS))
                .unwrap_or_default();
            SearchHit {
                ticket: crate::views::queue_item(row.ticket),
                snippet,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_read_defensively() {
        let w = SEARCH_WINDOW;
        assert_eq!(parse_cursor(None, w), (None, 0));
        assert_eq!(parse_cursor(Some("0.50"), w), (None, 50));
        assert_eq!(parse_cursor(Some("1234.0"), w), (Some(1234), 0));
        assert_eq!(parse_cursor(Some("x.y"), w), (None, 0));
        assert_eq!(parse_cursor(Some("5.99999"), w), (Some(5), 0));
        assert_eq!(parse_cursor(Some("-5.-1"), w), (None, 0));
        assert_eq!(parse_cursor(Some("0.50"), 10), (None, 0));
    }
}
