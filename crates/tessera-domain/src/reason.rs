//! Reasons stored for people to read later — why a webhook delivery failed, why a mail was
//! set aside: a translation key with named arguments, so that each reader sees the reason in
//! their own language, with the technical detail (an error text from a library) kept as an
//! argument for the administrator.
//!
//! Stored as `@key` followed by `\u{1f}name=value` per argument. Rows written before
//! reasons were keyed hold free text; it never starts with `@` and is shown as it is.

/// Marks a stored keyed reason.
const MARK: char = '@';
/// Separates the key and the arguments (ASCII unit separator: never in a person's text).
const SEP: char = '\u{1f}';

/// A reason to show later, in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// The translation key.
    pub key: String,
    /// Named arguments of the message.
    pub args: Vec<(String, String)>,
}

impl Reason {
    /// A reason without arguments.
    pub fn new(key: &'static str) -> Self {
        Self {
            key: key.to_owned(),
            args: Vec::new(),
        }
    }

    /// With one more argument (the separator is dropped from the value).
    pub fn arg(mut self, name: &'static str, value: impl AsRef<str>) -> Self {
        let value = value.as_ref().replace(SEP, " ");
        self.args.push((name.to_owned(), value));
        self
    }

    /// The text to store.
    pub fn encode(&self) -> String {
        let mut out = format!("{MARK}{}", self.key);
        for (name, value) in &self.args {
            out.push(SEP);
            out.push_str(name);
            out.push('=');
            out.push_str(value);
        }
        out
    }

    /// Reads a stored text; `None` for free text (rows written before reasons were keyed).
    pub fn decode(stored: &str) -> Option<Self> {
        let rest = stored.strip_prefix(MARK)?;
        let mut parts = rest.split(SEP);
        let key = parts.next()?;
        let key_ok = !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !key_ok {
            return None;
        }
        let args = parts
            .map(|kv| {
                let (name, value) = kv.split_once('=')?;
                Some((name.to_owned(), value.to_owned()))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Self {
            key: key.to_owned(),
            args,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let r = Reason::new("webhook-fail-request")
            .arg(
                "detail",
                "error sending request: connection refused (os error 111)",
            )
            .arg("url", "https://a.example/x?y=1&z=2");
        assert_eq!(Reason::decode(&r.encode()), Some(r));
        let bare = Reason::new("mail-in-reason-no-sender");
        assert_eq!(bare.encode(), "@mail-in-reason-no-sender");
        assert_eq!(Reason::decode(&bare.encode()), Some(bare));
    }

    #[test]
    fn the_separator_cannot_be_smuggled_in() {
        let r = Reason::new("k").arg("detail", "a\u{1f}evil=1");
        let back = Reason::decode(&r.encode()).unwrap();
        assert_eq!(back.args, vec![("detail".into(), "a evil=1".into())]);
    }

    #[test]
    fn free_text_of_older_rows_is_not_a_reason() {
        for old in [
            "the message has no sender",
            "processing it again failed: database error",
            "HTTP 500",
            "refused: 127.0.0.1 is a loopback address; allow private targets to send there",
            "@",
            "@Not A Key",
            "",
        ] {
            assert_eq!(Reason::decode(old), None, "{old:?}");
        }
    }
}
