//! Mail authenticity: whether an incoming message really comes from the domain in its
//! `From:` (DKIM, SPF, DMARC through `mail-auth`), and DKIM signatures for outgoing mail.
//!
//! What counts as authenticated (issue 21, decided here once):
//! - the author domain publishes DMARC: its verdict with identifier alignment — an aligned
//!   DKIM pass or an aligned SPF pass — whatever policy (`p=`) it publishes, because a
//!   `p=none` domain's mail is no more authentic than anyone's;
//! - it publishes none: the same test done here with relaxed alignment (the DKIM `d=` or
//!   the SPF `MAIL FROM` domain equal to the author domain, or one a subdomain of the
//!   other), so a domain without DMARC still passes by DKIM or SPF;
//! - a DNS failure is "could not be checked", which callers treat as not authenticated: a
//!   held message costs an agent a click, a forged one appended silently costs far more.
//!
//! SPF needs the address that connected and its HELO. Tessera is handed mail after an MTA
//! took it (pipe, IMAP), so both come from the topmost `Received:` header that names an
//! address other than loopback: MTAs prepend, so that header is written by the
//! organisation's own MTA and a sender cannot forge it; local hops (content filters,
//! re-injection on 127.0.0.1) are skipped. `Return-Path:` (written at final delivery) is
//! the envelope sender; without it the HELO domain is checked.
//!
//! No database and no ticket logic: callers decide what a verdict means for a ticket.

use std::net::{IpAddr, SocketAddr};

use rustls_pki_types::{PrivateKeyDer, pem::PemObject};

use mail_auth::{
    AuthenticatedMessage, DkimResult, DmarcResult, MessageAuthenticator, SpfResult,
    common::crypto::{Ed25519Key, RsaKey, Sha256},
    common::headers::HeaderWriter,
    dkim::{DkimSigner, Done},
    dmarc::verify::DmarcParameters,
    hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts},
    spf::verify::SpfParameters,
};

/// The authenticator could not be set up (the system resolver configuration is unreadable).
#[derive(Debug, thiserror::Error)]
#[error("the DNS resolver for mail authentication cannot be set up: {0}")]
pub struct ResolverError(String);

/// Checks incoming mail against DNS.
pub struct Authenticator {
    inner: MessageAuthenticator,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Authenticator")
    }
}

/// What the checks found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The author domain (`From:`), lower-case; empty when there is none.
    pub domain: String,
    /// The overall answer.
    pub outcome: Outcome,
    /// One line for logs and the agent's warning: `dkim=… spf=… dmarc=…`.
    pub summary: String,
}

/// The overall answer about a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// DKIM or SPF passed, aligned with the author domain.
    Pass,
    /// Nothing aligned passed: the `From:` may be forged.
    Fail,
    /// DNS could not be asked; treated as not authenticated.
    TempError,
}

impl Verdict {
    /// Whether the author domain is proven.
    pub fn is_pass(&self) -> bool {
        self.outcome == Outcome::Pass
    }
}

/// The connecting address, its HELO and the envelope sender, from the trace headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// The address that handed the message to the organisation's MTA.
    pub ip: IpAddr,
    /// The name it gave in HELO/EHLO.
    pub helo: String,
    /// `Return-Path:` without brackets, empty for the null sender or when missing.
    pub mail_from: String,
}

/// Reads the topmost `Received:` header with a non-loopback address (see the module
/// documentation) and the `Return-Path:`.
pub fn trace(raw: &[u8]) -> Option<Trace> {
    let head_end = find_head_end(raw);
    let head = String::from_utf8_lossy(&raw[..head_end]);
    // Unfold: continuation lines start with white space.
    let mut fields: Vec<String> = Vec::new();
    for line in head.split('\n') {
        let line = line.trim_end_matches('\r');
        if line.starts_with([' ', '\t']) {
            if let Some(last) = fields.last_mut() {
                last.push(' ');
                last.push_str(line.trim());
            }
        } else {
            fields.push(line.to_owned());
        }
    }
    let mut mail_from = String::new();
    for f in &fields {
        if let Some((name, value)) = f.split_once(':')
            && name.trim().eq_ignore_ascii_case("return-path")
        {
            mail_from = value
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .trim()
                .to_owned();
            break;
        }
    }
    for f in &fields {
        let Some((name, value)) = f.split_once(':') else {
            continue;
        };
        if !name.trim().eq_ignore_ascii_case("received") {
            continue;
        }
        if let Some((ip, helo)) = received_from(value)
            && !ip.is_loopback()
        {
            return Some(Trace {
                ip,
                helo,
                mail_from,
            });
        }
    }
    None
}

fn find_head_end(raw: &[u8]) -> usize {
    let crlf = raw.windows(4).position(|w| w == b"\r\n\r\n");
    let lf = raw.windows(2).position(|w| w == b"\n\n");
    match (crlf, lf) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => raw.len(),
    }
}

/// The `from` clause of a `Received:` value: `from HELO (rdns [IP])` → (IP, HELO).
fn received_from(value: &str) -> Option<(IpAddr, String)> {
    let v = value.trim();
    let rest = v
        .strip_prefix("from ")
        .or_else(|| v.strip_prefix("FROM "))?;
    // The from clause ends where the `by` clause starts.
    let clause = rest.split(" by ").next().unwrap_or(rest);
    let helo = clause
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(['[', ']'])
        .to_owned();
    let open = clause.find('[')?;
    let close = clause[open..].find(']')? + open;
    let inside = &clause[open + 1..close];
    let inside = inside.strip_prefix("IPv6:").unwrap_or(inside);
    let ip: IpAddr = inside.parse().ok()?;
    Some((ip, helo))
}

/// The part of an address after the last `@`, lower-case.
fn domain_of(address: &str) -> String {
    address
        .rsplit_once('@')
        .map(|(_, d)| d)
        .unwrap_or(address)
        .trim()
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// Relaxed alignment, approximated without the public suffix list: equal, or one a
/// subdomain of the other.
fn aligned(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    !a.is_empty()
        && !b.is_empty()
        && (a == b || a.ends_with(&format!(".{b}")) || b.ends_with(&format!(".{a}")))
}

impl Authenticator {
    /// An authenticator asking `nameserver` (UDP and TCP), or the system's resolvers
    /// (`/etc/resolv.conf`) when `None`.
    pub fn new(nameserver: Option<SocketAddr>) -> Result<Self, ResolverError> {
        let inner = match nameserver {
            Some(addr) => {
                let mut ns = NameServerConfig::udp_and_tcp(addr.ip());
                for c in &mut ns.connections {
                    c.port = addr.port();
                }
                let mut opts = ResolverOpts::default();
                // A test or a local resolver answers at once; do not wait long for a dead one.
                opts.timeout = std::time::Duration::from_secs(2);
                opts.attempts = 1;
                MessageAuthenticator::new(ResolverConfig::from_name_servers(vec![ns]), opts)
            }
            None => MessageAuthenticator::new_system_conf(),
        }
        .map_err(|e| ResolverError(e.to_string()))?;
        Ok(Self { inner })
    }

    /// Checks a raw message (see the module documentation for what passes).
    pub async fn check(&self, raw: &[u8]) -> Verdict {
        let Some(message) = AuthenticatedMessage::parse(raw) else {
            return Verdict {
                domain: String::new(),
                outcome: Outcome::Fail,
                summary: "unparsable".into(),
            };
        };
        let domain = message
            .from
            .first()
            .map(|f| domain_of(f))
            .unwrap_or_default();
        let dkim = self.inner.verify_dkim(&message).await;
        let trace = trace(raw);
        let (spf, mail_from_domain) = match &trace {
            Some(t) => {
                let helo = if t.helo.is_empty() {
                    "unknown"
                } else {
                    &t.helo
                };
                let sender = if t.mail_from.is_empty() {
                    format!("postmaster@{helo}")
                } else {
                    t.mail_from.clone()
                };
                let out = self
                    .inner
                    .verify_spf(SpfParameters::verify_mail_from(
                        t.ip, helo, "tessera", &sender,
                    ))
                    .await;
                (out.result(), domain_of(&sender))
            }
            None => (SpfResult::None, String::new()),
        };
        let spf_out = mail_auth::SpfOutput::new(mail_from_domain.clone()).with_result(spf);
        let dmarc = self
            .inner
            .verify_dmarc(DmarcParameters::new(
                &message,
                &dkim,
                &mail_from_domain,
                &spf_out,
            ))
            .await;
        let dkim_pass_aligned = dkim.iter().any(|d| {
            d.result() == &DkimResult::Pass && d.signature().is_some_and(|s| aligned(&s.d, &domain))
        });
        let dkim_temp = dkim
            .iter()
            .any(|d| matches!(d.result(), DkimResult::TempError(_)));
        let spf_pass_aligned = spf == SpfResult::Pass && aligned(&mail_from_domain, &domain);
        let outcome = if dmarc.dmarc_record().is_some() {
            if dmarc.dkim_result() == &DmarcResult::Pass || dmarc.spf_result() == &DmarcResult::Pass
            {
                Outcome::Pass
            } else if matches!(dmarc.dkim_result(), DmarcResult::TempError(_))
                || matches!(dmarc.spf_result(), DmarcResult::TempError(_))
            {
                Outcome::TempError
            } else {
                Outcome::Fail
            }
        } else if dkim_pass_aligned || spf_pass_aligned {
            Outcome::Pass
        } else if dkim_temp
            || spf == SpfResult::TempError
            || matches!(dmarc.dkim_result(), DmarcResult::TempError(_))
        {
            Outcome::TempError
        } else {
            Outcome::Fail
        };
        let dkim_word = if dkim.is_empty() {
            "none"
        } else if dkim_pass_aligned {
            "pass"
        } else if dkim.iter().any(|d| d.result() == &DkimResult::Pass) {
            "pass-unaligned"
        } else if dkim_temp {
            "temperror"
        } else {
            "fail"
        };
        let dmarc_word = match (dmarc.dmarc_record().is_some(), outcome) {
            (false, _) => "none",
            (true, Outcome::Pass) => "pass",
            (true, Outcome::Fail) => "fail",
            (true, Outcome::TempError) => "temperror",
        };
        let summary = format!("dkim={dkim_word} spf={} dmarc={dmarc_word}", spf_word(spf));
        Verdict {
            domain,
            outcome,
            summary,
        }
    }
}

fn spf_word(r: SpfResult) -> &'static str {
    match r {
        SpfResult::Pass => "pass",
        SpfResult::Fail => "fail",
        SpfResult::SoftFail => "softfail",
        SpfResult::Neutral => "neutral",
        SpfResult::TempError => "temperror",
        SpfResult::PermError => "permerror",
        SpfResult::None => "none",
    }
}

/// A key that signs outgoing mail (DKIM), read from the PEM an administrator uploads.
pub struct DkimKey {
    signer: Signer,
    record: String,
    /// The `d=` domain.
    pub domain: String,
    /// The `s=` selector.
    pub selector: String,
}

enum KeyKind {
    Rsa(RsaKey<Sha256>),
    Ed25519(Ed25519Key),
}

enum Signer {
    Rsa(DkimSigner<RsaKey<Sha256>, Done>),
    Ed25519(DkimSigner<Ed25519Key, Done>),
}

/// The headers a signature covers (those Tessera writes and a forger would change).
const SIGNED_HEADERS: [&str; 9] = [
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Reply-To",
];

impl std::fmt::Debug for DkimKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DkimKey({}._domainkey.{})", self.selector, self.domain)
    }
}

/// Why an uploaded key cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not a PEM private key of a kind we sign with.
    #[error("not an RSA or Ed25519 private key in PEM form")]
    NotAKey,
}

impl DkimKey {
    /// Reads an RSA (`BEGIN RSA PRIVATE KEY` or PKCS#8) or Ed25519 (PKCS#8) private key.
    pub fn from_pem(pem: &str, domain: &str, selector: &str) -> Result<Self, KeyError> {
        let der =
            PrivateKeyDer::from_pem_slice(pem.trim().as_bytes()).map_err(|_| KeyError::NotAKey)?;
        let key = match RsaKey::<Sha256>::from_key_der(der.clone_key()) {
            Ok(k) => KeyKind::Rsa(k),
            // PKCS#8 holds either kind: not RSA, so perhaps Ed25519.
            Err(_) => match &der {
                PrivateKeyDer::Pkcs8(p) => KeyKind::Ed25519(
                    Ed25519Key::from_pkcs8_maybe_unchecked_der(p.secret_pkcs8_der())
                        .map_err(|_| KeyError::NotAKey)?,
                ),
                _ => return Err(KeyError::NotAKey),
            },
        };
        let domain = domain.trim().to_ascii_lowercase();
        let selector = selector.trim().to_owned();
        let (signer, record) = match key {
            KeyKind::Rsa(k) => {
                let record = format!("v=DKIM1; k=rsa; p={}", base64_encode(&k.public_key()));
                let s = DkimSigner::from_key(k)
                    .domain(domain.as_str())
                    .selector(selector.as_str())
                    .headers(SIGNED_HEADERS);
                (Signer::Rsa(s), record)
            }
            KeyKind::Ed25519(k) => {
                let record = format!("v=DKIM1; k=ed25519; p={}", base64_encode(&k.public_key()));
                let s = DkimSigner::from_key(k)
                    .domain(domain.as_str())
                    .selector(selector.as_str())
                    .headers(SIGNED_HEADERS);
                (Signer::Ed25519(s), record)
            }
        };
        Ok(Self {
            signer,
            record,
            domain,
            selector,
        })
    }

    /// `rsa` or `ed25519`.
    pub fn algorithm(&self) -> &'static str {
        match self.signer {
            Signer::Rsa(_) => "rsa",
            Signer::Ed25519(_) => "ed25519",
        }
    }

    /// The TXT record to publish at `selector._domainkey.domain`.
    pub fn dns_record(&self) -> &str {
        &self.record
    }

    /// The message with a `DKIM-Signature:` header in front.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let sig = match &self.signer {
            Signer::Rsa(s) => s.sign(message),
            Signer::Ed25519(s) => s.sign(message),
        }
        .map_err(|e| e.to_string())?;
        let mut out = sig.to_header().into_bytes();
        out.extend_from_slice(message);
        Ok(out)
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_connecting_address_from_the_topmost_received_header() {
        let raw = b"Return-Path: <bounce@mail.example.org>\r\n\
            Received: from localhost (localhost [127.0.0.1])\r\n\tby mx.org.test with ESMTP\r\n\
            Received: from mail.example.org (mail.example.org [192.0.2.7])\r\n\
            \tby mx.org.test (Postfix) with ESMTPS id 1\r\n\
            Received: from forged (forged [198.51.100.1]) by forged\r\n\
            From: a@example.org\r\n\r\nbody\r\n";
        let t = trace(raw).expect("a trace");
        assert_eq!(t.ip, "192.0.2.7".parse::<IpAddr>().unwrap());
        assert_eq!(t.helo, "mail.example.org");
        assert_eq!(t.mail_from, "bounce@mail.example.org");
        let v6 = b"Received: from h ([IPv6:2001:db8::1]) by mx\r\n\r\n";
        assert_eq!(
            trace(v6).unwrap().ip,
            "2001:db8::1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            trace(b"Subject: x\r\n\r\nReceived: from a ([192.0.2.1])"),
            None
        );
    }

    #[test]
    fn alignment_is_relaxed() {
        assert!(aligned("example.org", "example.org"));
        assert!(aligned("mail.example.org", "example.org"));
        assert!(aligned("example.org", "news.example.org"));
        assert!(!aligned("evil.test", "example.org"));
        assert!(!aligned("badexample.org", "example.org"));
        assert!(!aligned("", "example.org"));
    }

    #[test]
    fn base64_encodes() {
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_encode(b"fooba"), "Zm9vYmE=");
        assert_eq!(base64_encode(b"foob"), "Zm9vYg==");
        assert_eq!(base64_encode(b""), "");
    }
}
