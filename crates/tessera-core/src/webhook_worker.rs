//! Delivers queued webhook events: POSTs the stored JSON, signed, to the webhook's URL;
//! 2xx is delivered, anything else is retried with backoff (`webhook::retry_delay_secs`)
//! until the attempts are used up. Every attempt is logged. Any number of workers (one per
//! node) may run: claims are leases.
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
use tessera_store::{DueDelivery, WebhookRow};
use tokio::sync::watch;

use crate::{Result, Tessera, webhook::literal_refusal, webhook::signature};

/// How often to look for deliveries queued by other nodes.
const POLL: Duration = Duration::from_secs(5);
/// How long one request may take, connecting included.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claimed delivery is reserved: well beyond `TIMEOUT`.
const LEASE_MS: i64 = 60_000;
/// Deliveries claimed (and sent side by side) at once.
const BATCH: i64 = 16;
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

    /// Delivers every delivery due at `now`; returns how many were attempted. Retries are
    /// scheduled from `now`, so tests can step through the schedule without waiting.
    pub async fn run_once_at(&self, now: Timestamp) -> Result<usize> {
        let mut handled = 0;
        let mut hooks: HashMap<i64, Arc<WebhookRow>> = HashMap::new();
        loop {
            let batch = {
                let mut tx = self.app.db().begin().await?;
                let batch = tx.h().claim_deliveries(now, LEASE_MS, BATCH).await?;
                tx.commit().await?;
                batch
            };
            if batch.is_empty() {
                return Ok(handled);
            }
            let mut set = tokio::task::JoinSet::new();
            for d in batch {
                handled += 1;
                let hook = match hooks.get(&d.webhook_id) {
                    Some(h) => h.clone(),
                    None => {
                        let mut conn = self.app.db().conn().await?;
                        let h = Arc::new(conn.h().webhook(d.webhook_id).await?);
                        hooks.insert(d.webhook_id, h.clone());
                        h
                    }
                };
                let http = if hook.allow_private {
                    self.private.clone()
                } else {
                    self.public.clone()
                };
                set.spawn(async move { deliver(&http, &hook, d, now).await });
            }
            let mut outcomes = Vec::new();
            while let Some(r) = set.join_next().await {
                match r {
                    Ok(o) => outcomes.push(o),
                    // The lease brings an attempt that panicked back in time.
                    Err(e) => tracing::error!(error = %e, "webhook delivery task"),
                }
            }
            record(&self.app, &outcomes, now).await?;
        }
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
        self.run_once_at(Timestamp::now()).await
    }

    /// Runs until `shutdown` turns true: delivers what is due, then sleeps until the next
    /// delivery falls due, one is queued on this node, or the poll interval passes.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut pruned: Option<Instant> = None;
        loop {
            if *shutdown.borrow() {
                return;
            }
            if pruned.is_none_or(|at| at.elapsed() >= PRUNE_EVERY) {
                pruned = Some(Instant::now());
                if let Err(e) = self.prune(Timestamp::now()).await {
                    tracing::error!(error = %e, "pruning webhook deliveries");
                }
            }
            if let Err(e) = self.run_once().await {
                tracing::error!(error = %e, "webhook worker");
            }
            let due = async {
                let mut conn = self.app.db().conn().await.ok()?;
                conn.h().next_delivery_due().await.ok().flatten()
            }
            .await;
            let wait = match due {
                Some(due) => {
                    let ms = (due.0 - Timestamp::now().0) / 1000;
                    Duration::from_millis(ms.max(0) as u64).min(POLL)
                }
                None => POLL,
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.app.inner.webhook_wakeup.notified() => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}

/// What one attempt came to, for the batch's bookkeeping transaction.
struct Outcome {
    delivery: DueDelivery,
    status: Option<i64>,
    error: Option<String>,
    duration_ms: i64,
    /// When to try again after a failure; `None` gives up.
    retry_at: Option<Timestamp>,
}

/// One attempt of one delivery.
async fn deliver(
    http: &reqwest::Client,
    hook: &WebhookRow,
    d: DueDelivery,
    now: Timestamp,
) -> Outcome {
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
    let retry_at = webhook::retry_delay_secs(d.attempts)
        .filter(|_| !stopped)
        .map(|s| now.plus_secs(s));
    match &error {
        None => tracing::info!(delivery = %d.uuid, event = %d.event, "webhook delivered"),
        Some(e) => tracing::warn!(delivery = %d.uuid, attempts = d.attempts,
            give_up = retry_at.is_none(), error = %e, "webhook delivery failed"),
    }
    Outcome {
        delivery: d,
        status,
        error,
        duration_ms,
        retry_at,
    }
}

/// Logs a batch's attempts and records their outcomes, in one transaction (one commit for
/// the batch rather than two per delivery). A crash before it commits only means the batch
/// is sent again once its lease runs out: receivers see a delivery at least once.
async fn record(app: &Tessera, outcomes: &[Outcome], now: Timestamp) -> Result<()> {
    let mut tx = app.db().begin().await?;
    for o in outcomes {
        let id = o.delivery.webhook_delivery_id;
        tx.h()
            .log_attempt(id, now, o.status, o.error.as_deref(), o.duration_ms)
            .await?;
        match &o.error {
            None => {
                tx.h()
                    .delivery_done(id, o.status.unwrap_or(200), now)
                    .await?
            }
            Some(e) => tx.h().delivery_failed(id, o.status, e, o.retry_at).await?,
        }
    }
    tx.commit().await?;
    Ok(())
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
