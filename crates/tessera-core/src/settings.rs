//! Settings that administrators change in the browser while Tessera runs: the portal's
//! appearance and rules, and how mail leaves. `tessera.toml` and the environment give the
//! starting values; what an administrator saves is kept in the database, so every node sees
//! it, and wins over the file from then on.

use std::sync::Arc;

use sha2::{Digest, Sha256};
use tessera_domain::{EmailAddress, Lang, NumberFormat, Problem, validate};
use tessera_mail::{Mailbox, OutgoingMail, SmtpSettings, SmtpTls, Transport, TransportError};

use crate::{Actor, ChallengeMode, CoreConfig, CoreError, Result, Tessera, admin::record, token};

/// Keys of run-time settings start with this; the periodic reload reads only these.
pub(crate) const PREFIX: &str = "cfg.";
/// The logo's bytes (base64), read only when `cfg.logo` names a new version.
const LOGO_DATA: &str = "logo.data";
/// Largest logo accepted.
pub const MAX_LOGO_BYTES: usize = 256 * 1024;
/// Longest intro text, in characters.
const MAX_INTRO: usize = 5000;
/// Largest attachment total an administrator may allow, in MB.
pub const MAX_ATTACHMENT_MB: f64 = 100.0;
/// The daily attachment quota per requester, unless an administrator sets another.
pub const DEFAULT_QUOTA_MB: u64 = 50;
/// Largest daily attachment quota per requester an administrator may set, in MB.
pub const MAX_QUOTA_MB: f64 = 100_000.0;

/// What "check ticket status" does when number and address match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusMode {
    /// Opens the ticket in the same browser at once.
    Open,
    /// Mails a fresh access link to the address, and says the same whether or not it matched.
    MailLink,
}

impl StatusMode {
    /// The stable name (settings, forms).
    pub fn as_str(self) -> &'static str {
        match self {
            StatusMode::Open => "open",
            StatusMode::MailLink => "mail",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(StatusMode::Open),
            "mail" => Some(StatusMode::MailLink),
            _ => None,
        }
    }
}

/// What happens to mail from a participant's address that fails DKIM, SPF and DMARC (see
/// `tessera_mail::auth` for what passes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailAuthPolicy {
    /// Added to the ticket for agents only, with a warning, until an agent accepts it.
    Hold,
    /// Opens a ticket of its own, with a warning.
    Separate,
    /// Not checked (an MTA in front already refuses what fails DMARC).
    Off,
}

impl MailAuthPolicy {
    /// The stable name (settings, forms, `tessera.toml`).
    pub fn as_str(self) -> &'static str {
        match self {
            MailAuthPolicy::Hold => "hold",
            MailAuthPolicy::Separate => "separate",
            MailAuthPolicy::Off => "off",
        }
    }

    /// Reads a name; anything else is `None`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "hold" => Some(MailAuthPolicy::Hold),
            "separate" => Some(MailAuthPolicy::Separate),
            "off" => Some(MailAuthPolicy::Off),
            _ => None,
        }
    }
}

/// The organisation's logo, kept in memory for the page header.
#[derive(Clone)]
pub struct Logo {
    /// `image/png`, `image/jpeg`, `image/gif` or `image/webp`.
    pub content_type: String,
    /// Names this version (for URLs and caching).
    pub version: String,
    /// The image.
    pub bytes: Arc<Vec<u8>>,
}

impl std::fmt::Debug for Logo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Logo({} {}, {} bytes)",
            self.content_type,
            self.version,
            self.bytes.len()
        )
    }
}

/// The settings in force.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Name shown in the portal and in mail.
    pub org_name: String,
    /// Welcome text on the portal's home page (Markdown), German.
    pub intro_de: String,
    /// Welcome text on the portal's home page (Markdown), English.
    pub intro_en: String,
    /// The organisation's logo.
    pub logo: Option<Logo>,
    /// Language for people whose language is unknown.
    pub default_lang: Lang,
    /// Pattern of new ticket numbers.
    pub number_format: NumberFormat,
    /// Most bytes of attachments one submission may carry.
    pub attachment_max_total: u64,
    /// Allowed file name extensions, lower-case without dot; empty allows every type.
    pub allowed_extensions: Vec<String>,
    /// What check-status does.
    pub status_mode: StatusMode,
    /// Sender of automatic mail when a department has no address of its own.
    pub mail_from: Mailbox,
    /// The SMTP server; `None` writes mail as files.
    pub smtp: Option<SmtpSettings>,
    /// When new tickets must carry a solved proof-of-work challenge.
    pub challenge_mode: ChallengeMode,
    /// Whether a new ticket waits for its requester to open the mailed link.
    pub confirm_first: bool,
    /// Most attachment bytes one requester may send in 24 hours; 0 is no limit.
    pub attachment_quota_per_day: u64,
    /// What happens to mail that fails authentication.
    pub mail_auth: MailAuthPolicy,
    /// The key outgoing mail is DKIM-signed with, if the administrator uploaded one.
    pub dkim: Option<Dkim>,
    /// Whether replying to Tessera's mail reaches the ticket: `mail_in` in the
    /// configuration (the pipe or the API, which Tessera cannot see), or an active IMAP
    /// mailbox (looked up at every reload).
    pub mail_in: bool,
    /// The installation's time zone: requester pages and mail, and agents who chose none.
    pub time_zone: tessera_domain::Tz,
}

/// Outgoing mail's DKIM key as stored: the PEM (a secret, never shown or logged) and the
/// key read from it (read again only when the stored values change).
#[derive(Clone)]
pub struct Dkim {
    /// The stored PEM, domain and selector the key was read from.
    spec: (String, String, String),
    /// The key, `None` when the stored PEM no longer reads (mail then goes unsigned).
    pub key: Option<Arc<tessera_mail::auth::DkimKey>>,
}

impl std::fmt::Debug for Dkim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Dkim(s={} d={})", self.spec.2, self.spec.1)
    }
}

impl Dkim {
    /// The `d=` domain.
    pub fn domain(&self) -> &str {
        &self.spec.1
    }

    /// The `s=` selector.
    pub fn selector(&self) -> &str {
        &self.spec.2
    }
}

impl Settings {
    /// The starting values from the configuration file and environment.
    pub fn from_config(cfg: &CoreConfig) -> Self {
        Self {
            org_name: cfg.org_name.clone(),
            intro_de: String::new(),
            intro_en: String::new(),
            logo: None,
            default_lang: cfg.default_lang,
            number_format: cfg.number_format.clone(),
            attachment_max_total: cfg.attachment_max_total,
            allowed_extensions: cfg.allowed_extensions.clone(),
            status_mode: StatusMode::Open,
            mail_from: cfg.mail_from.clone(),
            smtp: cfg.smtp.clone(),
            challenge_mode: ChallengeMode::Auto,
            confirm_first: false,
            attachment_quota_per_day: DEFAULT_QUOTA_MB * 1024 * 1024,
            mail_auth: cfg.mail_auth,
            dkim: None,
            mail_in: cfg.mail_in,
            time_zone: tessera_domain::time::DEFAULT_ZONE,
        }
    }

    /// The settings saved in a database over the starting values (the logo without its
    /// bytes), for commands that do not run the application.
    pub async fn load(db: &tessera_store::Db, cfg: &CoreConfig) -> Result<Self> {
        let mut conn = db.conn().await?;
        let rows = conn.h().settings_with_prefix(PREFIX).await?;
        Ok(Self::from_config(cfg).overlay(&rows))
    }

    /// Whether a file name's extension is allowed.
    pub fn extension_allowed(&self, filename: &str) -> bool {
        if self.allowed_extensions.is_empty() {
            return true;
        }
        let ext = filename
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase());
        ext.is_some_and(|e| self.allowed_extensions.contains(&e))
    }

    /// The intro text in a language.
    pub fn intro(&self, lang: Lang) -> &str {
        match lang {
            Lang::De => &self.intro_de,
            Lang::En => &self.intro_en,
        }
    }

    /// The values saved in the database, over the starting values. Values that no longer
    /// validate (written by hand, say) are ignored rather than taking the portal down.
    fn overlay(mut self, rows: &[(String, String)]) -> Self {
        let get = |k: &str| {
            rows.iter()
                .find(|(key, _)| key.strip_prefix(PREFIX) == Some(k))
                .map(|(_, v)| v.as_str())
        };
        if let Some(v) = get("org_name").filter(|v| !v.is_empty()) {
            self.org_name = v.to_owned();
        }
        if let Some(v) = get("intro_de") {
            self.intro_de = v.to_owned();
        }
        if let Some(v) = get("intro_en") {
            self.intro_en = v.to_owned();
        }
        if let Some(l) = get("default_lang").and_then(Lang::parse) {
            self.default_lang = l;
        }
        if let Some(f) = get("number_format").and_then(|v| NumberFormat::parse(v).ok()) {
            self.number_format = f;
        }
        if let Some(n) = get("attachment_max_total").and_then(|v| v.parse().ok()) {
            self.attachment_max_total = n;
        }
        if let Some(v) = get("allowed_types") {
            self.allowed_extensions = file_types(v).unwrap_or_default();
        }
        if let Some(m) = get("status_mode").and_then(StatusMode::parse) {
            self.status_mode = m;
        }
        if let Some(z) = get("time_zone").and_then(tessera_domain::time::zone) {
            self.time_zone = z;
        }
        if let Some(v) = get("mail_from").and_then(EmailAddress::parse) {
            self.mail_from.email = v.as_str().to_owned();
        }
        if let Some(m) = get("mail_auth").and_then(MailAuthPolicy::parse) {
            self.mail_auth = m;
        }
        // Only the stored values here; `reload_settings` reads the key when they change.
        if let (Some(pem), Some(d), Some(sel)) =
            (get("dkim_key"), get("dkim_domain"), get("dkim_selector"))
            && !pem.is_empty()
        {
            self.dkim = Some(Dkim {
                spec: (pem.to_owned(), d.to_owned(), sel.to_owned()),
                key: None,
            });
        }
        if let Some(v) = get("mail_from_name").filter(|v| !v.is_empty()) {
            self.mail_from.name = v.to_owned();
        }
        if let Some(m) = get("intake_challenge").and_then(ChallengeMode::parse) {
            self.challenge_mode = m;
        }
        if let Some(v) = get("intake_confirm_first") {
            self.confirm_first = v == "true";
        }
        if let Some(n) = get("intake_quota").and_then(|v| v.parse().ok()) {
            self.attachment_quota_per_day = n;
        }
        // Only the logo's name here; `reload_settings` brings its bytes.
        self.logo = get("logo")
            .and_then(|v| v.split_once(' '))
            .map(|(content_type, version)| Logo {
                content_type: content_type.to_owned(),
                version: version.to_owned(),
                bytes: Arc::default(),
            });
        match get("delivery") {
            Some("files") => self.smtp = None,
            Some("smtp") => {
                let port = get("smtp_port").and_then(|p| p.parse().ok());
                let tls = get("smtp_tls").and_then(SmtpTls::parse);
                if let (Some(host), Some(port), Some(tls)) = (get("smtp_host"), port, tls) {
                    self.smtp = Some(SmtpSettings {
                        host: host.to_owned(),
                        port,
                        tls,
                        username: get("smtp_user").unwrap_or("").to_owned(),
                        password: get("smtp_password").unwrap_or("").to_owned(),
                    });
                }
            }
            _ => {}
        }
        self
    }

    fn describe_portal(&self) -> String {
        format!(
            "org={:?} intro_de={}ch intro_en={}ch logo={} lang={} numbers={} max={}B types={} status={} zone={}",
            self.org_name,
            self.intro_de.chars().count(),
            self.intro_en.chars().count(),
            self.logo
                .as_ref()
                .map(|l| l.version.as_str())
                .unwrap_or("none"),
            self.default_lang.as_str(),
            self.number_format.as_str(),
            self.attachment_max_total,
            if self.allowed_extensions.is_empty() {
                "all".to_owned()
            } else {
                self.allowed_extensions.join(",")
            },
            self.status_mode.as_str(),
            self.time_zone.name(),
        )
    }

    fn describe_intake(&self) -> String {
        format!(
            "challenge={} confirm_first={} quota={}B",
            self.challenge_mode.as_str(),
            self.confirm_first,
            self.attachment_quota_per_day
        )
    }

    /// For the audit log: everything but the password, of which only whether it is set.
    fn describe_mail(&self) -> String {
        let server = match &self.smtp {
            None => "files".to_owned(),
            Some(s) => format!(
                "smtp {}:{} tls={} user={:?} password={}",
                s.host,
                s.port,
                s.tls.as_str(),
                s.username,
                if s.password.is_empty() { "none" } else { "set" }
            ),
        };
        let dkim = match &self.dkim {
            Some(d) => format!("{}._domainkey.{}", d.selector(), d.domain()),
            None => "none".to_owned(),
        };
        format!(
            "from={:?} <{}> {server} auth={} dkim={dkim}",
            self.mail_from.name,
            self.mail_from.email,
            self.mail_auth.as_str()
        )
    }
}

/// Reads a list of file types such as `pdf, .docx png` (lower-cased, without dots, each
/// once); `None` when one is not a plain extension.
pub fn file_types(raw: &str) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for t in raw.split([',', ';', ' ', '\n', '\t']) {
        let t = t.trim().trim_start_matches('.').to_ascii_lowercase();
        if t.is_empty() {
            continue;
        }
        if t.len() > 10 || !t.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Some(out)
}

/// The image type of a logo, from its first bytes (never from the name a browser sent).
fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// What the portal settings form carries.
#[derive(Debug, Default)]
pub struct PortalForm {
    /// Organisation name.
    pub org_name: String,
    /// Intro text, German.
    pub intro_de: String,
    /// Intro text, English.
    pub intro_en: String,
    /// `de` or `en`.
    pub default_lang: String,
    /// Ticket number pattern.
    pub number_format: String,
    /// Attachment total in MB, as typed.
    pub max_mb: String,
    /// Allowed file types, as typed; empty allows all.
    pub allowed_types: String,
    /// `open` or `mail`.
    pub status_mode: String,
    /// The installation's time zone (an IANA name).
    pub time_zone: String,
    /// A new logo's bytes.
    pub logo: Option<Vec<u8>>,
    /// Whether to remove the logo.
    pub remove_logo: bool,
}

/// What the intake settings form carries.
#[derive(Debug, Default)]
pub struct IntakeForm {
    /// `off`, `auto` or `always`.
    pub challenge_mode: String,
    /// Whether new tickets wait for the requester to confirm the address.
    pub confirm_first: bool,
    /// Daily attachment quota per requester in MB, as typed; 0 is no limit.
    pub quota_mb: String,
}

/// What the mail settings form carries.
#[derive(Default)]
pub struct MailForm {
    /// Sender address.
    pub mail_from: String,
    /// Sender name.
    pub mail_from_name: String,
    /// `files` or `smtp`.
    pub delivery: String,
    /// SMTP host.
    pub host: String,
    /// SMTP port, as typed.
    pub port: String,
    /// TLS mode name.
    pub tls: String,
    /// SMTP user name.
    pub username: String,
    /// A new password; empty keeps the stored one.
    pub password: String,
    /// Whether to forget the stored password.
    pub clear_password: bool,
    /// `hold`, `separate` or `off` (mail authentication).
    pub mail_auth: String,
    /// The DKIM signing domain (`d=`).
    pub dkim_domain: String,
    /// The DKIM selector (`s=`).
    pub dkim_selector: String,
    /// A new DKIM private key (PEM); empty keeps the stored one.
    pub dkim_key: String,
    /// Whether to stop signing and forget the stored key.
    pub clear_dkim: bool,
}

impl std::fmt::Debug for MailForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailForm")
            .field("delivery", &self.delivery)
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

/// Whether a host name or address could be one (letters, digits, dots, dashes, colons).
fn plausible_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 253
        && h.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_'))
}

impl Tessera {
    /// The settings in force on this node (refreshed by the mail worker every few seconds,
    /// and at once after a change made here).
    pub fn settings(&self) -> Arc<Settings> {
        self.inner
            .settings
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The settings in force, for an administrator's settings pages.
    pub fn settings_admin(&self, actor: Actor<'_>) -> Result<Arc<Settings>> {
        actor.require_admin()?;
        Ok(self.settings())
    }

    /// Reads the settings from the database again. Reloads take turns: the worker's
    /// periodic one may have read just before an administrator's change committed, and must
    /// not put its older values in force after the change's own reload.
    pub async fn reload_settings(&self) -> Result<()> {
        let _turn = self.inner.settings_reload.lock().await;
        let mut conn = self.db().conn().await?;
        let rows = conn.h().settings_with_prefix(PREFIX).await?;
        let mut next = Settings::from_config(self.config()).overlay(&rows);
        next.mail_in = next.mail_in || conn.h().any_active_mailbox().await?;
        let current = self.settings();
        next.logo = match next.logo.take() {
            None => None,
            Some(l) => match &current.logo {
                Some(c) if c.version == l.version => Some(c.clone()),
                _ => {
                    let data = conn.h().setting(LOGO_DATA).await?.unwrap_or_default();
                    let bytes = base64::Engine::decode(
                        &base64::engine::general_purpose::STANDARD,
                        data.as_bytes(),
                    )
                    .unwrap_or_default();
                    (!bytes.is_empty()).then(|| Logo {
                        bytes: Arc::new(bytes),
                        ..l
                    })
                }
            },
        };
        next.dkim = next.dkim.take().map(|mut d| {
            d.key = match &current.dkim {
                Some(c) if c.spec == d.spec => c.key.clone(),
                _ => match tessera_mail::auth::DkimKey::from_pem(&d.spec.0, &d.spec.1, &d.spec.2)
                {
                    Ok(k) => Some(Arc::new(k)),
                    Err(e) => {
                        tracing::error!(error = %e, "the stored DKIM key does not read; mail goes unsigned");
                        None
                    }
                },
            };
            d
        });
        *self
            .inner
            .settings
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Arc::new(next);
        Ok(())
    }

    /// Saves the portal settings.
    pub async fn save_portal_settings(&self, actor: Actor<'_>, f: PortalForm) -> Result<()> {
        actor.require_admin()?;
        let mut p = Problem::default();
        let org = validate::text(&mut p, "org_name", &f.org_name, 100);
        let mut intro = |field: &'static str, v: &str| {
            let v = v.trim();
            if v.chars().count() > MAX_INTRO {
                p.add(field, "error-too-long");
            }
            v.replace("\r\n", "\n")
        };
        let intro_de = intro("intro_de", &f.intro_de);
        let intro_en = intro("intro_en", &f.intro_en);
        let lang = Lang::parse(f.default_lang.trim());
        if lang.is_none() {
            p.add("default_lang", "error-required");
        }
        let numbers = NumberFormat::parse(f.number_format.trim()).ok();
        if numbers.is_none() {
            p.add("number_format", "error-number-format");
        }
        let max = f
            .max_mb
            .trim()
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|m| *m > 0.0 && *m <= MAX_ATTACHMENT_MB);
        if max.is_none() {
            p.add("max_mb", "error-attachment-limit");
        }
        let types = file_types(&f.allowed_types);
        if types.is_none() {
            p.add("allowed_types", "error-file-types");
        }
        let mode = StatusMode::parse(f.status_mode.trim());
        if mode.is_none() {
            p.add("status_mode", "error-required");
        }
        // A form without the field (an older page, a script) keeps the zone in force.
        let zone = match f.time_zone.trim() {
            "" => Some(self.settings().time_zone),
            z => tessera_domain::time::zone(z),
        };
        if zone.is_none() {
            p.add("time_zone", "error-timezone");
        }
        let logo = match &f.logo {
            Some(bytes) if bytes.len() > MAX_LOGO_BYTES => {
                p.add("logo", "error-logo-size");
                None
            }
            Some(bytes) => match image_type(bytes) {
                Some(t) => Some((t, bytes)),
                None => {
                    p.add("logo", "error-logo-type");
                    None
                }
            },
            None => None,
        };
        let (Some(org), Some(lang), Some(numbers), Some(max), Some(types), Some(mode), Some(zone)) =
            (org, lang, numbers, max, types, mode, zone)
        else {
            return Err(CoreError::Invalid(p));
        };
        p.into_result()?;
        let before = self.settings();
        let max_bytes = ((max * 1024.0 * 1024.0).round() as u64).to_string();
        let mut values: Vec<(&str, String)> = vec![
            ("cfg.org_name", org),
            ("cfg.intro_de", intro_de),
            ("cfg.intro_en", intro_en),
            ("cfg.default_lang", lang.as_str().to_owned()),
            ("cfg.number_format", numbers.as_str().to_owned()),
            ("cfg.attachment_max_total", max_bytes),
            ("cfg.allowed_types", types.join(",")),
            ("cfg.status_mode", mode.as_str().to_owned()),
            ("cfg.time_zone", zone.name().to_owned()),
        ];
        if let Some((content_type, bytes)) = logo {
            let version = hex::encode(&Sha256::digest(bytes)[..8]);
            values.push(("cfg.logo", format!("{content_type} {version}")));
            values.push((
                LOGO_DATA,
                base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes),
            ));
        } else if f.remove_logo {
            values.push(("cfg.logo", String::new()));
            values.push((LOGO_DATA, String::new()));
        }
        self.write_settings(actor, "settings-portal-update", &values, |s| {
            s.describe_portal()
        })
        .await?;
        tracing::info!(before = %before.describe_portal(), "portal settings changed");
        Ok(())
    }

    /// Saves the intake settings: the challenge, confirm-first and the daily quota.
    pub async fn save_intake_settings(&self, actor: Actor<'_>, f: IntakeForm) -> Result<()> {
        actor.require_admin()?;
        let mut p = Problem::default();
        let mode = ChallengeMode::parse(f.challenge_mode.trim());
        if mode.is_none() {
            p.add("challenge_mode", "error-required");
        }
        let quota = f
            .quota_mb
            .trim()
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|m| (0.0..=MAX_QUOTA_MB).contains(m));
        if quota.is_none() {
            p.add("quota_mb", "intake-error-quota-setting");
        }
        let (Some(mode), Some(quota)) = (mode, quota) else {
            return Err(CoreError::Invalid(p));
        };
        let values: Vec<(&str, String)> = vec![
            ("cfg.intake_challenge", mode.as_str().to_owned()),
            ("cfg.intake_confirm_first", f.confirm_first.to_string()),
            (
                "cfg.intake_quota",
                ((quota * 1024.0 * 1024.0).round() as u64).to_string(),
            ),
        ];
        self.write_settings(actor, "settings-intake-update", &values, |s| {
            s.describe_intake()
        })
        .await
    }

    /// Checks the mail form; the SMTP settings it asks for (`None`: files), with an empty
    /// password meaning the stored one.
    fn mail_from_form(&self, f: &MailForm) -> Result<(EmailAddress, String, Option<SmtpSettings>)> {
        let mut p = Problem::default();
        let from = EmailAddress::parse(&f.mail_from);
        if from.is_none() {
            p.add("mail_from", "error-email");
        }
        let name = validate::text(&mut p, "mail_from_name", &f.mail_from_name, 100);
        let smtp = match f.delivery.as_str() {
            "files" => None,
            "smtp" => {
                let host = f.host.trim();
                if !plausible_host(host) {
                    p.add("host", "error-smtp-host");
                }
                let tls = SmtpTls::parse(&f.tls);
                if tls.is_none() {
                    p.add("tls", "error-required");
                }
                let port = match f.port.trim() {
                    "" => tls.map(SmtpTls::default_port),
                    s => s.parse::<u16>().ok().filter(|p| *p > 0),
                };
                if port.is_none() {
                    p.add("port", "error-port");
                }
                if f.username.chars().count() > 200 {
                    p.add("username", "error-too-long");
                }
                if f.password.chars().count() > 200 {
                    p.add("password", "error-too-long");
                }
                let stored = self
                    .settings()
                    .smtp
                    .as_ref()
                    .map(|s| s.password.clone())
                    .unwrap_or_default();
                let password = if f.clear_password || f.username.trim().is_empty() {
                    String::new()
                } else if f.password.is_empty() {
                    stored
                } else {
                    f.password.clone()
                };
                match (tls, port) {
                    (Some(tls), Some(port)) => Some(SmtpSettings {
                        host: host.to_owned(),
                        port,
                        tls,
                        username: f.username.trim().to_owned(),
                        password,
                    }),
                    _ => None,
                }
            }
            _ => {
                p.add("delivery", "error-required");
                None
            }
        };
        let (Some(from), Some(name)) = (from, name) else {
            return Err(CoreError::Invalid(p));
        };
        p.into_result()?;
        Ok((from, name, smtp))
    }

    /// Saves how mail leaves: sender, and the SMTP server or files.
    pub async fn save_mail_settings(&self, actor: Actor<'_>, f: MailForm) -> Result<()> {
        actor.require_admin()?;
        let (from, name, smtp) = self.mail_from_form(&f)?;
        // A form without the field (an older page, a script) keeps what is in force.
        let auth = match f.mail_auth.trim() {
            "" => self.settings().mail_auth,
            v => MailAuthPolicy::parse(v).ok_or_else(|| {
                let mut p = Problem::default();
                p.add("mail_auth", "error-required");
                CoreError::Invalid(p)
            })?,
        };
        let mut values: Vec<(&str, String)> = vec![
            ("cfg.mail_from", from.as_str().to_owned()),
            ("cfg.mail_from_name", name),
            ("cfg.mail_auth", auth.as_str().to_owned()),
        ];
        values.extend(self.dkim_from_form(&f)?);
        match smtp {
            None => values.push(("cfg.delivery", "files".into())),
            Some(s) => values.extend([
                ("cfg.delivery", "smtp".into()),
                ("cfg.smtp_host", s.host),
                ("cfg.smtp_port", s.port.to_string()),
                ("cfg.smtp_tls", s.tls.as_str().into()),
                ("cfg.smtp_user", s.username),
                ("cfg.smtp_password", s.password),
            ]),
        }
        self.write_settings(actor, "settings-mail-update", &values, |s| {
            s.describe_mail()
        })
        .await
    }

    /// Checks the form's DKIM fields: the values to store (none when nothing changes). A new
    /// key must read as RSA or Ed25519 and needs a domain and a selector.
    fn dkim_from_form(&self, f: &MailForm) -> Result<Vec<(&'static str, String)>> {
        if f.clear_dkim {
            return Ok(vec![
                ("cfg.dkim_key", String::new()),
                ("cfg.dkim_domain", String::new()),
                ("cfg.dkim_selector", String::new()),
            ]);
        }
        let current = self.settings().dkim.clone();
        let pem = match (f.dkim_key.trim(), &current) {
            ("", Some(c)) => c.spec.0.clone(),
            ("", None) if f.dkim_domain.trim().is_empty() && f.dkim_selector.trim().is_empty() => {
                return Ok(Vec::new());
            }
            (k, _) => k.replace("\r\n", "\n"),
        };
        let mut p = Problem::default();
        let domain = f.dkim_domain.trim().to_ascii_lowercase();
        if !plausible_host(&domain) || !domain.contains('.') {
            p.add("dkim_domain", "mailauth-dkim-domain");
        }
        let selector = f.dkim_selector.trim().to_owned();
        if selector.is_empty()
            || selector.len() > 63
            || !selector
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            p.add("dkim_selector", "mailauth-dkim-selector");
        }
        if pem.is_empty() {
            p.add("dkim_key", "mailauth-dkim-key-missing");
        } else if pem.len() > 16_384
            || tessera_mail::auth::DkimKey::from_pem(&pem, &domain, &selector).is_err()
        {
            p.add("dkim_key", "mailauth-dkim-key-invalid");
        }
        if !p.is_empty() {
            return Err(CoreError::Invalid(p));
        }
        Ok(vec![
            ("cfg.dkim_key", pem),
            ("cfg.dkim_domain", domain),
            ("cfg.dkim_selector", selector),
        ])
    }

    /// Writes settings and their audit record in one transaction, then reloads.
    async fn write_settings(
        &self,
        actor: Actor<'_>,
        action: &str,
        values: &[(&str, String)],
        describe: impl Fn(&Settings) -> String,
    ) -> Result<()> {
        let before = describe(&self.settings());
        let pairs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut tx = self.db().begin().await?;
        tx.h().put_settings(&pairs).await?;
        let rows = tx.h().settings_with_prefix(PREFIX).await?;
        let after = describe(&Settings::from_config(self.config()).overlay(&rows));
        record(
            &mut tx.h(),
            actor,
            action,
            "settings",
            Some(&before),
            Some(&after),
            None,
        )
        .await?;
        tx.commit().await?;
        self.reload_settings().await?;
        // The worker builds its transport from the settings: let it look now.
        self.inner.mail_wakeup.notify_one();
        Ok(())
    }

    /// Sends a test message straight away (not through the outbox) with the settings in the
    /// form, saved or not, so that an administrator sees at once whether they work. The outer
    /// error is about the form; the inner one is the server's answer.
    pub async fn send_test_mail(
        &self,
        actor: Actor<'_>,
        f: &MailForm,
        to: &str,
        lang: Lang,
    ) -> Result<std::result::Result<(), TransportError>> {
        actor.require_admin()?;
        let (from, name, smtp) = self.mail_from_form(f)?;
        let Some(to) = EmailAddress::parse(to) else {
            let mut p = Problem::default();
            p.add("test_to", "error-email");
            return Err(CoreError::Invalid(p));
        };
        let transport = match &smtp {
            Some(s) => match Transport::smtp_with(s) {
                Ok(t) => t,
                Err(e) => return Ok(Err(e)),
            },
            None => Transport::Files(self.config().mail_dir.clone()),
        };
        let org = self.settings().org_name.clone();
        let args: [(&'static str, &str); 1] = [("org", &org)];
        let domain = from.as_str().rsplit_once('@').map(|(_, d)| d).unwrap_or("");
        let mail = OutgoingMail {
            from: Mailbox {
                name,
                email: from.as_str().to_owned(),
            },
            to: vec![Mailbox {
                name: String::new(),
                email: to.as_str().to_owned(),
            }],
            subject: tessera_i18n::t_args(lang, "mail-test-subject", &args),
            text: tessera_i18n::t_args(lang, "mail-test-body", &args),
            link: None,
            message_id: format!("tessera.test.{}@{domain}", token::random_hex(12)),
            references: vec![],
            auto_generated: true,
            lang: lang.as_str().to_owned(),
        };
        let outcome = transport
            .send(
                &mail.message_id,
                from.as_str(),
                &[to.as_str()],
                &mail.to_bytes(),
            )
            .await;
        let result = match &outcome {
            Ok(()) => "sent".to_owned(),
            Err(e) => format!("failed: {}", e.message),
        };
        let mut tx = self.db().begin().await?;
        record(
            &mut tx.h(),
            actor,
            "settings-mail-test",
            to.as_str(),
            None,
            Some(&result),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_file_types() {
        let check = |raw: &str, expected: Option<&[&str]>| {
            assert_eq!(
                file_types(raw),
                expected.map(|e| e.iter().map(|s| s.to_string()).collect()),
                "{raw:?}"
            );
        };
        check("", Some(&[]));
        check("pdf, .DOCX png", Some(&["pdf", "docx", "png"]));
        check("pdf;pdf\njpg", Some(&["pdf", "jpg"]));
        check("tar.gz", None);
        check("a/b", None);
        check("verylongextension", None);
    }

    #[test]
    fn recognises_images_by_content() {
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(image_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(image_type(b"GIF89a..."), Some("image/gif"));
        assert_eq!(image_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(image_type(b"<svg onload=alert(1)>"), None);
        assert_eq!(image_type(b""), None);
    }

    #[test]
    fn saved_values_win_over_the_file() {
        let base = Settings::from_config(&CoreConfig::default());
        let rows = |kv: &[(&str, &str)]| -> Vec<(String, String)> {
            kv.iter()
                .map(|(k, v)| (format!("cfg.{k}"), v.to_string()))
                .collect()
        };
        let s = base.clone().overlay(&rows(&[
            ("org_name", "DRK"),
            ("default_lang", "en"),
            ("number_format", "T-####"),
            ("attachment_max_total", "1048576"),
            ("allowed_types", "pdf,png"),
            ("status_mode", "mail"),
            ("delivery", "smtp"),
            ("smtp_host", "mail.example.org"),
            ("smtp_port", "587"),
            ("smtp_tls", "starttls"),
            ("smtp_user", "u"),
            ("smtp_password", "hunter2-secret"),
        ]));
        assert_eq!(s.org_name, "DRK");
        assert_eq!(s.default_lang, Lang::En);
        assert_eq!(s.number_format.as_str(), "T-####");
        assert_eq!(s.attachment_max_total, 1_048_576);
        assert!(s.extension_allowed("a.PDF") && !s.extension_allowed("a.exe"));
        assert_eq!(s.status_mode, StatusMode::MailLink);
        let smtp = s.smtp.clone().expect("smtp");
        assert_eq!((smtp.host.as_str(), smtp.port), ("mail.example.org", 587));
        let audit = s.describe_mail();
        assert!(
            audit.contains("password=set") && !audit.contains("hunter2"),
            "{audit}"
        );
        // Broken rows fall back to the starting values.
        let s = base.overlay(&rows(&[("number_format", "#"), ("default_lang", "fr")]));
        assert_eq!(s.number_format.as_str(), "######");
        assert_eq!(s.default_lang, Lang::De);
    }
}
