//! Tessera's storage: the only crate that speaks SQL, and the keeper of attachment bytes.
//!
//! Architecture invariant: one SQL text serves SQLite and PostgreSQL wherever the dialects
//! agree (both take `$1` placeholders, `RETURNING` and `ON CONFLICT`); `Handle` dispatches to
//! the right driver. No sqlx type leaves this crate: callers get domain types and `StoreError`.
#![forbid(unsafe_code)]

mod agents;
mod api_ticket;
mod apikey;
mod audit;
mod blob;
mod contacts;
mod db;
mod demo;
mod error;
mod fields;
mod inbound;
mod intake;
mod lease;
mod mail_cap;
mod mailbox;
mod members;
mod new_ticket;
mod notification;
mod onboarding;
mod outbox;
mod queue;
mod readers;
mod records;
mod rows;
mod search;
mod session;
mod setting;
mod view;
mod webhook;
mod work;
mod writer;

pub use agents::{AgentBrief, LoginRow, ProfileRow};
pub use apikey::{ApiKeyRow, NewApiKey};
pub use audit::{AuditRow, CannedRow, DepartmentRow, NewAudit, SlaRow, TopicRow};
pub use blob::{BlobStore, TempBlob};
pub use db::{Backend, Conn, Db, Handle, SqliteDb, Tx};
pub use demo::{DemoEntry, DemoTicket};
pub use error::StoreError;
pub use inbound::{
    EntryOriginalRow, InboundListRow, InboundRow, InboundVersion, InlineImageRow, MailDepartment,
    NewInbound,
};
pub use mailbox::{MailboxRow, MailboxSettings};
pub use members::DepartmentMember;
pub use new_ticket::{
    NewTicketEntry, NewTicketFile, NewTicketRow, NewTicketWrite, TopicContext, WrittenTicket,
};
pub use notification::NotificationRow;
pub use onboarding::{ContactTicketRow, InstallFacts};
pub use outbox::{MailKind, MailRow, NewOutboxMail, OutboxFilter, OutboxMail};
pub use queue::{QueueQuery, QueueRow, Visibility};
pub use readers::ReadConn;
pub use records::{EntryTextRow, NewAttachment, NewEntry};
pub use search::{SearchMatch, SearchRow};
pub use session::{AccessTokenRow, Grant, SessionRow};
pub use view::SavedViewRow;
pub use webhook::{
    AttemptRow, DeliveryRow, DueDelivery, NewDelivery, WebhookEntry, WebhookRow, WebhookSettings,
};
pub use work::{OtherTicket, OverdueRow, TicketPage, ViewState};
pub use writer::SqliteTx;

/// Result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
