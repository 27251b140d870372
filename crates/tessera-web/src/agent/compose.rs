//! Agents open tickets for requesters (`/agent/tickets/new`), find contacts as they type
//! (`/agent/contacts`, JSON), and preview what they write (`/agent/preview`): the composer's
//! preview goes through the same Markdown renderer as the thread, so preview = result.

use askama::Template;
use axum::{
    Form as AxForm, Json, Router,
    extract::{Query, Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect},
    routing::{get, post},
};
use serde::Deserialize;
use tessera_core::{AgentNewTicket, CHANNELS, CoreError};
use tessera_domain::{BodyFormat, Lang, Problem};

use crate::{
    AppState,
    agent_ctx::{AgentCtx, agent_page, directory, ticket_url},
    error::PageError,
    page::{PageResult, html},
    render::{Form, Page, entry_body},
    upload,
};

/// The routes of the new-ticket page, the contact search and the preview.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/agent/tickets/new", get(new_ticket).post(open_ticket))
        .route("/agent/contacts", get(contacts))
        .route("/agent/preview", post(preview))
}

#[derive(Template)]
#[template(path = "agent/new_ticket.html")]
struct NewTicketPage {
    p: Page,
    form: Form,
    topics: Vec<(i64, String)>,
    departments: Vec<(i64, String)>,
    agents: Vec<(i64, String)>,
    teams: Vec<(i64, String)>,
    channels: Vec<(&'static str, String)>,
    /// The requester gets a mail (on unless the agent turned it off).
    mail: bool,
    max_bytes: u64,
    max_human: String,
    allowed: String,
}

impl NewTicketPage {
    fn sel(&self, name: &str, value: &str) -> bool {
        self.form.v(name) == value
    }
}

/// The form's fields, as read from a submission (or empty on first show).
const FIELDS: [&str; 11] = [
    "email",
    "name",
    "lang",
    "help_topic_id",
    "department_id",
    "assignee",
    "channel",
    "first",
    "subject",
    "body",
    "mail",
];

async fn render(s: &AppState, a: &AgentCtx, form: Form, fresh: bool) -> PageResult {
    let lang = a.ctx.lang;
    let dir = directory(s, a).await?;
    let p = agent_page(s, a);
    let cfg = s.app.settings();
    let mail = fresh || form.v("mail") == "1";
    let page = NewTicketPage {
        topics: dir.topics(lang),
        departments: s.app.opening_departments(a.worker(), &dir),
        agents: dir.agent_names(),
        teams: dir.teams.clone(),
        channels: CHANNELS
            .iter()
            .map(|c| (*c, p.t(&format!("compose-channel-{c}"))))
            .collect(),
        mail,
        max_bytes: cfg.attachment_max_total,
        max_human: tessera_i18n::bytes(lang, cfg.attachment_max_total as i64),
        allowed: cfg
            .allowed_extensions
            .iter()
            .map(|e| format!(".{e}"))
            .collect::<Vec<_>>()
            .join(","),
        form,
        p,
    };
    let status = if page.form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    html(&a.ctx, status, &page)
}

async fn new_ticket(State(s): State<AppState>, a: AgentCtx) -> PageResult {
    if s.app
        .opening_departments(a.worker(), &*directory(&s, &a).await?)
        .is_empty()
    {
        return Err(PageError::from_core(a.ctx.lang, CoreError::Forbidden));
    }
    let mut form = Form::new();
    form.set("channel", "phone".into());
    form.set("first", "reply".into());
    render(&s, &a, form, true).await
}

async fn open_ticket(State(s): State<AppState>, a: AgentCtx, req: Request) -> PageResult {
    let lang = a.ctx.lang;
    // `a` first: the sign-in and origin checks run before the body is read.
    let sub = upload::read(req, &s.app, lang, "attachments").await?;
    let mut form = Form::new();
    for f in FIELDS {
        form.set(f, sub.get(f).to_owned());
    }
    let mut p = Problem::default();
    if !a.ctx.csrf_ok(sub.get("csrf")) {
        p.add("form", "error-csrf");
    }
    sub.add_problems(&mut p);
    if !p.is_empty() {
        return render(&s, &a, form.with_problem(lang, &p), false).await;
    }
    let input = AgentNewTicket {
        email: sub.get("email").to_owned(),
        name: sub.get("name").to_owned(),
        help_topic_id: sub.get("help_topic_id").to_owned(),
        department_id: sub.get("department_id").to_owned(),
        assignee: sub.get("assignee").to_owned(),
        subject: sub.get("subject").to_owned(),
        body: sub.get("body").to_owned(),
        as_note: sub.get("first") == "note",
        channel: sub.get("channel").to_owned(),
        mail_requester: sub.get("mail") == "1",
        lang: Lang::parse(sub.get("lang")).unwrap_or(lang),
        uploads: sub.uploads,
    };
    match s.app.agent_open_ticket(a.worker(), input).await {
        Ok(opened) => Ok(a.ctx.finish(Redirect::to(&format!(
            "{}?done=opened-for",
            ticket_url(&opened.number)
        )))),
        Err(CoreError::Invalid(p)) => render(&s, &a, form.with_problem(lang, &p), false).await,
        Err(e) => Err(PageError::from_core(lang, e)),
    }
}

#[derive(Deserialize)]
struct ContactQuery {
    #[serde(default)]
    q: String,
}

/// Contacts matching what was typed, as JSON: `[{"name": …, "email": …}]`.
async fn contacts(
    State(s): State<AppState>,
    a: AgentCtx,
    Query(q): Query<ContactQuery>,
) -> PageResult {
    let found = s
        .app
        .find_contacts(a.worker(), &q.q)
        .await
        .map_err(|e| PageError::from_core(a.ctx.lang, e))?;
    let list: Vec<serde_json::Value> = found
        .into_iter()
        .map(|c| serde_json::json!({ "name": c.name, "email": c.email }))
        .collect();
    Ok(a.ctx.finish(Json(list)))
}

#[derive(Deserialize)]
struct PreviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
}

/// What a text will look like in the thread, as an HTML fragment rendered by the thread's
/// own renderer. CSRF-checked like every post (a cross-site page must not use an agent's
/// session even to render).
async fn preview(a: AgentCtx, AxForm(f): AxForm<PreviewForm>) -> PageResult {
    if !a.ctx.csrf_ok(&f.csrf) {
        let text = tessera_i18n::t(a.ctx.lang, "error-csrf");
        return Ok(a.ctx.finish((StatusCode::UNPROCESSABLE_ENTITY, text)));
    }
    let body = f
        .body
        .chars()
        .take(tessera_core::MAX_BODY)
        .collect::<String>();
    let mut res = entry_body(BodyFormat::Markdown, &body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    Ok(a.ctx.finish(res))
}
