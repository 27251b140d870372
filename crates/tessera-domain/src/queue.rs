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
}
