//! The agent area: sign-in, password change, queues, the ticket page and every action.

use std::net::SocketAddr;

use askama::Template;
use axum::{
    Form as AxForm, Router,
    body::Bytes,
    extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, Multipart, Path, Query, State},
    http::{HeaderValue, StatusCode, header, request::Parts},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use tessera_core::{AgentReply, AgentTicketView, BulkAction, CoreError};
use tessera_core::{Reader, Worker};
use tessera_domain::{
    Agent, AgentId, BodyFormat, ContactId, DepartmentId, EntryKind, HelpTopicId, Priority, Problem,
    Queue, QueueItem, QueueQuery, Sort, TeamId, TicketEvent, TicketStatus,
};

use crate::{
    AppState, Ctx,
    ctx::SESSION_COOKIE,
    error::PageError,
    portal::{CsrfOnly, PageResult, end_session, html},
    render::{Form, Page, plain_text, user_text},
    upload,
};

/// Rows per queue page.
const PAGE_SIZE: i64 = 50;

pub fn router() -> Router<AppState> {
    let body_cap = upload::BODY_CAP;
    Router::new()
        .route(
            "/agent",
            get(|| async { Redirect::to("/agent/queue/open") }),
        )
        .route("/agent/login", get(login_form).post(login_submit))
        .route("/agent/logout", post(logout))
        .route("/agent/password", get(password_form).post(password_submit))
        .route("/agent/queue/{queue}", get(queue))
        .route("/agent/bulk", post(bulk))
        .route("/agent/tickets/{number}", get(ticket))
        .route("/agent/tickets/{number}/presence", get(presence))
        .route(
            "/agent/tickets/{number}/reply",
            post(reply).layer(DefaultBodyLimit::max(body_cap)),
        )
        .route(
            "/agent/tickets/{number}/note",
            post(note).layer(DefaultBodyLimit::max(body_cap)),
        )
        .route("/agent/tickets/{number}/action", post(action))
        .route("/agent/attachments/{id}/{name}", get(download))
}

/// A signed-in agent with the request context.
pub struct AgentCtx {
    pub(crate) ctx: Ctx,
    pub(crate) agent: Agent,
}

impl FromRequestParts<AppState> for AgentCtx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let ctx = Ctx::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let agent = match &ctx.session {
            Some(s) => state
                .app
                .session_agent(s)
                .await
                .map_err(|e| PageError::from_core(ctx.lang, e).into_response())?,
            None => None,
        };
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/agent");
        let Some(agent) = agent else {
            // Background requests (presence) get a status, not a sign-in page.
            if parts.uri.path().ends_with("/presence") {
                return Err(StatusCode::UNAUTHORIZED.into_response());
            }
            let next =
                percent_encoding::utf8_percent_encode(path, percent_encoding::NON_ALPHANUMERIC);
            return Err(Redirect::to(&format!("/agent/login?next={next}")).into_response());
        };
        if agent.must_change_password && parts.uri.path() != "/agent/password" {
            return Err(Redirect::to("/agent/password").into_response());
        }
        let mut ctx = ctx;
        ctx.lang = agent.lang;
        if let Some(l) = crate::ctx::cookie(&parts.headers, crate::ctx::LANG_COOKIE)
            .and_then(tessera_domain::Lang::parse)
        {
            ctx.lang = l;
        }
        Ok(AgentCtx { ctx, agent })
    }
}

impl AgentCtx {
    /// The agent, changing tickets (core still asks per ticket whether they may).
    pub(crate) fn worker(&self) -> Worker<'_> {
        Worker::signed_in(&self.agent)
    }

    /// The agent, reading tickets.
    pub(crate) fn reader(&self) -> Reader<'_> {
        self.worker().reader()
    }
}

/// The page frame for an agent page.
pub(crate) fn agent_page(s: &AppState, a: &AgentCtx) -> Page {
    let mut p = Page::new(&a.ctx, &s.app.settings());
    p.agent = Some(a.agent.display_name.clone());
    p.admin = a.agent.is_admin;
    p
}

fn safe_next(next: Option<&str>) -> String {
    next.filter(|n| n.starts_with("/agent") && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or("/agent/queue/open")
        .to_owned()
}

#[derive(Template)]
#[template(path = "agent/login.html")]
struct LoginPage {
    p: Page,
    form: Form,
    failed: bool,
    saved: bool,
    next: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
    done: Option<String>,
}

async fn login_form(State(s): State<AppState>, ctx: Ctx, Query(q): Query<NextQuery>) -> PageResult {
    let page = LoginPage {
        p: Page::new(&ctx, &s.app.settings()),
        form: Form::new(),
        failed: false,
        saved: q.done.as_deref() == Some("password"),
        next: safe_next(q.next.as_deref()),
    };
    html(&ctx, StatusCode::OK, &page)
}

#[derive(Deserialize)]
struct LoginInput {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn login_submit(
    State(s): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ctx: Ctx,
    AxForm(input): AxForm<LoginInput>,
) -> PageResult {
    let next = safe_next(input.next.as_deref());
    let mut form = Form::new();
    form.set("username", input.username.clone());
    let mut p = Problem::default();
    if !ctx.csrf_ok(&input.csrf) {
        p.add("form", "error-csrf");
    }
    if input.username.trim().is_empty() {
        p.add("username", "error-required");
    }
    if input.password.is_empty() {
        p.add("password", "error-required");
    }
    let org = s.app.settings();
    if !p.is_empty() {
        let page = LoginPage {
            p: Page::new(&ctx, &org),
            form: form.with_problem(ctx.lang, &p),
            failed: false,
            saved: false,
            next,
        };
        return html(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    // Throttled per client address, and per account from that address: an attacker
    // elsewhere cannot lock the real agent out.
    let w = &s.web;
    let name_key = format!(
        "login:{}:{}",
        input.username.trim().to_lowercase(),
        peer.ip()
    );
    if !s.limiter.allow(
        &format!("login-ip:{}", peer.ip()),
        w.login_attempts_per_ip,
        w.status_window,
    ) || !s
        .limiter
        .allow(&name_key, w.login_attempts_per_account, w.status_window)
    {
        return Err(PageError::too_many(ctx.lang));
    }
    match s
        .app
        .sign_in(
            &input.username,
            &input.password,
            ctx.session.as_ref(),
            &peer.ip().to_string(),
        )
        .await
    {
        Ok((_, cookie)) => {
            s.limiter.reset(&name_key);
            let mut res = Redirect::to(&next).into_response();
            let c = ctx.cookie_header(
                SESSION_COOKIE,
                &cookie,
                s.app.config().agent_session_absolute_secs,
                true,
            );
            res.headers_mut().append(header::SET_COOKIE, c);
            Ok(ctx.finish(res))
        }
        Err(CoreError::NotFound) => {
            tracing::info!(ip = %peer.ip(), "failed agent sign-in");
            let page = LoginPage {
                p: Page::new(&ctx, &org),
                form,
                failed: true,
                saved: false,
                next,
            };
            html(&ctx, StatusCode::UNAUTHORIZED, &page)
        }
        Err(e) => Err(PageError::from_core(ctx.lang, e)),
    }
}

async fn logout(State(s): State<AppState>, ctx: Ctx, AxForm(f): AxForm<CsrfOnly>) -> PageResult {
    end_session(&s, &ctx, &f.csrf, "/agent/login").await
}

#[derive(Template)]
#[template(path = "agent/password.html")]
struct PasswordPage {
    p: Page,
    form: Form,
    forced: bool,
    min: usize,
}

async fn password_form(State(s): State<AppState>, a: AgentCtx) -> PageResult {
    let page = PasswordPage {
        forced: a.agent.must_change_password,
        p: agent_page(&s, &a),
        form: Form::new(),
        min: tessera_core::MIN_PASSWORD,
    };
    html(&a.ctx, StatusCode::OK, &page)
}

#[derive(Deserialize)]
struct PasswordInput {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

async fn password_submit(
    State(s): State<AppState>,
    a: AgentCtx,
    AxForm(f): AxForm<PasswordInput>,
) -> PageResult {
    let result = if a.ctx.csrf_ok(&f.csrf) {
        s.app
            .change_password(&a.agent, &f.current, &f.new, &f.repeat)
            .await
    } else {
        let mut p = Problem::default();
        p.add("form", "error-csrf");
        Err(CoreError::Invalid(p))
    };
    match result {
        Ok(()) => Ok(a
            .ctx
            .finish(Redirect::to("/agent/queue/open?done=password"))),
        Err(CoreError::Invalid(p)) => {
            let page = PasswordPage {
                forced: a.agent.must_change_password,
                form: Form::new().with_problem(a.ctx.lang, &p),
                p: agent_page(&s, &a),
                min: tessera_core::MIN_PASSWORD,
            };
            html(&a.ctx, StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(PageError::from_core(a.ctx.lang, e)),
    }
}

#[derive(Deserialize, Default)]
struct QueueParams {
    sort: Option<String>,
    dir: Option<String>,
    department: Option<String>,
    topic: Option<String>,
    assignee: Option<String>,
    status: Option<String>,
    field_value: Option<String>,
    after: Option<String>,
    done: Option<String>,
    error: Option<String>,
    q: Option<String>,
    cursor: Option<String>,
}

fn id_param(v: &Option<String>) -> Option<i64> {
    v.as_deref().and_then(|s| s.parse().ok())
}

struct QueueTab {
    name: &'static str,
    label: String,
    count: i64,
    current: bool,
}

struct RowView {
    number: String,
    subject: String,
    requester: String,
    updated: String,
    assignee: String,
    priority: &'static str,
    priority_label: String,
    status_label: String,
    due: String,
    unseen: bool,
    /// Where a search found its words: (text, matched).
    snippet: Vec<(String, bool)>,
}

#[derive(Template)]
#[template(path = "agent/queue.html")]
struct QueuePage {
    p: Page,
    queue: &'static str,
    title: String,
    tabs: Vec<QueueTab>,
    rows: Vec<RowView>,
    /// The rows are search hits, ranked.
    searching: bool,
    /// The same search over every ticket, when this is a narrower queue.
    search_all: Option<String>,
    next: Option<String>,
    first: Option<String>,
    filters: Form,
    departments: Vec<(i64, String)>,
    topics: Vec<(i64, String)>,
    agents: Vec<(i64, String)>,
    teams: Vec<(i64, String)>,
    sorts: Vec<(&'static str, String)>,
    statuses: Vec<(&'static str, String)>,
    priorities: Vec<(&'static str, String)>,
    done: Option<String>,
    /// A form on the page was refused (only `error-csrf` is shown).
    error: Option<String>,
}

impl QueuePage {
    fn sel(&self, name: &str, value: &str) -> bool {
        self.filters.v(name) == value
    }
}

struct Choices {
    departments: Vec<(i64, String)>,
    topics: Vec<(i64, String)>,
    agents: Vec<(i64, String)>,
    teams: Vec<(i64, String)>,
}

/// The dropdowns' choices, from the directory as of the request's session.
fn choices(d: &tessera_core::Directory, lang: tessera_domain::Lang) -> Choices {
    Choices {
        departments: d.departments.clone(),
        topics: d.topics(lang),
        agents: d.agent_names(),
        teams: d.teams.clone(),
    }
}

/// The directory as of the request's session.
pub(crate) async fn directory(
    s: &AppState,
    a: &AgentCtx,
) -> Result<std::sync::Arc<tessera_core::Directory>, PageError> {
    let generation = a.ctx.session.as_ref().and_then(|x| x.directory);
    s.app
        .directory(generation)
        .await
        .map_err(|e| PageError::from_core(a.ctx.lang, e))
}

fn row_view(p: &Page, r: &QueueItem) -> RowView {
    let priority = r.priority.as_str();
    RowView {
        number: r.number.clone(),
        subject: r.subject.clone(),
        requester: r.requester_name.clone(),
        updated: p.datetime(&r.updated_at),
        assignee: match (&r.agent_name, &r.team_name) {
            (Some(a), Some(t)) => format!("{a} ({t})"),
            (Some(a), None) => a.clone(),
            (None, Some(t)) => t.clone(),
            (None, None) => "–".into(),
        },
        priority,
        priority_label: p.t(&format!("priority-{priority}")),
        status_label: p.t(&format!("status-{}", r.status.as_str())),
        due: r.due_at.map(|d| p.date(&d)).unwrap_or_default(),
        unseen: r.unseen,
        snippet: Vec::new(),
    }
}

fn hit_view(p: &Page, h: &tessera_core::SearchHit) -> RowView {
    let mut v = row_view(p, &h.ticket);
    v.snippet = h.snippet.clone();
    v
}

fn query_string(params: &[(&str, String)]) -> String {
    params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| {
            format!(
                "{k}={}",
                percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

async fn queue(
    State(s): State<AppState>,
    a: AgentCtx,
    Path(name): Path<String>,
    Query(q): Query<QueueParams>,
) -> PageResult {
    let lang = a.ctx.lang;
    let queue = Queue::parse(&name).ok_or(PageError::not_found(lang))?;
    let sort = q
        .sort
        .as_deref()
        .and_then(Sort::parse)
        .unwrap_or(Sort::Updated);
    let descending = match q.dir.as_deref() {
        Some("asc") => false,
        Some("desc") => true,
        _ => sort != Sort::Due,
    };
    let status = q.status.as_deref().and_then(TicketStatus::parse);
    let after = q.after.as_deref().and_then(|c| {
        let (k, i) = c.rsplit_once('_')?;
        Some((k.to_owned(), i.parse::<i64>().ok()?))
    });
    let query = QueueQuery {
        queue,
        sort,
        descending,
        department: id_param(&q.department).map(DepartmentId),
        topic: id_param(&q.topic).map(HelpTopicId),
        assignee: id_param(&q.assignee).map(AgentId),
        status,
        field_value: q.field_value.clone().filter(|v| !v.trim().is_empty()),
        after,
        limit: PAGE_SIZE,
    };
    let search = q.q.as_deref().map(str::trim).filter(|x| !x.is_empty());
    let listed = match search {
        // A search shows its own hits.
        Some(_) => s
            .app
            .queue_counts(a.reader())
            .await
            .map(|c| (Vec::new(), c)),
        None => {
            s.app
                .queue(
                    a.reader(),
                    &QueueQuery {
                        // One row more than shown: whether a next page exists is then known.
                        limit: PAGE_SIZE + 1,
                        ..query.clone()
                    },
                )
                .await
        }
    };
    // Filters core refuses (too long) are shown at their fields, with no rows.
    let mut refused = None;
    let listed = match listed {
        Err(CoreError::Invalid(p)) => {
            refused = Some(p);
            s.app
                .queue_counts(a.reader())
                .await
                .map(|c| (Vec::new(), c))
        }
        listed => listed,
    };
    let (mut rows, counts) = listed.map_err(|e| PageError::from_core(lang, e))?;
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let found = match search.filter(|_| refused.is_none()) {
        Some(text) => match s
            .app
            .search(a.reader(), &query, text, q.cursor.as_deref())
            .await
        {
            Ok(f) => Some(f),
            Err(CoreError::Invalid(p)) => {
                refused = Some(p);
                None
            }
            Err(e) => return Err(PageError::from_core(lang, e)),
        },
        None => None,
    };
    let frame = agent_page(&s, &a);
    let p = &frame;
    let base_params = vec![
        ("q", q.q.clone().unwrap_or_default()),
        ("sort", q.sort.clone().unwrap_or_default()),
        ("dir", q.dir.clone().unwrap_or_default()),
        ("department", q.department.clone().unwrap_or_default()),
        ("topic", q.topic.clone().unwrap_or_default()),
        ("assignee", q.assignee.clone().unwrap_or_default()),
        ("status", q.status.clone().unwrap_or_default()),
        ("field_value", q.field_value.clone().unwrap_or_default()),
    ];
    let next = match &found {
        Some(f) => f.next.as_ref().map(|c| {
            let mut params = base_params.clone();
            params.push(("cursor", c.clone()));
            format!("/agent/queue/{name}?{}", query_string(&params))
        }),
        None => more.then(|| {
            let last = rows.last().expect("a full page has a last row");
            let mut params = base_params.clone();
            params.push(("after", format!("{}_{}", last.sort_key, last.ticket_id)));
            format!("/agent/queue/{name}?{}", query_string(&params))
        }),
    };
    let first = (q.after.is_some() || q.cursor.is_some())
        .then(|| format!("/agent/queue/{name}?{}", query_string(&base_params)));
    let mut filters = Form::new();
    for (k, v) in &base_params {
        filters.set(k, v.clone());
    }
    if filters.v("sort").is_empty() {
        filters.set("sort", sort.as_str().into());
    }
    if let Some(p) = &refused {
        filters = filters.with_problem(lang, p);
    }
    let c = choices(&*directory(&s, &a).await?, lang);
    let page = QueuePage {
        queue: queue.as_str(),
        title: p.t(&format!("queue-{}", queue.as_str())),
        tabs: Queue::ALL
            .iter()
            .zip(counts)
            .map(|(qq, count)| QueueTab {
                name: qq.as_str(),
                label: p.t(&format!("queue-{}", qq.as_str())),
                count,
                current: *qq == queue,
            })
            .collect(),
        rows: match &found {
            Some(f) => f.hits.iter().map(|h| hit_view(p, h)).collect(),
            None => rows.iter().map(|r| row_view(p, r)).collect(),
        },
        searching: search.is_some(),
        search_all: search
            .filter(|_| queue != Queue::All)
            .map(|t| format!("/agent/queue/all?{}", query_string(&[("q", t.to_owned())]))),
        next,
        first,
        filters,
        departments: c.departments,
        topics: c.topics,
        agents: c.agents,
        teams: c.teams,
        sorts: Sort::ALL
            .iter()
            .map(|x| (x.as_str(), p.t(&format!("sort-{}", x.as_str()))))
            .collect(),
        statuses: TicketStatus::ALL
            .iter()
            .map(|x| (x.as_str(), p.t(&format!("status-{}", x.as_str()))))
            .collect(),
        priorities: Priority::ALL
            .iter()
            .map(|x| (x.as_str(), p.t(&format!("priority-{}", x.as_str()))))
            .collect(),
        done: q
            .done
            .filter(|d| d.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
            .map(|d| p.t(&format!("done-{d}"))),
        // The query string is the visitor's: only the one key this page is sent back with.
        error: q.error.filter(|e| e == "error-csrf").map(|e| p.t(&e)),
        p: frame,
    };
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    html(&a.ctx, status, &page)
}

/// `application/x-www-form-urlencoded` with repeated keys (checkbox lists).
pub(crate) fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode(k), decode(v))
        })
        .collect()
}

async fn bulk(State(s): State<AppState>, a: AgentCtx, body: Bytes) -> PageResult {
    let lang = a.ctx.lang;
    let fields = parse_form(&body);
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    if !a.ctx.csrf_ok(get("csrf")) {
        // The queue again, with the message (as every form answers a stale token).
        let back = safe_next(Some(get("back")));
        let back = with_param(&back, "error", "error-csrf");
        return Ok(a.ctx.finish(Redirect::to(&back)));
    }
    let numbers: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "t")
        .map(|(_, v)| v.clone())
        .collect();
    let back = safe_next(Some(get("back")));
    let action = match get("action").split_once(':').unwrap_or((get("action"), "")) {
        ("agent", id) => id.parse().ok().map(|i| BulkAction::AssignAgent(AgentId(i))),
        ("team", id) => id.parse().ok().map(|i| BulkAction::AssignTeam(TeamId(i))),
        ("department", id) => id
            .parse()
            .ok()
            .map(|i| BulkAction::Transfer(DepartmentId(i))),
        ("priority", p) => Priority::parse(p).map(BulkAction::Priority),
        ("close", _) => Some(BulkAction::Close),
        _ => None,
    };
    let Some(action) = action.filter(|_| !numbers.is_empty()) else {
        return Ok(a
            .ctx
            .finish(Redirect::to(&with_done(&back, "bulk-nothing"))));
    };
    s.app
        .bulk(a.worker(), &numbers, action)
        .await
        .map_err(|e| PageError::from_core(lang, e))?;
    Ok(a.ctx.finish(Redirect::to(&with_done(&back, "bulk"))))
}

fn with_done(url: &str, done: &str) -> String {
    with_param(url, "done", done)
}

/// `url` with `name=value` set; an earlier message (`done=`, `error=`) is dropped.
fn with_param(url: &str, name: &str, value: &str) -> String {
    let base: String = url.split('?').next().unwrap_or(url).to_owned();
    let rest: Vec<&str> = url
        .split_once('?')
        .map(|(_, q)| {
            q.split('&')
                .filter(|p| !p.starts_with("done=") && !p.starts_with("error="))
                .collect()
        })
        .unwrap_or_default();
    let mut q = rest.join("&");
    if !q.is_empty() {
        q.push('&');
    }
    format!("{base}?{q}{name}={value}")
}

struct EntryView {
    id: i64,
    kind: &'static str,
    role: String,
    author: String,
    html: String,
    event: String,
    when: String,
    iso: String,
    attachments: Vec<(String, String, String)>,
    /// Came in by email.
    by_email: bool,
    /// The folded quoted text, rendered.
    quoted: Option<String>,
    /// The page with the HTML as sent.
    original: Option<String>,
}

#[derive(Template)]
#[template(path = "agent/ticket.html")]
struct TicketPage {
    p: Page,
    canned: Vec<(i64, String)>,
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
struct TicketParams {
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

async fn render_ticket(
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
async fn render_ticket_forms(
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
    let frame = agent_page(s, a);
    let p = &frame;
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
                (_, BodyFormat::Markdown) => user_text(&e.body),
                (_, BodyFormat::Html) => ammonia::clean(&e.body),
            },
            event: if e.kind == EntryKind::Event {
                event_text(p, &e.body)
            } else {
                String::new()
            },
            when: p.datetime(&e.created_at),
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
            quoted: e.quoted.as_deref().map(plain_text),
            original: e
                .has_original_html
                .then(|| format!("{}/entries/{}/original", ticket_url(&t.number), e.id.0)),
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
    let canned = canned
        .into_iter()
        .map(|(id, title, _)| (id, title))
        .collect();
    let page = TicketPage {
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
        created: p.datetime(&t.created_at),
        custom_fields: crate::fields::value_lines(lang, &v.fields),
        due: v.ticket.due_at.map(|d| p.date(&d)).unwrap_or_default(),
        due_input: v
            .ticket
            .due_at
            .map(|d| d.to_datetime().format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        entries,
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

pub(crate) fn ticket_url(number: &str) -> String {
    format!(
        "/agent/tickets/{}",
        percent_encoding::utf8_percent_encode(number, percent_encoding::NON_ALPHANUMERIC)
    )
}

async fn reply(
    State(s): State<AppState>,
    a: AgentCtx,
    Path(number): Path<String>,
    mp: Multipart,
) -> PageResult {
    let lang = a.ctx.lang;
    let sub = upload::read(mp, &s.app, "attachments").await;
    let mut form = Form::new();
    form.set("body", sub.get("body").to_owned());
    form.set("status", sub.get("status").to_owned());
    let mut p = Problem::default();
    if !a.ctx.csrf_ok(sub.get("csrf")) {
        p.add("form", "error-csrf");
    }
    if sub.too_large {
        p.add("attachments", "error-attachments-too-large");
    }
    if !p.is_empty() {
        let form = form.with_problem(lang, &p);
        return render_ticket(
            &s,
            &a,
            &number,
            form,
            Form::new(),
            false,
            Default::default(),
        )
        .await;
    }
    let r = AgentReply {
        body: sub.get("body").to_owned(),
        status: TicketStatus::parse(sub.get("status")),
        seen_entry: sub.get("seen").parse().unwrap_or(0),
        confirm_stale: sub.get("confirm") == "1",
        uploads: sub.uploads,
    };
    match s.app.agent_reply(a.worker(), &number, r).await {
        Ok(()) => Ok(a
            .ctx
            .finish(Redirect::to(&format!("{}?done=reply", ticket_url(&number))))),
        Err(CoreError::Stale) => {
            render_ticket(&s, &a, &number, form, Form::new(), true, Default::default()).await
        }
        Err(CoreError::Invalid(p)) => {
            render_ticket(
                &s,
                &a,
                &number,
                form.with_problem(lang, &p),
                Form::new(),
                false,
                Default::default(),
            )
            .await
        }
        Err(CoreError::Forbidden) => Ok(a.ctx.finish(Redirect::to(&format!(
            "{}?error=error-not-allowed",
            ticket_url(&number)
        )))),
        Err(e) => Err(PageError::from_core(lang, e)),
    }
}

async fn note(
    State(s): State<AppState>,
    a: AgentCtx,
    Path(number): Path<String>,
    mp: Multipart,
) -> PageResult {
    let lang = a.ctx.lang;
    let sub = upload::read(mp, &s.app, "attachments").await;
    let mut form = Form::new();
    form.set("note", sub.get("note").to_owned());
    let mut p = Problem::default();
    if !a.ctx.csrf_ok(sub.get("csrf")) {
        p.add("form", "error-csrf");
    }
    if sub.too_large {
        p.add("attachments", "error-attachments-too-large");
    }
    let result = if p.is_empty() {
        let (text, alert) = (sub.get("note").to_owned(), sub.get("alert") == "1");
        s.app
            .note(a.worker(), &number, &text, sub.uploads, alert)
            .await
    } else {
        Err(CoreError::Invalid(p))
    };
    match result {
        Ok(()) => Ok(a
            .ctx
            .finish(Redirect::to(&format!("{}?done=note", ticket_url(&number))))),
        Err(CoreError::Invalid(p)) => {
            render_ticket(
                &s,
                &a,
                &number,
                Form::new(),
                form.with_problem(lang, &p),
                false,
                Default::default(),
            )
            .await
        }
        Err(CoreError::Forbidden) => Ok(a.ctx.finish(Redirect::to(&format!(
            "{}?error=error-not-allowed",
            ticket_url(&number)
        )))),
        Err(e) => Err(PageError::from_core(lang, e)),
    }
}

/// The small forms of the ticket page: one endpoint, the `do` field says which.
#[derive(Deserialize)]
struct ActionInput {
    #[serde(default)]
    csrf: String,
    #[serde(rename = "do", default)]
    what: String,
    #[serde(default)]
    agent: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    contact: String,
}

async fn action(
    State(s): State<AppState>,
    a: AgentCtx,
    Path(number): Path<String>,
    AxForm(f): AxForm<ActionInput>,
) -> PageResult {
    let lang = a.ctx.lang;
    if !a.ctx.csrf_ok(&f.csrf) {
        // As every refused action of this page: the ticket again, with the message.
        let url = ticket_url(&number);
        return Ok(a
            .ctx
            .finish(Redirect::to(&format!("{url}?error=error-csrf"))));
    }
    let app = &s.app;
    let ag = a.worker();
    let id = |v: &str| v.parse::<i64>().ok();
    let result = match f.what.as_str() {
        "assign" => {
            app.assign(
                ag,
                &number,
                id(&f.agent).map(AgentId),
                id(&f.team).map(TeamId),
            )
            .await
        }
        "claim" => app.claim(ag, &number).await,
        "release" => app.release(ag, &number).await,
        "transfer" => match id(&f.department) {
            Some(d) => app.transfer(ag, &number, DepartmentId(d), &f.comment).await,
            None => Err(invalid("error-department")),
        },
        "status" => match TicketStatus::parse(&f.status) {
            Some(st) => app.change_status(ag, &number, st).await,
            None => Err(invalid("error-status")),
        },
        "priority" => match Priority::parse(&f.priority) {
            Some(pr) => app.change_priority(ag, &number, pr).await,
            None => Err(invalid("error-priority")),
        },
        "due" => app.change_due(ag, &number, &f.due).await,
        "collaborator-add" => app.add_collaborator(ag, &number, &f.email, &f.name).await,
        "revoke-access" => match id(&f.contact) {
            Some(c) => app.revoke_access(ag, &number, ContactId(c)).await,
            None => Err(invalid("error-required")),
        },
        "collaborator-remove" => match id(&f.contact) {
            Some(c) => app.remove_collaborator(ag, &number, ContactId(c)).await,
            None => Err(invalid("error-required")),
        },
        _ => Err(invalid("error-required")),
    };
    let url = ticket_url(&number);
    match result {
        Ok(()) => {
            // A transfer can take the ticket out of the agent's sight: back to the queue then.
            let visible = app
                .agent_can_see(ag.reader(), &number)
                .await
                .map_err(|e| PageError::from_core(lang, e))?;
            let to = if visible {
                url
            } else {
                "/agent/queue/open".to_owned()
            };
            Ok(a.ctx.finish(Redirect::to(&format!("{to}?done={}", f.what))))
        }
        // A refused comment is shown at the comment, with the text kept.
        Err(CoreError::Invalid(p)) if f.what == "transfer" && p.for_field("comment").is_some() => {
            let mut form = Form::new();
            form.set("comment", f.comment.clone());
            form.set("department", f.department.clone());
            let forms = (Form::new(), Form::new(), form.with_problem(lang, &p));
            render_ticket_forms(&s, &a, &number, forms, false, Default::default()).await
        }
        Err(CoreError::Invalid(p)) => {
            let key = p.errors.first().map(|e| e.key).unwrap_or("error-required");
            Ok(a.ctx.finish(Redirect::to(&format!("{url}?error={key}"))))
        }
        Err(CoreError::Forbidden) => Ok(a
            .ctx
            .finish(Redirect::to(&format!("{url}?error=error-not-allowed")))),
        Err(e) => Err(PageError::from_core(lang, e)),
    }
}

fn invalid(key: &'static str) -> CoreError {
    let mut p = Problem::default();
    p.add("form", key);
    CoreError::Invalid(p)
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
    Ok(crate::portal::attachment_response(&att, file))
}
