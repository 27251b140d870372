//! Which mail goes to whom, in the recipient's language, queued through the outbox.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tessera_domain::{
    Agent, AgentId, ContactId, Lang, TicketId, TicketStatus, Timestamp,
    model::{Contact, Ticket},
};
use tessera_i18n::{t, t_args};
use tessera_mail::{BULLET, Mailbox, OutgoingMail};
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

/// A file that came with a new ticket, for the receipt: its name and size in bytes.
pub(crate) struct ReceivedFile<'a> {
    /// The cleaned file name.
    pub name: &'a str,
    /// Bytes.
    pub size: i64,
}

/// "We have received your request" with the access link, to the requester; `answers` is the
/// Message-ID of the mail that opened the ticket, if it came by mail.
///
/// The address is not verified yet: whoever typed it may not own it. So the mail repeats
/// nothing the sender wrote but the subject and the names of the files received — no name
/// (not even in `To:`), no message, no answers — and in "confirm first" mode
/// (`confirm_first`) not even those: only the link. The form cannot relay text under the
/// organisation's name. "Just reply to this mail" is said only when mail comes in
/// (`Settings::mail_in`, or the ticket came by mail: `came_by_mail`).
pub(crate) fn ticket_opened(
    app: &Tessera,
    ticket: &Ticket,
    token: &str,
    answers: Option<&str>,
    confirm_first: bool,
    files: &[ReceivedFile<'_>],
    came_by_mail: bool,
) -> NewOutboxMail {
    let lang = ticket.requester.lang;
    let (subject_key, body_key, extra) = if confirm_first {
        (
            "intake-mail-confirm-subject",
            "intake-mail-confirm-body",
            Vec::new(),
        )
    } else {
        (
            "mail-opened-subject",
            "intake-mail-received-body",
            receipt_tail(
                lang,
                &app.settings().org_name,
                files,
                came_by_mail || app.settings().mail_in,
            ),
        )
    };
    let mut mail = letter(
        app,
        ticket,
        Letter {
            to: Mailbox {
                name: String::new(),
                email: ticket.requester.email.clone(),
            },
            lang,
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
            extra,
        },
    );
    mail.kind = MailKind::Confirmation;
    mail
}

/// The receipt's paragraphs after its link: the files received, "just reply" when mail
/// comes in, "not you? ignore it", the signature.
pub(crate) fn receipt_tail(
    lang: Lang,
    org: &str,
    files: &[ReceivedFile<'_>],
    mail_in: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    if !files.is_empty() {
        let mut list = t(lang, "notice-receipt-files");
        for f in files {
            list.push_str(&format!(
                "\n{BULLET}{} ({})",
                f.name,
                tessera_i18n::bytes(lang, f.size)
            ));
        }
        out.push(list);
    }
    if mail_in {
        out.push(t(lang, "notice-receipt-reply"));
    }
    out.push(t(lang, "notice-receipt-ignore"));
    out.push(t_args(lang, "notice-signature", &[("org", org)]));
    out
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
            extra: vec![],
        },
    )
}

/// A ticket an agent opened for its requester (`agent_open.rs`), with the access link: the
/// agent's first reply, or — when they wrote a note — only that the ticket exists. The agent
/// typed the address, so unlike `ticket_opened` the mail may carry what the agent wrote.
pub(crate) fn opened_for_requester(
    app: &Tessera,
    ticket: &Ticket,
    token: &str,
    by: &crate::new_ticket::ByAgent<'_>,
    body: &str,
) -> NewOutboxMail {
    let reply = by.first == tessera_domain::EntryKind::Reply;
    let mut mail = letter(
        app,
        ticket,
        Letter {
            to: Mailbox {
                name: ticket.requester.name.clone(),
                email: ticket.requester.email.clone(),
            },
            lang: ticket.requester.lang,
            subject_key: "mail-ticket-subject",
            body_key: if reply {
                "compose-mail-opened-reply-body"
            } else {
                "compose-mail-opened-body"
            },
            args: vec![
                ("agent", by.agent.display_name.clone()),
                (
                    "message",
                    if reply {
                        body.to_owned()
                    } else {
                        String::new()
                    },
                ),
            ],
            link: format!("{}/access/{token}", app.config().base_url),
            link_key: "mail-view-ticket",
            auto: false,
            references: vec![],
            extra: vec![],
        },
    );
    mail.kind = MailKind::Confirmation;
    mail
}

/// One copy of an agent's reply for addresses given for that reply only (`work.rs`,
/// `Copies`): `To:` names the requester and `Cc:` the cc addresses, as the people copied
/// expect, but the envelope goes to the cc and bcc addresses only — the requester and the
/// collaborators get their own mail, with their own access link, which this copy never
/// carries (whoever is copied gets no access to the ticket).
pub(crate) fn reply_copy(
    app: &Tessera,
    ticket: &Ticket,
    agent: &Agent,
    message: &str,
    cc: &[String],
    bcc: &[String],
) -> NewOutboxMail {
    let lang = ticket.requester.lang;
    let org = app.settings().org_name.clone();
    let args = [
        ("agent", agent.display_name.as_str()),
        ("message", message),
        ("number", ticket.number.as_str()),
        ("subject", ticket.subject.as_str()),
        ("requester", ticket.requester.name.as_str()),
        ("org", org.as_str()),
    ];
    let mail = OutgoingMail {
        from: sender(app, ticket),
        to: vec![Mailbox {
            name: ticket.requester.name.clone(),
            email: ticket.requester.email.clone(),
        }],
        subject: t_args(lang, "mail-ticket-subject", &args),
        text: t_args(lang, "compose-mail-copy-body", &args),
        link: None,
        message_id: message_id(app, ticket),
        references: vec![],
        auto_generated: false,
        lang: lang.as_str().to_owned(),
    };
    let mut out = to_outbox(ticket, mail);
    if !cc.is_empty() {
        // The addresses are checked (`EmailAddress`): no line breaks, few enough for a line.
        let mut raw = format!("Cc: {}\r\n", cc.join(", ")).into_bytes();
        raw.extend_from_slice(&out.raw);
        out.raw = raw;
    }
    out.recipients = cc.iter().chain(bcc).cloned().collect();
    out.kind = MailKind::Reply;
    out
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
    /// Paragraphs after the body's text.
    extra: Vec<String>,
}

fn letter(app: &Tessera, ticket: &Ticket, l: Letter<'_>) -> NewOutboxMail {
    let mut args = l.args;
    args.push(("number", ticket.number.clone()));
    args.push(("subject", ticket.subject.clone()));
    args.push(("link", l.link.clone()));
    args.push(("org", app.settings().org_name.clone()));
    args.push(("name", l.to.name.clone()));
    let refs: Vec<(&'static str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut text = t_args(l.lang, l.body_key, &refs);
    for p in &l.extra {
        text.push_str("\n\n");
        text.push_str(p);
    }
    let mail = OutgoingMail {
        from: sender(app, ticket),
        to: vec![l.to],
        subject: t_args(l.lang, l.subject_key, &refs),
        text,
        link: Some((t(l.lang, l.link_key), l.link)),
        message_id: message_id(app, ticket),
        references: l.references,
        auto_generated: l.auto,
        lang: l.lang.as_str().to_owned(),
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

/// How a participant stands to a ticket, which words their mail takes: "your ticket" is
/// the requester's; a collaborator reads of "a ticket you are copied on".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Who opened it (or for whom it was opened).
    Requester,
    /// Someone added to it.
    Collaborator,
}

impl Role {
    /// The body of a reply mail to this role.
    pub(crate) fn reply_key(self) -> &'static str {
        match self {
            Role::Requester => "mail-reply-body",
            Role::Collaborator => "notice-reply-collaborator-body",
        }
    }

    /// The body of a notice to this role.
    pub(crate) fn notice_key(self) -> &'static str {
        match self {
            Role::Requester => "notice-body-requester",
            Role::Collaborator => "notice-body-collaborator",
        }
    }
}

/// What a notice to participants tells: who now takes care of the ticket and how its
/// status moved. What an experienced helpdesk tells a requester at all: that a person is
/// on it, and that it is resolved, closed or open again — not internal shuffles (teams,
/// departments, priorities, due dates, an agent giving it back).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Changes {
    /// The agent who now takes care of it.
    pub agent: Option<String>,
    /// The status before the first change and after the last.
    pub status: Option<(TicketStatus, TicketStatus)>,
}

impl Changes {
    /// A status change.
    pub(crate) fn status(from: TicketStatus, to: TicketStatus) -> Self {
        Changes {
            agent: None,
            status: Some((from, to)),
        }
    }

    /// An agent now takes care of it.
    pub(crate) fn agent(name: &str) -> Self {
        Changes {
            agent: Some(name.to_owned()),
            status: None,
        }
    }

    /// These changes followed by `later`: the latest agent, the status from the first
    /// `from` to the last `to`.
    pub(crate) fn then(self, later: Changes) -> Changes {
        Changes {
            agent: later.agent.or(self.agent),
            status: match (self.status, later.status) {
                (Some((from, _)), Some((_, to))) => Some((from, to)),
                (s, None) | (None, s) => s,
            },
        }
    }

    /// Whether nothing is left to tell (a status back where it started counts as none).
    pub(crate) fn is_empty(&self) -> bool {
        self.agent.is_none() && self.status.is_none_or(|(from, to)| from == to)
    }

    /// One line per change, in `lang`, each starting with the list bullet.
    pub(crate) fn lines(&self, lang: Lang) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(a) = &self.agent {
            out.push(t_args(lang, "notice-change-agent", &[("agent", a)]));
        }
        match self.status {
            Some((from, to)) if from != to => out.push(t(
                lang,
                match to {
                    TicketStatus::Resolved => "notice-change-resolved",
                    TicketStatus::Closed => "notice-change-closed",
                    TicketStatus::Open => "notice-change-reopened",
                },
            )),
            _ => {}
        }
        out.into_iter().map(|l| format!("{BULLET}{l}")).collect()
    }

    /// As stored with a waiting notice (`outbox_mail.merge_state`): one line per change,
    /// `agent\t{name}`, `status\t{from}\t{to}`.
    pub(crate) fn encode(&self) -> String {
        let mut out = Vec::new();
        if let Some(a) = &self.agent {
            out.push(format!("agent\t{}", a.replace(['\t', '\n', '\r'], " ")));
        }
        if let Some((from, to)) = self.status {
            out.push(format!("status\t{}\t{}", from.as_str(), to.as_str()));
        }
        out.join("\n")
    }

    /// What `encode` stored; what does not read is left out.
    pub(crate) fn decode(s: &str) -> Changes {
        let mut c = Changes::default();
        for line in s.lines() {
            let parts: Vec<&str> = line.split('\t').collect();
            match parts.as_slice() {
                ["agent", name] => c.agent = Some((*name).to_owned()),
                ["status", from, to] => {
                    if let (Some(f), Some(t)) = (TicketStatus::parse(from), TicketStatus::parse(to))
                    {
                        c.status = Some((f, t));
                    }
                }
                _ => {}
            }
        }
        c
    }
}

/// The requester and the collaborators of a ticket, each with their role.
async fn participants(h: &mut Handle<'_>, ticket: &Ticket) -> crate::Result<Vec<(Contact, Role)>> {
    let mut all = vec![(ticket.requester.clone(), Role::Requester)];
    all.extend(
        h.collaborators(ticket.id)
            .await?
            .into_iter()
            .map(|c| (c, Role::Collaborator)),
    );
    Ok(all)
}

/// Names the waiting notice to one participant of a ticket.
fn notice_key(ticket: &Ticket, to: &Contact) -> String {
    format!("{}:{}:notice", ticket.id, to.email.to_lowercase())
}

/// An agent's reply, to the requester and every collaborator, each with their own link
/// and worded for their role. `changes` are what the same step changed (a status); a
/// notice still waiting for a participant is taken into their reply, so that they get
/// one mail that says both, and the reply is never delayed.
pub(crate) async fn reply_to_participants(
    app: &Tessera,
    h: &mut Handle<'_>,
    ticket: &Ticket,
    agent: &Agent,
    body: &str,
    attachments: &[String],
    changes: Changes,
) -> crate::Result<()> {
    let now = Timestamp::now();
    for (p, role) in participants(h, ticket).await? {
        let mut told = Changes::default();
        if let Some((id, state)) = h.take_notice(&notice_key(ticket, &p), now).await? {
            told = Changes::decode(&state);
            h.drop_notice(id).await?;
        }
        let told = told.then(changes.clone());
        let lines = told.lines(p.lang);
        let also = if lines.is_empty() {
            String::new()
        } else {
            format!("{}\n{}\n\n", t(p.lang, "notice-also"), lines.join("\n"))
        };
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
                body_key: role.reply_key(),
                args: vec![
                    ("agent", agent.display_name.clone()),
                    ("message", format!("{body}{files}")),
                    ("requester", ticket.requester.name.clone()),
                    ("changes", also),
                ],
                link,
                link_key: "mail-view-ticket",
                auto: false,
                references: vec![],
                extra: vec![],
            },
        );
        mail.kind = MailKind::Reply;
        h.enqueue_mail(&mail).await?;
    }
    Ok(())
}

/// Tells the requester and the collaborators of changes an agent made (`Changes` says
/// which are worth telling), after `notice_merge_secs`: a change within that time updates
/// the notice still waiting — in this transaction, so it holds across crashes and nodes —
/// instead of queueing another, and one that undoes the others removes it.
pub(crate) async fn notice_to_participants(
    app: &Tessera,
    h: &mut Handle<'_>,
    ticket: &Ticket,
    changes: Changes,
) -> crate::Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    revise_notices(app, h, ticket, |waiting| {
        waiting.unwrap_or_default().then(changes.clone())
    })
    .await
}

/// No agent takes care of the ticket any more (given back, or to a team): a notice still
/// waiting no longer says one does, and goes only if something else is left to tell.
pub(crate) async fn agent_withdrawn(
    app: &Tessera,
    h: &mut Handle<'_>,
    ticket: &Ticket,
) -> crate::Result<()> {
    revise_notices(app, h, ticket, |waiting| Changes {
        agent: None,
        ..waiting.unwrap_or_default()
    })
    .await
}

/// Sets each participant's notice to what `revise` makes of the one waiting (`None`: none
/// waits): updated in place, queued anew, or removed when it has nothing left to tell.
async fn revise_notices(
    app: &Tessera,
    h: &mut Handle<'_>,
    ticket: &Ticket,
    revise: impl Fn(Option<Changes>) -> Changes,
) -> crate::Result<()> {
    let now = Timestamp::now();
    let not_before = now.plus_secs(app.config().notice_merge_secs);
    for (p, role) in participants(h, ticket).await? {
        let key = notice_key(ticket, &p);
        let waiting = h.take_notice(&key, now).await?;
        let all = revise(waiting.as_ref().map(|(_, state)| Changes::decode(state)));
        if all.is_empty() {
            if let Some((id, _)) = waiting {
                h.drop_notice(id).await?;
            }
            continue;
        }
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
                body_key: role.notice_key(),
                args: vec![
                    ("changes", all.lines(p.lang).join("\n")),
                    ("requester", ticket.requester.name.clone()),
                ],
                link,
                link_key: "mail-view-ticket",
                auto: true,
                references: vec![],
                extra: vec![],
            },
        );
        match waiting {
            Some((id, _)) => h.update_notice(id, &mail, &all.encode()).await?,
            None => {
                h.enqueue_notice(&mail, not_before, (&key, &all.encode()))
                    .await?
            }
        }
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
            extra: vec![],
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

/// Which alert an assignment is to its recipients: `assigned` (to them personally) or
/// `assigned-team` (to a team of theirs, with no agent: it must not say "assigned to you").
fn assignment_kind(ticket: &Ticket) -> &'static str {
    match (&ticket.assignee_agent, &ticket.assignee_team) {
        (None, Some(_)) => "assigned-team",
        _ => "assigned",
    }
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
    let kind = if kind == "assigned" {
        assignment_kind(ticket)
    } else {
        kind
    };
    let link = format!("{}/agent/tickets/{}", app.config().base_url, ticket.number);
    let subject_key = format!("mail-alert-{kind}-subject");
    let body_key = format!("mail-alert-{kind}-body");
    let message = quote(text, 2000);
    let team = ticket
        .assignee_team
        .as_ref()
        .map(|(_, name)| name.clone())
        .unwrap_or_default();
    // Each agent's choice of channel was applied by the caller (`agent_alert` asks
    // `wants_mail`; a new ticket's alerts are filtered before its transaction).
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
                        ("team", team.clone()),
                    ],
                    link: link.clone(),
                    link_key: "mail-open-ticket",
                    auto: true,
                    references: vec![],
                    extra: vec![],
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
        lang: lang.as_str().to_owned(),
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

    use TicketStatus::{Closed, Open, Resolved};

    #[test]
    fn changes_merge_to_the_latest_agent_and_the_whole_status_move() {
        let claim = Changes::agent("Nadine S.");
        let assign = Changes::agent("Moritz K.");
        let close = Changes::status(Open, Closed);
        let all = claim.then(assign).then(close.clone());
        assert_eq!(all.agent.as_deref(), Some("Moritz K."));
        assert_eq!(all.status, Some((Open, Closed)));
        // Resolved, then closed: from open to closed.
        let two = Changes::status(Open, Resolved).then(Changes::status(Resolved, Closed));
        assert_eq!(two.status, Some((Open, Closed)));
        // Closed and reopened again within the window: nothing left to tell.
        let undone = close.then(Changes::status(Closed, Open));
        assert!(undone.is_empty(), "{undone:?}");
        assert!(Changes::default().is_empty());
        assert!(!Changes::agent("A").then(undone).is_empty());
    }

    #[test]
    fn changes_are_stored_and_read_back() {
        for c in [
            Changes::default(),
            Changes::agent("Nadine S."),
            Changes::status(Resolved, Open),
            Changes::agent("Max\tMüller").then(Changes::status(Open, Closed)),
        ] {
            let back = Changes::decode(&c.encode());
            assert_eq!(
                back.agent,
                c.agent.as_ref().map(|a| a.replace('\t', " ")),
                "{c:?}"
            );
            assert_eq!(back.status, c.status);
        }
        assert_eq!(
            Changes::decode("status\tbogus\topen\nother"),
            Changes::default()
        );
    }

    /// Each change in words, in both languages; a name ending in "." ends its sentence
    /// with one period (issue 23's "Nadine S..").
    #[test]
    fn changes_read_in_each_language() {
        let c = Changes::agent("Nadine S.").then(Changes::status(Open, Resolved));
        assert_eq!(
            c.lines(Lang::De),
            [
                "• Nadine S. kümmert sich jetzt darum.",
                "• Das Ticket ist jetzt als erledigt markiert. Falls noch etwas fehlt, antworten Sie einfach über den Link unten."
            ]
        );
        let en = Changes::status(Resolved, Open).lines(Lang::En);
        assert_eq!(en, ["• The ticket has been reopened."]);
        assert_eq!(
            Changes::status(Open, Closed).lines(Lang::De),
            ["• Das Ticket ist jetzt geschlossen."]
        );
        assert_eq!(
            Changes::agent("Nadine S.").lines(Lang::En),
            ["• Nadine S. is now taking care of it."]
        );
        assert!(Changes::status(Open, Open).lines(Lang::De).is_empty());
    }

    #[test]
    fn each_role_has_its_words() {
        for lang in [Lang::De, Lang::En] {
            let args = [
                ("name", "Moritz"),
                ("number", "123"),
                ("subject", "Flyer"),
                ("requester", "Max M."),
                ("changes", "• x"),
                ("link", "http://x"),
                ("org", "DRK e.V."),
                ("agent", "Nadine S."),
                ("message", "Hallo"),
            ];
            let requester = t_args(lang, Role::Requester.notice_key(), &args);
            let collaborator = t_args(lang, Role::Collaborator.notice_key(), &args);
            let (yours, copied) = match lang {
                Lang::De => ("Ihrem Ticket", "an dem Sie beteiligt sind"),
                Lang::En => ("your ticket", "you are copied on"),
            };
            assert!(requester.contains(yours), "{requester}");
            assert!(!requester.contains(copied), "{requester}");
            assert!(collaborator.contains(copied), "{collaborator}");
            assert!(!collaborator.contains(yours), "{collaborator}");
            assert!(
                collaborator.contains("Max M.\n") || collaborator.contains("Max M.\r"),
                "{collaborator}"
            );
            let reply = t_args(lang, Role::Collaborator.reply_key(), &args);
            assert!(reply.contains(copied) && !reply.contains(".."), "{reply}");
            let reply = t_args(lang, Role::Requester.reply_key(), &args);
            let ihr = match lang {
                Lang::De => "auf Ihr Ticket",
                Lang::En => "your ticket",
            };
            assert!(reply.contains(ihr) && !reply.contains(".."), "{reply}");
        }
    }

    #[test]
    fn the_receipt_lists_files_and_offers_replying_only_when_mail_comes_in() {
        let files = [
            ReceivedFile {
                name: "plan.pdf",
                size: 1_258_291,
            },
            ReceivedFile {
                name: "foto.jpg",
                size: 3000,
            },
        ];
        let with = receipt_tail(Lang::De, "DRK e.V.", &files, true).join("\n\n");
        assert_eq!(
            with,
            "Diese Anhänge haben wir erhalten:\n• plan.pdf (1,2 MB)\n• foto.jpg (2,9 KB)\n\n\
             Sie können auch einfach auf diese E-Mail antworten.\n\n\
             Wenn Sie diese Anfrage nicht gesendet haben, können Sie diese Nachricht ignorieren.\n\n\
             Ihr Team von DRK e.V."
        );
        let without = receipt_tail(Lang::En, "DRK", &[], false).join("\n\n");
        assert!(!without.contains("reply to this email"), "{without}");
        assert!(!without.contains("attachments"), "{without}");
        assert!(without.ends_with("Your team at DRK"));
    }
}
