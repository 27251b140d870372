//! IMAP mailboxes that Tessera reads, per department: `/agent/admin/mailboxes` lists them
//! with their last poll and error and offers a form for a new one; `/agent/admin/mailboxes/{id}`
//! edits one. Each form can test its settings (log in, open the folder) before saving. The
//! password is never sent back to the browser.

use askama::Template;
use axum::{
    Router,
    body::Bytes,
    extract::{Path, Query, State},
    routing::get,
};
use tessera_core::{ImapTls, MailboxAdmin, MailboxForm};

use crate::{
    AppState,
    admin_form::{Admin, Posted, Shown, flag, notice},
    page::PageResult,
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
const FIELDS: [&str; 10] = [
    "department_id",
    "host",
    "port",
    "tls",
    "username",
    "folder",
    "help_topic_id",
    "after_import",
    "archive_folder",
    "is_active",
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
    /// Whether a password is stored, said under the password field.
    password_hint: String,
    departments: Vec<(String, String)>,
    topics: Vec<(String, String)>,
    tls_modes: Vec<(&'static str, String)>,
    after_modes: Vec<(&'static str, String)>,
    done: Option<String>,
    /// The connection test's outcome: (succeeded, message, technical detail).
    test: Option<(bool, String, String)>,
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
fn values(m: Option<&MailboxAdmin>) -> Form {
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
            f.set("is_active", flag(m.is_active));
        }
        None => {
            f.set("tls", ImapTls::Tls.as_str().into());
            f.set("folder", "INBOX".into());
            f.set("after_import", "seen".into());
            f.set("is_active", flag(true));
        }
    }
    f
}

async fn render(
    s: &AppState,
    a: &Admin,
    id: Option<i64>,
    form: Option<Form>,
    done: Option<&str>,
    test: Option<(bool, String, String)>,
) -> PageResult {
    let lang = a.lang();
    let actor = a.actor();
    let mailboxes = s.app.mailboxes_admin(actor).await.map_err(|e| a.err(e))?;
    let current = match id {
        Some(id) => Some(
            mailboxes
                .iter()
                .find(|m| m.mailbox_id == id)
                .ok_or_else(|| a.err(tessera_core::CoreError::NotFound))?,
        ),
        None => None,
    };
    let departments = s.app.departments_admin(actor).await.map_err(|e| a.err(e))?;
    let topics = s.app.topics_admin(actor).await.map_err(|e| a.err(e))?;
    let p = a.page(s);
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
    let form = form.unwrap_or_else(|| values(current));
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
        password_hint: p.t(if current.is_some_and(|m| m.password_set) {
            "mailbox-password-stored"
        } else {
            "mailbox-password-none"
        }),
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
        done: notice(
            &p,
            done,
            &[("created", "mailbox-saved"), ("saved", "mailbox-saved")],
        ),
        test,
        form,
        p,
    };
    a.show(&page, page.form.has_errors())
}

async fn new_page(State(s): State<AppState>, a: Admin, Query(q): Query<Shown>) -> PageResult {
    render(&s, &a, None, None, q.done.as_deref(), None).await
}

async fn edit_page(
    State(s): State<AppState>,
    a: Admin,
    Path(id): Path<i64>,
    Query(q): Query<Shown>,
) -> PageResult {
    render(&s, &a, Some(id), None, q.done.as_deref(), None).await
}

async fn create(State(s): State<AppState>, a: Admin, body: Bytes) -> PageResult {
    submit(&s, &a, None, &body).await
}

async fn update(
    State(s): State<AppState>,
    a: Admin,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    submit(&s, &a, Some(id), &body).await
}

async fn submit(s: &AppState, a: &Admin, id: Option<i64>, body: &[u8]) -> PageResult {
    let (lang, actor) = (a.lang(), a.actor());
    let f = Posted::read(a, body);
    let form = f.form(&FIELDS);
    let input = MailboxForm {
        department_id: f.v("department_id"),
        host: f.v("host"),
        port: f.v("port"),
        tls: f.v("tls"),
        username: f.v("username"),
        password: f.v("password"),
        clear_password: f.on("clear_password"),
        folder: f.v("folder"),
        help_topic_id: f.v("help_topic_id"),
        after_import: f.v("after_import"),
        archive_folder: f.v("archive_folder"),
        is_active: f.on("is_active"),
    };
    let again = |p| {
        render(
            s,
            a,
            id,
            Some(form.clone().with_problem(lang, &p)),
            None,
            None,
        )
    };
    if f.v("action") == "test" {
        // A test answers on the page, with the form as it was typed.
        let test = match f.then(s.app.test_mailbox(actor, id, &input)).await {
            Ok(Ok(())) => (
                true,
                tessera_i18n::t(lang, "mailbox-test-ok"),
                String::new(),
            ),
            Ok(Err(e)) => {
                let key = failure_key(e.kind.as_str());
                (false, tessera_i18n::t(lang, key), e.message)
            }
            Err(e) => return a.answer(Err(e), again).await,
        };
        return render(s, a, id, Some(form), None, Some(test)).await;
    }
    let saved = f.then(s.app.save_mailbox(actor, id, &input)).await;
    let done = if id.is_some() { "saved" } else { "created" };
    let saved = saved.map(|saved| format!("{LIST}/{saved}?done={done}"));
    a.answer(saved, again).await
}
