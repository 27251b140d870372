//! Configuration: defaults, then `tessera.toml`, then `TESSERA_*` environment variables, then
//! command-line flags, each overriding the one before.

use std::{net::SocketAddr, path::PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use serde::Deserialize;
use tessera_core::CoreConfig;
use tessera_domain::{EmailAddress, Lang, NumberFormat};
use tessera_mail::{Mailbox, SmtpSettings};
use tessera_web::WebConfig;

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
    mail_auth: Option<String>,
    mail_auth_nameserver: Option<SocketAddr>,
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
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("database", &redact_url(&self.database_url))
            .field("listen", &self.listen)
            .field("smtp", &self.smtp_url.as_deref().map(redact_url))
            .field("base_url", &self.core.base_url)
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
            mail_auth: match file.mail_auth.as_deref() {
                None => defaults.mail_auth,
                Some(v) => tessera_core::MailAuthPolicy::parse(v).with_context(|| {
                    format!("mail_auth must be hold, separate or off, not {v:?}")
                })?,
            },
            mail_auth_nameserver: file.mail_auth_nameserver,
            ..defaults
        };
        Ok(Self {
            data_dir,
            database_url,
            listen,
            smtp_url,
            log_json: file.log_format.as_deref() == Some("json"),
            core,
            web: WebConfig {
                status_attempts_per_ip: file
                    .status_attempts_per_ip
                    .unwrap_or(WebConfig::default().status_attempts_per_ip),
                status_attempts_per_ticket: file
                    .status_attempts_per_ticket
                    .unwrap_or(WebConfig::default().status_attempts_per_ticket),
                ..WebConfig::default()
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
