//! Outgoing mail, written in the same transaction as the change that causes it and delivered
//! by a worker. Claimed with a lease like webhook deliveries (`lease.rs`), so a worker that
//! dies mid-send simply lets the mail become due again.

use sqlx::FromRow;
use tessera_domain::{TicketId, Timestamp};

use crate::{Handle, Result, db::on, lease};

/// A mail ready to queue: the complete message and its envelope.
#[derive(Debug, Clone)]
pub struct NewOutboxMail {
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

impl Handle<'_> {
    /// Queues a mail.
    pub async fn enqueue_mail(&mut self, m: &NewOutboxMail) -> Result<()> {
        let now = Timestamp::now().0;
        let id: i64 = on!(self, c => sqlx::query_scalar(
            "INSERT INTO outbox_mail (ticket_id, message_id, envelope_from, recipients,
                                      status, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, 'pending', $5, $5) RETURNING outbox_mail_id")
            .bind(m.ticket_id.map(|t| t.0)).bind(&m.message_id).bind(&m.envelope_from)
            .bind(m.recipients.join("\n")).bind(now)
            .fetch_one(c).await?);
        on!(self, c => sqlx::query(
            "INSERT INTO outbox_mail_raw (outbox_mail_id, raw) VALUES ($1, $2)")
            .bind(id).bind(&m.raw).execute(c).await?.rows_affected());
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
                    "UPDATE outbox_mail SET status = 'sent', sent_at = $2, last_error = NULL
                     WHERE outbox_mail_id IN (SELECT value FROM json_each($1))",
                )
                .bind(ids)
                .bind(now.0)
                .execute(&mut **c)
                .await?;
            }
            Handle::Postgres(c) => {
                sqlx::query(
                    "UPDATE outbox_mail SET status = 'sent', sent_at = $2, last_error = NULL
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

    /// Schedules another attempt, or gives up (`retry_at` = `None`).
    pub async fn mail_failed(
        &mut self,
        id: i64,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<()> {
        on!(self, c => sqlx::query(
            "UPDATE outbox_mail SET last_error = $2,
                    status = CASE WHEN $3 IS NULL THEN 'failed' ELSE 'pending' END,
                    next_attempt_at = COALESCE($3, next_attempt_at)
             WHERE outbox_mail_id = $1")
            .bind(id).bind(error).bind(retry_at.map(|t| t.0)).execute(c).await?.rows_affected());
        Ok(())
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
