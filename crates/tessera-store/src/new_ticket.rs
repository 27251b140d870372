//! A new ticket written in a few statements: what the portal and the API open is known
//! whole before its transaction (ticket id and number included), so the rows go in as one
//! row or one multi-row insert per table instead of an insert followed by updates and
//! re-reads. The transaction holds SQLite's one writer; every statement saved there is
//! saved for every ticket queued behind it.

use sqlx::FromRow;
use tessera_domain::{
    AgentId, ContactId, DepartmentId, HelpTopicId, Lang, Priority, TeamId, ThreadEntryId, TicketId,
    Timestamp, TopicFieldId,
    model::{Contact, Department},
};

use crate::{
    AgentBrief, Db, Handle, NewAttachment, NewDelivery, NewEntry, NewOutboxMail, Result, SlaRow,
    StoreError,
    db::on,
    rows::{V, bind_values, placeholders},
};

/// A new ticket as one row, every default already applied.
#[derive(Debug, Clone)]
pub struct NewTicketRow<'a> {
    /// Key, reserved with `Db::reserve_ticket_id`.
    pub ticket_id: TicketId,
    /// Public number, already drawn.
    pub number: &'a str,
    /// Summary line.
    pub subject: &'a str,
    /// Urgency.
    pub priority: Priority,
    /// `portal`, `email` or `api`.
    pub source: &'a str,
    /// Topic picked.
    pub help_topic_id: Option<HelpTopicId>,
    /// Owner.
    pub department_id: DepartmentId,
    /// Who opened it.
    pub requester_id: ContactId,
    /// Assigned agent.
    pub assignee_agent_id: Option<AgentId>,
    /// Assigned team.
    pub assignee_team_id: Option<TeamId>,
    /// When a service level makes it due.
    pub due_at: Option<Timestamp>,
    /// The address the requester wrote from, as an API caller says.
    pub client_ip: Option<&'a str>,
    /// When.
    pub now: Timestamp,
}

/// A thread entry of a new ticket, with the HTML it was sent as, if any.
#[derive(Debug, Clone)]
pub struct NewEntryRow<'a> {
    /// The entry.
    pub entry: NewEntry<'a>,
    /// HTML as sent (kept, sanitised whenever shown).
    pub original_html: Option<&'a str>,
}

/// What a help topic gives a new ticket, read in one query: its default priority, its
/// automatic assignee and team (when active), its active service level and its department.
#[derive(Debug, Clone)]
pub struct TopicContext {
    /// Default priority (a name).
    pub default_priority: String,
    /// The automatic assignee, if active.
    pub agent: Option<AgentBrief>,
    /// The automatic team, if active.
    pub team: Option<(TeamId, String)>,
    /// The active service level.
    pub sla: Option<SlaRow>,
    /// The topic's department.
    pub department: Department,
}

#[derive(FromRow)]
struct TopicContextRow {
    default_priority: String,
    agent_id: Option<i64>,
    agent_name: Option<String>,
    agent_email: Option<String>,
    agent_lang: Option<String>,
    team_id: Option<i64>,
    team_name: Option<String>,
    department_id: i64,
    department_name: String,
    department_email: String,
    sla_plan_id: Option<i64>,
    sla_name: Option<String>,
    grace_seconds: Option<i64>,
    schedule: Option<String>,
    holidays: Option<String>,
    timezone: Option<String>,
}

#[derive(FromRow)]
struct ContactRow {
    contact_id: i64,
    email: String,
    name: String,
    lang: String,
}

impl Db {
    /// A ticket id no other ticket has or will get, for a ticket about to be written (its
    /// mail and Message-IDs are composed before the transaction). PostgreSQL draws it from
    /// the column's sequence. SQLite has none: this process counts on from the highest id it
    /// has seen; a ticket written meanwhile by another process (`tessera mail ingest`) may
    /// take the same id, and the insert then fails with a conflict — the caller draws again
    /// after `ticket_ids_taken`.
    pub async fn reserve_ticket_id(&self) -> Result<TicketId> {
        match self {
            Db::Postgres(p) => Ok(TicketId(
                sqlx::query_scalar("SELECT nextval(pg_get_serial_sequence('ticket', 'ticket_id'))")
                    .fetch_one(p)
                    .await?,
            )),
            Db::Sqlite(d) => {
                if let Some(id) = d.ticket_ids.take() {
                    return Ok(TicketId(id));
                }
                let max: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(ticket_id), 0) FROM ticket")
                    .fetch_one(&d.pool)
                    .await?;
                Ok(TicketId(d.ticket_ids.seed(max)))
            }
        }
    }

    /// Says that a reserved ticket id was found taken: the next reservation reads the
    /// highest id again.
    pub fn ticket_ids_taken(&self) {
        if let Db::Sqlite(d) = self {
            d.ticket_ids.forget();
        }
    }
}

impl StoreError {
    /// Whether a new ticket's id or number was taken meanwhile (drawing again helps).
    pub fn is_ticket_key_conflict(&self) -> bool {
        [
            "ticket_pkey",
            "ticket.ticket_id",
            "ticket_number_unique",
            "ticket.number",
        ]
        .iter()
        .any(|c| self.is_conflict_on(c))
    }
}

impl Handle<'_> {
    /// The contact of an address key, if there is one.
    pub async fn contact_by_key(&mut self, email_key: &str) -> Result<Option<Contact>> {
        let row: Option<ContactRow> = on!(self, c => sqlx::query_as(
            "SELECT contact_id, email, name, lang FROM contact WHERE email_key = $1")
            .bind(email_key).fetch_optional(c).await?);
        Ok(row.map(|r| Contact {
            id: ContactId(r.contact_id),
            email: r.email,
            name: r.name,
            lang: Lang::parse(&r.lang).unwrap_or(Lang::De),
        }))
    }

    /// A topic's defaults for a new ticket, with its department, in one query.
    pub async fn topic_context(&mut self, topic: HelpTopicId) -> Result<TopicContext> {
        let r: TopicContextRow = on!(self, c => sqlx::query_as(
            "SELECT h.default_priority,
                    a.agent_id, a.display_name AS agent_name, a.email AS agent_email,
                    a.lang AS agent_lang,
                    tm.team_id, tm.name AS team_name,
                    d.department_id, d.name AS department_name, d.email AS department_email,
                    s.sla_plan_id, s.name AS sla_name, s.grace_seconds, s.schedule, s.holidays,
                    s.timezone
             FROM help_topic h
             JOIN department d ON d.department_id = h.department_id
             LEFT JOIN agent a ON a.agent_id = h.auto_agent_id AND a.is_active
             LEFT JOIN team tm ON tm.team_id = h.auto_team_id AND tm.is_active
             LEFT JOIN sla_plan s ON s.sla_plan_id = h.sla_plan_id AND s.is_active
             WHERE h.help_topic_id = $1")
            .bind(topic.0).fetch_one(c).await?);
        let agent = match (r.agent_id, r.agent_name, r.agent_email, r.agent_lang) {
            (Some(agent_id), Some(display_name), Some(email), Some(lang)) => Some(AgentBrief {
                agent_id,
                display_name,
                email,
                lang,
            }),
            _ => None,
        };
        let team = r
            .team_id
            .map(|id| (TeamId(id), r.team_name.unwrap_or_default()));
        let sla = r.sla_plan_id.map(|sla_plan_id| SlaRow {
            sla_plan_id,
            name: r.sla_name.unwrap_or_default(),
            grace_seconds: r.grace_seconds.unwrap_or_default(),
            schedule: r.schedule.unwrap_or_default(),
            holidays: r.holidays.unwrap_or_default(),
            is_active: true,
            timezone: r.timezone.unwrap_or_default(),
        });
        Ok(TopicContext {
            default_priority: r.default_priority,
            agent,
            team,
            sla,
            department: Department {
                id: DepartmentId(r.department_id),
                name: r.department_name,
                email: r.department_email,
            },
        })
    }

    /// Inserts a whole new ticket row under its reserved id; a taken id or number fails
    /// with a conflict (`StoreError::is_ticket_key_conflict`).
    pub async fn insert_ticket_row(&mut self, t: &NewTicketRow<'_>) -> Result<()> {
        let overriding = match self {
            Handle::Postgres(_) => "OVERRIDING SYSTEM VALUE",
            Handle::Sqlite(_) => "",
        };
        let sql = format!(
            "INSERT INTO ticket (ticket_id, number, subject, status, priority, priority_rank,
                                 source, help_topic_id, department_id, requester_id,
                                 assignee_agent_id, assignee_team_id, due_at, client_ip,
                                 last_message_at, created_at, updated_at)
             {overriding}
             VALUES ($1, $2, $3, 'open', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
                     $14, $14, $14)"
        );
        let rank = tessera_domain::queue::priority_rank(t.priority);
        on!(self, c => sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(t.ticket_id.0).bind(t.number).bind(t.subject).bind(t.priority.as_str())
            .bind(rank).bind(t.source).bind(t.help_topic_id.map(|h| h.0))
            .bind(t.department_id.0).bind(t.requester_id.0)
            .bind(t.assignee_agent_id.map(|a| a.0)).bind(t.assignee_team_id.map(|x| x.0))
            .bind(t.due_at.map(|d| d.0)).bind(t.client_ip).bind(t.now.0)
            .execute(c).await?.rows_affected());
        Ok(())
    }

    /// Adds thread entries in one statement; their keys in the order given.
    pub async fn insert_entries(&mut self, rows: &[NewEntryRow<'_>]) -> Result<Vec<ThreadEntryId>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut vals = Vec::with_capacity(rows.len() * 8);
        for r in rows {
            let e = &r.entry;
            vals.extend([
                V::I(e.ticket_id.0),
                V::S(e.kind.as_str()),
                V::O(e.author_contact_id.map(|x| x.0)),
                V::O(e.author_agent_id.map(|x| x.0)),
                V::S(e.body),
                V::S(e.body_format.as_str()),
                V::I(e.now.0),
                V::OS(r.original_html),
            ]);
        }
        let sql = format!(
            "INSERT INTO thread_entry (ticket_id, kind, author_contact_id, author_agent_id,
                                       body, body_format, created_at, original_html)
             VALUES {} RETURNING thread_entry_id",
            placeholders(rows.len(), 8)
        );
        let mut ids: Vec<i64> = on!(self, c => bind_values!(
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)), &vals).fetch_all(c).await?);
        // Keys are handed out in the order of the rows; RETURNING's order is not promised.
        ids.sort_unstable();
        Ok(ids.into_iter().map(ThreadEntryId).collect())
    }

    /// Records attachments whose bytes are stored, in one statement.
    pub async fn insert_attachments(&mut self, rows: &[NewAttachment<'_>]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let now = Timestamp::now().0;
        let mut vals = Vec::with_capacity(rows.len() * 7);
        for a in rows {
            vals.extend([
                V::I(a.ticket_id.0),
                V::I(a.thread_entry_id.0),
                V::S(a.blob_key),
                V::S(a.filename),
                V::S(a.content_type),
                V::I(a.size),
                V::I(now),
            ]);
        }
        let sql = format!(
            "INSERT INTO attachment (ticket_id, thread_entry_id, blob_key, filename,
                                     content_type, size, created_at)
             VALUES {}",
            placeholders(rows.len(), 7)
        );
        on!(self, c => bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), &vals)
            .execute(c).await?.rows_affected());
        Ok(())
    }

    /// Stores a ticket's answers to its topic's fields, in one statement.
    pub async fn insert_field_values(
        &mut self,
        ticket: TicketId,
        answers: &[(TopicFieldId, &str)],
        now: Timestamp,
    ) -> Result<()> {
        if answers.is_empty() {
            return Ok(());
        }
        let mut vals = Vec::with_capacity(answers.len() * 4);
        for (field, value) in answers {
            vals.extend([V::I(ticket.0), V::I(field.0), V::S(value), V::I(now.0)]);
        }
        let sql = format!(
            "INSERT INTO ticket_field_value (ticket_id, topic_field_id, value, created_at)
             VALUES {}",
            placeholders(answers.len(), 4)
        );
        on!(self, c => bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), &vals)
            .execute(c).await?.rows_affected());
        Ok(())
    }

    /// Queues mails in one statement.
    pub async fn enqueue_mails(&mut self, mails: &[NewOutboxMail]) -> Result<()> {
        if mails.is_empty() {
            return Ok(());
        }
        let now = Timestamp::now().0;
        let recipients: Vec<String> = mails.iter().map(|m| m.recipients.join("\n")).collect();
        let mut vals = Vec::with_capacity(mails.len() * 8);
        for (m, to) in mails.iter().zip(&recipients) {
            vals.extend([
                V::O(m.ticket_id.map(|t| t.0)),
                V::S(&m.message_id),
                V::S(&m.envelope_from),
                V::S(to),
                V::Bytes(&m.raw),
                V::S("pending"),
                V::I(now),
                V::I(now),
            ]);
        }
        let sql = format!(
            "INSERT INTO outbox_mail (ticket_id, message_id, envelope_from, recipients, raw,
                                      status, next_attempt_at, created_at)
             VALUES {}",
            placeholders(mails.len(), 8)
        );
        on!(self, c => bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), &vals)
            .execute(c).await?.rows_affected());
        Ok(())
    }

    /// Queues webhook deliveries, due at once, in one statement.
    pub async fn enqueue_deliveries(&mut self, rows: &[NewDelivery<'_>]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut vals = Vec::with_capacity(rows.len() * 8);
        for d in rows {
            vals.extend([
                V::I(d.webhook_id),
                V::S(d.uuid),
                V::S(d.event),
                V::O(d.ticket_id.map(|t| t.0)),
                V::S(d.payload),
                V::S("pending"),
                V::I(d.now.0),
                V::I(d.now.0),
            ]);
        }
        let sql = format!(
            "INSERT INTO webhook_delivery (webhook_id, uuid, event, ticket_id, payload, status,
                                           next_attempt_at, created_at)
             VALUES {}",
            placeholders(rows.len(), 8)
        );
        on!(self, c => bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), &vals)
            .execute(c).await?.rows_affected());
        Ok(())
    }
}

/// The next ticket id this process may hand out on SQLite, and whether it still trusts it
/// (after a conflict it reads the table's highest id again).
#[derive(Debug, Default)]
pub(crate) struct TicketIds(std::sync::Mutex<(i64, bool)>);

impl TicketIds {
    fn lock(&self) -> std::sync::MutexGuard<'_, (i64, bool)> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next id, if it is trusted.
    fn take(&self) -> Option<i64> {
        let mut s = self.lock();
        if !s.1 {
            return None;
        }
        s.0 += 1;
        Some(s.0 - 1)
    }

    /// Counts on from the table's highest id `max`, or from where it was if that is
    /// higher: ids handed out but not yet written are not in the table.
    fn seed(&self, max: i64) -> i64 {
        let mut s = self.lock();
        let id = s.0.max(max + 1);
        *s = (id + 1, true);
        id
    }

    fn forget(&self) {
        self.lock().1 = false;
    }
}
