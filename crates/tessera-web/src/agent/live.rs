//! What keeps agent pages live: the event stream (`GET /agent/events`, Server-Sent Events,
//! one per browser tab; `assets/live.js` listens), the notification list with "mark read",
//! and the agent's notification choices (`/agent/profile/notifications`). Every page works
//! without script: the bell is a link to the list, the list and the choices are forms.

use std::{convert::Infallible, time::Duration};

use askama::Template;
use axum::{
    Router,
    body::Bytes,
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{
        IntoResponse, Redirect, Response,
        sse::{Event, KeepAlive, Sse},
    },
    routing::{get, post},
};
use serde::Deserialize;
use tessera_core::{CoreError, LiveEvent, NoticeChannel, NoticeKind};

use crate::{
    AppState,
    agent_ctx::{AgentCtx, agent_page, ticket_url},
    cookies::SESSION_COOKIE,
    error::PageError,
    page::{PageResult, form_value, html, parse_form},
    render::{Form, Page},
};

/// The live routes.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/agent/events", get(events))
        .route("/agent/notifications", get(notices))
        .route("/agent/notifications/read", post(mark_read))
        .route(
            "/agent/profile/notifications",
            get(choices).post(save_choices),
        )
}

/// The event stream: `ticket` (`{"number":"…","kind":"new|entry|update"}`), `unread` (the
/// bell's count, first of all and whenever it changes) and `reload` (events were missed);
/// a comment as heartbeat. It ends with the session, or when the server stops.
async fn events(State(s): State<AppState>, a: AgentCtx, headers: HeaderMap) -> Response {
    let Some(cookie) = a.ctx.read_cookie(&headers, SESSION_COOKIE) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let first = s.app.unread_notices(a.reader()).await.unwrap_or(0);
    let stream = s.app.live(a.agent, cookie.to_owned());
    let state = (stream, Some(first));
    let events = futures_util::stream::unfold(state, |(mut stream, first)| async move {
        if let Some(n) = first {
            return Some((Ok::<_, Infallible>(unread(n)), (stream, None)));
        }
        let event = match stream.next().await? {
            LiveEvent::Ticket { number, kind } => Event::default()
                .event("ticket")
                .data(serde_json::json!({ "number": number, "kind": kind.as_str() }).to_string()),
            LiveEvent::Unread(n) => unread(n),
            LiveEvent::Reload => Event::default().event("reload").data(""),
            LiveEvent::Heartbeat => Event::default().comment(""),
        };
        Some((Ok(event), (stream, None)))
    });
    // The stream's own heartbeat checks the session; this one only keeps proxies from
    // closing a quiet connection, and is never due sooner.
    let keep = KeepAlive::new().interval(tessera_core::HEARTBEAT + Duration::from_secs(5));
    let mut res = Sse::new(events).keep_alive(keep).into_response();
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Tells nginx not to buffer the stream.
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    res
}

fn unread(n: i64) -> Event {
    Event::default().event("unread").data(n.to_string())
}

struct NoticeView {
    id: i64,
    url: String,
    number: String,
    subject: String,
    text: String,
    when: String,
    iso: String,
    read: bool,
}

#[derive(Template)]
#[template(path = "agent/notifications.html")]
struct NoticesPage {
    p: Page,
    notices: Vec<NoticeView>,
    next: Option<String>,
    first: Option<String>,
    unread: i64,
    unread_text: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct NoticeParams {
    before: Option<i64>,
    error: Option<String>,
}

async fn notices(
    State(s): State<AppState>,
    a: AgentCtx,
    Query(q): Query<NoticeParams>,
) -> PageResult {
    let lang = a.ctx.lang;
    let (list, next) = s
        .app
        .notices(a.reader(), q.before)
        .await
        .map_err(|e| PageError::from_core(lang, e))?;
    let unread = s
        .app
        .unread_notices(a.reader())
        .await
        .map_err(|e| PageError::from_core(lang, e))?;
    let p = agent_page(&s, &a);
    let notices = list
        .iter()
        .map(|n| NoticeView {
            id: n.id,
            url: ticket_url(&n.number),
            number: n.number.clone(),
            subject: n.subject.clone(),
            text: p.t1(&format!("notice-{}", n.kind.as_str()), "actor", &n.actor),
            when: p.datetime(&n.created_at),
            iso: p.iso(&n.created_at),
            read: n.read,
        })
        .collect();
    let page = NoticesPage {
        notices,
        next: next.map(|n| format!("/agent/notifications?before={n}")),
        first: q.before.map(|_| "/agent/notifications".to_owned()),
        unread,
        unread_text: tessera_i18n::t_count(lang, "notices-unread", &[], ("count", unread)),
        error: q.error.filter(|e| e == "csrf").map(|_| p.t("error-csrf")),
        p,
    };
    html(&a.ctx, StatusCode::OK, &page)
}

/// Marks one notification read (`id`) or all (`all`); then follows `next` (the ticket, when
/// the agent opened it from the list) or returns to the list. A script posting it gets the
/// unread count instead (`Accept: application/json`).
async fn mark_read(
    State(s): State<AppState>,
    a: AgentCtx,
    headers: HeaderMap,
    body: Bytes,
) -> PageResult {
    let lang = a.ctx.lang;
    let form = parse_form(&body);
    let get = |k: &str| form_value(&form, k);
    if !a.ctx.csrf_ok(get("csrf")) {
        return Ok(a
            .ctx
            .finish(Redirect::to("/agent/notifications?error=csrf")));
    }
    let one = match get("id") {
        "" => None,
        id => Some(id.parse::<i64>().map_err(|_| PageError::not_found(lang))?),
    };
    let unread = s
        .app
        .mark_notices_read(a.reader(), one)
        .await
        .map_err(|e| PageError::from_core(lang, e))?;
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if wants_json {
        return Ok(a
            .ctx
            .finish(axum::Json(serde_json::json!({ "unread": unread }))));
    }
    let next = get("next");
    let to = if next.starts_with("/agent/tickets/") && !next.contains("//") {
        next
    } else {
        "/agent/notifications"
    };
    Ok(a.ctx.finish(Redirect::to(to)))
}

struct ChoiceRow {
    kind: &'static str,
    label: String,
    chosen: &'static str,
    options: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "agent/notification_choices.html")]
struct ChoicesPage {
    p: Page,
    rows: Vec<ChoiceRow>,
    form: Form,
    saved: bool,
}

#[derive(Deserialize, Default)]
struct ChoiceParams {
    saved: Option<String>,
}

async fn choices(
    State(s): State<AppState>,
    a: AgentCtx,
    Query(q): Query<ChoiceParams>,
) -> PageResult {
    render_choices(&s, &a, None, Form::new(), q.saved.is_some(), StatusCode::OK).await
}

async fn render_choices(
    s: &AppState,
    a: &AgentCtx,
    submitted: Option<&[(String, String)]>,
    form: Form,
    saved: bool,
    status: StatusCode,
) -> PageResult {
    let lang = a.ctx.lang;
    let current = s
        .app
        .notice_choices(a.reader())
        .await
        .map_err(|e| PageError::from_core(lang, e))?;
    let p = agent_page(s, a);
    let rows = current
        .into_iter()
        .map(|(kind, channel)| {
            // What was sent, when the form comes back refused.
            let chosen = submitted
                .and_then(|f| f.iter().find(|(k, _)| k == kind.as_str()))
                .and_then(|(_, v)| NoticeChannel::parse(v))
                .unwrap_or(channel);
            ChoiceRow {
                kind: kind.as_str(),
                label: p.t(&format!("notice-choice-{}", kind.as_str())),
                chosen: chosen.as_str(),
                options: kind
                    .channels()
                    .iter()
                    .map(|c| (c.as_str(), p.t(&format!("notice-channel-{}", c.as_str()))))
                    .collect(),
            }
        })
        .collect();
    let page = ChoicesPage {
        p,
        rows,
        form,
        saved,
    };
    html(&a.ctx, status, &page)
}

async fn save_choices(State(s): State<AppState>, a: AgentCtx, body: Bytes) -> PageResult {
    let lang = a.ctx.lang;
    let submitted = parse_form(&body);
    let csrf = submitted
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let choices: Vec<(String, String)> = submitted
        .iter()
        .filter(|(k, _)| NoticeKind::parse(k).is_some())
        .cloned()
        .collect();
    let result = match a.ctx.check_csrf(csrf) {
        Ok(()) => s.app.set_notice_choices(a.reader(), &choices).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(a
            .ctx
            .finish(Redirect::to("/agent/profile/notifications?saved=1"))),
        Err(CoreError::Invalid(p)) => {
            let form = Form::new().with_problem(lang, &p);
            render_choices(
                &s,
                &a,
                Some(&submitted),
                form,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(PageError::from_core(lang, e)),
    }
}
