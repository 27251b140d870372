//! Tessera's storage: the only crate that speaks SQL, and the keeper of attachment bytes.
//!
//! Architecture invariant: one SQL text serves SQLite and PostgreSQL wherever the dialects
//! agree (both take `$1` placeholders, `RETURNING` and `ON CONFLICT`); `Handle` dispatches to
//! the right driver. No sqlx type leaves this crate: callers get domain types and `StoreError`.
#![forbid(unsafe_code)]

mod blob;
mod db;
mod error;
mod outbox;
mod records;
mod session;
mod setting;

pub use blob::{BlobStore, TempBlob};
pub use db::{Backend, Conn, Db, Handle, Tx};
pub use error::StoreError;
pub use outbox::{NewOutboxMail, OutboxMail};
pub use records::{NewAttachment, NewEntry, NewTicket};
pub use session::{AccessTokenRow, Grant, SessionRow};

/// Result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
