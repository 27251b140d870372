//! IMAP mailboxes that Tessera reads, per department: `/agent/admin/mailboxes` lists them
//! with their last poll and error and offers a form for a new one; `/agent/admin/mailboxes/{id}`
//! edits one. Each form can test its settings (log in, open the folder) before saving. The
//! password is never sent back to the browser.

use askama::Template;
use axum::{
    Router,
    body::Bytes,
    extract::{Path, Query, State},
    http::StatusCode,
    response::Redirect,
    routing::get,
};
use serde::Deserialize;
use tessera_core::{Actor, CoreError, ImapTls, MailboxAdmin, MailboxForm};
use tessera_domain::Problem;

use crate::{
    AppState,
    agent_ctx::{AgentCtx, agent_page},
    error::admin_err,
    page::{PageResult, html, parse_form},
    render::{Form, Page},
};

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agent/admin/mailboxes", get(new_page).post(create))
        .route("/agent/admin/mailboxes/{id}", get(edit_page).post(update))
}

const LIST: &str = "/agent/admin/mailboxes";

/// The fields the form sends back (the password is not among them on purpose).
const FIELDS: [&str; 8] = [
    "department_id",
    "host",
    "port",
    "tls",
    "username",
    "folder",
    "help_topic_id",
    "after_import",
];

/// One row of the list.
struct Row {
    link: String,
    department: String,
    address: String,
    folder: String,
    last_poll: String,
    error: Option<(String, String)>,
    active: String,
}

#[derive(Template)]
#[template(path = "admin/mailboxes.html")]
struct MailboxesPage {
    p: Page,
    rows: Vec<Row>,
    form: Form,
    /// The form's target and heading.
    action: String,
    form_title: String,
    editing: bool,
    password_stored: bool,
    active: bool,
    departments: Vec<(String, String)>,
    topics: Vec<(String, String)>,
    tls_modes: Vec<(&'static str, String)>,
    after_modes: Vec<(&'static str, String)>,
    done: Option<String>,
    /// The connection test's outcome: (succeeded, message, technical detail).
    test: Option<(bool, String, String)>,
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

/// The translated sentence for a failed step.
fn failure_key(kind: &str) -> &'static str {
    match kind {
        "connect" => "mailbox-error-connect",
        "tls" => "mailbox-error-tls",
        "auth" => "mailbox-error-auth",
        "folder" => "mailbox-error-folder",
        "timeout" => "mailbox-error-timeout",
        "settings" => "mailbox-error-settings",
        "ingest" => "mailbox-error-ingest",
        _ => "mailbox-error-other",
    }
}

/// The form's values for a stored mailbox (or the defaults of a new one).
fn values(m: Option<&MailboxAdmin>) -> (Form, bool) {
    let mut f = Form::new();
    match m {
        Some(m) => {
            f.set("department_id", m.department_id.to_string());
            f.set("host", m.host.clone());
            f.set("port", m.port.to_string());
            f.set("tls", m.tls.as_str().into());
            f.set("username", m.username.clone());
            f.set("folder", m.folder.clone());
            f.set(
                "help_topic_id",
                m.help_topic_id.map(|t| t.to_string()).unwrap_or_default(),
            );
            f.set("after_import", m.after_import.clone());
            f.set("archive_folder", m.archive_folder.clone());
            (f, m.is_active)
        }
        None => {
            f.set("tls", ImapTls::Tls.as_str().into());
            f.set("folder", "INBOX".into());
            f.set("after_import", "seen".into());
            (f, true)
        }
    }
}

async fn render(
    s: &AppState,
    a: &AgentCtx,
    id: Option<i64>,
    form: Option<(Form, bool)>,
    done: Option<&str>,
    test: Option<(bool, String, String)>,
) -> PageResult {
    let lang = a.ctx.lang;
    let actor = Actor::Agent(&a.agent);
    let mailboxes = s
        .app
        .mailboxes_admin(actor)
        .await
        .map_err(|e| admin_err(lang, e))?;
    let current = match id {
        Some(id) => Some(
            mailboxes
                .iter()
                .find(|m| m.mailbox_id == id)
                .ok_or_else(|| admin_err(lang, CoreError::NotFound))?,
        ),
        None => None,
    };
    let departments = s
        .app
        .departments_admin(actor)
        .await
        .map_err(|e| admin_err(lang, e))?;
    let topics = s
        .app
        .topics_admin(actor)
        .await
        .map_err(|e| admin_err(lang, e))?;
    let p = agent_page(s, a);
    let department_name = |id: i64| {
        departments
            .iter()
            .find(|d| d.id.0 == id)
            .map(|d| d.name.clone())
            .unwrap_or_default()
    };
    let rows = mailboxes
        .iter()
        .map(|m| Row {
            link: format!("{LIST}/{}", m.mailbox_id),
            department: department_name(m.department_id),
            address: format!("{}@{}:{}", m.username, m.host, m.port),
            folder: m.folder.clone(),
            last_poll: m
                .last_polled_at
                .map(|t| p.datetime(&t))
                .unwrap_or_else(|| p.t("mailbox-never")),
            error: m
                .last_error
                .as_ref()
                .map(|(kind, detail)| (p.t(failure_key(kind)), detail.clone())),
            active: p.t(if m.is_active { "yes" } else { "no" }),
        })
        .collect();
    let (form, active) = form.unwrap_or_else(|| values(current));
    let status = if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = MailboxesPage {
        rows,
        action: match id {
            Some(id) => format!("{LIST}/{id}"),
            None => LIST.to_owned(),
        },
        form_title: p.t(if id.is_some() {
            "mailbox-edit"
        } else {
            "mailbox-new"
        }),
        editing: id.is_some(),
        password_stored: current.is_some_and(|m| m.password_set),
        active,
        form,
        departments: departments
            .iter()
            .filter(|d| d.is_active || current.is_some_and(|m| m.department_id == d.id.0))
            .map(|d| (d.id.to_string(), d.name.clone()))
            .collect(),
        topics: topics
            .iter()
            .map(|t| {
                let name = if lang == tessera_domain::Lang::De {
                    &t.name_de
                } else {
                    &t.name_en
                };
                (
                    t.id.to_string(),
                    format!("{name} ({})", department_name(t.department.0)),
                )
            })
            .collect(),
        tls_modes: ImapTls::ALL
            .iter()
            .map(|m| (m.as_str(), p.t(&format!("mailbox-tls-{}", m.as_str()))))
            .collect(),
        after_modes: ["seen", "move", "delete"]
            .into_iter()
            .map(|m| (m, p.t(&format!("mailbox-after-{m}"))))
            .collect(),
        done: done
            .filter(|d| matches!(*d, "created" | "saved"))
            .map(|_| p.t("mailbox-saved")),
        test,
        p,
    };
    html(&a.ctx, status, &page)
}

async fn new_page(
    State(s): State<AppState>,
    a: AgentCtx,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    render(&s, &a, None, None, q.done.as_deref(), None).await
}

async fn edit_page(
    State(s): State<AppState>,
    a: AgentCtx,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    render(&s, &a, Some(id), None, q.done.as_deref(), None).await
}

async fn create(State(s): State<AppState>, a: AgentCtx, body: Bytes) -> PageResult {
    submit(&s, &a, None, &body).await
}

async fn update(
    State(s): State<AppState>,
    a: AgentCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    submit(&s, &a, Some(id), &body).await
}

async fn submit(s: &AppState, a: &AgentCtx, id: Option<i64>, body: &[u8]) -> PageResult {
    let lang = a.ctx.lang;
    let actor = Actor::Agent(&a.agent);
    // Refuses others before reading anything they sent: to them the page does not exist.
    s.app
        .mailboxes_admin(actor)
        .await
        .map_err(|e| admin_err(lang, e))?;
    let fields = parse_form(body);
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut form = Form::new();
    for f in FIELDS {
        form.set(f, get(f));
    }
    form.set("archive_folder", get("archive_folder"));
    let active = get("is_active") == "1";
    if !a.ctx.csrf_ok(&get("csrf")) {
        let mut p = Problem::default();
        p.add("form", "error-csrf");
        let form = form.with_problem(lang, &p);
        return render(s, a, id, Some((form, active)), None, None).await;
    }
    let input = MailboxForm {
        department_id: get("department_id"),
        host: get("host"),
        port: get("port"),
        tls: get("tls"),
        username: get("username"),
        password: get("password"),
        clear_password: get("clear_password") == "1",
        folder: get("folder"),
        help_topic_id: get("help_topic_id"),
        after_import: get("after_import"),
        archive_folder: get("archive_folder"),
        is_active: active,
    };
    if get("action") == "test" {
        return match s.app.test_mailbox(actor, id, &input).await {
            Ok(Ok(())) => {
                let msg = tessera_i18n::t(lang, "mailbox-test-ok");
                let test = Some((true, msg, String::new()));
                render(s, a, id, Some((form, active)), None, test).await
            }
            Ok(Err(e)) => {
                let key = failure_key(e.kind.as_str());
                let test = Some((false, tessera_i18n::t(lang, key), e.message));
                render(s, a, id, Some((form, active)), None, test).await
            }
            Err(CoreError::Invalid(p)) => {
                let form = form.with_problem(lang, &p);
                render(s, a, id, Some((form, active)), None, None).await
            }
            Err(e) => Err(admin_err(lang, e)),
        };
    }
    match s.app.save_mailbox(actor, id, &input).await {
        Ok(saved) => {
            let done = if id.is_some() { "saved" } else { "created" };
            Ok(a.ctx
                .finish(Redirect::to(&format!("{LIST}/{saved}?done={done}"))))
        }
        Err(CoreError::Invalid(p)) => {
            let form = form.with_problem(lang, &p);
            render(s, a, id, Some((form, active)), None, None).await
        }
        Err(e) => Err(admin_err(lang, e)),
    }
}
