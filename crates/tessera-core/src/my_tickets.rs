//! "All my tickets" (issue 23): a requester asks for a link to every ticket of their
//! address; the link (a split token, hashed at rest, single use, expiring) mailed to that
//! address proves the browser reads it, and the session it opens holds the address as a
//! verified contact: it lists every ticket where the address is the requester or a
//! collaborator, and opens each of them (core writes the ticket's grant the first time).

use tessera_domain::{EmailAddress, Timestamp};
use tessera_mail::{Mailbox, OutgoingMail};
use tessera_store::{MailKind, NewOutboxMail};

use crate::{CoreError, Result, Session, Tessera, token};

/// How long a mailed "my tickets" link works.
pub const MY_TICKETS_LINK_MINUTES: i64 = 60;

/// Tickets on one page of the list.
pub const MY_TICKETS_PAGE: i64 = 25;

/// One ticket of a verified address.
#[derive(Debug, Clone)]
pub struct MyTicket {
    /// Public number.
    pub number: String,
    /// Subject.
    pub subject: String,
    /// Status name.
    pub status: String,
    /// The address collaborates on it (someone else asked).
    pub collaborating: bool,
}

/// A page of a verified address's tickets.
#[derive(Debug, Clone)]
pub struct MyTickets {
    /// The tickets, most recently changed first.
    pub tickets: Vec<MyTicket>,
    /// The next page's cursor, if there is one.
    pub next: Option<String>,
}

/// Reads a page cursor (`updated_at.ticket_id`).
fn cursor(raw: Option<&str>) -> (i64, i64) {
    raw.and_then(|c| c.split_once('.'))
        .and_then(|(u, t)| Some((u.parse().ok()?, t.parse().ok()?)))
        .unwrap_or((i64::MAX, i64::MAX))
}

impl Tessera {
    /// Mails a link to all their tickets to a known address. An unknown address gets
    /// nothing, and the caller answers the same either way (the page tells nobody whether
    /// an address has tickets). An address that is no address is `Invalid`.
    pub async fn mail_my_tickets_link(&self, email: &str) -> Result<()> {
        let Some(address) = EmailAddress::parse(email) else {
            let mut p = tessera_domain::Problem::default();
            p.add("email", "error-email");
            return Err(CoreError::Invalid(p));
        };
        let mut tx = self.db().begin().await?;
        let Some(contact) = tx.h().contact_by_key(&address.key()).await? else {
            return Ok(());
        };
        let minted = token::mint();
        let expires = Timestamp::now().plus_secs(MY_TICKETS_LINK_MINUTES * 60);
        tx.h()
            .insert_contact_link(contact.id, &minted.selector, &minted.verifier_hash, expires)
            .await?;
        let settings = self.settings();
        let link = format!("{}/my-tickets/{}", self.config().base_url, minted.token);
        let minutes = MY_TICKETS_LINK_MINUTES.to_string();
        let args: [(&'static str, &str); 4] = [
            ("name", &contact.name),
            ("org", &settings.org_name),
            ("link", &link),
            ("minutes", &minutes),
        ];
        let domain = settings
            .mail_from
            .email
            .rsplit_once('@')
            .map(|(_, d)| d.to_owned())
            .unwrap_or_else(|| "tessera.invalid".into());
        let lang = contact.lang;
        let mail = OutgoingMail {
            from: settings.mail_from.clone(),
            to: vec![Mailbox {
                name: contact.name.clone(),
                email: contact.email.clone(),
            }],
            subject: tessera_i18n::t_args(lang, "mail-my-tickets-subject", &args),
            text: tessera_i18n::t_args(lang, "mail-my-tickets-body", &args),
            link: Some((tessera_i18n::t(lang, "mail-my-tickets-link"), link.clone())),
            message_id: format!("tessera.mytickets.{}@{domain}", token::random_hex(12)),
            references: vec![],
            auto_generated: true,
            lang: lang.as_str().to_owned(),
        };
        tx.h()
            .enqueue_mail(&NewOutboxMail {
                kind: MailKind::Other,
                ticket_id: None,
                message_id: mail.message_id.clone(),
                envelope_from: mail.from.email.clone(),
                recipients: vec![contact.email.clone()],
                raw: mail.to_bytes(),
            })
            .await?;
        tx.commit().await?;
        self.changed();
        Ok(())
    }

    /// Opens a mailed "my tickets" link once: always a NEW session under a new token (as
    /// `grant_in_new_session`: `previous`'s grants are carried over and `previous` ends),
    /// which holds the link's address as verified. A used, expired or unknown link is
    /// `NotFound`.
    pub async fn redeem_my_tickets_link(
        &self,
        previous: Option<&Session>,
        presented: &str,
    ) -> Result<(Session, String)> {
        let (selector, verifier) = token::split(presented).ok_or(CoreError::NotFound)?;
        let mut tx = self.db().begin().await?;
        let (link, contact, stored) = tx
            .h()
            .contact_link(selector, Timestamp::now())
            .await?
            .ok_or(CoreError::NotFound)?;
        if !token::verify(verifier, &stored) || !tx.h().use_contact_link(link).await? {
            return Err(CoreError::NotFound);
        }
        let (session, cookie) = self.rotate_or_start(&mut tx.h(), previous).await?;
        tx.h().grant_contact(session.id, contact).await?;
        tx.commit().await?;
        Ok((session, cookie))
    }

    /// A page of the tickets of the session's verified addresses, after `after` (a cursor
    /// from the previous page); `None` when the session holds no verified address.
    pub async fn my_tickets(
        &self,
        session: &Session,
        after: Option<&str>,
    ) -> Result<Option<MyTickets>> {
        let mut conn = self.db().conn().await?;
        if !conn.h().has_contact_grant(session.id).await? {
            return Ok(None);
        }
        let mut rows = conn
            .h()
            .contact_tickets(session.id, cursor(after), MY_TICKETS_PAGE + 1)
            .await?;
        let more = rows.len() as i64 > MY_TICKETS_PAGE;
        rows.truncate(MY_TICKETS_PAGE as usize);
        let next = more
            .then(|| {
                rows.last()
                    .map(|r| format!("{}.{}", r.updated_at, r.ticket_id))
            })
            .flatten();
        Ok(Some(MyTickets {
            tickets: rows
                .into_iter()
                .map(|r| MyTicket {
                    number: r.number,
                    subject: r.subject,
                    status: r.status,
                    collaborating: r.collaborating,
                })
                .collect(),
            next,
        }))
    }

    /// Writes the grant for a ticket the session sees through a verified address (the
    /// ticket's requester or a collaborator); `false` when it sees none.
    pub(crate) async fn grant_through_verified_address(
        &self,
        session: &Session,
        ticket: tessera_domain::TicketId,
    ) -> Result<bool> {
        let mut conn = self.db().conn().await?;
        let Some(contact) = conn.h().contact_grant_for(session.id, ticket).await? else {
            return Ok(false);
        };
        drop(conn);
        let mut tx = self.db().begin().await?;
        tx.h()
            .grant(
                session.id,
                tessera_store::Grant {
                    ticket_id: ticket,
                    contact_id: contact,
                },
            )
            .await?;
        tx.commit().await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::cursor;

    #[test]
    fn reads_cursors() {
        assert_eq!(cursor(None), (i64::MAX, i64::MAX));
        assert_eq!(cursor(Some("17.4")), (17, 4));
        assert_eq!(cursor(Some("x.4")), (i64::MAX, i64::MAX));
        assert_eq!(cursor(Some("17")), (i64::MAX, i64::MAX));
    }
}
