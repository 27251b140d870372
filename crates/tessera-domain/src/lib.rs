//! Tessera's domain: the vocabulary of a helpdesk as plain Rust types.
//!
//! Architecture invariant: this crate knows nothing about SQL, HTTP, HTML, email transport or
//! async; everything in it is testable in microseconds.
#![forbid(unsafe_code)]

pub mod agent;
pub mod apikey;
pub mod data_url;
pub mod event;
pub mod field;
pub mod ids;
pub mod long_text;
pub mod model;
pub mod number;
pub mod queue;
pub mod reason;
pub mod search;
pub mod sla;
pub mod ticket;
pub mod time;
pub mod validate;
pub mod webhook;

pub use agent::{Agent, Ownership, Role};
pub use apikey::{ApiScope, IpRange, IpRanges};
pub use event::TicketEvent;
pub use field::{FieldKind, FieldValue, TopicField};
pub use ids::*;
pub use number::{NumberFormat, NumberFormatError};
pub use queue::{Cursor, Queue, QueueItem, QueueQuery, SavedView, Sort, Visibility};
pub use reason::Reason;
pub use search::{IndexText, SearchQuery};
pub use ticket::{BodyFormat, EntryKind, Lang, Priority, TicketStatus};
pub use time::{Ago, Local, Timestamp, Tz};
pub use validate::{EmailAddress, FieldError, Problem};
pub use webhook::WebhookEvent;
