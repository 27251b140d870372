//! What a new installation and its people need beyond the basics (issue 23): agents' own
//! addresses, pending invitations, the facts of the install checklist, help-topic
//! descriptions, and the links that show a requester every ticket of their address.

use tessera_domain::{AgentId, ContactId, Timestamp};

use crate::{Handle, Result, db::on};

/// One ticket of a requester's address, as their list shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ContactTicketRow {
    /// Public number.
    pub number: String,
    /// Subject.
    pub subject: String,
    /// Status name.
    pub status: String,
    /// Last change (µs), the list's order.
    pub updated_at: i64,
    /// Key (the list's tie-break).
    pub ticket_id: i64,
    /// The address collaborates on it (is not its requester).
    pub collaborating: bool,
}

/// What the install checklist reads from the database.
#[derive(Debug, Clone, Default)]
pub struct InstallFacts {
    /// Saved run-time settings' keys (without values).
    pub saved: Vec<String>,
    /// Active agents' addresses.
    pub agent_emails: Vec<String>,
    /// IMAP mailboxes configured.
    pub mailboxes: i64,
    /// Messages ever received (by any way in).
    pub inbound: i64,
}

impl Handle<'_> {
    /// Changes an agent's address.
    pub async fn set_agent_email(&mut self, id: AgentId, email: &str) -> Result<()> {
        let now = Timestamp::now().0;
        on!(self, c => sqlx::query(
            "UPDATE agent SET email = $2, updated_at = $3 WHERE agent_id = $1")
            .bind(id.0).bind(email).bind(now).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Marks an agent invited (until they choose a password through the link) or not.
    pub async fn set_invitation_pending(&mut self, id: AgentId, pending: bool) -> Result<()> {
        on!(self, c => sqlx::query(
            "UPDATE agent SET invitation_pending = $2 WHERE agent_id = $1")
            .bind(id.0).bind(pending).execute(c).await?.rows_affected());
        Ok(())
    }

    /// The agents whose invitation is not accepted yet.
    pub async fn pending_invitations(&mut self) -> Result<Vec<AgentId>> {
        let ids: Vec<i64> = on!(self, c => sqlx::query_scalar(
            "SELECT agent_id FROM agent WHERE invitation_pending ORDER BY agent_id")
            .fetch_all(c).await?);
        Ok(ids.into_iter().map(AgentId).collect())
    }

    /// What the install checklist needs to know.
    pub async fn install_facts(&mut self, setting_prefix: &str) -> Result<InstallFacts> {
        let pattern = format!("{setting_prefix}%");
        let saved: Vec<String> = on!(self, c => sqlx::query_scalar(
            "SELECT key FROM setting WHERE key LIKE $1 ORDER BY key")
            .bind(&pattern).fetch_all(c).await?);
        let agent_emails: Vec<String> = on!(self, c => sqlx::query_scalar(
            "SELECT email FROM agent WHERE is_active ORDER BY agent_id")
            .fetch_all(c).await?);
        let mailboxes: i64 = on!(self, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM mailbox").fetch_one(c).await?);
        let inbound: i64 = on!(self, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM inbound_message LIMIT 1) x")
            .fetch_one(c).await?);
        Ok(InstallFacts {
            saved,
            agent_emails,
            mailboxes,
            inbound,
        })
    }

    /// Every help topic's descriptions: (id, German, English).
    pub async fn topic_descriptions(&mut self) -> Result<Vec<(i64, String, String)>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT help_topic_id, description_de, description_en FROM help_topic
             ORDER BY help_topic_id")
            .fetch_all(c).await?))
    }

    /// Sets a help topic's descriptions.
    pub async fn set_topic_description(&mut self, id: i64, de: &str, en: &str) -> Result<()> {
        let now = Timestamp::now().0;
        on!(self, c => sqlx::query(
            "UPDATE help_topic SET description_de = $2, description_en = $3, updated_at = $4
             WHERE help_topic_id = $1")
            .bind(id).bind(de).bind(en).bind(now).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Stores a "my tickets" link mailed to a contact.
    pub async fn insert_contact_link(
        &mut self,
        contact: ContactId,
        selector: &str,
        verifier_hash: &str,
        expires: Timestamp,
    ) -> Result<()> {
        let now = Timestamp::now().0;
        on!(self, c => sqlx::query(
            "INSERT INTO contact_link (contact_id, selector, verifier_hash, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5)")
            .bind(contact.0).bind(selector).bind(verifier_hash).bind(expires.0).bind(now)
            .execute(c).await?.rows_affected());
        Ok(())
    }

    /// An unused, unexpired "my tickets" link: (key, contact, verifier hash).
    pub async fn contact_link(
        &mut self,
        selector: &str,
        now: Timestamp,
    ) -> Result<Option<(i64, ContactId, String)>> {
        let row: Option<(i64, i64, String)> = on!(self, c => sqlx::query_as(
            "SELECT contact_link_id, contact_id, verifier_hash FROM contact_link
             WHERE selector = $1 AND used_at IS NULL AND expires_at > $2")
            .bind(selector).bind(now.0).fetch_optional(c).await?);
        Ok(row.map(|(id, c, h)| (id, ContactId(c), h)))
    }

    /// Uses up a "my tickets" link; false when it was used meanwhile.
    pub async fn use_contact_link(&mut self, id: i64) -> Result<bool> {
        let now = Timestamp::now().0;
        let n = on!(self, c => sqlx::query(
            "UPDATE contact_link SET used_at = $2 WHERE contact_link_id = $1 AND used_at IS NULL")
            .bind(id).bind(now).execute(c).await?.rows_affected());
        Ok(n == 1)
    }

    /// Lets a session see every ticket of a contact.
    pub async fn grant_contact(&mut self, session: i64, contact: ContactId) -> Result<()> {
        let now = Timestamp::now().0;
        on!(self, c => sqlx::query(
            "INSERT INTO session_contact (session_id, contact_id, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (session_id, contact_id) DO NOTHING")
            .bind(session).bind(contact.0).bind(now).execute(c).await?.rows_affected());
        Ok(())
    }

    /// The contact as whom a session sees a ticket through a verified address: the ticket's
    /// requester or one of its collaborators.
    pub async fn contact_grant_for(
        &mut self,
        session: i64,
        ticket: tessera_domain::TicketId,
    ) -> Result<Option<ContactId>> {
        let id: Option<i64> = on!(self, c => sqlx::query_scalar(
            "SELECT sc.contact_id FROM session_contact sc
             JOIN ticket t ON t.ticket_id = $2
             WHERE sc.session_id = $1
               AND (t.requester_id = sc.contact_id
                    OR EXISTS (SELECT 1 FROM ticket_collaborator tc
                               WHERE tc.ticket_id = t.ticket_id
                                 AND tc.contact_id = sc.contact_id))
             ORDER BY sc.contact_id LIMIT 1")
            .bind(session).bind(ticket.0).fetch_optional(c).await?);
        Ok(id.map(ContactId))
    }

    /// Whether a session holds a verified address.
    pub async fn has_contact_grant(&mut self, session: i64) -> Result<bool> {
        let n: i64 = on!(self, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM session_contact WHERE session_id = $1")
            .bind(session).fetch_one(c).await?);
        Ok(n > 0)
    }

    /// A page of the tickets of a session's verified addresses, most recently changed
    /// first, after the keyset `(updated_at, ticket_id)` (`(i64::MAX, i64::MAX)` for the
    /// first page).
    pub async fn contact_tickets(
        &mut self,
        session: i64,
        after: (i64, i64),
        limit: i64,
    ) -> Result<Vec<ContactTicketRow>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT number, subject, status, updated_at, ticket_id, collaborating FROM (
                 SELECT t.number, t.subject, t.status, t.updated_at, t.ticket_id,
                        FALSE AS collaborating
                 FROM session_contact sc JOIN ticket t ON t.requester_id = sc.contact_id
                 WHERE sc.session_id = $1
                 UNION ALL
                 SELECT t.number, t.subject, t.status, t.updated_at, t.ticket_id,
                        TRUE AS collaborating
                 FROM session_contact sc
                 JOIN ticket_collaborator tc ON tc.contact_id = sc.contact_id
                 JOIN ticket t ON t.ticket_id = tc.ticket_id
                 WHERE sc.session_id = $1 AND t.requester_id <> sc.contact_id
             ) x
             WHERE updated_at < $2 OR (updated_at = $2 AND ticket_id < $3)
             ORDER BY updated_at DESC, ticket_id DESC LIMIT $4")
            .bind(session).bind(after.0).bind(after.1).bind(limit).fetch_all(c).await?))
    }
}
