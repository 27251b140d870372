//! Administration of departments, teams and help topics: one list-and-form page per kind,
//! driven by field descriptions so that the three share a template.

use askama::Template;
use axum::{
    Router,
    body::Bytes,
    extract::{Path, Query, State},
    routing::get,
};
use tessera_core::{
    CannedAdmin, CoreError, DepartmentAdmin, SlaForm, SlaPlan, TeamAdmin, TopicAdmin,
};
use tessera_domain::{
    AgentId, CannedResponseId, DepartmentId, HelpTopicId, Priority, Problem, SlaPlanId, TeamId,
};

use crate::{
    AppState,
    admin_form::{Admin, Field, Posted, Shown, flag, form_of, notice, on_fields},
    page::PageResult,
    render::{Form, Page},
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

/// Seconds as hours for people ("1.5", "24").
fn hours(seconds: i64) -> String {
    let h = seconds as f64 / 3600.0;
    if h.fract() == 0.0 {
        format!("{h:.0}")
    } else {
        format!("{h}")
    }
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
    headers: Vec<&'static str>,
    rows: Vec<Row>,
    form_title: String,
    fields: Vec<Field>,
    form: Form,
    action: String,
    submit: String,
}

/// What the kinds need from the database to build forms.
struct Lookups {
    departments: Vec<DepartmentAdmin>,
    agents: Vec<(i64, String)>,
    teams: Vec<(i64, String)>,
    plans: Vec<SlaPlan>,
}

async fn lookups(s: &AppState, a: &Admin) -> Result<Lookups, CoreError> {
    let departments = s.app.departments_admin(a.actor()).await?;
    let plans = s.app.sla_plans_admin(a.actor()).await?;
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

/// The table of existing items: header keys and rows.
async fn rows(
    kind: Kind,
    s: &AppState,
    a: &Admin,
    p: &Page,
    l: &Lookups,
) -> Result<(Vec<&'static str>, Vec<Row>), CoreError> {
    let actor = a.actor();
    let dept_name = |id: i64| {
        l.departments
            .iter()
            .find(|d| d.id.0 == id)
            .map(|d| d.name.clone())
            .unwrap_or_default()
    };
    let row = |id: String, cells: Vec<String>| Row {
        link: format!("{}/{id}", kind.path()),
        cells,
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
                    "field-name-only",
                    "field-email",
                    "members-managers",
                    "org-alerts",
                    "org-active",
                ],
                l.departments
                    .iter()
                    .map(|d| {
                        let cells = vec![
                            d.name.clone(),
                            d.email.clone(),
                            managers_of(d.id.0),
                            yes(p, d.alert_new_ticket),
                            yes(p, d.is_active),
                        ];
                        row(d.id.to_string(), cells)
                    })
                    .collect(),
            )
        }
        Kind::Teams => {
            let teams = s.app.teams_admin(actor).await?;
            let member = |(m, lead): &(i64, bool)| {
                let n = l.agents.iter().find(|(id, _)| id == m)?.1.clone();
                Some(if *lead { format!("{n} ★") } else { n })
            };
            (
                vec!["field-name-only", "org-members", "org-active"],
                teams
                    .iter()
                    .map(|t| {
                        let members = t.members.iter().filter_map(member).collect::<Vec<_>>();
                        let cells = vec![t.name.clone(), members.join(", "), yes(p, t.is_active)];
                        row(t.id.to_string(), cells)
                    })
                    .collect(),
            )
        }
        Kind::Sla => (
            vec![
                "field-name-only",
                "sla-grace",
                "sla-schedule",
                "sla-timezone",
                "org-active",
            ],
            l.plans
                .iter()
                .map(|x| {
                    let cells = vec![
                        x.name.clone(),
                        hours(x.grace_seconds),
                        x.schedule.clone(),
                        x.timezone.clone(),
                        yes(p, x.is_active),
                    ];
                    row(x.id.to_string(), cells)
                })
                .collect(),
        ),
        Kind::Canned => {
            let all = s.app.canned_admin(actor).await?;
            (
                vec!["canned-title", "meta-department", "org-active"],
                all.iter()
                    .map(|c| {
                        let dept = c.department.map(|d| dept_name(d.0));
                        let cells = vec![
                            c.title.clone(),
                            dept.unwrap_or_else(|| p.t("canned-all")),
                            yes(p, c.is_active),
                        ];
                        row(c.id.to_string(), cells)
                    })
                    .collect(),
            )
        }
        Kind::Topics => {
            let topics = s.app.topics_admin(actor).await?;
            (
                vec![
                    "org-name-de",
                    "org-name-en",
                    "meta-department",
                    "org-public",
                    "org-active",
                ],
                topics
                    .iter()
                    .map(|t| {
                        let cells = vec![
                            t.name_de.clone(),
                            t.name_en.clone(),
                            dept_name(t.department.0),
                            yes(p, t.is_public),
                            yes(p, t.is_active),
                        ];
                        row(t.id.to_string(), cells)
                    })
                    .collect(),
            )
        }
    })
}

/// (id, name) pairs as choices.
fn choices<'a>(items: impl IntoIterator<Item = &'a (i64, String)>) -> Vec<(String, String)> {
    items
        .into_iter()
        .map(|(id, n)| (id.to_string(), n.clone()))
        .collect()
}

/// The form's fields; `values` (name → value, repeated names for lists) tick the boxes.
fn fields(kind: Kind, p: &Page, l: &Lookups, values: &[(String, String)]) -> Vec<Field> {
    let active = || Field::new("is_active", "org-active-label", "checkbox");
    let name = || Field::new("name", "field-name-only", "text");
    let departments = || {
        l.departments
            .iter()
            .map(|d| (d.id.to_string(), d.name.clone()))
    };
    match kind {
        Kind::Departments => vec![
            name(),
            Field::new("email", "org-department-email", "email"),
            Field::new("alert_new_ticket", "org-alerts-label", "checkbox"),
            active(),
        ],
        Kind::Teams => {
            let mut members =
                Field::new("member", "org-members", "multi").options(choices(&l.agents));
            members.selected = values
                .iter()
                .filter(|(k, _)| k == "member")
                .map(|(_, x)| x.clone())
                .collect();
            let none = (String::new(), "–".to_owned());
            let lead = std::iter::once(none).chain(choices(&l.agents)).collect();
            vec![
                name(),
                members,
                Field::new("lead", "org-lead", "select").options(lead),
                active(),
            ]
        }
        Kind::Canned => {
            let all = (String::new(), p.t("canned-all"));
            let dept = std::iter::once(all).chain(departments()).collect();
            vec![
                Field::new("title", "canned-title", "text"),
                Field::new("department_id", "meta-department", "select").options(dept),
                Field::new("body", "canned-body", "textarea"),
                active(),
            ]
        }
        Kind::Sla => vec![
            name(),
            Field::new("grace_hours", "sla-grace-label", "text"),
            Field::new("schedule", "sla-schedule-local-label", "text").optional(),
            Field::new("timezone", "sla-timezone-label", "text")
                .optional()
                .suggest(COMMON_ZONES),
            Field::new("holidays", "sla-holidays-label", "text").optional(),
            active(),
        ],
        Kind::Topics => {
            let none = || std::iter::once((String::new(), p.t("sla-none")));
            let plans = l.plans.iter().map(|x| (x.id.to_string(), x.name.clone()));
            let priorities = Priority::ALL
                .iter()
                .map(|x| {
                    let key = format!("priority-{}", x.as_str());
                    (x.as_str().to_owned(), p.t(&key))
                })
                .collect();
            vec![
                Field::new("name_de", "org-name-de", "text"),
                Field::new("name_en", "org-name-en", "text"),
                Field::new("description_de", "topic-description-de", "textarea").optional(),
                Field::new("description_en", "topic-description-en", "textarea").optional(),
                Field::new("department_id", "meta-department", "select")
                    .options(departments().collect()),
                Field::new("sla_plan_id", "sla-plan", "select")
                    .options(none().chain(plans).collect()),
                Field::new("default_priority", "topic-priority", "select").options(priorities),
                Field::new("auto_agent_id", "topic-auto-agent", "select")
                    .options(none().chain(choices(&l.agents)).collect()),
                Field::new("auto_team_id", "topic-auto-team", "select")
                    .options(none().chain(choices(&l.teams)).collect()),
                Field::new("sort_order", "org-order", "number"),
                Field::new("is_public", "org-public-label", "checkbox"),
                active(),
            ]
        }
    }
}

/// The current values of an item, as form values.
async fn current(
    kind: Kind,
    s: &AppState,
    a: &Admin,
    l: &Lookups,
    id: i64,
) -> Result<Vec<(String, String)>, CoreError> {
    let kv = |pairs: Vec<(&str, String)>| {
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect::<Vec<_>>()
    };
    let some = |x: Option<i64>| x.map(|x| x.to_string()).unwrap_or_default();
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
                .teams_admin(a.actor())
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
                .canned_admin(a.actor())
                .await?
                .into_iter()
                .find(|c| c.id.0 == id)
                .ok_or(CoreError::NotFound)?;
            kv(vec![
                ("title", c.title),
                ("department_id", some(c.department.map(|d| d.0))),
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
                .topics_admin(a.actor())
                .await?
                .into_iter()
                .find(|t| t.id.0 == id)
                .ok_or(CoreError::NotFound)?;
            let (description_de, description_en) = s
                .app
                .topic_descriptions()
                .await?
                .remove(&id)
                .unwrap_or_default();
            kv(vec![
                ("name_de", t.name_de),
                ("name_en", t.name_en),
                ("description_de", description_de),
                ("description_en", description_en),
                ("department_id", t.department.to_string()),
                ("sort_order", t.sort_order.to_string()),
                ("sla_plan_id", some(t.sla_plan.map(|x| x.0))),
                ("default_priority", t.default_priority.as_str().to_owned()),
                ("auto_agent_id", some(t.auto_agent.map(|x| x.0))),
                ("auto_team_id", some(t.auto_team.map(|x| x.0))),
                ("is_public", flag(t.is_public)),
                ("is_active", flag(t.is_active)),
            ])
        }
    })
}

/// The page: the list (or, for one item, its links) and the form with `values`.
async fn render(
    kind: Kind,
    s: &AppState,
    a: &Admin,
    id: Option<i64>,
    values: Vec<(String, String)>,
    problem: Option<Problem>,
    done: Option<String>,
) -> PageResult {
    let l = lookups(s, a).await.map_err(|e| a.err(e))?;
    let p = a.page(s);
    let (headers, rows) = match id {
        None => rows(kind, s, a, &p, &l).await.map_err(|e| a.err(e))?,
        Some(_) => (vec![], vec![]),
    };
    let fields = fields(kind, &p, &l, &values);
    let mut form = form_of(&values);
    if let Some(pr) = &problem {
        form = form.with_problem(a.lang(), &on_fields(&fields, pr));
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
        done: notice(&p, done.as_deref(), &[("saved", "done-agent-update")]),
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
        form,
        p,
    };
    a.show(&page, page.form.has_errors())
}

async fn list(
    kind: Kind,
    State(s): State<AppState>,
    a: Admin,
    Query(q): Query<Shown>,
) -> PageResult {
    let defaults: &[(&str, &str)] = match kind {
        Kind::Departments => &[("alert_new_ticket", "1"), ("is_active", "1")],
        Kind::Teams | Kind::Canned => &[("is_active", "1")],
        Kind::Topics => &[
            ("is_public", "1"),
            ("is_active", "1"),
            ("sort_order", "100"),
        ],
        Kind::Sla => &[
            ("grace_hours", "24"),
            ("schedule", "Mo-Fr 08:00-17:00"),
            ("timezone", NEW_PLAN_ZONE),
            ("is_active", "1"),
        ],
    };
    let values = defaults
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    render(kind, &s, &a, None, values, None, q.done).await
}

async fn edit(
    kind: Kind,
    State(s): State<AppState>,
    a: Admin,
    Path(id): Path<i64>,
    Query(q): Query<Shown>,
) -> PageResult {
    let l = lookups(&s, &a).await.map_err(|e| a.err(e))?;
    let values = current(kind, &s, &a, &l, id).await.map_err(|e| a.err(e))?;
    render(kind, &s, &a, Some(id), values, None, q.done).await
}

/// Reads a post into core's input for the kind and saves it; the saved item's id.
async fn store(kind: Kind, s: &AppState, a: &Admin, id: i64, f: &Posted) -> Result<i64, CoreError> {
    let actor = a.actor();
    match kind {
        Kind::Departments => {
            let row = DepartmentAdmin {
                id: DepartmentId(id),
                name: f.v("name"),
                email: f.v("email"),
                alert_new_ticket: f.on("alert_new_ticket"),
                is_active: f.on("is_active"),
            };
            s.app.save_department(actor, row).await
        }
        Kind::Teams => {
            let lead: Option<i64> = f.v("lead").parse().ok();
            let members = f
                .all("member")
                .iter()
                .filter_map(|x| x.parse::<i64>().ok())
                .map(|m| (m, Some(m) == lead))
                .collect();
            let row = TeamAdmin {
                id,
                name: f.v("name"),
                is_active: f.on("is_active"),
                members,
            };
            s.app.save_team(actor, row).await
        }
        Kind::Topics => {
            let default_priority = match f.v("default_priority") {
                x if x.is_empty() => Priority::Normal,
                x => Priority::parse(&x).ok_or_else(|| {
                    let mut p = Problem::default();
                    p.add("default_priority", "error-priority");
                    CoreError::Invalid(p)
                })?,
            };
            let row = TopicAdmin {
                id: HelpTopicId(id),
                name_de: f.v("name_de"),
                name_en: f.v("name_en"),
                department: DepartmentId(f.v("department_id").parse().unwrap_or(0)),
                is_public: f.on("is_public"),
                is_active: f.on("is_active"),
                sort_order: f.v("sort_order").trim().parse().unwrap_or(100),
                sla_plan: f.v("sla_plan_id").parse().ok().map(SlaPlanId),
                default_priority,
                auto_agent: f.v("auto_agent_id").parse().ok().map(AgentId),
                auto_team: f.v("auto_team_id").parse().ok().map(TeamId),
            };
            // The descriptions are checked before the topic is saved, so that a refused
            // description changes nothing.
            let (de, en) = (f.v("description_de"), f.v("description_en"));
            tessera_core::check_topic_description(&de, &en)?;
            let saved = s.app.save_topic(actor, row).await?;
            s.app.set_topic_description(actor, saved, &de, &en).await?;
            Ok(saved)
        }
        Kind::Canned => {
            let row = CannedAdmin {
                id: CannedResponseId(id),
                department: f.v("department_id").parse().ok().map(DepartmentId),
                title: f.v("title"),
                body: f.v("body"),
                is_active: f.on("is_active"),
            };
            s.app.save_canned(actor, row).await
        }
        Kind::Sla => {
            let form = SlaForm {
                id,
                name: f.v("name"),
                grace_hours: f.v("grace_hours"),
                schedule: f.v("schedule"),
                holidays: f.v("holidays"),
                timezone: f.v("timezone"),
                active: f.on("is_active"),
            };
            s.app.save_sla_plan(actor, form).await
        }
    }
}

async fn submit(kind: Kind, s: AppState, a: Admin, id: Option<i64>, body: Bytes) -> PageResult {
    let f = Posted::read(&a, &body);
    let saved = f.then(store(kind, &s, &a, id.unwrap_or(0), &f)).await;
    let saved = saved.map(|saved| format!("{}/{saved}?done=saved", kind.path()));
    let values = f.pairs().to_vec();
    a.answer(saved, |p| render(kind, &s, &a, id, values, Some(p), None))
        .await
}

async fn create(kind: Kind, State(s): State<AppState>, a: Admin, body: Bytes) -> PageResult {
    submit(kind, s, a, None, body).await
}

async fn save(
    kind: Kind,
    State(s): State<AppState>,
    a: Admin,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    submit(kind, s, a, Some(id), body).await
}
