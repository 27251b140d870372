//! The requester's side: opening a ticket on the portal, following it and answering. What
//! a new ticket is and causes lives in `new_ticket.rs`; access links in `access_link.rs`.

use tessera_domain::{
    BodyFormat, ContactId, EntryKind, HelpTopicId, Problem, ThreadEntryId, Timestamp, WebhookEvent,
    model::{Attachment, HelpTopic, ThreadEntry, Ticket},
};
use tessera_store::{Grant, NewEntry};

use crate::{
    CoreError, MAX_BODY, NewTicketInput, Opened, Result, Tessera, Upload, new_ticket::WriteOptions,
    notify,
};

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

impl Tessera {
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
        let mut over = Problem::default();
        let _held = self
            .attachment_quota(&checked.email.key(), &checked.uploads, &mut over)
            .await?;
        over.into_result()?;
        let mut options = WriteOptions::portal();
        if self.settings().confirm_first {
            // Agents hear of it once the requester has opened the link (`confirmed`).
            options.unconfirmed = true;
            options.alert = false;
        }
        self.write_new_ticket(checked, &options).await
    }

    /// Adds a message from a participant through the portal.
    pub async fn participant_reply(&self, grant: Grant, mut input: ReplyInput) -> Result<()> {
        let mut problem = Problem::default();
        let body = input.body.trim();
        if body.is_empty() && input.uploads.is_empty() {
            problem.add("body", "error-required");
        } else if body.chars().count() > MAX_BODY {
            problem.add("body", "error-too-long");
        } else if body.contains('\0') {
            // Not every database stores it (as for agents' replies, `agent_reply`).
            problem.add("body", "error-bad-characters");
        }
        self.check_uploads(&input.uploads, &mut problem);
        if !problem.is_empty() {
            return Err(CoreError::Invalid(problem));
        }
        let _held = if input.uploads.is_empty() {
            None
        } else {
            let contact = self
                .db()
                .conn()
                .await?
                .h()
                .contact(grant.contact_id)
                .await?;
            let key = tessera_domain::EmailAddress::parse(&contact.email)
                .map(|e| e.key())
                .unwrap_or(contact.email);
            Some(
                self.attachment_quota(&key, &input.uploads, &mut problem)
                    .await?,
            )
        };
        if problem.is_empty() {
            self.scan_uploads(&mut input.uploads, &mut problem).await;
        }
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
        self.notify_message(&mut tx.h(), &ticket, &to, &author, now)
            .await?;
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
        self.announce(grant.ticket_id, crate::ChangeKind::Entry);
        Ok(())
    }

    /// The help topics offered on the public portal, in their configured order.
    pub async fn public_topics(&self) -> Result<Vec<HelpTopic>> {
        let mut conn = self.db().conn().await?;
        Ok(conn.h().public_help_topics().await?)
    }

    /// The ticket a session was granted, by number, as its participant sees it.
    pub async fn participant_view(
        &self,
        session: &crate::Session,
        number: &str,
    ) -> Result<TicketView> {
        let mut conn = self.db().conn().await?;
        let (mut ticket, mut viewer) = conn.h().ticket_for_session(number, session.id).await?;
        // A session holding a verified address sees that address's tickets (`my_tickets.rs`).
        if viewer.is_none()
            && self
                .grant_through_verified_address(session, ticket.id)
                .await?
        {
            (ticket, viewer) = conn.h().ticket_for_session(number, session.id).await?;
        }
        let viewer = viewer.ok_or(CoreError::NotFound)?;
        // A page shows the beginning of each text; the whole is `participant_entry_text`.
        let shown = Some(tessera_domain::long_text::SHOWN_CHARS);
        let thread = conn.h().public_thread(ticket.id, shown).await?;
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

    /// An attachment, if the session may see its ticket and its entry is public (a message
    /// or reply not held for an agent).
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
        if !conn.h().entry_is_public(a.thread_entry_id).await? {
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
