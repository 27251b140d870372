//! Custom form fields of help topics: the administrators' page that defines them, and the
//! pieces the portal form and the ticket pages use to ask and show them.

use askama::Template;
use axum::{
    Router,
    body::Bytes,
    extract::{Path, Query, State},
    routing::get,
};
use tessera_domain::{
    FieldKind, FieldValue, HelpTopicId, Lang, Problem, TopicField, TopicFieldId,
    field::{FieldDraft, MAX_SHORT},
};

use crate::{
    AppState,
    admin_form::{Admin, Posted, Shown, flag, form_of, notice},
    error::PageError,
    portal::PageResult,
    render::{Form, Page},
    upload::Submission,
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

/// One option of a choice on the portal form.
pub(crate) struct OptionInput {
    /// Control id (multi-choice checkboxes).
    pub(crate) id: String,
    /// Control name (multi-choice checkboxes).
    pub(crate) name: String,
    /// The option's text, which is also its value.
    pub(crate) value: String,
    /// Picked in the submission being shown again.
    pub(crate) checked: bool,
}

/// One custom field on the portal form, ready to render.
pub(crate) struct FieldInput {
    pub(crate) name: String,
    pub(crate) kind: &'static str,
    pub(crate) label: String,
    pub(crate) required: bool,
    pub(crate) help: String,
    pub(crate) value: String,
    pub(crate) checked: bool,
    pub(crate) options: Vec<OptionInput>,
    pub(crate) error: Option<String>,
    pub(crate) describedby: String,
    pub(crate) maxlength: usize,
}

/// The custom fields of one topic, shown while that topic is chosen.
pub(crate) struct Fieldset {
    pub(crate) topic_id: i64,
    pub(crate) legend: String,
    pub(crate) visible: bool,
    pub(crate) fields: Vec<FieldInput>,
}

/// The portal form's fieldsets: one per topic that has fields; only the chosen topic's is
/// visible (the others are hidden and disabled, so they are not submitted).
pub(crate) fn fieldsets(
    lang: Lang,
    topics: &[(i64, String)],
    fields: &[TopicField],
    form: &Form,
) -> Vec<Fieldset> {
    topics
        .iter()
        .filter_map(|(id, name)| {
            let own: Vec<&TopicField> =
                fields.iter().filter(|f| f.help_topic_id.0 == *id).collect();
            if own.is_empty() {
                return None;
            }
            Some(Fieldset {
                topic_id: *id,
                legend: tessera_i18n::t_args(lang, "fields-legend", &[("topic", name)]),
                visible: form.v("help_topic_id") == id.to_string(),
                fields: own
                    .into_iter()
                    .map(|f| field_input(lang, f, form))
                    .collect(),
            })
        })
        .collect()
}

fn field_input(lang: Lang, f: &TopicField, form: &Form) -> FieldInput {
    let name = f.input_name();
    let error = form.e(&name).cloned();
    let help = f.help(lang).to_owned();
    let mut describedby = Vec::new();
    if !help.is_empty() {
        describedby.push(format!("{name}-hint"));
    }
    if error.is_some() {
        describedby.push(format!("{name}-error"));
    }
    let value = form.v(&name).to_owned();
    let options = f
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let opt_name = f.option_input_name(i);
            let checked = match f.kind {
                FieldKind::MultiChoice => form.v(&opt_name) == o,
                _ => value == *o,
            };
            OptionInput {
                id: opt_name.clone(),
                name: opt_name,
                value: o.clone(),
                checked,
            }
        })
        .collect();
    FieldInput {
        kind: f.kind.as_str(),
        label: f.label(lang).to_owned(),
        required: f.is_required,
        help,
        checked: value == "1",
        value,
        options,
        error,
        describedby: describedby.join(" "),
        maxlength: if f.kind == FieldKind::ShortText {
            MAX_SHORT
        } else {
            tessera_domain::field::MAX_LONG
        },
        name,
    }
}

/// Every custom-field value of a submission, as `(name, value)` pairs.
pub(crate) fn submitted(sub: &Submission) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = sub
        .fields
        .iter()
        .filter(|(k, _)| k.starts_with("cf-"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    // Multi-choice boxes arrive by name; keep their order stable for the stored value.
    pairs.sort();
    pairs
}

/// A ticket's answers as (label, lines) for the ticket pages.
pub(crate) fn value_lines(lang: Lang, values: &[FieldValue]) -> Vec<(String, Vec<String>)> {
    values
        .iter()
        .map(|v| {
            let text = tessera_core::display_text(v, lang);
            (
                v.label(lang).to_owned(),
                text.lines().map(str::to_owned).collect(),
            )
        })
        .collect()
}
