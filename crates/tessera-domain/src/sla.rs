//! Service levels: when a ticket falls due, counting only business hours and skipping
//! holidays when the plan has them, both in the plan's time zone.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
pub use chrono_tz::Tz;

/// Working days and daily hours, such as `Mon-Fri 08:00-17:00` (local times of a plan's zone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    days: [bool; 7],
    start_min: u32,
    end_min: u32,
}

/// A weekday from its English (`Mon`, `Monday`) or German (`Mo`, `Montag`) name.
fn day_index(s: &str) -> Option<usize> {
    const EN: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    const DE: [&str; 7] = ["mo", "di", "mi", "do", "fr", "sa", "so"];
    let s = s.trim().to_lowercase();
    (0..7).find(|&i| s.starts_with(EN[i]) || s.starts_with(DE[i]))
}

fn minutes(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

impl Schedule {
    /// Parses `DAYS HH:MM-HH:MM`; days as a range (`Mon-Fri`, `Mo-Fr`) or a list
    /// (`Mon,Wed,Fri`).
    pub fn parse(s: &str) -> Option<Schedule> {
        let (days, hours) = s.trim().split_once(' ')?;
        let mut set = [false; 7];
        for part in days.split(',') {
            match part.split_once('-') {
                Some((a, b)) => {
                    let (a, b) = (day_index(a)?, day_index(b)?);
                    let mut i = a;
                    loop {
                        set[i] = true;
                        if i == b {
                            break;
                        }
                        i = (i + 1) % 7;
                    }
                }
                None => set[day_index(part)?] = true,
            }
        }
        let (from, to) = hours.trim().split_once('-')?;
        let (start_min, end_min) = (minutes(from)?, minutes(to)?);
        (start_min < end_min && set.iter().any(|d| *d)).then_some(Schedule {
            days: set,
            start_min,
            end_min,
        })
    }
}

/// When a ticket opened at `start` falls due after `grace` of working time. Business hours
/// and holidays are read as local times and dates in `tz`; what is counted is elapsed time,
/// so a day with a clock change has one hour more or less of it.
pub fn due(
    start: DateTime<Utc>,
    grace: Duration,
    schedule: Option<&Schedule>,
    holidays: &[NaiveDate],
    tz: Tz,
) -> DateTime<Utc> {
    let Some(s) = schedule else {
        return start + grace;
    };
    let mut remaining = grace;
    let mut t = start;
    // Ten years of days is more than any plan needs; the bound keeps a bad plan finite.
    for _ in 0..3660 {
        let date = t.with_timezone(&tz).date_naive();
        let weekday = date.weekday().num_days_from_monday() as usize;
        if s.days[weekday] && !holidays.contains(&date) {
            let open = instant(tz, date, s.start_min);
            let close = instant(tz, date, s.end_min);
            if t < open {
                t = open;
            }
            if t < close {
                let available = close - t;
                if remaining <= available {
                    return t + remaining;
                }
                remaining -= available;
            }
        }
        let next = date.succ_opt().unwrap_or(date);
        t = t.max(instant(tz, next, 0));
    }
    t
}

/// The instant a local wall-clock time of `date` (minutes after midnight, up to 24:00) names
/// in `tz`. A time that occurs twice (clocks going back) is the first; one that never occurs
/// (clocks going forward) becomes the first existing moment after it.
fn instant(tz: Tz, date: NaiveDate, minutes: u32) -> DateTime<Utc> {
    let mut local =
        date.and_hms_opt(0, 0, 0).expect("midnight exists") + Duration::minutes(minutes.into());
    // Gaps are an hour or less almost everywhere; Samoa skipped a whole day in 2011.
    for _ in 0..(2 * 24 * 4) {
        if let Some(t) = tz.from_local_datetime(&local).earliest() {
            return t.with_timezone(&Utc);
        }
        local += Duration::minutes(15);
    }
    Utc.from_utc_datetime(&local)
}

/// A time zone from its IANA name (`Europe/Berlin`), in any letter case.
pub fn parse_zone(s: &str) -> Option<Tz> {
    let s = s.trim();
    s.parse::<Tz>().ok().or_else(|| {
        chrono_tz::TZ_VARIANTS
            .iter()
            .find(|z| z.name().eq_ignore_ascii_case(s))
            .copied()
    })
}

/// Parses holidays written as `YYYY-MM-DD`, one per line or separated by commas.
pub fn parse_holidays(s: &str) -> Result<Vec<NaiveDate>, String> {
    s.split([',', '\n', ';'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|x| NaiveDate::parse_from_str(x, "%Y-%m-%d").map_err(|_| x.to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// `grace` in minutes; times in RFC 3339 with their offset, so that local times read as such.
    fn check(tz: &str, start: &str, grace: i64, schedule: &str, holidays: &str, expected: &str) {
        let zone = parse_zone(tz).expect("known zone");
        let s = (!schedule.is_empty()).then(|| Schedule::parse(schedule).expect("valid schedule"));
        let h = parse_holidays(holidays).unwrap();
        let got = due(at(start), Duration::minutes(grace), s.as_ref(), &h, zone);
        assert_eq!(
            got.with_timezone(&zone),
            at(expected).with_timezone(&zone),
            "{tz} {start} +{grace}min {schedule:?} {holidays:?}"
        );
    }

    const WEEK: &str = "Mon-Fri 08:00-17:00";

    #[test]
    #[rustfmt::skip]
    fn counts_only_business_hours_in_utc() {
        // 2026-11-27 is a Friday.
        check("UTC", "2026-11-27T10:00:00Z", 240, "", "", "2026-11-27T14:00:00Z");
        check("UTC", "2026-11-27T10:00:00Z", 240, WEEK, "", "2026-11-27T14:00:00Z");
        check("UTC", "2026-11-27T15:00:00Z", 240, WEEK, "", "2026-11-30T10:00:00Z");
        check("UTC", "2026-11-28T12:00:00Z", 60, "Mo-Fr 08:00-17:00", "", "2026-11-30T09:00:00Z");
        check("UTC", "2026-11-27T06:00:00Z", 540, WEEK, "", "2026-11-27T17:00:00Z");
        check("UTC", "2026-12-23T16:00:00Z", 120, WEEK, "2026-12-24, 2026-12-25", "2026-12-28T09:00:00Z");
        check("UTC", "2026-11-27T10:00:00Z", 120, "Sat,Sun 10:00-12:00", "", "2026-11-28T12:00:00Z");
        check("UTC", "2026-11-27T23:00:00Z", 60, "Mon-Sun 00:00-24:00", "", "2026-11-28T00:00:00Z");
    }

    #[test]
    #[rustfmt::skip]
    fn counts_business_hours_in_local_time() {
        const B: &str = "Europe/Berlin";
        // Friday 16:30 in Berlin, two hours: half an hour on Friday, 1.5 on Monday.
        check(B, "2026-11-27T16:30:00+01:00", 120, "Mo-Fr 08:00-17:00", "", "2026-11-30T09:30:00+01:00");
        check(B, "2026-11-27T07:00:00Z", 60, WEEK, "", "2026-11-27T09:00:00+01:00");
        check(B, "2026-11-27T06:00:00+01:00", 540, WEEK, "", "2026-11-27T17:00:00+01:00");
        // Summer time: the same hours are two hours ahead of UTC.
        check(B, "2026-07-03T16:30:00+02:00", 120, WEEK, "", "2026-07-06T09:30:00+02:00");
        // Spring forward (29 March 2026): Friday in winter time, Monday in summer time.
        check(B, "2026-03-27T16:00:00+01:00", 120, WEEK, "", "2026-03-30T09:00:00+02:00");
        // The switching Sunday itself has 23 hours, and 01:00-04:00 holds only two of them.
        check(B, "2026-03-28T12:00:00+01:00", 1440, "Mo-So 00:00-24:00", "", "2026-03-29T13:00:00+02:00");
        check(B, "2026-03-28T12:00:00+01:00", 90, "So 01:00-04:00", "", "2026-03-29T03:30:00+02:00");
        check(B, "2026-03-28T12:00:00+01:00", 150, "So 01:00-04:00", "", "2026-04-05T01:30:00+02:00");
        // A schedule starting in the missing hour starts when the clocks have jumped.
        check(B, "2026-03-28T12:00:00+01:00", 30, "So 02:30-05:00", "", "2026-03-29T03:30:00+02:00");
        // Fall back (25 October 2026): Friday in summer time, Monday in winter time.
        check(B, "2026-10-23T16:00:00+02:00", 120, WEEK, "", "2026-10-26T09:00:00+01:00");
        // The switching Sunday's 01:00-04:00 holds four hours; 02:30 happens twice.
        check(B, "2026-10-24T12:00:00+02:00", 240, "So 01:00-04:00", "", "2026-10-25T04:00:00+01:00");
        check(B, "2026-10-24T12:00:00+02:00", 30, "So 02:00-03:00", "", "2026-10-25T02:30:00+02:00");
        // Holidays are local dates: 00:30 on 24 December in Berlin is still 23 December in UTC.
        check(B, "2026-12-23T16:00:00+01:00", 120, WEEK, "2026-12-24, 2026-12-25", "2026-12-28T09:00:00+01:00");
        check(B, "2026-12-24T00:30:00+01:00", 60, "Mo-So 00:00-24:00", "2026-12-24", "2026-12-25T01:00:00+01:00");
        check("UTC", "2026-12-23T23:30:00Z", 60, "Mo-So 00:00-24:00", "2026-12-24", "2026-12-25T00:30:00Z");
        // Elsewhere: Dubai (no clock changes), New York (switches on other dates).
        check("Asia/Dubai", "2026-11-27T15:00:00Z", 60, "Mo-Fr 09:00-18:00", "", "2026-11-30T10:00:00+04:00");
        check("America/New_York", "2026-03-06T16:00:00-05:00", 120, WEEK, "", "2026-03-09T09:00:00-04:00");
    }

    #[test]
    fn knows_zones_by_their_names() {
        assert_eq!(parse_zone("Europe/Berlin"), Some(Tz::Europe__Berlin));
        assert_eq!(parse_zone(" europe/berlin "), Some(Tz::Europe__Berlin));
        assert_eq!(parse_zone("UTC"), Some(Tz::UTC));
        assert_eq!(parse_zone("Europe/Bielefeld"), None);
        assert_eq!(parse_zone(""), None);
    }

    #[test]
    fn refuses_bad_schedules() {
        assert!(Schedule::parse("Mon-Fri 17:00-08:00").is_none());
        assert_eq!(
            Schedule::parse("Montag-Freitag 08:00-17:00"),
            Schedule::parse("Mon-Fri 08:00-17:00")
        );
        assert_eq!(
            Schedule::parse("Di,Do 08:00-12:00"),
            Schedule::parse("Tue,Thu 08:00-12:00")
        );
        assert!(Schedule::parse("Xyz 08:00-17:00").is_none());
        assert!(Schedule::parse("Mon-Fri").is_none());
        assert!(Schedule::parse("Mon-Fri 8-17").is_none());
        assert_eq!(
            parse_holidays("2026-12-24\n2026-12-40"),
            Err("2026-12-40".into())
        );
    }
}
