//! Delivers queued mail with retries and exponential backoff, as a job of the shared runner
//! (`jobs.rs`). Any number of workers (one per node) may run: claims are leases, so each due
//! mail is handed to one worker at a time. The mail worker's loop also carries the node's
//! once-a-second housekeeping: settings other nodes saved, interrupted inbound mail, overdue
//! tickets and SQLite's WAL checkpoint.

use std::time::Duration;

use tessera_domain::{TicketId, Timestamp};
use tessera_mail::{SmtpSettings, Transport};
use tessera_store::{Handle, MailKind, OutboxMail};
use tokio::sync::{Mutex, Notify, watch};

use crate::{
    Result, Tessera,
    jobs::{self, Attempt, Backoff, Clock, Failure, Job, Recorder, Settled},
    outbox,
};

/// The background mail deliverer.
pub struct MailWorker {
    app: Tessera,
    /// The transport and the SMTP settings it was built for; rebuilt when they change.
    transport: Mutex<Option<(Option<SmtpSettings>, Transport)>>,
    /// Set when a recorded outcome wrote to a ticket (a mail given up), so that the round
    /// says so after the commit.
    touched: std::sync::atomic::AtomicBool,
}

/// What the worker keeps of an attempt to record it.
#[derive(Debug)]
pub(crate) struct Tried {
    /// The mail's key.
    id: i64,
    /// The ticket it is about.
    ticket_id: Option<i64>,
    /// What it is for.
    kind: MailKind,
    /// Its recipients, one per line.
    recipients: String,
}

impl MailWorker {
    /// A worker delivering as the settings in force say (SMTP, or files).
    pub fn new(app: Tessera) -> Self {
        Self {
            app,
            transport: Mutex::new(None),
            touched: Default::default(),
        }
    }

    /// The transport for the settings in force.
    async fn transport(&self) -> std::result::Result<Transport, tessera_mail::TransportError> {
        let wanted = self.app.settings().smtp.clone();
        let mut slot = self.transport.lock().await;
        if let Some((built_for, t)) = slot.as_ref()
            && *built_for == wanted
        {
            return Ok(t.clone());
        }
        let t = match &wanted {
            Some(s) => Transport::smtp_with(s)?,
            None => Transport::Files(self.app.config().mail_dir.clone()),
        };
        tracing::info!(transport = ?t, "mail transport ready");
        *slot = Some((wanted, t.clone()));
        Ok(t)
    }

    /// Delivers every mail that is due now; returns how many were handled.
    pub async fn run_once(&self) -> Result<usize> {
        jobs::drain(self, Clock::Real).await
    }

    /// Delivers every mail due at `now`; returns how many were handled. Claims, retries and
    /// sending times are reckoned from `now`, so tests can step past a lease or through the
    /// retry schedule without waiting.
    pub async fn run_once_at(&self, now: Timestamp) -> Result<usize> {
        jobs::drain(self, Clock::At(now)).await
    }

    /// Runs until `shutdown` turns true: delivers what is due, then sleeps until the next
    /// mail falls due, new mail is queued on this node, or the poll interval passes.
    pub async fn run(self, shutdown: watch::Receiver<bool>) {
        jobs::serve(self, shutdown).await
    }
}

impl Job for MailWorker {
    type Item = OutboxMail;
    type Detail = Tried;

    const NAME: &'static str = "mail";
    const BATCH: i64 = 100;
    const POLL: Duration = Duration::from_secs(5);
    /// Each round takes a turn of SQLite's writer for its claim (and a place in a group
    /// commit for each mail's outcome), and under load the worker is woken for every mail
    /// queued: without a pause each round would carry a mail or two, and its claims would
    /// crowd the writer that the requests queueing mail are waiting for.
    const GATHER: Duration = Duration::from_millis(25);
    const HOUSEKEEPING: Duration = Duration::from_secs(1);

    fn app(&self) -> &Tessera {
        &self.app
    }

    fn wakeup(&self) -> &Notify {
        &self.app.inner.mail_wakeup
    }

    fn lease_ms(&self) -> i64 {
        self.app.config().mail_lease_ms
    }

    fn backoff(&self) -> Backoff {
        let cfg = self.app.config();
        Backoff {
            first_ms: cfg.mail_retry_base_ms,
            factor: 2,
            max_ms: cfg.mail_retry_max_ms,
            attempts: cfg.mail_max_attempts,
        }
    }

    async fn claim(
        &self,
        h: &mut Handle<'_>,
        now: Timestamp,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<OutboxMail>> {
        Ok(h.claim_mail(now, lease_ms, limit).await?)
    }

    /// One mail at a time, each recorded before the next is sent: a crash repeats at most
    /// the one whose answer had come and not yet been recorded.
    async fn run(
        &self,
        batch: Vec<OutboxMail>,
        _now: Timestamp,
        clock: Clock,
        rec: &mut Recorder<'_, Self>,
    ) -> Result<()> {
        let transport = self.transport().await;
        for mail in batch {
            let failure = self.send(&transport, &mail).await;
            rec.record(Attempt {
                detail: Tried {
                    id: mail.outbox_mail_id,
                    ticket_id: mail.ticket_id,
                    kind: MailKind::parse(&mail.kind),
                    recipients: mail.recipients,
                },
                attempts: mail.attempts,
                // A retry waits from its own failure.
                at: clock.now(),
                failure,
            })
            .await?;
            if self
                .touched
                .swap(false, std::sync::atomic::Ordering::Relaxed)
            {
                self.app.changed();
            }
        }
        Ok(())
    }

    /// Marks what went out sent; schedules a retry or gives up what failed. A confirmation
    /// or reply given up leaves an event on its ticket and alerts its agents, in the same
    /// transaction (`outbox::given_up`).
    async fn finish(
        &self,
        h: &mut Handle<'_>,
        outcomes: &[Settled<Tried>],
        now: Timestamp,
    ) -> Result<()> {
        let sent: Vec<i64> = outcomes
            .iter()
            .filter(|o| o.attempt.failure.is_none())
            .map(|o| o.attempt.detail.id)
            .collect();
        h.mails_sent(&sent, now).await?;
        for o in outcomes {
            let (a, mail) = (&o.attempt, &o.attempt.detail);
            let Some(f) = &a.failure else { continue };
            h.mail_failed(mail.id, &f.error, o.retry_at, a.at).await?;
            if o.retry_at.is_none()
                && outbox::alerts_when_given_up(mail.kind)
                && let Some(ticket) = mail.ticket_id
            {
                outbox::given_up(
                    &self.app,
                    h,
                    TicketId(ticket),
                    &mail.recipients,
                    &f.error,
                    now,
                )
                .await?;
                self.touched
                    .store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }
        Ok(())
    }

    async fn next_due(&self, h: &mut Handle<'_>) -> Result<Option<Timestamp>> {
        Ok(h.next_mail_due().await?)
    }

    async fn housekeeping(&self) -> Vec<(&'static str, crate::CoreError)> {
        let mut failed = Vec::new();
        // Picks up settings other nodes saved (this node's own apply at once).
        if let Err(e) = self.app.reload_settings().await {
            failed.push(("settings reload", e));
        }
        // Messages kept raw whose routing a crash interrupted (a minute old at least, so
        // that messages being routed right now are left alone).
        if let Err(e) = self.app.ingest_stored(20, 60).await {
            failed.push(("finishing kept mail", e));
        }
        if let Err(e) = self.app.alert_overdue().await {
            failed.push(("overdue check", e));
        }
        if let Err(e) = self.app.db().checkpoint().await {
            failed.push(("checkpoint", e.into()));
        }
        failed
    }
}

impl MailWorker {
    /// Sends one mail; why it failed, if it did.
    async fn send(
        &self,
        transport: &std::result::Result<Transport, tessera_mail::TransportError>,
        mail: &OutboxMail,
    ) -> Option<Failure> {
        // Written in the transaction that queued the mail, so never missing; should it be,
        // the mail fails for good rather than going out empty.
        if mail.raw.is_empty() {
            tracing::error!(message_id = %mail.message_id, "queued mail without its message");
            return Some(Failure {
                error: "the message is missing".to_owned(),
                permanent: true,
            });
        }
        let recipients: Vec<&str> = mail.recipients.lines().collect();
        // Signed as it leaves (not when queued): a key uploaded later signs what waits too.
        let settings = self.app.settings();
        let signed = settings
            .dkim
            .as_ref()
            .and_then(|d| d.key.as_ref())
            .and_then(|k| match k.sign(&mail.raw) {
                Ok(s) => Some(s),
                Err(e) => {
                    tracing::error!(message_id = %mail.message_id, error = %e, "DKIM signing failed; sent unsigned");
                    None
                }
            });
        let raw = signed.as_deref().unwrap_or(&mail.raw);
        let result = match transport {
            Ok(t) => {
                t.send(&mail.message_id, &mail.envelope_from, &recipients, raw)
                    .await
            }
            // Settings that cannot make a transport: keep the mail and retry, an
            // administrator will mend them.
            Err(e) => Err(tessera_mail::TransportError {
                permanent: false,
                message: e.message.clone(),
                kind: e.kind,
            }),
        };
        match result {
            Ok(()) => {
                tracing::info!(message_id = %mail.message_id, "mail delivered");
                None
            }
            Err(e) => {
                let give_up = e.permanent || self.backoff().delay_ms(mail.attempts).is_none();
                tracing::warn!(message_id = %mail.message_id, attempts = mail.attempts,
                    give_up, error = %e, "mail delivery failed");
                Some(Failure {
                    error: e.message,
                    permanent: e.permanent,
                })
            }
        }
    }
}
