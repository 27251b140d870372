//! The requester's side: opening a ticket, following it and answering.

use std::sync::Arc;

use tessera_domain::{
    BodyFormat, ContactId, DepartmentId, EmailAddress, EntryKind, HelpTopicId, Lang, Priority,
    Problem, ThreadEntryId, TicketEvent, TicketId, Timestamp, WebhookEvent,
    model::{Attachment, Contact, HelpTopic, ThreadEntry, Ticket},
    validate,
};
use tessera_store::{
    Grant, Handle, NewAttachment, NewDelivery, NewEntry, NewTicket, NewTicketEntry, NewTicketRow,
    NewTicketWrite, TempBlob,
};

use crate::{CoreError, Result, Tessera, directory::TopicFacts, notify, token};

/// Longest subject, in characters.
pub const MAX_SUBJECT: usize = 200;
/// Longest name, in characters.
pub const MAX_NAME: usize = 100;
/// Longest message body, in characters.
pub const MAX_BODY: usize = 50_000;
/// Most files in one submission.
pub const MAX_FILES: usize = 20;

/// A file received from a person, already written to temporary storage.
#[derive(Debug)]
pub struct Upload {
    /// File name as given by the client (cleaned by `clean_filename`).
    pub filename: String,
    /// MIME type derived from the name.
    pub content_type: String,
    /// The bytes (see `UploadSink`).
    pub(crate) blob: TempBlob,
}

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
}

/// A message from the requester's side.
#[derive(Debug)]
pub struct ReplyInput {
    /// Text.
    pub body: String,
    /// Files.
    pub uploads: Vec<Upload>,
}

/// What a participant sees of a ticket.
#[derive(Debug)]
pub struct TicketView {
    /// The ticket.
    pub ticket: Ticket,
    /// Public entries, oldest first.
    pub thread: Vec<ThreadEntry>,
    /// Attachments of those entries.
    pub attachments: Vec<Attachment>,
    /// Who is looking.
    pub viewer: ContactId,
    /// Answers to the topic's custom fields.
    pub fields: Vec<tessera_domain::FieldValue>,
}

impl TicketView {
    /// The attachments of one entry.
    pub fn attachments_of(&self, entry: ThreadEntryId) -> impl Iterator<Item = &Attachment> {
        self.attachments
            .iter()
            .filter(move |a| a.thread_entry_id == entry)
    }
}

/// Makes a client-supplied file name safe to store and show: no path, no control characters,
/// at most 120 characters, never empty.
pub fn clean_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '*' | '?' | '|'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        return "file".to_owned();
    }
    if cleaned.chars().count() <= 120 {
        return cleaned;
    }
    // Keep the extension when shortening.
    match cleaned.rsplit_once('.') {
        Some((stem, ext)) if ext.len() <= 10 => {
            format!("{}.{ext}", stem.chars().take(110).collect::<String>())
        }
        _ => cleaned.chars().take(120).collect(),
    }
}

/// The MIME type for a file name; unknown types are served as opaque bytes.
pub fn content_type_for(filename: &str) -> &'static str {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "zip" => "application/zip",
        "mp4" => "video/mp4",
        "mp3" => "audio/mpeg",
        _ => "application/octet-stream",
    }
}

impl Tessera {
    pub(crate) fn check_uploads(&self, uploads: &[Upload], problem: &mut Problem) {
        let settings = self.settings();
        let total: u64 = uploads.iter().map(|u| u.blob.size()).sum();
        if total > settings.attachment_max_total {
            problem.add("attachments", "error-attachments-too-large");
        } else if uploads.len() > MAX_FILES {
            problem.add("attachments", "error-attachments-too-many");
        } else if uploads
            .iter()
            .any(|u| !settings.extension_allowed(&u.filename))
        {
            problem.add("attachments", "error-attachment-type");
        }
    }

    /// Moves uploads into permanent storage and records them on an entry.
    pub(crate) async fn store_uploads(
        &self,
        h: &mut Handle<'_>,
        ticket: TicketId,
        entry: ThreadEntryId,
        committed: Vec<(String, String, String, i64)>,
    ) -> Result<()> {
        for (key, filename, content_type, size) in &committed {
            h.insert_attachment(&NewAttachment {
                ticket_id: ticket,
                thread_entry_id: entry,
                blob_key: key,
                filename,
                content_type,
                size: *size,
            })
            .await?;
        }
        Ok(())
    }

    pub(crate) async fn commit_blobs(
        &self,
        uploads: Vec<Upload>,
    ) -> Result<Vec<(String, String, String, i64)>> {
        let mut out = Vec::with_capacity(uploads.len());
        for u in uploads {
            let size = u.blob.size() as i64;
            let key = self.blobs().commit(u.blob).await?;
            out.push((key, u.filename, u.content_type, size));
        }
        Ok(out)
    }

    /// Opens a ticket from the portal: validates, stores ticket, first message, attachments,
    /// the requester's access token and the confirmation mail in one transaction.
    pub async fn open_ticket(&self, input: NewTicketInput) -> Result<Opened> {
        self.open_ticket_with_fields(input, &[]).await
    }

    /// Opens a ticket like `open_ticket`, with answers to the chosen topic's custom fields
    /// among `submitted` (every form `(name, value)` pair); they are checked with the rest
    /// and stored in the same transaction.
    pub async fn open_ticket_with_fields(
        &self,
        input: NewTicketInput,
        submitted: &[(String, String)],
    ) -> Result<Opened> {
        let mut problem = Problem::default();
        let topic = match input.help_topic_id.trim().parse::<i64>() {
            Ok(id) => {
                self.topic_if(None, HelpTopicId(id), |t| t.is_public && t.is_active)
                    .await?
            }
            Err(_) => None,
        };
        if topic.is_none() {
            problem.add("help_topic_id", "error-topic");
        }
        let checked = self
            .check_new_ticket(input, topic, submitted, problem)
            .await?;
        self.write_new_ticket(checked, &WriteOptions::portal())
            .await
    }

    /// A help topic, with what a new ticket takes from it, when it exists and `fits`.
    pub(crate) async fn topic_if(
        &self,
        generation: Option<i64>,
        id: HelpTopicId,
        fits: impl Fn(&HelpTopic) -> bool,
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
        input: NewTicketInput,
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
        problem.into_result()?;
        Ok(CheckedTicket {
            email,
            name,
            topic,
            subject,
            body,
            answers,
            uploads: input.uploads,
            lang: input.lang,
        })
    }

    /// Writes a checked ticket: ticket, first message, attachments, answers, and — as the
    /// options say — the requester's access token with the confirmation mail and the agents'
    /// alerts, in one transaction. Shared by the portal and the ticket API.
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
        let files = self.commit_blobs(std::mem::take(&mut c.uploads)).await?;
        let known = self.read_new_ticket_context(&c, o).await?;
        // A reserved id or a drawn number can be taken meanwhile (another process's ticket,
        // a number drawn twice at once); the insert refuses it and the ticket is composed
        // again under fresh ones.
        let mut attempt = 0;
        loop {
            match self
                .try_write_new_ticket(&c, o, &known, &files, attempt)
                .await
            {
                Err(CoreError::Store(e)) if e.is_ticket_key_conflict() && attempt < 5 => {
                    attempt += 1;
                    self.db().ticket_ids_taken();
                }
                r => return r,
            }
        }
    }

    /// What a new ticket's transaction needs to read, read before it: the requester's
    /// contact; the rest comes from the directory's facts.
    async fn read_new_ticket_context(
        &self,
        c: &CheckedTicket,
        o: &WriteOptions<'_>,
    ) -> Result<NewTicketContext> {
        let default = &c.topic.context.default_priority;
        let topic_priority = Priority::parse(default).unwrap_or(Priority::Normal);
        let contact = self
            .db()
            .conn()
            .await?
            .h()
            .contact_by_key(&c.email.key())
            .await?;
        let webhooks = self.created_hooks(Some(c.topic.generation)).await?;
        Ok(NewTicketContext {
            priority: o.priority.unwrap_or(topic_priority),
            contact,
            webhooks,
        })
    }

    /// Composes a new ticket under a fresh id and number and writes it in one transaction.
    async fn try_write_new_ticket(
        &self,
        c: &CheckedTicket,
        o: &WriteOptions<'_>,
        k: &NewTicketContext,
        files: &[(String, String, String, i64)],
        attempt: u32,
    ) -> Result<Opened> {
        let now = Timestamp::now();
        let t = &c.topic.context;
        let ticket_id = self.db().reserve_ticket_id().await?;
        let number = self.draw_ticket_number(ticket_id, attempt > 0).await?;
        // An existing contact keeps its name, address and language (`upsert_contact`).
        let requester = match &k.contact {
            Some(existing) => existing.clone(),
            None => Contact {
                id: ContactId(0),
                email: c.email.as_str().to_owned(),
                name: c.name.clone(),
                lang: c.lang,
            },
        };
        let ticket = Ticket {
            id: ticket_id,
            number: number.clone(),
            subject: c.subject.clone(),
            status: tessera_domain::TicketStatus::Open,
            priority: k.priority,
            help_topic: Some(c.topic.topic.clone()),
            department: t.department.clone(),
            requester,
            assignee_agent: t
                .agent
                .as_ref()
                .map(|a| (tessera_domain::AgentId(a.agent_id), a.display_name.clone())),
            assignee_team: t.team.clone(),
            is_answered: false,
            due_at: t.sla.as_ref().map(|plan| crate::sla_due(plan, now)),
            created_at: now,
            updated_at: now,
        };
        let auto_assigned = t.agent.is_some() || t.team.is_some();

        let mut mails = Vec::new();
        let minted = o.confirm.then(token::mint);
        if let Some(minted) = &minted {
            let summary = crate::fields::with_summary(&c.answers, ticket.requester.lang, &c.body);
            mails.push(notify::ticket_opened(
                self,
                &ticket,
                &summary,
                &minted.token,
                None,
            ));
        }
        if o.alert {
            let mut agents = c.topic.recipients.clone();
            if auto_assigned {
                let org = self.settings().org_name.clone();
                mails.extend(notify::agent_alert_mails(
                    self,
                    &ticket,
                    &c.topic.assignees,
                    "assigned",
                    &org,
                    "",
                ));
                agents.retain(|a| !c.topic.assignees.iter().any(|x| x.agent_id == a.agent_id));
            }
            let author = ticket.requester.name.clone();
            mails.extend(notify::agent_alert_mails(
                self, &ticket, &agents, "new", &author, &c.body,
            ));
        }
        // The document `reindex_ticket` would read back: number, subject, requester, the
        // message, file names and answers.
        let head_text = format!(
            "{} {} {} {}",
            ticket.number, ticket.subject, ticket.requester.name, ticket.requester.email
        );
        let mut head = tessera_domain::IndexText::default();
        head.add(&head_text);
        let head = head.finish();
        let mut doc = tessera_domain::IndexText::default();
        doc.add(&head_text);
        doc.add(&c.body);
        for (_, filename, _, _) in files {
            doc.add(filename);
        }
        for a in &c.answers {
            doc.add(&a.value);
        }
        let doc = doc.finish();
        let hooks: Vec<(i64, String, String)> = if k.webhooks.is_empty() {
            Vec::new()
        } else {
            let entry = tessera_store::WebhookEntry {
                kind: EntryKind::Message.as_str().to_owned(),
                author: Some(ticket.requester.name.clone()),
                by_agent: false,
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
                agent: t.agent.as_ref().map(|a| a.display_name.clone()),
                team: t.team.as_ref().map(|(_, n)| n.clone()),
            }
            .encode()
        });
        let created = TicketEvent::Created {
            source: o.source.into(),
        }
        .encode();

        let by_requester = |kind, body, original_html| NewTicketEntry {
            kind,
            by_requester: true,
            body,
            original_html,
        };
        let mut entries = Vec::with_capacity(3);
        if let Some(assigned) = &assigned {
            entries.push(NewTicketEntry {
                by_requester: false,
                ..by_requester(EntryKind::Event, assigned.as_str(), None)
            });
        }
        entries.push(by_requester(EntryKind::Event, &created, None));
        // Kept as sent, like a mail's HTML: sanitised whenever it is shown.
        entries.push(by_requester(EntryKind::Message, &c.body, o.original_html));
        let answers: Vec<_> = c
            .answers
            .iter()
            .map(|a| (a.field, a.value.as_str()))
            .collect();
        let deliveries: Vec<NewDelivery<'_>> = hooks
            .iter()
            .map(|(webhook_id, uuid, payload)| NewDelivery {
                webhook_id: *webhook_id,
                uuid,
                event: WebhookEvent::TicketCreated.as_str(),
                ticket_id: Some(ticket_id),
                payload,
                now,
            })
            .collect();
        let email_key = c.email.key();
        let write = NewTicketWrite {
            email: c.email.as_str(),
            email_key: &email_key,
            name: &c.name,
            lang: c.lang,
            ticket: NewTicketRow {
                ticket_id,
                number: &number,
                subject: &c.subject,
                priority: k.priority,
                source: o.source,
                help_topic_id: Some(c.topic.topic.id),
                department_id: c.topic.topic.department_id,
                assignee_agent_id: ticket.assignee_agent.as_ref().map(|(a, _)| *a),
                assignee_team_id: ticket.assignee_team.as_ref().map(|(t, _)| *t),
                due_at: ticket.due_at,
                client_ip: o.client_ip,
                now,
            },
            entries: &entries,
            files,
            answers: &answers,
            token: minted
                .as_ref()
                .map(|m| (m.selector.as_str(), m.verifier_hash.as_str())),
            mails: &mails,
            doc: &doc,
            head: &head,
            deliveries: &deliveries,
        };
        let contact = self.db().write_new_ticket(&write).await?;
        if !deliveries.is_empty() {
            self.webhooks_queued();
        }
        self.changed();
        tracing::info!(ticket = %number, source = o.source, "ticket opened");
        Ok(Opened {
            ticket_id,
            number,
            grant: Grant {
                ticket_id,
                contact_id: contact,
            },
        })
    }

    /// A fresh ticket number, for the ticket that will have `id`: ids are counted up, so
    /// the id says how many tickets there have been and thus how many digits the pattern
    /// needs (`NumberFormat::generate_for`). The insert's constraint refuses a taken one;
    /// only after such a conflict is each drawn number `looked_up` before it is tried.
    async fn draw_ticket_number(&self, id: TicketId, looked_up: bool) -> Result<String> {
        let number_format = self.settings().number_format.clone();
        let tickets = u64::try_from(id.0).unwrap_or(0);
        let draw = || number_format.generate_for(tickets, || token::random_bytes(1)[0]);
        if !looked_up {
            return Ok(draw());
        }
        let mut conn = self.db().conn().await?;
        for _ in 0..50 {
            let number = draw();
            if !conn.h().ticket_number_taken(&number).await? {
                return Ok(number);
            }
        }
        Err(CoreError::Config("ticket number format exhausted".into()))
    }

    /// Adds a message from a participant through the portal.
    pub async fn participant_reply(&self, grant: Grant, input: ReplyInput) -> Result<()> {
        let mut problem = Problem::default();
        let body = input.body.trim();
        if body.is_empty() && input.uploads.is_empty() {
            problem.add("body", "error-required");
        } else if body.chars().count() > MAX_BODY {
            problem.add("body", "error-too-long");
        }
        self.check_uploads(&input.uploads, &mut problem);
        problem.into_result()?;
        let files = self.commit_blobs(input.uploads).await?;
        let now = Timestamp::now();
        let mut tx = self.db().begin().await?;
        if !tx
            .h()
            .is_participant(grant.ticket_id, grant.contact_id)
            .await?
        {
            return Err(CoreError::NotFound);
        }
        let entry = tx
            .h()
            .insert_entry(&NewEntry {
                ticket_id: grant.ticket_id,
                kind: EntryKind::Message,
                author_contact_id: Some(grant.contact_id),
                author_agent_id: None,
                body,
                body_format: BodyFormat::Markdown,
                now,
            })
            .await?;
        self.store_uploads(&mut tx.h(), grant.ticket_id, entry, files)
            .await?;
        tx.h().touch_ticket_message(grant.ticket_id, now).await?;
        let ticket = tx.h().ticket(grant.ticket_id).await?;
        let author = tx.h().contact(grant.contact_id).await?.name;
        let to = notify::assignees(&mut tx.h(), &ticket, None).await?;
        notify::agent_alert(self, &mut tx.h(), &ticket, &to, "message", &author, body).await?;
        tx.h().reindex_ticket(grant.ticket_id).await?;
        self.queue_webhooks(
            &mut tx.h(),
            WebhookEvent::Message,
            grant.ticket_id,
            Some(entry),
            None,
            now,
        )
        .await?;
        tx.commit().await?;
        self.changed();
        Ok(())
    }

    /// The help topics offered on the public portal, in their configured order.
    pub async fn public_topics(&self) -> Result<Vec<HelpTopic>> {
        let mut conn = self.db().conn().await?;
        Ok(conn.h().public_help_topics().await?)
    }

    /// The number of the ticket a grant opens (where the requester is sent next).
    pub async fn granted_number(&self, grant: Grant) -> Result<String> {
        let mut conn = self.db().conn().await?;
        Ok(conn.h().ticket(grant.ticket_id).await?.number)
    }

    /// Exchanges an emailed access token for the right to see its ticket.
    pub async fn redeem_access_token(&self, presented: &str) -> Result<Grant> {
        let (selector, verifier) = token::split(presented).ok_or(CoreError::NotFound)?;
        let mut conn = self.db().conn().await?;
        let row = conn
            .h()
            .access_token(selector)
            .await?
            .ok_or(CoreError::NotFound)?;
        drop(conn);
        if !token::verify(verifier, &row.verifier_hash) || row.revoked_at.is_some() {
            return Err(CoreError::NotFound);
        }
        let mut tx = self.db().begin().await?;
        tx.h().access_token_used(row.access_token_id).await?;
        tx.commit().await?;
        Ok(Grant {
            ticket_id: TicketId(row.ticket_id),
            contact_id: ContactId(row.contact_id),
        })
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

    /// The ticket a session was granted, by number, as its participant sees it.
    pub async fn participant_view(
        &self,
        session: &crate::Session,
        number: &str,
    ) -> Result<TicketView> {
        let mut conn = self.db().conn().await?;
        let (ticket, viewer) = conn.h().ticket_for_session(number, session.id).await?;
        let viewer = viewer.ok_or(CoreError::NotFound)?;
        let thread = conn.h().public_thread(ticket.id).await?;
        let attachments = conn
            .h()
            .ticket_attachments(ticket.id)
            .await?
            .into_iter()
            .filter(|a| thread.iter().any(|e| e.id == a.thread_entry_id))
            .collect();
        let fields = conn.h().ticket_field_values(ticket.id).await?;
        Ok(TicketView {
            fields,
            ticket,
            thread,
            attachments,
            viewer,
        })
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

    /// An attachment, if the session may see its ticket and its entry is public.
    pub async fn participant_attachment(
        &self,
        session: &crate::Session,
        id: i64,
    ) -> Result<(Attachment, tokio::fs::File)> {
        let mut conn = self.db().conn().await?;
        let a = conn
            .h()
            .attachment(tessera_domain::AttachmentId(id))
            .await?;
        conn.h()
            .grant_for(session.id, a.ticket_id)
            .await?
            .ok_or(CoreError::NotFound)?;
        if !conn.h().entry_kind(a.thread_entry_id).await?.is_public() {
            return Err(CoreError::NotFound);
        }
        let file = self.blobs().open_blob(&a.blob_key).await?;
        Ok((a, file))
    }

    /// The tickets a session may see: (number, subject, status).
    pub async fn session_tickets(
        &self,
        session: &crate::Session,
    ) -> Result<Vec<(String, String, String)>> {
        let mut conn = self.db().conn().await?;
        Ok(conn
            .h()
            .granted_tickets(session.id)
            .await?
            .into_iter()
            .map(|(n, s, st, _, _)| (n, s, st))
            .collect())
    }

    /// The tickets of a session whose subject or public thread contains every word of
    /// `text`. Internal notes are not searched.
    pub async fn search_session_tickets(
        &self,
        session: &crate::Session,
        text: &str,
    ) -> Result<Vec<FoundTicket>> {
        let Some(query) = tessera_domain::SearchQuery::parse(text) else {
            return Ok(Vec::new());
        };
        let mut conn = self.db().conn().await?;
        let tickets = conn.h().granted_tickets(session.id).await?;
        let ids: Vec<i64> = tickets.iter().map(|t| t.4).collect();
        let sources = conn.h().snippet_sources(&ids, true).await?;
        Ok(tickets
            .into_iter()
            .filter_map(|(number, subject, status, _, id)| {
                let texts = sources.iter().filter(|s| s.0 == id).map(|(_, body, html)| {
                    if *html {
                        tessera_domain::search::strip_tags(body)
                    } else {
                        body.clone()
                    }
                });
                let all: Vec<String> = std::iter::once(format!("{number} {subject}"))
                    .chain(texts)
                    .collect();
                if !query.matches(&all.join("\n")) {
                    return None;
                }
                let snippet = all
                    .iter()
                    .skip(1)
                    .find_map(|t| query.snippet(t, 160))
                    .or_else(|| query.snippet(&subject, 160))
                    .unwrap_or_default();
                Some(FoundTicket {
                    number,
                    subject,
                    status,
                    snippet,
                })
            })
            .collect())
    }
}

/// One of a requester's tickets found by a search.
#[derive(Debug, Clone)]
pub struct FoundTicket {
    /// Public number.
    pub number: String,
    /// Subject.
    pub subject: String,
    /// Status name.
    pub status: String,
    /// Where the words were found: runs of (text, matched).
    pub snippet: Vec<(String, bool)>,
}

/// A new ticket that passed its checks.
pub(crate) struct CheckedTicket {
    pub email: EmailAddress,
    pub name: String,
    /// The help topic with what the ticket takes from it.
    pub topic: Arc<TopicFacts>,
    pub subject: String,
    /// The message as text (what the thread shows).
    pub body: String,
    pub answers: Vec<crate::fields::Answer>,
    pub uploads: Vec<Upload>,
    /// The requester's language.
    pub lang: Lang,
}

/// What a new ticket takes from the database besides itself, read before its transaction.
struct NewTicketContext {
    /// The topic's default, or what the caller asked for.
    priority: Priority,
    /// The requester, if known already.
    contact: Option<Contact>,
    /// Webhooks subscribed to `ticket.created`.
    webhooks: Arc<Vec<i64>>,
}

/// How a checked ticket is written: where it came from, and which mail it causes.
pub(crate) struct WriteOptions<'a> {
    /// `portal` or `api`.
    pub source: &'a str,
    /// A priority over the topic's default.
    pub priority: Option<Priority>,
    /// The message's HTML as sent, when it came as HTML.
    pub original_html: Option<&'a str>,
    /// The address the requester wrote from, as the API caller says.
    pub client_ip: Option<&'a str>,
    /// Whether the requester gets the confirmation with the access link.
    pub confirm: bool,
    /// Whether agents are alerted.
    pub alert: bool,
}

impl WriteOptions<'_> {
    /// The portal's: confirmation and alerts, nothing else.
    pub(crate) fn portal() -> Self {
        Self {
            source: "portal",
            priority: None,
            original_html: None,
            client_ip: None,
            confirm: true,
            alert: true,
        }
    }
}

/// What a new ticket is made of, whichever way it came in.
pub(crate) struct TicketDraft<'a> {
    /// Summary line, already checked.
    pub subject: &'a str,
    /// `portal`, `email` or `api`.
    pub source: &'a str,
    /// The help topic whose defaults apply (email may have none).
    pub topic: Option<HelpTopicId>,
    /// Owner.
    pub department: DepartmentId,
    /// Who opened it.
    pub requester: ContactId,
    /// When.
    pub now: Timestamp,
}

impl Tessera {
    /// Inserts a ticket under a fresh number with its topic's defaults (priority, assignee,
    /// service level) and the events that say so; returns its key, its number and whether
    /// it was assigned on the way. Shared by the portal and email in.
    pub(crate) async fn insert_ticket_draft(
        &self,
        h: &mut Handle<'_>,
        d: &TicketDraft<'_>,
    ) -> Result<(TicketId, String, bool)> {
        let now = d.now;
        let (default_priority, auto_agent, auto_team) = match d.topic {
            Some(topic) => h.topic_defaults(topic).await?,
            None => ("normal".to_owned(), None, None),
        };
        let priority = Priority::parse(&default_priority).unwrap_or(Priority::Normal);
        let number_format = self.settings().number_format.clone();
        // As many digits as the tickets so far need (`draw_ticket_number`).
        let tickets = u64::try_from(h.highest_ticket_id().await?).unwrap_or(0) + 1;
        let mut attempt = 0;
        let (ticket_id, number) = loop {
            let number = number_format.generate_for(tickets, || token::random_bytes(1)[0]);
            if h.ticket_number_taken(&number).await? {
                attempt += 1;
                if attempt > 50 {
                    return Err(CoreError::Config("ticket number format exhausted".into()));
                }
                continue;
            }
            let id = h
                .insert_ticket(&NewTicket {
                    number: &number,
                    subject: d.subject,
                    priority,
                    source: d.source,
                    help_topic_id: d.topic,
                    department_id: d.department,
                    requester_id: d.requester,
                    now,
                })
                .await?;
            break (id, number);
        };
        if priority != Priority::Normal {
            h.set_priority(ticket_id, priority, now).await?;
        }
        let auto_assigned = auto_agent.is_some() || auto_team.is_some();
        if auto_assigned {
            let agent = auto_agent.map(tessera_domain::AgentId);
            let team = auto_team.map(tessera_domain::TeamId);
            h.set_assignee(ticket_id, agent, team, now).await?;
            let agent_name = match agent {
                Some(a) => Some(h.agent_brief(a).await?.display_name),
                None => None,
            };
            let team_name = match team {
                Some(t) => Some(h.team_name(t).await?),
                None => None,
            };
            let assigned = TicketEvent::Assigned {
                agent: agent_name,
                team: team_name,
            }
            .encode();
            h.insert_entry(&NewEntry {
                ticket_id,
                kind: EntryKind::Event,
                author_contact_id: None,
                author_agent_id: None,
                body: &assigned,
                body_format: BodyFormat::Markdown,
                now,
            })
            .await?;
        }
        if let Some(topic) = d.topic
            && let Some(plan) = h.topic_sla(topic).await?
        {
            let due = crate::sla_due(&plan, now);
            h.set_due(ticket_id, Some(due), now).await?;
        }
        let created = TicketEvent::Created {
            source: d.source.into(),
        }
        .encode();
        h.insert_entry(&NewEntry {
            ticket_id,
            kind: EntryKind::Event,
            author_contact_id: Some(d.requester),
            author_agent_id: None,
            body: &created,
            body_format: BodyFormat::Markdown,
            now,
        })
        .await?;
        Ok((ticket_id, number, auto_assigned))
    }

    /// Tells agents of a new ticket: an assignee as their ticket, the department's other
    /// alert recipients as a new one.
    pub(crate) async fn alert_new_ticket(
        &self,
        h: &mut Handle<'_>,
        ticket: &Ticket,
        auto_assigned: bool,
        body: &str,
    ) -> Result<()> {
        let mut agents = h
            .department_alert_recipients(ticket.department.id, false)
            .await?;
        if auto_assigned {
            // The assignee hears of it as their ticket, not only as a new one in the department.
            let assignees = notify::assignees(h, ticket, None).await?;
            let org = self.settings().org_name.clone();
            notify::agent_alert(self, h, ticket, &assignees, "assigned", &org, "").await?;
            agents.retain(|a| !assignees.iter().any(|x| x.agent_id == a.agent_id));
        }
        let author = ticket.requester.name.clone();
        notify::agent_alert(self, h, ticket, &agents, "new", &author, body).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str, expected: &str) {
        assert_eq!(clean_filename(raw), expected, "{raw:?}");
    }

    #[test]
    fn cleans_file_names() {
        check("C:\\Users\\max\\Plakat.pdf", "Plakat.pdf");
        check("../../etc/passwd", "passwd");
        check("..hidden", "hidden");
        check("a\u{0}b\"<>.txt", "ab.txt");
        check("", "file");
        check("   ", "file");
        check(
            "Skizze Nikolausschwimmen (2).docx",
            "Skizze Nikolausschwimmen (2).docx",
        );
        let long = format!("{}.pdf", "x".repeat(300));
        assert_eq!(clean_filename(&long), format!("{}.pdf", "x".repeat(110)));
    }

    #[test]
    fn maps_content_types() {
        assert_eq!(content_type_for("a.PDF"), "application/pdf");
        assert_eq!(content_type_for("a.html"), "application/octet-stream");
        assert_eq!(content_type_for("noext"), "application/octet-stream");
    }
}
