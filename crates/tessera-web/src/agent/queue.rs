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
use tessera_core::{BulkAction, CoreError, NewView};
use tessera_domain::{
    AgentId, DepartmentId, HelpTopicId, Priority, Problem, Queue, QueueItem, QueueQuery, Sort,
    TeamId, TicketStatus,
    queue::{page_count, queue_url},
};

use super::{choices, safe_next};
use crate::{
    AppState,
    agent_ctx::{AgentCtx, agent_page, directory},
    error::PageError,
    page::{PageResult, form_value, html, parse_form},
    render::{Form, Page},
};

/// The queue and bulk-action routes.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/agent/queue/{queue}", get(queue))
        .route("/agent/bulk", post(bulk))
        .route("/agent/views", post(save_view))
        .route("/agent/views/{id}/delete", post(delete_view))
}

/// The page sizes an agent can choose between.
const PAGE_SIZES: [i64; 3] = [25, 50, 100];
/// Rows per queue page unless the agent chose another size.
const PAGE_SIZE: i64 = 50;

#[derive(Deserialize, Default, Clone)]
struct QueueParams {
    sort: Option<String>,
    dir: Option<String>,
    department: Option<String>,
    topic: Option<String>,
    assignee: Option<String>,
    status: Option<String>,
    field_value: Option<String>,
    /// The page starts after this row (`key_id`).
    after: Option<String>,
    /// The page ends before this row (`key_id`): the way back.
    before: Option<String>,
    /// The page's number, as the pager counted it.
    page: Option<String>,
    /// Rows per page (one of `PAGE_SIZES`).
    size: Option<String>,
    done: Option<String>,
    error: Option<String>,
    q: Option<String>,
    cursor: Option<String>,
}

impl QueueParams {
    /// What makes a view of a queue: search, filters, order and page size. Every link of
    /// the page carries them, and a saved view keeps them (no cursor, page or message).
    fn view_params(&self) -> Vec<(&'static str, String)> {
        let v = |o: &Option<String>| o.clone().unwrap_or_default();
        vec![
            ("q", v(&self.q)),
            ("sort", v(&self.sort)),
            ("dir", v(&self.dir)),
            ("department", v(&self.department)),
            ("topic", v(&self.topic)),
            ("assignee", v(&self.assignee)),
            ("status", v(&self.status)),
            ("field_value", v(&self.field_value)),
            ("size", v(&self.size)),
        ]
    }
}

fn id_param(v: &Option<String>) -> Option<i64> {
    v.as_deref().and_then(|s| s.parse().ok())
}

/// A row's place as a keyset cursor in a URL: its sort key and ticket id.
fn cursor_param(v: &Option<String>) -> Option<(String, i64)> {
    let (k, i) = v.as_deref()?.rsplit_once('_')?;
    Some((k.to_owned(), i.parse().ok()?))
}

struct QueueTab {
    name: &'static str,
    label: String,
    count: i64,
    current: bool,
}

/// A column header: sortable ones are links that sort by them (again: the other way).
struct Head {
    label: String,
    /// The cells' class (`col-…`).
    class: &'static str,
    href: Option<String>,
    /// `aria-sort` of the column the rows are sorted by.
    aria_sort: Option<&'static str>,
}

/// A saved view as the queue nav lists it.
struct ViewLink {
    id: i64,
    name: String,
    url: String,
    shared: bool,
    own: bool,
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
    status: &'static str,
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
    heads: Vec<Head>,
    rows: Vec<RowView>,
    /// The rows are search hits, ranked.
    searching: bool,
    /// The same search over every ticket, when this is a narrower queue.
    search_all: Option<String>,
    next: Option<String>,
    prev: Option<String>,
    /// A search's way back to its first page (search pages go forward only).
    first: Option<String>,
    /// "Seite 3 von 12".
    page_label: String,
    /// The page sizes: size, link, chosen.
    sizes: Vec<(i64, String, bool)>,
    filters: Form,
    /// A filter narrows the queue (the filter bar is then open).
    filtered: bool,
    views: Vec<ViewLink>,
    /// The form that saves the view shown (the query string it would keep is `view_query`).
    view_form: Form,
    view_query: String,
    departments: Vec<(i64, String)>,
    topics: Vec<(i64, String)>,
    agents: Vec<(i64, String)>,
    teams: Vec<(i64, String)>,
    sorts: Vec<(&'static str, String)>,
    statuses: Vec<(&'static str, String)>,
    priorities: Vec<(&'static str, String)>,
    done: Option<String>,
    /// A form on the page was refused (only known keys are shown).
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
        status: r.status.as_str(),
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

/// A page's query parameters: name and value (empty values are left out of links).
type Params = [(&'static str, String)];

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

/// `params` with `name` set to `value` (or left out when `value` is empty).
fn with(params: &Params, name: &'static str, value: String) -> Vec<(&'static str, String)> {
    let mut p: Vec<_> = params.iter().filter(|(k, _)| *k != name).cloned().collect();
    p.push((name, value));
    p
}

/// The table's columns, in order; the sortable ones link to their order, the current one
/// to the other direction. A search is ranked, so its columns do not sort.
fn heads(
    p: &Page,
    url: &dyn Fn(&Params) -> String,
    view: &Params,
    sort: Sort,
    descending: bool,
    searching: bool,
) -> Vec<Head> {
    let columns: [(&str, &'static str, Option<Sort>); 8] = [
        ("col-number", "col-number", Some(Sort::Number)),
        ("field-subject", "col-subject", None),
        ("meta-requester", "col-requester", None),
        ("col-activity", "col-activity", Some(Sort::Updated)),
        ("meta-due", "col-due", Some(Sort::Due)),
        ("meta-assignee", "col-assignee", None),
        ("meta-status", "col-status", None),
        ("col-priority", "col-priority", Some(Sort::Priority)),
    ];
    columns
        .into_iter()
        .map(|(key, class, by)| {
            let by = by.filter(|_| !searching);
            let current = by == Some(sort);
            Head {
                label: p.t(key),
                class,
                href: by.map(|b| {
                    let dir = match (current, descending) {
                        (true, true) => "asc",
                        (true, false) => "desc",
                        (false, _) => "",
                    };
                    let params = with(&with(view, "sort", b.as_str().into()), "dir", dir.into());
                    url(&params)
                }),
                aria_sort: current.then_some(if descending {
                    "descending"
                } else {
                    "ascending"
                }),
            }
        })
        .collect()
}

async fn queue(
    State(s): State<AppState>,
    a: AgentCtx,
    Path(name): Path<String>,
    Query(q): Query<QueueParams>,
) -> PageResult {
    render_queue(&s, &a, &name, q, Form::new()).await
}

/// The queue page; `view_form` is the save-view form as submitted (422 when it has errors).
async fn render_queue(
    s: &AppState,
    a: &AgentCtx,
    name: &str,
    q: QueueParams,
    view_form: Form,
) -> PageResult {
    let lang = a.ctx.lang;
    let queue = Queue::parse(name).ok_or(PageError::not_found(lang))?;
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
    let size = id_param(&q.size)
        .filter(|n| PAGE_SIZES.contains(n))
        .unwrap_or(PAGE_SIZE);
    let status = q.status.as_deref().and_then(TicketStatus::parse);
    let after = cursor_param(&q.after);
    let before = cursor_param(&q.before).filter(|_| after.is_none());
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
        limit: size,
    };
    // One row more than shown: whether a page exists beyond this one is then known.
    let read = match &before {
        Some((key, id)) => query.backwards_from(key.clone(), *id),
        None => query.clone(),
    };
    let read = QueueQuery {
        limit: size + 1,
        ..read
    };
    let search = q.q.as_deref().map(str::trim).filter(|x| !x.is_empty());
    let listed = match search {
        // A search shows its own hits.
        Some(_) => s
            .app
            .queue_counts(a.reader())
            .await
            .map(|c| (Vec::new(), c)),
        None => s.app.queue(a.reader(), &read).await,
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
    let mut page_no = id_param(&q.page).filter(|n| *n >= 1).unwrap_or(1);
    let beyond = rows.len() as i64 > size;
    rows.truncate(size as usize);
    let backwards = before.is_some() && search.is_none() && refused.is_none();
    let (has_prev, has_next) = if backwards {
        // Read backwards: nearest the cursor first.
        rows.reverse();
        if !beyond && (rows.len() as i64) < size {
            // The rows before the cursor no longer fill a page (tickets left the queue
            // meanwhile, or the cursor is the first row): the first page, then.
            let (first, _) = s
                .app
                .queue(
                    a.reader(),
                    &QueueQuery {
                        limit: size + 1,
                        ..query.clone()
                    },
                )
                .await
                .map_err(|e| PageError::from_core(lang, e))?;
            rows = first;
            let more = rows.len() as i64 > size;
            rows.truncate(size as usize);
            (false, more)
        } else {
            (beyond, true)
        }
    } else {
        (query.after.is_some(), beyond)
    };
    if !has_prev {
        page_no = 1;
    }
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
    let frame = agent_page(s, a);
    let p = &frame;
    let view = q.view_params();
    let url = |params: &Params| {
        let qs = query_string(params);
        if qs.is_empty() {
            format!("/agent/queue/{name}")
        } else {
            format!("/agent/queue/{name}?{qs}")
        }
    };
    let (next, prev, first) = match &found {
        Some(f) => (
            f.next
                .as_ref()
                .map(|c| url(&with(&view, "cursor", c.clone()))),
            None,
            q.cursor.is_some().then(|| url(&view)),
        ),
        None => (
            has_next.then(|| {
                let last = rows.last().expect("a page with a next one has rows");
                let params = with(
                    &view,
                    "after",
                    format!("{}_{}", last.sort_key, last.ticket_id),
                );
                url(&with(&params, "page", (page_no + 1).to_string()))
            }),
            has_prev.then(|| match rows.first() {
                // The page before the second is the first: its own address, no cursor.
                Some(first) if page_no > 2 => {
                    let params = with(
                        &view,
                        "before",
                        format!("{}_{}", first.sort_key, first.ticket_id),
                    );
                    url(&with(&params, "page", (page_no - 1).to_string()))
                }
                _ => url(&view),
            }),
            None,
        ),
    };
    // The total comes from the queue's tally, which counts the queue, not a filter of it.
    let page_label = match (&found, search, query.is_filtered()) {
        (None, None, false) => {
            let at = Queue::ALL.iter().position(|x| *x == queue).unwrap_or(0);
            let count = counts.get(at).copied().unwrap_or(0);
            let pages = page_count(count, size).max(page_no);
            tessera_i18n::t_args(
                lang,
                "pager-page",
                &[
                    ("page", &page_no.to_string()),
                    ("pages", &pages.to_string()),
                ],
            )
        }
        (Some(_), _, _) | (None, Some(_), _) => String::new(),
        _ => p.t1("pager-page-only", "page", &page_no.to_string()),
    };
    let mut filters = Form::new();
    for (k, v) in &view {
        filters.set(k, v.clone());
    }
    if filters.v("sort").is_empty() {
        filters.set("sort", sort.as_str().into());
    }
    if let Some(p) = &refused {
        filters = filters.with_problem(lang, p);
    }
    let view_query = query_string(&view);
    let views = s
        .app
        .saved_views(&a.agent)
        .await
        .map_err(|e| PageError::from_core(lang, e))?
        .into_iter()
        .map(|v| ViewLink {
            current: v.queue == queue && v.query == view_query,
            url: v.url(),
            id: v.id,
            name: v.name,
            shared: v.shared,
            own: v.own,
        })
        .collect();
    let c = choices(&*directory(s, a).await?, lang);
    let searching = search.is_some();
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
        heads: heads(p, &url, &view, sort, descending, searching),
        rows: match &found {
            Some(f) => f.hits.iter().map(|h| hit_view(p, h)).collect(),
            None => rows.iter().map(|r| row_view(p, r)).collect(),
        },
        searching,
        search_all: search
            .filter(|_| queue != Queue::All)
            .map(|t| format!("/agent/queue/all?{}", query_string(&[("q", t.to_owned())]))),
        next,
        prev,
        first,
        page_label,
        sizes: PAGE_SIZES
            .iter()
            .map(|n| {
                let href = url(&with(&view, "size", n.to_string()));
                (*n, href, *n == size)
            })
            .collect(),
        filtered: query.is_filtered() || refused.is_some(),
        filters,
        views,
        view_form,
        view_query,
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
        // The query string is the visitor's: only the keys this page is sent back with.
        error: q
            .error
            .filter(|e| matches!(e.as_str(), "error-csrf" | "view-error-not-yours"))
            .map(|e| p.t(&e)),
        p: frame,
    };
    let status = if refused.is_some() || page.view_form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    html(&a.ctx, status, &page)
}

/// Saves the view shown as one of the agent's saved views (administrators may share it);
/// a refused name is answered with the queue page and the form again.
async fn save_view(State(s): State<AppState>, a: AgentCtx, body: Bytes) -> PageResult {
    let lang = a.ctx.lang;
    let fields = parse_form(&body);
    let get = |k: &str| form_value(&fields, k);
    let name = get("queue");
    let queue = Queue::parse(name).ok_or(PageError::not_found(lang))?;
    // Only what makes a view is kept, whatever else the query string held.
    let uri: axum::http::Uri = format!("/?{}", get("query"))
        .parse()
        .unwrap_or_else(|_| axum::http::Uri::from_static("/"));
    let params = Query::<QueueParams>::try_from_uri(&uri)
        .map(|Query(p)| p)
        .unwrap_or_default();
    let query = query_string(&params.view_params());
    let mut form = Form::new();
    form.set("name", get("name").to_owned());
    form.set("shared", get("shared").to_owned());
    let result = if a.ctx.csrf_ok(get("csrf")) {
        let v = NewView {
            name: get("name"),
            queue,
            query: &query,
            shared: get("shared") == "1",
        };
        s.app.save_view(&a.agent, &v).await
    } else {
        let mut p = Problem::default();
        p.add("name", "error-csrf");
        Err(CoreError::Invalid(p))
    };
    match result {
        Ok(_) => {
            let to = queue_url(queue, &query);
            Ok(a.ctx.finish(Redirect::to(&with_done(&to, "view-saved"))))
        }
        Err(CoreError::Invalid(p)) => {
            render_queue(&s, &a, name, params, form.with_problem(lang, &p)).await
        }
        Err(e) => Err(PageError::from_core(lang, e)),
    }
}

/// Deletes one of the agent's own saved views.
async fn delete_view(
    State(s): State<AppState>,
    a: AgentCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let lang = a.ctx.lang;
    let fields = parse_form(&body);
    let get = |k: &str| form_value(&fields, k);
    let back = safe_next(Some(get("back")));
    if !a.ctx.csrf_ok(get("csrf")) {
        return Ok(a
            .ctx
            .finish(Redirect::to(&with_param(&back, "error", "error-csrf"))));
    }
    match s.app.delete_view(&a.agent, id).await {
        Ok(()) => Ok(a
            .ctx
            .finish(Redirect::to(&with_done(&back, "view-deleted")))),
        Err(CoreError::Forbidden) => Ok(a.ctx.finish(Redirect::to(&with_param(
            &back,
            "error",
            "view-error-not-yours",
        )))),
        Err(e) => Err(PageError::from_core(lang, e)),
    }
}

async fn bulk(State(s): State<AppState>, a: AgentCtx, body: Bytes) -> PageResult {
    let lang = a.ctx.lang;
    let fields = parse_form(&body);
    let get = |k: &str| form_value(&fields, k);
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
