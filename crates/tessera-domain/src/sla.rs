//! Service levels: when a ticket falls due, counting only business hours and skipping
//! holidays when the plan has them.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

/// Working days and daily hours, such as `Mon-Fri 08:00-17:00` (times in UTC).
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

/// When a ticket opened at `start` falls due after `grace` of working time.
pub fn due(
    start: DateTime<Utc>,
    grace: Duration,
    schedule: Option<&Schedule>,
    holidays: &[NaiveDate],
) -> DateTime<Utc> {
    let Some(s) = schedule else {
        return start + grace;
    };
    let mut remaining = grace;
    let mut t = start;
    // Ten years of days is more than any plan needs; the bound keeps a bad plan finite.
    for _ in 0..3660 {
        let date = t.date_naive();
        let weekday = date.weekday().num_days_from_monday() as usize;
        if s.days[weekday] && !holidays.contains(&date) {
            let midnight =
                Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight exists"));
            let open = midnight + Duration::minutes(s.start_min.into());
            let close = midnight + Duration::minutes(s.end_min.into());
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
        t = Utc.from_utc_datetime(&next.and_hms_opt(0, 0, 0).expect("midnight exists"));
    }
    t
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

    fn check(start: &str, hours: i64, schedule: Option<&str>, holidays: &str, expected: &str) {
        let s = schedule.map(|x| Schedule::parse(x).expect("valid schedule"));
        let h = parse_holidays(holidays).unwrap();
        assert_eq!(
            due(at(start), Duration::hours(hours), s.as_ref(), &h),
            at(expected),
            "{start} +{hours}h {schedule:?}"
        );
    }

    #[test]
    fn counts_only_business_hours() {
        // 2026-11-27 is a Friday.
        check("2026-11-27T10:00:00Z", 4, None, "", "2026-11-27T14:00:00Z");
        check(
            "2026-11-27T10:00:00Z",
            4,
            Some("Mon-Fri 08:00-17:00"),
            "",
            "2026-11-27T14:00:00Z",
        );
        check(
            "2026-11-27T15:00:00Z",
            4,
            Some("Mon-Fri 08:00-17:00"),
            "",
            "2026-11-30T10:00:00Z",
        );
        check(
            "2026-11-28T12:00:00Z",
            1,
            Some("Mo-Fr 08:00-17:00"),
            "",
            "2026-11-30T09:00:00Z",
        );
        check(
            "2026-11-27T06:00:00Z",
            9,
            Some("Mon-Fri 08:00-17:00"),
            "",
            "2026-11-27T17:00:00Z",
        );
        check(
            "2026-12-23T16:00:00Z",
            2,
            Some("Mon-Fri 08:00-17:00"),
            "2026-12-24, 2026-12-25",
            "2026-12-28T09:00:00Z",
        );
        check(
            "2026-11-27T10:00:00Z",
            2,
            Some("Sat,Sun 10:00-12:00"),
            "",
            "2026-11-28T12:00:00Z",
        );
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
