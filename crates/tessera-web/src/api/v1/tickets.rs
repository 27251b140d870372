//! Reading tickets: the queue as a paged list, one ticket with its thread, attachments.

use axum::{extract::State, response::Response};
use base64::Engine;
use serde::{Deserialize, Serialize};
use tessera_domain::{
    AgentId, BodyFormat, DepartmentId, EntryKind, HelpTopicId, Lang, Priority, Queue, QueueItem,
    QueueQuery, Sort, TicketEvent, TicketStatus, Timestamp,
};
use utoipa::{IntoParams, ToSchema};

use super::{ApiPath, ApiQuery, ApiResult, ReadProblems, invalid, ok, reader};
use crate::{AppState, api::Api, api::ApiProblem};

/// Rows per page unless the caller asks otherwise.
const DEFAULT_LIMIT: u32 = 25;
/// The most rows one page may have.
const MAX_LIMIT: u32 = 100;

/// An instant as RFC 3339 (UTC).
pub(crate) fn iso(t: Timestamp) -> String {
    t.to_datetime()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A ticket's status.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum StatusName {
    Open,
    Resolved,
    Closed,
}

impl StatusName {
    pub(crate) fn domain(self) -> TicketStatus {
        match self {
            StatusName::Open => TicketStatus::Open,
            StatusName::Resolved => TicketStatus::Resolved,
            StatusName::Closed => TicketStatus::Closed,
        }
    }

    pub(crate) fn of(s: TicketStatus) -> Self {
        match s {
            TicketStatus::Open => StatusName::Open,
            TicketStatus::Resolved => StatusName::Resolved,
            TicketStatus::Closed => StatusName::Closed,
        }
    }
}

/// A ticket's priority.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum PriorityName {
    Low,
    Normal,
    High,
    Emergency,
}

impl PriorityName {
    pub(crate) fn domain(self) -> Priority {
        match self {
            PriorityName::Low => Priority::Low,
            PriorityName::Normal => Priority::Normal,
            PriorityName::High => Priority::High,
            PriorityName::Emergency => Priority::Emergency,
        }
    }

    pub(crate) fn of(p: Priority) -> Self {
        match p {
            Priority::Low => PriorityName::Low,
            Priority::Normal => PriorityName::Normal,
            Priority::High => PriorityName::High,
            Priority::Emergency => PriorityName::Emergency,
        }
    }
}

/// The queues of the agent UI.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum QueueName {
    /// Open, not answered yet.
    Open,
    /// Open, answered, waiting for the requester.
    Answered,
    /// Open and assigned to the key's agent.
    Mine,
    /// Open and assigned to one of the agent's teams.
    Teams,
    /// Open and assigned to nobody.
    Unassigned,
    /// Open and past due.
    Overdue,
    /// Resolved or closed.
    Closed,
    /// Everything the agent may see.
    All,
}

impl QueueName {
    fn domain(self) -> Queue {
        match self {
            QueueName::Open => Queue::Open,
            QueueName::Answered => Queue::Answered,
            QueueName::Mine => Queue::Mine,
            QueueName::Teams => Queue::MyTeams,
            QueueName::Unassigned => Queue::Unassigned,
            QueueName::Overdue => Queue::Overdue,
            QueueName::Closed => Queue::Closed,
            QueueName::All => Queue::All,
        }
    }
}

/// Sort orders of a queue.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum SortName {
    Updated,
    Number,
    Due,
    Priority,
}

impl SortName {
    fn domain(self) -> Sort {
        match self {
            SortName::Updated => Sort::Updated,
            SortName::Number => Sort::Number,
            SortName::Due => Sort::Due,
            SortName::Priority => Sort::Priority,
        }
    }
}

/// Ascending or descending.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum OrderName {
    Asc,
    Desc,
}

/// Filters, order and page of the ticket list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    /// Which queue (default `all`: every ticket the agent may see).
    #[param(inline)]
    queue: Option<QueueName>,
    /// Only tickets of this department.
    department: Option<i64>,
    /// Only tickets of this help topic.
    topic: Option<i64>,
    /// Only tickets assigned to this agent.
    assignee: Option<i64>,
    /// Only tickets in this status.
    #[param(inline)]
    status: Option<StatusName>,
    /// Only tickets with a custom field answer containing this text (any case).
    #[param(max_length = 200)]
    field_value: Option<String>,
    /// Order by (default `updated`).
    #[param(inline)]
    sort: Option<SortName>,
    /// Direction (default: descending, except ascending for `due`).
    #[param(inline)]
    order: Option<OrderName>,
    /// The `next_cursor` of the previous page; valid only with the same filters and order.
    cursor: Option<String>,
    /// Rows per page, 1 to 100 (default 25).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// Full-text search: every word must occur (in number, subject, thread, requester,
    /// attachment names or field answers; other word forms count, German and English).
    /// Hits are ranked by relevance among the newest 1,000 matches at a time, and `sort`
    /// and `order` do not apply.
    #[param(max_length = 200)]
    q: Option<String>,
}

/// A reference to a named thing.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Named {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
}

/// One row of the ticket list.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TicketSummary {
    /// Public number.
    pub number: String,
    pub subject: String,
    pub status: StatusName,
    pub priority: PriorityName,
    /// The requester's name.
    pub requester_name: String,
    /// The assigned agent's name.
    pub assignee_agent: Option<String>,
    /// The assigned team's name.
    pub assignee_team: Option<String>,
    /// Due at (RFC 3339), if a due date is set.
    #[schema(format = DateTime)]
    pub due_at: Option<String>,
    /// Last activity (RFC 3339).
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Whether there is activity the key's agent has not seen.
    pub unseen: bool,
    /// With `q`: where the words were found, as runs of text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<Vec<SnippetRun>>,
}

/// A piece of a search snippet.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SnippetRun {
    pub text: String,
    /// Whether this is a word that matched.
    #[serde(rename = "match")]
    pub hit: bool,
}

/// A page of the ticket list.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TicketPage {
    pub items: Vec<TicketSummary>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// What a cursor carries: the order it belongs to and where the next page starts.
fn encode_cursor(order: &str, key: &str, id: i64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{order}|{key}|{id}"))
}

fn decode_cursor(order: &str, c: &str) -> Option<(String, i64)> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let rest = text.strip_prefix(order)?.strip_prefix('|')?;
    let (key, id) = rest.rsplit_once('|')?;
    Some((key.to_owned(), id.parse().ok()?))
}

/// The tickets the key's agent may see, filtered and ordered like the agent UI's queues.
#[utoipa::path(
    get,
    path = "/tickets",
    tag = "tickets",
    params(ListParams),
    responses(
        (status = 200, description = "A page of tickets", body = TicketPage),
        (status = 422, description = "An invalid cursor or limit", content_type = "application/problem+json", body = ApiProblem),
        ReadProblems
    )
)]
pub(crate) async fn list_tickets(
    State(s): State<AppState>,
    api: Api,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<Response> {
    let agent = reader(&api)?;
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(invalid(&api, "limit", "error-api-limit"));
    }
    let queue = q.queue.unwrap_or(QueueName::All).domain();
    let sort = q.sort.unwrap_or(SortName::Updated).domain();
    let descending = match q.order {
        Some(OrderName::Asc) => false,
        Some(OrderName::Desc) => true,
        None => sort != Sort::Due,
    };
    // The cursor names its queue, filters and order: a cursor of another list is refused
    // rather than silently skipping rows.
    let field_value = q
        .field_value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned);
    let order = format!(
        "{}:{}:{}:{}:{}:{}:{}:{}",
        queue.as_str(),
        sort.as_str(),
        if descending { "d" } else { "a" },
        q.department.map(|d| d.to_string()).unwrap_or_default(),
        q.topic.map(|d| d.to_string()).unwrap_or_default(),
        q.assignee.map(|d| d.to_string()).unwrap_or_default(),
        q.status.map(|s| s.domain().as_str()).unwrap_or_default(),
        field_value.as_deref().unwrap_or_default(),
    );
    let search =
        q.q.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned);
    if let Some(text) = search {
        let order = format!("{order}:q={text}");
        let cursor = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
            Some(c) => Some(
                decode_cursor(&order, c)
                    .ok_or_else(|| invalid(&api, "cursor", "error-api-cursor"))?
                    .0,
            ),
            None => None,
        };
        let query = QueueQuery {
            queue,
            sort,
            descending,
            department: q.department.map(DepartmentId),
            topic: q.topic.map(HelpTopicId),
            assignee: q.assignee.map(AgentId),
            status: q.status.map(StatusName::domain),
            field_value,
            after: None,
            limit: i64::from(limit),
        };
        let found = s
            .app
            .search(agent, &query, &text, cursor.as_deref())
            .await
            .map_err(|e| ApiProblem::from_core(api.lang, e))?;
        let next_cursor = found.next.map(|c| encode_cursor(&order, &c, 0));
        let items = found
            .hits
            .into_iter()
            .map(|h| {
                let snippet = h
                    .snippet
                    .into_iter()
                    .map(|(text, hit)| SnippetRun { text, hit })
                    .collect();
                summary(h.ticket, Some(snippet))
            })
            .collect();
        return Ok(ok(TicketPage { items, next_cursor }));
    }
    let after = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(
            decode_cursor(&order, c).ok_or_else(|| invalid(&api, "cursor", "error-api-cursor"))?,
        ),
        None => None,
    };
    let query = QueueQuery {
        queue,
        sort,
        descending,
        department: q.department.map(DepartmentId),
        topic: q.topic.map(HelpTopicId),
        assignee: q.assignee.map(AgentId),
        status: q.status.map(StatusName::domain),
        field_value,
        after,
        // One more than asked: whether there is a next page is then known, not guessed.
        limit: i64::from(limit) + 1,
    };
    let (mut rows, _) = s
        .app
        .queue(agent, &query)
        .await
        .map_err(|e| ApiProblem::from_core(api.lang, e))?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = more
        .then(|| rows.last())
        .flatten()
        .map(|r| encode_cursor(&order, &r.sort_key, r.ticket_id.0));
    let items = rows.into_iter().map(|r| summary(r, None)).collect();
    Ok(ok(TicketPage { items, next_cursor }))
}

/// A queue row as the list shows it.
fn summary(r: QueueItem, snippet: Option<Vec<SnippetRun>>) -> TicketSummary {
    TicketSummary {
        status: StatusName::of(r.status),
        priority: PriorityName::of(r.priority),
        number: r.number,
        subject: r.subject,
        requester_name: r.requester_name,
        assignee_agent: r.agent_name,
        assignee_team: r.team_name,
        due_at: r.due_at.map(iso),
        updated_at: iso(r.updated_at),
        unseen: r.unseen,
        snippet,
    }
}

/// A person by address.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Person {
    /// Contact id (collaborators are removed by it).
    pub id: i64,
    pub name: String,
    pub email: String,
}

/// A file of a thread entry.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AttachmentInfo {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// Where to download it (with the same key).
    pub url: String,
}

/// The kind of a thread entry.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum EntryKindName {
    /// From the requester or a collaborator.
    Message,
    /// An agent's answer to the participants.
    Reply,
    /// An internal note.
    Note,
    /// A change (assignment, status, ...).
    Event,
}

/// How a body is written.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum BodyFormatName {
    /// Typed into Tessera's forms (the agent area, the portal, this API's replies and
    /// notes).
    Markdown,
    /// HTML.
    Html,
    /// Plain text as a mail or a program sent it: nothing in it is markup.
    Text,
}

/// One entry of a ticket's thread.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Entry {
    /// Entry id (pass the newest of others as `seen_entry` to check for conflicts).
    pub id: i64,
    pub kind: EntryKindName,
    /// The author's display name.
    pub author: String,
    /// Whether an agent wrote it.
    pub by_agent: bool,
    /// The text as the thread shows it, whole however long (for events, the event
    /// described in the request's language). A mail's shows at most 50000 characters of
    /// what was written now; the rest is in `folded`.
    pub body: String,
    pub body_format: BodyFormatName,
    /// What the thread folds away of a mail, as plain text: the quoted original, the
    /// signature, and what did not fit in `body`.
    pub folded: Option<String>,
    /// For events, what happened (a stable key such as `event-status`).
    pub event: Option<String>,
    /// Whether it came in by email.
    pub by_email: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub attachments: Vec<AttachmentInfo>,
}

/// An answer to one of the help topic's custom fields.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FieldAnswer {
    pub field_id: i64,
    /// The field's kind (`short_text`, `date`, ...).
    pub kind: String,
    /// The field's label in the request's language.
    pub label: String,
    /// The answer as stored: multi-choice answers one per line, a ticked checkbox `1`.
    pub value: String,
}

/// A ticket with its thread, as the agent UI shows it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TicketDetail {
    pub number: String,
    pub subject: String,
    pub status: StatusName,
    pub priority: PriorityName,
    pub department: Named,
    pub topic: Option<Named>,
    pub requester: Person,
    pub assignee_agent: Option<Named>,
    pub assignee_team: Option<Named>,
    /// Whether an agent replied since the last message.
    pub is_answered: bool,
    /// The due date (`YYYY-MM-DD`) if one is set; due at the end of that day, UTC.
    #[schema(format = Date)]
    pub due_date: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Whether the key's agent may change the ticket (else only read it).
    pub can_work: bool,
    /// The newest entry written by someone other than the key's agent (0 if none): pass it
    /// as `seen_entry` of a reply to refuse the reply if others wrote since.
    pub latest_entry_by_others: i64,
    pub collaborators: Vec<Person>,
    pub fields: Vec<FieldAnswer>,
    /// Every entry, oldest first.
    pub thread: Vec<Entry>,
}

fn event_text(lang: Lang, body: &str) -> (Option<String>, String) {
    let Some(e) = TicketEvent::decode(body) else {
        return (None, body.to_owned());
    };
    let args: Vec<(&'static str, String)> = e
        .args()
        .into_iter()
        .map(|(k, v)| match (&e, k) {
            (TicketEvent::Status { .. }, _) => (k, tessera_i18n::t(lang, &format!("status-{v}"))),
            (TicketEvent::Priority { .. }, _) => {
                (k, tessera_i18n::t(lang, &format!("priority-{v}")))
            }
            _ => (k, v),
        })
        .collect();
    let refs: Vec<(&'static str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    (
        Some(e.key().to_owned()),
        tessera_i18n::t_args(lang, e.key(), &refs),
    )
}

/// Ticket numbers are short printable text; anything else names no ticket.
pub(crate) fn plausible_number(api: &Api, n: &str) -> ApiResult<()> {
    if n.is_empty() || n.len() > 64 || n.chars().any(char::is_control) {
        return Err(ApiProblem::new(
            api.lang,
            axum::http::StatusCode::NOT_FOUND,
            "not-found",
        ));
    }
    Ok(())
}

/// One ticket with its thread, collaborators and custom field answers.
#[utoipa::path(
    get,
    path = "/tickets/{number}",
    tag = "tickets",
    params(("number" = String, Path, description = "The ticket's number")),
    responses(
        (status = 200, description = "The ticket", body = TicketDetail),
        ReadProblems
    )
)]
pub(crate) async fn get_ticket(
    State(s): State<AppState>,
    api: Api,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Response> {
    let agent = reader(&api)?;
    plausible_number(&api, &number)?;
    let lang = api.lang;
    let v = s
        .app
        .agent_ticket(agent, &number)
        .await
        .map_err(|e| ApiProblem::from_core(lang, e))?;
    let t = &v.ticket;
    let thread = v
        .thread
        .iter()
        .map(|e| {
            let (event, body) = if e.kind == EntryKind::Event {
                event_text(lang, &e.body)
            } else {
                (None, e.body.clone())
            };
            Entry {
                id: e.id.0,
                kind: match e.kind {
                    EntryKind::Message => EntryKindName::Message,
                    EntryKind::Reply => EntryKindName::Reply,
                    EntryKind::Note => EntryKindName::Note,
                    EntryKind::Event => EntryKindName::Event,
                },
                author: e.author_name.clone(),
                by_agent: e.by_agent,
                body,
                folded: e.quoted.clone(),
                body_format: match e.body_format {
                    BodyFormat::Markdown => BodyFormatName::Markdown,
                    BodyFormat::Html => BodyFormatName::Html,
                    BodyFormat::Text => BodyFormatName::Text,
                },
                event,
                by_email: e.by_email,
                created_at: iso(e.created_at),
                attachments: v
                    .attachments_of(e.id)
                    .map(|a| AttachmentInfo {
                        id: a.id.0,
                        filename: a.filename.clone(),
                        content_type: a.content_type.clone(),
                        size: a.size,
                        url: format!("{}/attachments/{}", super::PREFIX, a.id.0),
                    })
                    .collect(),
            }
        })
        .collect();
    let detail = TicketDetail {
        number: t.number.clone(),
        subject: t.subject.clone(),
        status: StatusName::of(t.status),
        priority: PriorityName::of(t.priority),
        department: Named {
            id: t.department.id.0,
            name: t.department.name.clone(),
        },
        topic: t.help_topic.as_ref().map(|h| Named {
            id: h.id.0,
            name: h.name(lang).to_owned(),
        }),
        requester: Person {
            id: t.requester.id.0,
            name: t.requester.name.clone(),
            email: t.requester.email.clone(),
        },
        assignee_agent: t.assignee_agent.as_ref().map(|(id, name)| Named {
            id: id.0,
            name: name.clone(),
        }),
        assignee_team: t.assignee_team.as_ref().map(|(id, name)| Named {
            id: id.0,
            name: name.clone(),
        }),
        is_answered: t.is_answered,
        due_date: t
            .due_at
            .map(|d| d.to_datetime().format("%Y-%m-%d").to_string()),
        created_at: iso(t.created_at),
        updated_at: iso(t.updated_at),
        can_work: v.can_work,
        latest_entry_by_others: v.latest_by_others,
        collaborators: v
            .collaborators
            .iter()
            .map(|c| Person {
                id: c.id.0,
                name: c.name.clone(),
                email: c.email.clone(),
            })
            .collect(),
        fields: v
            .fields
            .iter()
            .map(|f| FieldAnswer {
                field_id: f.field_id.0,
                kind: f.kind.as_str().to_owned(),
                label: f.label(lang).to_owned(),
                value: f.value.clone(),
            })
            .collect(),
        thread,
    };
    Ok(ok(detail))
}

/// Downloads an attachment of a ticket the key's agent may see, with its stored content
/// type and `Content-Disposition` naming the file.
#[utoipa::path(
    get,
    path = "/attachments/{id}",
    tag = "tickets",
    params(("id" = i64, Path, description = "The attachment's id")),
    responses(
        (status = 200, description = "The file's bytes, in its own content type", content_type = "*/*", body = String),
        ReadProblems
    )
)]
pub(crate) async fn download_attachment(
    State(s): State<AppState>,
    api: Api,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let agent = reader(&api)?;
    let (att, file) = s
        .app
        .agent_attachment(agent, id)
        .await
        .map_err(|e| ApiProblem::from_core(api.lang, e))?;
    Ok(crate::download::attachment_response(&att, file).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_belong_to_their_order() {
        let c = encode_cursor("all:updated:d::::", "123", 7);
        assert_eq!(
            decode_cursor("all:updated:d::::", &c),
            Some(("123".into(), 7))
        );
        assert_eq!(decode_cursor("all:number:d::::", &c), None);
        assert_eq!(decode_cursor("all:updated:d::::", "not base64!"), None);
    }
}
