//! Custom fields of help topics on the portal form and the ticket pages: the inputs a
//! topic's fields render as, their values read from a submission, and stored answers shown
//! as lines.

use tessera_domain::{FieldKind, FieldValue, Lang, TopicField, field::MAX_SHORT};

use crate::{render::Form, upload::Submission};

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
