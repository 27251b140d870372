//! Configuration: defaults, then `tessera.toml`, then `TESSERA_*` environment variables, then
//! command-line flags, each overriding the one before.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use anyhow::{Context, bail};
use clap::Args;
use serde::Deserialize;
use tessera_core::{CoreConfig, IntakeConfig, Rate};
use tessera_domain::{EmailAddress, Lang, NumberFormat};
use tessera_mail::{Mailbox, SmtpSettings};
use tessera_web::{Cidr, WebConfig};

use crate::HttpLimits;

/// Settings that every command shares; each may also come from `tessera.toml`.
#[derive(Debug, Clone, Default, Args)]
pub struct Overrides {
    /// Configuration file (TOML). Default: `tessera.toml` in the working directory, if present.
    #[arg(long, env = "TESSERA_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Folder for the SQLite database, attachments and mail files.
    #[arg(long, env = "TESSERA_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Database URL: `sqlite:PATH` or `postgres://USER@HOST/DB`. Default: SQLite in the data folder.
    #[arg(
        long,
        env = "TESSERA_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Address to listen on.
    #[arg(long, env = "TESSERA_LISTEN", global = true)]
    pub listen: Option<SocketAddr>,
    /// Public URL of this installation, used in links in mail. Default: http://LISTEN.
    #[arg(long, env = "TESSERA_BASE_URL", global = true)]
    pub base_url: Option<String>,
    /// SMTP server, e.g. `smtp://user:pass@mail.example.org:587?tls=required`. Without it,
    /// mail is written as .eml files into DATA_DIR/mail-out.
    #[arg(long, env = "TESSERA_SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender address of automatic mail.
    #[arg(long, env = "TESSERA_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,
    /// Language for visitors whose browser asks for neither German nor English (de, en).
    #[arg(long, env = "TESSERA_DEFAULT_LANG", global = true)]
    pub default_lang: Option<String>,
}

/// The file's shape; every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    listen: Option<SocketAddr>,
    base_url: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    mail_from_name: Option<String>,
    default_lang: Option<String>,
    organisation_name: Option<String>,
    ticket_number_format: Option<String>,
    attachment_max_total_mb: Option<f64>,
    attachment_allowed_types: Option<Vec<String>>,
    mail_retry_base_ms: Option<i64>,
    mail_retry_max_ms: Option<i64>,
    mail_lease_ms: Option<i64>,
    imap_poll_seconds: Option<u64>,
    imap_lease_ms: Option<i64>,
    log_format: Option<String>,
    status_attempts_per_ip: Option<u32>,
    status_attempts_per_ticket: Option<u32>,
    login_attempts_per_ip: Option<u32>,
    login_attempts_per_account: Option<u32>,
    trusted_proxies: Option<Vec<String>>,
    http_header_timeout_seconds: Option<u64>,
    http_request_timeout_seconds: Option<u64>,
    http_upload_timeout_seconds: Option<u64>,
    http_max_connections: Option<usize>,
    attachment_base_url: Option<String>,
    clamd: Option<String>,
    intake: Option<IntakeFile>,
    access_link_days_after_close: Option<i64>,
    mail_auth: Option<String>,
    mail_auth_nameserver: Option<SocketAddr>,
    loop_cap_per_ticket: Option<i64>,
    loop_cap_per_address: Option<i64>,
    notice_merge_seconds: Option<i64>,
    mail_in: Option<bool>,
}

/// `[intake]`: the portal's rate limits and challenge (`tessera_core::IntakeConfig`). A
/// limit is `{ burst = N, per_hour = M }`; `per_hour = 0` with `burst = 0` turns it off.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct IntakeFile {
    open_per_client: Option<RateFile>,
    open_per_recipient: Option<RateFile>,
    open_global: Option<RateFile>,
    reply_per_client: Option<RateFile>,
    reply_per_requester: Option<RateFile>,
    reply_global: Option<RateFile>,
    challenge_bits: Option<u8>,
    challenge_wait_seconds: Option<u64>,
    challenge_lifetime_seconds: Option<u64>,
    challenge_auto_per_minute: Option<u32>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
struct RateFile {
    burst: u32,
    per_hour: u32,
}

impl IntakeFile {
    fn apply(self, d: IntakeConfig) -> anyhow::Result<IntakeConfig> {
        let rate = |f: Option<RateFile>, d: Option<Rate>| match f {
            None => d,
            Some(r) if r.burst == 0 && r.per_hour == 0 => None,
            Some(r) => Some(Rate::new(r.burst.max(1), r.per_hour)),
        };
        let bits = self.challenge_bits.unwrap_or(d.challenge_bits);
        if bits > 32 {
            bail!("intake.challenge_bits must be at most 32");
        }
        Ok(IntakeConfig {
            open_per_client: rate(self.open_per_client, d.open_per_client),
            open_per_recipient: rate(self.open_per_recipient, d.open_per_recipient),
            open_global: rate(self.open_global, d.open_global),
            reply_per_client: rate(self.reply_per_client, d.reply_per_client),
            reply_per_requester: rate(self.reply_per_requester, d.reply_per_requester),
            reply_global: rate(self.reply_global, d.reply_global),
            challenge_bits: bits,
            challenge_wait_secs: self.challenge_wait_seconds.unwrap_or(d.challenge_wait_secs),
            challenge_lifetime_secs: self
                .challenge_lifetime_seconds
                .unwrap_or(d.challenge_lifetime_secs)
                .max(60),
            challenge_auto_per_minute: self
                .challenge_auto_per_minute
                .unwrap_or(d.challenge_auto_per_minute),
        })
    }
}

/// The configuration in force.
#[derive(Clone)]
pub struct Config {
    /// Data folder.
    pub data_dir: PathBuf,
    /// Database URL.
    pub database_url: String,
    /// Listen address.
    pub listen: SocketAddr,
    /// SMTP URL (secret: never printed).
    pub smtp_url: Option<String>,
    /// Whether logs are JSON.
    pub log_json: bool,
    /// What the core needs.
    pub core: CoreConfig,
    /// What the web front needs.
    pub web: WebConfig,
    /// Timeouts and the connection cap of the HTTP server.
    pub http: HttpLimits,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("database", &redact_url(&self.database_url))
            .field("listen", &self.listen)
            .field("smtp", &self.smtp_url.as_deref().map(redact_url))
            .field("base_url", &self.core.base_url)
            .field("http", &self.http)
            .finish_non_exhaustive()
    }
}

/// A URL with any password replaced, for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

impl Config {
    /// What the core needs, with the SMTP server this configuration names.
    pub fn core(&self) -> CoreConfig {
        CoreConfig {
            smtp: self
                .smtp_url
                .as_deref()
                .and_then(|u| SmtpSettings::from_url(u).ok()),
            ..self.core.clone()
        }
    }

    /// Loads and validates the configuration.
    pub fn load(o: &Overrides) -> anyhow::Result<Self> {
        let path = o.config.clone().or_else(|| {
            let p = PathBuf::from("tessera.toml");
            p.exists().then_some(p)
        });
        let file: FileConfig = match &path {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("cannot read {}", p.display()))?;
                toml::from_str(&text).with_context(|| format!("invalid {}", p.display()))?
            }
            None => FileConfig::default(),
        };
        let http = http_limits(&file)?;
        let data_dir = o
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| "data".into());
        let listen = o
            .listen
            .or(file.listen)
            .unwrap_or_else(|| ([127, 0, 0, 1], 8080).into());
        let database_url = o
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite:{}", data_dir.join("tessera.db").display()));
        let base_url = o
            .base_url
            .clone()
            .or(file.base_url)
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_owned();
        if !base_url.starts_with("http://") && !base_url.starts_with("https://") {
            bail!("base_url must start with http:// or https://");
        }
        let lang_s = o
            .default_lang
            .clone()
            .or(file.default_lang)
            .unwrap_or_else(|| "de".into());
        let default_lang = Lang::parse(&lang_s)
            .with_context(|| format!("default_lang must be de or en, not {lang_s:?}"))?;
        let from = o
            .mail_from
            .clone()
            .or(file.mail_from)
            .unwrap_or_else(|| "helpdesk@localhost.localdomain".into());
        let from = EmailAddress::parse(&from)
            .with_context(|| format!("mail_from is not an email address: {from:?}"))?;
        let number_format = match file.ticket_number_format {
            Some(f) => NumberFormat::parse(&f).context("ticket_number_format")?,
            None => NumberFormat::default(),
        };
        let org = file.organisation_name.unwrap_or_else(|| "Tessera".into());
        let max_mb = file.attachment_max_total_mb.unwrap_or(8.0);
        if !(0.0..=1024.0).contains(&max_mb) {
            bail!("attachment_max_total_mb must be between 0 and 1024");
        }
        let smtp_url = o.smtp_url.clone().or(file.smtp_url);
        // Refused here, at start, rather than at the first mail.
        smtp_url
            .as_deref()
            .map(SmtpSettings::from_url)
            .transpose()
            .context("smtp_url")?;
        let clamd = match file.clamd.map(|c| c.trim().to_owned()) {
            Some(c) if c.strip_prefix("tcp://").is_some_and(|hp| hp.contains(':')) => Some(c),
            Some(c) if c.starts_with('/') || c.starts_with("unix:///") => Some(c),
            Some(c) => {
                bail!("clamd must be tcp://HOST:PORT or the path of clamd's unix socket, not {c:?}")
            }
            None => None,
        };
        let defaults = CoreConfig::default();
        let core = CoreConfig {
            mail_dir: data_dir.join("mail-out"),
            base_url,
            number_format,
            mail_from: Mailbox {
                name: file.mail_from_name.unwrap_or_else(|| org.clone()),
                email: from.as_str().to_owned(),
            },
            default_lang,
            org_name: org,
            attachment_max_total: (max_mb * 1024.0 * 1024.0) as u64,
            // The same rules as the settings page's field, so both accept the same lists.
            allowed_extensions: tessera_core::file_types(
                &file.attachment_allowed_types.unwrap_or_default().join(","),
            )
            .context("attachment_allowed_types: plain file extensions only, such as \"pdf\"")?,
            mail_retry_base_ms: file
                .mail_retry_base_ms
                .unwrap_or(defaults.mail_retry_base_ms),
            mail_retry_max_ms: file.mail_retry_max_ms.unwrap_or(defaults.mail_retry_max_ms),
            mail_lease_ms: file
                .mail_lease_ms
                .unwrap_or(defaults.mail_lease_ms)
                .max(1000),
            imap_poll_secs: file
                .imap_poll_seconds
                .unwrap_or(defaults.imap_poll_secs)
                .max(1),
            imap_lease_ms: file
                .imap_lease_ms
                .unwrap_or(defaults.imap_lease_ms)
                .max(1000),
            clamd,
            intake: file
                .intake
                .unwrap_or_default()
                .apply(IntakeConfig::default())
                .context("[intake]")?,
            access_link_days_after_close: file
                .access_link_days_after_close
                .unwrap_or(defaults.access_link_days_after_close)
                .max(0),
            mail_auth: match file.mail_auth.as_deref() {
                None => defaults.mail_auth,
                Some(v) => tessera_core::MailAuthPolicy::parse(v).with_context(|| {
                    format!("mail_auth must be hold, separate or off, not {v:?}")
                })?,
            },
            mail_auth_nameserver: file.mail_auth_nameserver,
            loop_cap_per_ticket: file
                .loop_cap_per_ticket
                .unwrap_or(defaults.loop_cap_per_ticket)
                .max(1),
            loop_cap_per_address: file
                .loop_cap_per_address
                .unwrap_or(defaults.loop_cap_per_address)
                .max(1),
            notice_merge_secs: file
                .notice_merge_seconds
                .unwrap_or(defaults.notice_merge_secs)
                .clamp(0, 3600),
            mail_in: file.mail_in.unwrap_or(defaults.mail_in),
            ..defaults
        };
        let trusted_proxies = file
            .trusted_proxies
            .unwrap_or_default()
            .iter()
            .map(|s| s.parse::<Cidr>())
            .collect::<Result<Vec<_>, _>>()
            .context("trusted_proxies")?;
        let web_defaults = WebConfig::default();
        let attachment_base_url = file
            .attachment_base_url
            .map(|u| attachment_origin(&u, &core.base_url))
            .transpose()?;
        Ok(Self {
            http,
            data_dir,
            database_url,
            listen,
            smtp_url,
            log_json: file.log_format.as_deref() == Some("json"),
            core,
            web: WebConfig {
                trusted_proxies,
                login_attempts_per_ip: file
                    .login_attempts_per_ip
                    .unwrap_or(web_defaults.login_attempts_per_ip),
                login_attempts_per_account: file
                    .login_attempts_per_account
                    .unwrap_or(web_defaults.login_attempts_per_account),
                status_attempts_per_ip: file
                    .status_attempts_per_ip
                    .unwrap_or(WebConfig::default().status_attempts_per_ip),
                status_attempts_per_ticket: file
                    .status_attempts_per_ticket
                    .unwrap_or(WebConfig::default().status_attempts_per_ticket),
                attachment_base_url,
                ..WebConfig::default()
            },
        })
    }
}

/// The HTTP server's limits: whole seconds, each at least one.
fn http_limits(file: &FileConfig) -> anyhow::Result<HttpLimits> {
    let d = HttpLimits::default();
    let secs = |v: Option<u64>, name: &str, default: Duration| match v {
        None => Ok(default),
        Some(0) => bail!("{name} must be at least 1"),
        Some(n) => Ok(Duration::from_secs(n)),
    };
    let max_connections = match file.http_max_connections {
        None => d.max_connections,
        Some(0) => bail!("http_max_connections must be at least 1"),
        Some(n) => n,
    };
    Ok(HttpLimits {
        header_read_timeout: secs(
            file.http_header_timeout_seconds,
            "http_header_timeout_seconds",
            d.header_read_timeout,
        )?,
        request_timeout: secs(
            file.http_request_timeout_seconds,
            "http_request_timeout_seconds",
            d.request_timeout,
        )?,
        upload_timeout: secs(
            file.http_upload_timeout_seconds,
            "http_upload_timeout_seconds",
            d.upload_timeout,
        )?,
        max_connections,
    })
}

/// Checks `attachment_base_url`: an http(s) origin (an optional path prefix allowed) on a
/// host other than the base URL's, for downloads to be isolated from the main origin.
fn attachment_origin(url: &str, base_url: &str) -> anyhow::Result<String> {
    let url = url.trim().trim_end_matches('/');
    let host_of = |u: &str| {
        u.split_once("://")
            .map(|(_, rest)| rest.split('/').next().unwrap_or("").to_ascii_lowercase())
    };
    let ok_scheme = url.starts_with("https://") || url.starts_with("http://");
    let host = host_of(url).unwrap_or_default();
    if !ok_scheme || host.is_empty() || url.contains(['?', '#', ' ', '"']) {
        bail!("attachment_base_url must be an http(s) URL such as https://files.example.org");
    }
    if host_of(base_url).as_deref() == Some(host.as_str()) {
        bail!("attachment_base_url must be on another host than base_url, or it isolates nothing");
    }
    Ok(url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_toml(text: &str) -> anyhow::Result<Config> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tessera.toml");
        std::fs::write(&path, text).unwrap();
        Config::load(&Overrides {
            config: Some(path),
            data_dir: Some(dir.path().into()),
            ..Overrides::default()
        })
    }

    #[test]
    fn http_limits_come_from_the_file_with_defaults() {
        assert_eq!(load_toml("").unwrap().http, HttpLimits::default());
        let cfg = load_toml(
            "http_header_timeout_seconds = 5\nhttp_request_timeout_seconds = 30\n\
             http_upload_timeout_seconds = 900\nhttp_max_connections = 200\n",
        )
        .unwrap();
        assert_eq!(
            cfg.http,
            HttpLimits {
                header_read_timeout: Duration::from_secs(5),
                request_timeout: Duration::from_secs(30),
                upload_timeout: Duration::from_secs(900),
                max_connections: 200,
            }
        );
        for zero in [
            "http_header_timeout_seconds = 0",
            "http_max_connections = 0",
        ] {
            let e = load_toml(zero).expect_err(zero).to_string();
            assert!(e.contains("at least 1"), "{e}");
        }
    }

    #[test]
    fn the_mail_loop_caps_come_from_the_file_with_defaults_and_at_least_one() {
        let cfg = load_toml("").unwrap();
        assert_eq!(
            (cfg.core.loop_cap_per_ticket, cfg.core.loop_cap_per_address),
            (
                tessera_core::LOOP_CAP_PER_TICKET,
                tessera_core::LOOP_CAP_PER_ADDRESS
            )
        );
        let cfg = load_toml("loop_cap_per_ticket = 50\nloop_cap_per_address = 0\n").unwrap();
        assert_eq!(
            (cfg.core.loop_cap_per_ticket, cfg.core.loop_cap_per_address),
            (50, 1)
        );
    }

    #[test]
    fn trusted_proxies_are_read_and_a_bad_one_is_named() {
        let dir = std::env::temp_dir().join(format!("tessera-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("tessera.toml");
        let load = |text: &str| {
            std::fs::write(&file, text).unwrap();
            Config::load(&Overrides {
                config: Some(file.clone()),
                data_dir: Some(dir.clone()),
                ..Overrides::default()
            })
        };
        let cfg = load("trusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\"]\n").unwrap();
        assert_eq!(cfg.web.trusted_proxies.len(), 2);
        assert!(cfg.web.trusted_proxies[1].contains("10.2.3.4".parse().unwrap()));
        let err = load("trusted_proxies = [\"10.0.0.0/99\"]\n").unwrap_err();
        assert!(format!("{err:#}").contains("10.0.0.0/99"), "{err:#}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn checks_the_attachment_origin() {
        let base = "https://help.example.org";
        assert_eq!(
            attachment_origin("https://files.example.org/", base).unwrap(),
            "https://files.example.org"
        );
        assert!(attachment_origin("https://help.example.org", base).is_err());
        assert!(attachment_origin("ftp://files.example.org", base).is_err());
        assert!(attachment_origin("https://files.example.org/?x", base).is_err());
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact_url("smtp://u:secret@h:587"), "smtp://u:***@h:587");
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres:***@127.0.0.1/x"
        );
        assert_eq!(
            redact_url("sqlite:data/tessera.db"),
            "sqlite:data/tessera.db"
        );
    }
}
