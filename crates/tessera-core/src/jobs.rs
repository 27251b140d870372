//! Background jobs worked from leased queues: one abstraction (`Job`) and one runner that
//! the mail worker (`worker.rs`) and the webhook worker (`webhook_worker.rs`) share.
//!
//! A round claims a batch in a transaction of its own and commits the claim before any work
//! starts (the lease is what keeps other workers off it, on this node and on others). The
//! job works the batch and hands each attempt, as soon as it is made, to the `Recorder`,
//! which records its outcome (with the next attempt the retry schedule gives a failure) in a
//! transaction of its own before the job goes on. So a worker that dies mid-batch repeats at
//! most the attempts in flight (the mail worker has one at a time: one message): the rows it
//! had not recorded stay pending and go again when the lease runs out. A record that fails
//! ends the round; what was not attempted yet waits for its lease. Rounds repeat until
//! nothing is due. (Until issue 22 the outcomes of a batch were recorded together at its
//! end, and a crash re-sent every mail of the batch that had already gone out.)
//!
//! Between rounds the runner does the job's housekeeping (at most as often as the job asks),
//! then sleeps until the next row falls due, the job's wake-up `Notify` fires (this node
//! queued something, after commit) or the poll interval passes (another node may have).
//! A round that fails (the database full, locked or gone) puts the runner into `Trouble`:
//! it waits 1 s, then twice as long after each further failure up to a minute, deaf to
//! wake-ups meanwhile, logs the first failure, at most one line a minute while it lasts and
//! the recovery, and goes on by itself once a round succeeds. Housekeeping that fails has a
//! `Trouble` of its own: it is held back as long and logged as sparingly.

use std::{
    future::Future,
    time::{Duration, Instant},
};

use tessera_domain::Timestamp;
use tessera_store::Handle;
use tokio::sync::{Notify, watch};

use crate::{Result, Tessera};

/// Which clock a round reads: the real one, or a fixed instant for tests stepping through a
/// retry schedule without waiting.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Clock {
    /// The wall clock.
    Real,
    /// Always this instant.
    At(Timestamp),
}

impl Clock {
    /// The time now, on this clock.
    pub(crate) fn now(self) -> Timestamp {
        match self {
            Clock::Real => Timestamp::now(),
            Clock::At(t) => t,
        }
    }
}

/// A retry schedule: the first retry after `first_ms`, each next one `factor` times later,
/// capped at `max_ms`; none once `attempts` attempts were made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    /// The wait after the first failed attempt.
    pub(crate) first_ms: i64,
    /// How much longer each next wait is.
    pub(crate) factor: i64,
    /// The longest wait.
    pub(crate) max_ms: i64,
    /// How many attempts are made in all.
    pub(crate) attempts: i64,
}

impl Backoff {
    /// How long to wait after the `attempts`-th failed attempt; `None` once they are used up.
    pub(crate) fn delay_ms(&self, attempts: i64) -> Option<i64> {
        if attempts >= self.attempts {
            return None;
        }
        // Past 31 steps any factor above one has long reached the cap.
        let exp = (attempts.clamp(1, 32) - 1) as u32;
        Some(
            self.first_ms
                .saturating_mul(self.factor.saturating_pow(exp))
                .min(self.max_ms),
        )
    }
}

/// Why an attempt failed.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    /// What to record (a `Reason` encoding, or a remote server's own words).
    pub(crate) error: String,
    /// Whether trying again cannot help.
    pub(crate) permanent: bool,
}

/// What one attempt of one claimed item came to.
#[derive(Debug)]
pub(crate) struct Attempt<D> {
    /// What the job needs to record it (keys, status codes, durations…).
    pub(crate) detail: D,
    /// Attempts made so far, this one included (as the claim counted them).
    pub(crate) attempts: i64,
    /// When it ran; a retry is scheduled from here.
    pub(crate) at: Timestamp,
    /// Why it failed; `None` when it succeeded.
    pub(crate) failure: Option<Failure>,
}

/// An attempt with what comes next, as the job records it.
#[derive(Debug)]
pub(crate) struct Settled<D> {
    /// The attempt.
    pub(crate) attempt: Attempt<D>,
    /// When to try again after a failure; `None` after a success or when giving up.
    pub(crate) retry_at: Option<Timestamp>,
}

impl<D> Settled<D> {
    /// The next attempt for `attempt` under `backoff`.
    fn new(attempt: Attempt<D>, backoff: Backoff) -> Self {
        let retry_at = match &attempt.failure {
            Some(f) if !f.permanent => backoff
                .delay_ms(attempt.attempts)
                .map(|ms| attempt.at.plus_millis(ms)),
            _ => None,
        };
        Settled { attempt, retry_at }
    }
}

/// Work claimed from a leased queue. The runner owns the transactions: `claim` and `finish`
/// get a handle inside one and must not commit; `run` gets no transaction and writes
/// nothing itself: it hands every attempt to the `Recorder` (which calls `finish` for it in
/// a transaction of its own) as soon as it is made, and nothing counts as done before that
/// commit.
pub(crate) trait Job: Send + Sync {
    /// One claimed row.
    type Item: Send;
    /// What the job keeps of an attempt to record it.
    type Detail: Send + Sync;

    /// For the log.
    const NAME: &'static str;
    /// The most rows one claim takes.
    const BATCH: i64;
    /// How often to look for rows queued by other nodes.
    const POLL: Duration;
    /// The least time between the starts of two rounds that found work (zero: none).
    const GATHER: Duration = Duration::ZERO;
    /// The least time between two housekeepings.
    const HOUSEKEEPING: Duration;

    /// The application.
    fn app(&self) -> &Tessera;
    /// Fired after commit when this node queued work for the job.
    fn wakeup(&self) -> &Notify;
    /// How long a claim keeps other workers off a row: well beyond one attempt's time.
    fn lease_ms(&self) -> i64;
    /// When to try again after a failure.
    fn backoff(&self) -> Backoff;

    /// Claims up to `limit` rows due at `now`, for `lease_ms`.
    fn claim(
        &self,
        h: &mut Handle<'_>,
        now: Timestamp,
        lease_ms: i64,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<Self::Item>>> + Send;

    /// Works a claimed batch (claimed at `now`), handing each attempt to `rec` as soon as it
    /// is made; stops at the first record that fails and returns its error. An item without
    /// a recorded attempt (a task that panicked, a batch cut short) goes again when its
    /// lease runs out.
    fn run(
        &self,
        batch: Vec<Self::Item>,
        now: Timestamp,
        clock: Clock,
        rec: &mut Recorder<'_, Self>,
    ) -> impl Future<Output = Result<()>> + Send
    where
        Self: Sized;

    /// Records outcomes (finished at `now`); the runner hands it one at a time.
    fn finish(
        &self,
        h: &mut Handle<'_>,
        outcomes: &[Settled<Self::Detail>],
        now: Timestamp,
    ) -> impl Future<Output = Result<()>> + Send;

    /// When the next row falls due, if any.
    fn next_due(
        &self,
        h: &mut Handle<'_>,
    ) -> impl Future<Output = Result<Option<Timestamp>>> + Send;

    /// Work besides the queue, done between rounds at most every `HOUSEKEEPING`; what
    /// failed (a name for the log and the error), which the runner logs at a bounded rate.
    fn housekeeping(&self) -> impl Future<Output = Vec<(&'static str, crate::CoreError)>> + Send;
}

/// Works every row due on `clock` until none is left; returns how many were attempted.
pub(crate) async fn drain<J: Job>(job: &J, clock: Clock) -> Result<usize> {
    let db = job.app().db();
    let mut handled = 0;
    loop {
        let now = clock.now();
        let batch = {
            let mut tx = db.begin().await?;
            let batch = job
                .claim(&mut tx.h(), now, job.lease_ms(), J::BATCH)
                .await?;
            tx.commit().await?;
            batch
        };
        if batch.is_empty() {
            return Ok(handled);
        }
        handled += batch.len();
        let mut rec = Recorder { job, clock };
        job.run(batch, now, clock, &mut rec).await?;
    }
}

/// Records each attempt of a round as it is made, in a transaction of its own: one commit
/// (on SQLite a place in one of the writer's group commits) per attempt, so that what went
/// out is marked before the next goes.
pub(crate) struct Recorder<'a, J: Job> {
    job: &'a J,
    clock: Clock,
}

impl<J: Job> Recorder<'_, J> {
    /// Records `attempt` with the next attempt the job's retry schedule gives a failure;
    /// done once this returns `Ok`.
    pub(crate) async fn record(&mut self, attempt: Attempt<J::Detail>) -> Result<()> {
        let settled = [Settled::new(attempt, self.job.backoff())];
        let mut tx = self.job.app().db().begin().await?;
        self.job
            .finish(&mut tx.h(), &settled, self.clock.now())
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The runner's state after failed rounds: how long to wait before the next and whether to
/// say so in the log. Pure logic over instants handed in, so it is tested without waiting.
#[derive(Debug, Default)]
pub(crate) struct Trouble {
    /// Rounds failed in a row.
    failures: u32,
    /// When the log last heard of it.
    logged: Option<Instant>,
}

/// The wait after the first failed round.
const TROUBLE_FIRST: Duration = Duration::from_secs(1);
/// The longest wait between failed rounds.
const TROUBLE_MAX: Duration = Duration::from_secs(60);
/// The least time between two log lines about the same trouble.
const TROUBLE_LOG_EVERY: Duration = Duration::from_secs(60);

/// What to do after a failed round.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// How long to wait before the next round.
    pub(crate) wait: Duration,
    /// Whether to log this failure (the first, or the first for a while).
    pub(crate) log: bool,
    /// Rounds failed in a row, this one included.
    pub(crate) failures: u32,
}

impl Trouble {
    /// A round failed at `now`.
    pub(crate) fn failed(&mut self, now: Instant) -> Verdict {
        self.failures = self.failures.saturating_add(1);
        let exp = (self.failures - 1).min(16);
        let wait = TROUBLE_FIRST.saturating_mul(1 << exp).min(TROUBLE_MAX);
        let log = self
            .logged
            .is_none_or(|at| now.saturating_duration_since(at) >= TROUBLE_LOG_EVERY);
        if log {
            self.logged = Some(now);
        }
        Verdict {
            wait,
            log,
            failures: self.failures,
        }
    }

    /// A round succeeded; how many had failed in a row before it, if any (to log once).
    pub(crate) fn recovered(&mut self) -> Option<u32> {
        let failures = std::mem::take(&mut self.failures);
        self.logged = None;
        (failures > 0).then_some(failures)
    }

    /// Whether the last round failed.
    pub(crate) fn is_failing(&self) -> bool {
        self.failures > 0
    }
}

/// How long to sleep before looking again: until `due`, at most `poll`.
fn wait(due: Option<Timestamp>, now: Timestamp, poll: Duration) -> Duration {
    match due {
        Some(due) => {
            let ms = (due.0 - now.0) / 1000;
            Duration::from_millis(ms.max(0) as u64).min(poll)
        }
        None => poll,
    }
}

/// How long to hold the next round back, when the last one that found work began at
/// `last` (`None`: after a quiet spell, which starts at once).
fn pause(last: Option<Instant>, gather: Duration) -> Option<Duration> {
    last.and_then(|r| gather.checked_sub(r.elapsed()))
        .filter(|d| !d.is_zero())
}

/// Runs `job` until `shutdown` turns true.
pub(crate) async fn serve<J: Job>(job: J, mut shutdown: watch::Receiver<bool>) {
    // When housekeeping is due next.
    let mut housekept: Option<Instant> = None;
    let mut round: Option<Instant> = None;
    let mut trouble = Trouble::default();
    // Housekeeping's own: it may fail while the queue works (and the other way round).
    let mut kept_trouble = Trouble::default();
    loop {
        if *shutdown.borrow() {
            return;
        }
        // Between rounds, not before each: the loop may wake hundreds of times a second
        // under load, and housekeeping looks at whole tables.
        // Not while the store fails: it would fail too. Failing housekeeping waits longer
        // each time too (at least `HOUSEKEEPING`) and is logged at a bounded rate.
        if !trouble.is_failing() && housekept.is_none_or(|at| Instant::now() >= at) {
            let failed = job.housekeeping().await;
            let now = Instant::now();
            let mut wait = J::HOUSEKEEPING;
            if failed.is_empty() {
                if let Some(failures) = kept_trouble.recovered() {
                    tracing::warn!(job = J::NAME, failures, "housekeeping works again");
                }
            } else {
                let v = kept_trouble.failed(now);
                if v.log {
                    for (what, e) in &failed {
                        tracing::error!(error = %e, kind = ?e.kind(), job = J::NAME, what,
                            failures = v.failures, "housekeeping failed");
                    }
                }
                wait = wait.max(v.wait);
            }
            housekept = Some(now + wait);
        }
        if let Some(left) = pause(round, J::GATHER) {
            tokio::select! {
                _ = tokio::time::sleep(left) => {}
                _ = shutdown.changed() => {}
            }
        }
        let started = Instant::now();
        match drain(&job, Clock::Real).await {
            // Only a round that found work paces the next.
            Ok(n) => {
                round = (n > 0).then_some(started);
                if let Some(failures) = trouble.recovered() {
                    tracing::warn!(job = J::NAME, failures, "background job works again");
                }
            }
            Err(e) => {
                round = None;
                let v = trouble.failed(Instant::now());
                if v.log {
                    tracing::error!(error = %e, kind = ?e.kind(), job = J::NAME,
                        failures = v.failures, retry_in_s = v.wait.as_secs(),
                        "background job failed; backing off");
                }
                // Deaf to wake-ups: under load every request that queues work would wake a
                // runner whose store is broken.
                tokio::select! {
                    _ = tokio::time::sleep(v.wait) => {}
                    _ = shutdown.changed() => {}
                }
                continue;
            }
        }
        let due = async {
            let mut conn = job.app().db().conn().await.ok()?;
            job.next_due(&mut conn.h()).await.ok().flatten()
        }
        .await;
        tokio::select! {
            _ = tokio::time::sleep(wait(due, Timestamp::now(), J::POLL)) => {}
            _ = job.wakeup().notified() => {}
            _ = shutdown.changed() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOUBLING: Backoff = Backoff {
        first_ms: 100,
        factor: 2,
        max_ms: 1000,
        attempts: 6,
    };

    fn attempt(attempts: i64, failure: Option<(&str, bool)>) -> Attempt<()> {
        Attempt {
            detail: (),
            attempts,
            at: Timestamp(1_000_000),
            failure: failure.map(|(e, permanent)| Failure {
                error: e.into(),
                permanent,
            }),
        }
    }

    #[test]
    fn waits_grow_by_the_factor_up_to_the_cap_and_end_with_the_attempts() {
        let waits: Vec<_> = (0..=7).map(|n| DOUBLING.delay_ms(n)).collect();
        assert_eq!(
            waits,
            [
                Some(100),
                Some(100),
                Some(200),
                Some(400),
                Some(800),
                Some(1000),
                None,
                None
            ]
        );
        // Far past the point where the factor overflows, the cap still holds.
        let endless = Backoff {
            attempts: i64::MAX,
            ..DOUBLING
        };
        assert_eq!(endless.delay_ms(1_000_000), Some(1000));
        let fourfold = Backoff {
            factor: 4,
            max_ms: i64::MAX,
            ..endless
        };
        assert_eq!(fourfold.delay_ms(3), Some(1600));
        assert_eq!(fourfold.delay_ms(200), Some(i64::MAX));
    }

    #[test]
    fn a_failure_is_retried_from_its_attempt_unless_permanent_or_the_last() {
        let s = Settled::new(attempt(2, Some(("HTTP 500", false))), DOUBLING);
        assert_eq!(s.retry_at, Some(Timestamp(1_000_000).plus_millis(200)));
        let s = Settled::new(attempt(2, Some(("550 no such user", true))), DOUBLING);
        assert_eq!(s.retry_at, None, "permanent: given up at once");
        let s = Settled::new(attempt(6, Some(("HTTP 500", false))), DOUBLING);
        assert_eq!(s.retry_at, None, "the last attempt");
        let s = Settled::new(attempt(1, None), DOUBLING);
        assert_eq!(s.retry_at, None, "done");
    }

    #[test]
    fn sleeps_until_the_next_due_row_but_never_past_the_poll() {
        let now = Timestamp(10_000_000);
        let poll = Duration::from_secs(5);
        assert_eq!(wait(None, now, poll), poll);
        assert_eq!(
            wait(Some(now.plus_millis(1500)), now, poll),
            Duration::from_millis(1500)
        );
        assert_eq!(wait(Some(now.plus_secs(60)), now, poll), poll);
        assert_eq!(wait(Some(now.plus_secs(-3)), now, poll), Duration::ZERO);
    }

    #[test]
    fn failed_rounds_wait_longer_up_to_a_minute_and_log_once_a_minute_at_most() {
        let t0 = Instant::now();
        let mut t = Trouble::default();
        let mut waits = Vec::new();
        let mut logged = 0;
        let mut at = t0;
        // A store broken for an hour: each round waits as told before the next.
        while at < t0 + Duration::from_secs(3600) {
            let v = t.failed(at);
            waits.push(v.wait.as_secs());
            logged += usize::from(v.log);
            at += v.wait;
        }
        assert_eq!(waits[..8], [1, 2, 4, 8, 16, 32, 60, 60]);
        assert!(waits.iter().all(|&w| w <= 60));
        // An hour of failures is about 66 rounds, not millions, and 60 log lines at most.
        assert!(waits.len() < 70, "{} rounds", waits.len());
        assert!((55..=61).contains(&logged), "{logged} lines");
        assert!(t.is_failing());
        assert_eq!(t.recovered(), Some(waits.len() as u32));
        assert!(!t.is_failing());
        assert_eq!(t.recovered(), None, "recovery is said once");
        // Broken again later: the first failure is logged at once and waits a second.
        let v = t.failed(at);
        assert_eq!(
            (v.wait, v.log, v.failures),
            (Duration::from_secs(1), true, 1)
        );
        // Failures in quick succession are not each logged.
        let v = t.failed(at + Duration::from_millis(10));
        assert!(!v.log);
    }

    #[test]
    fn only_a_round_that_found_work_holds_the_next_back() {
        let gather = Duration::from_millis(25);
        assert_eq!(pause(None, gather), None);
        let left = pause(Some(Instant::now()), gather).unwrap();
        assert!(left > Duration::ZERO && left <= gather);
        let long_ago = Instant::now() - Duration::from_secs(1);
        assert_eq!(pause(Some(long_ago), gather), None);
        assert_eq!(pause(Some(Instant::now()), Duration::ZERO), None);
    }
}
