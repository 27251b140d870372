//! Mail that did not go out is visible: what the ticket page and the administrators' outbox
//! page show of queued mail (queued, retrying since…, refused, sent), "retry now", the
//! counts for monitoring, and what happens when a confirmation or a reply is given up: an
//! event on the ticket and an alert to the assignee or the department's agents.

use tessera_domain::{BodyFormat, EntryKind, TicketEvent, TicketId, Timestamp};
use tessera_store::{Handle, MailKind, MailRow, NewEntry, OutboxFilter};

use crate::{Actor, AgentTicketView, CoreError, Result, Tessera, admin::record, notify};

/// The most mails the ticket page lists.
const TICKET_MAIL_MAX: i64 = 200;
/// The most mails one outbox page lists.
pub const OUTBOX_PAGE: i64 = 50;

/// Where a mail stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailDelivery {
    /// Waiting for its first attempt.
    Queued,
    /// Failed at least once and will be tried again.
    Retrying,
    /// Given up: refused for good, or still failing after the last retry.
    Failed,
    /// Accepted by the SMTP server (or written to the mail folder).
    Sent,
}

impl MailDelivery {
    /// As the filters and translation keys name it.
    pub fn as_str(self) -> &'static str {
        match self {
            MailDelivery::Queued => "queued",
            MailDelivery::Retrying => "retrying",
            MailDelivery::Failed => "failed",
            MailDelivery::Sent => "sent",
        }
    }

    /// From a filter's value.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => MailDelivery::Queued,
            "retrying" => MailDelivery::Retrying,
            "failed" => MailDelivery::Failed,
            "sent" => MailDelivery::Sent,
            _ => return None,
        })
    }
}

/// One queued or sent mail, as pages show it.
#[derive(Debug, Clone)]
pub struct MailState {
    /// Key.
    pub id: i64,
    /// The ticket's number, if it is about one.
    pub ticket: Option<String>,
    /// Recipients.
    pub recipients: Vec<String>,
    /// `confirmation`, `reply`, `alert` or `other`.
    pub kind: &'static str,
    /// Where it stands.
    pub delivery: MailDelivery,
    /// Given up at once because the server refused it for good (5xx), not after the retries.
    pub refused: bool,
    /// Attempts made.
    pub attempts: i64,
    /// Why the last attempt failed: the server's answer (`550 5.1.1 …`) or a stored reason.
    pub reason: Option<String>,
    /// When the current run of failures began.
    pub failing_since: Option<Timestamp>,
    /// When it was queued.
    pub queued_at: Timestamp,
    /// When it was sent.
    pub sent_at: Option<Timestamp>,
    /// A notice to participants waiting, never tried yet, for further changes to merge
    /// into it: when it goes.
    pub waits_until: Option<Timestamp>,
}

impl From<MailRow> for MailState {
    fn from(r: MailRow) -> Self {
        let delivery = match (r.status.as_str(), &r.last_error) {
            ("sent", _) => MailDelivery::Sent,
            ("failed", _) => MailDelivery::Failed,
            (_, Some(_)) => MailDelivery::Retrying,
            (_, None) => MailDelivery::Queued,
        };
        MailState {
            id: r.outbox_mail_id,
            ticket: r.ticket_number,
            recipients: r.recipients.lines().map(str::to_owned).collect(),
            kind: MailKind::parse(&r.kind).as_str(),
            delivery,
            refused: false,
            attempts: r.attempts,
            reason: r.last_error.filter(|_| delivery != MailDelivery::Sent),
            failing_since: r.failing_since.map(Timestamp),
            queued_at: Timestamp(r.created_at),
            sent_at: r.sent_at.map(Timestamp),
            waits_until: (delivery == MailDelivery::Queued
                && r.attempts == 0
                && r.next_attempt_at > Timestamp::now().0)
                .then_some(Timestamp(r.next_attempt_at)),
        }
    }
}

/// Which mail the outbox page lists.
#[derive(Debug, Clone, Default)]
pub struct OutboxQuery {
    /// Only mail in this state.
    pub delivery: Option<MailDelivery>,
    /// Only mail to an address containing this (any case).
    pub recipient: String,
    /// Only mail about this ticket number.
    pub ticket: String,
    /// Only mail older than this key (the cursor of the page before).
    pub before: Option<i64>,
}

/// Mail per state, for monitoring (`/metrics`, issue 25).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    /// Waiting for their first attempt or a retry.
    pub pending: i64,
    /// Given up.
    pub failed: i64,
    /// Sent.
    pub sent: i64,
}

impl Tessera {
    /// The mail a ticket caused, oldest first; the view is the proof that the agent may see
    /// the ticket.
    pub async fn ticket_mail(&self, view: &AgentTicketView) -> Result<Vec<MailState>> {
        let mut conn = self.db().conn().await?;
        let rows = conn
            .h()
            .ticket_mail(view.ticket.id, TICKET_MAIL_MAX)
            .await?;
        Ok(self.states(rows))
    }

    /// Rows as pages show them.
    fn states(&self, rows: Vec<MailRow>) -> Vec<MailState> {
        let max = self.config().mail_max_attempts;
        rows.into_iter()
            .map(MailState::from)
            .map(|mut m| {
                // Given up before the last attempt: only a permanent refusal does that.
                m.refused = m.delivery == MailDelivery::Failed && m.attempts < max;
                m
            })
            .collect()
    }

    /// A page of the outbox, newest first (administrators only).
    pub async fn outbox(&self, actor: Actor<'_>, q: &OutboxQuery) -> Result<Vec<MailState>> {
        actor.require_admin()?;
        let f = OutboxFilter {
            status: q
                .delivery
                .map(|d| d.as_str().to_owned())
                .unwrap_or_default(),
            recipient: q.recipient.trim().chars().take(200).collect(),
            ticket: q.ticket.trim().chars().take(40).collect(),
            before: q.before.unwrap_or(0).max(0),
        };
        let mut conn = self.db().conn().await?;
        let rows = conn.h().outbox_page(&f, OUTBOX_PAGE).await?;
        Ok(self.states(rows))
    }

    /// Makes a queued, retrying or failed mail due now with a fresh retry schedule and
    /// wakes the mail worker; audited. A sent or unknown mail is `NotFound`.
    pub async fn retry_mail_now(&self, actor: Actor<'_>, id: i64) -> Result<()> {
        actor.require_admin()?;
        let mut tx = self.db().begin().await?;
        if !tx.h().retry_mail(id, Timestamp::now()).await? {
            return Err(CoreError::NotFound);
        }
        let target = format!("outbox_mail {id}");
        record(&mut tx.h(), actor, "mail-retry", &target, None, None, None).await?;
        tx.commit().await?;
        self.inner.mail_wakeup.notify_one();
        Ok(())
    }

    /// Makes every failed mail due now with a fresh retry schedule and wakes the mail
    /// worker; audited; how many.
    pub async fn retry_failed_mail_now(&self, actor: Actor<'_>) -> Result<u64> {
        actor.require_admin()?;
        let mut tx = self.db().begin().await?;
        let n = tx.h().retry_failed_mail(Timestamp::now()).await?;
        if n > 0 {
            let after = n.to_string();
            record(
                &mut tx.h(),
                actor,
                "mail-retry-failed",
                "outbox_mail",
                None,
                Some(&after),
                None,
            )
            .await?;
        }
        tx.commit().await?;
        self.inner.mail_wakeup.notify_one();
        Ok(n)
    }

    /// Mail per state, for monitoring.
    pub async fn outbox_counts(&self) -> Result<OutboxCounts> {
        let mut conn = self.db().conn().await?;
        let mut c = OutboxCounts::default();
        for (status, n) in conn.h().mail_counts().await? {
            match status.as_str() {
                "pending" => c.pending += n,
                "failed" => c.failed += n,
                "sent" => c.sent += n,
                _ => {}
            }
        }
        Ok(c)
    }
}

/// Whether giving up a mail of `kind` is worth an alert: a requester's confirmation (with
/// the access link) or a reply. Never an alert itself, so an alert that cannot be delivered
/// raises no alert about it, and nothing loops.
pub(crate) fn alerts_when_given_up(kind: MailKind) -> bool {
    matches!(kind, MailKind::Confirmation | MailKind::Reply)
}

/// A confirmation or reply about `ticket` to `recipients` was given up (`reason`): an event
/// on the ticket and an alert to its assignee (or, with none, the department's agents),
/// written in the caller's transaction, the one that records the failure.
pub(crate) async fn given_up(
    app: &Tessera,
    h: &mut Handle<'_>,
    ticket: TicketId,
    recipients: &str,
    reason: &str,
    now: Timestamp,
) -> Result<()> {
    let ticket = h.ticket(ticket).await?;
    let recipient = recipients.lines().collect::<Vec<_>>().join(", ");
    let event = TicketEvent::MailUndelivered {
        recipient: recipient.clone(),
        reason: reason.chars().take(500).collect(),
    };
    let body = event.encode();
    h.insert_entry(&NewEntry {
        ticket_id: ticket.id,
        kind: EntryKind::Event,
        author_contact_id: None,
        author_agent_id: None,
        body: &body,
        body_format: BodyFormat::Markdown,
        now,
    })
    .await?;
    h.touch_ticket(ticket.id, now).await?;
    app.queue_event_webhooks(h, ticket.id, &event, now).await?;
    let mut to = notify::assignees(h, &ticket, None).await?;
    // No assignee: the department's agents; if it sends no alerts, its managers at least.
    for managers_only in [false, true] {
        if to.is_empty() {
            to = h
                .department_alert_recipients(ticket.department.id, managers_only)
                .await?;
        }
    }
    notify::agent_alert(app, h, &ticket, &to, "undelivered", &recipient, reason).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_confirmation_or_a_reply_given_up_raises_an_alert_never_an_alert() {
        assert!(alerts_when_given_up(MailKind::Confirmation));
        assert!(alerts_when_given_up(MailKind::Reply));
        // An alert that cannot be delivered raises none: alerts cannot loop.
        assert!(!alerts_when_given_up(MailKind::Alert));
        assert!(!alerts_when_given_up(MailKind::Other));
        for k in [
            MailKind::Confirmation,
            MailKind::Reply,
            MailKind::Alert,
            MailKind::Other,
        ] {
            assert_eq!(MailKind::parse(k.as_str()), k);
        }
    }

    #[test]
    fn a_row_reads_as_queued_retrying_failed_or_sent() {
        let row = |status: &str, error: Option<&str>| MailRow {
            outbox_mail_id: 1,
            ticket_id: Some(1),
            ticket_number: Some("123456".into()),
            message_id: "m@x".into(),
            recipients: "a@example.org\nb@example.org".into(),
            kind: "reply".into(),
            status: status.into(),
            attempts: 2,
            last_error: error.map(str::to_owned),
            failing_since: error.map(|_| 5),
            next_attempt_at: 0,
            sent_at: None,
            created_at: 1,
        };
        let check = |status, error, expected| {
            assert_eq!(MailState::from(row(status, error)).delivery, expected)
        };
        check("pending", None, MailDelivery::Queued);
        check("pending", Some("450 busy"), MailDelivery::Retrying);
        check("failed", Some("550 no such user"), MailDelivery::Failed);
        check("sent", None, MailDelivery::Sent);
        let m = MailState::from(row("pending", Some("450 busy")));
        assert_eq!(m.recipients, ["a@example.org", "b@example.org"]);
        assert_eq!(m.failing_since, Some(Timestamp(5)));
        assert_eq!(m.kind, "reply");
        for d in ["queued", "retrying", "failed", "sent"] {
            assert_eq!(MailDelivery::parse(d).map(|d| d.as_str()), Some(d));
        }
        assert_eq!(MailDelivery::parse("pending"), None);
    }
}
