//! Outgoing mail, written in the same transaction as the change that causes it and delivered
//! by a worker. Claimed with a lease like webhook deliveries (`lease.rs`), so a worker that
//! dies mid-send simply lets the mail become due again.

use sqlx::FromRow;
use tessera_domain::{TicketId, Timestamp};

use crate::{Handle, Result, db::on, lease};

/// What a queued mail is for: a confirmation or a reply that fails for good raises an
/// alert; an alert that fails raises none (so alerts cannot loop).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MailKind {
    /// The requester's confirmation of a new ticket, with the access link.
    Confirmation,
    /// An agent's reply to the requester (and collaborators).
    Reply,
    /// An alert to agents.
    Alert,
    /// Anything else (status links, assignment notices, password mail…).
    #[default]
    Other,
}

impl MailKind {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Confirmation => "confirmation",
            MailKind::Reply => "reply",
            MailKind::Alert => "alert",
            MailKind::Other => "other",
        }
    }

    /// From what `as_str` stored (anything unknown is `Other`).
    pub fn parse(s: &str) -> Self {
        match s {
            "confirmation" => MailKind::Confirmation,
            "reply" => MailKind::Reply,
            "alert" => MailKind::Alert,
            _ => MailKind::Other,
        }
    }
}

/// A mail ready to queue: the complete message and its envelope.
#[derive(Debug, Clone)]
pub struct NewOutboxMail {
    /// What it is for.
    pub kind: MailKind,
    /// The ticket it is about.
    pub ticket_id: Option<TicketId>,
    /// The message's Message-ID (unique: the same mail is never queued twice).
    pub message_id: String,
    /// Envelope sender.
    pub envelope_from: String,
    /// Envelope recipients.
    pub recipients: Vec<String>,
    /// The RFC 5322 message.
    pub raw: Vec<u8>,
}

/// A queued mail as claimed by a worker.
#[derive(Debug, Clone, FromRow)]
pub struct OutboxMail {
    /// Key.
    pub outbox_mail_id: i64,
    /// The ticket it is about.
    pub ticket_id: Option<i64>,
    /// What it is for (`MailKind::as_str`).
    pub kind: String,
    /// Message-ID.
    pub message_id: String,
    /// Envelope sender.
    pub envelope_from: String,
    /// Recipients, one per line.
    pub recipients: String,
    /// The message (from `outbox_mail_raw`).
    #[sqlx(default)]
    pub raw: Vec<u8>,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

/// The columns of `MailRow`, with `o` the outbox and `t` the ticket.
const MAIL_ROW: &str = "o.outbox_mail_id, o.ticket_id, t.number AS ticket_number, o.message_id,
    o.recipients, o.kind, o.status, o.attempts, o.last_error, o.failing_since,
    o.next_attempt_at, o.sent_at, o.created_at";

/// A queued or sent mail as the ticket page and the outbox page show it.
#[derive(Debug, Clone, FromRow)]
pub struct MailRow {
    /// Key.
    pub outbox_mail_id: i64,
    /// The ticket it is about.
    pub ticket_id: Option<i64>,
    /// That ticket's number.
    pub ticket_number: Option<String>,
    /// Message-ID.
    pub message_id: String,
    /// Recipients, one per line.
    pub recipients: String,
    /// What it is for (`MailKind::as_str`).
    pub kind: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the current run of failed attempts began.
    pub failing_since: Option<i64>,
    /// When the next attempt is due (pending mail).
    pub next_attempt_at: i64,
    /// When it was sent.
    pub sent_at: Option<i64>,
    /// When it was queued.
    pub created_at: i64,
}

/// Which mail an outbox page shows; empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct OutboxFilter {
    /// `queued`, `retrying`, `failed`, `sent`, or empty for all.
    pub status: String,
    /// Part of a recipient's address (any case).
    pub recipient: String,
    /// A ticket number.
    pub ticket: String,
    /// Only mail older than this key (the keyset cursor); 0 for the newest.
    pub before: i64,
}

impl Handle<'_> {
    /// Queues a mail.
    pub async fn enqueue_mail(&mut self, m: &NewOutboxMail) -> Result<()> {
        let now = Timestamp::now();
        self.insert_mail(m, now, None).await
    }

    /// Queues a notice that goes at `not_before` unless a later change merges into it
    /// first (`take_notice`); `merge` is its key and state.
    pub async fn enqueue_notice(
        &mut self,
        m: &NewOutboxMail,
        not_before: Timestamp,
        merge: (&str, &str),
    ) -> Result<()> {
        self.insert_mail(m, not_before, Some(merge)).await
    }

    async fn insert_mail(
        &mut self,
        m: &NewOutboxMail,
        due: Timestamp,
        merge: Option<(&str, &str)>,
    ) -> Result<()> {
        let now = Timestamp::now().0;
        let (key, state) = merge.unzip();
        let id: i64 = on!(self, c => sqlx::query_scalar(
            "INSERT INTO outbox_mail (ticket_id, message_id, envelope_from, recipients,
                                      status, next_attempt_at, created_at, kind,
                                      merge_key, merge_state)
             VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9) RETURNING outbox_mail_id")
            .bind(m.ticket_id.map(|t| t.0)).bind(&m.message_id).bind(&m.envelope_from)
            .bind(m.recipients.join("\n")).bind(due.0).bind(now).bind(m.kind.as_str())
            .bind(key).bind(state)
            .fetch_one(c).await?);
        on!(self, c => sqlx::query(
            "INSERT INTO outbox_mail_raw (outbox_mail_id, raw) VALUES ($1, $2)")
            .bind(id).bind(&m.raw).execute(c).await?.rows_affected());
        Ok(())
    }

    /// The notice under `key` that still waits at `now` — pending, never claimed, not yet
    /// due — as (id, state), held by this transaction until it commits (on PostgreSQL the
    /// row is locked, so a worker's claim skips it; a notice a worker claimed first is
    /// not found, and the caller queues a new one).
    pub async fn take_notice(
        &mut self,
        key: &str,
        now: Timestamp,
    ) -> Result<Option<(i64, String)>> {
        on!(self, c => Ok(sqlx::query_as(
            "UPDATE outbox_mail SET merge_key = merge_key
             WHERE outbox_mail_id = (
                     SELECT outbox_mail_id FROM outbox_mail
                     WHERE merge_key = $1 AND status = 'pending' AND attempts = 0
                       AND next_attempt_at > $2
                     ORDER BY outbox_mail_id DESC LIMIT 1)
               AND status = 'pending' AND attempts = 0 AND next_attempt_at > $2
             RETURNING outbox_mail_id, COALESCE(merge_state, '')")
            .bind(key).bind(now.0).fetch_optional(c).await?))
    }

    /// Replaces a waiting notice's message and state (its due time stays).
    pub async fn update_notice(&mut self, id: i64, m: &NewOutboxMail, state: &str) -> Result<()> {
        on!(self, c => sqlx::query(
            "UPDATE outbox_mail SET merge_state = $2, message_id = $3, recipients = $4
             WHERE outbox_mail_id = $1")
            .bind(id).bind(state).bind(&m.message_id).bind(m.recipients.join("\n"))
            .execute(c).await?.rows_affected());
        on!(self, c => sqlx::query(
            "UPDATE outbox_mail_raw SET raw = $2 WHERE outbox_mail_id = $1")
            .bind(id).bind(&m.raw).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Removes a waiting notice (taken into a reply, or with nothing left to tell).
    pub async fn drop_notice(&mut self, id: i64) -> Result<()> {
        on!(self, c => sqlx::query("DELETE FROM outbox_mail_raw WHERE outbox_mail_id = $1")
            .bind(id).execute(c).await?.rows_affected());
        on!(self, c => sqlx::query("DELETE FROM outbox_mail WHERE outbox_mail_id = $1")
            .bind(id).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Claims up to `limit` due mails for `lease_ms`.
    pub async fn claim_mail(
        &mut self,
        now: Timestamp,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<OutboxMail>> {
        let mut claimed: Vec<OutboxMail> = self
            .claim_leased(&lease::OUTBOX, now, lease_ms, limit)
            .await?;
        if claimed.is_empty() {
            return Ok(claimed);
        }
        // The messages, kept apart from the rows just updated (migration 0025).
        let ids: Vec<i64> = claimed.iter().map(|m| m.outbox_mail_id).collect();
        let raws: Vec<(i64, Vec<u8>)> = match self {
            Handle::Sqlite(c) => {
                sqlx::query_as(
                    "SELECT outbox_mail_id, raw FROM outbox_mail_raw
                     WHERE outbox_mail_id IN (SELECT value FROM json_each($1))",
                )
                .bind(crate::rows::json_ids(&ids))
                .fetch_all(&mut **c)
                .await?
            }
            Handle::Postgres(c) => sqlx::query_as(
                "SELECT outbox_mail_id, raw FROM outbox_mail_raw WHERE outbox_mail_id = ANY($1)",
            )
            .bind(&ids)
            .fetch_all(&mut **c)
            .await?,
        };
        let mut raws: std::collections::HashMap<i64, Vec<u8>> = raws.into_iter().collect();
        for m in &mut claimed {
            m.raw = raws.remove(&m.outbox_mail_id).unwrap_or_default();
        }
        Ok(claimed)
    }

    /// Marks mails delivered.
    pub async fn mails_sent(&mut self, ids: &[i64], now: Timestamp) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        // The ids as one parameter, so the statement's text (and its prepared form) is the
        // same for every batch size.
        match self {
            Handle::Sqlite(c) => {
                let ids = crate::rows::json_ids(ids);
                sqlx::query(
                    "UPDATE outbox_mail SET status = 'sent', sent_at = $2, last_error = NULL,
                                            failing_since = NULL
                     WHERE outbox_mail_id IN (SELECT value FROM json_each($1))",
                )
                .bind(ids)
                .bind(now.0)
                .execute(&mut **c)
                .await?;
            }
            Handle::Postgres(c) => {
                sqlx::query(
                    "UPDATE outbox_mail SET status = 'sent', sent_at = $2, last_error = NULL,
                                            failing_since = NULL
                     WHERE outbox_mail_id = ANY($1)",
                )
                .bind(ids)
                .bind(now.0)
                .execute(&mut **c)
                .await?;
            }
        }
        Ok(())
    }

    /// Schedules another attempt, or gives up (`retry_at` = `None`), after an attempt that
    /// failed `at`.
    pub async fn mail_failed(
        &mut self,
        id: i64,
        error: &str,
        retry_at: Option<Timestamp>,
        at: Timestamp,
    ) -> Result<()> {
        on!(self, c => sqlx::query(
            "UPDATE outbox_mail SET last_error = $2,
                    status = CASE WHEN $3 IS NULL THEN 'failed' ELSE 'pending' END,
                    next_attempt_at = COALESCE($3, next_attempt_at),
                    failing_since = COALESCE(failing_since, $4)
             WHERE outbox_mail_id = $1")
            .bind(id).bind(error).bind(retry_at.map(|t| t.0)).bind(at.0)
            .execute(c).await?.rows_affected());
        Ok(())
    }

    /// The mail about a ticket, oldest first (at most `limit`).
    pub async fn ticket_mail(&mut self, ticket: TicketId, limit: i64) -> Result<Vec<MailRow>> {
        on!(self, c => Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {MAIL_ROW} FROM outbox_mail o LEFT JOIN ticket t ON t.ticket_id = o.ticket_id
             WHERE o.ticket_id = $1 ORDER BY o.outbox_mail_id LIMIT $2")))
            .bind(ticket.0).bind(limit).fetch_all(c).await?))
    }

    /// A page of the outbox, newest first, as `f` filters it.
    pub async fn outbox_page(&mut self, f: &OutboxFilter, limit: i64) -> Result<Vec<MailRow>> {
        let recipient = if f.recipient.is_empty() {
            String::new()
        } else {
            let escaped = f
                .recipient
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        };
        on!(self, c => Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {MAIL_ROW} FROM outbox_mail o LEFT JOIN ticket t ON t.ticket_id = o.ticket_id
             WHERE ($1 = ''
                    OR ($1 = 'queued' AND o.status = 'pending' AND o.last_error IS NULL)
                    OR ($1 = 'retrying' AND o.status = 'pending' AND o.last_error IS NOT NULL)
                    OR (($1 = 'failed' OR $1 = 'sent') AND o.status = $1))
               AND ($2 = '' OR LOWER(o.recipients) LIKE $2 ESCAPE '\\')
               AND ($3 = '' OR t.number = $3)
               AND ($4 = 0 OR o.outbox_mail_id < $4)
             ORDER BY o.outbox_mail_id DESC LIMIT $5")))
            .bind(&f.status).bind(&recipient).bind(&f.ticket).bind(f.before).bind(limit)
            .fetch_all(c).await?))
    }

    /// Makes a queued, retrying or failed mail due at `now` with a fresh retry schedule;
    /// whether there was such a mail.
    pub async fn retry_mail(&mut self, id: i64, now: Timestamp) -> Result<bool> {
        let n = on!(self, c => sqlx::query(
            "UPDATE outbox_mail SET status = 'pending', next_attempt_at = $2, attempts = 0
             WHERE outbox_mail_id = $1 AND status IN ('pending', 'failed')")
            .bind(id).bind(now.0).execute(c).await?.rows_affected());
        Ok(n == 1)
    }

    /// Makes every failed mail due at `now` with a fresh retry schedule; how many.
    pub async fn retry_failed_mail(&mut self, now: Timestamp) -> Result<u64> {
        Ok(on!(self, c => sqlx::query(
            "UPDATE outbox_mail SET status = 'pending', next_attempt_at = $1, attempts = 0
             WHERE status = 'failed'")
            .bind(now.0).execute(c).await?.rows_affected()))
    }

    /// When the next pending mail falls due, if any.
    pub async fn next_mail_due(&mut self) -> Result<Option<Timestamp>> {
        self.next_leased_due(&lease::OUTBOX).await
    }

    /// Counts of mails per status, for operators and tests.
    pub async fn mail_counts(&mut self) -> Result<Vec<(String, i64)>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT status, COUNT(*) FROM outbox_mail GROUP BY status ORDER BY status")
            .fetch_all(c).await?))
    }

    /// Whether mail with one of these Message-IDs was sent to `email` (compared as the
    /// outbox stored it, case-insensitively).
    pub async fn mailed_to(&mut self, message_ids: &[String], email: &str) -> Result<bool> {
        for id in message_ids.iter().take(20) {
            let recipients: Option<String> = on!(self, c => sqlx::query_scalar(
                "SELECT recipients FROM outbox_mail WHERE message_id = $1")
                .bind(id).fetch_optional(c).await?);
            if recipients.is_some_and(|r| r.lines().any(|l| l.trim().eq_ignore_ascii_case(email))) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
