//! Queue listings and counts, with visibility and keyset pagination in SQL.

use sqlx::FromRow;
use tessera_domain::{
    AgentId, DepartmentId, HelpTopicId, Queue, Sort, TeamId, TicketStatus, Timestamp,
};

use crate::{Handle, Result, db::on};

/// Which tickets an agent may see, as SQL needs it.
#[derive(Debug, Clone)]
pub struct Visibility {
    /// Sees everything.
    pub all: bool,
    /// The agent.
    pub agent: AgentId,
    /// Their departments.
    pub departments: Vec<DepartmentId>,
    /// Their teams.
    pub teams: Vec<TeamId>,
}

/// A page request on a queue.
#[derive(Debug, Clone)]
pub struct QueueQuery {
    /// Which queue.
    pub queue: Queue,
    /// Order.
    pub sort: Sort,
    /// Largest first.
    pub descending: bool,
    /// Only this department.
    pub department: Option<DepartmentId>,
    /// Only this help topic.
    pub topic: Option<HelpTopicId>,
    /// Only assigned to this agent.
    pub assignee: Option<AgentId>,
    /// Only this status.
    pub status: Option<TicketStatus>,
    /// Only tickets with a custom field answer containing this text (any case).
    pub field_value: Option<String>,
    /// Start after this row: (sort key as text, ticket id).
    pub after: Option<(String, i64)>,
    /// Rows per page.
    pub limit: i64,
}

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
fn contains_pattern(text: &str) -> String {
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
        let vis = visibility(&mut sql, v);
        let cond = queue_condition(&mut sql, q.queue, v, now);
        let (expr, is_text) = sort_expr(q.sort);
        let mut filters = filters(&mut sql, q);
        let (cmp, dir) = if q.descending {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        if let Some((key, id)) = &q.after {
            let k = if is_text {
                sql.str(key)
            } else {
                sql.int(key.parse().unwrap_or(0))
            };
            let i = sql.int(*id);
            filters.push_str(&format!(
                " AND ({expr} {cmp} {k} OR ({expr} = {k} AND t.ticket_id {cmp} {i}))"
            ));
        }
        let limit = sql.int(q.limit);
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
                    {key_text} AS sort_key
             FROM ticket t
             JOIN contact c ON c.contact_id = t.requester_id
             LEFT JOIN agent a ON a.agent_id = t.assignee_agent_id
             LEFT JOIN team tm ON tm.team_id = t.assignee_team_id
             LEFT JOIN ticket_seen s ON s.ticket_id = t.ticket_id AND s.agent_id = {me}
             WHERE {vis} AND {cond}{filters}
             ORDER BY {expr} {dir}, t.ticket_id {dir}
             LIMIT {limit}"
        );
        let Sql { text, binds } = sql;
        on!(self, c => Ok(bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(text)), &binds)
            .fetch_all(c).await?))
    }

    /// How many tickets each queue holds for this agent, in `Queue::ALL` order. One count per
    /// queue, so that each can be answered from an index.
    pub async fn queue_counts(&mut self, v: &Visibility, now: Timestamp) -> Result<Vec<i64>> {
        let mut counts = Vec::with_capacity(Queue::ALL.len());
        for q in Queue::ALL {
            let mut sql = Sql {
                text: String::new(),
                binds: Vec::new(),
            };
            let vis = visibility(&mut sql, v);
            let cond = queue_condition(&mut sql, q, v, now);
            sql.text = format!("SELECT COUNT(*) FROM ticket t WHERE {vis} AND {cond}");
            let Sql { text, binds } = sql;
            let n: i64 = on!(self, c =>
                bind_all!(sqlx::query_scalar(sqlx::AssertSqlSafe(text)), &binds).fetch_one(c).await?);
            counts.push(n);
        }
        Ok(counts)
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
