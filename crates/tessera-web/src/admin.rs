//! The administration area (administrators only): the overview, the audit log (in the
//! reader's language and time) and the agents.

use askama::Template;
use axum::{
    Form as AxForm, Router,
    body::Bytes,
    extract::{Path, Query, State},
    http::StatusCode,
    response::Redirect,
    routing::get,
};
use serde::Deserialize;
use tessera_core::{AgentForm, AgentSummary, CoreError};
use tessera_domain::{AgentId, DepartmentId, Lang, Problem, Role};

use crate::{
    AppState, Ctx,
    admin_form::{Admin, Posted, Shown, flag, notice},
    error::PageError,
    page::{PageResult, html},
    render::{Form, Page},
};

/// Rows per audit page.
const PAGE: i64 = 100;

/// The actions the audit log knows, for the filter.
const ACTIONS: &[&str] = &[
    "sign-in",
    "sign-in-failed",
    "agent-create",
    "agent-invite",
    "agent-invite-resend",
    "agent-own-address",
    "agent-update",
    "agent-disable",
    "agent-enable",
    "agent-reset-password",
    "agent-set-password",
    "department-create",
    "department-update",
    "department-member-add",
    "department-member-role",
    "department-member-remove",
    "team-create",
    "team-update",
    "topic-create",
    "topic-update",
    "topic-description",
    "sla-create",
    "sla-update",
    "canned-create",
    "canned-update",
    "topic-field-create",
    "topic-field-update",
    "settings-portal-update",
    "settings-mail-update",
    "settings-mail-test",
    "settings-intake-update",
    "inbound-retry",
    "agent-profile",
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agent/admin", get(overview))
        .route("/agent/admin/audit", get(audit))
        .route("/agent/admin/agents", get(agents).post(invite))
        .route("/agent/admin/agents/{id}", get(agent_edit).post(agent_save))
        .route(
            "/agent/set-password/{token}",
            get(set_password_form).post(set_password),
        )
}

#[derive(Deserialize)]
struct AuditQuery {
    action: Option<String>,
    actor: Option<String>,
    before: Option<i64>,
}

struct AuditView {
    when: String,
    exact: String,
    iso: String,
    actor: String,
    action: String,
    target: String,
    change: String,
    ip: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    p: Page,
    rows: Vec<AuditView>,
    /// The filter's choices: (action, label).
    actions: Vec<(&'static str, String)>,
    action: String,
    actor: String,
    older: Option<String>,
}

async fn audit(State(s): State<AppState>, a: Admin, Query(q): Query<AuditQuery>) -> PageResult {
    let action = q.action.filter(|x| !x.is_empty());
    let actor = q
        .actor
        .map(|x| x.trim().to_owned())
        .filter(|x| !x.is_empty());
    let rows = s
        .app
        .audit_log(
            a.actor(),
            action.as_deref(),
            actor.as_deref(),
            q.before,
            PAGE,
        )
        .await
        .map_err(|e| a.err(e))?;
    let p = a.page(&s);
    let older = (rows.len() as i64 == PAGE).then(|| {
        let last = rows.last().map(|r| r.id).unwrap_or(0);
        let enc = |v: &Option<String>| {
            percent_encoding::utf8_percent_encode(
                v.as_deref().unwrap_or(""),
                percent_encoding::NON_ALPHANUMERIC,
            )
            .to_string()
        };
        format!(
            "/agent/admin/audit?action={}&actor={}&before={last}",
            enc(&action),
            enc(&actor)
        )
    });
    let lang = p.lang;
    let page = AuditPage {
        rows: rows
            .into_iter()
            .map(|r| AuditView {
                when: p.datetime(&r.at),
                exact: p.exact(&r.at),
                iso: p.iso(&r.at),
                actor: audit_actor(lang, &r.actor, r.actor_name.as_deref()),
                change: {
                    // A membership's values are roles; everything else key=value details.
                    let roles = r.action.starts_with("department-member");
                    let detail = |v: &str| match roles {
                        true => tessera_i18n::t_opt(lang, &format!("role-{v}"))
                            .unwrap_or_else(|| v.to_owned()),
                        false => audit_detail(lang, v),
                    };
                    match (r.before, r.after) {
                        (Some(b), Some(a)) => format!("{} → {}", detail(&b), detail(&a)),
                        (None, Some(x)) | (Some(x), None) => detail(&x),
                        (None, None) => String::new(),
                    }
                },
                action: audit_action(lang, &r.action),
                target: r.target,
                ip: r.ip.unwrap_or_default(),
            })
            .collect(),
        actions: ACTIONS
            .iter()
            .map(|x| (*x, audit_action(lang, x)))
            .collect(),
        action: action.unwrap_or_default(),
        actor: actor.unwrap_or_default(),
        older,
        p,
    };
    a.show(&page, false)
}

/// An audit record's action in the reader's language (`sign-in` → "Anmeldung"); an action
/// without a translation is shown as stored.
fn audit_action(lang: Lang, action: &str) -> String {
    tessera_i18n::t_opt(lang, &format!("audit-action-{}", action.replace('.', "-")))
        .unwrap_or_else(|| action.to_owned())
}

/// Who acted, for people: the agent's name (with the user name the record keeps, when it
/// differs), or the command line, or someone not signed in.
fn audit_actor(lang: Lang, actor: &str, name: Option<&str>) -> String {
    match (actor, name) {
        (_, Some(n)) if n == actor => n.to_owned(),
        (_, Some(n)) => format!("{n} ({actor})"),
        ("cli", None) => tessera_i18n::t(lang, "audit-actor-cli"),
        ("anonymous", None) => tessera_i18n::t(lang, "audit-actor-anonymous"),
        (other, None) => other.to_owned(),
    }
}

/// A record's before or after value in the reader's language: each `key=value` whose key
/// has a label reads "Label: value", with yes/no for `true`/`false`, "none" for `None` and
/// the bare value for `Some(…)`; everything else (names, addresses) stays as written.
pub(crate) fn audit_detail(lang: Lang, text: &str) -> String {
    let value = |v: &str| -> String {
        match v {
            "true" => tessera_i18n::t(lang, "audit-yes"),
            "false" => tessera_i18n::t(lang, "audit-no"),
            "None" | "none" | "\"\"" => tessera_i18n::t(lang, "audit-none"),
            "set" => tessera_i18n::t(lang, "audit-set"),
            "all" => tessera_i18n::t(lang, "audit-all"),
            "default" => tessera_i18n::t(lang, "audit-default"),
            v => v
                .strip_prefix("Some(")
                .and_then(|x| x.strip_suffix(')'))
                .unwrap_or(v)
                .to_owned(),
        }
    };
    text.split(' ')
        .map(|token| {
            token
                .split_once('=')
                .and_then(|(k, v)| {
                    let label = tessera_i18n::t_opt(lang, &format!("audit-field-{k}"))?;
                    Some(format!("{label}: {}", value(v)))
                })
                .unwrap_or_else(|| token.to_owned())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One administration page: (path, title key, description key).
type AdminLink = (&'static str, &'static str, &'static str);

#[derive(Template)]
#[template(path = "admin/index.html")]
struct OverviewPage {
    p: Page,
    groups: Vec<(&'static str, Vec<AdminLink>)>,
    /// The install checklist (`onboarding.rs`), shown while something is left to do.
    checklist: Vec<tessera_core::ChecklistItem>,
}

impl OverviewPage {
    fn checklist_done(&self) -> bool {
        self.checklist.iter().all(|i| i.done)
    }

    fn checklist_count(&self) -> String {
        let done = self.checklist.iter().filter(|i| i.done).count();
        tessera_i18n::t_count(
            self.p.lang,
            "checklist-progress",
            &[("total", &self.checklist.len().to_string())],
            ("done", done as i64),
        )
    }
}

/// Every administration page, grouped, so the top bar needs one link only.
async fn overview(State(s): State<AppState>, a: Admin) -> PageResult {
    let groups = vec![
        (
            "admin-group-people",
            vec![
                ("/agent/admin/agents", "agents-title", "admin-agents-text"),
                (
                    "/agent/admin/departments",
                    "org-departments",
                    "admin-departments-text",
                ),
                ("/agent/admin/teams", "org-teams", "admin-teams-text"),
            ],
        ),
        (
            "admin-group-tickets",
            vec![
                ("/agent/admin/topics", "org-topics", "admin-topics-text"),
                ("/agent/admin/sla", "org-sla", "admin-sla-text"),
                ("/agent/admin/canned", "org-canned", "admin-canned-text"),
            ],
        ),
        (
            "admin-group-system",
            vec![
                (
                    "/agent/admin/settings",
                    "settings-portal",
                    "admin-portal-text",
                ),
                (
                    "/agent/admin/settings/mail",
                    "settings-mail",
                    "admin-mail-text",
                ),
                (
                    "/agent/admin/mailboxes",
                    "mailbox-title",
                    "admin-mailboxes-text",
                ),
                (
                    "/agent/admin/api-keys",
                    "apikeys-title",
                    "admin-apikeys-text",
                ),
                (
                    "/agent/admin/webhooks",
                    "webhook-title",
                    "admin-webhooks-text",
                ),
                ("/agent/admin/audit", "audit-title", "admin-audit-text"),
                (
                    "/agent/admin/mail-in",
                    "mail-in-title",
                    "admin-mail-in-text",
                ),
                ("/agent/admin/outbox", "outbox-title", "outbox-intro"),
            ],
        ),
    ];
    let checklist = s
        .app
        .install_checklist(a.actor())
        .await
        .map_err(|e| a.err(e))?;
    let page = OverviewPage {
        p: a.page(&s),
        groups,
        checklist,
    };
    a.show(&page, false)
}

/// The notices of the agent pages.
const AGENT_DONE: &[(&str, &str)] = &[
    ("agent-invite", "done-agent-invite"),
    ("agent-update", "done-agent-update"),
    ("agent-disable", "done-agent-disable"),
    ("agent-enable", "done-agent-enable"),
    ("agent-reset", "done-agent-reset"),
    ("agent-resend", "done-agent-resend"),
];

/// The fields of the agent form besides the departments' roles.
const AGENT_FIELDS: [&str; 5] = ["username", "display_name", "email", "lang", "is_admin"];

#[derive(Template)]
#[template(path = "admin/agents.html")]
struct AgentsPage {
    p: Page,
    agents: Vec<AgentSummary>,
    form: Form,
    departments: Vec<(i64, String)>,
    roles: Vec<(&'static str, String)>,
    action: &'static str,
    inviting: bool,
    done: Option<String>,
}

impl AgentsPage {
    fn role_of(&self, d: &i64) -> String {
        self.form.v(&format!("dept-{d}")).to_owned()
    }
}

/// The active departments: (id, name), by name.
async fn departments(s: &AppState, a: &Admin) -> Result<Vec<(i64, String)>, PageError> {
    Ok(crate::agent_ctx::directory(s, a).await?.departments.clone())
}

fn roles(p: &Page) -> Vec<(&'static str, String)> {
    let mut r = vec![("", p.t("role-none"))];
    for role in [Role::View, Role::Agent, Role::Manager] {
        r.push((role.as_str(), p.t(&format!("role-{}", role.as_str()))));
    }
    r
}

async fn agents_page(s: &AppState, a: &Admin, form: Form, done: Option<String>) -> PageResult {
    let list = s
        .app
        .agents_overview(a.actor())
        .await
        .map_err(|e| a.err(e))?;
    let p = a.page(s);
    let page = AgentsPage {
        agents: list,
        departments: departments(s, a).await?,
        roles: roles(&p),
        action: "/agent/admin/agents",
        inviting: true,
        done: notice(&p, done.as_deref(), AGENT_DONE),
        form,
        p,
    };
    a.show(&page, page.form.has_errors())
}

async fn agents(State(s): State<AppState>, a: Admin, Query(q): Query<Shown>) -> PageResult {
    agents_page(&s, &a, Form::new(), q.done).await
}

/// Reads the agent form (a role per department, `dept-{id}`) from a post.
fn agent_form(f: &Posted) -> (AgentForm, Form) {
    let mut form = f.form(&AGENT_FIELDS);
    let departments = f
        .pairs()
        .iter()
        .filter_map(|(k, v)| {
            let id = k.strip_prefix("dept-")?.parse::<i64>().ok()?;
            form.set(k, v.clone());
            Some((DepartmentId(id), Role::parse(v)))
        })
        .collect();
    let input = AgentForm {
        username: f.v("username"),
        email: f.v("email"),
        display_name: f.v("display_name"),
        is_admin: f.on("is_admin"),
        lang: f.v("lang"),
        departments,
    };
    (input, form)
}

async fn invite(State(s): State<AppState>, a: Admin, body: Bytes) -> PageResult {
    let f = Posted::read(&a, &body);
    let (input, form) = agent_form(&f);
    let invited = f.then(s.app.invite_agent(a.actor(), input)).await;
    let url = "/agent/admin/agents?done=agent-invite".to_owned();
    a.answer(invited.map(|_| url), |p| {
        agents_page(&s, &a, form.with_problem(a.lang(), &p), None)
    })
    .await
}

#[derive(Template)]
#[template(path = "admin/agent.html")]
struct AgentPage {
    p: Page,
    name: String,
    username: String,
    active: bool,
    /// Invited and not yet accepted.
    invited: bool,
    form: Form,
    departments: Vec<(i64, String)>,
    roles: Vec<(&'static str, String)>,
    action: String,
    inviting: bool,
    done: Option<String>,
}

impl AgentPage {
    fn role_of(&self, d: &i64) -> String {
        self.form.v(&format!("dept-{d}")).to_owned()
    }
}

async fn edit_page(
    s: &AppState,
    a: &Admin,
    id: i64,
    form: Option<Form>,
    done: Option<String>,
) -> PageResult {
    let (agent, active) = s
        .app
        .agent_for_admin(a.actor(), AgentId(id))
        .await
        .map_err(|e| a.err(e))?;
    // A one-button form (disable, enable, reset) sends no values: its errors are shown on
    // the agent's stored ones.
    let (form, errors) = match form {
        Some(f) if f.has_values() => (Some(f), None),
        other => (None, other),
    };
    let form = form.unwrap_or_else(|| {
        let mut f = Form::new();
        f.set("display_name", agent.display_name.clone());
        f.set("email", agent.email.clone());
        f.set("lang", agent.lang.as_str().into());
        f.set("is_admin", flag(agent.is_admin));
        for (d, r) in &agent.departments {
            f.set(&format!("dept-{}", d.0), r.as_str().into());
        }
        match errors {
            Some(e) => f.with_errors_of(e),
            None => f,
        }
    });
    let invited = s
        .app
        .agent_invited(a.actor(), AgentId(id))
        .await
        .map_err(|e| a.err(e))?;
    let p = a.page(s);
    let page = AgentPage {
        invited,
        name: agent.display_name,
        username: agent.username,
        active,
        departments: departments(s, a).await?,
        roles: roles(&p),
        action: format!("/agent/admin/agents/{id}"),
        inviting: false,
        done: notice(&p, done.as_deref(), AGENT_DONE),
        form,
        p,
    };
    a.show(&page, page.form.has_errors())
}

async fn agent_edit(
    State(s): State<AppState>,
    a: Admin,
    Path(id): Path<i64>,
    Query(q): Query<Shown>,
) -> PageResult {
    edit_page(&s, &a, id, None, q.done).await
}

async fn agent_save(
    State(s): State<AppState>,
    a: Admin,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let (actor, agent) = (a.actor(), AgentId(id));
    let f = Posted::read(&a, &body);
    let (input, form) = agent_form(&f);
    let action = f.v("do");
    let done = match action.as_str() {
        "disable" | "enable" | "reset" | "resend" => format!("agent-{action}"),
        _ => "agent-update".to_owned(),
    };
    let saved = f
        .then(async {
            match action.as_str() {
                "disable" => s.app.set_agent_active(actor, agent, false).await,
                "enable" => s.app.set_agent_active(actor, agent, true).await,
                "reset" => s.app.send_password_reset(actor, agent).await,
                "resend" => s.app.resend_invitation(actor, agent).await,
                _ => s.app.update_agent(actor, agent, input).await,
            }
        })
        .await;
    let url = format!("/agent/admin/agents/{id}?done={done}");
    // The one-button forms send no values: their errors show on the stored ones.
    a.answer(saved.map(|()| url), |p| {
        edit_page(&s, &a, id, Some(form.with_problem(a.lang(), &p)), None)
    })
    .await
}

#[derive(Template)]
#[template(path = "agent/set_password.html")]
struct SetPasswordPage {
    p: Page,
    valid: bool,
    form: Form,
    min: usize,
}

async fn set_password_form(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> PageResult {
    let valid = s
        .app
        .password_link_valid(&token)
        .await
        .map_err(|e| PageError::from_core(ctx.lang, e))?;
    let page = SetPasswordPage {
        p: Page::new(&ctx, &s.app.settings()),
        valid,
        form: Form::new(),
        min: tessera_core::MIN_PASSWORD,
    };
    let mut res = html(
        &ctx,
        if valid {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        },
        &page,
    )?;
    // The token is in this URL: it must not leak onwards.
    res.headers_mut().insert(
        axum::http::header::REFERRER_POLICY,
        axum::http::HeaderValue::from_static("no-referrer"),
    );
    Ok(res)
}

#[derive(Deserialize)]
struct SetPasswordInput {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

async fn set_password(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    AxForm(f): AxForm<SetPasswordInput>,
) -> PageResult {
    let result = if ctx.csrf_ok(&f.csrf) {
        s.app
            .set_password_with_link(&token, &f.new, &f.repeat)
            .await
    } else {
        let mut p = Problem::default();
        p.add("form", "error-csrf");
        Err(CoreError::Invalid(p))
    };
    let org = s.app.settings();
    match result {
        Ok(()) => Ok(ctx.finish(Redirect::to("/agent/login?done=password"))),
        Err(CoreError::Invalid(p)) => {
            let page = SetPasswordPage {
                p: Page::new(&ctx, &org),
                valid: true,
                form: Form::new().with_problem(ctx.lang, &p),
                min: tessera_core::MIN_PASSWORD,
            };
            html(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(CoreError::NotFound) => {
            let page = SetPasswordPage {
                p: Page::new(&ctx, &org),
                valid: false,
                form: Form::new(),
                min: tessera_core::MIN_PASSWORD,
            };
            html(&ctx, StatusCode::NOT_FOUND, &page)
        }
        Err(e) => Err(PageError::from_core(ctx.lang, e)),
    }
}
