//! The queues and search, and the bulk actions on their rows.

use askama::Template;
use axum::{
    Router,
    body::Bytes,
    extract::{Path, Query, State},
    http::StatusCode,
    response::Redirect,
    routing::{get, post},
};
use serde::Deserialize;
use tessera_core::{BulkAction, CoreError};
use tessera_domain::{
    AgentId, DepartmentId, HelpTopicId, Priority, Queue, QueueItem, QueueQuery, Sort, TeamId,
    TicketStatus,
};

use super::{choices, safe_next};
use crate::{
    AppState,
    agent_ctx::{AgentCtx, agent_page, directory},
    error::PageError,
    page::{PageResult, html, parse_form},
    render::{Form, Page},
};

/// The queue and bulk-action routes.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/agent/queue/{queue}", get(queue))
        .route("/agent/bulk", post(bulk))
}

/// Rows per queue page.
const PAGE_SIZE: i64 = 50;

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
    /// Waits for its requester to confirm the address (confirm-first mode).
    unconfirmed: bool,
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

fn row_view(p: &Page, r: &QueueItem) -> RowView {
    let priority = r.priority.as_str();
    RowView {
        number: r.number.clone(),
        subject: r.subject.clone(),
        requester: r.requester_name.clone(),
        updated: p.time_tag(&r.updated_at),
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
        unconfirmed: r.unconfirmed,
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
