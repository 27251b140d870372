use std::path::PathBuf;

use tessera_domain::{Lang, NumberFormat};
use tessera_mail::{Mailbox, SmtpSettings};

/// What the use cases need to know about the installation. Fields that administrators can
/// change in the browser (see `Settings`) are the starting values here.
#[derive(Debug, Clone)]
pub struct CoreConfig {
    /// Public base URL for links in mail, without trailing slash.
    pub base_url: String,
    /// Pattern of public ticket numbers.
    pub number_format: NumberFormat,
    /// Sender of automatic mail when a department has no address of its own.
    pub mail_from: Mailbox,
    /// Language for people whose language is unknown.
    pub default_lang: Lang,
    /// Name shown in the portal and in mail.
    pub org_name: String,
    /// Most bytes of attachments one submission may carry.
    pub attachment_max_total: u64,
    /// Allowed file name extensions, lower-case without dot; empty allows every type.
    pub allowed_extensions: Vec<String>,
    /// A requester session ends after this long without a request.
    pub session_idle_secs: i64,
    /// A session ends this long after it started, whatever happens.
    pub session_absolute_secs: i64,
    /// An agent session ends after this long without a request.
    pub agent_session_idle_secs: i64,
    /// An agent session ends this long after sign-in.
    pub agent_session_absolute_secs: i64,
    /// An access link stops working this many days after its ticket was closed (or after
    /// the link was made, if later); 0 keeps links working for ever. The requester gets a
    /// fresh one by mail from the page an expired link shows.
    pub access_link_days_after_close: i64,
    /// First retry delay of a failed mail; doubles each attempt.
    pub mail_retry_base_ms: i64,
    /// Longest delay between two attempts.
    pub mail_retry_max_ms: i64,
    /// How long a claimed mail is reserved for the worker that claimed it; a worker that
    /// dies mid-delivery delays that mail by at most this much.
    pub mail_lease_ms: i64,
    /// Attempts before a mail is given up (and kept as failed).
    pub mail_max_attempts: i64,
    /// The SMTP server; `None` writes mail as files into `mail_dir`.
    pub smtp: Option<SmtpSettings>,
    /// Where mail goes as `.eml` files while no SMTP server is set.
    pub mail_dir: PathBuf,
    /// How often each IMAP mailbox is read, in seconds.
    pub imap_poll_secs: u64,
    /// How long a node's claim on a mailbox lasts without progress; a node that dies while
    /// reading a mailbox keeps the others from it for at most this long.
    pub imap_lease_ms: i64,
    /// How many of the newest matches a search ranks together (`search::SEARCH_WINDOW`).
    pub search_window: i64,
    /// ClamAV's `clamd` to scan uploads with (`tcp://127.0.0.1:3310` or a unix socket
    /// path); `None` scans nothing. When set but unreachable, uploads are refused.
    pub clamd: Option<String>,
    /// Rate limits and the challenge of the portal's forms (see `intake.rs`).
    pub intake: crate::IntakeConfig,
    /// What happens to mail from a participant's address that fails DKIM/SPF/DMARC
    /// (starting value; administrators change it on the mail settings page).
    pub mail_auth: crate::MailAuthPolicy,
    /// The name server mail authentication asks; `None`: the system's (`/etc/resolv.conf`).
    pub mail_auth_nameserver: Option<std::net::SocketAddr>,
    /// Most mails one ticket takes in a clock hour before further ones are kept as
    /// automatic mail, causing no mail out (`robots.rs`); at least 1.
    pub loop_cap_per_ticket: i64,
    /// Most mails one sender address opens or adds to tickets in a clock hour, likewise
    /// (agents answering by mail count per ticket only); at least 1.
    pub loop_cap_per_address: i64,
    /// How long a notice to requesters and collaborators (assignment, status) waits for
    /// further changes to the same ticket before it goes, so that several changes make
    /// one mail; 0 sends each at once. Replies never wait.
    pub notice_merge_secs: i64,
    /// Whether mail to the helpdesk reaches tickets by a way Tessera cannot see — the mail
    /// server's pipe to `tessera mail ingest`, or a program posting to the API — so that
    /// the receipt may say "just reply to this mail". An active IMAP mailbox counts anyway.
    pub mail_in: bool,
}

impl Default for CoreConfig {
    fn default() -> Self {
        Self {
            base_url: "http://127.0.0.1:8080".into(),
            number_format: NumberFormat::default(),
            mail_from: Mailbox {
                name: "Tessera".into(),
                email: "helpdesk@localhost.localdomain".into(),
            },
            default_lang: Lang::De,
            org_name: "Tessera".into(),
            attachment_max_total: 8 * 1024 * 1024,
            allowed_extensions: Vec::new(),
            session_idle_secs: 14 * 24 * 3600,
            session_absolute_secs: 90 * 24 * 3600,
            agent_session_idle_secs: 8 * 3600,
            agent_session_absolute_secs: 3 * 24 * 3600,
            access_link_days_after_close: 30,
            mail_retry_base_ms: 30_000,
            mail_retry_max_ms: 3_600_000,
            mail_max_attempts: 40,
            mail_lease_ms: 120_000,
            smtp: None,
            mail_dir: PathBuf::from("data/mail-out"),
            imap_poll_secs: 60,
            imap_lease_ms: 120_000,
            search_window: crate::search::SEARCH_WINDOW,
            clamd: None,
            intake: crate::IntakeConfig::default(),
            mail_auth: crate::MailAuthPolicy::Hold,
            mail_auth_nameserver: None,
            loop_cap_per_ticket: crate::robots::LOOP_CAP_PER_TICKET,
            loop_cap_per_address: crate::robots::LOOP_CAP_PER_ADDRESS,
            notice_merge_secs: 120,
            mail_in: false,
        }
    }
}
