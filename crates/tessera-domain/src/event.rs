//! Things that happen to a ticket, recorded in its thread. Names are stored as they were at
//! the time, because history should say what people saw then.

/// One recorded happening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketEvent {
    /// Opened, and through which channel (`portal`, `email`, `api`).
    Created {
        /// The channel.
        source: String,
    },
    /// Assigned to an agent and/or a team (names).
    Assigned {
        /// Agent's name.
        agent: Option<String>,
        /// Team's name.
        team: Option<String>,
    },
    /// An agent took it.
    Claimed,
    /// The assignee gave it back.
    Released,
    /// Moved to another department.
    Transferred {
        /// Old department's name.
        from: String,
        /// New department's name.
        to: String,
    },
    /// Status changed.
    Status {
        /// Old status.
        from: String,
        /// New status.
        to: String,
    },
    /// Priority changed.
    Priority {
        /// Old priority.
        from: String,
        /// New priority.
        to: String,
    },
    /// Due date set (a date, `YYYY-MM-DD`) or removed (empty).
    Due {
        /// New due date.
        due: String,
    },
    /// A collaborator was added.
    CollaboratorAdded {
        /// Their address.
        email: String,
    },
    /// A collaborator was removed.
    CollaboratorRemoved {
        /// Their address.
        email: String,
    },
    /// A participant's access links and sessions were revoked.
    AccessRevoked {
        /// Their address.
        email: String,
    },
    /// Mail about the ticket could not be delivered (a bounce came back).
    MailBounced {
        /// The address that failed, as the bounce names it (may be empty).
        recipient: String,
    },
    /// Mail about the ticket was given up: refused for good (5xx) or still failing after
    /// the last retry.
    MailUndelivered {
        /// The recipients.
        recipient: String,
        /// Why, as the last attempt failed (a server's answer, or a stored reason).
        reason: String,
    },
    /// A mail with the `Message-ID` of one already on the ticket arrived with a different
    /// text: the entry after this one is the re-sent version.
    MailResent {
        /// The shared `Message-ID`.
        message_id: String,
    },
    /// An agent (the entry's author) opened the ticket for its requester.
    OpenedFor {
        /// The requester's name and address, as they were.
        requester: String,
        /// How the request came (`phone`, `walk_in`, `chat`, `other`).
        source: String,
    },
    /// The reply before this event was also mailed to these addresses, once.
    CopiesSent {
        /// Cc addresses, comma-separated.
        cc: String,
        /// Bcc addresses, comma-separated.
        bcc: String,
    },
}

fn clean(s: &str) -> String {
    s.replace(['\t', '\n'], " ")
}

impl TicketEvent {
    /// The translation key that describes the event.
    pub fn key(&self) -> &'static str {
        match self {
            TicketEvent::Created { .. } => "event-created",
            TicketEvent::Assigned { .. } => "event-assigned",
            TicketEvent::Claimed => "event-claimed",
            TicketEvent::Released => "event-released",
            TicketEvent::Transferred { .. } => "event-transferred",
            TicketEvent::Status { .. } => "event-status",
            TicketEvent::Priority { .. } => "event-priority",
            TicketEvent::Due { .. } => "event-due",
            TicketEvent::CollaboratorAdded { .. } => "event-collaborator-added",
            TicketEvent::CollaboratorRemoved { .. } => "event-collaborator-removed",
            TicketEvent::AccessRevoked { .. } => "event-access-revoked",
            TicketEvent::MailBounced { .. } => "event-mail-bounced",
            TicketEvent::MailUndelivered { .. } => "event-mail-undelivered",
            TicketEvent::MailResent { .. } => "event-mail-resent",
            TicketEvent::OpenedFor { .. } => "event-opened-for",
            TicketEvent::CopiesSent { .. } => "event-copies-sent",
        }
    }

    /// The event's arguments as named strings (for translation).
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            TicketEvent::Created { source } => vec![("source", source.clone())],
            TicketEvent::Assigned { agent, team } => vec![
                ("agent", agent.clone().unwrap_or_default()),
                ("team", team.clone().unwrap_or_default()),
            ],
            TicketEvent::Claimed | TicketEvent::Released => vec![],
            TicketEvent::Transferred { from, to }
            | TicketEvent::Status { from, to }
            | TicketEvent::Priority { from, to } => {
                vec![("from", from.clone()), ("to", to.clone())]
            }
            TicketEvent::Due { due } => vec![("due", due.clone())],
            TicketEvent::CollaboratorAdded { email }
            | TicketEvent::CollaboratorRemoved { email }
            | TicketEvent::AccessRevoked { email } => vec![("email", email.clone())],
            TicketEvent::MailBounced { recipient } => vec![("recipient", recipient.clone())],
            TicketEvent::MailUndelivered { recipient, reason } => {
                vec![("recipient", recipient.clone()), ("reason", reason.clone())]
            }
            TicketEvent::MailResent { message_id } => vec![("message_id", message_id.clone())],
            TicketEvent::OpenedFor { requester, source } => {
                vec![("requester", requester.clone()), ("source", source.clone())]
            }
            TicketEvent::CopiesSent { cc, bcc } => vec![("cc", cc.clone()), ("bcc", bcc.clone())],
        }
    }

    /// A compact line for storage: the key, then tab-separated arguments.
    pub fn encode(&self) -> String {
        let mut s = self.key().to_owned();
        for (_, v) in self.args() {
            s.push('\t');
            s.push_str(&clean(&v));
        }
        s
    }

    /// Reads what `encode` wrote.
    pub fn decode(s: &str) -> Option<TicketEvent> {
        let mut it = s.split('\t');
        let key = it.next()?;
        let mut next = || it.next().unwrap_or("").to_owned();
        let opt = |v: String| (!v.is_empty()).then_some(v);
        Some(match key {
            "event-created" => TicketEvent::Created { source: next() },
            "event-assigned" => {
                let agent = opt(next());
                TicketEvent::Assigned {
                    agent,
                    team: opt(next()),
                }
            }
            "event-claimed" => TicketEvent::Claimed,
            "event-released" => TicketEvent::Released,
            "event-transferred" => TicketEvent::Transferred {
                from: next(),
                to: next(),
            },
            "event-status" => TicketEvent::Status {
                from: next(),
                to: next(),
            },
            "event-priority" => TicketEvent::Priority {
                from: next(),
                to: next(),
            },
            "event-due" => TicketEvent::Due { due: next() },
            "event-collaborator-added" => TicketEvent::CollaboratorAdded { email: next() },
            "event-collaborator-removed" => TicketEvent::CollaboratorRemoved { email: next() },
            "event-access-revoked" => TicketEvent::AccessRevoked { email: next() },
            "event-mail-bounced" => TicketEvent::MailBounced { recipient: next() },
            "event-mail-undelivered" => TicketEvent::MailUndelivered {
                recipient: next(),
                reason: next(),
            },
            "event-mail-resent" => TicketEvent::MailResent { message_id: next() },
            "event-opened-for" => TicketEvent::OpenedFor {
                requester: next(),
                source: next(),
            },
            "event-copies-sent" => TicketEvent::CopiesSent {
                cc: next(),
                bcc: next(),
            },
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let all = [
            TicketEvent::Created {
                source: "portal".into(),
            },
            TicketEvent::Assigned {
                agent: Some("Nadine S.".into()),
                team: None,
            },
            TicketEvent::Assigned {
                agent: None,
                team: Some("Öffentlichkeit".into()),
            },
            TicketEvent::Claimed,
            TicketEvent::Released,
            TicketEvent::Transferred {
                from: "Presse".into(),
                to: "IT".into(),
            },
            TicketEvent::Status {
                from: "open".into(),
                to: "closed".into(),
            },
            TicketEvent::Priority {
                from: "normal".into(),
                to: "high".into(),
            },
            TicketEvent::Due {
                due: "2026-12-06".into(),
            },
            TicketEvent::CollaboratorAdded {
                email: "moritz@example.org".into(),
            },
            TicketEvent::CollaboratorRemoved {
                email: "moritz@example.org".into(),
            },
            TicketEvent::AccessRevoked {
                email: "max@example.org".into(),
            },
            TicketEvent::MailBounced {
                recipient: "max@example.org".into(),
            },
            TicketEvent::MailUndelivered {
                recipient: "max@example.org".into(),
                reason: "permanent error (550): 5.1.1 No such user".into(),
            },
            TicketEvent::MailResent {
                message_id: "abc@example.org".into(),
            },
            TicketEvent::OpenedFor {
                requester: "Max Müller <max@example.org>".into(),
                source: "phone".into(),
            },
            TicketEvent::CopiesSent {
                cc: "a@example.org, b@example.org".into(),
                bcc: String::new(),
            },
        ];
        for e in all {
            assert_eq!(TicketEvent::decode(&e.encode()), Some(e.clone()), "{e:?}");
        }
        assert_eq!(TicketEvent::decode("nonsense"), None);
        let tabbed = TicketEvent::Transferred {
            from: "a\tb".into(),
            to: "c".into(),
        };
        assert_eq!(
            TicketEvent::decode(&tabbed.encode()),
            Some(TicketEvent::Transferred {
                from: "a b".into(),
                to: "c".into()
            })
        );
    }
}
