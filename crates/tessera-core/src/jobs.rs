//! Background jobs worked from leased queues: one abstraction (`Job`) and one runner that
//! the mail worker (`worker.rs`) and the webhook worker (`webhook_worker.rs`) share.
//!
//! A round claims a batch in a transaction of its own and commits the claim before any work
//! starts (the lease is what keeps other workers off it, on this node and on others). The
//! job works the batch; every attempt's outcome, with the next attempt the retry schedule
//! gives a failure, is then recorded in one transaction. Nothing is acknowledged before that
//! commit: a worker that dies between claim and record leaves the rows pending, and they go
//! again when the lease runs out (at least once). Rounds repeat until nothing is due.
//!
//! Between rounds the runner does the job's housekeeping (at most as often as the job asks),
//! then sleeps until the next row falls due, the job's wake-up `Notify` fires (this node
//! queued something, after commit) or the poll interval passes (another node may have).

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
/// nothing, so nothing a job does while working counts as done before `finish` commits.
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

    /// Works a claimed batch (claimed at `now`); an item without an attempt in the answer
    /// (a task that panicked) goes again when its lease runs out.
    fn run(
        &self,
        batch: Vec<Self::Item>,
        now: Timestamp,
        clock: Clock,
    ) -> impl Future<Output = Vec<Attempt<Self::Detail>>> + Send;

    /// Records a batch's outcomes (finished at `now`).
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

    /// Work besides the queue, done between rounds at most every `HOUSEKEEPING`; it logs
    /// its own failures.
    fn housekeeping(&self) -> impl Future<Output = ()> + Send;
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
        let attempts = job.run(batch, now, clock).await;
        let backoff = job.backoff();
        let settled: Vec<_> = attempts
            .into_iter()
            .map(|a| Settled::new(a, backoff))
            .collect();
        // One transaction for the batch's outcomes: one commit (on SQLite one turn of the
        // writer) per batch, not one per item.
        let mut tx = db.begin().await?;
        job.finish(&mut tx.h(), &settled, clock.now()).await?;
        tx.commit().await?;
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
    let mut housekept: Option<Instant> = None;
    let mut round: Option<Instant> = None;
    loop {
        if *shutdown.borrow() {
            return;
        }
        // Between rounds, not before each: the loop may wake hundreds of times a second
        // under load, and housekeeping looks at whole tables.
        if housekept.is_none_or(|at| at.elapsed() >= J::HOUSEKEEPING) {
            housekept = Some(Instant::now());
            job.housekeeping().await;
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
            Ok(n) => round = (n > 0).then_some(started),
            Err(e) => {
                round = None;
                tracing::error!(error = %e, job = J::NAME, "background job");
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
