//! Custom form fields of help topics: the administrators' page that defines them (the
//! pieces the portal form and the ticket pages use to ask and show them are in
//! `topic_fields`).

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
use tessera_core::{Actor, CoreError};
use tessera_domain::{
    FieldKind, HelpTopicId, Lang, Problem, TopicField, TopicFieldId, field::FieldDraft,
};

use crate::{
    AppState,
    agent_ctx::{AgentCtx, agent_page},
    error::{PageError, admin_err},
    page::{PageResult, html, parse_form},
    render::{Form, Page},
};

/// The routes of the custom-field administration.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agent/admin/topics/{id}/fields", get(list).post(create))
        .route(
            "/agent/admin/topics/{id}/fields/{field}",
            get(edit).post(save),
        )
}

/// The names of the definition form's controls.
const DRAFT_FIELDS: [&str; 10] = [
    "key",
    "kind",
    "label_de",
    "label_en",
    "help_de",
    "help_en",
    "options",
    "is_required",
    "sort_order",
    "is_active",
];

struct FieldRowView {
    link: String,
    key: String,
    label: String,
    kind: String,
    required: String,
    active: String,
}

#[derive(Template)]
#[template(path = "admin/fields.html")]
struct FieldsPage {
    p: Page,
    topic: String,
    topic_link: String,
    list_link: String,
    title: String,
    done: Option<String>,
    rows: Vec<FieldRowView>,
    form_title: String,
    action: String,
    /// On an existing field: its machine name and kind, which no longer change.
    fixed: Option<(String, String)>,
    form: Form,
    kinds: Vec<(&'static str, String)>,
}

impl FieldsPage {
    fn on(&self, name: &str) -> bool {
        self.form.v(name) == "1"
    }
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

fn kind_label(p: &Page, k: FieldKind) -> String {
    p.t(&format!("fields-kind-{}", k.as_str()))
}

fn yes(p: &Page, b: bool) -> String {
    p.t(if b { "yes" } else { "no" })
}

fn draft_values(f: &TopicField) -> Vec<(String, String)> {
    let flag = |b: bool| if b { "1".to_owned() } else { String::new() };
    vec![
        ("key".into(), f.key.clone()),
        ("kind".into(), f.kind.as_str().into()),
        ("label_de".into(), f.label_de.clone()),
        ("label_en".into(), f.label_en.clone()),
        ("help_de".into(), f.help_de.clone()),
        ("help_en".into(), f.help_en.clone()),
        ("options".into(), f.options.join("\n")),
        ("is_required".into(), flag(f.is_required)),
        ("sort_order".into(), f.sort_order.to_string()),
        ("is_active".into(), flag(f.is_active)),
    ]
}

async fn render(
    s: &AppState,
    a: &AgentCtx,
    topic: i64,
    field: Option<i64>,
    values: Option<Vec<(String, String)>>,
    problem: Option<Problem>,
    done: Option<String>,
) -> PageResult {
    let lang = a.ctx.lang;
    let (row, fields) = s
        .app
        .topic_fields_admin(Actor::Agent(&a.agent), HelpTopicId(topic))
        .await
        .map_err(|e| admin_err(lang, e))?;
    let p = agent_page(s, a);
    let editing = match field {
        Some(id) => Some(
            fields
                .iter()
                .find(|f| f.id.0 == id)
                .ok_or(PageError::not_found(lang))?,
        ),
        None => None,
    };
    let values = match (values, editing) {
        (Some(v), _) => v,
        (None, Some(f)) => draft_values(f),
        (None, None) => vec![
            ("kind".into(), FieldKind::ShortText.as_str().into()),
            (
                "sort_order".into(),
                ((fields.len() as i64 + 1) * 10).to_string(),
            ),
            ("is_active".into(), "1".into()),
        ],
    };
    let mut form = Form::new();
    for (k, v) in &values {
        form.set(k, v.clone());
    }
    if let Some(pr) = &problem {
        form = form.with_problem(lang, pr);
    }
    let topic_name = match lang {
        Lang::De => row.name_de.clone(),
        Lang::En => row.name_en.clone(),
    };
    let list_link = format!("/agent/admin/topics/{topic}/fields");
    let page = FieldsPage {
        title: match editing {
            Some(f) => f.label(lang).to_owned(),
            None => tessera_i18n::t_args(lang, "fields-title", &[("topic", &topic_name)]),
        },
        topic_link: format!("/agent/admin/topics/{topic}"),
        done: done
            .filter(|d| d == "saved")
            .map(|_| p.t("done-agent-update")),
        rows: match editing {
            Some(_) => vec![],
            None => fields
                .iter()
                .map(|f| FieldRowView {
                    link: format!("{list_link}/{}", f.id),
                    key: f.key.clone(),
                    label: f.label(lang).to_owned(),
                    kind: kind_label(&p, f.kind),
                    required: yes(&p, f.is_required),
                    active: yes(&p, f.is_active),
                })
                .collect(),
        },
        form_title: p.t(if editing.is_some() {
            "fields-edit"
        } else {
            "fields-create"
        }),
        action: match editing {
            Some(f) => format!("{list_link}/{}", f.id),
            None => list_link.clone(),
        },
        fixed: editing.map(|f| (f.key.clone(), kind_label(&p, f.kind))),
        list_link,
        topic: topic_name,
        form,
        kinds: FieldKind::ALL
            .iter()
            .map(|k| (k.as_str(), kind_label(&p, *k)))
            .collect(),
        p,
    };
    let status = if page.form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    html(&a.ctx, status, &page)
}

async fn list(
    State(s): State<AppState>,
    a: AgentCtx,
    Path(topic): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    render(&s, &a, topic, None, None, None, q.done).await
}

async fn edit(
    State(s): State<AppState>,
    a: AgentCtx,
    Path((topic, field)): Path<(i64, i64)>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    render(&s, &a, topic, Some(field), None, None, q.done).await
}

async fn submit(
    s: AppState,
    a: AgentCtx,
    topic: i64,
    field: Option<i64>,
    body: Bytes,
) -> PageResult {
    let lang = a.ctx.lang;
    let pairs = parse_form(&body);
    let v = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, x)| x.clone())
            .unwrap_or_default()
    };
    let draft = FieldDraft {
        key: v("key"),
        kind: v("kind"),
        label_de: v("label_de"),
        label_en: v("label_en"),
        help_de: v("help_de"),
        help_en: v("help_en"),
        options: v("options").replace("\r\n", "\n"),
        is_required: v("is_required") == "1",
        sort_order: v("sort_order"),
        is_active: v("is_active") == "1",
    };
    let values: Vec<(String, String)> =
        DRAFT_FIELDS.iter().map(|k| (k.to_string(), v(k))).collect();
    let saved = match a.ctx.check_csrf(&v("csrf")) {
        Ok(()) => {
            s.app
                .save_topic_field(
                    Actor::Agent(&a.agent),
                    HelpTopicId(topic),
                    field.map(TopicFieldId),
                    draft,
                )
                .await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(id) => Ok(a.ctx.finish(Redirect::to(&format!(
            "/agent/admin/topics/{topic}/fields/{id}?done=saved"
        )))),
        Err(CoreError::Invalid(p)) => {
            render(&s, &a, topic, field, Some(values), Some(p), None).await
        }
        Err(e) => Err(admin_err(lang, e)),
    }
}

async fn create(
    State(s): State<AppState>,
    a: AgentCtx,
    Path(topic): Path<i64>,
    body: Bytes,
) -> PageResult {
    submit(s, a, topic, None, body).await
}

async fn save(
    State(s): State<AppState>,
    a: AgentCtx,
    Path((topic, field)): Path<(i64, i64)>,
    body: Bytes,
) -> PageResult {
    submit(s, a, topic, Some(field), body).await
}
