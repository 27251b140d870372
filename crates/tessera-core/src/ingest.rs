//! Email in: one raw RFC 5322 message becomes the right database writes.
//!
//! Every way in (the MTA pipe, IMAP polling, the API's raw-message endpoint) hands the bytes
//! to `Tessera::ingest_mail`, which
//! 1. keeps them in `inbound_message` and commits that on its own, before anything else
//!    (deduplicated by SHA-256 and by mailbox + UIDVALIDITY + UID);
//! 2. parses them; a message that cannot be read is quarantined, not refused;
//! 3. in one transaction that also moves the row out of `stored`: finds the ticket (a
//!    signed Message-ID among the references, else the `[#number]` subject tag — both only
//!    for the ticket's participants or an agent who may work it), or opens a new one in the
//!    department that was written to, and writes the entry, its attachments, the contact,
//!    the alerts and (when allowed) the confirmation.
//!
//! A crash between 1 and 3 leaves the row `stored`; the same message arriving again, or
//! `ingest_stored`, finishes it. Moving the row out of `stored` is conditional, so whatever
//! runs twice acts once.

use std::sync::Arc;

use sha2::{Digest, Sha256};
use tessera_domain::{
    Agent, BodyFormat, ContactId, EmailAddress, EntryKind, Lang, Reason, ThreadEntryId,
    TicketEvent, TicketId, Timestamp, WebhookEvent, model::Ticket,
};
use tessera_i18n::t_args;
use tessera_mail::inbound::{self, Inbound, InboundPart, Noise};
use tessera_store::{
    Handle, InboundRow, NewAttachment, NewEntry, NewInbound, NewTicketFile, StoreError,
};

use crate::{
    ChangeKind, CoreError, MAX_BODY, MAX_NAME, MAX_SUBJECT, MailAuthPolicy, Result, Tessera,
    clean_filename, content_type_for,
    new_ticket::{CheckedTicket, Place, WriteOptions},
    notify,
    robots::{Destination, Guarded},
    upload::MAX_FILES,
    work::ownership,
};

/// Most automatic replies (confirmations) one address gets per day; more would feed a loop
/// with a robot that the noise headers did not give away.
pub const AUTO_REPLY_CAP: i64 = 10;

/// Where a raw message came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailSource {
    /// Piped in by the MTA (`tessera mail ingest`).
    Pipe,
    /// Fetched from an IMAP mailbox.
    Imap {
        /// The mailbox (account and folder), as configured.
        mailbox: String,
        /// The folder's UIDVALIDITY.
        uid_validity: i64,
        /// The message's UID.
        uid: i64,
    },
    /// Posted to the API's raw-message endpoint.
    Api,
}

impl MailSource {
    fn as_str(&self) -> &'static str {
        match self {
            MailSource::Pipe => "pipe",
            MailSource::Imap { .. } => "imap",
            MailSource::Api => "api",
        }
    }
}

/// What became of an incoming message. Every outcome means the message is safe in the
/// database; only an `Err` means it must be delivered again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestOutcome {
    /// Known already; nothing was done again.
    Duplicate {
        /// The kept message.
        inbound_message_id: i64,
    },
    /// Kept raw for an administrator to look at: it could not be read.
    Quarantined {
        /// The kept message.
        inbound_message_id: i64,
        /// Why.
        error: String,
    },
    /// Kept, and deliberately not acted on (mail from Tessera itself, a bounce for no
    /// known ticket).
    Ignored {
        /// The kept message.
        inbound_message_id: i64,
        /// Why.
        reason: String,
    },
    /// A new ticket.
    Opened {
        /// The kept message.
        inbound_message_id: i64,
        /// The ticket.
        ticket_id: TicketId,
        /// Its number.
        number: String,
        /// Whether the sender was sent a confirmation.
        confirmed: bool,
    },
    /// A new entry on an existing ticket.
    Added {
        /// The kept message.
        inbound_message_id: i64,
        /// The ticket.
        ticket_id: TicketId,
        /// Its number.
        number: String,
        /// Message (participant), reply (agent) or note (an agent's robot).
        kind: EntryKind,
    },
    /// From a participant's address, but failing DKIM, SPF and DMARC: on the ticket for
    /// agents only, with a warning, until an agent accepts it (`MailAuthPolicy::Hold`).
    Held {
        /// The kept message.
        inbound_message_id: i64,
        /// The ticket.
        ticket_id: TicketId,
        /// Its number.
        number: String,
    },
    /// A bounce, recorded on its ticket.
    Bounced {
        /// The kept message.
        inbound_message_id: i64,
        /// The ticket.
        ticket_id: TicketId,
    },
}

/// An attachment whose bytes are stored.
struct MailFile {
    key: String,
    filename: String,
    content_type: String,
    size: i64,
    content_id: Option<String>,
}

/// How long kept mail waits after the storage failed: doubling from a second up to five
/// minutes, so that a full disk costs a log line now and then, not a busy loop.
#[derive(Debug, Default)]
pub(crate) struct RetryPause {
    failures: u32,
    until: Option<std::time::Instant>,
}

impl RetryPause {
    /// Longest pause.
    const MAX: std::time::Duration = std::time::Duration::from_secs(300);

    /// Whether it is time to try again.
    fn due(&self) -> bool {
        self.until.is_none_or(|u| std::time::Instant::now() >= u)
    }

    /// Records a failure; returns the pause until the next try.
    fn failed(&mut self) -> std::time::Duration {
        self.failures = self.failures.saturating_add(1);
        let wait = std::time::Duration::from_secs(1u64 << self.failures.min(9)).min(Self::MAX);
        self.until = Some(std::time::Instant::now() + wait);
        wait
    }

    /// Records a success.
    fn reset(&mut self) {
        *self = Self::default();
    }
}

/// Who wrote to a ticket that was found.
enum Author {
    Participant(ContactId),
    Agent(Box<Agent>),
}

/// The day of an instant, as days since the epoch (UTC).
fn day_of(t: Timestamp) -> i64 {
    t.0.div_euclid(86_400 * 1_000_000)
}

/// At most `max` characters of `s`.
fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// Message-IDs of ours quoted anywhere in the raw bytes: a bounce carries the original's
/// headers in its body (`message/rfc822` or `text/rfc822-headers`), not in `References`.
fn embedded_refs(raw: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(raw);
    let mut out = Vec::new();
    let mut rest = text.as_ref();
    while let Some(i) = rest.find("tessera.") {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '-' | '_')))
            .unwrap_or(tail.len());
        out.push(tail[..end].to_owned());
        rest = &tail[end.max(1)..];
        if out.len() > 50 {
            break;
        }
    }
    out
}

/// The first value of a header of the raw message (unfolded), if it has one.
fn header_value(raw: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let mut value: Option<String> = None;
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(v) = value.as_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if value.is_some() {
            break;
        }
        if let Some((n, v)) = line.split_once(':')
            && n.trim().eq_ignore_ascii_case(name)
        {
            value = Some(v.trim().to_owned());
        }
    }
    value
}

/// What a message says, hashed: its `Message-ID` (if any), sender, `Date`, subject, text,
/// HTML and attachments — not the trace headers a second delivery changes. The same mail
/// delivered twice has the same key, with or without a `Message-ID`; a re-sent version
/// with another text has not, nor has another mail that happens to say the same.
fn content_key(raw: &[u8], msg: &Inbound, sender: &str) -> String {
    let mut h = Sha256::new();
    let date = header_value(raw, "date").unwrap_or_default();
    let html = msg.html.as_deref().unwrap_or("");
    for field in [
        msg.message_id.as_deref().unwrap_or(""),
        sender,
        date.as_str(),
        msg.subject.trim(),
        msg.text.trim(),
        html.trim(),
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    for p in &msg.parts {
        h.update(Sha256::digest(&p.bytes));
    }
    hex::encode(h.finalize())
}

/// The address a delivery status notification says failed (`Final-Recipient: rfc822; x`).
fn final_recipient(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw)
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("final-recipient")
                .then(|| value.rsplit(';').next().unwrap_or("").trim().to_lowercase())
        })
        .unwrap_or_default()
}

/// A file name for a part that came without one (inline images often do).
fn part_filename(p: &InboundPart) -> String {
    if !p.filename.trim().is_empty() {
        return clean_filename(&p.filename);
    }
    let ext = match p.content_type.as_str() {
        "image/png" => "png",
        "image/jpeg" | "image/jpg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        "message/rfc822" => "eml",
        _ => "bin",
    };
    let stem = if p.content_type.starts_with("image/") {
        "image"
    } else {
        "attachment"
    };
    format!("{stem}.{ext}")
}

impl Tessera {
    /// Takes in one raw message (see the module documentation). An `Err` means the message
    /// is not safe yet (the database or the disk failed) and must be delivered again.
    pub async fn ingest_mail(&self, raw: &[u8], source: MailSource) -> Result<IngestOutcome> {
        let sha256 = hex::encode(Sha256::digest(raw));
        let (mailbox, uid_validity, uid) = match &source {
            MailSource::Imap {
                mailbox,
                uid_validity,
                uid,
            } => (Some(mailbox.as_str()), Some(*uid_validity), Some(*uid)),
            _ => (None, None, None),
        };
        let new = NewInbound {
            source: source.as_str(),
            mailbox,
            uid_validity,
            uid,
            sha256: &sha256,
            raw,
        };
        // In a transaction of its own: the row is committed before anything else happens. A
        // read first, so that a duplicate costs no write and no commit.
        let mut conn = self.db().conn().await?;
        let found = conn.h().inbound_duplicate(&new).await?;
        drop(conn);
        let kept = match found {
            Some(row) => row,
            None => {
                let mut tx = self.db().begin().await?;
                match tx.h().insert_inbound(&new).await? {
                    Some(id) => {
                        // A failed commit is an error, never a duplicate: the sender's
                        // server may delete the message once it is taken.
                        tx.commit().await?;
                        InboundRow {
                            inbound_message_id: id,
                            status: "stored".into(),
                        }
                    }
                    // Another arrival of the same message won the race (and is committed).
                    None => tx
                        .h()
                        .inbound_duplicate(&new)
                        .await?
                        .ok_or_else(|| StoreError::Conflict("inbound_message".into()))?,
                }
            }
        };
        let id = kept.inbound_message_id;
        // Anything but `stored` was acted on already; `stored` was kept but never finished
        // (a crash, a database outage): finish it now.
        if kept.status != "stored" {
            return Ok(IngestOutcome::Duplicate {
                inbound_message_id: id,
            });
        }
        let outcome = self.process_inbound(id, raw).await?;
        tracing::info!(inbound_message_id = id, ?outcome, "mail ingested");
        Ok(outcome)
    }

    /// Finishes messages that were kept but never acted on (for the worker's loop); returns
    /// what became of each. Only rows kept at least `min_age_secs` ago are taken, so that a message another task
    /// is routing right now is left to it. While the storage cannot take them (a full disk),
    /// it pauses, longer after each failure (`RetryPause`), and says so once per try.
    pub async fn ingest_stored(&self, limit: i64, min_age_secs: i64) -> Result<Vec<IngestOutcome>> {
        if !self.inner.stored_retry.lock().expect("not poisoned").due() {
            return Ok(Vec::new());
        }
        let result = self.ingest_stored_now(limit, min_age_secs).await;
        let mut pause = self.inner.stored_retry.lock().expect("not poisoned");
        match result {
            Err(e) if e.kind() == crate::ErrorKind::Unavailable => {
                let wait = pause.failed();
                tracing::warn!(error = %e, retry_in_secs = wait.as_secs(), "cannot store: kept mail waits for the storage");
                Ok(Vec::new())
            }
            other => {
                pause.reset();
                other
            }
        }
    }

    async fn ingest_stored_now(&self, limit: i64, min_age_secs: i64) -> Result<Vec<IngestOutcome>> {
        let before = Timestamp::now().plus_millis(-min_age_secs * 1000);
        let ids = self
            .db()
            .conn()
            .await?
            .h()
            .stored_inbound(limit, before)
            .await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let raw = self.db().conn().await?.h().inbound_raw(id).await?;
            out.push(self.process_inbound(id, &raw).await?);
        }
        Ok(out)
    }

    /// Marks a kept message as not to be acted on (quarantined or ignored).
    async fn set_aside(&self, id: i64, status: &str, why: &str) -> Result<bool> {
        let mut tx = self.db().begin().await?;
        let claimed = tx.h().claim_inbound(id, status, Some(why)).await?;
        tx.commit().await?;
        Ok(claimed)
    }

    /// Acts on a kept message that is `stored` (see the module documentation); also the
    /// entry point of `retry_inbound`, which puts a quarantined message back to `stored`.
    pub(crate) async fn process_inbound(&self, id: i64, raw: &[u8]) -> Result<IngestOutcome> {
        let duplicate = IngestOutcome::Duplicate {
            inbound_message_id: id,
        };
        let quarantine = async |error: String| -> Result<IngestOutcome> {
            if !self.set_aside(id, "quarantined", &error).await? {
                return Ok(duplicate.clone());
            }
            tracing::warn!(inbound_message_id = id, %error, "mail quarantined");
            Ok(IngestOutcome::Quarantined {
                inbound_message_id: id,
                error,
            })
        };
        let msg = match inbound::parse(raw) {
            Ok(m) => m,
            Err(e) => {
                return quarantine(
                    Reason::new("mail-in-reason-unreadable")
                        .arg("detail", e.to_string())
                        .encode(),
                )
                .await;
            }
        };
        // A bounce needs no usable sender: it belongs to the ticket its original names.
        if msg.noise == Some(Noise::Bounce) {
            return self.ingest_bounce(id, raw, &msg).await;
        }
        let Some(from) = msg.from.clone() else {
            return quarantine(Reason::new("mail-in-reason-no-sender").encode()).await;
        };
        let Some(email) = EmailAddress::parse(&from.email) else {
            return quarantine(
                Reason::new("mail-in-reason-bad-sender")
                    .arg("sender", &from.email)
                    .encode(),
            )
            .await;
        };
        let ignore = async |reason: String| -> Result<IngestOutcome> {
            if !self.set_aside(id, "ignored", &reason).await? {
                return Ok(duplicate.clone());
            }
            Ok(IngestOutcome::Ignored {
                inbound_message_id: id,
                reason,
            })
        };
        // Mail from Tessera's own addresses is a loop in the making.
        let departments = self.db().conn().await?.h().mail_departments().await?;
        let own = email.key() == self.settings().mail_from.email.to_lowercase()
            || departments.iter().any(|d| d.email == email.key())
            || msg
                .message_id
                .as_deref()
                .is_some_and(|m| self.verify_message_ref(m).is_some());
        if own {
            return ignore(
                Reason::new("mail-in-reason-own-address")
                    .arg("address", email.as_str())
                    .encode(),
            )
            .await;
        }

        // Mail authenticity (issue 21): checked before the transaction, so that DNS never
        // holds the writer, and only for mail that could land in an existing ticket (it
        // names one by reference or subject tag); a new ticket reaches nobody else's thread.
        let policy = self.settings().mail_auth;
        let suspect = if policy != MailAuthPolicy::Off
            && (!msg.references.is_empty() || inbound::subject_tag(&msg.subject).is_some())
        {
            let v = self.authenticate(raw).await;
            tracing::info!(inbound_message_id = id, domain = %v.domain, checks = %v.summary, "mail authenticity");
            (!v.is_pass()).then_some(v)
        } else {
            None
        };

        // Bytes go to disk before the transaction, as portal uploads do: a crash in between
        // leaves an orphan file, never an entry without its bytes.
        let lang = self.settings().default_lang;
        let (files, notes) = self.keep_parts(&msg.parts, lang).await?;
        let (visible, folded) = inbound::fold_mail(&msg);
        let mut body = clip(&visible, MAX_BODY);
        let mut quoted = folded;
        if visible.chars().count() > MAX_BODY {
            // Nothing is dropped: what does not fit stays with the folded text.
            quoted = format!(
                "{}\n{quoted}",
                visible.chars().skip(MAX_BODY).collect::<String>()
            );
        }
        if !notes.is_empty() {
            if !body.is_empty() {
                body.push_str("\n\n");
            }
            body.push_str(&notes.join("\n"));
        }
        let quoted = (!quoted.trim().is_empty()).then_some(quoted);

        let now = Timestamp::now();
        let content = content_key(raw, &msg, &email.key());
        let mut tx = self.db().begin().await?;
        let first_version = match msg.message_id.as_deref() {
            Some(mid) => tx.h().inbound_first_version(mid, id).await?,
            None => None,
        };
        let copy_of = match &first_version {
            // Kept before texts were recorded: the Message-ID alone decides, as it did then.
            Some(v) if v.content_sha256.is_none() => Some(v.inbound_message_id),
            // The same Message-ID and text, or no Message-ID and the same sender, Date,
            // subject and body.
            _ => tx.h().inbound_same_content(&content, id).await?,
        };
        if let Some(first) = copy_of {
            // One mail to two of Tessera's addresses is piped twice with different trace
            // headers, or a server delivers it twice: the second copy is kept and set aside.
            let why = Reason::new("mail-in-reason-copy")
                .arg("id", first.to_string())
                .encode();
            tx.h().claim_inbound(id, "ignored", Some(&why)).await?;
            tx.commit().await?;
            return Ok(IngestOutcome::Duplicate {
                inbound_message_id: first,
            });
        }
        if !tx.h().claim_inbound(id, "done", None).await? {
            return Ok(duplicate);
        }
        if let Some(mid) = msg.message_id.as_deref() {
            tx.h().set_inbound_message_id(id, mid).await?;
        }
        tx.h().set_inbound_content(id, &content).await?;
        // The same Message-ID with another text: the sender's re-sent version, added to the
        // ticket the first became part of (for its participants only, and only when the
        // mail passed its checks), after an entry that says so.
        let mut resent = None;
        if let Some(v) = &first_version
            && let (Some(mid), Some(t), None) = (msg.message_id.as_deref(), v.ticket_id, &suspect)
            && let Some(ticket) = found(tx.h().ticket(TicketId(t)).await)?
            && let Some(c) = tx.h().participant_by_email(ticket.id, &email.key()).await?
        {
            let event = TicketEvent::MailResent {
                message_id: mid.to_owned(),
            };
            tx.h()
                .insert_entry(&NewEntry {
                    ticket_id: ticket.id,
                    kind: EntryKind::Event,
                    author_contact_id: None,
                    author_agent_id: None,
                    body: &event.encode(),
                    body_format: BodyFormat::Markdown,
                    now,
                })
                .await?;
            self.queue_event_webhooks(&mut tx.h(), ticket.id, &event, now)
                .await?;
            resent = Some((ticket, Author::Participant(c)));
        }
        let mut mail = Prepared {
            id,
            msg: &msg,
            email: &email,
            body: &body,
            quoted: quoted.as_deref(),
            files,
            now,
            guarded: Guarded::default(),
        };
        let found = match resent {
            Some(r) => Some(r),
            None => self.find_ticket(&mut tx.h(), &msg, &email).await?,
        };
        // A read receipt for no ticket of ours tells nobody anything.
        if found.is_none() && msg.noise == Some(Noise::Receipt) {
            drop(tx);
            return ignore(Reason::new("robots-reason-stray-receipt").encode()).await;
        }
        // Robots and the hard cap (`robots.rs`), counted in this transaction.
        let to = match &found {
            None => Destination::New,
            Some((t, Author::Agent(_))) => Destination::AgentOn(t),
            Some((t, Author::Participant(_))) => Destination::Ticket(t),
        };
        mail.guarded = self
            .guard_mail_in(&mut tx.h(), msg.noise, &email, to, now)
            .await?;
        let outcome = match (found, &suspect) {
            // A participant's address that the sender could not prove: never appended
            // silently (agents' addresses need a Message-ID only agents received already).
            (Some((ticket, Author::Participant(c))), Some(v)) => {
                let warning = |key: &'static str| {
                    Reason::new(key)
                        .arg("address", email.as_str())
                        .arg("checks", &v.summary)
                        .arg("number", &ticket.number)
                        .encode()
                };
                if policy == MailAuthPolicy::Separate {
                    let w = warning("mailauth-warning-separate");
                    self.open_from_mail(&mut tx.h(), &departments, mail, &from.name, Some(&w))
                        .await?
                } else {
                    let w = warning("mailauth-warning-held");
                    self.hold_on_ticket(&mut tx.h(), ticket, c, mail, &w)
                        .await?
                }
            }
            (Some((ticket, author)), _) => {
                self.add_to_ticket(&mut tx.h(), ticket, author, mail)
                    .await?
            }
            (None, _) => {
                self.open_from_mail(&mut tx.h(), &departments, mail, &from.name, None)
                    .await?
            }
        };
        // A new ticket's index rows came with it.
        if let IngestOutcome::Added { ticket_id, .. } | IngestOutcome::Held { ticket_id, .. } =
            &outcome
        {
            tx.h().reindex_ticket(*ticket_id).await?;
        }
        tx.commit().await?;
        self.changed();
        match &outcome {
            IngestOutcome::Opened { ticket_id, .. } => self.announce(*ticket_id, ChangeKind::New),
            IngestOutcome::Added { ticket_id, .. } | IngestOutcome::Held { ticket_id, .. } => {
                self.announce(*ticket_id, ChangeKind::Entry)
            }
            _ => {}
        }
        Ok(outcome)
    }

    /// Writes the parts that fit the attachment rules to disk; the others become notes
    /// (in the installation's language) for the entry.
    async fn keep_parts(
        &self,
        parts: &[InboundPart],
        lang: Lang,
    ) -> Result<(Vec<MailFile>, Vec<String>)> {
        let settings = self.settings();
        let mb = format!("{:.1}", settings.attachment_max_total as f64 / 1_048_576.0);
        let count = MAX_FILES.to_string();
        let mut used = 0u64;
        let mut files = Vec::new();
        let mut notes = Vec::new();
        for p in parts {
            let filename = part_filename(p);
            let size = p.bytes.len() as u64;
            let refused = if files.len() >= MAX_FILES {
                Some("ingest-dropped-too-many")
            } else if !settings.extension_allowed(&filename) {
                Some("ingest-dropped-type")
            } else if used + size > settings.attachment_max_total {
                Some("ingest-dropped-too-large")
            } else {
                None
            };
            if let Some(key) = refused {
                let args = [
                    ("name", filename.as_str()),
                    ("mb", mb.as_str()),
                    ("count", count.as_str()),
                ];
                notes.push(t_args(lang, key, &args));
                continue;
            }
            used += size;
            let mut blob = self.blobs().create_temp().await?;
            blob.write(&p.bytes).await?;
            let key = self.blobs().commit(blob).await?;
            files.push(MailFile {
                key,
                content_type: content_type_for(&filename).to_owned(),
                filename,
                size: size as i64,
                content_id: p.content_id.clone(),
            });
        }
        Ok((files, notes))
    }

    /// The ticket a message answers and who wrote it, if the writer may write there.
    async fn find_ticket(
        &self,
        h: &mut Handle<'_>,
        msg: &Inbound,
        email: &EmailAddress,
    ) -> Result<Option<(Ticket, Author)>> {
        let mut ticket = None;
        if let Some(t) = msg
            .references
            .iter()
            .find_map(|r| self.verify_message_ref(r))
        {
            ticket = found(h.ticket(t).await)?;
        }
        if ticket.is_none()
            && let Some(tag) = inbound::subject_tag(&msg.subject)
        {
            // Numbers given out before the format last changed keep their old shape.
            let number = self
                .settings()
                .number_format
                .canonical(tag)
                .unwrap_or_else(|| tag.to_owned());
            ticket = found(h.ticket_by_number(&number).await)?;
        }
        let Some(ticket) = ticket else {
            return Ok(None);
        };
        // Neither a reference nor a tag lets a stranger into a ticket: both can be copied.
        if let Some(c) = h.participant_by_email(ticket.id, &email.key()).await? {
            return Ok(Some((ticket, Author::Participant(c))));
        }
        // Anyone can write an agent's address into From. An agent's reply counts only when
        // it answers mail Tessera sent to that agent: those Message-IDs reach nobody else
        // (a requester knows the IDs of the mail they received, never an agent's).
        if let Some(a) = h.agent_by_email(email.as_str()).await?
            && let Some(agent) = h.agent(a).await?
            && agent.can_work(ownership(&ticket))
            && h.mailed_to(&msg.references, &agent.email).await?
        {
            return Ok(Some((ticket, Author::Agent(Box::new(agent)))));
        }
        Ok(None)
    }

    /// Records the entry and its attachments.
    async fn mail_entry(
        &self,
        h: &mut Handle<'_>,
        ticket: TicketId,
        kind: EntryKind,
        author: (Option<ContactId>, Option<tessera_domain::AgentId>),
        m: &mut Prepared<'_>,
    ) -> Result<(ThreadEntryId, Vec<String>)> {
        let entry = h
            .insert_entry(&NewEntry {
                ticket_id: ticket,
                kind,
                author_contact_id: author.0,
                author_agent_id: author.1,
                body: m.body,
                // Written in a mail client, not in Tessera's forms: shown as written.
                body_format: BodyFormat::Text,
                now: m.now,
            })
            .await?;
        h.set_entry_original(entry, m.quoted, m.msg.html.as_deref())
            .await?;
        let mut names = Vec::new();
        for f in std::mem::take(&mut m.files) {
            let a = h
                .insert_attachment(&NewAttachment {
                    ticket_id: ticket,
                    thread_entry_id: entry,
                    blob_key: &f.key,
                    filename: &f.filename,
                    content_type: &f.content_type,
                    size: f.size,
                })
                .await?;
            if let Some(cid) = &f.content_id {
                h.set_attachment_content_id(a, cid).await?;
            }
            names.push(f.filename);
        }
        h.link_inbound(m.id, ticket, Some(entry)).await?;
        Ok((entry, names))
    }

    /// A message or reply on a ticket that was found.
    async fn add_to_ticket(
        &self,
        h: &mut Handle<'_>,
        ticket: Ticket,
        author: Author,
        mut m: Prepared<'_>,
    ) -> Result<IngestOutcome> {
        let now = m.now;
        let kind = match author {
            // Automatic mail (`robots.rs`) is kept as it came, but changes no status (a
            // closed ticket stays closed) and alerts nobody.
            Author::Participant(c) if let Some(why) = m.guarded.automatic.clone() => {
                let (entry, _) = self
                    .mail_entry(h, ticket.id, EntryKind::Message, (Some(c), None), &mut m)
                    .await?;
                h.set_entry_automatic(entry, &why).await?;
                self.queue_webhooks(h, WebhookEvent::Message, ticket.id, Some(entry), None, now)
                    .await?;
                h.touch_ticket(ticket.id, now).await?;
                EntryKind::Message
            }
            Author::Participant(c) => {
                let (entry, _) = self
                    .mail_entry(h, ticket.id, EntryKind::Message, (Some(c), None), &mut m)
                    .await?;
                self.queue_webhooks(h, WebhookEvent::Message, ticket.id, Some(entry), None, now)
                    .await?;
                h.touch_ticket_message(ticket.id, now).await?;
                let ticket = h.ticket(ticket.id).await?;
                let name = h.contact(c).await?.name;
                let to = notify::assignees(h, &ticket, None).await?;
                notify::agent_alert(self, h, &ticket, &to, "message", &name, m.body).await?;
                self.notify_message(h, &ticket, &to, &name, now).await?;
                EntryKind::Message
            }
            // An agent's out-of-office answer to an alert must not reach the requester as
            // their reply: robots (and whatever is past the cap) write notes, which neither
            // claim the ticket nor mark it answered.
            Author::Agent(agent) if let Some(why) = m.guarded.automatic.clone() => {
                let (entry, _) = self
                    .mail_entry(
                        h,
                        ticket.id,
                        EntryKind::Note,
                        (None, Some(agent.id)),
                        &mut m,
                    )
                    .await?;
                h.set_entry_automatic(entry, &why).await?;
                self.queue_webhooks(h, WebhookEvent::Note, ticket.id, Some(entry), None, now)
                    .await?;
                h.touch_ticket(ticket.id, now).await?;
                EntryKind::Note
            }
            Author::Agent(agent) => {
                let (entry, names) = self
                    .mail_entry(
                        h,
                        ticket.id,
                        EntryKind::Reply,
                        (None, Some(agent.id)),
                        &mut m,
                    )
                    .await?;
                self.queue_webhooks(h, WebhookEvent::Reply, ticket.id, Some(entry), None, now)
                    .await?;
                h.mark_answered(ticket.id, now).await?;
                if ticket.assignee_agent.is_none() && ticket.assignee_team.is_none() {
                    h.set_assignee(ticket.id, Some(agent.id), None, now).await?;
                    h.insert_entry(&NewEntry {
                        ticket_id: ticket.id,
                        kind: EntryKind::Event,
                        author_contact_id: None,
                        author_agent_id: Some(agent.id),
                        body: &TicketEvent::Claimed.encode(),
                        body_format: BodyFormat::Markdown,
                        now,
                    })
                    .await?;
                    self.queue_event_webhooks(h, ticket.id, &TicketEvent::Claimed, now)
                        .await?;
                }
                notify::reply_to_participants(
                    self,
                    h,
                    &ticket,
                    &agent,
                    m.body,
                    &names,
                    notify::Changes::default(),
                )
                .await?;
                h.mark_seen(agent.id, ticket.id, now).await?;
                EntryKind::Reply
            }
        };
        Ok(IngestOutcome::Added {
            inbound_message_id: m.id,
            ticket_id: ticket.id,
            number: ticket.number,
            kind,
        })
    }

    /// The result of checking a message's DKIM, SPF and DMARC. A resolver that cannot be
    /// set up is "could not be checked", as a DNS failure is.
    async fn authenticate(&self, raw: &[u8]) -> tessera_mail::auth::Verdict {
        let auth =
            self.inner.mail_auth.get_or_init(|| {
                match tessera_mail::auth::Authenticator::new(self.config().mail_auth_nameserver) {
                    Ok(a) => Some(Arc::new(a)),
                    Err(e) => {
                        tracing::error!(error = %e, "mail authentication has no resolver");
                        None
                    }
                }
            });
        match auth {
            Some(a) => a.check(raw).await,
            None => tessera_mail::auth::Verdict {
                domain: String::new(),
                outcome: tessera_mail::auth::Outcome::TempError,
                summary: "dns=unavailable".into(),
            },
        }
    }

    /// A participant's message that failed authentication: on the ticket for agents only,
    /// with the warning, until one accepts it. Agents are alerted; no webhook, no change of
    /// status, nothing to the requester.
    async fn hold_on_ticket(
        &self,
        h: &mut Handle<'_>,
        ticket: Ticket,
        c: ContactId,
        mut m: Prepared<'_>,
        warning: &str,
    ) -> Result<IngestOutcome> {
        let now = m.now;
        let (entry, _) = self
            .mail_entry(h, ticket.id, EntryKind::Message, (Some(c), None), &mut m)
            .await?;
        h.set_entry_auth(entry, warning, true).await?;
        h.touch_ticket(ticket.id, now).await?;
        if let Some(why) = &m.guarded.automatic {
            h.set_entry_automatic(entry, why).await?;
        } else {
            let name = h.contact(c).await?.name;
            let to = notify::assignees(h, &ticket, None).await?;
            notify::agent_alert(self, h, &ticket, &to, "message", &name, m.body).await?;
            self.notify_message(h, &ticket, &to, &name, now).await?;
        }
        Ok(IngestOutcome::Held {
            inbound_message_id: m.id,
            ticket_id: ticket.id,
            number: ticket.number,
        })
    }

    /// A new ticket in the department that was written to; `warning` marks mail that failed
    /// authentication (it gets no confirmation: the address is not the sender's).
    async fn open_from_mail(
        &self,
        h: &mut Handle<'_>,
        departments: &[tessera_store::MailDepartment],
        m: Prepared<'_>,
        name: &str,
        warning: Option<&str>,
    ) -> Result<IngestOutcome> {
        let active = || departments.iter().filter(|d| d.is_active);
        // Mail fetched from a department's IMAP mailbox belongs to that department, with the
        // help topic configured for the mailbox (`mailbox.rs`).
        let route = h.mailbox_route(m.id).await?;
        let department = route
            .and_then(|(d, _)| active().find(|x| x.id == d))
            .or_else(|| {
                active().find(|d| !d.email.is_empty() && m.msg.recipients.contains(&d.email))
            })
            .or_else(|| active().next())
            .ok_or_else(|| CoreError::Config("no active department takes mail".into()))?;
        let lang = self.settings().default_lang;
        let topic = match route {
            Some((d, Some(t))) if d == department.id => Some(t),
            _ => h.first_public_topic(department.id).await?,
        };
        let name = name.trim();
        let name = if name.is_empty() {
            m.email.as_str().split('@').next().unwrap_or("")
        } else {
            name
        };
        let name: String = clip(name, MAX_NAME)
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        let subject = m.msg.subject.trim();
        let subject = if subject.is_empty() {
            tessera_i18n::t(lang, "ingest-no-subject")
        } else {
            clip(subject, MAX_SUBJECT)
        };
        // Robots get no answer, and nobody gets more than the cap a day.
        let confirmed = m.guarded.automatic.is_none()
            && warning.is_none()
            && h.count_auto_reply(&m.email.key(), day_of(m.now)).await? <= AUTO_REPLY_CAP;
        let topic = match topic {
            Some(t) => self.topic_facts(None, t).await?,
            None => None,
        };
        let place = Place::Routed {
            department: h.department(department.id).await?,
            recipients: h.department_alert_recipients(department.id, false).await?,
            topic,
        };
        let ticket = CheckedTicket {
            email: m.email.clone(),
            name,
            place,
            subject,
            body: m.body.to_owned(),
            answers: Vec::new(),
            uploads: Vec::new(),
            lang,
        };
        let options = WriteOptions {
            source: "email",
            format: BodyFormat::Text,
            priority: None,
            original_html: m.msg.html.as_deref(),
            quoted: m.quoted,
            in_reply_to: m.msg.message_id.as_deref(),
            client_ip: None,
            confirm: confirmed,
            // Past the hourly cap, nothing leaves (`robots.rs`).
            alert: !m.guarded.capped,
            unconfirmed: false,
            by_agent: None,
        };
        let files: Vec<NewTicketFile<'_>> = m
            .files
            .iter()
            .map(|f| NewTicketFile {
                blob_key: &f.key,
                filename: &f.filename,
                content_type: &f.content_type,
                size: f.size,
                content_id: f.content_id.as_deref(),
            })
            .collect();
        let (opened, written) = self
            .insert_new_ticket(h, &ticket, &options, &files, m.now)
            .await?;
        h.link_inbound(m.id, opened.ticket_id, Some(written.message))
            .await?;
        if let Some(w) = warning {
            h.set_entry_auth(written.message, w, false).await?;
        }
        if let Some(why) = &m.guarded.automatic {
            h.set_entry_automatic(written.message, why).await?;
        }
        Ok(IngestOutcome::Opened {
            inbound_message_id: m.id,
            ticket_id: opened.ticket_id,
            number: opened.number,
            confirmed,
        })
    }

    /// A bounce: an event on the ticket its original belonged to; never answered.
    async fn ingest_bounce(&self, id: i64, raw: &[u8], msg: &Inbound) -> Result<IngestOutcome> {
        let refs = msg
            .references
            .iter()
            .chain(&msg.bounced_ids)
            .cloned()
            .chain(embedded_refs(raw));
        let mut tx = self.db().begin().await?;
        if !tx.h().claim_inbound(id, "done", None).await? {
            return Ok(IngestOutcome::Duplicate {
                inbound_message_id: id,
            });
        }
        let mut ticket = None;
        for r in refs {
            if let Some(t) = self.verify_message_ref(&r)
                && let Some(found) = found(tx.h().ticket(t).await)?
            {
                ticket = Some(found);
                break;
            }
        }
        let Some(ticket) = ticket else {
            drop(tx);
            let reason = Reason::new("mail-in-reason-stray-bounce").encode();
            if !self.set_aside(id, "ignored", &reason).await? {
                return Ok(IngestOutcome::Duplicate {
                    inbound_message_id: id,
                });
            }
            return Ok(IngestOutcome::Ignored {
                inbound_message_id: id,
                reason,
            });
        };
        let now = Timestamp::now();
        let bounced = TicketEvent::MailBounced {
            recipient: final_recipient(raw),
        };
        let event = bounced.encode();
        let entry = tx
            .h()
            .insert_entry(&NewEntry {
                ticket_id: ticket.id,
                kind: EntryKind::Event,
                author_contact_id: None,
                author_agent_id: None,
                body: &event,
                body_format: BodyFormat::Markdown,
                now,
            })
            .await?;
        tx.h().touch_ticket(ticket.id, now).await?;
        tx.h().link_inbound(id, ticket.id, Some(entry)).await?;
        self.queue_event_webhooks(&mut tx.h(), ticket.id, &bounced, now)
            .await?;
        tx.commit().await?;
        self.changed();
        self.announce(ticket.id, ChangeKind::Entry);
        Ok(IngestOutcome::Bounced {
            inbound_message_id: id,
            ticket_id: ticket.id,
        })
    }
}

/// A message ready to be written: decoded, folded, its files on disk.
struct Prepared<'a> {
    id: i64,
    msg: &'a Inbound,
    email: &'a EmailAddress,
    body: &'a str,
    quoted: Option<&'a str>,
    files: Vec<MailFile>,
    now: Timestamp,
    /// Whether it is automatic mail, and past the hourly cap (`robots.rs`).
    guarded: Guarded,
}

/// A lookup's row, `None` when it does not exist.
fn found<T>(r: std::result::Result<T, StoreError>) -> Result<Option<T>> {
    match r {
        Ok(t) => Ok(Some(t)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_our_message_ids_inside_bounces() {
        let raw = b"Content-Type: text/rfc822-headers\r\n\r\nMessage-ID: \
            <tessera.7.00112233aabbccdd.0011223344556677@tessera.test>\r\n\
            In-Reply-To: <other@x>\r\n";
        assert_eq!(
            embedded_refs(raw),
            ["tessera.7.00112233aabbccdd.0011223344556677@tessera.test"]
        );
        assert!(embedded_refs(b"nothing here").is_empty());
    }

    #[test]
    fn reads_the_failed_recipient() {
        let raw = b"Reporting-MTA: dns; mx.example.org\r\n\r\n\
            Final-Recipient: rfc822; Max@Example.ORG\r\nAction: failed\r\n";
        assert_eq!(final_recipient(raw), "max@example.org");
        assert_eq!(final_recipient(b"Subject: x"), "");
    }

    #[test]
    fn names_parts_that_came_without_a_name() {
        let part = |filename: &str, content_type: &str| InboundPart {
            filename: filename.into(),
            content_type: content_type.into(),
            content_id: None,
            bytes: vec![],
        };
        assert_eq!(part_filename(&part("", "image/png")), "image.png");
        assert_eq!(
            part_filename(&part("", "application/x-y")),
            "attachment.bin"
        );
        assert_eq!(part_filename(&part("../Plakat.pdf", "x/y")), "Plakat.pdf");
    }

    #[test]
    fn counts_days_in_utc() {
        assert_eq!(day_of(Timestamp(0)), 0);
        assert_eq!(day_of(Timestamp(86_400 * 1_000_000 - 1)), 0);
        assert_eq!(day_of(Timestamp(86_400 * 1_000_000)), 1);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn config() -> ProptestConfig {
            let cases = std::env::var("PROPTEST_CASES")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(64);
            ProptestConfig {
                cases,
                ..ProptestConfig::default()
            }
        }

        proptest! {
            #![proptest_config(config())]

            /// The pipeline's own readers of raw bytes and decoded parts never panic, and a
            /// part's file name always comes out as a plain name.
            #[test]
            fn prop_the_pipelines_readers_never_panic(
                raw in proptest::collection::vec(any::<u8>(), 0..2048),
                name in "\\PC{0,80}|[./\\\\\u{202e}\u{200b}\0 ]{0,20}",
                ct in "[a-z]{0,8}/[a-z.+-]{0,12}",
            ) {
                let _ = embedded_refs(&raw);
                let _ = final_recipient(&raw);
                let mut text = b"Final-Recipient: rfc822;".to_vec();
                text.extend_from_slice(&raw);
                let _ = final_recipient(&text);
                let mut tagged = b"tessera.".to_vec();
                tagged.extend_from_slice(&raw);
                prop_assert!(embedded_refs(&tagged).len() <= 51);
                let f = part_filename(&InboundPart {
                    filename: name,
                    content_type: ct,
                    content_id: None,
                    bytes: raw,
                });
                prop_assert!(!f.contains('/') && !f.contains('\\'), "{:?}", f);
            }
        }
    }
}
