//! Delivers queued webhook events, as a job of the shared runner (`jobs.rs`): POSTs the
//! stored JSON, signed, to the webhook's URL; 2xx is delivered, anything else is retried
//! with backoff (fourfold, `webhook::retry_delay_secs`) until the attempts are used up.
//! Every attempt is logged. Any number of workers (one per node) may run: claims are leases.
//!
//! The SSRF guard: unless a webhook allows private targets, a literal address in its URL is
//! checked before connecting, and names are resolved by `PublicOnly`, which refuses when
//! any address is loopback, private, link-local, … (`tessera_domain::webhook::classify`).
//! The client connects only to the addresses that resolver handed back, so a name that
//! resolves differently a moment later (DNS rebinding) cannot slip past the check.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::Arc,
    time::{Duration, Instant},
};

use tessera_domain::{Reason, Timestamp, webhook};
use tessera_store::{DueDelivery, Handle, WebhookRow};
use tokio::sync::{Notify, watch};

use crate::{
    Result, Tessera,
    jobs::{self, Attempt, Backoff, Clock, Failure, Job, Recorder, Settled},
    webhook::literal_refusal,
    webhook::signature,
};

/// How long one request may take, connecting included.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The retry schedule: 30 s, growing fourfold, capped at 8 h (`webhook::retry_delay_secs`
/// describes it and a test holds the two together).
const BACKOFF: Backoff = Backoff {
    first_ms: 30_000,
    factor: 4,
    max_ms: 8 * 3600 * 1000,
    attempts: webhook::MAX_ATTEMPTS,
};
/// How long finished deliveries stay in the log.
const KEEP_DAYS: i64 = 30;
/// How often old deliveries are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// A resolver that refuses names resolving to addresses a webhook may not reach.
struct PublicOnly;

/// A name resolved to an address that is not public.
#[derive(Debug)]
struct Refused {
    host: String,
    addr: std::net::IpAddr,
    why: webhook::Refusal,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "refused: {} resolves to {} ({} address); allow private targets to send there",
            self.host,
            self.addr,
            self.why.as_str()
        )
    }
}

impl std::error::Error for Refused {}

/// The kind of a refused address as a message argument (a Fluent selector).
fn kind_arg(why: webhook::Refusal) -> &'static str {
    match why {
        webhook::Refusal::Loopback => "loopback",
        webhook::Refusal::Private => "private",
        webhook::Refusal::LinkLocal => "link-local",
        webhook::Refusal::Unspecified => "unspecified",
        webhook::Refusal::Multicast => "multicast",
        webhook::Refusal::SharedAddress => "shared",
        webhook::Refusal::Reserved => "reserved",
    }
}

/// Why a request failed, to store: a name that resolved to a refused address is said as
/// such; anything else keeps the client's error chain as technical detail.
fn request_failed(e: &reqwest::Error) -> Reason {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<Refused>() {
            return Reason::new("webhook-fail-resolved")
                .arg("host", &r.host)
                .arg("address", r.addr.to_string())
                .arg("kind", kind_arg(r.why));
        }
        cur = err.source();
    }
    Reason::new("webhook-fail-request").arg("detail", chain(e))
}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some((addr, why)) = addrs
                .iter()
                .find_map(|a| webhook::classify(a.ip()).map(|w| (a.ip(), w)))
            {
                return Err(Box::new(Refused { host, addr, why }) as _);
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The background webhook deliverer.
pub struct WebhookWorker {
    app: Tessera,
    /// For webhooks that must reach public addresses only.
    public: reqwest::Client,
    /// For webhooks allowed to reach private addresses.
    private: reqwest::Client,
}

fn client(guarded: bool) -> reqwest::Client {
    let b = reqwest::Client::builder()
        .user_agent("Tessera-Webhook")
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .pool_max_idle_per_host(2);
    let b = if guarded {
        b.dns_resolver(Arc::new(PublicOnly))
    } else {
        b
    };
    b.build()
        .expect("a client without custom TLS settings always builds")
}

/// An error with its causes, for the log.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cur = s.source();
    }
    out
}

impl WebhookWorker {
    /// A worker for the application.
    pub fn new(app: Tessera) -> Self {
        Self {
            app,
            public: client(true),
            private: client(false),
        }
    }

    /// How long a claimed delivery is reserved: well beyond one request's `TIMEOUT`.
    pub const LEASE: Duration = Duration::from_secs(60);

    /// Delivers every delivery due at `now`; returns how many were attempted. Retries are
    /// scheduled from `now`, so tests can step through the schedule without waiting.
    pub async fn run_once_at(&self, now: Timestamp) -> Result<usize> {
        jobs::drain(self, Clock::At(now)).await
    }

    /// Forgets finished deliveries older than `KEEP_DAYS` before `now`; returns how many.
    pub async fn prune(&self, now: Timestamp) -> Result<u64> {
        let before = now.plus_secs(-KEEP_DAYS * 24 * 3600);
        let mut total = 0;
        loop {
            let mut tx = self.app.db().begin().await?;
            let n = tx.h().prune_deliveries(before, 1000).await?;
            tx.commit().await?;
            total += n;
            if n < 1000 {
                return Ok(total);
            }
        }
    }

    /// Delivers every delivery that is due now.
    pub async fn run_once(&self) -> Result<usize> {
        jobs::drain(self, Clock::Real).await
    }

    /// Runs until `shutdown` turns true: delivers what is due, then sleeps until the next
    /// delivery falls due, one is queued on this node, or the poll interval passes.
    pub async fn run(self, shutdown: watch::Receiver<bool>) {
        jobs::serve(self, shutdown).await
    }
}

impl Job for WebhookWorker {
    type Item = DueDelivery;
    type Detail = Sent;

    const NAME: &'static str = "webhooks";
    /// Deliveries claimed (and sent side by side) at once.
    const BATCH: i64 = 16;
    const POLL: Duration = Duration::from_secs(5);
    /// Pruning the log is the only housekeeping.
    const HOUSEKEEPING: Duration = PRUNE_EVERY;

    fn app(&self) -> &Tessera {
        &self.app
    }

    fn wakeup(&self) -> &Notify {
        &self.app.inner.webhook_wakeup
    }

    fn lease_ms(&self) -> i64 {
        Self::LEASE.as_millis() as i64
    }

    fn backoff(&self) -> Backoff {
        BACKOFF
    }

    async fn claim(
        &self,
        h: &mut Handle<'_>,
        now: Timestamp,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<DueDelivery>> {
        Ok(h.claim_deliveries(now, lease_ms, limit).await?)
    }

    async fn run(
        &self,
        batch: Vec<DueDelivery>,
        now: Timestamp,
        _clock: Clock,
        rec: &mut Recorder<'_, Self>,
    ) -> Result<()> {
        let mut hooks: HashMap<i64, Arc<WebhookRow>> = HashMap::new();
        let mut set = tokio::task::JoinSet::new();
        for d in batch {
            let hook = match hooks.get(&d.webhook_id) {
                Some(h) => h.clone(),
                None => match self.hook(d.webhook_id).await {
                    Ok(h) => {
                        let h = Arc::new(h);
                        hooks.insert(d.webhook_id, h.clone());
                        h
                    }
                    // Not attempted: the lease brings it back.
                    Err(e) => {
                        tracing::error!(error = %e, delivery = %d.uuid, "webhook for a delivery");
                        continue;
                    }
                },
            };
            let http = if hook.allow_private {
                self.private.clone()
            } else {
                self.public.clone()
            };
            set.spawn(async move { deliver(&http, &hook, d, now).await });
        }
        // Recorded as each finishes. A failed record does not stop the requests already
        // on their way; the first such error ends the round once they are all back.
        let mut failed = None;
        while let Some(r) = set.join_next().await {
            match r {
                Ok(o) => {
                    if failed.is_none()
                        && let Err(e) = rec.record(o).await
                    {
                        failed = Some(e);
                    }
                }
                // The lease brings an attempt that panicked back in time.
                Err(e) => tracing::error!(error = %e, "webhook delivery task"),
            }
        }
        failed.map_or(Ok(()), Err)
    }

    /// Logs the attempts and records their outcomes.
    async fn finish(
        &self,
        h: &mut Handle<'_>,
        outcomes: &[Settled<Sent>],
        _now: Timestamp,
    ) -> Result<()> {
        for o in outcomes {
            let (a, sent) = (&o.attempt, &o.attempt.detail);
            let error = a.failure.as_ref().map(|f| f.error.as_str());
            h.log_attempt(sent.id, a.at, sent.status, error, sent.duration_ms)
                .await?;
            match error {
                None => {
                    h.delivery_done(sent.id, sent.status.unwrap_or(200), a.at)
                        .await?
                }
                Some(e) => {
                    h.delivery_failed(sent.id, sent.status, e, o.retry_at)
                        .await?
                }
            }
        }
        Ok(())
    }

    async fn next_due(&self, h: &mut Handle<'_>) -> Result<Option<Timestamp>> {
        Ok(h.next_delivery_due().await?)
    }

    async fn housekeeping(&self) -> Vec<(&'static str, crate::CoreError)> {
        match self.prune(Timestamp::now()).await {
            Ok(_) => Vec::new(),
            Err(e) => vec![("pruning webhook deliveries", e)],
        }
    }
}

impl WebhookWorker {
    /// A delivery's webhook.
    async fn hook(&self, id: i64) -> Result<WebhookRow> {
        let mut conn = self.app.db().conn().await?;
        Ok(conn.h().webhook(id).await?)
    }
}

/// What an attempt keeps to be recorded.
#[derive(Debug)]
pub(crate) struct Sent {
    /// The delivery.
    id: i64,
    /// The HTTP status, if an answer came.
    status: Option<i64>,
    /// How long it took.
    duration_ms: i64,
}

/// One attempt of one delivery, claimed at `now`.
async fn deliver(
    http: &reqwest::Client,
    hook: &WebhookRow,
    d: DueDelivery,
    now: Timestamp,
) -> Attempt<Sent> {
    let started = Instant::now();
    // Deactivating a webhook stops what it had queued too (a test event still goes).
    let stopped = !hook.is_active && d.event != "test";
    let result = if stopped {
        Err(Reason::new("webhook-fail-inactive").encode())
    } else {
        attempt(http, hook, &d).await
    };
    let duration_ms = started.elapsed().as_millis() as i64;
    let (status, error) = match result {
        Ok(code) if (200..300).contains(&code) => (Some(code), None),
        Ok(code) => (Some(code), Some(format!("HTTP {code}"))),
        Err(e) => (None, Some(e)),
    };
    match &error {
        None => tracing::info!(delivery = %d.uuid, event = %d.event, "webhook delivered"),
        Some(e) => tracing::warn!(delivery = %d.uuid, attempts = d.attempts,
            give_up = stopped || BACKOFF.delay_ms(d.attempts).is_none(), error = %e,
            "webhook delivery failed"),
    }
    Attempt {
        detail: Sent {
            id: d.webhook_delivery_id,
            status,
            duration_ms,
        },
        attempts: d.attempts,
        at: now,
        failure: error.map(|error| Failure {
            error,
            permanent: stopped,
        }),
    }
}

/// Sends one request; the HTTP status, or why there was none.
async fn attempt(
    http: &reqwest::Client,
    hook: &WebhookRow,
    d: &DueDelivery,
) -> std::result::Result<i64, String> {
    let url = url::Url::parse(&hook.url).map_err(|e| {
        Reason::new("webhook-fail-url")
            .arg("detail", e.to_string())
            .encode()
    })?;
    if !hook.allow_private
        && let Some(why) = literal_refusal(&url)
    {
        return Err(Reason::new("webhook-fail-refused")
            .arg("host", url.host_str().unwrap_or_default())
            .arg("kind", kind_arg(why))
            .encode());
    }
    let timestamp = Timestamp::now().0 / 1_000_000;
    let body = d.payload.as_bytes().to_vec();
    let sig = signature(&hook.secret, timestamp, &body);
    let res = http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("X-Tessera-Event", &d.event)
        .header("X-Tessera-Delivery", &d.uuid)
        .header("X-Tessera-Timestamp", timestamp.to_string())
        .header("X-Tessera-Signature", sig)
        .body(body)
        .send()
        .await
        .map_err(|e| request_failed(&e).encode())?;
    Ok(i64::from(res.status().as_u16()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runner_retries_on_the_schedule_the_product_describes() {
        for attempts in 0..=20 {
            assert_eq!(
                BACKOFF.delay_ms(attempts),
                webhook::retry_delay_secs(attempts).map(|s| s * 1000),
                "after attempt {attempts}"
            );
        }
    }
}
