//! Email in: raw incoming messages and what the ingest pipeline asks while it routes one.
//!
//! A message row is inserted and committed on its own before anything is parsed, and
//! `claim_inbound` moves it out of `stored` in the transaction that does the rest, so a
//! message is acted on once however often it arrives or is retried.

use tessera_domain::{
    AgentId, AttachmentId, DepartmentId, HelpTopicId, ThreadEntryId, TicketId, Timestamp,
};

use sqlx::FromRow;

use crate::{Handle, Result, db::on};

/// A raw message to keep.
#[derive(Debug, Clone)]
pub struct NewInbound<'a> {
    /// `pipe`, `imap` or `api`.
    pub source: &'a str,
    /// The IMAP mailbox it was fetched from.
    pub mailbox: Option<&'a str>,
    /// The mailbox's UIDVALIDITY.
    pub uid_validity: Option<i64>,
    /// The message's UID in that mailbox.
    pub uid: Option<i64>,
    /// Hex SHA-256 of `raw`.
    pub sha256: &'a str,
    /// The message as received.
    pub raw: &'a [u8],
}

/// A kept message as the pipeline sees it again.
#[derive(Debug, Clone)]
pub struct InboundRow {
    /// Key.
    pub inbound_message_id: i64,
    /// `stored`, `done`, `quarantined` or `ignored`.
    pub status: String,
}

/// An earlier message with the same `Message-ID` (`inbound_first_version`).
#[derive(Debug, Clone, FromRow)]
pub struct InboundVersion {
    /// Key.
    pub inbound_message_id: i64,
    /// What it said, hashed; `None` for mail kept before this was recorded.
    pub content_sha256: Option<String>,
    /// The ticket it became part of.
    pub ticket_id: Option<i64>,
}

/// A department as mail routing sees it.
#[derive(Debug, Clone)]
pub struct MailDepartment {
    /// Key.
    pub id: DepartmentId,
    /// Its address, lower-case (may be empty).
    pub email: String,
    /// Whether new tickets may go there.
    pub is_active: bool,
}

/// How many bytes of a message the administrators' list reads: enough for the headers.
const HEAD_BYTES: usize = 16_384;

/// A kept message as the administrators' list of set-aside mail shows it.
#[derive(Debug, Clone, FromRow)]
pub struct InboundListRow {
    /// Key.
    pub inbound_message_id: i64,
    /// `pipe`, `imap` or `api`.
    pub source: String,
    /// The IMAP mailbox it was fetched from.
    pub mailbox: Option<String>,
    /// `stored`, `done`, `quarantined` or `ignored`.
    pub status: String,
    /// Why it was quarantined or ignored.
    pub error: Option<String>,
    /// When it was received (µs since the epoch).
    pub created_at: i64,
    /// The first bytes of the raw message (its headers, usually whole).
    pub head: Vec<u8>,
    /// Size of the raw message in bytes.
    pub size: i64,
}

/// An inline image of an entry: an attachment that the mail's HTML names by `cid:`.
#[derive(Debug, Clone, FromRow)]
pub struct InlineImageRow {
    /// The attachment.
    pub attachment_id: i64,
    /// Its file name.
    pub filename: String,
    /// Its `Content-ID`, without angle brackets.
    pub content_id: String,
}

/// An entry as its "original email" page needs it.
#[derive(Debug, Clone, FromRow)]
pub struct EntryOriginalRow {
    /// The ticket the entry belongs to.
    pub ticket_id: i64,
    /// Message, reply, note or event.
    pub kind: String,
    /// The HTML as sent (NOT sanitised).
    pub original_html: Option<String>,
    /// Held for an agent: requesters do not see it.
    pub held: bool,
}

impl Handle<'_> {
    /// Keeps a raw message; `None` when it is known already (same bytes, or the same
    /// mailbox, UIDVALIDITY and UID).
    pub async fn insert_inbound(&mut self, m: &NewInbound<'_>) -> Result<Option<i64>> {
        let now = Timestamp::now().0;
        on!(self, c => Ok(sqlx::query_scalar(
            "INSERT INTO inbound_message (source, mailbox, uid_validity, uid, sha256, raw,
                                          status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'stored', $7, $7)
             ON CONFLICT DO NOTHING RETURNING inbound_message_id")
            .bind(m.source).bind(m.mailbox).bind(m.uid_validity).bind(m.uid).bind(m.sha256)
            .bind(m.raw).bind(now)
            .fetch_optional(c).await?))
    }

    /// The kept message a new arrival duplicates.
    pub async fn inbound_duplicate(&mut self, m: &NewInbound<'_>) -> Result<Option<InboundRow>> {
        // Two lookups, each on its unique index: SQLite answers an `OR` of the two by
        // scanning the table, raw messages and all.
        let mut row: Option<(i64, String)> = on!(self, c => sqlx::query_as(
            "SELECT inbound_message_id, status FROM inbound_message WHERE sha256 = $1")
            .bind(m.sha256)
            .fetch_optional(c).await?);
        if row.is_none() && m.mailbox.is_some() {
            row = on!(self, c => sqlx::query_as(
                "SELECT inbound_message_id, status FROM inbound_message
                 WHERE mailbox = $1 AND uid_validity = $2 AND uid = $3")
                .bind(m.mailbox).bind(m.uid_validity).bind(m.uid)
                .fetch_optional(c).await?);
        }
        Ok(row.map(|(inbound_message_id, status)| InboundRow {
            inbound_message_id,
            status,
        }))
    }

    /// The raw bytes of a kept message.
    pub async fn inbound_raw(&mut self, id: i64) -> Result<Vec<u8>> {
        on!(self, c => Ok(sqlx::query_scalar(
            "SELECT raw FROM inbound_message WHERE inbound_message_id = $1")
            .bind(id).fetch_one(c).await?))
    }

    /// Kept messages that were never finished (a crash or a database outage in between),
    /// oldest first.
    pub async fn stored_inbound(&mut self, limit: i64, before: Timestamp) -> Result<Vec<i64>> {
        on!(self, c => Ok(sqlx::query_scalar(
            "SELECT inbound_message_id FROM inbound_message
             WHERE status = 'stored' AND created_at < $2
             ORDER BY inbound_message_id LIMIT $1")
            .bind(limit).bind(before.0).fetch_all(c).await?))
    }

    /// Moves a message out of `stored` into `status`; `false` when another run did already.
    /// Run first in the transaction that acts on the message: it locks the row.
    pub async fn claim_inbound(
        &mut self,
        id: i64,
        status: &str,
        error: Option<&str>,
    ) -> Result<bool> {
        let now = Timestamp::now().0;
        on!(self, c => Ok(sqlx::query(
            "UPDATE inbound_message SET status = $2, error = $3, updated_at = $4
             WHERE inbound_message_id = $1 AND status = 'stored'")
            .bind(id).bind(status).bind(error).bind(now)
            .execute(c).await?.rows_affected() == 1))
    }

    /// Records a message's `Message-ID` (once it is parsed).
    pub async fn set_inbound_message_id(&mut self, id: i64, message_id: &str) -> Result<()> {
        on!(self, c => sqlx::query(
            "UPDATE inbound_message SET message_id = $2 WHERE inbound_message_id = $1")
            .bind(id).bind(message_id).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Records what a message says, hashed (`content_sha256`), once it is parsed.
    pub async fn set_inbound_content(&mut self, id: i64, content_sha256: &str) -> Result<()> {
        on!(self, c => sqlx::query(
            "UPDATE inbound_message SET content_sha256 = $2 WHERE inbound_message_id = $1")
            .bind(id).bind(content_sha256).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Another kept message that says the same (sender, Date, subject, body) and was acted
    /// on, if any: the same mail delivered twice, with or without a `Message-ID`.
    pub async fn inbound_same_content(
        &mut self,
        content_sha256: &str,
        except: i64,
    ) -> Result<Option<i64>> {
        on!(self, c => Ok(sqlx::query_scalar(
            "SELECT inbound_message_id FROM inbound_message
             WHERE content_sha256 = $1 AND inbound_message_id <> $2 AND status = 'done'
             ORDER BY inbound_message_id LIMIT 1")
            .bind(content_sha256).bind(except).fetch_optional(c).await?))
    }

    /// The first kept message with this `Message-ID` that was acted on: its id, what it
    /// said (hashed; unknown for mail kept before that was recorded) and its ticket.
    pub async fn inbound_first_version(
        &mut self,
        message_id: &str,
        except: i64,
    ) -> Result<Option<InboundVersion>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT inbound_message_id, content_sha256, ticket_id FROM inbound_message
             WHERE message_id = $1 AND inbound_message_id <> $2 AND status = 'done'
             ORDER BY inbound_message_id LIMIT 1")
            .bind(message_id).bind(except).fetch_optional(c).await?))
    }

    /// Records which ticket and entry a message became.
    pub async fn link_inbound(
        &mut self,
        id: i64,
        ticket: TicketId,
        entry: Option<ThreadEntryId>,
    ) -> Result<()> {
        on!(self, c => sqlx::query(
            "UPDATE inbound_message SET ticket_id = $2, thread_entry_id = $3
             WHERE inbound_message_id = $1")
            .bind(id).bind(ticket.0).bind(entry.map(|e| e.0))
            .execute(c).await?.rows_affected());
        Ok(())
    }

    /// Every department with its address, in creation order.
    pub async fn mail_departments(&mut self) -> Result<Vec<MailDepartment>> {
        let rows: Vec<(i64, String, bool)> = on!(self, c => sqlx::query_as(
            "SELECT department_id, lower(email), is_active FROM department
             ORDER BY department_id")
            .fetch_all(c).await?);
        Ok(rows
            .into_iter()
            .map(|(id, email, is_active)| MailDepartment {
                id: DepartmentId(id),
                email,
                is_active,
            })
            .collect())
    }

    /// A department's first public, active help topic in the portal's order.
    pub async fn first_public_topic(&mut self, d: DepartmentId) -> Result<Option<HelpTopicId>> {
        on!(self, c => Ok(sqlx::query_scalar::<_, i64>(
            "SELECT help_topic_id FROM help_topic
             WHERE department_id = $1 AND is_public AND is_active
             ORDER BY sort_order, help_topic_id LIMIT 1")
            .bind(d.0).fetch_optional(c).await?.map(HelpTopicId)))
    }

    /// The active agent with this address (case-insensitive), if any.
    pub async fn agent_by_email(&mut self, email: &str) -> Result<Option<AgentId>> {
        on!(self, c => Ok(sqlx::query_scalar::<_, i64>(
            "SELECT agent_id FROM agent WHERE lower(email) = lower($1) AND is_active
             ORDER BY agent_id LIMIT 1")
            .bind(email).fetch_optional(c).await?.map(AgentId)))
    }

    /// Keeps what the thread folds away of an entry that came by mail.
    pub async fn set_entry_original(
        &mut self,
        entry: ThreadEntryId,
        quoted: Option<&str>,
        original_html: Option<&str>,
    ) -> Result<()> {
        on!(self, c => sqlx::query(
            "UPDATE thread_entry SET quoted = $2, original_html = $3 WHERE thread_entry_id = $1")
            .bind(entry.0).bind(quoted).bind(original_html)
            .execute(c).await?.rows_affected());
        Ok(())
    }

    /// Marks an entry whose mail failed authentication: the warning (a stored reason), and
    /// whether it is held for an agent.
    pub async fn set_entry_auth(
        &mut self,
        entry: ThreadEntryId,
        warning: &str,
        held: bool,
    ) -> Result<()> {
        on!(self, c => sqlx::query(
            "UPDATE thread_entry SET auth_warning = $2, held = $3 WHERE thread_entry_id = $1")
            .bind(entry.0).bind(warning).bind(held)
            .execute(c).await?.rows_affected());
        Ok(())
    }

    /// Releases a held entry of a ticket; false when it was not held (accepted already, or
    /// not of this ticket).
    pub async fn release_held_entry(
        &mut self,
        ticket: TicketId,
        entry: ThreadEntryId,
    ) -> Result<bool> {
        on!(self, c => Ok(sqlx::query(
            "UPDATE thread_entry SET held = FALSE
             WHERE thread_entry_id = $1 AND ticket_id = $2 AND held")
            .bind(entry.0).bind(ticket.0)
            .execute(c).await?.rows_affected() == 1))
    }

    /// What the thread folded away of an entry: (quoted text, HTML as sent).
    pub async fn entry_original(
        &mut self,
        entry: ThreadEntryId,
    ) -> Result<(Option<String>, Option<String>)> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT quoted, original_html FROM thread_entry WHERE thread_entry_id = $1")
            .bind(entry.0).fetch_one(c).await?))
    }

    /// Records the `Content-ID` of an inline image.
    pub async fn set_attachment_content_id(&mut self, a: AttachmentId, cid: &str) -> Result<()> {
        on!(self, c => sqlx::query(
            "UPDATE attachment SET content_id = $2 WHERE attachment_id = $1")
            .bind(a.0).bind(cid).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Counts one more automatic reply to an address on a day; returns the day's count so
    /// far, this one included. Rows of past days are cleared on the way.
    pub async fn count_auto_reply(&mut self, email_key: &str, day: i64) -> Result<i64> {
        on!(self, c => sqlx::query("DELETE FROM auto_reply_count WHERE day < $1")
            .bind(day - 1).execute(c).await?.rows_affected());
        on!(self, c => Ok(sqlx::query_scalar(
            "INSERT INTO auto_reply_count (email_key, day, count) VALUES ($1, $2, 1)
             ON CONFLICT (email_key, day) DO UPDATE SET count = auto_reply_count.count + 1
             RETURNING count")
            .bind(email_key).bind(day).fetch_one(c).await?))
    }

    /// One page of kept messages in a status, newest first, older than `before` (keyset by
    /// key). Reads only the first bytes of each: a message may be 50 MB.
    pub async fn inbound_page(
        &mut self,
        status: &str,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<InboundListRow>> {
        let sql = format!(
            "SELECT inbound_message_id, source, mailbox, status, error, created_at,
                    substr(raw, 1, {HEAD_BYTES}) AS head, CAST(length(raw) AS BIGINT) AS size
             FROM inbound_message WHERE status = $1 AND inbound_message_id < $2
             ORDER BY inbound_message_id DESC LIMIT $3"
        );
        on!(self, c => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(status).bind(before.unwrap_or(i64::MAX)).bind(limit)
            .fetch_all(c).await?))
    }

    /// A kept message's status and error.
    pub async fn inbound_status(&mut self, id: i64) -> Result<(String, Option<String>)> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT status, error FROM inbound_message WHERE inbound_message_id = $1")
            .bind(id).fetch_one(c).await?))
    }

    /// Puts a quarantined message back to `stored`, so that the pipeline takes it again;
    /// `false` when it is not quarantined (any more).
    pub async fn requeue_inbound(&mut self, id: i64) -> Result<bool> {
        let now = Timestamp::now().0;
        on!(self, c => Ok(sqlx::query(
            "UPDATE inbound_message SET status = 'stored', error = NULL, updated_at = $2
             WHERE inbound_message_id = $1 AND status = 'quarantined'")
            .bind(id).bind(now)
            .execute(c).await?.rows_affected() == 1))
    }

    /// The ticket, kind and HTML as sent of an entry.
    pub async fn entry_for_original(&mut self, entry: ThreadEntryId) -> Result<EntryOriginalRow> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT ticket_id, kind, original_html, held FROM thread_entry WHERE thread_entry_id = $1")
            .bind(entry.0).fetch_one(c).await?))
    }

    /// The attachments of an entry that have a `Content-ID`, in order.
    pub async fn inline_images(&mut self, entry: ThreadEntryId) -> Result<Vec<InlineImageRow>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT attachment_id, filename, content_id FROM attachment
             WHERE thread_entry_id = $1 AND content_id IS NOT NULL ORDER BY attachment_id")
            .bind(entry.0).fetch_all(c).await?))
    }
}
