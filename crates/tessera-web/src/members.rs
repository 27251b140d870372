//! A department's members and managers, managed by administrators from the department:
//! `/agent/admin/departments/{id}/members`. One form per member changes the role or removes
//! them; one form adds an agent.

use askama::Template;
use axum::{
    Router,
    body::Bytes,
    extract::{Path, Query, State},
    routing::get,
};
use tessera_core::CoreError;
use tessera_domain::{AgentId, DepartmentId, Problem, Role};

use crate::{
    AppState,
    admin_form::{Admin, Posted, Shown, notice},
    page::PageResult,
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
    /// Agents who may be added: (id, "name (username)").
    candidates: Vec<(String, String)>,
    roles: Vec<(&'static str, String)>,
    action: String,
    form: Form,
    done: Option<String>,
}

const ROLES: [Role; 3] = [Role::Manager, Role::Agent, Role::View];

fn role_label(p: &Page, r: Role) -> String {
    p.t(&format!("role-{}", r.as_str()))
}

async fn page(s: &AppState, a: &Admin, id: i64, form: Form, done: Option<String>) -> PageResult {
    let data = s
        .app
        .department_members(a.actor(), DepartmentId(id))
        .await
        .map_err(|e| a.err(e))?;
    let p = a.page(s);
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
    let department = data.department.name;
    let page = MembersPage {
        id,
        heading: p.t1("members-heading", "department", &department),
        department,
        members,
        candidates: data
            .candidates
            .into_iter()
            .map(|(id, name, user)| (id.0.to_string(), format!("{name} ({user})")))
            .collect(),
        roles: ROLES
            .iter()
            .map(|r| (r.as_str(), role_label(&p, *r)))
            .collect(),
        action: path(id),
        form,
        done: notice(
            &p,
            done.as_deref(),
            &[
                ("add", "done-member-add"),
                ("role", "done-member-role"),
                ("remove", "done-member-remove"),
            ],
        ),
        p,
    };
    a.show(&page, page.form.has_errors())
}

async fn show(
    State(s): State<AppState>,
    a: Admin,
    Path(id): Path<i64>,
    Query(q): Query<Shown>,
) -> PageResult {
    let mut form = Form::new();
    form.set("role", Role::Agent.as_str().into());
    page(&s, &a, id, form, q.done).await
}

async fn change(
    State(s): State<AppState>,
    a: Admin,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let (actor, d) = (a.actor(), DepartmentId(id));
    let f = Posted::read(&a, &body);
    let action = f.v("do");
    let agent = f.v("agent").trim().parse().ok().map(AgentId);
    let role = Role::parse(&f.v("role"));
    let changed = f
        .then(async {
            match (action.as_str(), agent) {
                ("add" | "role", _) => s.app.set_department_member(actor, d, agent, role).await,
                ("remove", Some(agent)) => s.app.remove_department_member(actor, d, agent).await,
                _ => Err(CoreError::NotFound),
            }
        })
        .await;
    let url = format!("{}?done={action}", path(id));
    a.answer(changed.map(|()| url), |p: Problem| {
        // The add form shows errors at its fields; a member's row has no room for them.
        let (p, form) = if action == "add" {
            (p, f.form(&["agent", "role"]))
        } else {
            (crate::admin_form::on_fields(&[], &p), Form::new())
        };
        page(&s, &a, id, form.with_problem(a.lang(), &p), None)
    })
    .await
}
