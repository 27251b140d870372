//! Delivers queued mail with retries and exponential backoff. Any number of workers (one per
//! node) may run: claims are leases, so each due mail is handed to one worker at a time.

use std::time::Duration;

use tessera_domain::Timestamp;
use tessera_mail::{SmtpSettings, Transport};
use tokio::sync::{Mutex, watch};

use crate::{Result, Tessera};

/// How often to look for mail queued by other nodes.
const POLL: Duration = Duration::from_secs(5);

/// The least time between the starts of two delivery rounds while mail keeps coming. Each
/// round is two turns of SQLite's writer (the claim and the outcomes), and under load the
/// worker is woken for every mail queued: without a pause each round would carry a mail or
/// two, and its turns would crowd the writer that the requests queueing mail are waiting
/// for. A round after a quiet spell starts at once.
const GATHER: Duration = Duration::from_millis(25);

/// The most mails one claim takes.
const BATCH: i64 = 100;

/// How often the worker finishes interrupted inbound mail, looks for overdue tickets and
/// checkpoints SQLite's WAL.
const HOUSEKEEPING: Duration = Duration::from_secs(1);

/// The background mail deliverer.
pub struct MailWorker {
    app: Tessera,
    /// The transport and the SMTP settings it was built for; rebuilt when they change.
    transport: Mutex<Option<(Option<SmtpSettings>, Transport)>>,
}

impl MailWorker {
    /// A worker delivering as the settings in force say (SMTP, or files).
    pub fn new(app: Tessera) -> Self {
        Self {
            app,
            transport: Mutex::new(None),
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

    fn backoff_ms(&self, attempts: i64) -> i64 {
        let cfg = self.app.config();
        let exp = attempts.clamp(1, 30) - 1;
        cfg.mail_retry_base_ms
            .saturating_mul(1i64 << exp)
            .min(cfg.mail_retry_max_ms)
    }

    /// Delivers every mail that is due now; returns how many were handled.
    pub async fn run_once(&self) -> Result<usize> {
        let mut handled = 0;
        loop {
            let batch = {
                let mut tx = self.app.db().begin().await?;
                let batch = tx
                    .h()
                    .claim_mail(Timestamp::now(), self.app.config().mail_lease_ms, BATCH)
                    .await?;
                tx.commit().await?;
                batch
            };
            if batch.is_empty() {
                return Ok(handled);
            }
            let transport = self.transport().await;
            let mut sent = Vec::with_capacity(batch.len());
            let mut failed = Vec::new();
            for mail in batch {
                handled += 1;
                // Written in the transaction that queued the mail, so never missing; should
                // it be, the mail fails for good rather than going out empty.
                if mail.raw.is_empty() {
                    tracing::error!(message_id = %mail.message_id, "queued mail without its message");
                    failed.push((
                        mail.outbox_mail_id,
                        "the message is missing".to_owned(),
                        None,
                    ));
                    continue;
                }
                let recipients: Vec<&str> = mail.recipients.lines().collect();
                let result = match &transport {
                    Ok(t) => {
                        t.send(
                            &mail.message_id,
                            &mail.envelope_from,
                            &recipients,
                            &mail.raw,
                        )
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
                        sent.push(mail.outbox_mail_id);
                    }
                    Err(e) => {
                        let give_up =
                            e.permanent || mail.attempts >= self.app.config().mail_max_attempts;
                        let retry = (!give_up)
                            .then(|| Timestamp::now().plus_millis(self.backoff_ms(mail.attempts)));
                        tracing::warn!(message_id = %mail.message_id, attempts = mail.attempts,
                            give_up, error = %e, "mail delivery failed");
                        failed.push((mail.outbox_mail_id, e.message, retry));
                    }
                }
            }
            // The batch's outcomes in one transaction: one commit (on SQLite one turn of the
            // writer) per batch, not one per mail. A crash before it leaves the mails
            // pending; their lease runs out and they go again (at least once, as before).
            let mut tx = self.app.db().begin().await?;
            tx.h().mails_sent(&sent, Timestamp::now()).await?;
            for (id, error, retry) in &failed {
                tx.h().mail_failed(*id, error, *retry).await?;
            }
            tx.commit().await?;
        }
    }

    /// Runs until `shutdown` turns true: delivers what is due, then sleeps until the next
    /// mail falls due, new mail is queued on this node, or the poll interval passes.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut settings_read = std::time::Instant::now();
        let mut housekeeping = None;
        let mut round: Option<std::time::Instant> = None;
        loop {
            if *shutdown.borrow() {
                return;
            }
            // Picks up settings other nodes saved (this node's own apply at once); the loop
            // also wakes on every local change, so read them at most once a second.
            if settings_read.elapsed() >= Duration::from_secs(1) {
                settings_read = std::time::Instant::now();
                if let Err(e) = self.app.reload_settings().await {
                    tracing::error!(error = %e, "settings reload");
                }
            }
            // Housekeeping at most once a second: the loop wakes for every mail queued on
            // this node, hundreds of times a second under load, and these look at whole
            // tables.
            if housekeeping.is_none_or(|at: std::time::Instant| at.elapsed() >= HOUSEKEEPING) {
                housekeeping = Some(std::time::Instant::now());
                // Messages kept raw whose routing a crash interrupted (a minute old at
                // least, so that messages being routed right now are left alone).
                if let Err(e) = self.app.ingest_stored(20, 60).await {
                    tracing::error!(error = %e, "finishing kept mail");
                }
                if let Err(e) = self.app.alert_overdue().await {
                    tracing::error!(error = %e, "overdue check");
                }
                if let Err(e) = self.app.db().checkpoint().await {
                    tracing::error!(error = %e, "checkpoint");
                }
            }
            if let Some(left) = round.and_then(|r| GATHER.checked_sub(r.elapsed())) {
                tokio::select! {
                    _ = tokio::time::sleep(left) => {}
                    _ = shutdown.changed() => {}
                }
            }
            let started = std::time::Instant::now();
            match self.run_once().await {
                // Only a round that delivered paces the next: after a quiet spell the
                // next mail goes at once.
                Ok(n) => round = (n > 0).then_some(started),
                Err(e) => {
                    round = None;
                    tracing::error!(error = %e, "mail worker");
                }
            }
            let wait = match self.next_due().await {
                Some(due) => {
                    let ms = (due.0 - Timestamp::now().0) / 1000;
                    Duration::from_millis(ms.max(0) as u64).min(POLL)
                }
                None => POLL,
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.app.inner.mail_wakeup.notified() => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    async fn next_due(&self) -> Option<Timestamp> {
        let mut conn = self.app.db().conn().await.ok()?;
        conn.h().next_mail_due().await.ok().flatten()
    }
}
