//! The records Tessera works with, as read from storage.

use crate::{
    AgentId, AttachmentId, BodyFormat, ContactId, DepartmentId, EntryKind, HelpTopicId, Lang,
    Priority, Role, TeamId, ThreadEntryId, TicketId, TicketStatus, Timestamp,
};

/// An organisational unit that owns tickets.
#[derive(Debug, Clone)]
pub struct Department {
    /// Key.
    pub id: DepartmentId,
    /// Display name.
    pub name: String,
    /// The address that sends and receives its mail.
    pub email: String,
}

/// A choice on the portal form that routes a ticket.
#[derive(Debug, Clone)]
pub struct HelpTopic {
    /// Key.
    pub id: HelpTopicId,
    /// German name.
    pub name_de: String,
    /// English name.
    pub name_en: String,
    /// Where tickets of this topic go.
    pub department_id: DepartmentId,
    /// Offered on the public portal.
    pub is_public: bool,
    /// Offered at all.
    pub is_active: bool,
}

impl HelpTopic {
    /// The name in a language.
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::De => &self.name_de,
            Lang::En => &self.name_en,
        }
    }
}

/// A person known by email address.
#[derive(Debug, Clone)]
pub struct Contact {
    /// Key.
    pub id: ContactId,
    /// Address as given.
    pub email: String,
    /// Full name.
    pub name: String,
    /// Language for mail to this person.
    pub lang: Lang,
}

/// A ticket with the names of what it refers to, ready to show.
#[derive(Debug, Clone)]
pub struct Ticket {
    /// Key.
    pub id: TicketId,
    /// Public number.
    pub number: String,
    /// One-line summary.
    pub subject: String,
    /// Life-cycle state.
    pub status: TicketStatus,
    /// Urgency.
    pub priority: Priority,
    /// The topic picked when opening, if any.
    pub help_topic: Option<HelpTopic>,
    /// Owning department.
    pub department: Department,
    /// Who opened it.
    pub requester: Contact,
    /// Assigned agent.
    pub assignee_agent: Option<(AgentId, String)>,
    /// Assigned team.
    pub assignee_team: Option<(TeamId, String)>,
    /// Whether an agent has replied since the last message.
    pub is_answered: bool,
    /// When it falls due, if it has a due date.
    pub due_at: Option<Timestamp>,
    /// Opened at.
    pub created_at: Timestamp,
    /// Last change of any kind.
    pub updated_at: Timestamp,
}

/// One entry of a thread with its author's name resolved.
#[derive(Debug, Clone)]
pub struct ThreadEntry {
    /// Key.
    pub id: ThreadEntryId,
    /// Message, reply, note or event.
    pub kind: EntryKind,
    /// Display name of the author.
    pub author_name: String,
    /// Whether an agent wrote it.
    pub by_agent: bool,
    /// The agent who wrote it.
    pub author_agent: Option<AgentId>,
    /// Content.
    pub body: String,
    /// How to read the content.
    pub body_format: BodyFormat,
    /// Written at.
    pub created_at: Timestamp,
    /// Whether it came in by email (an inbound message names it).
    pub by_email: bool,
    /// What the thread folds away of a mail: the quoted original and the signature.
    pub quoted: Option<String>,
    /// Whether the HTML of the mail as sent is kept (shown sanitised on its own page).
    pub has_original_html: bool,
    /// Why its mail may be forged (a stored reason), when it failed DKIM/SPF/DMARC.
    pub auth_warning: Option<String>,
    /// Held for an agent: requesters do not see it until an agent accepts it.
    pub held: bool,
    /// Why it was taken for automatic mail (a stored reason: an auto-reply, or past the
    /// hourly cap), if it was; agents see it as a label.
    pub automatic: Option<String>,
    /// Only the beginning of `body` (or of `quoted`) was read: the text is longer than a
    /// page shows, and the whole is served on its own.
    pub shortened: bool,
}

/// A stored file's metadata.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// Key.
    pub id: AttachmentId,
    /// The ticket it belongs to.
    pub ticket_id: TicketId,
    /// The entry it was attached to.
    pub thread_entry_id: ThreadEntryId,
    /// Where the bytes are.
    pub blob_key: String,
    /// Name as uploaded, cleaned.
    pub filename: String,
    /// MIME type, as guessed from the name.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
}

/// A ticket a requester's session may see, and as which participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    /// The ticket.
    pub ticket_id: TicketId,
    /// The participant the session acts as.
    pub contact_id: ContactId,
}

/// A member of a department, as its administration page lists it.
#[derive(Debug, Clone)]
pub struct DepartmentMember {
    /// The agent.
    pub agent_id: AgentId,
    /// Sign-in name.
    pub username: String,
    /// Name shown.
    pub display_name: String,
    /// Whether the account may sign in.
    pub is_active: bool,
    /// Role in the department.
    pub role: Role,
}
