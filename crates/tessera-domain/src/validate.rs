//! Validation at the edge: field errors carry a message key that front ends translate.

use std::borrow::Cow;

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The form field's name (owned for fields defined at run time, such as custom fields).
    pub field: Cow<'static, str>,
    /// The translation key describing the problem.
    pub key: &'static str,
}

/// A set of field errors; empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problem {
    /// Every problem found, in form order.
    pub errors: Vec<FieldError>,
}

impl Problem {
    /// Records a problem.
    pub fn add(&mut self, field: &'static str, key: &'static str) {
        self.errors.push(FieldError {
            field: Cow::Borrowed(field),
            key,
        });
    }

    /// Records a problem of a form field whose name is only known at run time.
    pub fn add_named(&mut self, field: String, key: &'static str) {
        self.errors.push(FieldError {
            field: Cow::Owned(field),
            key,
        });
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Ok(())` when empty, otherwise `Err(self)`.
    pub fn into_result(self) -> Result<(), Problem> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    /// The first problem for a field, if any.
    pub fn for_field(&self, field: &str) -> Option<&'static str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.key)
    }
}

/// Checks a required free-text field's length in characters.
pub fn text(
    problem: &mut Problem,
    field: &'static str,
    value: &str,
    max_chars: usize,
) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        problem.add(field, "error-required");
        None
    } else if v.chars().count() > max_chars {
        problem.add(field, "error-too-long");
        None
    } else if v
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        problem.add(field, "error-bad-characters");
        None
    } else {
        Some(v.to_owned())
    }
}

/// A syntactically plausible email address, trimmed and with its domain lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Accepts what mail servers deliver to in practice: `local@domain.tld`, no spaces,
    /// no angle brackets or quotes, at most 254 characters.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return None;
        }
        let (local, domain) = s.rsplit_once('@')?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        (local_ok && domain_ok).then(|| Self(format!("{local}@{}", domain.to_lowercase())))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used to find a person: the whole address lower-cased.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Option<&str>) {
        assert_eq!(
            EmailAddress::parse(input).as_ref().map(|e| e.as_str()),
            expected,
            "{input}"
        );
    }

    #[test]
    fn parses_email() {
        check("max@example.org", Some("max@example.org"));
        check(
            "  Max.Muster@DRK-Witten.DE ",
            Some("Max.Muster@drk-witten.de"),
        );
        check("jürgen@straße.de", Some("jürgen@straße.de"));
        check("a+tag@x.io", Some("a+tag@x.io"));
        check("max@localhost", None);
        check("max@@example.org", None);
        check("<max@example.org>", None);
        check("max example@example.org", None);
        check("max@exa mple.org", None);
        check(".max@example.org", None);
        check("max@-example.org", None);
        check("", None);
    }

    #[test]
    fn checks_text() {
        let mut p = Problem::default();
        assert_eq!(text(&mut p, "subject", "  Hi ", 10), Some("Hi".into()));
        assert_eq!(text(&mut p, "subject", "   ", 10), None);
        assert_eq!(text(&mut p, "name", "ÄÖÜäöüßéèê!", 10), None);
        assert_eq!(text(&mut p, "name", "a\u{0}b", 10), None);
        assert_eq!(p.for_field("subject"), Some("error-required"));
        assert_eq!(p.errors[1].key, "error-too-long");
        assert_eq!(p.errors[2].key, "error-bad-characters");
    }
}
