//! How a queued mail reads on a page — queued, retrying since…, refused, sent — shared by
//! the agent's ticket page and the administrators' outbox page.

use tessera_core::{MailDelivery, MailState};

use crate::render::Page;

/// One mail, ready to show.
pub(crate) struct MailLine {
    /// Key (for "retry now").
    pub(crate) id: i64,
    /// The ticket's number, if it is about one.
    pub(crate) ticket: Option<String>,
    /// What it is, translated.
    pub(crate) kind: String,
    /// Its recipients, comma-separated.
    pub(crate) recipients: String,
    /// `queued`, `retrying`, `failed` or `sent` (a class for the style).
    pub(crate) state: &'static str,
    /// Where it stands, in words.
    pub(crate) text: String,
    /// When it was queued.
    pub(crate) queued: String,
    /// Whether "retry now" applies (not sent yet).
    pub(crate) retryable: bool,
}

/// `m` as `p`'s reader reads it.
pub(crate) fn mail_line(p: &Page, m: &MailState) -> MailLine {
    let reason = m
        .reason
        .as_deref()
        .map(|r| tessera_i18n::t_stored(p.lang, r))
        .unwrap_or_default();
    let args = |key: &str, extra: Option<(&'static str, &str)>| {
        let mut a: Vec<(&'static str, &str)> = vec![("reason", reason.as_str())];
        a.extend(extra);
        tessera_i18n::t_count(p.lang, key, &a, ("attempts", m.attempts))
    };
    let text = match m.delivery {
        MailDelivery::Queued => match &m.waits_until {
            // A notice waiting for further changes to go in the same mail.
            Some(at) => p.t1("notice-state-waiting", "when", &p.datetime(at)),
            None => p.t("outbox-state-queued"),
        },
        MailDelivery::Retrying => {
            let since = m.failing_since.map(|t| p.datetime(&t)).unwrap_or_default();
            args("outbox-state-retrying", Some(("since", since.as_str())))
        }
        MailDelivery::Failed if m.refused => args("outbox-state-refused", None),
        MailDelivery::Failed => args("outbox-state-failed", None),
        MailDelivery::Sent => {
            let when = m.sent_at.map(|t| p.datetime(&t)).unwrap_or_default();
            p.t1("outbox-state-sent", "when", &when)
        }
    };
    MailLine {
        id: m.id,
        ticket: m.ticket.clone(),
        kind: p.t(&format!("outbox-kind-{}", m.kind)),
        recipients: m.recipients.join(", "),
        state: m.delivery.as_str(),
        text,
        queued: p.datetime(&m.queued_at),
        retryable: m.delivery != MailDelivery::Sent,
    }
}
