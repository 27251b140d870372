//! Where finished messages go: an SMTP server, or `.eml` files when none is configured.

use std::{path::PathBuf, time::Duration};

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Tokio1Executor,
    address::{Address, Envelope},
    transport::smtp::{
        authentication::Credentials,
        client::{Tls, TlsParameters},
    },
};

/// A delivery failure; `permanent` ones are not retried.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct TransportError {
    /// What went wrong, safe to log (no credentials).
    pub message: String,
    /// Whether retrying cannot help (e.g. the server refused the recipient for good).
    pub permanent: bool,
    /// Which step failed, so that people can be told what to fix.
    pub kind: FailureKind,
}

/// The step of a delivery that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The settings themselves are unusable (bad host name, bad address).
    Settings,
    /// No connection to the server (wrong host or port, server down, firewall).
    Connect,
    /// The TLS handshake failed (wrong TLS mode for the port, bad certificate).
    Tls,
    /// The server refused the user name or password.
    Auth,
    /// The server refused the sender or a recipient, or the message.
    Rejected,
    /// The server did not answer in time.
    Timeout,
    /// Anything else (including local file errors).
    Other,
}

impl TransportError {
    fn settings(message: String) -> Self {
        Self {
            message,
            permanent: true,
            kind: FailureKind::Settings,
        }
    }

    fn from_smtp(e: lettre::transport::smtp::Error) -> Self {
        let code = e.status().map(|c| c.to_string());
        let kind = if e.is_timeout() {
            FailureKind::Timeout
        } else if e.is_tls() {
            FailureKind::Tls
        } else if matches!(code.as_deref(), Some("535" | "534" | "530" | "454")) {
            FailureKind::Auth
        } else if e.is_permanent() || e.is_transient() {
            FailureKind::Rejected
        } else if e.is_response() || e.is_client() {
            FailureKind::Other
        } else {
            FailureKind::Connect
        };
        Self {
            permanent: e.is_permanent(),
            message: e.to_string(),
            kind,
        }
    }
}

/// How the connection to an SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text, for a relay on the same machine or network.
    None,
    /// STARTTLS, required (usually port 587).
    StartTls,
    /// STARTTLS when the server offers it, plain text otherwise.
    Opportunistic,
    /// TLS from the first byte (usually port 465).
    Tls,
}

impl SmtpTls {
    /// Every mode, in the order forms offer them.
    pub const ALL: [SmtpTls; 4] = [
        SmtpTls::StartTls,
        SmtpTls::Tls,
        SmtpTls::None,
        SmtpTls::Opportunistic,
    ];

    /// The stable name (settings, forms).
    pub fn as_str(self) -> &'static str {
        match self {
            SmtpTls::None => "none",
            SmtpTls::StartTls => "starttls",
            SmtpTls::Opportunistic => "opportunistic",
            SmtpTls::Tls => "tls",
        }
    }

    /// The mode for a stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// The port servers usually listen on in this mode.
    pub fn default_port(self) -> u16 {
        match self {
            SmtpTls::None => 25,
            SmtpTls::StartTls | SmtpTls::Opportunistic => 587,
            SmtpTls::Tls => 465,
        }
    }
}

/// Where and how to reach an SMTP server.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Connection security.
    pub tls: SmtpTls,
    /// User name; empty for no authentication.
    pub username: String,
    /// Password (secret: never printed).
    pub password: String,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field(
                "password",
                &if self.password.is_empty() { "" } else { "***" },
            )
            .finish()
    }
}

impl SmtpSettings {
    /// Reads a URL such as `smtp://user:pass@host:587?tls=required` (STARTTLS),
    /// `smtps://host` (implicit TLS) or `smtp://host:25` (plain), as lettre spells them.
    pub fn from_url(raw: &str) -> Result<Self, TransportError> {
        let bad = |what: &str| TransportError::settings(format!("invalid SMTP URL: {what}"));
        let url = url::Url::parse(raw).map_err(|e| bad(&e.to_string()))?;
        let tls_param = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        let tls = match (url.scheme(), tls_param.as_deref()) {
            ("smtp", None) => SmtpTls::None,
            ("smtp", Some("required")) => SmtpTls::StartTls,
            ("smtp", Some("opportunistic")) => SmtpTls::Opportunistic,
            ("smtps", _) => SmtpTls::Tls,
            _ => {
                return Err(bad(
                    "use smtp:// or smtps://, and tls=required or opportunistic",
                ));
            }
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("no host"))?;
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| bad("user name or password is not UTF-8"))
        };
        Ok(Self {
            host: host.trim_matches(['[', ']']).to_owned(),
            port: url.port().unwrap_or(tls.default_port()),
            tls,
            username: decode(url.username())?,
            password: url.password().map(decode).transpose()?.unwrap_or_default(),
        })
    }
}

/// How long one SMTP command may take before the attempt counts as failed (and is retried).
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// A way to deliver mail.
#[derive(Clone)]
pub enum Transport {
    /// An SMTP relay.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// One `.eml` file per message in a folder (the default without SMTP).
    Files(PathBuf),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The SMTP transport holds credentials: never print it.
        match self {
            Transport::Smtp(_) => f.write_str("Transport::Smtp"),
            Transport::Files(p) => write!(f, "Transport::Files({})", p.display()),
        }
    }
}

impl Transport {
    /// An SMTP transport from a URL such as `smtp://user:pass@host:587?tls=required` or
    /// `smtps://host`. Must be called inside a tokio runtime.
    pub fn smtp(url: &str) -> Result<Self, TransportError> {
        Self::smtp_with(&SmtpSettings::from_url(url)?)
    }

    /// An SMTP transport from its settings. Must be called inside a tokio runtime.
    pub fn smtp_with(s: &SmtpSettings) -> Result<Self, TransportError> {
        let tls = |host: &str| {
            TlsParameters::new(host.to_owned())
                .map_err(|e| TransportError::settings(format!("TLS settings: {e}")))
        };
        let builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host);
        let builder = match s.tls {
            SmtpTls::None => builder,
            SmtpTls::StartTls => builder.tls(Tls::Required(tls(&s.host)?)),
            SmtpTls::Opportunistic => builder.tls(Tls::Opportunistic(tls(&s.host)?)),
            SmtpTls::Tls => builder.tls(Tls::Wrapper(tls(&s.host)?)),
        };
        let mut builder = builder.port(s.port).timeout(Some(SMTP_TIMEOUT));
        if !s.username.is_empty() {
            builder = builder.credentials(Credentials::new(s.username.clone(), s.password.clone()));
        }
        Ok(Transport::Smtp(builder.build()))
    }

    /// Checks that the server answers (connects and greets); files always can.
    pub async fn check(&self) -> Result<(), TransportError> {
        match self {
            Transport::Smtp(t) => match t.test_connection().await {
                Ok(true) => Ok(()),
                Ok(false) => Err(TransportError {
                    message: "the SMTP server did not accept the connection".into(),
                    permanent: false,
                    kind: FailureKind::Connect,
                }),
                Err(e) => Err(TransportError {
                    permanent: false,
                    ..TransportError::from_smtp(e)
                }),
            },
            Transport::Files(_) => Ok(()),
        }
    }

    /// Delivers one message.
    pub async fn send(
        &self,
        message_id: &str,
        from: &str,
        recipients: &[&str],
        raw: &[u8],
    ) -> Result<(), TransportError> {
        match self {
            Transport::Smtp(t) => {
                let bad = |e: lettre::address::AddressError| {
                    TransportError::settings(format!("invalid address: {e}"))
                };
                let from: Address = from.parse().map_err(bad)?;
                let to = recipients
                    .iter()
                    .map(|r| r.parse::<Address>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(bad)?;
                let env = Envelope::new(Some(from), to)
                    .map_err(|e| TransportError::settings(format!("invalid envelope: {e}")))?;
                t.send_raw(&env, raw)
                    .await
                    .map(|_| ())
                    .map_err(TransportError::from_smtp)
            }
            Transport::Files(dir) => {
                let io = |e: std::io::Error| TransportError {
                    message: format!("cannot write mail file: {e}"),
                    permanent: false,
                    kind: FailureKind::Other,
                };
                let name: String = message_id
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '.' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                let path = dir.join(format!("{name}.eml"));
                let tmp = dir.join(format!(".{name}.tmp"));
                let (dir, raw) = (dir.clone(), raw.to_vec());
                // One trip to the blocking pool for the whole file, not one per call.
                tokio::task::spawn_blocking(move || {
                    std::fs::create_dir_all(&dir)?;
                    std::fs::write(&tmp, raw)?;
                    std::fs::rename(&tmp, &path)
                })
                .await
                .map_err(|e| io(std::io::Error::other(e)))?
                .map_err(io)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(url: &str, expected: Option<(&str, u16, SmtpTls, &str, &str)>) {
        let got = SmtpSettings::from_url(url)
            .ok()
            .map(|s| (s.host, s.port, s.tls, s.username, s.password));
        let expected =
            expected.map(|(h, p, t, u, w)| (h.to_owned(), p, t, u.to_owned(), w.to_owned()));
        assert_eq!(got, expected, "{url}");
    }

    #[test]
    fn reads_smtp_urls() {
        check(
            "smtp://127.0.0.1:2525",
            Some(("127.0.0.1", 2525, SmtpTls::None, "", "")),
        );
        check(
            "smtp://mail.example.org",
            Some(("mail.example.org", 25, SmtpTls::None, "", "")),
        );
        check(
            "smtp://u:p%40ss@mail.example.org?tls=required",
            Some(("mail.example.org", 587, SmtpTls::StartTls, "u", "p@ss")),
        );
        check(
            "smtp://mail.example.org:2587?tls=opportunistic",
            Some(("mail.example.org", 2587, SmtpTls::Opportunistic, "", "")),
        );
        check(
            "smtps://me%40example.org:secret@mail.example.org",
            Some((
                "mail.example.org",
                465,
                SmtpTls::Tls,
                "me@example.org",
                "secret",
            )),
        );
        check("http://mail.example.org", None);
        check("smtp://mail.example.org?tls=always", None);
        check("not a url", None);
    }

    #[test]
    fn never_prints_the_password() {
        let s = SmtpSettings::from_url("smtp://u:topsecret@h").unwrap();
        assert!(!format!("{s:?}").contains("topsecret"));
    }
}
