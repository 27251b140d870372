//! Custom form fields of help topics and the answers stored with tickets.

use sqlx::FromRow;
use tessera_domain::{
    FieldKind, FieldValue, HelpTopicId, TicketId, Timestamp, TopicField, TopicFieldId,
    field::FieldDefinition,
};

use crate::{
    Handle, Result,
    db::on,
    rows::{Script, V},
};

#[derive(FromRow)]
struct FieldRow {
    topic_field_id: i64,
    help_topic_id: i64,
    key: String,
    kind: String,
    label_de: String,
    label_en: String,
    help_de: String,
    help_en: String,
    options: String,
    is_required: bool,
    sort_order: i64,
    is_active: bool,
}

impl From<FieldRow> for TopicField {
    fn from(r: FieldRow) -> Self {
        TopicField {
            id: TopicFieldId(r.topic_field_id),
            help_topic_id: HelpTopicId(r.help_topic_id),
            key: r.key,
            // The CHECK constraint admits only known kinds.
            kind: FieldKind::parse(&r.kind).unwrap_or(FieldKind::ShortText),
            label_de: r.label_de,
            label_en: r.label_en,
            help_de: r.help_de,
            help_en: r.help_en,
            options: r
                .options
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            is_required: r.is_required,
            sort_order: r.sort_order,
            is_active: r.is_active,
        }
    }
}

/// The answers a ticket was opened with, in the order of their fields.
pub(crate) fn field_values_statement(s: &mut Script<'_>, ticket: TicketId) {
    let t = s.v(V::I(ticket.0));
    s.statement(&format!(
        "SELECT v.topic_field_id, f.kind, f.label_de, f.label_en, v.value
         FROM ticket_field_value v JOIN topic_field f ON f.topic_field_id = v.topic_field_id
         WHERE v.ticket_id = {t}
         ORDER BY f.sort_order, f.topic_field_id"
    ));
}

pub(crate) fn field_values(rows: Vec<ValueRow>) -> Vec<FieldValue> {
    rows.into_iter()
        .map(|r| FieldValue {
            field_id: TopicFieldId(r.topic_field_id),
            kind: FieldKind::parse(&r.kind).unwrap_or(FieldKind::ShortText),
            label_de: r.label_de,
            label_en: r.label_en,
            value: r.value,
        })
        .collect()
}

#[derive(FromRow)]
pub(crate) struct ValueRow {
    topic_field_id: i64,
    kind: String,
    label_de: String,
    label_en: String,
    value: String,
}

const FIELD_COLUMNS: &str = "f.topic_field_id, f.help_topic_id, f.key, f.kind, f.label_de, \
     f.label_en, f.help_de, f.help_en, f.options, f.is_required, f.sort_order, f.is_active";

impl Handle<'_> {
    /// Every field of a topic, active ones and those no longer offered, in form order.
    pub async fn topic_fields(&mut self, topic: HelpTopicId) -> Result<Vec<TopicField>> {
        let rows: Vec<FieldRow> = on!(self, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {FIELD_COLUMNS} FROM topic_field f WHERE f.help_topic_id = $1
             ORDER BY f.sort_order, f.topic_field_id")))
            .bind(topic.0).fetch_all(c).await?);
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The active fields of every active public topic, in form order: what the portal form
    /// offers.
    pub async fn public_topic_fields(&mut self) -> Result<Vec<TopicField>> {
        let rows: Vec<FieldRow> = on!(self, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {FIELD_COLUMNS} FROM topic_field f
             JOIN help_topic h ON h.help_topic_id = f.help_topic_id
             WHERE f.is_active AND h.is_active AND h.is_public
             ORDER BY f.help_topic_id, f.sort_order, f.topic_field_id")))
            .fetch_all(c).await?);
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// One field, active or not.
    pub async fn topic_field(&mut self, id: TopicFieldId) -> Result<TopicField> {
        let row: FieldRow = on!(self, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {FIELD_COLUMNS} FROM topic_field f WHERE f.topic_field_id = $1")))
            .bind(id.0).fetch_one(c).await?);
        Ok(row.into())
    }

    /// Adds a field to a topic; a machine name already used on the topic is a `Conflict`
    /// on `key`.
    pub async fn insert_topic_field(
        &mut self,
        topic: HelpTopicId,
        d: &FieldDefinition,
    ) -> Result<TopicFieldId> {
        let now = Timestamp::now().0;
        let options = d.options.join("\n");
        on!(self, c => Ok(TopicFieldId(sqlx::query_scalar(
            "INSERT INTO topic_field (help_topic_id, key, kind, label_de, label_en, help_de, help_en,
                                      options, is_required, sort_order, is_active, created_at,
                                      updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
             RETURNING topic_field_id")
            .bind(topic.0).bind(&d.key).bind(d.kind.as_str()).bind(&d.label_de).bind(&d.label_en)
            .bind(&d.help_de).bind(&d.help_en).bind(&options).bind(d.is_required)
            .bind(d.sort_order).bind(d.is_active).bind(now)
            .fetch_one(c).await?)))
    }

    /// Changes what a field shows and requires. Its machine name and kind stay as created:
    /// stored answers and API clients rely on them.
    pub async fn update_topic_field(
        &mut self,
        id: TopicFieldId,
        d: &FieldDefinition,
    ) -> Result<()> {
        let now = Timestamp::now().0;
        let options = d.options.join("\n");
        on!(self, c => sqlx::query(
            "UPDATE topic_field SET label_de = $2, label_en = $3, help_de = $4, help_en = $5,
                    options = $6, is_required = $7, sort_order = $8, is_active = $9, updated_at = $10
             WHERE topic_field_id = $1")
            .bind(id.0).bind(&d.label_de).bind(&d.label_en).bind(&d.help_de).bind(&d.help_en)
            .bind(&options).bind(d.is_required).bind(d.sort_order).bind(d.is_active).bind(now)
            .execute(c).await?.rows_affected());
        Ok(())
    }

    /// Stores a ticket's answer to a field.
    pub async fn insert_field_value(
        &mut self,
        ticket: TicketId,
        field: TopicFieldId,
        value: &str,
        now: Timestamp,
    ) -> Result<()> {
        on!(self, c => sqlx::query(
            "INSERT INTO ticket_field_value (ticket_id, topic_field_id, value, created_at)
             VALUES ($1, $2, $3, $4)")
            .bind(ticket.0).bind(field.0).bind(value).bind(now.0)
            .execute(c).await?.rows_affected());
        Ok(())
    }

    /// A ticket's answers with their fields' current labels, in form order (fields no longer
    /// offered included).
    pub async fn ticket_field_values(&mut self, ticket: TicketId) -> Result<Vec<FieldValue>> {
        let mut s = Script::for_handle(self);
        field_values_statement(&mut s, ticket);
        Ok(field_values(s.fetch(self).await?.next()?))
    }
}
