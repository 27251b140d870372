//! Tickets opened by programs: osTicket's `POST /api/tickets.json` (and later Tessera's own
//! `POST /api/v1/tickets`). The checks and the writes are the portal's (`new_ticket.rs`), so an
//! API ticket looks exactly like one from the portal form; what differs is what an API
//! caller may say: any active help topic (callers are trusted more than the public portal,
//! as in osTicket), a priority, the requester's address, and whether the requester and the
//! agents are told.

use std::net::IpAddr;

use tessera_domain::{BodyFormat, HelpTopicId, Priority, Problem, TicketId};
use tessera_store::StoreError;

use crate::{
    CoreError, IngestOutcome, MailSource, NewTicketInput, Opened, Result, Tessera, Upload,
    access::Opener, new_ticket::WriteOptions,
};

/// The first message of an API ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiMessage {
    /// Plain text, shown exactly as sent (escaped, line breaks kept, links clickable).
    Text(String),
    /// HTML: the thread shows its text; the HTML is kept as sent and sanitised whenever it
    /// is shown (as for a mail's HTML).
    Html(String),
}

/// What a program sends to open a ticket.
#[derive(Debug)]
pub struct ApiTicketInput {
    /// Requester's full name.
    pub name: String,
    /// Requester's address.
    pub email: String,
    /// Summary.
    pub subject: String,
    /// The first message.
    pub message: ApiMessage,
    /// Help topic id as sent; `None` for the first active public topic.
    pub topic_id: Option<String>,
    /// Priority as sent: osTicket's ids `1` (low) … `4` (emergency) or a name.
    pub priority: Option<String>,
    /// The address the requester wrote from, as sent.
    pub ip: Option<String>,
    /// Whether agents are alerted (osTicket's `alert`).
    pub alert: bool,
    /// Whether the requester gets the confirmation (osTicket's `autorespond`).
    pub autorespond: bool,
    /// Files, already in temporary storage.
    pub uploads: Vec<Upload>,
    /// Answers to the topic's custom fields by the field's machine name; several values
    /// for a multiple choice.
    pub fields: Vec<(String, Vec<String>)>,
    /// Problems the caller found while decoding the request (a bad data URL, …), reported
    /// with the rest.
    pub problem: Problem,
}

/// osTicket's priority ids (1 low … 4 emergency), or a priority's name.
pub fn api_priority(s: &str) -> Option<Priority> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "low" => Some(Priority::Low),
        "2" | "normal" => Some(Priority::Normal),
        "3" | "high" => Some(Priority::High),
        "4" | "emergency" | "urgent" => Some(Priority::Emergency),
        _ => None,
    }
}

/// What became of a raw message posted to the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiMailOutcome {
    /// It opened this ticket or landed in it (also when it had been posted before).
    Ticket {
        /// The ticket's number.
        number: String,
        /// Whether it opened the ticket.
        opened: bool,
    },
    /// Kept, but not readable: it waits for an administrator.
    Quarantined(String),
    /// Kept, and deliberately not acted on.
    Ignored(String),
}

impl Tessera {
    /// Opens a ticket for a program whose key may create tickets (`ApiCaller::opener`). Problems are reported
    /// under the request's own names (`message`, `topicId`, a custom field's machine name).
    pub async fn open_api_ticket(&self, caller: Opener, input: ApiTicketInput) -> Result<Opened> {
        let mut problem = input.problem;
        let generation = Some(caller.directory);
        let topic_id = match input.topic_id.as_deref().map(str::trim) {
            None | Some("") => self.default_api_topic(generation).await?,
            Some(raw) => raw.parse::<i64>().ok().map(HelpTopicId),
        };
        let topic = match topic_id {
            Some(id) => self.topic_if(generation, id, |t| t.is_active).await?,
            None => None,
        };
        if topic.is_none() {
            problem.add("help_topic_id", "error-topic");
        }
        let priority = match input.priority.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(p) => {
                let parsed = api_priority(p);
                if parsed.is_none() {
                    problem.add("priority", "error-api-priority");
                }
                parsed
            }
        };
        let ip = match input.ip.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => match s.parse::<IpAddr>() {
                Ok(ip) => Some(ip.to_string()),
                Err(_) => {
                    problem.add("ip", "error-api-ip");
                    None
                }
            },
        };
        let (body, html) = match input.message {
            ApiMessage::Text(t) => (t, None),
            ApiMessage::Html(h) => (tessera_mail::inbound::html_text(&h), Some(h)),
        };
        // Custom fields by machine name, in the form's `(input name, value)` shape.
        let fields = match &topic {
            Some(t) => t.fields.as_slice(),
            None => &[],
        };
        let mut submitted = Vec::new();
        for (key, values) in &input.fields {
            if let Some(f) = fields.iter().find(|f| f.is_active && &f.key == key) {
                for (i, v) in values.iter().enumerate() {
                    let name = if f.kind == tessera_domain::FieldKind::MultiChoice {
                        f.option_input_name(i)
                    } else {
                        f.input_name()
                    };
                    submitted.push((name, v.clone()));
                }
            }
        }
        let lang = self.settings().default_lang;
        let portal_input = NewTicketInput {
            email: input.email,
            name: input.name,
            help_topic_id: String::new(),
            subject: input.subject,
            body,
            uploads: input.uploads,
            lang,
        };
        let checked = self
            .check_new_ticket(portal_input, topic.clone(), &submitted, problem)
            .await
            .map_err(|e| match e {
                CoreError::Invalid(p) => CoreError::Invalid(api_names(p, fields)),
                e => e,
            })?;
        let options = WriteOptions {
            source: "api",
            // A program's text is not written in Tessera's form: osTicket's `text/plain`
            // and the REST API's `message` are plain text (log lines, paths, `#` lines),
            // and an HTML message's text is drawn from its HTML.
            format: BodyFormat::Text,
            priority,
            original_html: html.as_deref(),
            quoted: None,
            in_reply_to: None,
            client_ip: ip.as_deref(),
            confirm: input.autorespond,
            alert: input.alert,
            unconfirmed: false,
            by_agent: None,
        };
        let opened = self.write_new_ticket(checked, &options).await?;
        tracing::info!(ticket = %opened.number, key = caller.key_id, "ticket opened through the API");
        Ok(opened)
    }

    /// Takes a raw message posted by a program (osTicket's `POST /api/tickets.email`)
    /// through the email pipeline, and says which ticket it opened or landed in.
    pub async fn ingest_api_mail(&self, _caller: Opener, raw: &[u8]) -> Result<ApiMailOutcome> {
        let outcome = self.ingest_mail(raw, MailSource::Api).await?;
        let ticket = |id: TicketId| async move {
            Ok::<_, CoreError>(self.db().conn().await?.h().ticket(id).await?.number)
        };
        Ok(match outcome {
            IngestOutcome::Opened { number, .. } => ApiMailOutcome::Ticket {
                number,
                opened: true,
            },
            // A held message is on the ticket (for agents): the program is told where.
            IngestOutcome::Added { number, .. } | IngestOutcome::Held { number, .. } => {
                ApiMailOutcome::Ticket {
                    number,
                    opened: false,
                }
            }
            IngestOutcome::Bounced { ticket_id, .. } => ApiMailOutcome::Ticket {
                number: ticket(ticket_id).await?,
                opened: false,
            },
            IngestOutcome::Quarantined { error, .. } => ApiMailOutcome::Quarantined(error),
            IngestOutcome::Ignored { reason, .. } => ApiMailOutcome::Ignored(reason),
            IngestOutcome::Duplicate { inbound_message_id } => {
                let mut conn = self.db().conn().await?;
                match conn.h().inbound_ticket_number(inbound_message_id).await {
                    Ok(Some(number)) => ApiMailOutcome::Ticket {
                        number,
                        opened: false,
                    },
                    Ok(None) | Err(StoreError::NotFound) => {
                        let why = tessera_domain::Reason::new("mail-in-reason-posted-before");
                        ApiMailOutcome::Ignored(why.encode())
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        })
    }

    /// The address an API ticket's requester wrote from, if the caller said.
    pub async fn ticket_client_ip(&self, ticket: TicketId) -> Result<Option<String>> {
        Ok(self.db().conn().await?.h().ticket_client_ip(ticket).await?)
    }
}

/// The portal's field names as the API calls them.
fn api_names(p: Problem, fields: &[tessera_domain::TopicField]) -> Problem {
    let mut out = Problem::default();
    for e in p.errors {
        match e.field.as_ref() {
            "body" => out.add("message", e.key),
            "help_topic_id" => out.add("topicId", e.key),
            name => match fields.iter().find(|f| f.input_name() == name) {
                Some(f) => out.add_named(f.key.clone(), e.key),
                None => out.errors.push(e),
            },
        }
    }
    out
}
