//! Queues: saved views of tickets, their sort orders and keyset cursors.

use crate::{
    AgentId, DepartmentId, HelpTopicId, Priority, TeamId, TicketId, TicketStatus, Timestamp,
};

/// The built-in queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// Open and not answered yet.
    Open,
    /// Open, an agent replied, waiting for the requester.
    Answered,
    /// Open and assigned to me.
    Mine,
    /// Open and assigned to one of my teams.
    MyTeams,
    /// Open and assigned to nobody.
    Unassigned,
    /// Open and past its due date.
    Overdue,
    /// Closed or resolved.
    Closed,
    /// Everything I may see.
    All,
}

impl Queue {
    /// Every queue in menu order.
    pub const ALL: [Queue; 8] = [
        Queue::Open,
        Queue::Answered,
        Queue::Mine,
        Queue::MyTeams,
        Queue::Unassigned,
        Queue::Overdue,
        Queue::Closed,
        Queue::All,
    ];

    /// The name used in URLs and translation keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Queue::Open => "open",
            Queue::Answered => "answered",
            Queue::Mine => "mine",
            Queue::MyTeams => "teams",
            Queue::Unassigned => "unassigned",
            Queue::Overdue => "overdue",
            Queue::Closed => "closed",
            Queue::All => "all",
        }
    }

    /// Parses a URL name.
    pub fn parse(s: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.as_str() == s)
    }
}

/// What a queue can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Last activity (default).
    Updated,
    /// Ticket number (creation order).
    Number,
    /// Due date; tickets without one last.
    Due,
    /// Priority.
    Priority,
}

impl Sort {
    /// Every order.
    pub const ALL: [Sort; 4] = [Sort::Updated, Sort::Number, Sort::Due, Sort::Priority];

    /// The name used in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Updated => "updated",
            Sort::Number => "number",
            Sort::Due => "due",
            Sort::Priority => "priority",
        }
    }

    /// Parses a URL name.
    pub fn parse(s: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|q| q.as_str() == s)
    }
}

/// The numeric rank of a priority, for sorting.
pub fn priority_rank(p: Priority) -> i64 {
    match p {
        Priority::Low => 1,
        Priority::Normal => 2,
        Priority::High => 3,
        Priority::Emergency => 4,
    }
}

/// Where the next page starts: the sort key and the id of the last row shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// The last row's sort value.
    pub key: i64,
    /// The last row's ticket id.
    pub id: i64,
}

impl Cursor {
    /// As URL text.
    pub fn encode(self) -> String {
        format!("{}_{}", self.key, self.id)
    }

    /// From URL text.
    pub fn decode(s: &str) -> Option<Cursor> {
        let (k, i) = s.split_once('_')?;
        Some(Cursor {
            key: k.parse().ok()?,
            id: i.parse().ok()?,
        })
    }
}

/// Which tickets an agent may see, as a queue's query needs it.
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

/// One ticket as a queue (or a search) lists it.
#[derive(Debug, Clone)]
pub struct QueueItem {
    /// Key.
    pub ticket_id: TicketId,
    /// Public number.
    pub number: String,
    /// Subject.
    pub subject: String,
    /// Requester's name.
    pub requester_name: String,
    /// Last activity.
    pub updated_at: Timestamp,
    /// Assigned agent's name.
    pub agent_name: Option<String>,
    /// Assigned team's name.
    pub team_name: Option<String>,
    /// Priority.
    pub priority: Priority,
    /// Status.
    pub status: TicketStatus,
    /// Due date.
    pub due_at: Option<Timestamp>,
    /// Activity the agent has not seen.
    pub unseen: bool,
    /// Waits for its requester to confirm the address (confirm-first mode); nobody was
    /// alerted yet.
    pub unconfirmed: bool,
    /// This row's sort key, for the next cursor (empty for search hits: they are ranked).
    pub sort_key: String,
}

/// A saved view: a queue with the filters, order and page size it was shown with, under a
/// name its agent chose.
#[derive(Debug, Clone)]
pub struct SavedView {
    /// Key.
    pub id: i64,
    /// What the agent calls it.
    pub name: String,
    /// The queue.
    pub queue: Queue,
    /// The queue page's query string (no cursor, no page number).
    pub query: String,
    /// Shown to every agent (only administrators share).
    pub shared: bool,
    /// The reader's own: only they may delete it.
    pub own: bool,
}

impl SavedView {
    /// The queue page the view shows.
    pub fn url(&self) -> String {
        queue_url(self.queue, &self.query)
    }
}

/// The agent area's address of a queue page with a query string (empty for none).
pub fn queue_url(queue: Queue, query: &str) -> String {
    if query.is_empty() {
        format!("/agent/queue/{}", queue.as_str())
    } else {
        format!("/agent/queue/{}?{query}", queue.as_str())
    }
}

impl QueueQuery {
    /// The query that reads the rows before `cursor` (a row's sort key and ticket id), in
    /// this query's order read backwards: the same query with the direction flipped,
    /// starting after the cursor. Its rows, reversed, are the page before the cursor —
    /// keyset pagination in both directions, on the same indexes, without `OFFSET`.
    pub fn backwards_from(&self, key: String, id: i64) -> QueueQuery {
        QueueQuery {
            descending: !self.descending,
            after: Some((key, id)),
            ..self.clone()
        }
    }

    /// Whether a filter narrows the queue (its count then is not the queue's tally).
    pub fn is_filtered(&self) -> bool {
        self.department.is_some()
            || self.topic.is_some()
            || self.assignee.is_some()
            || self.status.is_some()
            || self
                .field_value
                .as_deref()
                .is_some_and(|v| !v.trim().is_empty())
    }
}

/// How many pages `count` rows fill at `size` rows a page; an empty queue has one page.
pub fn page_count(count: i64, size: i64) -> i64 {
    if count <= 0 || size <= 0 {
        1
    } else {
        (count + size - 1) / size
    }
}

/// Whether a status counts as finished.
pub fn is_finished(s: TicketStatus) -> bool {
    matches!(s, TicketStatus::Resolved | TicketStatus::Closed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for q in Queue::ALL {
            assert_eq!(Queue::parse(q.as_str()), Some(q));
        }
        for s in Sort::ALL {
            assert_eq!(Sort::parse(s.as_str()), Some(s));
        }
        let c = Cursor { key: -5, id: 42 };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("x_1"), None);
        assert!(priority_rank(Priority::Emergency) > priority_rank(Priority::High));
    }

    #[test]
    fn pages() {
        for (count, size, pages) in [
            (0, 50, 1),
            (1, 50, 1),
            (50, 50, 1),
            (51, 50, 2),
            (600, 50, 12),
            (601, 100, 7),
        ] {
            assert_eq!(page_count(count, size), pages, "{count} / {size}");
        }
    }

    #[test]
    fn backwards_flips_the_direction_from_the_cursor() {
        let q = QueueQuery {
            queue: Queue::Open,
            sort: Sort::Updated,
            descending: true,
            department: None,
            topic: None,
            assignee: None,
            status: None,
            field_value: Some(" ".into()),
            after: Some(("9".into(), 9)),
            limit: 26,
        };
        assert!(!q.is_filtered());
        let b = q.backwards_from("5".into(), 3);
        assert!(!b.descending);
        assert_eq!(b.after, Some(("5".into(), 3)));
        assert_eq!(b.limit, 26);
    }
}
