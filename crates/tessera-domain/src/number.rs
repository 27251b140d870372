//! Public ticket numbers in osTicket's pattern syntax: `#` is a random digit, everything else
//! is literal. The first random digit is never zero so that numbers keep their length when
//! people type them into spreadsheets or phone them through.

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

    /// Draws a number, taking random bytes from `random` (one byte per digit, rejection
    /// sampled so that every digit is equally likely).
    pub fn generate(&self, mut random: impl FnMut() -> u8) -> String {
        let mut first = true;
        self.0
            .chars()
            .map(|c| {
                if c != '#' {
                    return c;
                }
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
            })
            .collect()
    }

    /// Whether `s` could have been produced by this pattern (cheap check before a lookup).
    pub fn matches(&self, s: &str) -> bool {
        self.canonical(s).is_some()
    }

    /// The number as stored, if `s` fits the pattern (letters compared case-insensitively).
    pub fn canonical(&self, s: &str) -> Option<String> {
        if s.chars().count() != self.0.chars().count() {
            return None;
        }
        self.0
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
        assert_eq!(f.generate(seq(&[0, 255, 11, 2, 3, 4, 5, 6])), "123456");
        let f = NumberFormat::parse("T-####").unwrap();
        assert_eq!(f.generate(seq(&[9, 0, 0, 7])), "T-9007");
        assert!(f.matches("T-9007"));
        assert!(f.matches("t-9007"));
        assert_eq!(f.canonical("t-9007").as_deref(), Some("T-9007"));
        assert!(!f.matches("T-900"));
        assert!(!f.matches("X-9007"));
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
            let n = f.generate(|| {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (state >> 16) as u8
            });
            assert_ne!(n.as_bytes()[0], b'0');
            assert_eq!(n.len(), 6);
        }
    }
}
