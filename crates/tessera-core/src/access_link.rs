//! Access links: the requester's way back to a ticket without an account — the token a
//! confirmation mail carries, and "check ticket status" (number plus address).

use tessera_domain::{ContactId, EmailAddress, TicketId, Timestamp};
use tessera_store::Grant;

use crate::{CoreError, Result, Tessera, notify, token};

/// What an emailed access link gives.
#[derive(Debug, Clone, Copy)]
pub enum Redeemed {
    /// The right to see its ticket.
    Open(Grant),
    /// Nothing any more: its ticket was closed too long ago; a fresh link can be mailed.
    Expired,
}

impl Tessera {
    /// The number of the ticket a grant opens (where the requester is sent next).
    pub async fn granted_number(&self, grant: Grant) -> Result<String> {
        let mut conn = self.db().conn().await?;
        Ok(conn.h().ticket(grant.ticket_id).await?.number)
    }

    /// Exchanges an emailed access token for the right to see its ticket, unless it has
    /// expired (`access_link_days_after_close`). An unknown, forged or revoked token is
    /// `NotFound`.
    pub async fn redeem_access_token(&self, presented: &str) -> Result<Redeemed> {
        let row = self.access_token_row(presented).await?;
        let days = self.config().access_link_days_after_close;
        if let Some(closed) = row.ticket_closed_at.filter(|_| days > 0) {
            // Counted from the close or from the link's making, whichever is later: a link
            // sent for a closed ticket (a fresh one) gets its days too.
            let end = Timestamp(closed.max(row.created_at)).plus_secs(days * 24 * 3600);
            if Timestamp::now() > end {
                return Ok(Redeemed::Expired);
            }
        }
        let mut tx = self.db().begin().await?;
        tx.h().access_token_used(row.access_token_id).await?;
        let confirmed = self
            .confirm_ticket(&mut tx.h(), TicketId(row.ticket_id))
            .await?;
        tx.commit().await?;
        if confirmed {
            self.changed();
            self.announce(TicketId(row.ticket_id), crate::ChangeKind::Update);
        }
        Ok(Redeemed::Open(Grant {
            ticket_id: TicketId(row.ticket_id),
            contact_id: ContactId(row.contact_id),
        }))
    }

    /// A valid (known, verified, not revoked) access token's row.
    async fn access_token_row(&self, presented: &str) -> Result<tessera_store::AccessTokenRow> {
        let (selector, verifier) = token::split(presented).ok_or(CoreError::NotFound)?;
        let mut conn = self.db().conn().await?;
        let row = conn
            .h()
            .access_token(selector)
            .await?
            .ok_or(CoreError::NotFound)?;
        if !token::verify(verifier, &row.verifier_hash) || row.revoked_at.is_some() {
            return Err(CoreError::NotFound);
        }
        Ok(row)
    }

    /// The page of an expired access link: if `email` is the address of a participant of
    /// the link's ticket, that person gets a fresh link by mail (through the outbox, in one
    /// transaction). The caller answers the same either way, so the page tells nobody
    /// whether the address belongs to the ticket; a token that is not a valid link at all
    /// is ignored the same way.
    pub async fn mail_fresh_access_link(&self, presented: &str, email: &str) -> Result<()> {
        let row = match self.access_token_row(presented).await {
            Ok(r) => r,
            Err(CoreError::NotFound) => return Ok(()),
            Err(e) => return Err(e),
        };
        let Some(email) = EmailAddress::parse(email) else {
            return Ok(());
        };
        let ticket = TicketId(row.ticket_id);
        let mut conn = self.db().conn().await?;
        let contact = conn.h().participant_by_email(ticket, &email.key()).await?;
        drop(conn);
        match contact {
            Some(contact_id) => {
                self.mail_link(Grant {
                    ticket_id: ticket,
                    contact_id,
                })
                .await
            }
            None => Ok(()),
        }
    }

    /// "Check ticket status": ticket number plus the address of a participant. Every failure
    /// is the same `NotFound`, so the answer tells nothing about which half was wrong.
    pub async fn check_status(&self, number: &str, email: &str) -> Result<Grant> {
        let number = number.trim().trim_start_matches('#');
        let email = EmailAddress::parse(email).ok_or(CoreError::NotFound)?;
        // Numbers given out before the format last changed keep their old shape.
        let number = self
            .settings()
            .number_format
            .canonical(number)
            .unwrap_or_else(|| number.to_owned());
        let mut conn = self.db().conn().await?;
        let ticket = conn.h().ticket_by_number(&number).await?;
        let contact = conn
            .h()
            .participant_by_email(ticket.id, &email.key())
            .await?
            .ok_or(CoreError::NotFound)?;
        Ok(Grant {
            ticket_id: ticket.id,
            contact_id: contact,
        })
    }

    /// "Check ticket status" when it mails links: if number and address match, that person
    /// gets a fresh access link by mail. The caller answers the same either way, so the page
    /// tells nobody whether an address belongs to a ticket.
    pub async fn mail_status_link(&self, number: &str, email: &str) -> Result<()> {
        let grant = match self.check_status(number, email).await {
            Ok(g) => g,
            Err(CoreError::NotFound) => return Ok(()),
            Err(e) => return Err(e),
        };
        self.mail_link(grant).await
    }

    /// Mails a participant a fresh access link to a ticket (through the outbox).
    async fn mail_link(&self, grant: Grant) -> Result<()> {
        let mut tx = self.db().begin().await?;
        let ticket = tx.h().ticket(grant.ticket_id).await?;
        let contact = tx.h().contact(grant.contact_id).await?;
        let minted = token::mint();
        tx.h()
            .insert_access_token(
                ticket.id,
                contact.id,
                &minted.selector,
                &minted.verifier_hash,
            )
            .await?;
        let mail = notify::status_link(self, &ticket, &contact, &minted.token);
        tx.h().enqueue_mail(&mail).await?;
        tx.commit().await?;
        self.changed();
        Ok(())
    }

    /// The grant a session holds for a ticket number, if any.
    pub async fn grant_for_number(&self, session: &crate::Session, number: &str) -> Result<Grant> {
        let mut conn = self.db().conn().await?;
        let ticket = conn.h().ticket_by_number(number).await?;
        let contact = conn
            .h()
            .grant_for(session.id, ticket.id)
            .await?
            .ok_or(CoreError::NotFound)?;
        Ok(Grant {
            ticket_id: ticket.id,
            contact_id: contact,
        })
    }
}
