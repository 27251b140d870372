//! Intake that cannot be abused: what stands between the public portal's forms and a new
//! ticket or message — rate limits per client address, per requester address and overall;
//! a proof-of-work challenge (stateless, HMAC-signed, no cookies, no third party) that is
//! on always or only under load; the daily attachment quota per requester.
//!
//! The buckets, the load meter and the memory of used challenges are in memory per node:
//! on N nodes a client gets at most N times the budget, and a solved challenge could be
//! spent once on each node. That bounds a flood well enough; a shared store for them would
//! put a write on every post.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use tessera_domain::{EntryKind, Problem, TicketId, Timestamp};
use tessera_store::Handle;

use crate::{Result, Tessera, Upload, notify, token};

/// A budget: `burst` at once, refilled at `per_hour` (a token bucket).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Attempts allowed at once.
    pub burst: u32,
    /// Attempts regained per hour.
    pub per_hour: u32,
}

impl Rate {
    /// `burst` at once, `per_hour` after that.
    pub const fn new(burst: u32, per_hour: u32) -> Self {
        Self { burst, per_hour }
    }
}

/// The installation's intake limits (`[intake]` in `tessera.toml`); `None` is no limit.
#[derive(Debug, Clone)]
pub struct IntakeConfig {
    /// New tickets per client address (IPv6 by /64).
    pub open_per_client: Option<Rate>,
    /// New tickets per requester address (each causes a confirmation mail to it).
    pub open_per_recipient: Option<Rate>,
    /// New tickets from the portal overall.
    pub open_global: Option<Rate>,
    /// Requester replies per client address.
    pub reply_per_client: Option<Rate>,
    /// Requester replies per requester.
    pub reply_per_requester: Option<Rate>,
    /// Requester replies overall.
    pub reply_global: Option<Rate>,
    /// Leading zero bits the proof of work needs.
    pub challenge_bits: u8,
    /// Without JavaScript, a form is accepted unsolved once its challenge is this old.
    pub challenge_wait_secs: u64,
    /// A challenge is good for this long.
    pub challenge_lifetime_secs: u64,
    /// "Automatic" turns the challenge on when more posts than this arrive in a minute.
    pub challenge_auto_per_minute: u32,
}

impl Default for IntakeConfig {
    /// Generous for people (three tickets in a minute never stop anyone), tight for a
    /// script: a flood from one address yields the burst, then one every few minutes.
    fn default() -> Self {
        Self {
            open_per_client: Some(Rate::new(5, 20)),
            open_per_recipient: Some(Rate::new(5, 20)),
            open_global: Some(Rate::new(120, 1200)),
            reply_per_client: Some(Rate::new(20, 120)),
            reply_per_requester: Some(Rate::new(20, 120)),
            reply_global: Some(Rate::new(300, 6000)),
            challenge_bits: 18,
            challenge_wait_secs: 20,
            challenge_lifetime_secs: 2 * 3600,
            challenge_auto_per_minute: 30,
        }
    }
}

impl IntakeConfig {
    /// No rate limits at all, and no automatic challenge (test harnesses and benchmarks
    /// that open many tickets from one address).
    pub fn unlimited() -> Self {
        Self {
            challenge_auto_per_minute: u32::MAX,
            open_per_client: None,
            open_per_recipient: None,
            open_global: None,
            reply_per_client: None,
            reply_per_requester: None,
            reply_global: None,
            ..Self::default()
        }
    }
}

/// When the proof-of-work challenge is asked for (an administrator's setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeMode {
    /// Never.
    Off,
    /// When the portal is flooded (`challenge_auto_per_minute`).
    Auto,
    /// On every new ticket.
    Always,
}

impl ChallengeMode {
    /// Every mode, in the order the settings page offers them.
    pub const ALL: [ChallengeMode; 3] = [Self::Off, Self::Auto, Self::Always];

    /// The stable name (settings, forms).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Auto => "auto",
            Self::Always => "always",
        }
    }

    /// The mode a stable name names.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// Too many attempts: try again after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    /// Seconds until the next attempt is allowed.
    pub retry_after_secs: u64,
}

/// Why a new ticket is refused before it is looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The hidden "leave empty" field was filled: a robot.
    Honeypot,
    /// The challenge is missing, forged, expired, used or unsolved (the message key).
    Challenge(&'static str),
    /// Over a rate limit.
    Throttled(Throttled),
}

/// What one new-ticket post presents at the door.
#[derive(Debug, Default)]
pub struct OpenAttempt<'a> {
    /// The client's rate-limit key (the web's `Client::limit_key`).
    pub client: &'a str,
    /// The requester address as typed.
    pub email: &'a str,
    /// The honeypot field.
    pub honeypot: &'a str,
    /// The challenge the form carried.
    pub challenge: &'a str,
    /// The counter the browser found (empty without JavaScript).
    pub solution: &'a str,
}

/// Budget taken for an attempt; given back when the attempt turns out to be invalid input
/// (`Tessera::intake_refund`), so that typing mistakes cost a person nothing.
#[derive(Debug, Default)]
#[must_use]
pub struct Admission {
    taken: Vec<(String, Rate)>,
}

/// A challenge for a form: the text the browser hashes and the difficulty.
#[derive(Debug, Clone)]
pub struct Challenge {
    /// `time.nonce.bits.mac`.
    pub text: String,
    /// Leading zero bits required.
    pub bits: u8,
    /// Without JavaScript, the form may be sent this many seconds after it was shown.
    pub wait_secs: u64,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The node's intake state.
#[derive(Debug, Default)]
pub(crate) struct IntakeState {
    buckets: Mutex<HashMap<String, Bucket>>,
    /// Used challenges (nonce → when it expires), so a solution is spent once.
    used: Mutex<HashMap<String, i64>>,
    /// New-ticket posts in the current and the previous minute: (minute, current, previous).
    meter: Mutex<(u64, u32, u32)>,
    /// Attachment bytes being written per requester right now (counted by the quota).
    pending: Mutex<HashMap<String, u64>>,
}

/// Largest number of remembered keys; past it, full buckets are forgotten first.
const MAX_KEYS: usize = 200_000;

impl IntakeState {
    fn take(&self, key: &str, rate: Rate, now: Instant) -> std::result::Result<(), Duration> {
        let mut map = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let per_sec = f64::from(rate.per_hour) / 3600.0;
        let burst = f64::from(rate.burst);
        if map.len() > MAX_KEYS {
            map.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * per_sec < burst);
        }
        let b = map.entry(key.to_owned()).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        b.tokens = (b.tokens + now.duration_since(b.at).as_secs_f64() * per_sec).min(burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else if per_sec <= 0.0 {
            Err(Duration::from_secs(3600))
        } else {
            Err(Duration::from_secs_f64((1.0 - b.tokens) / per_sec))
        }
    }

    fn give_back(&self, key: &str, rate: Rate) {
        let mut map = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(b) = map.get_mut(key) {
            b.tokens = (b.tokens + 1.0).min(f64::from(rate.burst));
        }
    }

    /// Takes one from each budget, or none at all.
    fn admit(
        &self,
        budgets: &[(String, Option<Rate>)],
    ) -> std::result::Result<Admission, Throttled> {
        let now = Instant::now();
        let mut taken = Admission::default();
        let mut wait = Duration::ZERO;
        for (key, rate) in budgets {
            let Some(rate) = rate else { continue };
            match self.take(key, *rate, now) {
                Ok(()) => taken.taken.push((key.clone(), *rate)),
                Err(w) => wait = wait.max(w),
            }
        }
        if wait.is_zero() {
            return Ok(taken);
        }
        for (key, rate) in &taken.taken {
            self.give_back(key, *rate);
        }
        Err(Throttled {
            retry_after_secs: wait.as_secs().max(1),
        })
    }

    /// Notes a new-ticket post; the posts per minute (a sliding estimate over two minutes).
    fn note_post(&self, now_secs: u64) -> u32 {
        let mut m = self.meter.lock().unwrap_or_else(|e| e.into_inner());
        let minute = now_secs / 60;
        if m.0 != minute {
            *m = (minute, 0, if m.0 + 1 == minute { m.1 } else { 0 });
        }
        m.1 += 1;
        let into = (now_secs % 60) as f64 / 60.0;
        (f64::from(m.1) + f64::from(m.2) * (1.0 - into)) as u32
    }

    fn current_rate(&self, now_secs: u64) -> u32 {
        let m = self.meter.lock().unwrap_or_else(|e| e.into_inner());
        let minute = now_secs / 60;
        let (cur, prev) = if m.0 == minute {
            (m.1, m.2)
        } else if m.0 + 1 == minute {
            (0, m.1)
        } else {
            (0, 0)
        };
        let into = (now_secs % 60) as f64 / 60.0;
        (f64::from(cur) + f64::from(prev) * (1.0 - into)) as u32
    }

    /// Remembers a challenge as used; `false` when it was used already.
    fn spend(&self, nonce: &str, expires: i64, now: i64) -> bool {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        if used.len() > MAX_KEYS {
            used.retain(|_, exp| *exp > now);
        }
        used.insert(nonce.to_owned(), expires).is_none()
    }
}

fn challenge_mac(secret: &[u8], payload: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(b"intake-challenge:");
    mac.update(payload.as_bytes());
    mac
}

/// Whether SHA-256(`challenge` || `counter`) starts with `bits` zero bits.
pub fn solves(challenge: &str, counter: &str, bits: u8) -> bool {
    let mut h = Sha256::new();
    h.update(challenge.as_bytes());
    h.update(counter.as_bytes());
    leading_zero_bits(&h.finalize()) >= u32::from(bits)
}

fn leading_zero_bits(bytes: &[u8]) -> u32 {
    let mut n = 0;
    for b in bytes {
        if *b == 0 {
            n += 8;
        } else {
            return n + b.leading_zeros();
        }
    }
    n
}

/// A challenge's parts once its signature held: (issued, nonce, bits).
fn read_challenge(secret: &[u8], text: &str) -> Option<(u64, String, u8)> {
    let mut it = text.trim().split('.');
    let (Some(time), Some(nonce), Some(bits), Some(mac), None) =
        (it.next(), it.next(), it.next(), it.next(), it.next())
    else {
        return None;
    };
    let mac = hex::decode(mac).ok().filter(|m| m.len() == 16)?;
    challenge_mac(secret, &format!("{time}.{nonce}.{bits}"))
        .verify_truncated_left(&mac)
        .ok()?;
    Some((time.parse().ok()?, nonce.to_owned(), bits.parse().ok()?))
}

fn now_secs() -> u64 {
    u64::try_from(Timestamp::now().0 / 1_000_000).unwrap_or(0)
}

impl Tessera {
    fn intake(&self) -> &IntakeState {
        &self.inner.intake
    }

    /// A fresh challenge for the new-ticket form, or `None` when the administrator turned
    /// the challenge off. In automatic mode every form carries one (the browser solves it
    /// in the background), so that switching on under load bothers nobody who has a form
    /// open.
    pub fn intake_challenge(&self) -> Option<Challenge> {
        if self.settings().challenge_mode == ChallengeMode::Off {
            return None;
        }
        let cfg = &self.config().intake;
        let payload = format!(
            "{}.{}.{}",
            now_secs(),
            token::random_hex(12),
            cfg.challenge_bits
        );
        let mac = challenge_mac(&self.inner.secret, &payload).finalize();
        Some(Challenge {
            text: format!("{payload}.{}", hex::encode(&mac.into_bytes()[..16])),
            bits: cfg.challenge_bits,
            wait_secs: cfg.challenge_wait_secs,
        })
    }

    /// Whether new tickets must carry a solved (or old enough) challenge now.
    pub fn intake_challenge_required(&self) -> bool {
        match self.settings().challenge_mode {
            ChallengeMode::Off => false,
            ChallengeMode::Always => true,
            ChallengeMode::Auto => {
                self.intake().current_rate(now_secs())
                    > self.config().intake.challenge_auto_per_minute
            }
        }
    }

    fn check_challenge(&self, text: &str, solution: &str, now: u64) -> Result<(), &'static str> {
        let cfg = &self.config().intake;
        if text.trim().is_empty() {
            return Err("intake-challenge-missing");
        }
        let (issued, nonce, bits) =
            read_challenge(&self.inner.secret, text).ok_or("intake-challenge-invalid")?;
        let age = now.saturating_sub(issued);
        if issued > now + 60 || age > cfg.challenge_lifetime_secs {
            return Err("intake-challenge-expired");
        }
        let solution = solution.trim();
        let solved = !solution.is_empty()
            && solution.len() <= 20
            && solution.bytes().all(|b| b.is_ascii_digit())
            && solves(text.trim(), solution, bits);
        if !solved && age < cfg.challenge_wait_secs {
            return Err("intake-challenge-wait");
        }
        let expires = i64::try_from(issued + cfg.challenge_lifetime_secs + 60).unwrap_or(i64::MAX);
        if !self
            .intake()
            .spend(&nonce, expires, i64::try_from(now).unwrap_or(0))
        {
            return Err("intake-challenge-used");
        }
        Ok(())
    }

    /// The door of the portal's new-ticket form, before anything is read or stored: the
    /// honeypot, the challenge (when required), then the rate limits per client address,
    /// per requester address and overall. The budget taken is given back by
    /// `intake_refund` when the ticket turns out to be invalid input.
    pub fn intake_open(&self, a: &OpenAttempt<'_>) -> std::result::Result<Admission, Refusal> {
        let now = now_secs();
        let rate = self.intake().note_post(now);
        if !a.honeypot.trim().is_empty() {
            return Err(Refusal::Honeypot);
        }
        let required = match self.settings().challenge_mode {
            ChallengeMode::Off => false,
            ChallengeMode::Always => true,
            ChallengeMode::Auto => rate > self.config().intake.challenge_auto_per_minute,
        };
        if required {
            self.check_challenge(a.challenge, a.solution, now)
                .map_err(Refusal::Challenge)?;
        }
        let cfg = &self.config().intake;
        let email = a.email.trim().to_lowercase();
        let mut budgets = vec![
            (format!("open-client:{}", a.client), cfg.open_per_client),
            ("open-all".to_owned(), cfg.open_global),
        ];
        if !email.is_empty() {
            budgets.push((format!("open-to:{email}"), cfg.open_per_recipient));
        }
        self.intake().admit(&budgets).map_err(Refusal::Throttled)
    }

    /// The door of a requester's reply: rate limits per client address, per requester
    /// (`who`, the grant's contact) and overall.
    pub fn intake_reply(
        &self,
        client: &str,
        who: &str,
    ) -> std::result::Result<Admission, Throttled> {
        let cfg = &self.config().intake;
        self.intake().admit(&[
            (format!("reply-client:{client}"), cfg.reply_per_client),
            (format!("reply-by:{who}"), cfg.reply_per_requester),
            ("reply-all".to_owned(), cfg.reply_global),
        ])
    }

    /// Gives back what `intake_open` or `intake_reply` took (the input was invalid).
    pub fn intake_refund(&self, a: Admission) {
        for (key, rate) in &a.taken {
            self.intake().give_back(key, *rate);
        }
    }

    /// Confirm-first mode: the requester opened the mailed link, so a ticket that waited
    /// for that is confirmed now, and the agents who hear of new tickets are alerted (with
    /// the assignees of an automatic assignment), in the caller's transaction. Whether it
    /// waited.
    pub(crate) async fn confirm_ticket(&self, h: &mut Handle<'_>, id: TicketId) -> Result<bool> {
        if !h.confirm_ticket(id).await? {
            return Ok(false);
        }
        let ticket = h.ticket(id).await?;
        let facts = match &ticket.help_topic {
            Some(t) => self.topic_if(None, t.id, |_| true).await?,
            None => None,
        };
        let mut to = Vec::new();
        if let Some(f) = facts {
            for a in f.recipients.iter().chain(&f.assignees) {
                if !to
                    .iter()
                    .any(|x: &tessera_store::AgentBrief| x.agent_id == a.agent_id)
                {
                    to.push(a.clone());
                }
            }
        }
        let body = h
            .public_thread(id, None)
            .await?
            .into_iter()
            .find(|e| e.kind == EntryKind::Message)
            .map(|e| e.body)
            .unwrap_or_default();
        let author = ticket.requester.name.clone();
        notify::agent_alert(self, h, &ticket, &to, "new", &author, &body).await?;
        Ok(true)
    }

    /// Checks the daily attachment quota of the requester `email_key` for `uploads` and
    /// reserves their size while they are written; the reservation ends with the returned
    /// guard. Counted: attachments of the requester's messages in the last 24 hours.
    pub(crate) async fn attachment_quota(
        &self,
        email_key: &str,
        uploads: &[Upload],
        problem: &mut Problem,
    ) -> Result<QuotaHold> {
        let adding: u64 = uploads.iter().map(|u| u.blob.size()).sum();
        let quota = self.settings().attachment_quota_per_day;
        if adding == 0 || quota == 0 {
            return Ok(QuotaHold::none(self));
        }
        let since = Timestamp(Timestamp::now().0 - 24 * 3600 * 1_000_000);
        let stored = {
            let mut conn = self.db().conn().await?;
            u64::try_from(conn.h().attachment_bytes_since(email_key, since).await?).unwrap_or(0)
        };
        let mut pending = self
            .intake()
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let in_flight = pending.get(email_key).copied().unwrap_or(0);
        if stored + in_flight + adding > quota {
            problem.add("attachments", "intake-error-quota");
            return Ok(QuotaHold::none(self));
        }
        *pending.entry(email_key.to_owned()).or_default() += adding;
        Ok(QuotaHold {
            app: self.clone(),
            key: Some((email_key.to_owned(), adding)),
        })
    }
}

/// Attachment bytes counted against a requester's quota while they are being written.
pub(crate) struct QuotaHold {
    app: Tessera,
    key: Option<(String, u64)>,
}

impl QuotaHold {
    fn none(app: &Tessera) -> Self {
        Self {
            app: app.clone(),
            key: None,
        }
    }
}

impl Drop for QuotaHold {
    fn drop(&mut self) {
        if let Some((key, bytes)) = self.key.take() {
            let mut pending = self
                .app
                .intake()
                .pending
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if let Some(n) = pending.get_mut(&key) {
                *n = n.saturating_sub(bytes);
                if *n == 0 {
                    pending.remove(&key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_refills() {
        let s = IntakeState::default();
        let r = Rate::new(3, 3600);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(s.take("k", r, t0).is_ok());
        }
        let wait = s.take("k", r, t0).unwrap_err();
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        assert!(s.take("k", r, t0 + Duration::from_secs(1)).is_ok());
        assert!(s.take("other", r, t0).is_ok(), "keys are separate");
    }

    #[test]
    fn admission_is_all_or_nothing() {
        let s = IntakeState::default();
        let tight = Some(Rate::new(1, 1));
        let loose = Some(Rate::new(100, 100));
        let budgets = |who: &str| vec![("all".to_owned(), loose), (who.to_owned(), tight)];
        assert!(s.admit(&budgets("a")).is_ok());
        let refused = s.admit(&budgets("a")).unwrap_err();
        assert!(refused.retry_after_secs >= 3000, "{refused:?}");
        // The refused attempt did not cost the shared budget: 99 left, not 98.
        for i in 0..99 {
            assert!(s.admit(&budgets(&format!("b{i}"))).is_ok(), "{i}");
        }
        assert!(s.admit(&budgets("c")).is_err());
    }

    #[test]
    fn leading_zero_bits_count() {
        assert_eq!(leading_zero_bits(&[0, 0x80]), 8);
        assert_eq!(leading_zero_bits(&[0, 0x0f]), 12);
        assert_eq!(leading_zero_bits(&[0xff]), 0);
        assert_eq!(leading_zero_bits(&[0, 0]), 16);
    }

    #[test]
    fn a_challenge_is_read_only_with_its_signature() {
        let secret = b"secret";
        let payload = "1700000000.abcdef.16";
        let mac = hex::encode(&challenge_mac(secret, payload).finalize().into_bytes()[..16]);
        let text = format!("{payload}.{mac}");
        assert_eq!(
            read_challenge(secret, &text),
            Some((1_700_000_000, "abcdef".into(), 16))
        );
        assert_eq!(read_challenge(b"other", &text), None);
        let easier = text.replace(".16.", ".1.");
        assert_eq!(
            read_challenge(secret, &easier),
            None,
            "difficulty is signed"
        );
        assert_eq!(read_challenge(secret, "garbage"), None);
    }

    #[test]
    fn spent_challenges_are_refused() {
        let s = IntakeState::default();
        assert!(s.spend("n", 100, 0));
        assert!(!s.spend("n", 100, 0));
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn signed(secret: &[u8], payload: &str) -> String {
            let mac = challenge_mac(secret, payload).finalize().into_bytes();
            format!("{payload}.{}", hex::encode(&mac[..16]))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            /// Whatever a client sends as a challenge, reading it never panics, and nothing
            /// but what the server signed is ever read.
            #[test]
            fn prop_a_forged_challenge_is_never_read(text in ".{0,200}") {
                prop_assert_eq!(read_challenge(b"secret", &text), None);
            }

            /// Changing any one character of a signed challenge voids it.
            #[test]
            fn prop_a_tampered_challenge_is_refused(
                time in 0u64..4_000_000_000,
                nonce in "[0-9a-f]{24}",
                bits in 0u8..=32,
                at in any::<prop::sample::Index>(),
                to in "[0-9a-z.]",
            ) {
                let text = signed(b"secret", &format!("{time}.{nonce}.{bits}"));
                prop_assert_eq!(
                    read_challenge(b"secret", &text),
                    Some((time, nonce.clone(), bits))
                );
                let i = at.index(text.len());
                let mut changed = text.clone();
                changed.replace_range(i..i + 1, &to);
                if changed != text {
                    prop_assert_eq!(read_challenge(b"secret", &changed), None);
                }
            }

            /// At one instant, no key is ever admitted more often than its burst, however
            /// the attempts interleave with other keys.
            #[test]
            fn prop_admission_never_exceeds_the_burst(
                burst in 1u32..20,
                keys in prop::collection::vec(0usize..4, 0..120),
            ) {
                let s = IntakeState::default();
                let now = Instant::now();
                let rate = Rate::new(burst, 60);
                let mut admitted = [0u32; 4];
                for k in keys {
                    if s.take(&format!("k{k}"), rate, now).is_ok() {
                        admitted[k] += 1;
                    }
                }
                prop_assert!(admitted.iter().all(|n| *n <= burst), "{admitted:?}");
            }
        }
    }
}
