//! IMAP mailboxes: their settings, how far each has been read, and the lease that lets one
//! node at a time poll it.

use sqlx::FromRow;
use tessera_domain::{DepartmentId, HelpTopicId, Timestamp};

use crate::{Handle, Result, db::on};

/// A mailbox as stored. Holds the password: core uses it to log in and never hands it on.
#[derive(Clone, FromRow)]
pub struct MailboxRow {
    /// Key.
    pub mailbox_id: i64,
    /// The department whose mail this is.
    pub department_id: i64,
    /// IMAP server.
    pub host: String,
    /// Its port.
    pub port: i64,
    /// `tls`, `starttls` or `none`.
    pub tls: String,
    /// User name.
    pub username: String,
    /// Password (secret).
    pub password: String,
    /// The folder read.
    pub folder: String,
    /// Help topic for tickets opened from this mailbox.
    pub help_topic_id: Option<i64>,
    /// `seen`, `move` or `delete`.
    pub after_import: String,
    /// Where `move` puts stored messages.
    pub archive_folder: Option<String>,
    /// Whether it is polled.
    pub is_active: bool,
    /// The folder's UIDVALIDITY when it was last read.
    pub uid_validity: Option<i64>,
    /// The highest UID stored and finished.
    pub last_uid: Option<i64>,
    /// When the last poll ended.
    pub last_polled_at: Option<i64>,
    /// Why the last poll failed, if it did.
    pub last_error: Option<String>,
}

impl std::fmt::Debug for MailboxRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailboxRow")
            .field("mailbox_id", &self.mailbox_id)
            .field("host", &self.host)
            .field("username", &self.username)
            .field("folder", &self.folder)
            .finish_non_exhaustive()
    }
}

/// The settings an administrator saves.
#[derive(Clone)]
pub struct MailboxSettings<'a> {
    /// Department.
    pub department_id: i64,
    /// Server.
    pub host: &'a str,
    /// Port.
    pub port: i64,
    /// TLS mode name.
    pub tls: &'a str,
    /// User name.
    pub username: &'a str,
    /// Password.
    pub password: &'a str,
    /// Folder.
    pub folder: &'a str,
    /// Help topic for new tickets.
    pub help_topic_id: Option<i64>,
    /// What happens after import.
    pub after_import: &'a str,
    /// Archive folder for `move`.
    pub archive_folder: Option<&'a str>,
    /// Polled or not.
    pub is_active: bool,
}

impl Handle<'_> {
    /// Whether any IMAP mailbox is active (mail comes in).
    pub async fn any_active_mailbox(&mut self) -> Result<bool> {
        let n: i64 = on!(self, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM mailbox WHERE is_active")
            .fetch_one(c).await?);
        Ok(n > 0)
    }

    /// Every mailbox, by department and account.
    pub async fn all_mailboxes(&mut self) -> Result<Vec<MailboxRow>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT mailbox_id, department_id, host, port, tls, username, password, folder,
                    help_topic_id, after_import, archive_folder, is_active, uid_validity,
                    last_uid, last_polled_at, last_error
             FROM mailbox ORDER BY department_id, username, host, mailbox_id")
            .fetch_all(c).await?))
    }

    /// One mailbox.
    pub async fn mailbox(&mut self, id: i64) -> Result<MailboxRow> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT mailbox_id, department_id, host, port, tls, username, password, folder,
                    help_topic_id, after_import, archive_folder, is_active, uid_validity,
                    last_uid, last_polled_at, last_error
             FROM mailbox WHERE mailbox_id = $1")
            .bind(id).fetch_one(c).await?))
    }

    /// Adds a mailbox; returns its key.
    pub async fn insert_mailbox(&mut self, m: &MailboxSettings<'_>) -> Result<i64> {
        let now = Timestamp::now().0;
        on!(self, c => Ok(sqlx::query_scalar(
            "INSERT INTO mailbox (department_id, host, port, tls, username, password, folder,
                                  help_topic_id, after_import, archive_folder, is_active,
                                  created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
             RETURNING mailbox_id")
            .bind(m.department_id).bind(m.host).bind(m.port).bind(m.tls).bind(m.username)
            .bind(m.password).bind(m.folder).bind(m.help_topic_id).bind(m.after_import)
            .bind(m.archive_folder).bind(m.is_active).bind(now)
            .fetch_one(c).await?))
    }

    /// Changes a mailbox. When another account or folder is named, what was read of the old
    /// one says nothing about the new one: the read position starts again (`reset_position`).
    pub async fn update_mailbox(
        &mut self,
        id: i64,
        m: &MailboxSettings<'_>,
        reset_position: bool,
    ) -> Result<()> {
        let now = Timestamp::now().0;
        let n = on!(self, c => sqlx::query(
            "UPDATE mailbox SET department_id = $2, host = $3, port = $4, tls = $5,
                    username = $6, password = $7, folder = $8, help_topic_id = $9,
                    after_import = $10, archive_folder = $11, is_active = $12, updated_at = $13,
                    uid_validity = CASE WHEN $14 THEN NULL ELSE uid_validity END,
                    last_uid = CASE WHEN $14 THEN NULL ELSE last_uid END,
                    last_error = NULL
             WHERE mailbox_id = $1")
            .bind(id).bind(m.department_id).bind(m.host).bind(m.port).bind(m.tls)
            .bind(m.username).bind(m.password).bind(m.folder).bind(m.help_topic_id)
            .bind(m.after_import).bind(m.archive_folder).bind(m.is_active).bind(now)
            .bind(reset_position)
            .execute(c).await?.rows_affected());
        if n == 0 {
            return Err(crate::StoreError::NotFound);
        }
        Ok(())
    }

    /// Claims the active mailboxes whose last poll ended at least `interval_ms` ago and that
    /// no node holds, for `lease_ms`. The update is conditional, so of two nodes asking at
    /// once only one gets each mailbox.
    pub async fn claim_mailboxes(
        &mut self,
        now: Timestamp,
        interval_ms: i64,
        lease_ms: i64,
    ) -> Result<Vec<MailboxRow>> {
        let until = now.plus_millis(lease_ms).0;
        let due = now.plus_millis(-interval_ms).0;
        on!(self, c => Ok(sqlx::query_as(
            "UPDATE mailbox SET poll_lease_until = $2
             WHERE is_active AND poll_lease_until <= $1
               AND (last_polled_at IS NULL OR last_polled_at <= $3)
             RETURNING mailbox_id, department_id, host, port, tls, username, password, folder,
                       help_topic_id, after_import, archive_folder, is_active, uid_validity,
                       last_uid, last_polled_at, last_error")
            .bind(now.0).bind(until).bind(due).fetch_all(c).await?))
    }

    /// Records how far a mailbox has been read (after a message was stored and finished on
    /// the server) and extends the lease. Within one UIDVALIDITY the position only grows.
    pub async fn mailbox_advanced(
        &mut self,
        id: i64,
        uid_validity: i64,
        last_uid: i64,
        lease_until: Timestamp,
    ) -> Result<()> {
        on!(self, c => sqlx::query(
            "UPDATE mailbox SET
                 last_uid = CASE WHEN uid_validity = $2 AND last_uid > $3 THEN last_uid
                                 ELSE $3 END,
                 uid_validity = $2, poll_lease_until = $4
             WHERE mailbox_id = $1")
            .bind(id).bind(uid_validity).bind(last_uid).bind(lease_until.0)
            .execute(c).await?.rows_affected());
        Ok(())
    }

    /// Ends a poll: when it counts as ended (the poller backdates it when a backlog makes
    /// the mailbox due again at once), why it failed (`None`: it did not), and frees the
    /// lease.
    pub async fn mailbox_polled(
        &mut self,
        id: i64,
        error: Option<&str>,
        polled_at: Timestamp,
    ) -> Result<()> {
        let now = polled_at.0;
        on!(self, c => sqlx::query(
            "UPDATE mailbox SET last_polled_at = $2, last_error = $3, poll_lease_until = 0
             WHERE mailbox_id = $1")
            .bind(id).bind(now).bind(error).execute(c).await?.rows_affected());
        Ok(())
    }

    /// The department and (active) help topic of the IMAP mailbox a kept message was
    /// fetched from; `None` for mail that came another way or from a mailbox no longer
    /// configured. The pipeline knows a mailbox as `user@host:port/folder` (see
    /// `tessera-core`'s `mailbox.rs`), which is what this joins on.
    pub async fn mailbox_route(
        &mut self,
        inbound_message_id: i64,
    ) -> Result<Option<(DepartmentId, Option<HelpTopicId>)>> {
        let row: Option<(i64, Option<i64>)> = on!(self, c => sqlx::query_as(
            "SELECT m.department_id, t.help_topic_id
             FROM inbound_message i
             JOIN mailbox m ON i.source = 'imap' AND i.mailbox =
                 m.username || '@' || m.host || ':' || CAST(m.port AS TEXT) || '/' || m.folder
             LEFT JOIN help_topic t ON t.help_topic_id = m.help_topic_id AND t.is_active
             WHERE i.inbound_message_id = $1
             ORDER BY m.mailbox_id LIMIT 1")
            .bind(inbound_message_id).fetch_optional(c).await?);
        Ok(row.map(|(d, t)| (DepartmentId(d), t.map(HelpTopicId))))
    }
}
