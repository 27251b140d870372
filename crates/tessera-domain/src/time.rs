//! Timestamps as microseconds since the Unix epoch: one integer that sorts, compares and
//! stores identically on every database.

use chrono::{DateTime, Utc};

/// A point in time, UTC, microsecond precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The current time.
    pub fn now() -> Self {
        Self(Utc::now().timestamp_micros())
    }

    /// This instant as a chrono value, for formatting.
    pub fn to_datetime(self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.0).unwrap_or_default()
    }

    /// This instant plus a number of milliseconds.
    pub fn plus_millis(self, ms: i64) -> Self {
        Self(self.0.saturating_add(ms.saturating_mul(1000)))
    }

    /// This instant plus a number of seconds.
    pub fn plus_secs(self, secs: i64) -> Self {
        self.plus_millis(secs.saturating_mul(1000))
    }
}

pub use chrono_tz::Tz;

/// The installation's time zone until an administrator sets another.
pub const DEFAULT_ZONE: Tz = Tz::Europe__Berlin;

/// Zones offered first in an agent's profile (the installation's is offered as well).
pub const COMMON_ZONES: &[&str] = &[
    "Europe/Berlin",
    "Europe/Vienna",
    "Europe/Zurich",
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Istanbul",
    "Europe/Moscow",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Bangkok",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "UTC",
];

/// A time zone from its exact IANA name (`Europe/Berlin`, `UTC`); `None` for anything else.
pub fn zone(name: &str) -> Option<Tz> {
    crate::sla::parse_zone(name)
}

/// An instant's wall-clock reading in a time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Local {
    /// Year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
    /// Day of the month, 1–31.
    pub day: u32,
    /// Hour, 0–23.
    pub hour: u32,
    /// Minute, 0–59.
    pub minute: u32,
}

impl Timestamp {
    /// This instant as read on a clock in `tz`.
    pub fn local(self, tz: Tz) -> Local {
        use chrono::{Datelike, Timelike};
        let t = self.to_datetime().with_timezone(&tz);
        Local {
            year: t.year(),
            month: t.month(),
            day: t.day(),
            hour: t.hour(),
            minute: t.minute(),
        }
    }

    /// The zone's abbreviation at this instant (`CET`, `CEST`), or "" where the zone has
    /// none in letters (Dubai's `+04`).
    pub fn zone_abbreviation(self, tz: Tz) -> String {
        self.local_named(tz).1
    }

    /// `local` and `zone_abbreviation` from one conversion.
    pub fn local_named(self, tz: Tz) -> (Local, String) {
        use chrono::{Datelike, Timelike};
        use chrono_tz::OffsetName;
        let t = self.to_datetime().with_timezone(&tz);
        let local = Local {
            year: t.year(),
            month: t.month(),
            day: t.day(),
            hour: t.hour(),
            minute: t.minute(),
        };
        (local, t.offset().abbreviation().unwrap_or("").to_owned())
    }
}

impl Local {
    /// The calendar day, as days since the Common Era (for "today" and "yesterday").
    fn day_number(&self) -> i32 {
        use chrono::Datelike;
        chrono::NaiveDate::from_ymd_opt(self.year, self.month, self.day)
            .map(|d| d.num_days_from_ce())
            .unwrap_or_default()
    }
}

/// How long ago an instant was, as people say it: the front end words each case in the
/// reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ago {
    /// Less than a minute ago (or, by a skewed clock, in the future).
    JustNow,
    /// 1–59 minutes ago.
    Minutes(i64),
    /// 1–5 hours ago.
    Hours(i64),
    /// Earlier on the reader's today, at this local time.
    Today(Local),
    /// On the reader's yesterday, at this local time.
    Yesterday(Local),
    /// Before yesterday: the date.
    On(Local),
}

/// How long before `now` the instant `then` was, for a reader in `tz`: minutes for the last
/// hour, hours for the last six, then "today"/"yesterday" by the reader's calendar (a DST
/// change makes neither longer nor shorter), then the date.
pub fn ago(then: Timestamp, now: Timestamp, tz: Tz) -> Ago {
    ago_local(then, then.local(tz), now, || now.local(tz))
}

/// `ago` for a caller that has `then`'s local reading already and keeps "now"'s for a
/// whole page (`now_local` is asked only for instants older than six hours).
pub fn ago_local(
    then: Timestamp,
    local: Local,
    now: Timestamp,
    now_local: impl FnOnce() -> Local,
) -> Ago {
    const MINUTE: i64 = 60_000_000;
    let elapsed = now.0.saturating_sub(then.0);
    if elapsed < MINUTE {
        return Ago::JustNow;
    }
    let minutes = elapsed / MINUTE;
    if minutes < 60 {
        return Ago::Minutes(minutes);
    }
    if minutes < 6 * 60 {
        return Ago::Hours(minutes / 60);
    }
    match now_local().day_number() - local.day_number() {
        0 => Ago::Today(local),
        1 => Ago::Yesterday(local),
        _ => Ago::On(local),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> Timestamp {
        Timestamp(
            chrono::DateTime::parse_from_rfc3339(rfc3339)
                .unwrap()
                .timestamp_micros(),
        )
    }

    fn hm(ts: Timestamp, tz: Tz) -> (u32, u32, String) {
        let l = ts.local(tz);
        (l.hour, l.minute, ts.zone_abbreviation(tz))
    }

    #[test]
    fn reads_clocks_of_a_zone_across_daylight_saving() {
        let berlin = DEFAULT_ZONE;
        // 29 March 2026: Berlin's clocks go from 02:00 CET to 03:00 CEST.
        assert_eq!(
            hm(at("2026-03-29T00:59:00Z"), berlin),
            (1, 59, "CET".into())
        );
        assert_eq!(
            hm(at("2026-03-29T01:00:00Z"), berlin),
            (3, 0, "CEST".into())
        );
        // 25 October 2026: back from 03:00 CEST to 02:00 CET.
        assert_eq!(
            hm(at("2026-10-25T00:30:00Z"), berlin),
            (2, 30, "CEST".into())
        );
        assert_eq!(
            hm(at("2026-10-25T01:30:00Z"), berlin),
            (2, 30, "CET".into())
        );
        let dubai = zone("Asia/Dubai").unwrap();
        assert_eq!(hm(at("2026-03-07T09:05:00Z"), dubai).0, 13);
        assert_eq!(at("2026-12-31T23:30:00Z").local(berlin).year, 2027);
    }

    #[test]
    fn zones_are_exact_iana_names() {
        assert_eq!(zone("Europe/Berlin"), Some(Tz::Europe__Berlin));
        assert_eq!(zone("UTC"), Some(Tz::UTC));
        assert_eq!(zone("Mars/Olympus"), None);
        assert_eq!(zone(""), None);
        for z in COMMON_ZONES {
            assert!(zone(z).is_some(), "{z}");
        }
    }

    #[test]
    fn ago_has_its_boundaries() {
        let tz = DEFAULT_ZONE;
        let now = at("2026-03-07T15:00:00Z"); // 16:00 in Berlin
        let before = |secs: i64| ago(now.plus_secs(-secs), now, tz);
        assert_eq!(before(-30), Ago::JustNow);
        assert_eq!(before(0), Ago::JustNow);
        assert_eq!(before(59), Ago::JustNow);
        assert_eq!(before(60), Ago::Minutes(1));
        assert_eq!(before(59 * 60 + 59), Ago::Minutes(59));
        assert_eq!(before(3600), Ago::Hours(1));
        assert_eq!(before(6 * 3600 - 1), Ago::Hours(5));
        assert!(matches!(before(6 * 3600), Ago::Today(l) if (l.hour, l.minute) == (10, 0)));
        // 00:00 in Berlin is still today, 23:59 the day before is yesterday.
        assert!(matches!(
            ago(at("2026-03-06T23:00:00Z"), now, tz),
            Ago::Today(_)
        ));
        assert!(
            matches!(ago(at("2026-03-06T22:59:00Z"), now, tz), Ago::Yesterday(l) if l.hour == 23)
        );
        assert!(matches!(ago(at("2026-03-05T22:59:00Z"), now, tz), Ago::On(l) if l.day == 5));
    }

    #[test]
    fn yesterday_is_the_readers_calendar_day_also_over_a_dst_change() {
        let berlin = DEFAULT_ZONE;
        // 23:30 on 28 March (CET) seen at 09:00 on 29 March (CEST): yesterday, at the
        // time the clock showed then.
        let then = at("2026-03-28T22:30:00Z");
        let now = at("2026-03-29T07:00:00Z");
        assert!(
            matches!(ago(then, now, berlin), Ago::Yesterday(l) if (l.hour, l.minute) == (23, 30))
        );
        // Read in UTC, the same instants show another time.
        assert!(matches!(ago(then, now, Tz::UTC), Ago::Yesterday(l) if l.hour == 22));
        // 01:30 CET, before the clocks went forward, is today at 09:00 CEST.
        let early = at("2026-03-29T00:30:00Z");
        assert!(matches!(ago(early, now, berlin), Ago::Today(l) if (l.hour, l.minute) == (1, 30)));
        // In Dubai (UTC+4) the ticket was written at 02:30 on the 29th: today.
        let dubai = zone("Asia/Dubai").unwrap();
        assert!(matches!(ago(then, now, dubai), Ago::Today(l) if l.hour == 2));
    }
}
