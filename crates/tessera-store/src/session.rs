//! Access tokens, browser sessions and the tickets a requester's session may see.

use sqlx::FromRow;
use tessera_domain::{AgentId, ContactId, TicketId, Timestamp};

use crate::{Handle, Result, db::on};

/// A stored access token (the verifier only as a hash).
#[derive(Debug, Clone, FromRow)]
pub struct AccessTokenRow {
    /// Key.
    pub access_token_id: i64,
    /// Ticket it opens.
    pub ticket_id: i64,
    /// Person it belongs to.
    pub contact_id: i64,
    /// SHA-256 of the secret half, hex.
    pub verifier_hash: String,
    /// Set once revoked.
    pub revoked_at: Option<i64>,
    /// When the link was made.
    pub created_at: i64,
    /// When its ticket was closed, if it is.
    pub ticket_closed_at: Option<i64>,
}

/// A stored browser session.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    /// Key.
    pub session_id: i64,
    /// SHA-256 of the secret half, hex.
    pub verifier_hash: String,
    /// Signed-in agent, if any.
    pub agent_id: Option<i64>,
    /// Last request.
    pub last_seen_at: i64,
    /// Absolute end.
    pub expires_at: i64,
    /// The directory's generation when the session was read (migration 0020).
    pub directory: i64,
}

pub use tessera_domain::model::Grant;

impl Handle<'_> {
    /// Stores a new access token.
    pub async fn insert_access_token(
        &mut self,
        ticket: TicketId,
        contact: ContactId,
        selector: &str,
        verifier_hash: &str,
    ) -> Result<()> {
        let now = Timestamp::now().0;
        on!(self, c => sqlx::query(
            "INSERT INTO access_token (ticket_id, contact_id, selector, verifier_hash,
                                       created_at)
             VALUES ($1, $2, $3, $4, $5)")
            .bind(ticket.0).bind(contact.0).bind(selector).bind(verifier_hash).bind(now)
            .execute(c).await?.rows_affected());
        Ok(())
    }

    /// Finds an access token by its public half.
    pub async fn access_token(&mut self, selector: &str) -> Result<Option<AccessTokenRow>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT a.access_token_id, a.ticket_id, a.contact_id, a.verifier_hash, a.revoked_at,
                    a.created_at, t.closed_at AS ticket_closed_at
             FROM access_token a JOIN ticket t ON t.ticket_id = a.ticket_id
             WHERE a.selector = $1")
            .bind(selector).fetch_optional(c).await?))
    }

    /// Notes that a token was used.
    pub async fn access_token_used(&mut self, id: i64) -> Result<()> {
        let now = Timestamp::now().0;
        on!(self, c => sqlx::query(
            "UPDATE access_token SET last_used_at = $2 WHERE access_token_id = $1")
            .bind(id).bind(now).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Revokes every token of one person on one ticket.
    pub async fn revoke_access_tokens(
        &mut self,
        ticket: TicketId,
        contact: ContactId,
    ) -> Result<u64> {
        let now = Timestamp::now().0;
        on!(self, c => Ok(sqlx::query(
            "UPDATE access_token SET revoked_at = $3
             WHERE ticket_id = $1 AND contact_id = $2 AND revoked_at IS NULL")
            .bind(ticket.0).bind(contact.0).bind(now).execute(c).await?.rows_affected()))
    }

    /// Takes a ticket away from every session that sees it as this participant.
    pub async fn delete_grants(&mut self, ticket: TicketId, contact: ContactId) -> Result<u64> {
        on!(self, c => Ok(sqlx::query(
            "DELETE FROM session_grant WHERE ticket_id = $1 AND contact_id = $2")
            .bind(ticket.0).bind(contact.0).execute(c).await?.rows_affected()))
    }

    /// Starts a session.
    pub async fn insert_session(
        &mut self,
        selector: &str,
        verifier_hash: &str,
        agent: Option<AgentId>,
        expires_at: Timestamp,
    ) -> Result<i64> {
        let now = Timestamp::now().0;
        on!(self, c => Ok(sqlx::query_scalar(
            "INSERT INTO session (selector, verifier_hash, agent_id, last_seen_at, expires_at,
                                  created_at)
             VALUES ($1, $2, $3, $4, $5, $4) RETURNING session_id")
            .bind(selector).bind(verifier_hash).bind(agent.map(|a| a.0)).bind(now)
            .bind(expires_at.0).fetch_one(c).await?))
    }

    /// Replaces a session by a new one under a new token (session fixation: whoever knew
    /// the old token must not share what the new one is given). The new session keeps the
    /// old one's agent (and an agent session its absolute end) and its ticket grants; the
    /// old one is deleted. Returns the new session's key, or `None` if the old one is gone.
    pub async fn rotate_session(
        &mut self,
        old: i64,
        selector: &str,
        verifier_hash: &str,
        requester_expires_at: Timestamp,
    ) -> Result<Option<i64>> {
        let now = Timestamp::now().0;
        let new: Option<i64> = on!(self, c => sqlx::query_scalar(
            "INSERT INTO session (selector, verifier_hash, agent_id, last_seen_at, expires_at,
                                  created_at)
             SELECT $2, $3, agent_id, $4,
                    CASE WHEN agent_id IS NULL THEN $5 ELSE expires_at END, $4
             FROM session WHERE session_id = $1 RETURNING session_id")
            .bind(old).bind(selector).bind(verifier_hash).bind(now)
            .bind(requester_expires_at.0).fetch_optional(&mut *c).await?);
        let Some(new) = new else {
            return Ok(None);
        };
        on!(self, c => sqlx::query(
            "INSERT INTO session_grant (session_id, ticket_id, contact_id, created_at)
             SELECT $2, ticket_id, contact_id, created_at FROM session_grant
             WHERE session_id = $1")
            .bind(old).bind(new).execute(&mut *c).await?.rows_affected());
        on!(self, c => sqlx::query("DELETE FROM session WHERE session_id = $1")
            .bind(old).execute(c).await?.rows_affected());
        Ok(Some(new))
    }

    /// Finds a session by its public half, with the directory's generation: every request
    /// with a session runs this, so the in-memory directory is checked at no extra cost.
    pub async fn session(&mut self, selector: &str) -> Result<Option<SessionRow>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT s.session_id, s.verifier_hash, s.agent_id, s.last_seen_at, s.expires_at,
                    g.generation AS directory
             FROM session s CROSS JOIN directory_generation g WHERE s.selector = $1")
            .bind(selector).fetch_optional(c).await?))
    }

    /// Notes activity on a session.
    pub async fn touch_session(&mut self, id: i64, now: Timestamp) -> Result<()> {
        on!(self, c => sqlx::query("UPDATE session SET last_seen_at = $2 WHERE session_id = $1")
            .bind(id).bind(now.0).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Ends a session.
    pub async fn delete_session(&mut self, id: i64) -> Result<()> {
        on!(self, c => sqlx::query("DELETE FROM session WHERE session_id = $1")
            .bind(id).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Removes sessions past their end; returns how many.
    pub async fn delete_expired_sessions(&mut self, now: Timestamp) -> Result<u64> {
        on!(self, c => Ok(sqlx::query("DELETE FROM session WHERE expires_at < $1")
            .bind(now.0).execute(c).await?.rows_affected()))
    }

    /// Lets a session see a ticket as a participant.
    pub async fn grant(&mut self, session: i64, g: Grant) -> Result<()> {
        let now = Timestamp::now().0;
        on!(self, c => sqlx::query(
            "INSERT INTO session_grant (session_id, ticket_id, contact_id, created_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (session_id, ticket_id) DO UPDATE SET contact_id = excluded.contact_id")
            .bind(session).bind(g.ticket_id.0).bind(g.contact_id.0).bind(now)
            .execute(c).await?.rows_affected());
        Ok(())
    }

    /// As whom a session may see a ticket, if at all.
    pub async fn grant_for(&mut self, session: i64, ticket: TicketId) -> Result<Option<ContactId>> {
        on!(self, c => Ok(sqlx::query_scalar::<_, i64>(
            "SELECT contact_id FROM session_grant WHERE session_id = $1 AND ticket_id = $2")
            .bind(session).bind(ticket.0).fetch_optional(c).await?.map(ContactId)))
    }

    /// Every ticket a session may see: (number, subject, status, updated_at), newest first.
    pub async fn granted_tickets(
        &mut self,
        session: i64,
    ) -> Result<Vec<(String, String, String, i64, i64)>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT t.number, t.subject, t.status, t.updated_at, t.ticket_id
             FROM session_grant g JOIN ticket t ON t.ticket_id = g.ticket_id
             WHERE g.session_id = $1 ORDER BY t.updated_at DESC LIMIT 50")
            .bind(session).fetch_all(c).await?))
    }
}
