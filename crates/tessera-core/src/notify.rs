//! Which mail goes to whom, in the recipient's language, queued through the outbox.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tessera_domain::{
    Agent, AgentId, ContactId, TicketId,
    model::{Contact, Ticket},
};
use tessera_i18n::{t, t_args};
use tessera_mail::{Mailbox, OutgoingMail};
use tessera_store::{AgentBrief, Handle, MailKind, NewOutboxMail};

use crate::{Tessera, token};

/// The signature of a Message-ID: the first 8 bytes of HMAC-SHA256 over "{ticket}:{nonce}".
fn ref_mac(secret: &[u8], ticket: i64, nonce: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(format!("{ticket}:{nonce}").as_bytes());
    mac
}

/// A Message-ID that names its ticket and carries an HMAC, so that a reply's `In-Reply-To`
/// can later be matched to the ticket without trusting anything else in the message.
pub(crate) fn message_id(app: &Tessera, ticket: &Ticket) -> String {
    let nonce = token::random_hex(8);
    let mac = ref_mac(&app.inner.secret, ticket.id.0, &nonce);
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

/// The ticket a Message-ID made by `message_id` names, if its signature holds under
/// `secret` (compared in constant time). The domain is not checked: the sender address may
/// have changed since the mail went out, and the signature is what cannot be forged.
pub(crate) fn verify_message_ref(secret: &[u8], id: &str) -> Option<TicketId> {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    let (local, _domain) = id.rsplit_once('@')?;
    let mut it = local.split('.');
    let (Some("tessera"), Some(ticket), Some(nonce), Some(sig), None) =
        (it.next(), it.next(), it.next(), it.next(), it.next())
    else {
        return None;
    };
    let ticket: i64 = ticket.parse().ok().filter(|t| *t > 0)?;
    if nonce.len() != 16 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) || sig.len() != 16 {
        return None;
    }
    let sig = hex::decode(sig).ok()?;
    ref_mac(secret, ticket, nonce)
        .verify_truncated_left(&sig)
        .ok()
        .map(|_| TicketId(ticket))
}

impl Tessera {
    /// The ticket a Message-ID of ours names, if it is ours and untampered.
    pub(crate) fn verify_message_ref(&self, id: &str) -> Option<TicketId> {
        verify_message_ref(&self.inner.secret, id)
    }
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
        kind: MailKind::Other,
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

/// "We have received your request" with the access link, to the requester; `answers` is the
/// Message-ID of the mail that opened the ticket, if it came by mail.
///
/// The address is not verified yet: whoever typed it may not own it. So the mail repeats
/// nothing the sender wrote but the subject — no name (not even in `To:`), no message, no
/// answers — and in "confirm first" mode (`confirm_first`) not even the subject: only the
/// link. The form cannot relay text under the organisation's name.
pub(crate) fn ticket_opened(
    app: &Tessera,
    ticket: &Ticket,
    token: &str,
    answers: Option<&str>,
    confirm_first: bool,
) -> NewOutboxMail {
    let (subject_key, body_key) = if confirm_first {
        ("intake-mail-confirm-subject", "intake-mail-confirm-body")
    } else {
        ("mail-opened-subject", "intake-mail-received-body")
    };
    let mut mail = letter(
        app,
        ticket,
        Letter {
            to: Mailbox {
                name: String::new(),
                email: ticket.requester.email.clone(),
            },
            lang: ticket.requester.lang,
            subject_key,
            body_key,
            args: vec![],
            link: format!("{}/access/{token}", app.config().base_url),
            link_key: if confirm_first {
                "intake-mail-confirm-link"
            } else {
                "mail-view-ticket"
            },
            auto: true,
            references: answers.map(|a| vec![a.to_owned()]).unwrap_or_default(),
        },
    );
    mail.kind = MailKind::Confirmation;
    mail
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
            references: vec![],
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
    /// Message-IDs it answers (so that mail clients thread it under them).
    references: Vec<String>,
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
        references: l.references,
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
        let mut mail = letter(
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
                references: vec![],
            },
        );
        mail.kind = MailKind::Reply;
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
                references: vec![],
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
            references: vec![],
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
    // Each agent's choice for this kind of alert (`notice.rs`), read for all at once.
    let to = Tessera::wants_mail(h, ticket, kind, to.to_vec()).await?;
    for mail in agent_alert_mails(app, ticket, &to, kind, actor, text) {
        h.enqueue_mail(&mail).await?;
    }
    Ok(())
}

/// The mails of `agent_alert`, composed without a database (for a new ticket, before its
/// transaction).
pub(crate) fn agent_alert_mails(
    app: &Tessera,
    ticket: &Ticket,
    to: &[AgentBrief],
    kind: &str,
    actor: &str,
    text: &str,
) -> Vec<NewOutboxMail> {
    let link = format!("{}/agent/tickets/{}", app.config().base_url, ticket.number);
    let subject_key = format!("mail-alert-{kind}-subject");
    let body_key = format!("mail-alert-{kind}-body");
    let message = quote(text, 2000);
    to.iter()
        .map(|a| {
            let lang = tessera_domain::Lang::parse(&a.lang).unwrap_or(app.settings().default_lang);
            let mut mail = letter(
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
                        ("message", message.clone()),
                        ("requester", ticket.requester.name.clone()),
                        ("department", ticket.department.name.clone()),
                    ],
                    link: link.clone(),
                    link_key: "mail-open-ticket",
                    auto: true,
                    references: vec![],
                },
            );
            mail.kind = MailKind::Alert;
            mail
        })
        .collect()
}

/// A set-password link for an agent (`kind`: `invite` or `reset`).
pub(crate) fn password_mail(
    app: &Tessera,
    to: &AgentBrief,
    kind: &str,
    link: &str,
) -> NewOutboxMail {
    let args: [(&'static str, &str); 4] = [
        ("name", &to.display_name),
        ("org", &app.settings().org_name),
        ("link", link),
        ("days", "7"),
    ];
    agent_mail(
        app,
        to,
        AgentLetter {
            key: &format!("mail-password-{kind}"),
            args: &args,
            link: Some(("mail-password-link", link)),
            ticket: None,
            tag: "account",
            kind: MailKind::Other,
        },
    )
}

/// What `agent_mail` writes to one agent.
pub(crate) struct AgentLetter<'a> {
    /// Translation keys `{key}-subject` and `{key}-body`.
    pub key: &'a str,
    /// Their arguments.
    pub args: &'a [(&'static str, &'a str)],
    /// A button: its label's key and its URL.
    pub link: Option<(&'a str, &'a str)>,
    /// The ticket it is about (it threads with the ticket's mail), if any.
    pub ticket: Option<&'a Ticket>,
    /// Names a ticket-less mail's Message-ID (`tessera.{tag}.…`).
    pub tag: &'a str,
    /// What the outbox treats it as.
    pub kind: MailKind,
}

/// A mail to one agent in the agent's language, from the installation's sender.
pub(crate) fn agent_mail(app: &Tessera, to: &AgentBrief, l: AgentLetter<'_>) -> NewOutboxMail {
    let settings = app.settings();
    let lang = tessera_domain::Lang::parse(&to.lang).unwrap_or(settings.default_lang);
    let message_id = match l.ticket {
        Some(t) => message_id(app, t),
        None => {
            let domain = settings
                .mail_from
                .email
                .rsplit_once('@')
                .map(|(_, d)| d.to_owned())
                .unwrap_or_else(|| "tessera.invalid".into());
            format!("tessera.{}.{}@{domain}", l.tag, token::random_hex(12))
        }
    };
    let mail = OutgoingMail {
        from: settings.mail_from.clone(),
        to: vec![Mailbox {
            name: to.display_name.clone(),
            email: to.email.clone(),
        }],
        subject: t_args(lang, &format!("{}-subject", l.key), l.args),
        text: t_args(lang, &format!("{}-body", l.key), l.args),
        link: l.link.map(|(label, url)| (t(lang, label), url.to_owned())),
        message_id,
        references: vec![],
        auto_generated: true,
    };
    NewOutboxMail {
        kind: l.kind,
        ticket_id: l.ticket.map(|t| t.id),
        message_id: mail.message_id.clone(),
        envelope_from: mail.from.email.clone(),
        recipients: vec![to.email.clone()],
        raw: mail.to_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(secret: &[u8], ticket: i64, nonce: &str) -> String {
        let sig = hex::encode(&ref_mac(secret, ticket, nonce).finalize().into_bytes()[..8]);
        format!("tessera.{ticket}.{nonce}.{sig}@tessera.test")
    }

    #[test]
    fn verifies_message_refs() {
        let secret = b"an installation secret";
        let good = signed(secret, 42, "00112233aabbccdd");
        let check = |id: &str, expected: Option<i64>| {
            assert_eq!(
                verify_message_ref(secret, id),
                expected.map(TicketId),
                "{id}"
            );
        };
        check(&good, Some(42));
        check(&format!("<{good}>"), Some(42));
        check(&good.replace("@tessera.test", "@other.example"), Some(42));
        // Another ticket number under the same signature.
        check(&good.replacen("tessera.42.", "tessera.43.", 1), None);
        // A tampered signature.
        let sig_at = good.find('@').unwrap() - 1;
        let mut tampered = good.clone().into_bytes();
        tampered[sig_at] = if tampered[sig_at] == b'0' { b'1' } else { b'0' };
        check(std::str::from_utf8(&tampered).unwrap(), None);
        // Signed with another installation's secret.
        check(&signed(b"another secret", 42, "00112233aabbccdd"), None);
        // Not ours at all, or malformed.
        check("CAJx1234@mail.gmail.com", None);
        check("tessera.42.00112233aabbccdd@tessera.test", None);
        check("tessera.x.00112233aabbccdd.0011223344556677@t", None);
        check("tessera.42.0011.0011223344556677@t", None);
        check("tessera.42.00112233aabbccdd.zz112233445566@t", None);
    }
}
