//! A department's members and managers, managed by administrators from the department:
//! `/agent/admin/departments/{id}/members`. One form per member changes the role or removes
//! them; one form adds an agent.

use askama::Template;
use axum::{
    Form as AxForm, Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::Redirect,
    routing::get,
};
use serde::Deserialize;
use tessera_core::{Actor, CoreError};
use tessera_domain::{AgentId, DepartmentId, Problem, Role};

use crate::{
    AppState,
    agent_ctx::{AgentCtx, agent_page},
    error::admin_err,
    page::{PageResult, html},
    render::{Form, Page},
};

/// The routes of this page.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/agent/admin/departments/{id}/members",
        get(show).post(change),
    )
}

/// The page's path for a department.
pub(crate) fn path(id: i64) -> String {
    format!("/agent/admin/departments/{id}/members")
}

/// One member's row, with its labels spelled out for screen readers.
struct MemberView {
    id: i64,
    name: String,
    username: String,
    role: &'static str,
    role_label: String,
    manager: bool,
    active: String,
    role_of: String,
    change_of: String,
    remove_of: String,
}

#[derive(Template)]
#[template(path = "admin/members.html")]
struct MembersPage {
    p: Page,
    id: i64,
    department: String,
    heading: String,
    members: Vec<MemberView>,
    candidates: Vec<(i64, String, String)>,
    roles: Vec<(&'static str, String)>,
    action: String,
    form: Form,
    done: Option<String>,
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

#[derive(Deserialize)]
struct MemberInput {
    #[serde(default)]
    csrf: String,
    #[serde(default, rename = "do")]
    action: String,
    #[serde(default)]
    agent: String,
    #[serde(default)]
    role: String,
}

const ROLES: [Role; 3] = [Role::Manager, Role::Agent, Role::View];

fn role_label(p: &Page, r: Role) -> String {
    p.t(&format!("role-{}", r.as_str()))
}

async fn page(s: &AppState, a: &AgentCtx, id: i64, form: Form, done: Option<String>) -> PageResult {
    let lang = a.ctx.lang;
    let data = s
        .app
        .department_members(Actor::Agent(&a.agent), DepartmentId(id))
        .await
        .map_err(|e| admin_err(lang, e))?;
    let p = agent_page(s, a);
    let members = data
        .members
        .into_iter()
        .map(|m| MemberView {
            id: m.agent_id.0,
            role: m.role.as_str(),
            role_label: role_label(&p, m.role),
            manager: m.role == Role::Manager,
            active: p.t(if m.is_active { "yes" } else { "no" }),
            role_of: p.t1("members-role-of", "name", &m.display_name),
            change_of: p.t1("members-change-of", "name", &m.display_name),
            remove_of: p.t1("members-remove-of", "name", &m.display_name),
            name: m.display_name,
            username: m.username,
        })
        .collect();
    let status = if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let department = data.department.name;
    let page = MembersPage {
        id,
        heading: p.t1("members-heading", "department", &department),
        department,
        members,
        candidates: data
            .candidates
            .into_iter()
            .map(|(id, name, user)| (id.0, name, user))
            .collect(),
        roles: ROLES
            .iter()
            .map(|r| (r.as_str(), role_label(&p, *r)))
            .collect(),
        action: path(id),
        form,
        done: done
            .filter(|d| matches!(d.as_str(), "add" | "role" | "remove"))
            .map(|d| p.t(&format!("done-member-{d}"))),
        p,
    };
    html(&a.ctx, status, &page)
}

async fn show(
    State(s): State<AppState>,
    a: AgentCtx,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let mut form = Form::new();
    form.set("role", Role::Agent.as_str().into());
    page(&s, &a, id, form, q.done).await
}

async fn change(
    State(s): State<AppState>,
    a: AgentCtx,
    Path(id): Path<i64>,
    AxForm(f): AxForm<MemberInput>,
) -> PageResult {
    let lang = a.ctx.lang;
    let actor = Actor::Agent(&a.agent);
    let d = DepartmentId(id);
    let agent = f.agent.trim().parse().ok().map(AgentId);
    let role = Role::parse(&f.role);
    let result = match f.action.as_str() {
        _ if !a.ctx.csrf_ok(&f.csrf) => Err(CoreError::Invalid(crate::ctx::csrf_problem())),
        "add" | "role" => s.app.set_department_member(actor, d, agent, role).await,
        "remove" => match agent {
            Some(agent) => s.app.remove_department_member(actor, d, agent).await,
            None => Err(CoreError::NotFound),
        },
        _ => Err(CoreError::NotFound),
    };
    match result {
        Ok(()) => Ok(a
            .ctx
            .finish(Redirect::to(&format!("{}?done={}", path(id), f.action)))),
        Err(CoreError::Invalid(p)) => {
            // The add form shows errors at its fields; a member's row has no room for them.
            let p = if f.action == "add" {
                p
            } else {
                let mut whole = Problem::default();
                for e in p.errors {
                    whole.add("form", e.key);
                }
                whole
            };
            let mut form = Form::new().with_problem(lang, &p);
            if f.action == "add" {
                form.set("agent", f.agent);
                form.set("role", f.role);
            }
            page(&s, &a, id, form, None).await
        }
        Err(e) => Err(admin_err(lang, e)),
    }
}
