//! Which mail goes to whom, in the recipient's language, queued through the outbox.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tessera_domain::{
    Agent, AgentId, ContactId,
    model::{Contact, Ticket},
};
use tessera_i18n::{t, t_args};
use tessera_mail::{Mailbox, OutgoingMail};
use tessera_store::{AgentBrief, Handle, NewOutboxMail};

use crate::{Tessera, token};

/// A Message-ID that names its ticket and carries an HMAC, so that a reply's `In-Reply-To`
/// can later be matched to the ticket without trusting anything else in the message.
pub(crate) fn message_id(app: &Tessera, ticket: &Ticket) -> String {
    let nonce = token::random_hex(8);
    let mut mac = Hmac::<Sha256>::new_from_slice(&app.inner.secret).expect("any key length");
    mac.update(format!("{}:{nonce}", ticket.id).as_bytes());
    let sig = hex::encode(&mac.finalize().into_bytes()[..8]);
    let domain = app
        .settings()
        .mail_from
        .email
        .rsplit_once('@')
        .map(|(_, d)| d.to_owned())
        .unwrap_or_else(|| "tessera.invalid".into());
    format!("tessera.{}.{nonce}.{sig}@{domain}", ticket.id)
}

fn sender(app: &Tessera, ticket: &Ticket) -> Mailbox {
    Mailbox {
        name: format!("{} – {}", app.settings().org_name, ticket.department.name),
        email: if ticket.department.email.is_empty() {
            app.settings().mail_from.email.clone()
        } else {
            ticket.department.email.clone()
        },
    }
}

fn to_outbox(ticket: &Ticket, mail: OutgoingMail) -> NewOutboxMail {
    NewOutboxMail {
        ticket_id: Some(ticket.id),
        message_id: mail.message_id.clone(),
        envelope_from: mail.from.email.clone(),
        recipients: mail.to.iter().map(|m| m.email.clone()).collect(),
        raw: mail.to_bytes(),
    }
}

/// Quotes a text for a plain-text mail, shortened for a summary.
fn quote(body: &str, max_chars: usize) -> String {
    let mut s: String = body.chars().take(max_chars).collect();
    if body.chars().count() > max_chars {
        s.push('…');
    }
    s.lines()
        .map(|l| format!("> {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// "We have received your request" with the access link, to the requester.
pub(crate) fn ticket_opened(
    app: &Tessera,
    ticket: &Ticket,
    body: &str,
    token: &str,
) -> NewOutboxMail {
    let lang = ticket.requester.lang;
    let topic = ticket
        .help_topic
        .as_ref()
        .map(|h| h.name(lang).to_owned())
        .unwrap_or_default();
    letter(
        app,
        ticket,
        Letter {
            to: Mailbox {
                name: ticket.requester.name.clone(),
                email: ticket.requester.email.clone(),
            },
            lang,
            subject_key: "mail-opened-subject",
            body_key: "mail-opened-body",
            args: vec![("topic", topic), ("message", quote(body, 2000))],
            link: format!("{}/access/{token}", app.config().base_url),
            link_key: "mail-view-ticket",
            auto: true,
        },
    )
}

/// A fresh access link for a participant who asked for one through "check ticket status".
pub(crate) fn status_link(
    app: &Tessera,
    ticket: &Ticket,
    to: &Contact,
    token: &str,
) -> NewOutboxMail {
    letter(
        app,
        ticket,
        Letter {
            to: Mailbox {
                name: to.name.clone(),
                email: to.email.clone(),
            },
            lang: to.lang,
            subject_key: "mail-status-link-subject",
            body_key: "mail-status-link-body",
            args: vec![],
            link: format!("{}/access/{token}", app.config().base_url),
            link_key: "mail-view-ticket",
            auto: true,
        },
    )
}

/// A mail to one person about a ticket, with a link.
struct Letter<'a> {
    to: Mailbox,
    lang: tessera_domain::Lang,
    subject_key: &'a str,
    body_key: &'a str,
    args: Vec<(&'static str, String)>,
    link: String,
    link_key: &'a str,
    auto: bool,
}

fn letter(app: &Tessera, ticket: &Ticket, l: Letter<'_>) -> NewOutboxMail {
    let mut args = l.args;
    args.push(("number", ticket.number.clone()));
    args.push(("subject", ticket.subject.clone()));
    args.push(("link", l.link.clone()));
    args.push(("org", app.settings().org_name.clone()));
    args.push(("name", l.to.name.clone()));
    let refs: Vec<(&'static str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mail = OutgoingMail {
        from: sender(app, ticket),
        to: vec![l.to],
        subject: t_args(l.lang, l.subject_key, &refs),
        text: t_args(l.lang, l.body_key, &refs),
        link: Some((t(l.lang, l.link_key), l.link)),
        message_id: message_id(app, ticket),
        references: vec![],
        auto_generated: l.auto,
    };
    to_outbox(ticket, mail)
}

/// Mints an access link for one participant (the token is stored hashed).
async fn access_link(
    app: &Tessera,
    h: &mut Handle<'_>,
    ticket: &Ticket,
    contact: ContactId,
) -> crate::Result<String> {
    let minted = token::mint();
    h.insert_access_token(ticket.id, contact, &minted.selector, &minted.verifier_hash)
        .await?;
    Ok(format!("{}/access/{}", app.config().base_url, minted.token))
}

/// The requester and the collaborators of a ticket.
async fn participants(h: &mut Handle<'_>, ticket: &Ticket) -> crate::Result<Vec<Contact>> {
    let mut all = vec![ticket.requester.clone()];
    all.extend(h.collaborators(ticket.id).await?);
    Ok(all)
}

/// An agent's reply, to the requester and every collaborator, each with their own link.
pub(crate) async fn reply_to_participants(
    app: &Tessera,
    h: &mut Handle<'_>,
    ticket: &Ticket,
    agent: &Agent,
    body: &str,
    attachments: &[String],
) -> crate::Result<()> {
    for p in participants(h, ticket).await? {
        let link = access_link(app, h, ticket, p.id).await?;
        let files = if attachments.is_empty() {
            String::new()
        } else {
            format!(
                "\n\n{}: {}",
                t(p.lang, "meta-attachments"),
                attachments.join(", ")
            )
        };
        let mail = letter(
            app,
            ticket,
            Letter {
                to: Mailbox {
                    name: p.name.clone(),
                    email: p.email.clone(),
                },
                lang: p.lang,
                subject_key: "mail-ticket-subject",
                body_key: "mail-reply-body",
                args: vec![
                    ("agent", agent.display_name.clone()),
                    ("message", format!("{body}{files}")),
                ],
                link,
                link_key: "mail-view-ticket",
                auto: false,
            },
        );
        h.enqueue_mail(&mail).await?;
    }
    Ok(())
}

/// Tells the requester and collaborators who now handles their ticket.
pub(crate) async fn assignment_to_participants(
    app: &Tessera,
    h: &mut Handle<'_>,
    ticket: &Ticket,
    who: &str,
) -> crate::Result<()> {
    for p in participants(h, ticket).await? {
        let link = access_link(app, h, ticket, p.id).await?;
        let mail = letter(
            app,
            ticket,
            Letter {
                to: Mailbox {
                    name: p.name.clone(),
                    email: p.email.clone(),
                },
                lang: p.lang,
                subject_key: "mail-ticket-subject",
                body_key: "mail-assigned-body",
                args: vec![("assignee", who.to_owned())],
                link,
                link_key: "mail-view-ticket",
                auto: true,
            },
        );
        h.enqueue_mail(&mail).await?;
    }
    Ok(())
}

/// Welcomes a new collaborator with their own access link.
pub(crate) async fn collaborator_added(
    app: &Tessera,
    h: &mut Handle<'_>,
    ticket: &Ticket,
    agent: &Agent,
    c: &Contact,
) -> crate::Result<()> {
    let link = access_link(app, h, ticket, c.id).await?;
    let mail = letter(
        app,
        ticket,
        Letter {
            to: Mailbox {
                name: c.name.clone(),
                email: c.email.clone(),
            },
            lang: c.lang,
            subject_key: "mail-ticket-subject",
            body_key: "mail-collaborator-body",
            args: vec![
                ("agent", agent.display_name.clone()),
                ("requester", ticket.requester.name.clone()),
            ],
            link,
            link_key: "mail-view-ticket",
            auto: true,
        },
    );
    h.enqueue_mail(&mail).await?;
    Ok(())
}

/// The agents responsible for a ticket: the assigned agent, else the assigned team's
/// members; `except` (the one acting) is left out.
pub(crate) async fn assignees(
    h: &mut Handle<'_>,
    ticket: &Ticket,
    except: Option<AgentId>,
) -> crate::Result<Vec<AgentBrief>> {
    let mut to = Vec::new();
    if let Some((a, _)) = &ticket.assignee_agent {
        to.push(h.agent_brief(*a).await?);
    } else if let Some((team, _)) = &ticket.assignee_team {
        to = h.team_members(*team).await?;
    }
    to.retain(|a| Some(AgentId(a.agent_id)) != except);
    Ok(to)
}

/// An alert to agents (`kind`: new, message, assigned, note, transferred, overdue).
pub(crate) async fn agent_alert(
    app: &Tessera,
    h: &mut Handle<'_>,
    ticket: &Ticket,
    to: &[AgentBrief],
    kind: &str,
    actor: &str,
    text: &str,
) -> crate::Result<()> {
    let link = format!("{}/agent/tickets/{}", app.config().base_url, ticket.number);
    let subject_key = format!("mail-alert-{kind}-subject");
    let body_key = format!("mail-alert-{kind}-body");
    for a in to {
        let lang = tessera_domain::Lang::parse(&a.lang).unwrap_or(app.settings().default_lang);
        let mail = letter(
            app,
            ticket,
            Letter {
                to: Mailbox {
                    name: a.display_name.clone(),
                    email: a.email.clone(),
                },
                lang,
                subject_key: &subject_key,
                body_key: &body_key,
                args: vec![
                    ("actor", actor.to_owned()),
                    ("message", quote(text, 2000)),
                    ("requester", ticket.requester.name.clone()),
                    ("department", ticket.department.name.clone()),
                ],
                link: link.clone(),
                link_key: "mail-open-ticket",
                auto: true,
            },
        );
        h.enqueue_mail(&mail).await?;
    }
    Ok(())
}

/// A set-password link for an agent (`kind`: `invite` or `reset`).
pub(crate) fn password_mail(
    app: &Tessera,
    to: &AgentBrief,
    kind: &str,
    link: &str,
) -> NewOutboxMail {
    let lang = tessera_domain::Lang::parse(&to.lang).unwrap_or(app.settings().default_lang);
    let args: [(&'static str, &str); 4] = [
        ("name", &to.display_name),
        ("org", &app.settings().org_name),
        ("link", link),
        ("days", "7"),
    ];
    let domain = app
        .settings()
        .mail_from
        .email
        .rsplit_once('@')
        .map(|(_, d)| d.to_owned())
        .unwrap_or_default();
    let mail = OutgoingMail {
        from: app.settings().mail_from.clone(),
        to: vec![Mailbox {
            name: to.display_name.clone(),
            email: to.email.clone(),
        }],
        subject: t_args(lang, &format!("mail-password-{kind}-subject"), &args),
        text: t_args(lang, &format!("mail-password-{kind}-body"), &args),
        link: Some((t(lang, "mail-password-link"), link.to_owned())),
        message_id: format!("tessera.account.{}@{domain}", token::random_hex(12)),
        references: vec![],
        auto_generated: true,
    };
    NewOutboxMail {
        ticket_id: None,
        message_id: mail.message_id.clone(),
        envelope_from: mail.from.email.clone(),
        recipients: vec![to.email.clone()],
        raw: mail.to_bytes(),
    }
}
