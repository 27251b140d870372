//! No mail loops. Two guards stand between mail that arrives and mail that leaves because
//! of it (`ingest.rs` asks both for every message that opens or joins a ticket):
//!
//! 1. Automatic mail — whatever `tessera_mail::inbound` recognises as a robot's — is kept on
//!    its ticket but causes nothing: no confirmation, no alert, no change of status, and an
//!    agent's auto-reply is an internal note, never a reply, a claim or "answered".
//! 2. A hard cap stops the loops no marker gives away: per ticket and per sender address,
//!    counted per clock hour in the database (so that every node counts the same mail once).
//!    Past it a message is still kept, but as automatic mail; the message that crosses a cap
//!    alerts the administrators, once per ticket or address and hour.

use tessera_domain::{EmailAddress, Reason, Timestamp, model::Ticket};
use tessera_mail::inbound::Noise;
use tessera_store::{AgentBrief, Handle, MailKind, NewOutboxMail};

use crate::{Result, Tessera, notify};

/// The hard cap's defaults: mail per ticket and per sender address in one clock hour.
pub const LOOP_CAP_PER_TICKET: i64 = 20;
/// See `LOOP_CAP_PER_TICKET`.
pub const LOOP_CAP_PER_ADDRESS: i64 = 10;

/// What the guards decided about one incoming message.
#[derive(Debug, Clone, Default)]
pub(crate) struct Guarded {
    /// Why the message is taken for automatic mail (a stored reason for the entry's label),
    /// if it is: it then causes no mail and changes no status.
    pub automatic: Option<String>,
    /// Past a cap: agents are not alerted even of a new ticket.
    pub capped: bool,
}

/// The clock hour of an instant, as hours since the epoch (UTC).
pub(crate) fn hour_of(t: Timestamp) -> i64 {
    t.0.div_euclid(3_600 * 1_000_000)
}

/// The label key of an entry a robot wrote.
fn label(noise: Noise) -> &'static str {
    match noise {
        Noise::Bulk => "robots-entry-bulk",
        Noise::Receipt => "robots-entry-receipt",
        _ => "robots-entry-automatic",
    }
}

/// Where a message goes, as far as the cap is concerned.
pub(crate) enum Destination<'a> {
    /// It opens a new ticket.
    New,
    /// It joins this ticket, written by a participant (or anyone but a verified agent).
    Ticket(&'a Ticket),
    /// It joins this ticket, written by one of its agents: counted for the ticket only, so
    /// that an agent answering many tickets by mail is never taken for a robot.
    AgentOn(&'a Ticket),
}

impl Tessera {
    /// Counts a message that opens or joins a ticket and says whether it is automatic mail
    /// (see the module documentation). In the transaction that writes the message.
    pub(crate) async fn guard_mail_in(
        &self,
        h: &mut Handle<'_>,
        noise: Option<Noise>,
        from: &EmailAddress,
        to: Destination<'_>,
        now: Timestamp,
    ) -> Result<Guarded> {
        let hour = hour_of(now);
        let cfg = self.config();
        let mut capped = false;
        let ticket = match to {
            Destination::New => None,
            Destination::Ticket(t) | Destination::AgentOn(t) => Some(t),
        };
        if let Some(t) = ticket {
            let n = h.count_mail_in(&format!("ticket:{}", t.id), hour).await?;
            if n > cfg.loop_cap_per_ticket {
                capped = true;
                if n == cfg.loop_cap_per_ticket + 1 {
                    self.alert_loop(h, Some(t), from, cfg.loop_cap_per_ticket)
                        .await?;
                }
            }
        }
        if !matches!(to, Destination::AgentOn(_)) {
            let n = h
                .count_mail_in(&format!("address:{}", from.key()), hour)
                .await?;
            if n > cfg.loop_cap_per_address {
                if n == cfg.loop_cap_per_address + 1 {
                    self.alert_loop(h, None, from, cfg.loop_cap_per_address)
                        .await?;
                }
                capped = true;
            }
        }
        if capped {
            tracing::warn!(sender = %from.key(), ticket = ?ticket.map(|t| t.id), "mail in past the hourly cap: kept, nothing sent");
        }
        let automatic = if capped {
            Some(Reason::new("robots-entry-capped").encode())
        } else {
            noise.map(|n| Reason::new(label(n)).encode())
        };
        Ok(Guarded { automatic, capped })
    }

    /// One alert to every administrator: a ticket or a sender address went past its cap.
    async fn alert_loop(
        &self,
        h: &mut Handle<'_>,
        ticket: Option<&Ticket>,
        from: &EmailAddress,
        cap: i64,
    ) -> Result<()> {
        let admins = h.admin_alert_recipients().await?;
        for mail in loop_alert_mails(self, &admins, ticket, from.as_str(), cap) {
            h.enqueue_mail(&mail).await?;
        }
        Ok(())
    }
}

/// The administrators' alerts of a cap that was crossed, composed without a database.
fn loop_alert_mails(
    app: &Tessera,
    to: &[AgentBrief],
    ticket: Option<&Ticket>,
    address: &str,
    cap: i64,
) -> Vec<NewOutboxMail> {
    let settings = app.settings();
    let cap = cap.to_string();
    let url = ticket.map(|t| format!("{}/agent/tickets/{}", app.config().base_url, t.number));
    to.iter()
        .map(|a| {
            let mut args: Vec<(&'static str, &str)> = vec![
                ("name", &a.display_name),
                ("address", address),
                ("cap", &cap),
                ("org", &settings.org_name),
            ];
            let (key, link) = match (ticket, &url) {
                (Some(t), Some(url)) => {
                    args.push(("number", &t.number));
                    args.push(("subject", &t.subject));
                    args.push(("link", url));
                    (
                        "robots-alert-ticket",
                        Some(("robots-alert-link", url.as_str())),
                    )
                }
                _ => ("robots-alert-address", None),
            };
            notify::agent_mail(
                app,
                a,
                notify::AgentLetter {
                    key,
                    args: &args,
                    link,
                    ticket,
                    tag: "alert",
                    kind: MailKind::Alert,
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_hours_in_utc() {
        assert_eq!(hour_of(Timestamp(0)), 0);
        assert_eq!(hour_of(Timestamp(3_600 * 1_000_000 - 1)), 0);
        assert_eq!(hour_of(Timestamp(3_600 * 1_000_000)), 1);
        assert_eq!(hour_of(Timestamp(-1)), -1);
    }

    #[test]
    fn labels_say_what_wrote_it() {
        assert_eq!(label(Noise::AutoSubmitted), "robots-entry-automatic");
        assert_eq!(label(Noise::AutoReplySubject), "robots-entry-automatic");
        assert_eq!(label(Noise::Bulk), "robots-entry-bulk");
        assert_eq!(label(Noise::Receipt), "robots-entry-receipt");
    }
}
