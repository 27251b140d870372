//! What the ticket API records beyond the portal: the requester's address.

use tessera_domain::TicketId;

use crate::{Handle, Result, db::on};

impl Handle<'_> {
    /// Records the address a requester wrote from (as the API caller reports it).
    pub async fn set_ticket_client_ip(&mut self, ticket: TicketId, ip: &str) -> Result<()> {
        on!(self, c => sqlx::query("UPDATE ticket SET client_ip = $2 WHERE ticket_id = $1")
            .bind(ticket.0).bind(ip)
            .execute(c).await?.rows_affected());
        Ok(())
    }

    /// The address a requester wrote from, when the API reported one.
    pub async fn ticket_client_ip(&mut self, ticket: TicketId) -> Result<Option<String>> {
        on!(self, c => Ok(sqlx::query_scalar::<_, Option<String>>(
            "SELECT client_ip FROM ticket WHERE ticket_id = $1")
            .bind(ticket.0).fetch_one(c).await?))
    }
}

impl Handle<'_> {
    /// The number of the ticket a kept message became part of, if any.
    pub async fn inbound_ticket_number(&mut self, inbound: i64) -> Result<Option<String>> {
        on!(self, c => Ok(sqlx::query_scalar::<_, String>(
            "SELECT t.number FROM inbound_message i JOIN ticket t ON t.ticket_id = i.ticket_id
             WHERE i.inbound_message_id = $1")
            .bind(inbound).fetch_optional(c).await?))
    }
}
