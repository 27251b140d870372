//! Custom form fields of help topics: administrators define them, the portal asks them, and
//! tickets keep the answers.

use tessera_domain::{
    FieldKind, FieldValue, HelpTopicId, Lang, Problem, TopicField, TopicFieldId, field::FieldDraft,
};
use tessera_store::StoreError;

use crate::{Actor, CoreError, Result, Tessera, TopicAdmin, admin::record};

/// A checked answer, ready to store with its ticket.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) field: TopicFieldId,
    pub(crate) value: String,
}

fn describe(f: &TopicField) -> String {
    format!(
        "{} ({}) {:?} / {:?} required={} active={} order={} options={:?}",
        f.key,
        f.kind.as_str(),
        f.label_de,
        f.label_en,
        f.is_required,
        f.is_active,
        f.sort_order,
        f.options.join("|")
    )
}

impl Tessera {
    /// A help topic with every one of its fields, for administrators.
    pub async fn topic_fields_admin(
        &self,
        actor: Actor<'_>,
        topic: HelpTopicId,
    ) -> Result<(TopicAdmin, Vec<TopicField>)> {
        actor.require_admin()?;
        let mut conn = self.db().conn().await?;
        let row = conn
            .h()
            .all_topic_rows()
            .await?
            .into_iter()
            .find(|t| t.help_topic_id == topic.0)
            .map(TopicAdmin::from_row)
            .ok_or(CoreError::NotFound)?;
        let fields = conn.h().topic_fields(topic).await?;
        Ok((row, fields))
    }

    /// Creates a field on a topic (`field` = `None`) or changes one of its fields; returns
    /// its id. A field's machine name and kind are fixed once created; whatever the draft
    /// says about them on a change is ignored.
    pub async fn save_topic_field(
        &self,
        actor: Actor<'_>,
        topic: HelpTopicId,
        field: Option<TopicFieldId>,
        draft: FieldDraft,
    ) -> Result<TopicFieldId> {
        actor.require_admin()?;
        let mut tx = self.db().begin().await?;
        let before = match field {
            Some(id) => {
                let f = tx.h().topic_field(id).await?;
                if f.help_topic_id != topic {
                    return Err(CoreError::NotFound);
                }
                Some(f)
            }
            None => None,
        };
        let topic_name = tx
            .h()
            .all_topic_rows()
            .await?
            .into_iter()
            .find(|t| t.help_topic_id == topic.0)
            .ok_or(CoreError::NotFound)?
            .name_de;
        let draft = match &before {
            Some(b) => FieldDraft {
                key: b.key.clone(),
                kind: b.kind.as_str().to_owned(),
                ..draft
            },
            None => draft,
        };
        let def = draft.check()?;
        let id = match &before {
            None => tx
                .h()
                .insert_topic_field(topic, &def)
                .await
                .map_err(key_taken)?,
            Some(b) => {
                tx.h().update_topic_field(b.id, &def).await?;
                b.id
            }
        };
        let after = tx.h().topic_field(id).await?;
        let action = if before.is_some() {
            "topic-field-update"
        } else {
            "topic-field-create"
        };
        let b = before.as_ref().map(describe);
        record(
            &mut tx.h(),
            actor,
            action,
            &format!("{topic_name}/{}", after.key),
            b.as_deref(),
            Some(&describe(&after)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The active fields of every public topic, for the portal form.
    pub async fn public_topic_fields(&self) -> Result<Vec<TopicField>> {
        let mut conn = self.db().conn().await?;
        Ok(conn.h().public_topic_fields().await?)
    }
}

/// Checks the answers to a topic's active fields out of every submitted `(name, value)`
/// pair; problems are recorded under each field's input name.
pub(crate) fn check_topic_fields(
    fields: &[TopicField],
    submitted: &[(String, String)],
    problem: &mut Problem,
) -> Vec<Answer> {
    let mut answers = Vec::new();
    for f in fields.iter().filter(|f| f.is_active) {
        match f.check(&f.submitted(submitted)) {
            Ok(Some(value)) => answers.push(Answer { field: f.id, value }),
            Ok(None) => {}
            Err(key) => problem.add_named(f.input_name(), key),
        }
    }
    answers
}

/// An answer as people read it: dates in the language's style, a ticked box as "yes", several
/// choices separated by commas.
pub fn display_text(v: &FieldValue, lang: Lang) -> String {
    match v.kind {
        FieldKind::Checkbox => tessera_i18n::t(lang, "yes"),
        FieldKind::MultiChoice => v.value.lines().collect::<Vec<_>>().join(", "),
        FieldKind::Date => match (tessera_domain::field::parse_date(&v.value), lang) {
            (Some(d), Lang::De) => d.format("%d.%m.%Y").to_string(),
            _ => v.value.clone(),
        },
        FieldKind::ShortText | FieldKind::LongText | FieldKind::Choice => v.value.clone(),
    }
}

fn key_taken(e: StoreError) -> CoreError {
    if e.is_conflict_on("key") {
        let mut p = Problem::default();
        p.add("key", "error-field-key-taken");
        CoreError::Invalid(p)
    } else {
        e.into()
    }
}
