//! Public ticket numbers in osTicket's pattern syntax: `#` is a random digit, everything else
//! is literal. The first random digit is never zero so that numbers keep their length when
//! people type them into spreadsheets or phone them through.
//!
//! A pattern's numbers run out: `######` has 900,000, `DRK-####` 9,000. Long before that,
//! most drawn numbers would be taken, and every taken one costs a refused write and a
//! draw again. So the last run of `#` grows by a digit whenever the tickets opened so far
//! would fill more than a tenth of the numbers: a drawn number is free at least nine times
//! in ten, at any size (`######` gives six digits up to 90,000 tickets, seven up to
//! 900,000, eight up to 9 million).

/// The most random digits a number gets, however many tickets there are.
const MAX_DIGITS: usize = 18;

/// A validated ticket-number pattern such as `######` or `T-####`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberFormat(String);

/// Why a pattern was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NumberFormatError {
    /// Fewer than four random digits would run out of numbers too soon.
    #[error("a ticket number format needs at least 4 '#' placeholders")]
    TooFewDigits,
    /// Literal characters must be safe in URLs, subjects and file names.
    #[error("a ticket number format may contain only '#', letters, digits and '-'")]
    BadCharacter,
    /// Longer numbers are hard to read out.
    #[error("a ticket number format may be at most 20 characters long")]
    TooLong,
}

impl NumberFormat {
    /// Validates a pattern.
    pub fn parse(pattern: &str) -> Result<Self, NumberFormatError> {
        if pattern.len() > 20 {
            return Err(NumberFormatError::TooLong);
        }
        if !pattern
            .chars()
            .all(|c| c == '#' || c == '-' || c.is_ascii_alphanumeric())
        {
            return Err(NumberFormatError::BadCharacter);
        }
        if pattern.chars().filter(|c| *c == '#').count() < 4 {
            return Err(NumberFormatError::TooFewDigits);
        }
        Ok(Self(pattern.to_owned()))
    }

    /// The pattern as configured.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Digits beyond the pattern's for `tickets` tickets (see the module's note).
    pub fn extra_digits(&self, tickets: u64) -> usize {
        let digits = self.0.chars().filter(|c| *c == '#').count();
        let mut extra = 0;
        // Numbers of d random digits: 9 · 10^(d-1). Capped so that the arithmetic stays in
        // range; 18 random digits outnumber any help desk's tickets.
        while digits + extra < MAX_DIGITS {
            let numbers = 9 * 10u128.pow((digits + extra - 1) as u32);
            if u128::from(tickets) * 10 <= numbers {
                break;
            }
            extra += 1;
        }
        extra
    }

    /// Draws a number for a help desk that has opened `tickets` tickets so far: with as many
    /// digits more than the pattern's as keep those tickets within a tenth of the numbers,
    /// taking random bytes from `random` (one byte per digit, rejection sampled so that
    /// every digit is equally likely).
    pub fn generate_for(&self, tickets: u64, mut random: impl FnMut() -> u8) -> String {
        let extra = self.extra_digits(tickets);
        let last = self.0.rfind('#');
        let mut first = true;
        let mut digit = || {
            let lowest = if first { 1 } else { 0 };
            first = false;
            loop {
                let b = random();
                // 250 is the largest multiple of 10 below 256.
                if b < 250 {
                    let d = b % 10;
                    if d >= lowest {
                        break char::from(b'0' + d);
                    }
                }
            }
        };
        let mut out = String::with_capacity(self.0.len() + extra);
        for (i, c) in self.0.char_indices() {
            if c != '#' {
                out.push(c);
                continue;
            }
            out.push(digit());
            if Some(i) == last {
                for _ in 0..extra {
                    out.push(digit());
                }
            }
        }
        out
    }

    /// Whether `s` could have been produced by this pattern, with or without digits added
    /// (cheap check before a lookup).
    pub fn matches(&self, s: &str) -> bool {
        self.canonical(s).is_some()
    }

    /// The number as stored, if `s` fits the pattern with any number of digits added to
    /// its last run of `#` (letters compared case-insensitively).
    pub fn canonical(&self, s: &str) -> Option<String> {
        let extra = s.chars().count().checked_sub(self.0.chars().count())?;
        let last = self.0.rfind('#')?;
        let pattern = format!(
            "{}{}{}",
            &self.0[..=last],
            "#".repeat(extra),
            &self.0[last + 1..]
        );
        pattern
            .chars()
            .zip(s.chars())
            .map(|(p, c)| match p {
                '#' if c.is_ascii_digit() => Some(c),
                '#' => None,
                p if p.eq_ignore_ascii_case(&c) => Some(p),
                _ => None,
            })
            .collect()
    }
}

impl Default for NumberFormat {
    fn default() -> Self {
        Self("######".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(bytes: &[u8]) -> impl FnMut() -> u8 + '_ {
        let mut i = 0;
        move || {
            let b = bytes[i % bytes.len()];
            i += 1;
            b
        }
    }

    #[test]
    fn generates_from_pattern() {
        let f = NumberFormat::default();
        // 0 is refused for the first digit, 255 is rejected by sampling.
        assert_eq!(
            f.generate_for(0, seq(&[0, 255, 11, 2, 3, 4, 5, 6])),
            "123456"
        );
        let f = NumberFormat::parse("T-####").unwrap();
        assert_eq!(f.generate_for(0, seq(&[9, 0, 0, 7])), "T-9007");
        assert!(f.matches("T-9007"));
        assert!(f.matches("t-9007"));
        assert_eq!(f.canonical("t-9007").as_deref(), Some("T-9007"));
        assert!(!f.matches("T-900"));
        assert!(!f.matches("X-9007"));
    }

    #[test]
    fn grows_a_digit_whenever_a_tenth_of_the_numbers_would_be_used() {
        let f = NumberFormat::default();
        assert_eq!(f.extra_digits(0), 0);
        assert_eq!(f.extra_digits(90_000), 0);
        assert_eq!(f.extra_digits(90_001), 1);
        assert_eq!(f.extra_digits(900_000), 1);
        assert_eq!(f.extra_digits(1_000_000), 2);
        assert_eq!(f.extra_digits(u64::MAX), MAX_DIGITS - 6);
        assert_eq!(
            f.generate_for(1_000_000, seq(&[1, 2, 3, 4, 5, 6, 7, 8])),
            "12345678"
        );
        assert_eq!(f.generate_for(10, seq(&[1, 2, 3, 4, 5, 6, 7, 8])), "123456");
        // Added where the pattern's last digits are, so that its letters stay in place.
        let f = NumberFormat::parse("T-####-X").unwrap();
        assert_eq!(f.extra_digits(900), 0);
        assert_eq!(f.extra_digits(901), 1);
        let n = f.generate_for(5_000, seq(&[1, 2, 3, 4, 5]));
        assert_eq!(n, "T-12345-X");
        assert!(f.matches(&n) && f.matches("T-1234-X") && f.matches("t-12345-x"));
        assert!(!f.matches("T-123-X") && !f.matches("T-12X45-X") && !f.matches("T-1234-XY"));
    }

    #[test]
    fn refuses_bad_patterns() {
        assert_eq!(
            NumberFormat::parse("###"),
            Err(NumberFormatError::TooFewDigits)
        );
        assert_eq!(
            NumberFormat::parse("##/##"),
            Err(NumberFormatError::BadCharacter)
        );
        assert_eq!(
            NumberFormat::parse(&"#".repeat(21)),
            Err(NumberFormatError::TooLong)
        );
    }

    #[test]
    fn first_digit_never_zero() {
        let f = NumberFormat::default();
        let mut state = 7u32;
        for _ in 0..2000 {
            let n = f.generate_for(0, || {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (state >> 16) as u8
            });
            assert_ne!(n.as_bytes()[0], b'0');
            assert_eq!(n.len(), 6);
        }
    }
}
