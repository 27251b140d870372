//! What the portal's intake checks read: a requester's recent attachment bytes.

use crate::{Handle, Result, db::on};
use tessera_domain::{TicketId, Timestamp};

impl Handle<'_> {
    /// Bytes of attachments on messages written by the contact with `email_key` since
    /// `since` (the daily attachment quota). Uses `thread_entry_author_idx`.
    pub async fn attachment_bytes_since(
        &mut self,
        email_key: &str,
        since: Timestamp,
    ) -> Result<i64> {
        on!(self, c => Ok(sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(a.size), 0) AS BIGINT)
               FROM contact k
               JOIN thread_entry e ON e.author_contact_id = k.contact_id
               JOIN attachment a ON a.thread_entry_id = e.thread_entry_id
              WHERE k.email_key = $1 AND e.created_at >= $2")
            .bind(email_key)
            .bind(since.0)
            .fetch_one(c)
            .await?))
    }

    /// Marks a ticket confirmed by its requester; whether it was waiting for that.
    pub async fn confirm_ticket(&mut self, ticket: TicketId) -> Result<bool> {
        let n = on!(self, c => sqlx::query(
            "UPDATE ticket SET unconfirmed = FALSE WHERE ticket_id = $1 AND unconfirmed")
            .bind(ticket.0)
            .execute(&mut *c).await?.rows_affected());
        Ok(n > 0)
    }
}
