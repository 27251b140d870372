//! Mail in by IMAP: log in to a mailbox, find the messages that arrived since the last look,
//! fetch them whole, and flag, move or delete them once the caller has stored them.
//!
//! No database here and no decision about what a message means: the caller decides when a
//! message is safe (stored) and only then asks to mark it, so the order "store, then mark"
//! lives in one place (the poller in `tessera-core`).

use std::{net::IpAddr, sync::Arc, time::Duration};

use async_imap::{Client, Session, error::Error as ImapProtoError};
use futures_util::TryStreamExt;
use tokio::{
    io::{AsyncRead, AsyncWrite},
    net::TcpStream,
};
use tokio_rustls::{
    TlsConnector,
    rustls::{self, ClientConfig, RootCertStore, pki_types::ServerName},
};

/// How long one step (connect, handshake, one command) may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// How the connection to an IMAP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImapTls {
    /// TLS from the first byte (IMAPS, usually port 993).
    Tls,
    /// Plain connection upgraded with STARTTLS before logging in (usually port 143).
    StartTls,
    /// No encryption at all; allowed only to a loopback address (a server on the same
    /// machine, or the test server), because the password would cross the network readable.
    None,
}

impl ImapTls {
    /// Every mode, in the order forms offer them.
    pub const ALL: [ImapTls; 3] = [ImapTls::Tls, ImapTls::StartTls, ImapTls::None];

    /// The stable name (database, forms).
    pub fn as_str(self) -> &'static str {
        match self {
            ImapTls::Tls => "tls",
            ImapTls::StartTls => "starttls",
            ImapTls::None => "none",
        }
    }

    /// The mode for a stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// The port servers usually listen on in this mode.
    pub fn default_port(self) -> u16 {
        match self {
            ImapTls::Tls => 993,
            ImapTls::StartTls | ImapTls::None => 143,
        }
    }
}

/// Whether a host is a loopback address (`127.0.0.0/8`, `::1`, `localhost`), the only place
/// a mailbox may be read without TLS.
pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Where and how to reach a mailbox.
#[derive(Clone, PartialEq, Eq)]
pub struct ImapSettings {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Connection security.
    pub tls: ImapTls,
    /// User name.
    pub username: String,
    /// Password (secret: never printed).
    pub password: String,
    /// The folder to read (`INBOX` usually).
    pub folder: String,
}

impl std::fmt::Debug for ImapSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field(
                "password",
                &if self.password.is_empty() { "" } else { "***" },
            )
            .field("folder", &self.folder)
            .finish()
    }
}

/// What happens to a message on the server once it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterImport {
    /// It gets the `\Seen` flag and stays.
    Seen,
    /// It is moved into this folder.
    Move(String),
    /// It is deleted (flagged `\Deleted` and expunged).
    Delete,
}

/// The step of a mailbox session that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImapFailure {
    /// The settings themselves are unusable (bad host name, plain text to a remote host).
    Settings,
    /// No connection to the server (wrong host or port, server down, firewall).
    Connect,
    /// The TLS handshake failed (wrong TLS mode for the port, bad certificate, no STARTTLS).
    Tls,
    /// The server refused the user name or password.
    Auth,
    /// The folder does not exist (or may not be opened by this user).
    Folder,
    /// The server did not answer in time.
    Timeout,
    /// Anything else (the server refused a command, the connection dropped).
    Other,
}

impl ImapFailure {
    /// The stable short name (kept ahead of the details in a mailbox's last error).
    pub fn as_str(self) -> &'static str {
        match self {
            ImapFailure::Settings => "settings",
            ImapFailure::Connect => "connect",
            ImapFailure::Tls => "tls",
            ImapFailure::Auth => "auth",
            ImapFailure::Folder => "folder",
            ImapFailure::Timeout => "timeout",
            ImapFailure::Other => "other",
        }
    }
}

/// A failed step, with a message safe to log and show (no credentials).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ImapError {
    /// What went wrong.
    pub message: String,
    /// Which step failed, so that people can be told what to fix.
    pub kind: ImapFailure,
}

impl ImapError {
    fn new(kind: ImapFailure, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            kind,
        }
    }

    /// A protocol error during an ordinary command.
    fn other(what: &str, e: ImapProtoError) -> Self {
        let kind = match &e {
            ImapProtoError::Io(_) | ImapProtoError::ConnectionLost => ImapFailure::Connect,
            _ => ImapFailure::Other,
        };
        Self::new(kind, format!("{what}: {e}"))
    }
}

/// The server's own words from an async-imap NO/BAD text (`code: …, info: Some("…")`),
/// which is what an administrator can act on; the whole text when it has another shape.
fn server_words(m: &str) -> String {
    m.split_once("info: Some(\"")
        .and_then(|(_, rest)| rest.strip_suffix("\")"))
        .map(|s| s.replace("\\\"", "\""))
        .unwrap_or_else(|| m.to_owned())
}

/// Runs one step with the step timeout.
async fn timed<T>(
    what: &str,
    f: impl Future<Output = Result<T, ImapError>>,
) -> Result<T, ImapError> {
    match tokio::time::timeout(STEP_TIMEOUT, f).await {
        Ok(r) => r,
        Err(_) => Err(ImapError::new(
            ImapFailure::Timeout,
            format!("{what}: no answer within {} s", STEP_TIMEOUT.as_secs()),
        )),
    }
}

/// A byte stream the session runs over: plain TCP or TLS.
trait Wire: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> Wire for T {}

/// Verifies servers against the Mozilla roots compiled in (no system store, no OpenSSL).
fn tls_connector() -> Result<TlsConnector, ImapError> {
    let roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    // The provider is named here, not taken from the process default, so this works whether
    // or not the binary installed one.
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| ImapError::new(ImapFailure::Tls, format!("TLS setup: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

async fn handshake(tcp: TcpStream, host: &str) -> Result<Box<dyn Wire>, ImapError> {
    let name = ServerName::try_from(host.trim_matches(['[', ']']).to_owned())
        .map_err(|e| ImapError::new(ImapFailure::Settings, format!("host name: {e}")))?;
    let tls = tls_connector()?
        .connect(name, tcp)
        .await
        .map_err(|e| ImapError::new(ImapFailure::Tls, format!("TLS handshake: {e}")))?;
    Ok(Box::new(tls))
}

/// Reads the server's greeting (`* OK …`).
async fn greeting<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug>(
    client: &mut Client<T>,
) -> Result<(), ImapError> {
    match client.read_response().await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(ImapError::new(
            ImapFailure::Connect,
            "the server closed the connection before greeting",
        )),
        Err(e) => Err(ImapError::new(
            ImapFailure::Connect,
            format!("greeting: {e}"),
        )),
    }
}

/// A logged-in session with one mailbox.
pub struct ImapSession {
    session: Session<Box<dyn Wire>>,
    /// Whether the server has `MOVE` (RFC 6851).
    can_move: bool,
    /// Whether the server has `UIDPLUS` (RFC 4315): expunging only our own messages.
    can_uid_expunge: bool,
}

impl std::fmt::Debug for ImapSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ImapSession")
    }
}

impl ImapSession {
    /// Connects (with TLS as the settings say) and logs in.
    pub async fn connect(s: &ImapSettings) -> Result<Self, ImapError> {
        if s.host.trim().is_empty() {
            return Err(ImapError::new(ImapFailure::Settings, "no host"));
        }
        if s.tls == ImapTls::None && !is_loopback(&s.host) {
            return Err(ImapError::new(
                ImapFailure::Settings,
                "a connection without TLS is allowed only to this machine",
            ));
        }
        let host = s.host.trim_matches(['[', ']']);
        let tcp = timed("connect", async {
            TcpStream::connect((host, s.port))
                .await
                .map_err(|e| ImapError::new(ImapFailure::Connect, format!("connect: {e}")))
        })
        .await?;
        let client: Client<Box<dyn Wire>> = match s.tls {
            ImapTls::None => {
                let mut c = Client::new(Box::new(tcp) as Box<dyn Wire>);
                timed("greeting", greeting(&mut c)).await?;
                c
            }
            ImapTls::Tls => {
                let wire = timed("TLS handshake", handshake(tcp, host)).await?;
                let mut c = Client::new(wire);
                timed("greeting", greeting(&mut c)).await?;
                c
            }
            ImapTls::StartTls => {
                let mut plain = Client::new(tcp);
                timed("greeting", greeting(&mut plain)).await?;
                timed("STARTTLS", async {
                    plain
                        .run_command_and_check_ok("STARTTLS", None)
                        .await
                        .map_err(|e| {
                            ImapError::new(ImapFailure::Tls, format!("STARTTLS refused: {e}"))
                        })
                })
                .await?;
                let wire = timed("TLS handshake", handshake(plain.into_inner(), host)).await?;
                Client::new(wire)
            }
        };
        let session = timed("login", async {
            client
                .login(&s.username, &s.password)
                .await
                .map_err(|(e, _)| match e {
                    ImapProtoError::No(m) | ImapProtoError::Bad(m) => ImapError::new(
                        ImapFailure::Auth,
                        format!("login refused: {}", server_words(&m)),
                    ),
                    e => ImapError::other("login", e),
                })
        })
        .await?;
        let mut me = Self {
            session,
            can_move: false,
            can_uid_expunge: false,
        };
        let caps = timed("capabilities", async {
            me.session
                .capabilities()
                .await
                .map_err(|e| ImapError::other("CAPABILITY", e))
        })
        .await?;
        me.can_move = caps.has_str("MOVE");
        me.can_uid_expunge = caps.has_str("UIDPLUS");
        Ok(me)
    }

    /// Opens a folder for reading and writing; returns its UIDVALIDITY.
    pub async fn select(&mut self, folder: &str) -> Result<u32, ImapError> {
        let mailbox = timed("select", async {
            self.session.select(folder).await.map_err(|e| match e {
                ImapProtoError::No(m) | ImapProtoError::Bad(m) => ImapError::new(
                    ImapFailure::Folder,
                    format!("folder {folder:?} cannot be opened: {}", server_words(&m)),
                ),
                e => ImapError::other("SELECT", e),
            })
        })
        .await?;
        mailbox.uid_validity.ok_or_else(|| {
            ImapError::new(ImapFailure::Other, "the server does not report UIDVALIDITY")
        })
    }

    /// The UIDs above `last`, in ascending order. (`UID SEARCH UID n:*` also returns the
    /// highest UID when it is below `n`, so the answer is filtered.)
    pub async fn uids_after(&mut self, last: u32) -> Result<Vec<u32>, ImapError> {
        let from = last.saturating_add(1);
        let found = timed("search", async {
            self.session
                .uid_search(format!("UID {from}:*"))
                .await
                .map_err(|e| ImapError::other("UID SEARCH", e))
        })
        .await?;
        let mut uids: Vec<u32> = found.into_iter().filter(|u| *u > last).collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// The whole message with this UID, without setting `\Seen`; `None` when it is gone
    /// (deleted by someone else since the search).
    pub async fn fetch(&mut self, uid: u32) -> Result<Option<Vec<u8>>, ImapError> {
        timed("fetch", async {
            let stream = self
                .session
                .uid_fetch(uid.to_string(), "(UID BODY.PEEK[])")
                .await
                .map_err(|e| ImapError::other("UID FETCH", e))?;
            let fetches: Vec<_> = stream
                .try_collect()
                .await
                .map_err(|e| ImapError::other("UID FETCH", e))?;
            Ok(fetches
                .iter()
                .find(|f| f.uid == Some(uid))
                .and_then(|f| f.body().map(<[u8]>::to_vec)))
        })
        .await
    }

    /// Flags, moves or deletes a stored message as configured.
    pub async fn finish(&mut self, uid: u32, after: &AfterImport) -> Result<(), ImapError> {
        let set = uid.to_string();
        match after {
            AfterImport::Seen => self.store(&set, "+FLAGS.SILENT (\\Seen)").await,
            AfterImport::Move(folder) if self.can_move => {
                timed("move", async {
                    self.session
                        .uid_mv(&set, folder)
                        .await
                        .map_err(|e| move_error(folder, e))
                })
                .await
            }
            AfterImport::Move(folder) => {
                timed("copy", async {
                    self.session
                        .uid_copy(&set, folder)
                        .await
                        .map_err(|e| move_error(folder, e))
                })
                .await?;
                self.store(&set, "+FLAGS.SILENT (\\Seen \\Deleted)").await?;
                self.expunge(&set).await
            }
            AfterImport::Delete => {
                self.store(&set, "+FLAGS.SILENT (\\Deleted)").await?;
                self.expunge(&set).await
            }
        }
    }

    async fn store(&mut self, set: &str, what: &str) -> Result<(), ImapError> {
        timed("store", async {
            let stream = self
                .session
                .uid_store(set, what)
                .await
                .map_err(|e| ImapError::other("UID STORE", e))?;
            let _: Vec<_> = stream
                .try_collect()
                .await
                .map_err(|e| ImapError::other("UID STORE", e))?;
            Ok(())
        })
        .await
    }

    /// Removes deleted messages: only ours where the server allows it, otherwise every
    /// message flagged `\Deleted` in the folder (as any client's EXPUNGE would).
    async fn expunge(&mut self, set: &str) -> Result<(), ImapError> {
        let uid_expunge = self.can_uid_expunge;
        timed("expunge", async {
            if uid_expunge {
                let stream = self
                    .session
                    .uid_expunge(set)
                    .await
                    .map_err(|e| ImapError::other("UID EXPUNGE", e))?;
                let _: Vec<_> = stream
                    .try_collect()
                    .await
                    .map_err(|e| ImapError::other("UID EXPUNGE", e))?;
            } else {
                let stream = self
                    .session
                    .expunge()
                    .await
                    .map_err(|e| ImapError::other("EXPUNGE", e))?;
                let _: Vec<_> = stream
                    .try_collect()
                    .await
                    .map_err(|e| ImapError::other("EXPUNGE", e))?;
            }
            Ok(())
        })
        .await
    }

    /// Logs out politely; errors are of no interest any more.
    pub async fn logout(mut self) {
        let _ = tokio::time::timeout(STEP_TIMEOUT, self.session.logout()).await;
    }
}

fn move_error(folder: &str, e: ImapProtoError) -> ImapError {
    match e {
        ImapProtoError::No(m) | ImapProtoError::Bad(m) => ImapError::new(
            ImapFailure::Folder,
            format!("cannot move to folder {folder:?}: {}", server_words(&m)),
        ),
        e => ImapError::other("UID MOVE", e),
    }
}

/// Logs in and opens the folder, as a test of the settings; returns the folder's
/// UIDVALIDITY.
pub async fn check(s: &ImapSettings) -> Result<u32, ImapError> {
    let mut session = ImapSession::connect(s).await?;
    let r = session.select(&s.folder).await;
    session.logout().await;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_only_to_this_machine() {
        for h in [
            "127.0.0.1",
            "127.0.0.53",
            "::1",
            "[::1]",
            "localhost",
            "LOCALHOST",
        ] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["mail.example.org", "10.0.0.1", "localhost.example.org", ""] {
            assert!(!is_loopback(h), "{h}");
        }
    }

    #[test]
    fn keeps_the_servers_words() {
        assert_eq!(
            server_words(
                r#"code: None, info: Some("[AUTHENTICATIONFAILED] Authentication failed.")"#
            ),
            "[AUTHENTICATIONFAILED] Authentication failed."
        );
        assert_eq!(
            server_words(r#"code: None, info: Some("say \"hi\"")"#),
            "say \"hi\""
        );
        assert_eq!(server_words("outcome: No"), "outcome: No");
    }

    #[test]
    fn tls_modes_round_trip() {
        for m in ImapTls::ALL {
            assert_eq!(ImapTls::parse(m.as_str()), Some(m));
        }
        assert_eq!(ImapTls::parse("ssl"), None);
        assert_eq!(ImapTls::Tls.default_port(), 993);
    }

    #[test]
    fn never_prints_the_password() {
        let s = ImapSettings {
            host: "h".into(),
            port: 993,
            tls: ImapTls::Tls,
            username: "u".into(),
            password: "topsecret".into(),
            folder: "INBOX".into(),
        };
        assert!(!format!("{s:?}").contains("topsecret"));
    }

    #[tokio::test]
    async fn refuses_plain_text_to_a_remote_host() {
        let s = ImapSettings {
            host: "mail.example.org".into(),
            port: 143,
            tls: ImapTls::None,
            username: "u".into(),
            password: "p".into(),
            folder: "INBOX".into(),
        };
        let e = check(&s).await.unwrap_err();
        assert_eq!(e.kind, ImapFailure::Settings);
    }

    #[tokio::test]
    async fn a_closed_port_is_a_connect_failure() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let s = ImapSettings {
            host: "127.0.0.1".into(),
            port,
            tls: ImapTls::Tls,
            username: "u".into(),
            password: "p".into(),
            folder: "INBOX".into(),
        };
        let e = check(&s).await.unwrap_err();
        assert_eq!(e.kind, ImapFailure::Connect, "{e}");
    }
}
