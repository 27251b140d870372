//! Mail in by IMAP: the mailboxes administrators configure per department, and the poller
//! that reads them.
//!
//! The poller's order is what makes it safe: for each new message it first hands the bytes
//! to the ingest pipeline (which commits them), then flags, moves or deletes the message on
//! the server, then records the UID as read. A crash between any two steps loses nothing: at
//! worst the message is fetched again, and the pipeline knows it (mailbox + UIDVALIDITY +
//! UID, and the hash of the bytes).

use std::{sync::Arc, time::Duration};

use tessera_domain::{Problem, Timestamp, validate};
use tessera_mail::imap::{self, AfterImport, ImapError, ImapSession, ImapSettings, ImapTls};
use tessera_store::{MailboxRow, MailboxSettings};
use tokio::sync::watch;

use crate::{Actor, CoreError, MailSource, Result, Tessera, admin::record};

/// Longest host, user name, password or folder name accepted.
const MAX_FIELD: usize = 200;
/// Most messages one poll of one mailbox takes, so that a poll (and a graceful stop) has a
/// bounded length; a mailbox with more is due again at once.
const MAX_PER_POLL: usize = 500;

/// A mailbox as administrators see it: everything but the password.
#[derive(Debug, Clone)]
pub struct MailboxAdmin {
    /// Key.
    pub mailbox_id: i64,
    /// Department.
    pub department_id: i64,
    /// IMAP server.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Connection security.
    pub tls: ImapTls,
    /// User name.
    pub username: String,
    /// Whether a password is stored (it is never shown).
    pub password_set: bool,
    /// Folder read.
    pub folder: String,
    /// Help topic for new tickets, if one is chosen.
    pub help_topic_id: Option<i64>,
    /// `seen`, `move` or `delete`.
    pub after_import: String,
    /// Where `move` puts messages.
    pub archive_folder: String,
    /// Whether it is polled.
    pub is_active: bool,
    /// When the last poll ended.
    pub last_polled_at: Option<Timestamp>,
    /// Why the last poll failed: (kind — `connect`, `tls`, `auth`, `folder`, `timeout`,
    /// `settings`, `ingest`, `other` — and the server's or pipeline's words).
    pub last_error: Option<(String, String)>,
}

impl MailboxAdmin {
    /// From the store's row (a function, not `From`: store types stay out of core's API).
    fn from_row(r: &MailboxRow) -> Self {
        Self {
            mailbox_id: r.mailbox_id,
            department_id: r.department_id,
            host: r.host.clone(),
            port: u16::try_from(r.port).unwrap_or(0),
            tls: ImapTls::parse(&r.tls).unwrap_or(ImapTls::Tls),
            username: r.username.clone(),
            password_set: !r.password.is_empty(),
            folder: r.folder.clone(),
            help_topic_id: r.help_topic_id,
            after_import: r.after_import.clone(),
            archive_folder: r.archive_folder.clone().unwrap_or_default(),
            is_active: r.is_active,
            last_polled_at: r.last_polled_at.map(Timestamp),
            last_error: r.last_error.as_deref().map(|e| match e.split_once(": ") {
                Some((kind, detail)) => (kind.to_owned(), detail.to_owned()),
                None => ("other".to_owned(), e.to_owned()),
            }),
        }
    }
}

/// What the mailbox form carries, as typed.
#[derive(Default)]
pub struct MailboxForm {
    /// Department id.
    pub department_id: String,
    /// IMAP server.
    pub host: String,
    /// Port; empty takes the mode's usual one.
    pub port: String,
    /// TLS mode name.
    pub tls: String,
    /// User name.
    pub username: String,
    /// A new password; empty keeps the stored one.
    pub password: String,
    /// Whether to forget the stored password.
    pub clear_password: bool,
    /// Folder; empty means `INBOX`.
    pub folder: String,
    /// Help topic id; empty for the department's usual one.
    pub help_topic_id: String,
    /// `seen`, `move` or `delete`.
    pub after_import: String,
    /// Folder for `move`.
    pub archive_folder: String,
    /// Whether it is polled.
    pub is_active: bool,
}

impl std::fmt::Debug for MailboxForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailboxForm")
            .field("host", &self.host)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// A form that passed its checks.
struct Checked {
    department_id: i64,
    imap: ImapSettings,
    help_topic_id: Option<i64>,
    after: AfterImport,
    is_active: bool,
}

impl Checked {
    fn store(&self) -> MailboxSettings<'_> {
        let (after_import, archive_folder) = match &self.after {
            AfterImport::Seen => ("seen", None),
            AfterImport::Move(f) => ("move", Some(f.as_str())),
            AfterImport::Delete => ("delete", None),
        };
        MailboxSettings {
            department_id: self.department_id,
            host: &self.imap.host,
            port: i64::from(self.imap.port),
            tls: self.imap.tls.as_str(),
            username: &self.imap.username,
            password: &self.imap.password,
            folder: &self.imap.folder,
            help_topic_id: self.help_topic_id,
            after_import,
            archive_folder,
            is_active: self.is_active,
        }
    }
}

/// How a mailbox reads in the audit log: everything but the password, of which only whether
/// it is set.
fn describe(m: &MailboxSettings<'_>) -> String {
    format!(
        "{}@{}:{} tls={} folder={:?} department={} topic={} after={}{} active={} password={}",
        m.username,
        m.host,
        m.port,
        m.tls,
        m.folder,
        m.department_id,
        m.help_topic_id
            .map(|t| t.to_string())
            .unwrap_or_else(|| "default".into()),
        m.after_import,
        m.archive_folder
            .map(|f| format!(" to {f:?}"))
            .unwrap_or_default(),
        m.is_active,
        if m.password.is_empty() { "none" } else { "set" },
    )
}

fn row_settings(r: &MailboxRow) -> MailboxSettings<'_> {
    MailboxSettings {
        department_id: r.department_id,
        host: &r.host,
        port: r.port,
        tls: &r.tls,
        username: &r.username,
        password: &r.password,
        folder: &r.folder,
        help_topic_id: r.help_topic_id,
        after_import: &r.after_import,
        archive_folder: r.archive_folder.as_deref(),
        is_active: r.is_active,
    }
}

/// Whether a host name or address could be one.
fn plausible_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 253
        && h.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_' | '[' | ']'))
}

/// A folder name as IMAP takes it in a command (no quotes, no line breaks).
fn plausible_folder(f: &str) -> bool {
    !f.is_empty()
        && f.chars().count() <= MAX_FIELD
        && !f.chars().any(|c| c.is_control() || c == '"' || c == '\\')
}

/// The settings a stored mailbox logs in with.
fn imap_settings(r: &MailboxRow) -> Option<ImapSettings> {
    Some(ImapSettings {
        host: r.host.clone(),
        port: u16::try_from(r.port).ok()?,
        tls: ImapTls::parse(&r.tls)?,
        username: r.username.clone(),
        password: r.password.clone(),
        folder: r.folder.clone(),
    })
}

fn after_import(r: &MailboxRow) -> AfterImport {
    match (r.after_import.as_str(), &r.archive_folder) {
        ("move", Some(f)) => AfterImport::Move(f.clone()),
        ("delete", _) => AfterImport::Delete,
        _ => AfterImport::Seen,
    }
}

/// The name the ingest pipeline knows a mailbox's messages by (with UIDVALIDITY and UID).
/// It names the account and folder, not the row: a row pointed at another account must not
/// have that account's messages taken for ones already seen. The store's `mailbox_route`
/// spells the same in SQL to find a message's mailbox again.
fn source_name(r: &MailboxRow) -> String {
    format!("{}@{}:{}/{}", r.username, r.host, r.port, r.folder)
}

impl Tessera {
    /// Every mailbox, for administrators.
    pub async fn mailboxes_admin(&self, actor: Actor<'_>) -> Result<Vec<MailboxAdmin>> {
        actor.require_admin()?;
        let mut conn = self.db().conn().await?;
        let rows = conn.h().all_mailboxes().await?;
        Ok(rows.iter().map(MailboxAdmin::from_row).collect())
    }

    /// One mailbox, for administrators.
    pub async fn mailbox_admin(&self, actor: Actor<'_>, id: i64) -> Result<MailboxAdmin> {
        actor.require_admin()?;
        let mut conn = self.db().conn().await?;
        Ok(MailboxAdmin::from_row(&conn.h().mailbox(id).await?))
    }

    /// Checks the form against the stored mailbox `id` (whose password an empty field keeps).
    async fn check_mailbox_form(&self, id: Option<i64>, f: &MailboxForm) -> Result<Checked> {
        let mut p = Problem::default();
        let mut conn = self.db().conn().await?;
        let stored = match id {
            Some(id) => Some(conn.h().mailbox(id).await?),
            None => None,
        };
        let department_id = f.department_id.trim().parse::<i64>().ok();
        let departments = conn.h().all_departments().await?;
        if !department_id.is_some_and(|d| departments.iter().any(|x| x.department_id == d)) {
            p.add("department_id", "error-required");
        }
        let host = f.host.trim();
        if !plausible_host(host) {
            p.add("host", "error-mailbox-host");
        }
        let tls = ImapTls::parse(f.tls.trim());
        match tls {
            None => p.add("tls", "error-required"),
            Some(ImapTls::None) if plausible_host(host) && !imap::is_loopback(host) => {
                p.add("tls", "error-mailbox-plain-remote")
            }
            _ => {}
        }
        let port = match f.port.trim() {
            "" => tls.map(ImapTls::default_port),
            s => s.parse::<u16>().ok().filter(|p| *p > 0),
        };
        if port.is_none() {
            p.add("port", "error-port");
        }
        let username = validate::text(&mut p, "username", &f.username, MAX_FIELD);
        if f.password.chars().count() > MAX_FIELD {
            p.add("password", "error-too-long");
        }
        let folder = match f.folder.trim() {
            "" => "INBOX",
            s => s,
        };
        if !plausible_folder(folder) {
            p.add("folder", "error-mailbox-folder");
        }
        let help_topic_id = match f.help_topic_id.trim() {
            "" => None,
            s => {
                let topics = conn.h().all_topic_rows().await?;
                let t = s.parse::<i64>().ok().and_then(|t| {
                    topics
                        .iter()
                        .find(|x| x.help_topic_id == t && Some(x.department_id) == department_id)
                });
                if t.is_none() {
                    p.add("help_topic_id", "error-mailbox-topic");
                }
                t.map(|t| t.help_topic_id)
            }
        };
        let after = match f.after_import.trim() {
            "seen" => Some(AfterImport::Seen),
            "delete" => Some(AfterImport::Delete),
            "move" => {
                let a = f.archive_folder.trim();
                if plausible_folder(a) && a != folder {
                    Some(AfterImport::Move(a.to_owned()))
                } else {
                    p.add("archive_folder", "error-mailbox-archive");
                    None
                }
            }
            _ => {
                p.add("after_import", "error-required");
                None
            }
        };
        let (Some(department_id), Some(tls), Some(port), Some(username), Some(after)) =
            (department_id, tls, port, username, after)
        else {
            return Err(CoreError::Invalid(p));
        };
        p.into_result()?;
        let password = if f.clear_password {
            String::new()
        } else if f.password.is_empty() {
            stored.map(|s| s.password).unwrap_or_default()
        } else {
            f.password.clone()
        };
        Ok(Checked {
            department_id,
            imap: ImapSettings {
                host: host.to_owned(),
                port,
                tls,
                username,
                password,
                folder: folder.to_owned(),
            },
            help_topic_id,
            after,
            is_active: f.is_active,
        })
    }

    /// Creates (`id` = `None`) or changes a mailbox, audited in the same transaction; returns
    /// its id.
    pub async fn save_mailbox(
        &self,
        actor: Actor<'_>,
        id: Option<i64>,
        f: &MailboxForm,
    ) -> Result<i64> {
        actor.require_admin()?;
        let checked = self.check_mailbox_form(id, f).await?;
        let new = checked.store();
        let taken = |e: tessera_store::StoreError| {
            if e.is_conflict_on("mailbox") || e.is_conflict_on("username") {
                let mut p = Problem::default();
                p.add("username", "error-mailbox-taken");
                CoreError::Invalid(p)
            } else {
                e.into()
            }
        };
        let mut tx = self.db().begin().await?;
        let (id, before) = match id {
            None => (tx.h().insert_mailbox(&new).await.map_err(taken)?, None),
            Some(id) => {
                let old = tx.h().mailbox(id).await?;
                let moved = old.host != new.host
                    || old.port != new.port
                    || old.username != new.username
                    || old.folder != new.folder;
                tx.h()
                    .update_mailbox(id, &new, moved)
                    .await
                    .map_err(taken)?;
                (id, Some(describe(&row_settings(&old))))
            }
        };
        record(
            &mut tx.h(),
            actor,
            if before.is_some() {
                "mailbox-update"
            } else {
                "mailbox-create"
            },
            &format!("mailbox {id}"),
            before.as_deref(),
            Some(&describe(&new)),
            None,
        )
        .await?;
        tx.commit().await?;
        // Whether mail comes in (`Settings::mail_in`) may have changed.
        self.reload_settings().await?;
        Ok(id)
    }

    /// Logs in with the settings in the form (saved or not; an empty password field means
    /// the stored one) and opens the folder. The outer error is about the form; the inner
    /// one is the server's answer.
    pub async fn test_mailbox(
        &self,
        actor: Actor<'_>,
        id: Option<i64>,
        f: &MailboxForm,
    ) -> Result<std::result::Result<(), ImapError>> {
        actor.require_admin()?;
        let checked = self.check_mailbox_form(id, f).await?;
        let outcome = imap::check(&checked.imap).await.map(|_| ());
        let result = match &outcome {
            Ok(()) => "ok".to_owned(),
            Err(e) => format!("failed: {e}"),
        };
        let mut tx = self.db().begin().await?;
        let target = format!(
            "{}@{}:{}",
            checked.imap.username, checked.imap.host, checked.imap.port
        );
        record(
            &mut tx.h(),
            actor,
            "mailbox-test",
            &target,
            None,
            Some(&result),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Records how far a claimed mailbox has been read, and extends its lease.
    async fn mailbox_advanced(
        &self,
        id: i64,
        uid_validity: i64,
        last_uid: i64,
        lease_until: Timestamp,
    ) -> Result<()> {
        let mut tx = self.db().begin().await?;
        tx.h()
            .mailbox_advanced(id, uid_validity, last_uid, lease_until)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Hands one fetched message to the ingest pipeline. `Ok` means it is committed (or was
    /// known already); only then may it be marked on the server.
    async fn deliver(&self, raw: &[u8], mailbox: &str, uid_validity: i64, uid: i64) -> Result<()> {
        let source = MailSource::Imap {
            mailbox: mailbox.to_owned(),
            uid_validity,
            uid,
        };
        let outcome = self.ingest_mail(raw, source).await?;
        tracing::debug!(
            mailbox,
            uid_validity,
            uid,
            ?outcome,
            "IMAP message delivered"
        );
        Ok(())
    }

    /// Reads one claimed mailbox: every new message is delivered, then finished on the
    /// server, then recorded as read. Returns how many messages were delivered, and whether
    /// more are waiting (beyond one poll's share).
    async fn poll_mailbox(&self, m: &MailboxRow) -> std::result::Result<(usize, bool), String> {
        let Some(settings) = imap_settings(m) else {
            return Err("settings: the stored settings are unusable".into());
        };
        let imap_err = |e: ImapError| format!("{}: {}", e.kind.as_str(), e.message);
        // The claim is renewed after every message, so only a node that died holds it long.
        let lease = || Timestamp::now().plus_millis(self.config().imap_lease_ms);
        let mut session = ImapSession::connect(&settings).await.map_err(imap_err)?;
        let result = async {
            let validity = i64::from(session.select(&settings.folder).await.map_err(imap_err)?);
            // A new UIDVALIDITY means the old UIDs mean nothing: read the folder from the
            // start (what was stored before is recognised by its hash).
            let last = match (m.uid_validity, m.last_uid) {
                (Some(v), Some(u)) if v == validity => u,
                _ => 0,
            };
            let last = u32::try_from(last).unwrap_or(0);
            let after = after_import(m);
            let source = source_name(m);
            let uids = session.uids_after(last).await.map_err(imap_err)?;
            let more = uids.len() > MAX_PER_POLL;
            let mut delivered = 0;
            for uid in uids.into_iter().take(MAX_PER_POLL) {
                let Some(raw) = session.fetch(uid).await.map_err(imap_err)? else {
                    continue;
                };
                self.deliver(&raw, &source, validity, i64::from(uid))
                    .await
                    .map_err(|e| {
                        if e.kind() == crate::ErrorKind::Unavailable {
                            format!("{CANNOT_STORE}{e}")
                        } else {
                            format!("ingest: {e}")
                        }
                    })?;
                session.finish(uid, &after).await.map_err(imap_err)?;
                self.mailbox_advanced(m.mailbox_id, validity, i64::from(uid), lease())
                    .await
                    .map_err(|e| format!("other: {e}"))?;
                delivered += 1;
            }
            if m.uid_validity != Some(validity) && delivered == 0 {
                // Remember the folder's identity even when it had nothing new.
                self.mailbox_advanced(m.mailbox_id, validity, i64::from(last), lease())
                    .await
                    .map_err(|e| format!("other: {e}"))?;
            }
            Ok((delivered, more))
        }
        .await;
        session.logout().await;
        result
    }
}

/// How a poll that fetched a message but could not store it (a full disk, the database
/// down) begins its error: the message stays on the server, unflagged.
const CANNOT_STORE: &str = "ingest: cannot store the message now: ";

/// Polls every active mailbox in turn, on any number of nodes: each poll of a mailbox is
/// claimed with a lease, so two nodes never read the same mailbox at once.
pub struct MailboxPoller {
    app: Tessera,
    interval: Duration,
    /// Polls in a row per mailbox that could not store what they fetched: each waits twice
    /// as long as the last (up to `MAX_STORE_PAUSE`), so that a full disk is not asked again
    /// every interval, fetching the same message each time.
    store_failures: Arc<std::sync::Mutex<std::collections::HashMap<i64, u32>>>,
}

/// The longest pause of a mailbox whose messages cannot be stored.
const MAX_STORE_PAUSE: Duration = Duration::from_secs(600);

impl MailboxPoller {
    /// A poller reading each mailbox every `interval`.
    pub fn new(app: Tessera, interval: Duration) -> Self {
        Self {
            app,
            interval,
            store_failures: Default::default(),
        }
    }

    /// Polls the mailboxes that are due, side by side (a slow or broken one does not hold
    /// up the others); returns how many messages were delivered, and whether a mailbox has
    /// more waiting (then it is due again at once).
    pub async fn run_once(&self) -> Result<(usize, bool)> {
        let interval_ms = i64::try_from(self.interval.as_millis()).unwrap_or(i64::MAX);
        let claimed = {
            let mut tx = self.app.db().begin().await?;
            let rows = tx
                .h()
                .claim_mailboxes(
                    Timestamp::now(),
                    interval_ms,
                    self.app.config().imap_lease_ms,
                )
                .await?;
            tx.commit().await?;
            rows
        };
        let mut tasks = tokio::task::JoinSet::new();
        for m in claimed {
            let app = self.app.clone();
            let store_failures = self.store_failures.clone();
            let interval = self.interval;
            tasks.spawn(async move {
                let outcome = app.poll_mailbox(&m).await;
                let error = outcome.as_ref().err().map(String::as_str);
                let mut polled_at = Timestamp::now();
                match &outcome {
                    Ok((n, more)) => {
                        tracing::debug!(
                            mailbox = m.mailbox_id,
                            delivered = n,
                            more,
                            "mailbox polled"
                        );
                        if *more {
                            // A backlog: recorded as polled one interval ago, so due now.
                            polled_at = polled_at.plus_millis(-interval_ms);
                        }
                    }
                    Err(e) => {
                        tracing::warn!(mailbox = m.mailbox_id, error = %e, "mailbox poll failed")
                    }
                }
                // Recorded as polled later than now, so due again only after the pause.
                let pause = {
                    let mut f = store_failures.lock().expect("not poisoned");
                    if error.is_some_and(|e| e.starts_with(CANNOT_STORE)) {
                        let n = f.entry(m.mailbox_id).or_insert(0);
                        *n = n.saturating_add(1);
                        interval
                            .saturating_mul(1u32 << (*n).min(8))
                            .min(MAX_STORE_PAUSE.max(interval))
                    } else {
                        f.remove(&m.mailbox_id);
                        interval
                    }
                };
                let extra = pause.saturating_sub(interval);
                polled_at = polled_at.plus_millis(i64::try_from(extra.as_millis()).unwrap_or(0));
                let mut tx = app.db().begin().await?;
                tx.h()
                    .mailbox_polled(m.mailbox_id, error, polled_at)
                    .await?;
                tx.commit().await?;
                Ok::<_, CoreError>(outcome.unwrap_or((0, false)))
            });
        }
        let (mut delivered, mut backlog) = (0, false);
        while let Some(r) = tasks.join_next().await {
            match r {
                Ok(Ok((n, more))) => {
                    delivered += n;
                    backlog |= more;
                }
                Ok(Err(e)) => tracing::error!(error = %e, "mailbox poll bookkeeping"),
                Err(e) => tracing::error!(error = %e, "mailbox poll task"),
            }
        }
        Ok((delivered, backlog))
    }

    /// Runs until `shutdown` turns true. Looks for due mailboxes at least every five
    /// seconds, so that a mailbox just created is read soon even with a long interval.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let tick = self.interval.min(Duration::from_secs(5));
        loop {
            if *shutdown.borrow() {
                return;
            }
            match self.run_once().await {
                // A mailbox has more waiting: go on without pausing.
                Ok((_, true)) => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "mailbox poller"),
            }
            tokio::select! {
                _ = tokio::time::sleep(tick) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_shows_whether_a_password_is_set_never_which() {
        let m = MailboxSettings {
            department_id: 1,
            host: "imap.example.org",
            port: 993,
            tls: "tls",
            username: "info@example.org",
            password: "hunter2-secret",
            folder: "INBOX",
            help_topic_id: None,
            after_import: "move",
            archive_folder: Some("Archiv"),
            is_active: true,
        };
        let d = describe(&m);
        assert!(d.contains("password=set") && !d.contains("hunter2"), "{d}");
        assert!(d.contains("after=move to \"Archiv\""), "{d}");
        let d = describe(&MailboxSettings { password: "", ..m });
        assert!(d.contains("password=none"), "{d}");
    }

    #[test]
    fn folder_names_must_fit_in_a_command() {
        assert!(plausible_folder("INBOX"));
        assert!(plausible_folder("Archiv/2026 Anfragen"));
        assert!(!plausible_folder(""));
        assert!(!plausible_folder("a\"b"));
        assert!(!plausible_folder("a\r\nb"));
    }
}
