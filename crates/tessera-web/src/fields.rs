//! Custom form fields of help topics: the administrators' page that defines them (the
//! pieces the portal form and the ticket pages use to ask and show them are in
//! `topic_fields`).

use askama::Template;
use axum::{
    Router,
    body::Bytes,
    extract::{Path, Query, State},
    routing::get,
};
use tessera_domain::{
    FieldKind, HelpTopicId, Lang, Problem, TopicField, TopicFieldId, field::FieldDraft,
};

use crate::{
    AppState,
    admin_form::{Admin, Posted, Shown, flag, form_of, notice},
    error::PageError,
    page::PageResult,
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

fn kind_label(p: &Page, k: FieldKind) -> String {
    p.t(&format!("fields-kind-{}", k.as_str()))
}

fn yes(p: &Page, b: bool) -> String {
    p.t(if b { "yes" } else { "no" })
}

fn draft_values(f: &TopicField) -> Vec<(String, String)> {
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
    a: &Admin,
    topic: i64,
    field: Option<i64>,
    values: Option<Vec<(String, String)>>,
    problem: Option<Problem>,
    done: Option<String>,
) -> PageResult {
    let lang = a.lang();
    let (row, fields) = s
        .app
        .topic_fields_admin(a.actor(), HelpTopicId(topic))
        .await
        .map_err(|e| a.err(e))?;
    let p = a.page(s);
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
    let mut form = form_of(&values);
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
        done: notice(&p, done.as_deref(), &[("saved", "done-agent-update")]),
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
    a.show(&page, page.form.has_errors())
}

async fn list(
    State(s): State<AppState>,
    a: Admin,
    Path(topic): Path<i64>,
    Query(q): Query<Shown>,
) -> PageResult {
    render(&s, &a, topic, None, None, None, q.done).await
}

async fn edit(
    State(s): State<AppState>,
    a: Admin,
    Path((topic, field)): Path<(i64, i64)>,
    Query(q): Query<Shown>,
) -> PageResult {
    render(&s, &a, topic, Some(field), None, None, q.done).await
}

async fn submit(s: AppState, a: Admin, topic: i64, field: Option<i64>, body: Bytes) -> PageResult {
    let f = Posted::read(&a, &body);
    let draft = FieldDraft {
        key: f.v("key"),
        kind: f.v("kind"),
        label_de: f.v("label_de"),
        label_en: f.v("label_en"),
        help_de: f.v("help_de"),
        help_en: f.v("help_en"),
        options: f.v("options").replace("\r\n", "\n"),
        is_required: f.on("is_required"),
        sort_order: f.v("sort_order"),
        is_active: f.on("is_active"),
    };
    let values = DRAFT_FIELDS
        .iter()
        .map(|k| (k.to_string(), f.v(k)))
        .collect();
    let (id, field_id) = (HelpTopicId(topic), field.map(TopicFieldId));
    let saved = f
        .then(s.app.save_topic_field(a.actor(), id, field_id, draft))
        .await
        .map(|id| format!("/agent/admin/topics/{topic}/fields/{id}?done=saved"));
    a.answer(saved, |p| {
        render(&s, &a, topic, field, Some(values), Some(p), None)
    })
    .await
}

async fn create(
    State(s): State<AppState>,
    a: Admin,
    Path(topic): Path<i64>,
    body: Bytes,
) -> PageResult {
    submit(s, a, topic, None, body).await
}

async fn save(
    State(s): State<AppState>,
    a: Admin,
    Path((topic, field)): Path<(i64, i64)>,
    body: Bytes,
) -> PageResult {
    submit(s, a, topic, Some(field), body).await
}
