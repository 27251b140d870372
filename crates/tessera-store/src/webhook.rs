//! Webhooks and their deliveries. A delivery is written in the same transaction as the
//! change it reports and claimed by a worker with a lease, like outgoing mail (`lease.rs`), so
//! a worker that dies mid-request lets it fall due again.

use sqlx::FromRow;
use tessera_domain::{ThreadEntryId, TicketId, Timestamp};

use crate::{Handle, Result, db::on, lease};

/// A webhook as stored.
#[derive(Debug, Clone, FromRow)]
pub struct WebhookRow {
    /// Key.
    pub webhook_id: i64,
    /// Where deliveries are POSTed.
    pub url: String,
    /// What it is for, in the administrator's words.
    pub description: String,
    /// Subscribed events, a mask of `WebhookEvent::bit`.
    pub events: i64,
    /// The HMAC key that signs deliveries.
    pub secret: String,
    /// Whether new events are queued for it.
    pub is_active: bool,
    /// Whether it may reach loopback and private addresses.
    pub allow_private: bool,
    /// Created at (µs).
    pub created_at: i64,
    /// Last change (µs).
    pub updated_at: i64,
}

/// A webhook's settings as saved from the form (the secret is generated once, not edited).
#[derive(Debug, Clone)]
pub struct WebhookSettings<'a> {
    /// Target URL.
    pub url: &'a str,
    /// Description.
    pub description: &'a str,
    /// Event mask.
    pub events: i64,
    /// Active.
    pub is_active: bool,
    /// Private targets allowed.
    pub allow_private: bool,
}

/// A delivery ready to queue.
#[derive(Debug, Clone)]
pub struct NewDelivery<'a> {
    /// The webhook.
    pub webhook_id: i64,
    /// Public id (also in the payload and the `X-Tessera-Delivery` header).
    pub uuid: &'a str,
    /// Event name.
    pub event: &'a str,
    /// The ticket it is about, if any.
    pub ticket_id: Option<TicketId>,
    /// The JSON body.
    pub payload: &'a str,
    /// Queued at; also due then.
    pub now: Timestamp,
}

/// A delivery as claimed by the worker, with what it needs of its webhook.
#[derive(Debug, Clone, FromRow)]
pub struct DueDelivery {
    /// Key.
    pub webhook_delivery_id: i64,
    /// The webhook.
    pub webhook_id: i64,
    /// Public id.
    pub uuid: String,
    /// Event name.
    pub event: String,
    /// The JSON body.
    pub payload: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

/// A delivery as the administrators' log shows it.
#[derive(Debug, Clone, FromRow)]
pub struct DeliveryRow {
    /// Key.
    pub webhook_delivery_id: i64,
    /// Public id.
    pub uuid: String,
    /// Event name.
    pub event: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    /// When it is (or was) next due (µs).
    pub next_attempt_at: i64,
    /// The last HTTP status, if an answer came.
    pub last_status: Option<i64>,
    /// The last error, if the attempt failed.
    pub last_error: Option<String>,
    /// When it was delivered (µs).
    pub delivered_at: Option<i64>,
    /// Queued at (µs).
    pub created_at: i64,
}

/// One attempt of a delivery.
#[derive(Debug, Clone, FromRow)]
pub struct AttemptRow {
    /// The delivery.
    pub webhook_delivery_id: i64,
    /// When (µs).
    pub attempted_at: i64,
    /// The HTTP status, if an answer came.
    pub status_code: Option<i64>,
    /// What went wrong, if anything.
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: i64,
}

/// An entry as a webhook payload names it.
#[derive(Debug, Clone, FromRow)]
pub struct WebhookEntry {
    /// `message`, `reply`, `note`, `event`.
    pub kind: String,
    /// The author's name (agent or contact; empty for the system).
    pub author: Option<String>,
    /// Whether an agent wrote it.
    pub by_agent: bool,
    /// Content.
    pub body: String,
    /// Written at (µs).
    pub created_at: i64,
}

impl Handle<'_> {
    /// Every webhook, oldest first.
    pub async fn webhooks(&mut self) -> Result<Vec<WebhookRow>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT webhook_id, url, description, events, secret, is_active, allow_private,
                    created_at, updated_at
             FROM webhook ORDER BY webhook_id")
            .fetch_all(c).await?))
    }

    /// One webhook.
    pub async fn webhook(&mut self, id: i64) -> Result<WebhookRow> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT webhook_id, url, description, events, secret, is_active, allow_private,
                    created_at, updated_at
             FROM webhook WHERE webhook_id = $1")
            .bind(id).fetch_one(c).await?))
    }

    /// Adds a webhook with its secret.
    pub async fn insert_webhook(
        &mut self,
        w: &WebhookSettings<'_>,
        secret: &str,
        now: Timestamp,
    ) -> Result<i64> {
        on!(self, c => Ok(sqlx::query_scalar(
            "INSERT INTO webhook (url, description, events, secret, is_active, allow_private,
                                  created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING webhook_id")
            .bind(w.url).bind(w.description).bind(w.events).bind(secret).bind(w.is_active)
            .bind(w.allow_private).bind(now.0).fetch_one(c).await?))
    }

    /// Changes a webhook's settings.
    pub async fn update_webhook(
        &mut self,
        id: i64,
        w: &WebhookSettings<'_>,
        now: Timestamp,
    ) -> Result<()> {
        let n = on!(self, c => sqlx::query(
            "UPDATE webhook SET url = $2, description = $3, events = $4, is_active = $5,
                                allow_private = $6, updated_at = $7
             WHERE webhook_id = $1")
            .bind(id).bind(w.url).bind(w.description).bind(w.events).bind(w.is_active)
            .bind(w.allow_private).bind(now.0).execute(c).await?.rows_affected());
        if n == 0 {
            return Err(crate::StoreError::NotFound);
        }
        Ok(())
    }

    /// The active webhooks subscribed to an event (by its bit). On an installation without
    /// webhooks this reads an empty table: the whole cost of webhooks for every change.
    pub async fn subscribed_webhooks(&mut self, bit: i64) -> Result<Vec<i64>> {
        on!(self, c => Ok(sqlx::query_scalar(
            "SELECT webhook_id FROM webhook
             WHERE is_active AND (events & $1) <> 0 ORDER BY webhook_id")
            .bind(bit).fetch_all(c).await?))
    }

    /// Queues a delivery, due at once.
    pub async fn enqueue_delivery(&mut self, d: &NewDelivery<'_>) -> Result<i64> {
        on!(self, c => Ok(sqlx::query_scalar(
            "INSERT INTO webhook_delivery (webhook_id, uuid, event, ticket_id, payload, status,
                                           next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6) RETURNING webhook_delivery_id")
            .bind(d.webhook_id).bind(d.uuid).bind(d.event).bind(d.ticket_id.map(|t| t.0))
            .bind(d.payload).bind(d.now.0).fetch_one(c).await?))
    }

    /// Claims up to `limit` due deliveries for `lease_ms`.
    pub async fn claim_deliveries(
        &mut self,
        now: Timestamp,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<DueDelivery>> {
        self.claim_leased(&lease::DELIVERIES, now, lease_ms, limit)
            .await
    }

    /// Logs one attempt.
    pub async fn log_attempt(
        &mut self,
        delivery: i64,
        at: Timestamp,
        status_code: Option<i64>,
        error: Option<&str>,
        duration_ms: i64,
    ) -> Result<()> {
        on!(self, c => sqlx::query(
            "INSERT INTO webhook_attempt (webhook_delivery_id, attempted_at, status_code, error,
                                          duration_ms)
             VALUES ($1, $2, $3, $4, $5)")
            .bind(delivery).bind(at.0).bind(status_code).bind(error).bind(duration_ms)
            .execute(c).await?.rows_affected());
        Ok(())
    }

    /// Marks a delivery delivered.
    pub async fn delivery_done(&mut self, id: i64, status: i64, now: Timestamp) -> Result<()> {
        on!(self, c => sqlx::query(
            "UPDATE webhook_delivery SET status = 'delivered', delivered_at = $3,
                    last_status = $2, last_error = NULL
             WHERE webhook_delivery_id = $1")
            .bind(id).bind(status).bind(now.0).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Schedules another attempt, or gives up (`retry_at` = `None`).
    pub async fn delivery_failed(
        &mut self,
        id: i64,
        status: Option<i64>,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<()> {
        on!(self, c => sqlx::query(
            "UPDATE webhook_delivery SET last_status = $2, last_error = $3,
                    status = CASE WHEN $4 IS NULL THEN 'failed' ELSE 'pending' END,
                    next_attempt_at = COALESCE($4, next_attempt_at)
             WHERE webhook_delivery_id = $1")
            .bind(id).bind(status).bind(error).bind(retry_at.map(|t| t.0))
            .execute(c).await?.rows_affected());
        Ok(())
    }

    /// Puts a failed delivery of `webhook` back in the queue with fresh attempts; false
    /// when it is not failed (or not this webhook's).
    pub async fn retry_delivery(
        &mut self,
        webhook: i64,
        delivery: i64,
        now: Timestamp,
    ) -> Result<bool> {
        let n = on!(self, c => sqlx::query(
            "UPDATE webhook_delivery SET status = 'pending', attempts = 0, next_attempt_at = $3
             WHERE webhook_delivery_id = $2 AND webhook_id = $1 AND status = 'failed'")
            .bind(webhook).bind(delivery).bind(now.0).execute(c).await?.rows_affected());
        Ok(n == 1)
    }

    /// When the next pending delivery falls due, if any.
    pub async fn next_delivery_due(&mut self) -> Result<Option<Timestamp>> {
        self.next_leased_due(&lease::DELIVERIES).await
    }

    /// A page of a webhook's deliveries, newest first, older than `before` (a delivery id).
    pub async fn deliveries(
        &mut self,
        webhook: i64,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<DeliveryRow>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT webhook_delivery_id, uuid, event, status, attempts, next_attempt_at,
                    last_status, last_error, delivered_at, created_at
             FROM webhook_delivery
             WHERE webhook_id = $1 AND webhook_delivery_id < $2
             ORDER BY webhook_delivery_id DESC LIMIT $3")
            .bind(webhook).bind(before.unwrap_or(i64::MAX)).bind(limit).fetch_all(c).await?))
    }

    /// The attempts of a webhook's deliveries with ids in `from..=to`, oldest first.
    pub async fn attempts(&mut self, webhook: i64, from: i64, to: i64) -> Result<Vec<AttemptRow>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT a.webhook_delivery_id, a.attempted_at, a.status_code, a.error, a.duration_ms
             FROM webhook_attempt a
             JOIN webhook_delivery d ON d.webhook_delivery_id = a.webhook_delivery_id
             WHERE d.webhook_id = $1 AND a.webhook_delivery_id BETWEEN $2 AND $3
             ORDER BY a.webhook_attempt_id")
            .bind(webhook).bind(from).bind(to).fetch_all(c).await?))
    }

    /// Forgets finished deliveries (and their attempts) queued before `before`, at most
    /// `limit` of them; returns how many.
    pub async fn prune_deliveries(&mut self, before: Timestamp, limit: i64) -> Result<u64> {
        on!(self, c => sqlx::query(
            "DELETE FROM webhook_attempt WHERE webhook_delivery_id IN (
                 SELECT webhook_delivery_id FROM webhook_delivery
                 WHERE created_at < $1 AND status <> 'pending'
                 ORDER BY webhook_delivery_id LIMIT $2)")
            .bind(before.0).bind(limit).execute(&mut *c).await?.rows_affected());
        Ok(on!(self, c => sqlx::query(
            "DELETE FROM webhook_delivery WHERE webhook_delivery_id IN (
                 SELECT webhook_delivery_id FROM webhook_delivery
                 WHERE created_at < $1 AND status <> 'pending'
                 ORDER BY webhook_delivery_id LIMIT $2)")
            .bind(before.0).bind(limit).execute(c).await?.rows_affected()))
    }

    /// One entry with its author's name, for a payload.
    pub async fn webhook_entry(&mut self, id: ThreadEntryId) -> Result<WebhookEntry> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT e.kind, COALESCE(a.display_name, c.name) AS author,
                    a.agent_id IS NOT NULL AS by_agent, e.body, e.created_at
             FROM thread_entry e
             LEFT JOIN contact c ON c.contact_id = e.author_contact_id
             LEFT JOIN agent a ON a.agent_id = e.author_agent_id
             WHERE e.thread_entry_id = $1")
            .bind(id.0).fetch_one(c).await?))
    }
}
