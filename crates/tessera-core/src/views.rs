//! What front ends read: the store's rows as typed records (typed ids, status and priority
//! as enums, times as `Timestamp`). The store's row types stay inside core; these are the
//! only shapes a page or an API response is built from.
//!
//! Each conversion moves the row's strings and allocates nothing more: queue pages are hot.

use tessera_domain::{
    AgentId, CannedResponseId, DepartmentId, HelpTopicId, Priority, QueueItem, SlaPlanId, TeamId,
    TicketId, TicketStatus, Timestamp,
};
use tessera_store::{AuditRow, CannedRow, DepartmentRow, OtherTicket, QueueRow, SlaRow, TopicRow};

/// A status as stored; the schema allows only known ones, so another is read as open.
fn status(s: &str) -> TicketStatus {
    TicketStatus::parse(s).unwrap_or(TicketStatus::Open)
}

/// A priority as stored; the schema allows only known ones, so another is read as normal.
fn priority(s: &str) -> Priority {
    Priority::parse(s).unwrap_or(Priority::Normal)
}

/// A queue row as the domain's queue item.
pub(crate) fn queue_item(r: QueueRow) -> QueueItem {
    QueueItem {
        ticket_id: TicketId(r.ticket_id),
        priority: priority(&r.priority),
        status: status(&r.status),
        number: r.number,
        subject: r.subject,
        requester_name: r.requester_name,
        updated_at: Timestamp(r.updated_at),
        agent_name: r.agent_name,
        team_name: r.team_name,
        due_at: r.due_at.map(Timestamp),
        unseen: r.unseen,
        unconfirmed: r.unconfirmed,
        sort_key: r.sort_key,
    }
}

/// Queue rows as queue items, reusing nothing but the strings (one vector per page).
pub(crate) fn queue_items(rows: Vec<QueueRow>) -> Vec<QueueItem> {
    rows.into_iter().map(queue_item).collect()
}

/// Another ticket of the same requester, as the ticket page lists it.
#[derive(Debug, Clone)]
pub struct RelatedTicket {
    /// Key.
    pub id: TicketId,
    /// Public number.
    pub number: String,
    /// Subject.
    pub subject: String,
    /// Status.
    pub status: TicketStatus,
    /// Owning department.
    pub department: DepartmentId,
    /// Assigned agent.
    pub assignee_agent: Option<AgentId>,
    /// Assigned team.
    pub assignee_team: Option<TeamId>,
}

impl RelatedTicket {
    pub(crate) fn from_row(o: OtherTicket) -> Self {
        Self {
            id: TicketId(o.ticket_id),
            status: status(&o.status),
            number: o.number,
            subject: o.subject,
            department: DepartmentId(o.department_id),
            assignee_agent: o.assignee_agent_id.map(AgentId),
            assignee_team: o.assignee_team_id.map(TeamId),
        }
    }
}

/// One record of the audit log.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// Its position in the log (newer records have larger ones); pages start below it.
    pub id: i64,
    /// Who acted: a user name, `cli` or `anonymous`.
    pub actor: String,
    /// The acting agent's name as it is now, if an agent acted.
    pub actor_name: Option<String>,
    /// What happened.
    pub action: String,
    /// What it happened to.
    pub target: String,
    /// The value before, if it changed.
    pub before: Option<String>,
    /// The value after, if it changed.
    pub after: Option<String>,
    /// The client address, for requests.
    pub ip: Option<String>,
    /// When.
    pub at: Timestamp,
}

impl AuditEntry {
    pub(crate) fn from_row(r: AuditRow) -> Self {
        Self {
            id: r.audit_log_id,
            actor: r.actor,
            actor_name: r.actor_name,
            action: r.action,
            target: r.target,
            before: r.before_value,
            after: r.after_value,
            ip: r.ip,
            at: Timestamp(r.created_at),
        }
    }
}

/// A department as administrators see and edit it (`id` 0 creates one).
#[derive(Debug, Clone)]
pub struct DepartmentAdmin {
    /// Key.
    pub id: DepartmentId,
    /// Name.
    pub name: String,
    /// The address its mail comes from and goes to.
    pub email: String,
    /// New-ticket alerts to its members.
    pub alert_new_ticket: bool,
    /// Offered for tickets.
    pub is_active: bool,
}

impl DepartmentAdmin {
    pub(crate) fn from_row(r: DepartmentRow) -> Self {
        Self {
            id: DepartmentId(r.department_id),
            name: r.name,
            email: r.email,
            alert_new_ticket: r.alert_new_ticket,
            is_active: r.is_active,
        }
    }

    pub(crate) fn into_row(self) -> DepartmentRow {
        DepartmentRow {
            department_id: self.id.0,
            name: self.name,
            email: self.email,
            alert_new_ticket: self.alert_new_ticket,
            is_active: self.is_active,
        }
    }
}

/// A help topic as administrators see and edit it (`id` 0 creates one).
#[derive(Debug, Clone)]
pub struct TopicAdmin {
    /// Key.
    pub id: HelpTopicId,
    /// German name.
    pub name_de: String,
    /// English name.
    pub name_en: String,
    /// Owning department.
    pub department: DepartmentId,
    /// On the public portal.
    pub is_public: bool,
    /// Offered at all.
    pub is_active: bool,
    /// Position in lists.
    pub sort_order: i64,
    /// Service level of its tickets.
    pub sla_plan: Option<SlaPlanId>,
    /// Priority of its new tickets.
    pub default_priority: Priority,
    /// Agent its new tickets are assigned to.
    pub auto_agent: Option<AgentId>,
    /// Team its new tickets are assigned to.
    pub auto_team: Option<TeamId>,
}

impl TopicAdmin {
    pub(crate) fn from_row(r: TopicRow) -> Self {
        Self {
            id: HelpTopicId(r.help_topic_id),
            default_priority: priority(&r.default_priority),
            name_de: r.name_de,
            name_en: r.name_en,
            department: DepartmentId(r.department_id),
            is_public: r.is_public,
            is_active: r.is_active,
            sort_order: r.sort_order,
            sla_plan: r.sla_plan_id.map(SlaPlanId),
            auto_agent: r.auto_agent_id.map(AgentId),
            auto_team: r.auto_team_id.map(TeamId),
        }
    }

    pub(crate) fn into_row(self) -> TopicRow {
        TopicRow {
            help_topic_id: self.id.0,
            name_de: self.name_de,
            name_en: self.name_en,
            department_id: self.department.0,
            is_public: self.is_public,
            is_active: self.is_active,
            sort_order: self.sort_order,
            sla_plan_id: self.sla_plan.map(|p| p.0),
            default_priority: self.default_priority.as_str().to_owned(),
            auto_agent_id: self.auto_agent.map(|a| a.0),
            auto_team_id: self.auto_team.map(|t| t.0),
        }
    }
}

/// A service level plan as administrators see it.
#[derive(Debug, Clone)]
pub struct SlaPlan {
    /// Key.
    pub id: SlaPlanId,
    /// Name.
    pub name: String,
    /// Working time a ticket may take, in seconds.
    pub grace_seconds: i64,
    /// Business hours (`Mon-Fri 08:00-17:00`), empty for around the clock.
    pub schedule: String,
    /// Holidays, `YYYY-MM-DD` separated by commas.
    pub holidays: String,
    /// Offered for topics.
    pub is_active: bool,
    /// IANA time zone the business hours and holidays are local to.
    pub timezone: String,
}

impl SlaPlan {
    pub(crate) fn from_row(r: SlaRow) -> Self {
        Self {
            id: SlaPlanId(r.sla_plan_id),
            name: r.name,
            grace_seconds: r.grace_seconds,
            schedule: r.schedule,
            holidays: r.holidays,
            is_active: r.is_active,
            timezone: r.timezone,
        }
    }
}

/// A canned response as administrators see and edit it (`id` 0 creates one).
#[derive(Debug, Clone)]
pub struct CannedAdmin {
    /// Key.
    pub id: CannedResponseId,
    /// Its department; `None` for every department.
    pub department: Option<DepartmentId>,
    /// What agents pick it by.
    pub title: String,
    /// The text, with placeholders.
    pub body: String,
    /// Offered.
    pub is_active: bool,
}

impl CannedAdmin {
    pub(crate) fn from_row(r: CannedRow) -> Self {
        Self {
            id: CannedResponseId(r.canned_response_id),
            department: r.department_id.map(DepartmentId),
            title: r.title,
            body: r.body,
            is_active: r.is_active,
        }
    }

    pub(crate) fn into_row(self) -> CannedRow {
        CannedRow {
            canned_response_id: self.id.0,
            department_id: self.department.map(|d| d.0),
            title: self.title,
            body: self.body,
            is_active: self.is_active,
        }
    }
}

/// An active agent as the directory lists it for programs.
#[derive(Debug, Clone)]
pub struct AgentContact {
    /// Key.
    pub id: AgentId,
    /// Name shown.
    pub name: String,
    /// Address.
    pub email: String,
}

/// Where a webhook delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Waiting for its (next) attempt.
    Pending,
    /// The receiver accepted it.
    Delivered,
    /// Given up.
    Failed,
}

/// One webhook delivery, as its log shows it.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Key.
    pub id: i64,
    /// Public id (sent with it).
    pub uuid: String,
    /// Event name.
    pub event: String,
    /// Where it stands.
    pub state: DeliveryState,
    /// Attempts so far.
    pub attempts: i64,
    /// When it is (or was) next due.
    pub next_attempt_at: Timestamp,
    /// The last HTTP status, if an answer came.
    pub last_status: Option<i64>,
    /// The last error, if the attempt failed.
    pub last_error: Option<String>,
    /// When it was delivered.
    pub delivered_at: Option<Timestamp>,
    /// When it was queued.
    pub created_at: Timestamp,
}

impl Delivery {
    pub(crate) fn from_row(r: tessera_store::DeliveryRow) -> Self {
        Self {
            id: r.webhook_delivery_id,
            state: match r.status.as_str() {
                "delivered" => DeliveryState::Delivered,
                "failed" => DeliveryState::Failed,
                _ => DeliveryState::Pending,
            },
            uuid: r.uuid,
            event: r.event,
            attempts: r.attempts,
            next_attempt_at: Timestamp(r.next_attempt_at),
            last_status: r.last_status,
            last_error: r.last_error,
            delivered_at: r.delivered_at.map(Timestamp),
            created_at: Timestamp(r.created_at),
        }
    }
}

/// One attempt of a webhook delivery.
#[derive(Debug, Clone)]
pub struct DeliveryAttempt {
    /// The delivery (`Delivery::id`).
    pub delivery: i64,
    /// When.
    pub at: Timestamp,
    /// The HTTP status, if an answer came.
    pub status_code: Option<i64>,
    /// What went wrong, if anything.
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: i64,
}

impl DeliveryAttempt {
    pub(crate) fn from_row(r: tessera_store::AttemptRow) -> Self {
        Self {
            delivery: r.webhook_delivery_id,
            at: Timestamp(r.attempted_at),
            status_code: r.status_code,
            error: r.error,
            duration_ms: r.duration_ms,
        }
    }
}
