//! What people see of email in: the HTML of a mail as sent (for its own page, to be
//! sanitised by the web layer), and the administrators' view of the messages the pipeline
//! set aside — quarantined because they could not be read, or ignored on purpose — with the
//! raw bytes to download and a way to run the pipeline on them again.
//!
//! The original of an entry is shown to whoever may see the entry: agents who may see the
//! ticket, and requesters for the public entries of tickets their session was granted.

use tessera_domain::{Agent, AttachmentId, EntryKind, Problem, ThreadEntryId, Timestamp};
use tessera_mail::inbound;
use tessera_store::{Handle, InboundListRow};

use crate::{Actor, CoreError, IngestOutcome, Result, Tessera, admin::record, work::ownership};

/// Most header lines shown of a message that cannot be parsed at all.
const HEAD_LINES: usize = 6;
/// Longest header line shown, in characters.
const HEAD_LINE_MAX: usize = 200;

/// The HTML of a mail as sent, with what its `cid:` references point to.
#[derive(Debug, Clone)]
pub struct OriginalMail {
    /// The ticket's public number.
    pub number: String,
    /// The ticket's subject.
    pub subject: String,
    /// The entry the mail became.
    pub entry: ThreadEntryId,
    /// The HTML as sent, without the quoted original and the signature (`fold_html`). NOT
    /// sanitised: it must go through the allowlist sanitiser.
    pub html: String,
    /// The quoted original and the signature, cut out of the HTML to be shown folded; empty
    /// when nothing was folded. NOT sanitised either.
    pub folded: String,
    /// The entry's attachments that have a `Content-ID` (inline images).
    pub inline: Vec<InlineImage>,
}

/// An attachment that a mail's HTML shows inline (`<img src="cid:…">`).
#[derive(Debug, Clone)]
pub struct InlineImage {
    /// The attachment.
    pub attachment: AttachmentId,
    /// Its file name, for the download URL.
    pub filename: String,
    /// Its `Content-ID`, without angle brackets.
    pub content_id: String,
}

/// Which set-aside messages to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetAside {
    /// Could not be read (or routed): waiting for an administrator.
    Quarantined,
    /// Deliberately not acted on (Tessera's own mail, copies, stray bounces).
    Ignored,
}

impl SetAside {
    /// The stored status.
    pub fn as_str(self) -> &'static str {
        match self {
            SetAside::Quarantined => "quarantined",
            SetAside::Ignored => "ignored",
        }
    }

    /// Reads a status name; anything else is `None`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "quarantined" => Some(SetAside::Quarantined),
            "ignored" => Some(SetAside::Ignored),
            _ => None,
        }
    }
}

/// A set-aside message as administrators see it in the list.
#[derive(Debug, Clone)]
pub struct SetAsideMail {
    /// Key of the `inbound_message` row.
    pub id: i64,
    /// When it was received.
    pub received_at: Timestamp,
    /// `pipe`, `imap` or `api`.
    pub source: String,
    /// The IMAP mailbox it came from, if any.
    pub mailbox: Option<String>,
    /// Why it was set aside.
    pub reason: String,
    /// The sender as far as it can be read (`Name <address>` or the address).
    pub from: Option<String>,
    /// The subject as far as it can be read.
    pub subject: Option<String>,
    /// The first lines of the raw message, when it cannot be parsed at all.
    pub head: Vec<String>,
    /// Size of the raw message in bytes.
    pub size: i64,
}

/// Where a message stands after it was processed again.
#[derive(Debug, Clone)]
pub struct Retried {
    /// `done`, `quarantined`, `ignored` (or `stored` when another run holds it).
    pub status: String,
    /// The new error or reason, if it was set aside again.
    pub error: Option<String>,
    /// What the pipeline did.
    pub outcome: IngestOutcome,
}

/// Reads what can be read of a message's first bytes: sender and subject when it parses,
/// the first lines (printable characters only) when it does not or they are missing.
fn summarise(row: InboundListRow) -> SetAsideMail {
    let (from, subject, head) = match inbound::parse(&row.head) {
        Ok(m) => {
            let from = m.from.map(|f| {
                if f.name.is_empty() {
                    f.email
                } else {
                    format!("{} <{}>", f.name, f.email)
                }
            });
            let subject = (!m.subject.trim().is_empty()).then(|| m.subject.trim().to_owned());
            // Headers that say nothing useful: the lines themselves say more.
            let head = if from.is_none() && subject.is_none() {
                head_lines(&row.head)
            } else {
                Vec::new()
            };
            (from, subject, head)
        }
        Err(_) => (None, None, head_lines(&row.head)),
    };
    SetAsideMail {
        id: row.inbound_message_id,
        received_at: Timestamp(row.created_at),
        source: row.source,
        mailbox: row.mailbox,
        reason: row.error.unwrap_or_default(),
        from,
        subject,
        head,
        size: row.size,
    }
}

/// The first non-empty lines of raw bytes, lossily decoded, without control characters.
fn head_lines(raw: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(raw)
        .lines()
        .map(|l| {
            l.chars()
                .filter(|c| !c.is_control())
                .take(HEAD_LINE_MAX)
                .collect::<String>()
        })
        .filter(|l| !l.trim().is_empty())
        .take(HEAD_LINES)
        .collect()
}

impl Tessera {
    /// The HTML original of an entry of a ticket the agent may see.
    pub async fn agent_original(
        &self,
        agent: &Agent,
        number: &str,
        entry: ThreadEntryId,
    ) -> Result<OriginalMail> {
        let mut conn = self.db().conn().await?;
        let ticket = conn.h().ticket_by_number(number).await?;
        if !agent.can_see(ownership(&ticket)) {
            return Err(CoreError::NotFound);
        }
        original_of(&mut conn.h(), &ticket, entry, false).await
    }

    /// The HTML original of a public entry of a ticket the session was granted.
    pub async fn participant_original(
        &self,
        session: &crate::Session,
        number: &str,
        entry: ThreadEntryId,
    ) -> Result<OriginalMail> {
        let mut conn = self.db().conn().await?;
        let ticket = conn.h().ticket_by_number(number).await?;
        conn.h()
            .grant_for(session.id, ticket.id)
            .await?
            .ok_or(CoreError::NotFound)?;
        original_of(&mut conn.h(), &ticket, entry, true).await
    }

    /// One page of set-aside messages, newest first, older than `before` (administrators
    /// only).
    pub async fn set_aside_mail(
        &self,
        actor: Actor<'_>,
        which: SetAside,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<SetAsideMail>> {
        actor.require_admin()?;
        let rows = self
            .db()
            .conn()
            .await?
            .h()
            .inbound_page(which.as_str(), before, limit)
            .await?;
        Ok(rows.into_iter().map(summarise).collect())
    }

    /// The raw bytes of a kept message, exactly as received (administrators only).
    pub async fn inbound_raw_for_admin(&self, actor: Actor<'_>, id: i64) -> Result<Vec<u8>> {
        actor.require_admin()?;
        Ok(self.db().conn().await?.h().inbound_raw(id).await?)
    }

    /// Runs the pipeline again on a quarantined message's stored bytes (administrators only,
    /// audited). The row is put back to `stored` in the audited transaction and then
    /// processed as if it had just arrived, so it ends `done` when it now works and
    /// `quarantined` with the new error when it still does not. When processing fails
    /// outright (the disk, the database), the row is quarantined again with that error
    /// where possible: nobody delivers it again, so `stored` would hide it.
    pub async fn retry_inbound(&self, actor: Actor<'_>, id: i64) -> Result<Retried> {
        actor.require_admin()?;
        let mut tx = self.db().begin().await?;
        let (_, before) = tx.h().inbound_status(id).await?;
        if !tx.h().requeue_inbound(id).await? {
            let mut p = Problem::default();
            p.add("form", "mail-in-not-quarantined");
            return Err(CoreError::Invalid(p));
        }
        let target = format!("inbound_message {id}");
        record(
            &mut tx.h(),
            actor,
            "inbound-retry",
            &target,
            before.as_deref(),
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        let raw = self.db().conn().await?.h().inbound_raw(id).await?;
        let outcome = match self.process_inbound(id, &raw).await {
            Ok(o) => o,
            Err(e) => {
                let why = tessera_domain::Reason::new("mail-in-reason-retry-failed")
                    .arg("detail", e.to_string())
                    .encode();
                // Best effort: if the database is what failed, this fails too.
                if let Ok(mut tx) = self.db().begin().await
                    && tx
                        .h()
                        .claim_inbound(id, "quarantined", Some(&why))
                        .await
                        .is_ok()
                {
                    let _ = tx.commit().await;
                }
                return Err(e);
            }
        };
        let (status, error) = self.db().conn().await?.h().inbound_status(id).await?;
        tracing::info!(inbound_message_id = id, %status, "inbound message processed again");
        Ok(Retried {
            status,
            error,
            outcome,
        })
    }
}

/// The original of `entry` if it belongs to `ticket` (and, for `public_only`, is a message
/// or a reply not held for an agent, as the public thread shows) and has HTML.
async fn original_of(
    h: &mut Handle<'_>,
    ticket: &tessera_domain::model::Ticket,
    entry: ThreadEntryId,
    public_only: bool,
) -> Result<OriginalMail> {
    let row = h.entry_for_original(entry).await?;
    if row.ticket_id != ticket.id.0 {
        return Err(CoreError::NotFound);
    }
    let kind = EntryKind::parse(&row.kind).ok_or(CoreError::NotFound)?;
    if public_only && (!matches!(kind, EntryKind::Message | EntryKind::Reply) || row.held) {
        return Err(CoreError::NotFound);
    }
    let (html, folded) = inbound::fold_html(&row.original_html.ok_or(CoreError::NotFound)?);
    let inline = h
        .inline_images(entry)
        .await?
        .into_iter()
        .map(|r| InlineImage {
            attachment: AttachmentId(r.attachment_id),
            filename: r.filename,
            content_id: r.content_id,
        })
        .collect();
    Ok(OriginalMail {
        number: ticket.number.clone(),
        subject: ticket.subject.clone(),
        entry,
        html,
        folded,
        inline,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(head: &[u8]) -> InboundListRow {
        InboundListRow {
            inbound_message_id: 7,
            source: "pipe".into(),
            mailbox: None,
            status: "quarantined".into(),
            error: Some("the message has no sender".into()),
            created_at: 0,
            head: head.to_vec(),
            size: head.len() as i64,
        }
    }

    #[test]
    fn reads_sender_and_subject_when_it_can() {
        let m = summarise(row(
            b"From: Max <max@example.org>\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n\r\nx",
        ));
        assert_eq!(m.from.as_deref(), Some("Max <max@example.org>"));
        assert_eq!(m.subject.as_deref(), Some("Grüße"));
        assert!(m.head.is_empty());
        assert_eq!(m.reason, "the message has no sender");
    }

    #[test]
    fn shows_the_first_lines_of_what_it_cannot_parse() {
        let m = summarise(row(b"\x00\x01\x02 garbage \xff\xfe\n\n\nsecond\x07 line"));
        assert_eq!(m.from, None);
        assert_eq!(m.head, [" garbage \u{fffd}\u{fffd}", "second line"]);
    }

    #[test]
    fn knows_the_set_aside_statuses() {
        for s in [SetAside::Quarantined, SetAside::Ignored] {
            assert_eq!(SetAside::parse(s.as_str()), Some(s));
        }
        assert_eq!(SetAside::parse("done"), None);
    }
}
