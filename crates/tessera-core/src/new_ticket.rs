//! Opening a ticket, whichever way it comes in — the portal's form, osTicket's API, the REST
//! API, a mail. What a new ticket is and causes is decided here once: its number, its topic's
//! defaults (priority, automatic assignee with its event, service level due date), the
//! created event, the agents' alerts, the requester's confirmation with the access link, the
//! webhook deliveries and the index document. It is composed from memory and written by one
//! store call (`Handle::insert_new_ticket`): in a transaction of its own for the portal and
//! the APIs (`write_new_ticket`), inside the ingest transaction for mail
//! (`insert_new_ticket`).

use std::sync::Arc;

use tessera_domain::{
    AgentId, BodyFormat, ContactId, EmailAddress, EntryKind, Lang, Priority, Problem, TicketEvent,
    TicketId, TicketStatus, Timestamp, TopicFieldId, WebhookEvent,
    model::{Contact, Department, Ticket},
    validate,
};
use tessera_store::{
    AgentBrief, Grant, Handle, NewDelivery, NewOutboxMail, NewTicketEntry, NewTicketFile,
    NewTicketRow, NewTicketWrite, WrittenTicket,
};

use crate::{
    CoreError, NoticeKind, Result, Tessera, Upload, directory::TopicFacts, fields::Answer, notify,
    token,
};

/// Longest subject, in characters.
pub const MAX_SUBJECT: usize = 200;
/// Longest name, in characters.
pub const MAX_NAME: usize = 100;
/// Longest message body, in characters.
pub const MAX_BODY: usize = 50_000;

/// What the portal's "open a new ticket" form carries.
#[derive(Debug)]
pub struct NewTicketInput {
    /// Requester's address.
    pub email: String,
    /// Requester's full name.
    pub name: String,
    /// Chosen topic (as submitted).
    pub help_topic_id: String,
    /// Summary.
    pub subject: String,
    /// Details.
    pub body: String,
    /// Files.
    pub uploads: Vec<Upload>,
    /// The language the requester used.
    pub lang: Lang,
}

/// A ticket just opened.
#[derive(Debug, Clone)]
pub struct Opened {
    /// Key.
    pub ticket_id: TicketId,
    /// Public number.
    pub number: String,
    /// The requester, for the session grant.
    pub grant: Grant,
    /// It waits for the requester to confirm the address (confirm-first mode).
    pub unconfirmed: bool,
}

/// Where a new ticket goes, and whose defaults it takes.
pub(crate) enum Place {
    /// The help topic's department (portal, API).
    Topic(Arc<TopicFacts>),
    /// The department a mail was routed to, with who hears of new tickets there, and the
    /// help topic whose defaults apply, if any.
    Routed {
        department: Department,
        recipients: Vec<AgentBrief>,
        topic: Option<Arc<TopicFacts>>,
    },
}

impl Place {
    fn topic(&self) -> Option<&TopicFacts> {
        match self {
            Place::Topic(t) => Some(t),
            Place::Routed { topic, .. } => topic.as_deref(),
        }
    }

    fn department(&self) -> &Department {
        match self {
            Place::Topic(t) => &t.context.department,
            Place::Routed { department, .. } => department,
        }
    }

    /// Who hears of a new ticket in the department.
    fn recipients(&self) -> &[AgentBrief] {
        match self {
            Place::Topic(t) => &t.recipients,
            Place::Routed { recipients, .. } => recipients,
        }
    }
}

/// A new ticket that passed its checks (or, from mail, was made to fit).
pub(crate) struct CheckedTicket {
    pub email: EmailAddress,
    pub name: String,
    pub place: Place,
    pub subject: String,
    /// The message as text (what the thread shows).
    pub body: String,
    pub answers: Vec<Answer>,
    /// Files not yet moved to permanent storage (`write_new_ticket` moves them).
    pub uploads: Vec<Upload>,
    /// The requester's language.
    pub lang: Lang,
}

/// How a new ticket is written: where it came from, and which mail it causes.
pub(crate) struct WriteOptions<'a> {
    /// `portal`, `api` or `email`.
    pub source: &'a str,
    /// How the first message is written: Markdown only when typed into Tessera's own form,
    /// plain text from a mail or a program.
    pub format: BodyFormat,
    /// A priority over the topic's default.
    pub priority: Option<Priority>,
    /// The message's HTML as sent, when it came as HTML.
    pub original_html: Option<&'a str>,
    /// What the thread folds away of the message (a mail's quoted text).
    pub quoted: Option<&'a str>,
    /// The Message-ID of the mail that opened the ticket (the confirmation answers it).
    pub in_reply_to: Option<&'a str>,
    /// The address the requester wrote from, as the API caller says.
    pub client_ip: Option<&'a str>,
    /// Whether the requester gets the confirmation with the access link.
    pub confirm: bool,
    /// Whether agents are alerted.
    pub alert: bool,
    /// Confirm-first mode: the ticket waits, unconfirmed, for its requester to open the
    /// mailed link (which carries nothing else); agents are alerted then.
    pub unconfirmed: bool,
    /// An agent opens the ticket for its requester (`agent_open.rs`): the agent writes the
    /// first entry and the created event; the confirmation, if any, carries what they wrote.
    pub by_agent: Option<ByAgent<'a>>,
}

/// An agent opening a ticket for its requester.
pub(crate) struct ByAgent<'a> {
    /// Who.
    pub agent: &'a tessera_domain::Agent,
    /// How the first entry is written: a reply the requester reads, or an internal note.
    pub first: EntryKind,
    /// How the request came (`phone`, `walk_in`, `chat`, `other`).
    pub channel: &'a str,
}

impl WriteOptions<'_> {
    /// The portal's: confirmation and alerts, nothing else.
    pub(crate) fn portal() -> Self {
        Self {
            source: "portal",
            format: BodyFormat::Markdown,
            priority: None,
            original_html: None,
            quoted: None,
            in_reply_to: None,
            client_ip: None,
            confirm: true,
            alert: true,
            unconfirmed: false,
            by_agent: None,
        }
    }
}

/// What a new ticket takes from the database besides itself, read before it is composed.
struct NewTicketContext {
    /// The topic's default, or what the caller asked for.
    priority: Priority,
    /// The requester, if known already.
    contact: Option<Contact>,
    /// Webhooks subscribed to `ticket.created`.
    webhooks: Arc<Vec<i64>>,
    /// Alerted agents who turned off mail of a kind (`notice.rs`).
    mail_refused: Vec<(AgentId, NoticeKind)>,
}

/// A new ticket composed from memory under its id and number: what it writes and causes.
struct Composed<'a> {
    c: &'a CheckedTicket,
    o: &'a WriteOptions<'a>,
    files: &'a [NewTicketFile<'a>],
    ticket: Ticket,
    email_key: String,
    minted: Option<token::Minted>,
    mails: Vec<NewOutboxMail>,
    /// The index document and the head's.
    doc: String,
    head: String,
    /// (webhook, delivery id, payload).
    hooks: Vec<(i64, String, String)>,
    /// The automatic assignment's event.
    assigned: Option<String>,
    created: String,
    answers: Vec<(TopicFieldId, &'a str)>,
}

impl Composed<'_> {
    /// The thread: the automatic assignment (nobody's), the created event and the message
    /// (the requester's). The message comes last: the files belong to it.
    fn entries(&self) -> Vec<NewTicketEntry<'_>> {
        let by_agent = self.o.by_agent.as_ref().map(|b| b.agent.id);
        let by_requester = |kind, body| NewTicketEntry {
            kind,
            by_requester: by_agent.is_none(),
            by_agent,
            body,
            body_format: BodyFormat::Markdown,
            original_html: None,
            quoted: None,
        };
        let mut entries = Vec::with_capacity(3);
        if let Some(assigned) = &self.assigned {
            entries.push(NewTicketEntry {
                by_requester: false,
                ..by_requester(EntryKind::Event, assigned.as_str())
            });
        }
        entries.push(by_requester(EntryKind::Event, &self.created));
        let first = self
            .o
            .by_agent
            .as_ref()
            .map_or(EntryKind::Message, |b| b.first);
        // Kept as sent, like a mail's HTML: sanitised whenever it is shown.
        entries.push(NewTicketEntry {
            body_format: self.o.format,
            original_html: self.o.original_html,
            quoted: self.o.quoted,
            ..by_requester(first, &self.c.body)
        });
        entries
    }

    fn deliveries(&self) -> Vec<NewDelivery<'_>> {
        self.hooks
            .iter()
            .map(|(webhook_id, uuid, payload)| NewDelivery {
                webhook_id: *webhook_id,
                uuid,
                event: WebhookEvent::TicketCreated.as_str(),
                ticket_id: Some(self.ticket.id),
                payload,
                now: self.ticket.created_at,
            })
            .collect()
    }

    fn write<'b>(
        &'b self,
        entries: &'b [NewTicketEntry<'b>],
        deliveries: &'b [NewDelivery<'b>],
    ) -> NewTicketWrite<'b> {
        let (c, t) = (self.c, &self.ticket);
        NewTicketWrite {
            email: c.email.as_str(),
            email_key: &self.email_key,
            name: &c.name,
            lang: c.lang,
            ticket: NewTicketRow {
                ticket_id: t.id,
                number: &t.number,
                subject: &c.subject,
                priority: t.priority,
                source: self.o.source,
                help_topic_id: t.help_topic.as_ref().map(|h| h.id),
                department_id: t.department.id,
                assignee_agent_id: t.assignee_agent.as_ref().map(|(a, _)| *a),
                assignee_team_id: t.assignee_team.as_ref().map(|(t, _)| *t),
                due_at: t.due_at,
                client_ip: self.o.client_ip,
                unconfirmed: self.o.unconfirmed,
                answered: self
                    .o
                    .by_agent
                    .as_ref()
                    .is_some_and(|b| b.first == EntryKind::Reply),
                now: t.created_at,
            },
            entries,
            files: self.files,
            answers: &self.answers,
            token: self
                .minted
                .as_ref()
                .map(|m| (m.selector.as_str(), m.verifier_hash.as_str())),
            mails: &self.mails,
            doc: &self.doc,
            head: &self.head,
            deliveries,
        }
    }

    fn opened(&self, written: WrittenTicket) -> Opened {
        Opened {
            ticket_id: self.ticket.id,
            number: self.ticket.number.clone(),
            grant: Grant {
                ticket_id: self.ticket.id,
                contact_id: written.contact,
            },
            unconfirmed: self.o.unconfirmed,
        }
    }
}

impl Tessera {
    /// A help topic, with what a new ticket takes from it, when it exists and `fits`.
    pub(crate) async fn topic_if(
        &self,
        generation: Option<i64>,
        id: tessera_domain::HelpTopicId,
        fits: impl Fn(&tessera_domain::model::HelpTopic) -> bool,
    ) -> Result<Option<Arc<TopicFacts>>> {
        Ok(self
            .topic_facts(generation, id)
            .await?
            .filter(|f| fits(&f.topic)))
    }

    /// Checks a new ticket (requester, subject, message, files and the topic's fields) on
    /// top of what the caller found wrong already (`problem`); every problem is reported at
    /// once.
    pub(crate) async fn check_new_ticket(
        &self,
        mut input: NewTicketInput,
        topic: Option<Arc<TopicFacts>>,
        submitted: &[(String, String)],
        mut problem: Problem,
    ) -> Result<CheckedTicket> {
        let email = EmailAddress::parse(&input.email);
        if input.email.trim().is_empty() {
            problem.add("email", "error-required");
        } else if email.is_none() {
            problem.add("email", "error-email");
        }
        let name = validate::text(&mut problem, "name", &input.name, MAX_NAME);
        let subject = validate::text(&mut problem, "subject", &input.subject, MAX_SUBJECT);
        let body = validate::text(&mut problem, "body", &input.body, MAX_BODY);
        self.check_uploads(&input.uploads, &mut problem);
        let answers = match &topic {
            Some(t) => crate::fields::check_topic_fields(&t.fields, submitted, &mut problem),
            None => Vec::new(),
        };
        let (Some(email), Some(name), Some(topic), Some(subject), Some(body)) =
            (email, name, topic, subject, body)
        else {
            return Err(CoreError::Invalid(problem));
        };
        if problem.is_empty() {
            self.scan_uploads(&mut input.uploads, &mut problem).await;
        }
        problem.into_result()?;
        Ok(CheckedTicket {
            email,
            name,
            place: Place::Topic(topic),
            subject,
            body,
            answers,
            uploads: input.uploads,
            lang: input.lang,
        })
    }

    /// Writes a checked ticket with everything it causes (see the module documentation)
    /// in a transaction of its own. Shared by the portal and the ticket APIs.
    ///
    /// The transaction holds SQLite's one writer, so everything that can be known before it
    /// is: the topic's defaults, the department, the alert recipients and the webhooks are
    /// read first, the ticket's id and number drawn, and the mails, the webhook payloads and
    /// the index document composed from memory; inside remain only the inserts, one per
    /// table. What was read before may be a moment old when the ticket commits — as if the
    /// ticket had been opened a moment earlier.
    pub(crate) async fn write_new_ticket(
        &self,
        mut c: CheckedTicket,
        o: &WriteOptions<'_>,
    ) -> Result<Opened> {
        let stored = self.commit_blobs(std::mem::take(&mut c.uploads)).await?;
        let files: Vec<NewTicketFile<'_>> = stored
            .iter()
            .map(|(key, filename, content_type, size)| NewTicketFile {
                blob_key: key,
                filename,
                content_type,
                size: *size,
                content_id: None,
            })
            .collect();
        let known = {
            let mut conn = self.db().conn().await?;
            self.new_ticket_context(&mut conn.h(), &c, o).await?
        };
        // A reserved id or a drawn number can be taken meanwhile (another process's ticket,
        // a number drawn twice at once); the insert refuses it and the ticket is composed
        // again under fresh ones.
        let mut attempt = 0;
        loop {
            let ticket_id = self.db().reserve_ticket_id().await?;
            let number = if attempt == 0 {
                self.draw_ticket_number(ticket_id)
            } else {
                let mut conn = self.db().conn().await?;
                self.free_ticket_number(&mut conn.h(), ticket_id).await?
            };
            let new = self.compose_new_ticket(
                &c,
                o,
                &known,
                &files,
                (ticket_id, number),
                Timestamp::now(),
            );
            let (entries, deliveries) = (new.entries(), new.deliveries());
            match self
                .db()
                .write_new_ticket(&new.write(&entries, &deliveries))
                .await
            {
                Err(e) if e.is_ticket_key_conflict() && attempt < 5 => {
                    attempt += 1;
                    self.db().ticket_ids_taken();
                }
                Err(e) => return Err(e.into()),
                Ok(written) => {
                    self.opened_new_ticket(&new, deliveries.is_empty());
                    self.changed();
                    let opened = new.opened(written);
                    self.announce(opened.ticket_id, crate::ChangeKind::New);
                    return Ok(opened);
                }
            }
        }
    }

    /// Writes a new ticket with everything it causes in the caller's transaction (email in,
    /// whose transaction also moves the raw message on), opened at `now`. Returns it with
    /// the first message's key. The caller calls `changed` once it has committed.
    pub(crate) async fn insert_new_ticket(
        &self,
        h: &mut Handle<'_>,
        c: &CheckedTicket,
        o: &WriteOptions<'_>,
        files: &[NewTicketFile<'_>],
        now: Timestamp,
    ) -> Result<(Opened, WrittenTicket)> {
        let known = self.new_ticket_context(h, c, o).await?;
        let ticket_id = self.reserve_ticket_id_in(h).await?;
        let number = self.free_ticket_number(h, ticket_id).await?;
        let new = self.compose_new_ticket(c, o, &known, files, (ticket_id, number), now);
        let (entries, deliveries) = (new.entries(), new.deliveries());
        let written = h
            .insert_new_ticket(&new.write(&entries, &deliveries))
            .await?;
        self.opened_new_ticket(&new, deliveries.is_empty());
        Ok((new.opened(written), written))
    }

    /// What a new ticket needs to read besides the directory's facts: the requester's
    /// contact, on `h`.
    async fn new_ticket_context(
        &self,
        h: &mut Handle<'_>,
        c: &CheckedTicket,
        o: &WriteOptions<'_>,
    ) -> Result<NewTicketContext> {
        let topic = c.place.topic();
        let topic_priority = topic
            .and_then(|t| Priority::parse(&t.context.default_priority))
            .unwrap_or(Priority::Normal);
        let contact = h.contact_by_key(&c.email.key()).await?;
        let webhooks = self.created_hooks(topic.map(|t| t.generation)).await?;
        let mail_refused = if o.alert {
            let alerted: Vec<AgentId> = c
                .place
                .recipients()
                .iter()
                .chain(topic.map(|t| t.assignees.as_slice()).unwrap_or_default())
                .map(|a| AgentId(a.agent_id))
                .collect();
            let kinds = [NoticeKind::New, NoticeKind::Assigned, NoticeKind::Team];
            Self::mail_refused(h, &alerted, &kinds).await?
        } else {
            Vec::new()
        };
        Ok(NewTicketContext {
            priority: o.priority.unwrap_or(topic_priority),
            contact,
            webhooks,
            mail_refused,
        })
    }

    /// Composes a new ticket under `id` and number: its row, its thread, its mails, its
    /// webhook payloads and its index documents.
    fn compose_new_ticket<'a>(
        &self,
        c: &'a CheckedTicket,
        o: &'a WriteOptions<'a>,
        k: &NewTicketContext,
        files: &'a [NewTicketFile<'a>],
        (ticket_id, number): (TicketId, String),
        now: Timestamp,
    ) -> Composed<'a> {
        let topic = c.place.topic();
        let context = topic.map(|t| &t.context);
        // An existing contact keeps its name, address and language (`insert_new_ticket`).
        let requester = match &k.contact {
            Some(existing) => existing.clone(),
            None => Contact {
                id: ContactId(0),
                email: c.email.as_str().to_owned(),
                name: c.name.clone(),
                lang: c.lang,
            },
        };
        let agent = context.and_then(|t| t.agent.as_ref());
        let team = context.and_then(|t| t.team.as_ref());
        let ticket = Ticket {
            id: ticket_id,
            number,
            subject: c.subject.clone(),
            status: TicketStatus::Open,
            priority: k.priority,
            help_topic: topic.map(|t| t.topic.clone()),
            department: c.place.department().clone(),
            requester,
            assignee_agent: agent.map(|a| (AgentId(a.agent_id), a.display_name.clone())),
            assignee_team: team.cloned(),
            is_answered: false,
            due_at: context
                .and_then(|t| t.sla.as_ref())
                .map(|plan| crate::sla_due(plan, now)),
            created_at: now,
            updated_at: now,
        };
        let auto_assigned = agent.is_some() || team.is_some();

        let mut mails = Vec::new();
        let minted = o.confirm.then(token::mint);
        if let Some(minted) = &minted {
            // Inline images of a mail are part of its text, not files it sent.
            let received: Vec<notify::ReceivedFile<'_>> = files
                .iter()
                .filter(|f| f.content_id.is_none())
                .map(|f| notify::ReceivedFile {
                    name: f.filename,
                    size: f.size,
                })
                .collect();
            mails.push(match &o.by_agent {
                Some(b) => notify::opened_for_requester(self, &ticket, &minted.token, b, &c.body),
                None => notify::ticket_opened(
                    self,
                    &ticket,
                    &minted.token,
                    o.in_reply_to,
                    o.unconfirmed,
                    &received,
                    o.source == "email",
                ),
            });
        }
        if o.alert {
            let mut agents = c.place.recipients().to_vec();
            // An agent who opens a ticket knows of it.
            if let Some(b) = &o.by_agent {
                agents.retain(|a| a.agent_id != b.agent.id.0);
            }
            if auto_assigned {
                // The assignee hears of it as their ticket, not only as a new one in the
                // department.
                let assignees = topic.map(|t| t.assignees.as_slice()).unwrap_or_default();
                let (by, opener) = match &o.by_agent {
                    Some(b) => (b.agent.display_name.clone(), Some(b.agent.id.0)),
                    None => (self.settings().org_name.clone(), None),
                };
                let kind =
                    NoticeKind::of_alert("assigned", &ticket).unwrap_or(NoticeKind::Assigned);
                let told: Vec<AgentBrief> = assignees
                    .iter()
                    .filter(|a| Some(a.agent_id) != opener)
                    .filter(|a| !k.mail_refused.contains(&(AgentId(a.agent_id), kind)))
                    .cloned()
                    .collect();
                mails.extend(notify::agent_alert_mails(
                    self, &ticket, &told, "assigned", &by, "",
                ));
                agents.retain(|a| !assignees.iter().any(|x| x.agent_id == a.agent_id));
            }
            agents.retain(|a| {
                !k.mail_refused
                    .contains(&(AgentId(a.agent_id), NoticeKind::New))
            });
            let author = match &o.by_agent {
                Some(b) => b.agent.display_name.clone(),
                None => ticket.requester.name.clone(),
            };
            mails.extend(notify::agent_alert_mails(
                self, &ticket, &agents, "new", &author, &c.body,
            ));
        }
        // The documents `reindex_ticket` would read back: number, subject, requester, the
        // message, file names and answers.
        let head_text = format!(
            "{} {} {} {}",
            ticket.number, ticket.subject, ticket.requester.name, ticket.requester.email
        );
        let mut head = tessera_domain::IndexText::default();
        head.add(&head_text);
        let mut doc = tessera_domain::IndexText::default();
        doc.add(&head_text);
        doc.add(&c.body);
        for f in files {
            doc.add(f.filename);
        }
        for a in &c.answers {
            doc.add(&a.value);
        }
        let hooks = if k.webhooks.is_empty() {
            Vec::new()
        } else {
            let entry = tessera_store::WebhookEntry {
                kind: o
                    .by_agent
                    .as_ref()
                    .map_or(EntryKind::Message, |b| b.first)
                    .as_str()
                    .to_owned(),
                author: Some(match &o.by_agent {
                    Some(b) => b.agent.display_name.clone(),
                    None => ticket.requester.name.clone(),
                }),
                by_agent: o.by_agent.is_some(),
                body: c.body.clone(),
                created_at: now.0,
            };
            k.webhooks
                .iter()
                .map(|w| {
                    let (id, payload) = self.webhook_payload(
                        WebhookEvent::TicketCreated,
                        &ticket,
                        Some(&entry),
                        None,
                        now,
                    );
                    (*w, id, payload)
                })
                .collect()
        };
        let assigned = auto_assigned.then(|| {
            TicketEvent::Assigned {
                agent: agent.map(|a| a.display_name.clone()),
                team: team.map(|(_, n)| n.clone()),
            }
            .encode()
        });
        let created = match &o.by_agent {
            Some(b) => TicketEvent::OpenedFor {
                requester: format!("{} <{}>", ticket.requester.name, ticket.requester.email),
                source: b.channel.into(),
            },
            None => TicketEvent::Created {
                source: o.source.into(),
            },
        }
        .encode();
        Composed {
            c,
            o,
            files,
            email_key: c.email.key(),
            minted,
            mails,
            doc: doc.finish(),
            head: head.finish(),
            hooks,
            assigned,
            created,
            answers: c
                .answers
                .iter()
                .map(|a| (a.field, a.value.as_str()))
                .collect(),
            ticket,
        }
    }

    /// What follows a new ticket's write, wherever it was written.
    fn opened_new_ticket(&self, new: &Composed<'_>, no_deliveries: bool) {
        if !no_deliveries {
            self.webhooks_queued();
        }
        tracing::info!(ticket = %new.ticket.number, source = new.o.source, "ticket opened");
    }

    /// A ticket id for a ticket written in the caller's transaction: reserved as for every
    /// new ticket (`Db::reserve_ticket_id`), and checked there, so that an id another
    /// process wrote meanwhile is never tried. The transaction holds the write lock on
    /// SQLite, so what it finds free stays free.
    async fn reserve_ticket_id_in(&self, h: &mut Handle<'_>) -> Result<TicketId> {
        // Each try counts on past the last (`TicketIds::seed`).
        for _ in 0..100 {
            let id = self.db().reserve_ticket_id().await?;
            if !h.ticket_id_taken(id).await? {
                return Ok(id);
            }
            self.db().ticket_ids_taken();
        }
        Err(CoreError::Config("no free ticket id".into()))
    }

    /// A fresh ticket number, for the ticket that will have `id`: ids are counted up, so
    /// the id says how many tickets there have been and thus how many digits the pattern
    /// needs (`NumberFormat::generate_for`). Not looked up: the insert's constraint refuses
    /// a taken one (then `free_ticket_number`).
    fn draw_ticket_number(&self, id: TicketId) -> String {
        let tickets = u64::try_from(id.0).unwrap_or(0);
        self.settings()
            .number_format
            .generate_for(tickets, || token::random_bytes(1)[0])
    }

    /// A ticket number like `draw_ticket_number`'s that `h` finds free.
    async fn free_ticket_number(&self, h: &mut Handle<'_>, id: TicketId) -> Result<String> {
        for _ in 0..50 {
            let number = self.draw_ticket_number(id);
            if !h.ticket_number_taken(&number).await? {
                return Ok(number);
            }
        }
        Err(CoreError::Config("ticket number format exhausted".into()))
    }
}
