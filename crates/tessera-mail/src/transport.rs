//! Where finished messages go: an SMTP server, or `.eml` files when none is configured.

use std::path::PathBuf;

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Tokio1Executor,
    address::{Address, Envelope},
};

/// A delivery failure; `permanent` ones are not retried.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct TransportError {
    /// What went wrong, safe to log (no credentials).
    pub message: String,
    /// Whether retrying cannot help (e.g. the server refused the recipient for good).
    pub permanent: bool,
}

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
        let t = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| TransportError {
                message: format!("invalid SMTP URL: {e}"),
                permanent: true,
            })?
            .build();
        Ok(Transport::Smtp(t))
    }

    /// Checks that the server answers (connects and greets); files always can.
    pub async fn check(&self) -> Result<(), TransportError> {
        match self {
            Transport::Smtp(t) => match t.test_connection().await {
                Ok(true) => Ok(()),
                Ok(false) => Err(TransportError {
                    message: "the SMTP server did not accept the connection".into(),
                    permanent: false,
                }),
                Err(e) => Err(TransportError {
                    message: e.to_string(),
                    permanent: false,
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
                let bad = |e: lettre::address::AddressError| TransportError {
                    message: format!("invalid address: {e}"),
                    permanent: true,
                };
                let from: Address = from.parse().map_err(bad)?;
                let to = recipients
                    .iter()
                    .map(|r| r.parse::<Address>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(bad)?;
                let env = Envelope::new(Some(from), to).map_err(|e| TransportError {
                    message: format!("invalid envelope: {e}"),
                    permanent: true,
                })?;
                t.send_raw(&env, raw)
                    .await
                    .map(|_| ())
                    .map_err(|e| TransportError {
                        permanent: e.is_permanent(),
                        message: e.to_string(),
                    })
            }
            Transport::Files(dir) => {
                let io = |e: std::io::Error| TransportError {
                    message: format!("cannot write mail file: {e}"),
                    permanent: false,
                };
                tokio::fs::create_dir_all(dir).await.map_err(io)?;
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
                tokio::fs::write(&tmp, raw).await.map_err(io)?;
                tokio::fs::rename(&tmp, &path).await.map_err(io)?;
                Ok(())
            }
        }
    }
}
