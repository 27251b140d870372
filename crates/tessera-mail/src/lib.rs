//! Email out: building RFC 5322 messages and handing them to a transport; and email in:
//! decoding what arrives (`inbound`).
//!
//! Architecture invariant: no database and no ticket logic here; callers pass finished texts
//! and get bytes back, and the outbox worker passes bytes to a `Transport`.
#![forbid(unsafe_code)]

pub mod auth;
mod compose;
mod fold;
pub mod imap;
pub mod inbound;
#[cfg(test)]
mod prop_tests;
mod transport;

pub use compose::{BULLET, Mailbox, OutgoingMail, html_escape};
pub use transport::{FailureKind, SmtpSettings, SmtpTls, Transport, TransportError};
