//! Administration of departments, teams and help topics: one list-and-form page per kind,
//! driven by field descriptions so that the three share a template.

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
use tessera_core::{
    Actor, CannedAdmin, CoreError, DepartmentAdmin, SlaForm, SlaPlan, TeamAdmin, TopicAdmin,
};
use tessera_domain::{
    AgentId, CannedResponseId, DepartmentId, HelpTopicId, Priority, Problem, SlaPlanId, TeamId,
};

use crate::{
    AppState,
    agent_ctx::{AgentCtx, agent_page},
    error::admin_err,
    page::{PageResult, html, parse_form},
    render::Page,
};

/// The kinds administered here.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Departments,
    Teams,
    Topics,
    Sla,
    Canned,
}

impl Kind {
    fn path(self) -> &'static str {
        match self {
            Kind::Departments => "/agent/admin/departments",
            Kind::Teams => "/agent/admin/teams",
            Kind::Topics => "/agent/admin/topics",
            Kind::Sla => "/agent/admin/sla",
            Kind::Canned => "/agent/admin/canned",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Kind::Departments => "departments",
            Kind::Teams => "teams",
            Kind::Topics => "topics",
            Kind::Sla => "sla",
            Kind::Canned => "canned",
        }
    }
}

pub fn router() -> Router<AppState> {
    let mut r = Router::new();
    for kind in [
        Kind::Departments,
        Kind::Teams,
        Kind::Topics,
        Kind::Sla,
        Kind::Canned,
    ] {
        r = r
            .route(
                kind.path(),
                get(move |s, a, q| list(kind, s, a, q)).post(move |s, a, b| create(kind, s, a, b)),
            )
            .route(
                &format!("{}/{{id}}", kind.path()),
                get(move |s, a, p, q| edit(kind, s, a, p, q))
                    .post(move |s, a, p, b| save(kind, s, a, p, b)),
            );
    }
    r
}

/// One form field, described for the shared template.
struct Field {
    name: String,
    label: String,
    kind: &'static str,
    value: String,
    options: Vec<(String, String)>,
    selected: Vec<String>,
    error: Option<String>,
    required: bool,
    /// Values offered in a `<datalist>` for a text field; any other value may be typed.
    suggestions: &'static [&'static str],
}

/// Zones offered for service levels: where the first users' colleagues work, and the big
/// ones elsewhere. Any IANA name may be typed.
const COMMON_ZONES: &[&str] = &[
    "Europe/Berlin",
    "Europe/Vienna",
    "Europe/Zurich",
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/Paris",
    "Europe/London",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Istanbul",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "UTC",
];

/// The zone new service levels start with: the first users are in Germany. Existing plans
/// keep UTC (the migration's default), which is what they counted in before.
const NEW_PLAN_ZONE: &str = "Europe/Berlin";

fn field(p: &Page, name: &str, label: &str, kind: &'static str, value: impl Into<String>) -> Field {
    Field {
        name: name.into(),
        label: p.t(label),
        kind,
        value: value.into(),
        options: vec![],
        selected: vec![],
        error: None,
        required: matches!(kind, "text" | "email" | "textarea"),
        suggestions: &[],
    }
}

/// Seconds as hours for people ("1.5", "24").
fn hours(seconds: i64) -> String {
    let h = seconds as f64 / 3600.0;
    if h.fract() == 0.0 {
        format!("{h:.0}")
    } else {
        format!("{h}")
    }
}

fn flag(b: bool) -> String {
    if b { "1".into() } else { String::new() }
}

struct Row {
    link: String,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "admin/entities.html")]
struct EntitiesPage {
    p: Page,
    title: String,
    back: Option<(String, String)>,
    /// Pages about this item (a department's members, a topic's custom fields).
    links: Vec<(String, String)>,
    done: Option<String>,
    headers: Vec<String>,
    rows: Vec<Row>,
    form_title: String,
    fields: Vec<Field>,
    action: String,
    submit: String,
    form_error: Option<String>,
    has_errors: bool,
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

/// What the kinds need from the database to build forms.
struct Lookups {
    departments: Vec<DepartmentAdmin>,
    agents: Vec<(i64, String)>,
    teams: Vec<(i64, String)>,
    plans: Vec<SlaPlan>,
}

async fn lookups(s: &AppState, a: &AgentCtx) -> Result<Lookups, CoreError> {
    let departments = s.app.departments_admin(Actor::Agent(&a.agent)).await?;
    let plans = s.app.sla_plans_admin(Actor::Agent(&a.agent)).await?;
    // The active agents and teams, as of the request's session.
    let directory = s
        .app
        .directory(a.ctx.session.as_ref().and_then(|x| x.directory))
        .await?;
    Ok(Lookups {
        departments,
        agents: directory.agent_names(),
        teams: directory.teams.clone(),
        plans,
    })
}

fn yes(p: &Page, b: bool) -> String {
    p.t(if b { "yes" } else { "no" })
}

/// The table of existing items.
async fn rows(
    kind: Kind,
    s: &AppState,
    a: &AgentCtx,
    p: &Page,
    l: &Lookups,
) -> Result<(Vec<String>, Vec<Row>), CoreError> {
    let actor = Actor::Agent(&a.agent);
    let dept_name = |id: i64| {
        l.departments
            .iter()
            .find(|d| d.id.0 == id)
            .map(|d| d.name.clone())
            .unwrap_or_default()
    };
    Ok(match kind {
        Kind::Departments => {
            let managers = s.app.department_managers(actor).await?;
            let managers_of = |id: i64| {
                managers
                    .iter()
                    .filter(|(d, _)| d.0 == id)
                    .map(|(_, n)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            (
                vec![
                    p.t("field-name-only"),
                    p.t("field-email"),
                    p.t("members-managers"),
                    p.t("org-alerts"),
                    p.t("org-active"),
                ],
                l.departments
                    .iter()
                    .map(|d| Row {
                        link: format!("{}/{}", kind.path(), d.id),
                        cells: vec![
                            d.name.clone(),
                            d.email.clone(),
                            managers_of(d.id.0),
                            yes(p, d.alert_new_ticket),
                            yes(p, d.is_active),
                        ],
                    })
                    .collect(),
            )
        }
        Kind::Teams => {
            let teams = s.app.teams_admin(actor).await?;
            (
                vec![
                    p.t("field-name-only"),
                    p.t("org-members"),
                    p.t("org-active"),
                ],
                teams
                    .iter()
                    .map(|t| Row {
                        link: format!("{}/{}", kind.path(), t.id),
                        cells: vec![
                            t.name.clone(),
                            t.members
                                .iter()
                                .filter_map(|(m, lead)| {
                                    let n = l.agents.iter().find(|(id, _)| id == m)?.1.clone();
                                    Some(if *lead { format!("{n} ★") } else { n })
                                })
                                .collect::<Vec<_>>()
                                .join(", "),
                            yes(p, t.is_active),
                        ],
                    })
                    .collect(),
            )
        }
        Kind::Sla => (
            vec![
                p.t("field-name-only"),
                p.t("sla-grace"),
                p.t("sla-schedule"),
                p.t("sla-timezone"),
                p.t("org-active"),
            ],
            l.plans
                .iter()
                .map(|x| Row {
                    link: format!("{}/{}", kind.path(), x.id),
                    cells: vec![
                        x.name.clone(),
                        hours(x.grace_seconds),
                        x.schedule.clone(),
                        x.timezone.clone(),
                        yes(p, x.is_active),
                    ],
                })
                .collect(),
        ),
        Kind::Canned => {
            let all = s.app.canned_admin(actor).await?;
            (
                vec![
                    p.t("canned-title"),
                    p.t("meta-department"),
                    p.t("org-active"),
                ],
                all.iter()
                    .map(|c| Row {
                        link: format!("{}/{}", kind.path(), c.id),
                        cells: vec![
                            c.title.clone(),
                            c.department
                                .map(|d| dept_name(d.0))
                                .unwrap_or_else(|| p.t("canned-all")),
                            yes(p, c.is_active),
                        ],
                    })
                    .collect(),
            )
        }
        Kind::Topics => {
            let topics = s.app.topics_admin(actor).await?;
            (
                vec![
                    p.t("org-name-de"),
                    p.t("org-name-en"),
                    p.t("meta-department"),
                    p.t("org-public"),
                    p.t("org-active"),
                ],
                topics
                    .iter()
                    .map(|t| Row {
                        link: format!("{}/{}", kind.path(), t.id),
                        cells: vec![
                            t.name_de.clone(),
                            t.name_en.clone(),
                            dept_name(t.department.0),
                            yes(p, t.is_public),
                            yes(p, t.is_active),
                        ],
                    })
                    .collect(),
            )
        }
    })
}

/// The form's fields, filled from `values` (name → value; repeated names for lists).
fn fields(kind: Kind, p: &Page, l: &Lookups, values: &[(String, String)]) -> Vec<Field> {
    let v = |k: &str| {
        values
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, x)| x.clone())
            .unwrap_or_default()
    };
    match kind {
        Kind::Departments => vec![
            field(p, "name", "field-name-only", "text", v("name")),
            field(p, "email", "org-department-email", "email", v("email")),
            field(
                p,
                "alert_new_ticket",
                "org-alerts-label",
                "checkbox",
                v("alert_new_ticket"),
            ),
            field(
                p,
                "is_active",
                "org-active-label",
                "checkbox",
                v("is_active"),
            ),
        ],
        Kind::Teams => {
            let mut members = field(p, "member", "org-members", "multi", "");
            members.options = l
                .agents
                .iter()
                .map(|(id, n)| (id.to_string(), n.clone()))
                .collect();
            members.selected = values
                .iter()
                .filter(|(k, _)| k == "member")
                .map(|(_, x)| x.clone())
                .collect();
            let mut lead = field(p, "lead", "org-lead", "select", v("lead"));
            lead.options = std::iter::once((String::new(), "–".to_owned()))
                .chain(l.agents.iter().map(|(id, n)| (id.to_string(), n.clone())))
                .collect();
            vec![
                field(p, "name", "field-name-only", "text", v("name")),
                members,
                lead,
                field(
                    p,
                    "is_active",
                    "org-active-label",
                    "checkbox",
                    v("is_active"),
                ),
            ]
        }
        Kind::Canned => {
            let mut dept = field(
                p,
                "department_id",
                "meta-department",
                "select",
                v("department_id"),
            );
            dept.options = std::iter::once((String::new(), p.t("canned-all")))
                .chain(
                    l.departments
                        .iter()
                        .map(|d| (d.id.to_string(), d.name.clone())),
                )
                .collect();
            vec![
                field(p, "title", "canned-title", "text", v("title")),
                dept,
                field(p, "body", "canned-body", "textarea", v("body")),
                field(
                    p,
                    "is_active",
                    "org-active-label",
                    "checkbox",
                    v("is_active"),
                ),
            ]
        }
        Kind::Sla => {
            let mut schedule = field(
                p,
                "schedule",
                "sla-schedule-local-label",
                "text",
                v("schedule"),
            );
            schedule.required = false;
            let mut timezone = field(p, "timezone", "sla-timezone-label", "text", v("timezone"));
            timezone.required = false;
            timezone.suggestions = COMMON_ZONES;
            let mut holidays = field(p, "holidays", "sla-holidays-label", "text", v("holidays"));
            holidays.required = false;
            vec![
                field(p, "name", "field-name-only", "text", v("name")),
                field(
                    p,
                    "grace_hours",
                    "sla-grace-label",
                    "text",
                    v("grace_hours"),
                ),
                schedule,
                timezone,
                holidays,
                field(
                    p,
                    "is_active",
                    "org-active-label",
                    "checkbox",
                    v("is_active"),
                ),
            ]
        }
        Kind::Topics => {
            let mut dept = field(
                p,
                "department_id",
                "meta-department",
                "select",
                v("department_id"),
            );
            dept.options = l
                .departments
                .iter()
                .map(|d| (d.id.to_string(), d.name.clone()))
                .collect();
            let mut sla = field(p, "sla_plan_id", "sla-plan", "select", v("sla_plan_id"));
            sla.options = std::iter::once((String::new(), p.t("sla-none")))
                .chain(l.plans.iter().map(|x| (x.id.to_string(), x.name.clone())))
                .collect();
            let mut priority = field(
                p,
                "default_priority",
                "topic-priority",
                "select",
                v("default_priority"),
            );
            priority.options = tessera_domain::Priority::ALL
                .iter()
                .map(|x| {
                    (
                        x.as_str().to_owned(),
                        p.t(&format!("priority-{}", x.as_str())),
                    )
                })
                .collect();
            let none = || std::iter::once((String::new(), p.t("sla-none")));
            let mut auto_agent = field(
                p,
                "auto_agent_id",
                "topic-auto-agent",
                "select",
                v("auto_agent_id"),
            );
            auto_agent.options = none()
                .chain(l.agents.iter().map(|(id, n)| (id.to_string(), n.clone())))
                .collect();
            let mut auto_team = field(
                p,
                "auto_team_id",
                "topic-auto-team",
                "select",
                v("auto_team_id"),
            );
            auto_team.options = none()
                .chain(l.teams.iter().map(|(id, n)| (id.to_string(), n.clone())))
                .collect();
            vec![
                field(p, "name_de", "org-name-de", "text", v("name_de")),
                field(p, "name_en", "org-name-en", "text", v("name_en")),
                dept,
                sla,
                priority,
                auto_agent,
                auto_team,
                field(p, "sort_order", "org-order", "number", v("sort_order")),
                field(
                    p,
                    "is_public",
                    "org-public-label",
                    "checkbox",
                    v("is_public"),
                ),
                field(
                    p,
                    "is_active",
                    "org-active-label",
                    "checkbox",
                    v("is_active"),
                ),
            ]
        }
    }
}

/// The current values of an item, as form values.
async fn current(
    kind: Kind,
    s: &AppState,
    a: &AgentCtx,
    l: &Lookups,
    id: i64,
) -> Result<Vec<(String, String)>, CoreError> {
    let kv = |pairs: Vec<(&str, String)>| {
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect::<Vec<_>>()
    };
    Ok(match kind {
        Kind::Departments => {
            let d = l
                .departments
                .iter()
                .find(|d| d.id.0 == id)
                .ok_or(CoreError::NotFound)?;
            kv(vec![
                ("name", d.name.clone()),
                ("email", d.email.clone()),
                ("alert_new_ticket", flag(d.alert_new_ticket)),
                ("is_active", flag(d.is_active)),
            ])
        }
        Kind::Teams => {
            let t = s
                .app
                .teams_admin(Actor::Agent(&a.agent))
                .await?
                .into_iter()
                .find(|t| t.id == id)
                .ok_or(CoreError::NotFound)?;
            let mut v = kv(vec![
                ("name", t.name.clone()),
                ("is_active", flag(t.is_active)),
            ]);
            for (m, lead) in &t.members {
                v.push(("member".into(), m.to_string()));
                if *lead {
                    v.push(("lead".into(), m.to_string()));
                }
            }
            v
        }
        Kind::Canned => {
            let c = s
                .app
                .canned_admin(Actor::Agent(&a.agent))
                .await?
                .into_iter()
                .find(|c| c.id.0 == id)
                .ok_or(CoreError::NotFound)?;
            kv(vec![
                ("title", c.title),
                (
                    "department_id",
                    c.department.map(|d| d.to_string()).unwrap_or_default(),
                ),
                ("body", c.body),
                ("is_active", flag(c.is_active)),
            ])
        }
        Kind::Sla => {
            let x = l
                .plans
                .iter()
                .find(|x| x.id.0 == id)
                .ok_or(CoreError::NotFound)?;
            kv(vec![
                ("name", x.name.clone()),
                ("grace_hours", hours(x.grace_seconds)),
                ("schedule", x.schedule.clone()),
                ("timezone", x.timezone.clone()),
                ("holidays", x.holidays.clone()),
                ("is_active", flag(x.is_active)),
            ])
        }
        Kind::Topics => {
            let t = s
                .app
                .topics_admin(Actor::Agent(&a.agent))
                .await?
                .into_iter()
                .find(|t| t.id.0 == id)
                .ok_or(CoreError::NotFound)?;
            kv(vec![
                ("name_de", t.name_de),
                ("name_en", t.name_en),
                ("department_id", t.department.to_string()),
                ("sort_order", t.sort_order.to_string()),
                (
                    "sla_plan_id",
                    t.sla_plan.map(|x| x.to_string()).unwrap_or_default(),
                ),
                ("default_priority", t.default_priority.as_str().to_owned()),
                (
                    "auto_agent_id",
                    t.auto_agent.map(|x| x.to_string()).unwrap_or_default(),
                ),
                (
                    "auto_team_id",
                    t.auto_team.map(|x| x.to_string()).unwrap_or_default(),
                ),
                ("is_public", flag(t.is_public)),
                ("is_active", flag(t.is_active)),
            ])
        }
    })
}

#[allow(clippy::too_many_arguments)]
async fn render(
    kind: Kind,
    s: &AppState,
    a: &AgentCtx,
    id: Option<i64>,
    values: Vec<(String, String)>,
    problem: Option<Problem>,
    done: Option<String>,
) -> PageResult {
    let lang = a.ctx.lang;
    let l = lookups(s, a).await.map_err(|e| admin_err(lang, e))?;
    let p = agent_page(s, a);
    let (headers, rows) = match id {
        None => rows(kind, s, a, &p, &l)
            .await
            .map_err(|e| admin_err(lang, e))?,
        Some(_) => (vec![], vec![]),
    };
    let mut fields = fields(kind, &p, &l, &values);
    let mut form_error = None;
    if let Some(pr) = &problem {
        for e in &pr.errors {
            match fields.iter_mut().find(|f| f.name == e.field) {
                Some(f) => f.error = Some(p.t(e.key)),
                None => form_error = Some(p.t(e.key)),
            }
        }
    }
    let title = p.t(&format!("org-{}", kind.key()));
    let page = EntitiesPage {
        back: id.map(|_| (kind.path().to_owned(), title.clone())),
        links: match (kind, id) {
            (Kind::Departments, Some(i)) => vec![(crate::members::path(i), p.t("members-link"))],
            (Kind::Topics, Some(i)) => {
                vec![(format!("{}/{i}/fields", kind.path()), p.t("fields-link"))]
            }
            _ => vec![],
        },
        title: match id {
            Some(_) => values
                .iter()
                .find(|(k, _)| k == "name" || k == "name_de")
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
            None => title,
        },
        done: done
            .filter(|d| d == "saved")
            .map(|_| p.t("done-agent-update")),
        headers,
        rows,
        form_title: p.t(if id.is_some() {
            "org-edit"
        } else {
            "org-create"
        }),
        fields,
        action: match id {
            Some(i) => format!("{}/{i}", kind.path()),
            None => kind.path().to_owned(),
        },
        submit: p.t("action-save"),
        has_errors: problem.is_some(),
        form_error,
        p,
    };
    let status = if page.has_errors {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    html(&a.ctx, status, &page)
}

async fn list(
    kind: Kind,
    State(s): State<AppState>,
    a: AgentCtx,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let defaults = match kind {
        Kind::Departments => vec![
            ("alert_new_ticket".into(), "1".into()),
            ("is_active".into(), "1".into()),
        ],
        Kind::Teams => vec![("is_active".into(), "1".into())],
        Kind::Topics => vec![
            ("is_public".into(), "1".into()),
            ("is_active".into(), "1".into()),
            ("sort_order".into(), "100".into()),
        ],
        Kind::Canned => vec![("is_active".into(), "1".into())],
        Kind::Sla => vec![
            ("grace_hours".into(), "24".into()),
            ("schedule".into(), "Mo-Fr 08:00-17:00".into()),
            ("timezone".into(), NEW_PLAN_ZONE.into()),
            ("is_active".into(), "1".into()),
        ],
    };
    render(kind, &s, &a, None, defaults, None, q.done).await
}

async fn edit(
    kind: Kind,
    State(s): State<AppState>,
    a: AgentCtx,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let lang = a.ctx.lang;
    let l = lookups(&s, &a).await.map_err(|e| admin_err(lang, e))?;
    let values = current(kind, &s, &a, &l, id)
        .await
        .map_err(|e| admin_err(lang, e))?;
    render(kind, &s, &a, Some(id), values, None, q.done).await
}

async fn store(
    kind: Kind,
    s: &AppState,
    a: &AgentCtx,
    id: i64,
    values: &[(String, String)],
) -> Result<i64, CoreError> {
    let v = |k: &str| {
        values
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, x)| x.clone())
            .unwrap_or_default()
    };
    let on = |k: &str| v(k) == "1";
    let actor = Actor::Agent(&a.agent);
    match kind {
        Kind::Departments => {
            s.app
                .save_department(
                    actor,
                    DepartmentAdmin {
                        id: DepartmentId(id),
                        name: v("name"),
                        email: v("email"),
                        alert_new_ticket: on("alert_new_ticket"),
                        is_active: on("is_active"),
                    },
                )
                .await
        }
        Kind::Teams => {
            let lead: Option<i64> = v("lead").parse().ok();
            let members = values
                .iter()
                .filter(|(k, _)| k == "member")
                .filter_map(|(_, x)| x.parse::<i64>().ok())
                .map(|m| (m, Some(m) == lead))
                .collect();
            s.app
                .save_team(
                    actor,
                    TeamAdmin {
                        id,
                        name: v("name"),
                        is_active: on("is_active"),
                        members,
                    },
                )
                .await
        }
        Kind::Topics => {
            let default_priority = match v("default_priority") {
                x if x.is_empty() => Priority::Normal,
                x => Priority::parse(&x).ok_or_else(|| {
                    let mut p = Problem::default();
                    p.add("default_priority", "error-priority");
                    CoreError::Invalid(p)
                })?,
            };
            s.app
                .save_topic(
                    actor,
                    TopicAdmin {
                        id: HelpTopicId(id),
                        name_de: v("name_de"),
                        name_en: v("name_en"),
                        department: DepartmentId(v("department_id").parse().unwrap_or(0)),
                        is_public: on("is_public"),
                        is_active: on("is_active"),
                        sort_order: v("sort_order").trim().parse().unwrap_or(100),
                        sla_plan: v("sla_plan_id").parse().ok().map(SlaPlanId),
                        default_priority,
                        auto_agent: v("auto_agent_id").parse().ok().map(AgentId),
                        auto_team: v("auto_team_id").parse().ok().map(TeamId),
                    },
                )
                .await
        }
        Kind::Canned => {
            let row = CannedAdmin {
                id: CannedResponseId(id),
                department: v("department_id").parse().ok().map(DepartmentId),
                title: v("title"),
                body: v("body"),
                is_active: on("is_active"),
            };
            s.app.save_canned(actor, row).await
        }
        Kind::Sla => {
            let form = SlaForm {
                id,
                name: v("name"),
                grace_hours: v("grace_hours"),
                schedule: v("schedule"),
                holidays: v("holidays"),
                timezone: v("timezone"),
                active: on("is_active"),
            };
            s.app.save_sla_plan(actor, form).await
        }
    }
}

async fn submit(kind: Kind, s: AppState, a: AgentCtx, id: Option<i64>, body: Bytes) -> PageResult {
    let lang = a.ctx.lang;
    let values = parse_form(&body);
    let csrf = values
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let stored = match a.ctx.check_csrf(csrf) {
        Ok(()) => store(kind, &s, &a, id.unwrap_or(0), &values).await,
        Err(e) => Err(e),
    };
    match stored {
        Ok(saved) => Ok(a
            .ctx
            .finish(Redirect::to(&format!("{}/{saved}?done=saved", kind.path())))),
        Err(CoreError::Invalid(p)) => render(kind, &s, &a, id, values, Some(p), None).await,
        Err(e) => Err(admin_err(lang, e)),
    }
}

async fn create(kind: Kind, State(s): State<AppState>, a: AgentCtx, body: Bytes) -> PageResult {
    submit(kind, s, a, None, body).await
}

async fn save(
    kind: Kind,
    State(s): State<AppState>,
    a: AgentCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    submit(kind, s, a, Some(id), body).await
}
