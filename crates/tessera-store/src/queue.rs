//! Queue listings and counts, with visibility and keyset pagination in SQL.

use sqlx::FromRow;
use tessera_domain::{Queue, Sort, Timestamp};

use crate::{Backend, Handle, Result, db::on};

pub use tessera_domain::queue::{QueueQuery, Visibility};

/// One row of a queue.
#[derive(Debug, Clone, FromRow)]
pub struct QueueRow {
    /// Key.
    pub ticket_id: i64,
    /// Public number.
    pub number: String,
    /// Subject.
    pub subject: String,
    /// Requester's name.
    pub requester_name: String,
    /// Last activity.
    pub updated_at: i64,
    /// Assigned agent's name.
    pub agent_name: Option<String>,
    /// Assigned team's name.
    pub team_name: Option<String>,
    /// Priority.
    pub priority: String,
    /// Status.
    pub status: String,
    /// Due date.
    pub due_at: Option<i64>,
    /// Activity the agent has not seen.
    pub unseen: bool,
    /// Waits for its requester to confirm the address (confirm-first mode).
    pub unconfirmed: bool,
    /// This row's sort key, for the next cursor.
    pub sort_key: String,
}

pub(crate) enum Bind {
    I(i64),
    S(String),
}

#[derive(Default)]
pub(crate) struct Sql {
    pub(crate) text: String,
    pub(crate) binds: Vec<Bind>,
}

impl Sql {
    pub(crate) fn int(&mut self, v: i64) -> String {
        self.binds.push(Bind::I(v));
        format!("${}", self.binds.len())
    }
    /// A row count for `LIMIT`, written into the statement rather than bound. SQLite reads
    /// a bound `LIMIT` while planning and then marks the statement to be planned again
    /// whenever that parameter is bound, which is at every run: each queue and search page
    /// was parsed and planned anew (an eighth of a search page's CPU). Page sizes are few,
    /// so each gets its prepared statement.
    pub(crate) fn limit(v: i64) -> String {
        v.to_string()
    }
    pub(crate) fn str(&mut self, v: &str) -> String {
        self.binds.push(Bind::S(v.to_owned()));
        format!("${}", self.binds.len())
    }
    pub(crate) fn list(&mut self, ids: impl IntoIterator<Item = i64>) -> String {
        let p: Vec<String> = ids.into_iter().map(|i| self.int(i)).collect();
        if p.is_empty() {
            "NULL".into()
        } else {
            p.join(", ")
        }
    }
}

pub(crate) fn visibility(sql: &mut Sql, v: &Visibility) -> String {
    if v.all {
        return "TRUE".into();
    }
    let d = sql.list(v.departments.iter().map(|d| d.0));
    let me = sql.int(v.agent.0);
    let t = sql.list(v.teams.iter().map(|t| t.0));
    format!(
        "(t.department_id IN ({d}) OR t.assignee_agent_id = {me} OR t.assignee_team_id IN ({t}))"
    )
}

pub(crate) fn queue_condition(sql: &mut Sql, q: Queue, v: &Visibility, now: Timestamp) -> String {
    match q {
        Queue::Open => "t.status = 'open' AND t.is_answered = FALSE".into(),
        Queue::Answered => "t.status = 'open' AND t.is_answered = TRUE".into(),
        Queue::Mine => format!(
            "t.status = 'open' AND t.assignee_agent_id = {}",
            sql.int(v.agent.0)
        ),
        Queue::MyTeams => {
            format!(
                "t.status = 'open' AND t.assignee_team_id IN ({})",
                sql.list(v.teams.iter().map(|t| t.0))
            )
        }
        Queue::Unassigned => {
            "t.status = 'open' AND t.assignee_agent_id IS NULL AND t.assignee_team_id IS NULL"
                .into()
        }
        Queue::Overdue => format!("t.status = 'open' AND t.due_at < {}", sql.int(now.0)),
        Queue::Closed => "t.status IN ('resolved', 'closed')".into(),
        Queue::All => "TRUE".into(),
    }
}

/// `(expression, is_text)` of a sort order.
fn sort_expr(s: Sort) -> (&'static str, bool) {
    match s {
        Sort::Updated => ("t.updated_at", false),
        Sort::Number => ("t.number", true),
        Sort::Due => ("COALESCE(t.due_at, 9223372036854775807)", false),
        Sort::Priority => ("t.priority_rank", false),
    }
}

/// A `LIKE` pattern matching values that contain `text` literally: `%`, `_` and the escape
/// character itself are escaped with `\`.
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// The conditions of a query's filters (department, topic, assignee, status, field answer).
pub(crate) fn filters(sql: &mut Sql, q: &QueueQuery) -> String {
    let mut filters = String::new();
    if let Some(d) = q.department {
        filters.push_str(&format!(" AND t.department_id = {}", sql.int(d.0)));
    }
    if let Some(h) = q.topic {
        filters.push_str(&format!(" AND t.help_topic_id = {}", sql.int(h.0)));
    }
    if let Some(a) = q.assignee {
        filters.push_str(&format!(" AND t.assignee_agent_id = {}", sql.int(a.0)));
    }
    if let Some(s) = q.status {
        filters.push_str(&format!(" AND t.status = {}", sql.str(s.as_str())));
    }
    if let Some(text) = q
        .field_value
        .as_deref()
        .map(str::trim)
        .filter(|x| !x.is_empty())
    {
        let pattern = sql.str(&contains_pattern(text));
        filters.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM ticket_field_value fv WHERE fv.ticket_id = t.ticket_id
               AND LOWER(fv.value) LIKE LOWER({pattern}) ESCAPE '\\')"
        ));
    }
    filters
}

macro_rules! bind_all_impl {
    ($q:expr, $binds:expr) => {{
        let mut q = $q;
        for b in $binds {
            q = match b {
                Bind::I(i) => q.bind(*i),
                Bind::S(s) => q.bind(s.clone()),
            };
        }
        q
    }};
}
pub(crate) use bind_all_impl as bind_all;

/// The conditions whose union is what an agent may see of a queue, each of which an index
/// can read in order: one per department, their own tickets, one per team. A single
/// `a IN (…) OR b = … OR c IN (…)` would make the database gather every visible ticket of
/// the queue and sort them; separate branches cost one page each.
fn branches(sql: &mut Sql, v: &Visibility, queue: Queue) -> Vec<String> {
    match queue {
        _ if v.all => vec!["TRUE".into()],
        // Assignment to the agent or their teams is visibility itself.
        Queue::Mine | Queue::MyTeams => vec!["TRUE".into()],
        _ => {
            let mut b: Vec<String> = v
                .departments
                .iter()
                .map(|d| format!("t.department_id = {}", sql.int(d.0)))
                .collect();
            // Tickets of other departments are visible only through an assignment, which an
            // unassigned ticket does not have.
            if queue != Queue::Unassigned {
                b.push(format!("t.assignee_agent_id = {}", sql.int(v.agent.0)));
                b.extend(
                    v.teams
                        .iter()
                        .map(|t| format!("t.assignee_team_id = {}", sql.int(t.0))),
                );
            }
            if b.is_empty() {
                b.push("FALSE".into());
            }
            b
        }
    }
}

impl Handle<'_> {
    /// One page of a queue.
    pub async fn queue_page(
        &mut self,
        v: &Visibility,
        q: &QueueQuery,
        now: Timestamp,
    ) -> Result<Vec<QueueRow>> {
        let mut sql = Sql::default();
        let me = sql.int(v.agent.0);
        let (expr, is_text) = sort_expr(q.sort);
        let (cmp, dir) = if q.descending {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        let order = format!("ORDER BY {expr} {dir}, t.ticket_id {dir}");
        let limit = Sql::limit(q.limit);
        let branches = branches(&mut sql, v, q.queue);
        // Closed and All hold most tickets, so walking the sort's index and keeping what
        // matches stops after about a page. SQLite's planner does not weigh the LIMIT and
        // would rather read every ticket of a department or status from its index and sort
        // them (seconds at a million); `likely` tells it the conditions keep most rows.
        // PostgreSQL weighs the LIMIT itself and has no `likely`.
        let sqlite_sorted = q.sort != Sort::Updated && self.backend() == Backend::Sqlite;
        let hint = sqlite_sorted && matches!(q.queue, Queue::Closed | Queue::All);
        // The other queues are small and best read through their filters' indexes, then
        // sorted. On a deep page SQLite would take the cursor's range of the sort index
        // instead and walk the many tickets of other queues in it; `likely` says the range
        // keeps most rows, which on a deep page it does.
        let hint_cursor = sqlite_sorted && !hint;
        let wrap = |c: String| if hint { format!("likely({c})") } else { c };
        // Due and priority repeat across many tickets, and SQLite reads only the first
        // column of a row value `(key, id) > (k, i)` as an index range, walking every ticket
        // of the cursor's key before the cursor. Split into `key = k AND id > i`, which is one
        // range of the `(key, ticket_id)` index, and `key > k`; each is a branch of its own.
        // (The other queues are read through their filters' indexes and sorted, where the
        // row value only filters; PostgreSQL reads a row value as a range on both columns.)
        let split = hint && q.after.is_some() && matches!(q.sort, Sort::Due | Sort::Priority);
        let n_parts = branches.len() * if split { 2 } else { 1 };
        let single = n_parts == 1;
        let mut parts = Vec::with_capacity(n_parts);
        for branch in branches {
            // Each range with the order that reads it from the index: within one key, by
            // id alone (SQLite does not see that an expression equal to a constant is
            // already in order, and would sort).
            let ranges: Vec<(String, String)> = match &q.after {
                None => vec![(String::new(), order.clone())],
                Some((key, id)) => {
                    let k = if is_text {
                        sql.str(key)
                    } else {
                        sql.int(key.parse().unwrap_or(0))
                    };
                    let i = sql.int(*id);
                    if split {
                        vec![
                            (
                                format!(" AND {expr} = {k} AND t.ticket_id {cmp} {i}"),
                                format!("ORDER BY t.ticket_id {dir}"),
                            ),
                            (format!(" AND {expr} {cmp} {k}"), order.clone()),
                        ]
                    } else {
                        // A row value, unlike `a < k OR (a = k AND id < i)`, is a range both
                        // databases read from an index: on both columns in PostgreSQL, on
                        // the key in SQLite, enough when it is (nearly) unique.
                        let range = format!("({expr}, t.ticket_id) {cmp} ({k}, {i})");
                        let range = if hint_cursor {
                            format!("likely({range})")
                        } else {
                            range
                        };
                        vec![(format!(" AND {range}"), order.clone())]
                    }
                }
            };
            for (range, order) in ranges {
                let cond = wrap(queue_condition(&mut sql, q.queue, v, now));
                let filters = filters(&mut sql, q);
                let filter = format!("{} AND {cond}{filters}{range}", wrap(branch.clone()));
                parts.push(if single {
                    filter
                } else {
                    format!(
                        "SELECT ticket_id, k FROM (SELECT t.ticket_id, {expr} AS k FROM ticket t
                         WHERE {filter} {order} LIMIT {limit}) AS b{}",
                        parts.len()
                    )
                });
            }
        }
        // The branches' page is merged and cut by its key before anything is joined to it:
        // as `ticket_id IN (…)`, every branch's rows were read and joined, then sorted.
        let (tickets, filter) = if single {
            ("ticket t".to_owned(), format!("WHERE {}", parts.concat()))
        } else {
            // UNION, not UNION ALL: a ticket may be in a department and assigned to the agent.
            (
                format!(
                    "({} ORDER BY k {dir}, ticket_id {dir} LIMIT {limit}) AS p
                     JOIN ticket t ON t.ticket_id = p.ticket_id",
                    parts.join(" UNION ")
                ),
                String::new(),
            )
        };
        let key_text = if is_text {
            expr.to_owned()
        } else {
            format!("CAST({expr} AS TEXT)")
        };
        sql.text = format!(
            "SELECT t.ticket_id, t.number, t.subject, c.name AS requester_name, t.updated_at,
                    a.display_name AS agent_name, tm.name AS team_name, t.priority, t.status,
                    t.due_at,
                    (s.seen_at IS NULL OR s.seen_at < t.updated_at) AS unseen,
                    t.unconfirmed,
                    {key_text} AS sort_key
             FROM {tickets}
             JOIN contact c ON c.contact_id = t.requester_id
             LEFT JOIN agent a ON a.agent_id = t.assignee_agent_id
             LEFT JOIN team tm ON tm.team_id = t.assignee_team_id
             LEFT JOIN ticket_seen s ON s.ticket_id = t.ticket_id AND s.agent_id = {me}
             {filter}
             {order}
             LIMIT {limit}"
        );
        let Sql { text, binds } = sql;
        on!(self, c => Ok(bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(text)), &binds)
            .fetch_all(c).await?))
    }

    /// How many tickets each queue holds for this agent, in `Queue::ALL` order, in one
    /// statement: every queue but Overdue is a sum over the tally the triggers of migration
    /// 0018 keep (a row per department, state and assignee, not per ticket); Overdue depends
    /// on the clock and is counted from its own index.
    pub async fn queue_counts(&mut self, v: &Visibility, now: Timestamp) -> Result<Vec<i64>> {
        let mut sql = Sql::default();
        let me = sql.int(v.agent.0);
        let teams = sql.list(v.teams.iter().map(|t| t.0));
        let tally_vis = if v.all {
            "TRUE".to_owned()
        } else {
            let d = sql.list(v.departments.iter().map(|d| d.0));
            let me = sql.int(v.agent.0);
            let t = sql.list(v.teams.iter().map(|t| t.0));
            format!("(department_id IN ({d}) OR agent_id = {me} OR team_id IN ({t}))")
        };
        let vis = visibility(&mut sql, v);
        let overdue = queue_condition(&mut sql, Queue::Overdue, v, now);
        let sum =
            |when: &str| format!("CAST(COALESCE(SUM(CASE WHEN {when} THEN n END), 0) AS BIGINT)");
        sql.text = format!(
            "SELECT {}, {}, {}, {}, {},
                    (SELECT COUNT(*) FROM ticket t
                     WHERE {overdue} AND t.due_at IS NOT NULL AND {vis}),
                    {}, {}
             FROM queue_tally WHERE {tally_vis}",
            sum("status = 'open' AND is_answered = FALSE"),
            sum("status = 'open' AND is_answered = TRUE"),
            sum(&format!("status = 'open' AND agent_id = {me}")),
            sum(&format!("status = 'open' AND team_id IN ({teams})")),
            sum("status = 'open' AND agent_id = 0 AND team_id = 0"),
            sum("status IN ('resolved', 'closed')"),
            sum("TRUE"),
        );
        let Sql { text, binds } = sql;
        let c: (i64, i64, i64, i64, i64, i64, i64, i64) = on!(self, c =>
            bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(text)), &binds).fetch_one(c).await?);
        Ok(vec![c.0, c.1, c.2, c.3, c.4, c.5, c.6, c.7])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: &str) {
        assert_eq!(contains_pattern(text), expected, "{text:?}");
    }

    #[test]
    fn escapes_like_patterns() {
        check("Freibad", "%Freibad%");
        check("100%", "%100\\%%");
        check("a_b", "%a\\_b%");
        check("C:\\temp", "%C:\\\\temp%");
    }
}
