//! The ticket page, as shown and as shown again with a refused form; who else is looking;
//! attachment downloads.

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::IntoResponse,
    routing::get,
};
use serde::Deserialize;
use tessera_core::AgentTicketView;
use tessera_domain::{EntryKind, Priority, TicketEvent, TicketStatus};

use super::choices;
use crate::{
    AppState,
    agent_ctx::{AgentCtx, agent_page, directory, ticket_url},
    delivery::{MailLine, mail_line},
    download::deliver,
    error::PageError,
    page::{PageResult, html},
    render::{Form, Page, entry_body, mail_text},
    topic_fields,
};

/// The ticket page's routes that show things.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/agent/tickets/{number}", get(ticket))
        .route("/agent/tickets/{number}/presence", get(presence))
        .route("/agent/attachments/{id}/{name}", get(download))
}

struct EntryView {
    id: i64,
    kind: &'static str,
    role: String,
    author: String,
    html: String,
    event: String,
    when: String,
    exact: String,
    iso: String,
    attachments: Vec<(String, String, String)>,
    /// Came in by email.
    by_email: bool,
    /// The folded quoted text, rendered.
    quoted: Option<String>,
    /// The page with the HTML as sent.
    original: Option<String>,
    /// The whole text, when the page shows only its beginning.
    full_text: Option<String>,
    /// Why its mail may be forged (failed DKIM/SPF/DMARC), in the reader's language.
    auth_warning: Option<String>,
    /// Held for an agent until accepted.
    held: bool,
    /// Why it was taken for automatic mail, in the reader's language.
    automatic: Option<String>,
}

#[derive(Template)]
#[template(path = "agent/ticket.html")]
struct TicketPage {
    p: Page,
    /// Whether the agent has a signature (the reply form offers to append it).
    has_signature: bool,
    /// Canned responses: id, title and the text filled in for this ticket (the script
    /// inserts it at the cursor; without script the form asks for the page again).
    canned: Vec<(i64, String, String)>,
    number: String,
    subject: String,
    status: &'static str,
    status_label: String,
    priority: &'static str,
    priority_label: String,
    topic: String,
    department_id: i64,
    department: String,
    assignee_agent: Option<i64>,
    assignee: Option<String>,
    requester: String,
    requester_id: i64,
    requester_email: String,
    created: String,
    custom_fields: Vec<(String, Vec<String>)>,
    due: String,
    due_input: String,
    entries: Vec<EntryView>,
    /// The mail the ticket caused, where each stands and the entry that caused it (its
    /// id and a label) (`_delivery.html`).
    mail: Vec<(MailLine, Option<(i64, String)>)>,
    collaborators: Vec<(i64, String, String)>,
    others: Vec<(String, String, String)>,
    viewers: String,
    can_work: bool,
    mine: bool,
    latest: i64,
    reply: Form,
    note: Form,
    /// The transfer form, when its comment was refused.
    transfer: Form,
    stale: bool,
    done: Option<String>,
    error: Option<String>,
    departments: Vec<(i64, String)>,
    agents: Vec<(i64, String)>,
    teams: Vec<(i64, String)>,
    statuses: Vec<(&'static str, String)>,
    priorities: Vec<(&'static str, String)>,
    max_bytes: u64,
    max_human: String,
    allowed: String,
}

impl TicketPage {
    /// Where the browser keeps the reply's draft (`assets/composer.js`).
    fn draft_key(&self) -> String {
        format!("ticket-{}-reply", self.number)
    }

    /// Where the browser keeps the note's draft.
    fn note_draft_key(&self) -> String {
        format!("ticket-{}-note", self.number)
    }

    fn assigned_to(&self, id: &i64) -> bool {
        self.assignee_agent == Some(*id)
    }

    /// The department the transfer form shows chosen: the one just submitted, else the
    /// ticket's own.
    fn transfer_to(&self, id: &i64) -> bool {
        match self.transfer.v("department").parse::<i64>() {
            Ok(d) => d == *id,
            Err(_) => *id == self.department_id,
        }
    }
}

#[derive(Deserialize, Default)]
pub(super) struct TicketParams {
    done: Option<String>,
    error: Option<String>,
    canned: Option<i64>,
}

fn event_text(p: &Page, body: &str) -> String {
    let Some(e) = TicketEvent::decode(body) else {
        return String::new();
    };
    let args: Vec<(&'static str, String)> = e
        .args()
        .into_iter()
        .map(|(k, v)| match (&e, k) {
            (TicketEvent::Status { .. }, _) => (k, p.t(&format!("status-{v}"))),
            (TicketEvent::Priority { .. }, _) => (k, p.t(&format!("priority-{v}"))),
            _ => (k, v),
        })
        .collect();
    let refs: Vec<(&'static str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    tessera_i18n::t_args(p.lang, e.key(), &refs)
}

pub(super) async fn render_ticket(
    s: &AppState,
    a: &AgentCtx,
    number: &str,
    reply: Form,
    note: Form,
    stale: bool,
    params: TicketParams,
) -> PageResult {
    let forms = (reply, note, Form::new());
    render_ticket_forms(s, a, number, forms, stale, params).await
}

/// The ticket page with the reply, note and transfer forms as submitted.
pub(super) async fn render_ticket_forms(
    s: &AppState,
    a: &AgentCtx,
    number: &str,
    (mut reply, note, transfer): (Form, Form, Form),
    stale: bool,
    params: TicketParams,
) -> PageResult {
    let lang = a.ctx.lang;
    let v: AgentTicketView = s
        .app
        .agent_view(a.reader(), number)
        .await
        .map_err(|e| PageError::from_core(lang, e))?;
    let mail = s
        .app
        .ticket_mail(&v)
        .await
        .map_err(|e| PageError::from_core(lang, e))?;
    let frame = agent_page(s, a);
    let p = &frame;
    // Each mail beside the entry that caused it: the newest written at or before it was
    // queued (they are written in one transaction, the entry first).
    let mail = mail
        .iter()
        .map(|m| {
            let cause = v
                .thread
                .iter()
                .rfind(|e| e.created_at.0 <= m.queued_at.0)
                .map(|e| {
                    let what = p.t(&format!("entry-{}", e.kind.as_str()));
                    (e.id.0, format!("{what}, {}", p.datetime(&e.created_at)))
                });
            (mail_line(p, m), cause)
        })
        .collect();
    let t = &v.ticket;
    let entries = v
        .thread
        .iter()
        .map(|e| EntryView {
            id: e.id.0,
            kind: match e.kind {
                EntryKind::Message => "message",
                EntryKind::Reply => "reply",
                EntryKind::Note => "note",
                EntryKind::Event => "event",
            },
            role: p.t(&format!("entry-{}", e.kind.as_str())),
            author: e.author_name.clone(),
            html: match (e.kind, e.body_format) {
                (EntryKind::Event, _) => String::new(),
                (_, format) => entry_body(format, &e.body),
            },
            event: if e.kind == EntryKind::Event {
                event_text(p, &e.body)
            } else {
                String::new()
            },
            when: p.ago(&e.created_at),
            exact: p.exact(&e.created_at),
            iso: p.iso(&e.created_at),
            attachments: v
                .attachments_of(e.id)
                .map(|x| {
                    (
                        format!(
                            "/agent/attachments/{}/{}",
                            x.id,
                            percent_encoding::utf8_percent_encode(
                                &x.filename,
                                percent_encoding::NON_ALPHANUMERIC
                            )
                        ),
                        x.filename.clone(),
                        p.bytes(&x.size),
                    )
                })
                .collect(),
            by_email: e.by_email && e.kind != EntryKind::Event,
            quoted: e.quoted.as_deref().map(mail_text),
            original: e
                .has_original_html
                .then(|| format!("{}/entries/{}/original", ticket_url(&t.number), e.id.0)),
            full_text: e
                .shortened
                .then(|| format!("{}/entries/{}/text", ticket_url(&t.number), e.id.0)),
            auth_warning: e
                .auth_warning
                .as_deref()
                .map(|w| tessera_i18n::t_stored(p.lang, w)),
            held: e.held,
            automatic: e
                .automatic
                .as_deref()
                .map(|w| tessera_i18n::t_stored(p.lang, w)),
        })
        .collect();
    let dir = directory(s, a).await?;
    let c = choices(&dir, lang);
    let cfg = s.app.settings();
    let key_msg = |k: Option<String>, prefix: &str| {
        k.filter(|d| d.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
            .map(|d| p.t(&format!("{prefix}{d}")))
    };
    let canned = dir.canned_for(&a.agent, t);
    // A chosen canned response starts the reply (works without JavaScript).
    if let Some((_, _, text)) = params
        .canned
        .and_then(|id| canned.iter().find(|(c, _, _)| *c == id))
    {
        reply.set("body", text.clone());
    }

    let page = TicketPage {
        has_signature: !a.agent.signature.trim().is_empty(),
        canned,
        number: t.number.clone(),
        subject: t.subject.clone(),
        status: t.status.as_str(),
        status_label: p.t(&format!("status-{}", t.status.as_str())),
        priority: t.priority.as_str(),
        priority_label: p.t(&format!("priority-{}", t.priority.as_str())),
        topic: t
            .help_topic
            .as_ref()
            .map(|h| h.name(lang).to_owned())
            .unwrap_or_default(),
        department_id: t.department.id.0,
        department: t.department.name.clone(),
        assignee_agent: t.assignee_agent.as_ref().map(|(id, _)| id.0),
        assignee: match (&t.assignee_agent, &t.assignee_team) {
            (Some((_, a)), Some((_, team))) => Some(format!("{a} ({team})")),
            (Some((_, a)), None) => Some(a.clone()),
            (None, Some((_, team))) => Some(team.clone()),
            (None, None) => None,
        },
        requester: t.requester.name.clone(),
        requester_email: t.requester.email.clone(),
        requester_id: t.requester.id.0,
        created: p.time_tag(&t.created_at),
        custom_fields: topic_fields::value_lines(lang, &v.fields),
        due: v.ticket.due_at.map(|d| p.date(&d)).unwrap_or_default(),
        due_input: v
            .ticket
            .due_at
            .map(|d| {
                // The date the due time falls on in the installation's zone, as
                // `change_due` reads it back.
                let l = d.local(cfg.time_zone);
                format!("{:04}-{:02}-{:02}", l.year, l.month, l.day)
            })
            .unwrap_or_default(),
        entries,
        mail,
        collaborators: v
            .collaborators
            .iter()
            .map(|c| (c.id.0, c.name.clone(), c.email.clone()))
            .collect(),
        others: v
            .others
            .iter()
            .map(|o| {
                (
                    o.number.clone(),
                    o.subject.clone(),
                    p.t(&format!("status-{}", o.status.as_str())),
                )
            })
            .collect(),
        viewers: v.viewers.join(", "),
        can_work: v.can_work,
        mine: t
            .assignee_agent
            .as_ref()
            .is_some_and(|(id, _)| *id == a.agent.id),
        latest: v.latest_by_others,
        reply,
        note,
        transfer,
        stale,
        done: key_msg(params.done, "done-"),
        error: key_msg(params.error, ""),
        departments: c.departments,
        agents: c.agents,
        teams: c.teams,
        statuses: TicketStatus::ALL
            .iter()
            .map(|x| (x.as_str(), p.t(&format!("status-{}", x.as_str()))))
            .collect(),
        priorities: Priority::ALL
            .iter()
            .map(|x| (x.as_str(), p.t(&format!("priority-{}", x.as_str()))))
            .collect(),
        max_bytes: cfg.attachment_max_total,
        max_human: tessera_i18n::bytes(lang, cfg.attachment_max_total as i64),
        allowed: cfg
            .allowed_extensions
            .iter()
            .map(|e| format!(".{e}"))
            .collect::<Vec<_>>()
            .join(","),
        p: frame,
    };
    let status =
        if stale || page.reply.has_errors() || page.note.has_errors() || page.transfer.has_errors()
        {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
    html(&a.ctx, status, &page)
}

async fn ticket(
    State(s): State<AppState>,
    a: AgentCtx,
    Path(number): Path<String>,
    Query(q): Query<TicketParams>,
) -> PageResult {
    render_ticket(&s, &a, &number, Form::new(), Form::new(), false, q).await
}

async fn presence(
    State(s): State<AppState>,
    a: AgentCtx,
    Path(number): Path<String>,
) -> PageResult {
    let viewers = s
        .app
        .presence(a.reader(), &number)
        .await
        .map_err(|e| PageError::from_core(a.ctx.lang, e))?;
    let text = if viewers.is_empty() {
        String::new()
    } else {
        tessera_i18n::t_args(a.ctx.lang, "presence", &[("names", &viewers.join(", "))])
    };
    let mut res = (StatusCode::OK, text).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    Ok(a.ctx.finish(res))
}

async fn download(
    State(s): State<AppState>,
    a: AgentCtx,
    Path((id, _name)): Path<(i64, String)>,
) -> PageResult {
    let (att, file) = s
        .app
        .agent_attachment(a.reader(), id)
        .await
        .map_err(|e| PageError::from_core(a.ctx.lang, e))?;
    Ok(deliver(&s, &att, file).await)
}
