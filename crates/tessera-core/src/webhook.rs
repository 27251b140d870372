//! Webhooks: administrators register URLs for ticket events; every change path queues a
//! delivery for each subscribed webhook in the change's own transaction (`queue_webhooks`),
//! and `WebhookWorker` (`webhook_worker.rs`) delivers them, signed.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tessera_domain::{
    Problem, ThreadEntryId, TicketEvent, TicketId, Timestamp, WebhookEvent,
    model::Ticket,
    webhook::{self, Refusal},
};
use tessera_store::{Handle, NewDelivery, WebhookEntry, WebhookRow, WebhookSettings};

use crate::{Actor, CoreError, Result, Tessera, admin::record, token};

/// Longest URL accepted.
pub const MAX_URL: usize = 2000;
/// Longest description accepted.
pub const MAX_DESCRIPTION: usize = 500;
/// Deliveries per page of the log.
pub const LOG_PAGE: i64 = 50;

/// What the administrator typed into the webhook form.
#[derive(Debug, Clone, Default)]
pub struct WebhookForm {
    /// Target URL.
    pub url: String,
    /// Description.
    pub description: String,
    /// Names of the events ticked (`WebhookEvent::as_str`).
    pub events: Vec<String>,
    /// Active.
    pub is_active: bool,
    /// Loopback and private targets allowed.
    pub allow_private: bool,
}

/// A webhook as administrators see it (the secret included: they need it to verify).
#[derive(Debug, Clone)]
pub struct WebhookAdmin {
    /// Key.
    pub webhook_id: i64,
    /// Target URL.
    pub url: String,
    /// Description.
    pub description: String,
    /// Subscribed events.
    pub events: Vec<WebhookEvent>,
    /// The HMAC key.
    pub secret: String,
    /// Active.
    pub is_active: bool,
    /// Private targets allowed.
    pub allow_private: bool,
}

impl WebhookAdmin {
    /// From the store's row (a function, not `From`: store types stay out of core's API).
    fn from_row(r: WebhookRow) -> Self {
        Self {
            webhook_id: r.webhook_id,
            url: r.url,
            description: r.description,
            events: WebhookEvent::from_mask(r.events),
            secret: r.secret,
            is_active: r.is_active,
            allow_private: r.allow_private,
        }
    }
}

/// A page of a webhook's delivery log.
#[derive(Debug, Clone)]
pub struct DeliveryLog {
    /// Deliveries, newest first.
    pub deliveries: Vec<crate::Delivery>,
    /// Their attempts, oldest first.
    pub attempts: Vec<crate::DeliveryAttempt>,
    /// The `before` of the next (older) page, if there is one.
    pub older: Option<i64>,
}

/// Why a URL may not be a webhook target, as a field error key.
fn check_url(url: &str, allow_private: bool) -> std::result::Result<(), &'static str> {
    if url.is_empty() {
        return Err("error-required");
    }
    if url.chars().count() > MAX_URL {
        return Err("error-too-long");
    }
    let parsed = url::Url::parse(url).map_err(|_| "error-webhook-url")?;
    if !matches!(parsed.scheme(), "http" | "https")
        || parsed.host().is_none()
        || !parsed.username().is_empty()
        || parsed.password().is_some()
    {
        return Err("error-webhook-url");
    }
    if !allow_private && literal_refusal(&parsed).is_some() {
        return Err("error-webhook-private");
    }
    Ok(())
}

/// Why the literal IP address of a URL may not be reached, if it is one.
pub(crate) fn literal_refusal(url: &url::Url) -> Option<Refusal> {
    match url.host()? {
        url::Host::Ipv4(ip) => webhook::classify(ip.into()),
        url::Host::Ipv6(ip) => webhook::classify(ip.into()),
        url::Host::Domain(_) => None,
    }
}

/// A random UUID (version 4) for a delivery.
fn uuid() -> String {
    let mut b = token::random_bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The signature header's value: `sha256=` and the hex HMAC-SHA256 of
/// `"<timestamp>.<body>"` keyed with the webhook's secret (its text as shown).
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// RFC 3339 in UTC with microseconds.
fn rfc3339(t: Timestamp) -> String {
    t.to_datetime()
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// What a recorded ticket event means to webhooks: the event and the change to report.
pub(crate) fn hook_of(e: &TicketEvent) -> Option<(WebhookEvent, serde_json::Value)> {
    use serde_json::json;
    let updated = |field: &str, to: &str| json!({ "field": field, "to": to });
    Some(match e {
        // Reported once the first message is stored, by `queue_created`.
        TicketEvent::Created { .. } => return None,
        // Part of the creation (reported as `ticket.created`) and of a reply (`reply`).
        TicketEvent::OpenedFor { .. } | TicketEvent::CopiesSent { .. } => return None,
        TicketEvent::Assigned { agent, team } => (
            WebhookEvent::Assigned,
            json!({ "field": "assignee", "to": { "agent": agent, "team": team } }),
        ),
        TicketEvent::Claimed => (WebhookEvent::Assigned, json!({ "field": "claimed" })),
        TicketEvent::Status { from, to } => (
            WebhookEvent::Status,
            json!({ "field": "status", "from": from, "to": to }),
        ),
        TicketEvent::Priority { from, to } => (
            WebhookEvent::TicketUpdated,
            json!({ "field": "priority", "from": from, "to": to }),
        ),
        TicketEvent::Transferred { from, to } => (
            WebhookEvent::TicketUpdated,
            json!({ "field": "department", "from": from, "to": to }),
        ),
        TicketEvent::Released => (WebhookEvent::TicketUpdated, json!({ "field": "released" })),
        TicketEvent::Due { due } => (WebhookEvent::TicketUpdated, updated("due", due)),
        TicketEvent::CollaboratorAdded { email } => (
            WebhookEvent::TicketUpdated,
            updated("collaborator_added", email),
        ),
        TicketEvent::CollaboratorRemoved { email } => (
            WebhookEvent::TicketUpdated,
            updated("collaborator_removed", email),
        ),
        TicketEvent::AccessRevoked { email } => (
            WebhookEvent::TicketUpdated,
            updated("access_revoked", email),
        ),
        TicketEvent::MailBounced { recipient } => (
            WebhookEvent::TicketUpdated,
            updated("mail_bounced", recipient),
        ),
        TicketEvent::MailUndelivered { recipient, .. } => (
            WebhookEvent::TicketUpdated,
            updated("mail_undelivered", recipient),
        ),
        TicketEvent::MailResent { message_id } => (
            WebhookEvent::TicketUpdated,
            updated("mail_resent", message_id),
        ),
    })
}

impl Tessera {
    /// One delivery's id and JSON body: the event, the ticket as given and the entry.
    pub(crate) fn webhook_payload(
        &self,
        event: WebhookEvent,
        t: &Ticket,
        entry: Option<&WebhookEntry>,
        change: Option<&serde_json::Value>,
        now: Timestamp,
    ) -> (String, String) {
        let base = self.config().base_url.trim_end_matches('/');
        let id = uuid();
        let mut body = serde_json::json!({
            "id": id,
            "event": event.as_str(),
            "occurred_at": rfc3339(now),
            "ticket": {
                "number": t.number,
                "subject": t.subject,
                "status": t.status.as_str(),
                "priority": t.priority.as_str(),
                "department": t.department.name,
                "topic": t.help_topic.as_ref().map(|x| x.name(self.settings().default_lang).to_owned()),
                "requester": { "name": t.requester.name, "email": t.requester.email },
                "assignee": {
                    "agent": t.assignee_agent.as_ref().map(|(_, n)| n),
                    "team": t.assignee_team.as_ref().map(|(_, n)| n),
                },
                "url": format!("{base}/agent/tickets/{}", t.number),
            },
        });
        if let Some(e) = entry {
            body["entry"] = serde_json::json!({
                "kind": e.kind,
                "author": e.author.clone().unwrap_or_default(),
                "by_agent": e.by_agent,
                "body": e.body,
                "created_at": rfc3339(Timestamp(e.created_at)),
            });
        }
        if let Some(c) = change {
            body["change"] = c.clone();
        }
        (id, body.to_string())
    }

    /// Wakes the webhook worker after the transaction that queued deliveries commits.
    pub(crate) fn webhooks_queued(&self) {
        self.inner
            .webhook_queued
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Queues `event` about a ticket for every active webhook subscribed to it, on the
    /// change's own handle (so inside its transaction). The payload is built now, from the
    /// ticket as this transaction sees it; with no subscriber this costs one query on the
    /// small `webhook` table and nothing else.
    pub(crate) async fn queue_webhooks(
        &self,
        h: &mut Handle<'_>,
        event: WebhookEvent,
        ticket: TicketId,
        entry: Option<ThreadEntryId>,
        change: Option<serde_json::Value>,
        now: Timestamp,
    ) -> Result<()> {
        let hooks = h.subscribed_webhooks(event.bit()).await?;
        if hooks.is_empty() {
            return Ok(());
        }
        let t = h.ticket(ticket).await?;
        let entry = match entry {
            Some(e) => Some(h.webhook_entry(e).await?),
            None => None,
        };
        for webhook_id in hooks {
            let (id, payload) =
                self.webhook_payload(event, &t, entry.as_ref(), change.as_ref(), now);
            h.enqueue_delivery(&NewDelivery {
                webhook_id,
                uuid: &id,
                event: event.as_str(),
                ticket_id: Some(ticket),
                payload: &payload,
                now,
            })
            .await?;
        }
        // The worker is woken by `changed()` once this transaction has committed.
        self.inner
            .webhook_queued
            .store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// Queues what a recorded ticket event means to webhooks, if anything.
    pub(crate) async fn queue_event_webhooks(
        &self,
        h: &mut Handle<'_>,
        ticket: TicketId,
        e: &TicketEvent,
        now: Timestamp,
    ) -> Result<()> {
        match hook_of(e) {
            Some((event, change)) => {
                self.queue_webhooks(h, event, ticket, None, Some(change), now)
                    .await
            }
            None => Ok(()),
        }
    }

    /// Every webhook.
    pub async fn webhooks_admin(&self, actor: Actor<'_>) -> Result<Vec<WebhookAdmin>> {
        actor.require_admin()?;
        let mut conn = self.db().conn().await?;
        let rows = conn.h().webhooks().await?;
        Ok(rows.into_iter().map(WebhookAdmin::from_row).collect())
    }

    /// One webhook.
    pub async fn webhook_admin(&self, actor: Actor<'_>, id: i64) -> Result<WebhookAdmin> {
        actor.require_admin()?;
        let mut conn = self.db().conn().await?;
        Ok(WebhookAdmin::from_row(conn.h().webhook(id).await?))
    }

    /// Creates (`id` = `None`) or changes a webhook; audited. A new webhook gets a secret.
    pub async fn save_webhook(
        &self,
        actor: Actor<'_>,
        id: Option<i64>,
        f: &WebhookForm,
    ) -> Result<i64> {
        actor.require_admin()?;
        let mut p = Problem::default();
        let url = f.url.trim();
        if let Err(key) = check_url(url, f.allow_private) {
            p.add("url", key);
        }
        let description = f.description.trim();
        if description.chars().count() > MAX_DESCRIPTION {
            p.add("description", "error-too-long");
        }
        let mut events = Vec::new();
        for name in &f.events {
            match WebhookEvent::parse(name) {
                Some(e) if e != WebhookEvent::Test => events.push(e),
                _ => p.add("events", "error-webhook-events"),
            }
        }
        if events.is_empty() {
            p.add("events", "error-webhook-events");
        }
        p.into_result()?;
        let settings = WebhookSettings {
            url,
            description,
            events: WebhookEvent::mask(&events),
            is_active: f.is_active,
            allow_private: f.allow_private,
        };
        let now = Timestamp::now();
        let mut tx = self.db().begin().await?;
        let (id, before) = match id {
            None => {
                let secret = token::random_hex(32);
                (tx.h().insert_webhook(&settings, &secret, now).await?, None)
            }
            Some(id) => {
                let old = tx.h().webhook(id).await?;
                tx.h().update_webhook(id, &settings, now).await?;
                (id, Some(describe(&WebhookAdmin::from_row(old))))
            }
        };
        let after = describe(&WebhookAdmin::from_row(tx.h().webhook(id).await?));
        record(
            &mut tx.h(),
            actor,
            if before.is_some() {
                "webhook-update"
            } else {
                "webhook-create"
            },
            &format!("webhook {id}"),
            before.as_deref(),
            Some(&after),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Queues a `test` delivery to one webhook (active or not), audited.
    pub async fn send_test_webhook(&self, actor: Actor<'_>, id: i64) -> Result<()> {
        actor.require_admin()?;
        let now = Timestamp::now();
        let mut tx = self.db().begin().await?;
        let w = tx.h().webhook(id).await?;
        let uuid = uuid();
        let body = serde_json::json!({
            "id": uuid,
            "event": WebhookEvent::Test.as_str(),
            "occurred_at": rfc3339(now),
            "webhook": { "id": w.webhook_id, "url": w.url },
        })
        .to_string();
        tx.h()
            .enqueue_delivery(&NewDelivery {
                webhook_id: id,
                uuid: &uuid,
                event: WebhookEvent::Test.as_str(),
                ticket_id: None,
                payload: &body,
                now,
            })
            .await?;
        record(
            &mut tx.h(),
            actor,
            "webhook-test",
            &format!("webhook {id}"),
            None,
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        self.inner.webhook_wakeup.notify_one();
        Ok(())
    }

    /// A page of a webhook's delivery log, newest first, older than `before`.
    pub async fn webhook_log(
        &self,
        actor: Actor<'_>,
        id: i64,
        before: Option<i64>,
    ) -> Result<DeliveryLog> {
        actor.require_admin()?;
        let mut conn = self.db().conn().await?;
        conn.h().webhook(id).await?;
        let mut deliveries = conn.h().deliveries(id, before, LOG_PAGE + 1).await?;
        let older = if deliveries.len() as i64 > LOG_PAGE {
            deliveries.truncate(LOG_PAGE as usize);
            deliveries.last().map(|d| d.webhook_delivery_id)
        } else {
            None
        };
        let attempts = match (deliveries.last(), deliveries.first()) {
            (Some(oldest), Some(newest)) => {
                conn.h()
                    .attempts(id, oldest.webhook_delivery_id, newest.webhook_delivery_id)
                    .await?
            }
            _ => Vec::new(),
        };
        Ok(DeliveryLog {
            deliveries: deliveries
                .into_iter()
                .map(crate::Delivery::from_row)
                .collect(),
            attempts: attempts
                .into_iter()
                .map(crate::DeliveryAttempt::from_row)
                .collect(),
            older,
        })
    }

    /// Queues a failed delivery again, with a fresh set of attempts; audited. `NotFound`
    /// when it is not a failed delivery of this webhook.
    pub async fn retry_webhook_delivery(
        &self,
        actor: Actor<'_>,
        id: i64,
        delivery: i64,
    ) -> Result<()> {
        actor.require_admin()?;
        let mut tx = self.db().begin().await?;
        if !tx
            .h()
            .retry_delivery(id, delivery, Timestamp::now())
            .await?
        {
            return Err(CoreError::NotFound);
        }
        record(
            &mut tx.h(),
            actor,
            "webhook-retry",
            &format!("webhook {id} delivery {delivery}"),
            None,
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        self.inner.webhook_wakeup.notify_one();
        Ok(())
    }
}

/// A webhook's settings for the audit log (never its secret).
fn describe(w: &WebhookAdmin) -> String {
    let events: Vec<&str> = w.events.iter().map(|e| e.as_str()).collect();
    format!(
        "url={} events={} active={} allow_private={} description={}",
        w.url,
        events.join(","),
        w.is_active,
        w.allow_private,
        w.description
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(url: &str, allow_private: bool, expected: Result<(), &str>) {
        assert_eq!(check_url(url, allow_private), expected, "{url}");
    }

    #[test]
    fn checks_target_urls() {
        check("https://hooks.example.org/tessera", false, Ok(()));
        check("http://93.184.216.34:8080/x", false, Ok(()));
        check(
            "http://127.0.0.1:9000/",
            false,
            Err("error-webhook-private"),
        );
        check("http://127.0.0.1:9000/", true, Ok(()));
        check("http://[::1]/", false, Err("error-webhook-private"));
        check(
            "http://[::ffff:10.0.0.1]/",
            false,
            Err("error-webhook-private"),
        );
        check(
            "http://169.254.169.254/latest",
            false,
            Err("error-webhook-private"),
        );
        check("http://0x7f000001/", false, Err("error-webhook-private"));
        check("ftp://example.org/", false, Err("error-webhook-url"));
        check(
            "https://user:pw@example.org/",
            false,
            Err("error-webhook-url"),
        );
        check("example.org", false, Err("error-webhook-url"));
        check("", false, Err("error-required"));
        // Names are resolved, and checked, at delivery.
        check("http://localhost:9000/", false, Ok(()));
    }

    #[test]
    fn signs_timestamp_and_body() {
        // HMAC-SHA256("secret", "1700000000.{}"), computed with Python's hmac module.
        assert_eq!(
            signature("secret", 1_700_000_000, b"{}"),
            "sha256=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
        );
    }

    #[test]
    fn maps_thread_events_to_webhook_events() {
        use serde_json::json;
        let check = |e: TicketEvent, event: Option<WebhookEvent>, change: serde_json::Value| {
            let got = hook_of(&e);
            assert_eq!(got.as_ref().map(|g| g.0), event, "{e:?}");
            if let Some((_, c)) = got {
                assert_eq!(c, change, "{e:?}");
            }
        };
        let s = |v: &str| v.to_owned();
        check(
            TicketEvent::Created {
                source: s("portal"),
            },
            None,
            json!(null),
        );
        check(
            TicketEvent::Status {
                from: s("open"),
                to: s("closed"),
            },
            Some(WebhookEvent::Status),
            json!({"field": "status", "from": "open", "to": "closed"}),
        );
        check(
            TicketEvent::Priority {
                from: s("normal"),
                to: s("high"),
            },
            Some(WebhookEvent::TicketUpdated),
            json!({"field": "priority", "from": "normal", "to": "high"}),
        );
        check(
            TicketEvent::Transferred {
                from: s("Presse"),
                to: s("IT"),
            },
            Some(WebhookEvent::TicketUpdated),
            json!({"field": "department", "from": "Presse", "to": "IT"}),
        );
        check(
            TicketEvent::Assigned {
                agent: Some(s("Nadine")),
                team: None,
            },
            Some(WebhookEvent::Assigned),
            json!({"field": "assignee", "to": {"agent": "Nadine", "team": null}}),
        );
        check(
            TicketEvent::Claimed,
            Some(WebhookEvent::Assigned),
            json!({"field": "claimed"}),
        );
        check(
            TicketEvent::Released,
            Some(WebhookEvent::TicketUpdated),
            json!({"field": "released"}),
        );
        check(
            TicketEvent::Due {
                due: s("2026-12-24"),
            },
            Some(WebhookEvent::TicketUpdated),
            json!({"field": "due", "to": "2026-12-24"}),
        );
        check(
            TicketEvent::CollaboratorAdded {
                email: s("a@example.org"),
            },
            Some(WebhookEvent::TicketUpdated),
            json!({"field": "collaborator_added", "to": "a@example.org"}),
        );
    }

    #[test]
    fn makes_version_4_uuids() {
        let u = uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_ne!(uuid(), u);
    }
}
