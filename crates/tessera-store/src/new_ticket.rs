//! A new ticket written in a few statements: what the portal and the API open is known
//! whole before its transaction (ticket id and number included), so the rows go in as one
//! row or one multi-row insert per table instead of an insert followed by updates and
//! re-reads. The transaction holds SQLite's one writer; every statement saved there is
//! saved for every ticket queued behind it.

use sqlx::FromRow;
use tessera_domain::{
    AgentId, BodyFormat, ContactId, DepartmentId, EntryKind, HelpTopicId, Lang, Priority, TeamId,
    ThreadEntryId, TicketId, Timestamp, TopicFieldId,
    model::{Contact, Department},
};

use crate::{
    AgentBrief, Db, Handle, NewDelivery, NewOutboxMail, Result, SlaRow, StoreError,
    db::on,
    rows::{Script, V, bind_values},
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
    /// `portal`, `email` or `api`; for a ticket an agent opened, how the request came
    /// (`phone`, `walk_in`, `chat`, `other`).
    pub source: &'a str,
    /// Topic picked.
    pub help_topic_id: Option<HelpTopicId>,
    /// Owner.
    pub department_id: DepartmentId,
    /// Assigned agent.
    pub assignee_agent_id: Option<AgentId>,
    /// Assigned team.
    pub assignee_team_id: Option<TeamId>,
    /// When a service level makes it due.
    pub due_at: Option<Timestamp>,
    /// The address the requester wrote from, as an API caller says.
    pub client_ip: Option<&'a str>,
    /// Waits for the requester to confirm the address (confirm-first mode).
    pub unconfirmed: bool,
    /// Answered already (an agent opened it with a reply to the requester).
    pub answered: bool,
    /// When.
    pub now: Timestamp,
}

/// A thread entry of a new ticket (written now, as Markdown).
#[derive(Debug, Clone)]
pub struct NewTicketEntry<'a> {
    /// Message or event.
    pub kind: EntryKind,
    /// Whether the requester wrote it (else the agent `by_agent` did, or nobody: an
    /// automatic event).
    pub by_requester: bool,
    /// The agent who wrote it (a ticket an agent opened for its requester).
    pub by_agent: Option<AgentId>,
    /// Content.
    pub body: &'a str,
    /// How to read it.
    pub body_format: BodyFormat,
    /// HTML as sent (kept, sanitised whenever shown).
    pub original_html: Option<&'a str>,
    /// What the thread folds away (a mail's quoted text).
    pub quoted: Option<&'a str>,
}

/// A file of a new ticket's first message, its bytes stored.
#[derive(Debug, Clone)]
pub struct NewTicketFile<'a> {
    /// Blob key.
    pub blob_key: &'a str,
    /// Clean file name.
    pub filename: &'a str,
    /// MIME type.
    pub content_type: &'a str,
    /// Bytes.
    pub size: i64,
    /// The `Content-ID` of an inline image in a mail.
    pub content_id: Option<&'a str>,
}

/// What writing a new ticket gives back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrittenTicket {
    /// The requester's contact.
    pub contact: ContactId,
    /// The first message.
    pub message: ThreadEntryId,
}

/// Everything a new ticket writes, composed before its statements run.
#[derive(Debug, Clone)]
pub struct NewTicketWrite<'a> {
    /// The requester's address as typed; a known address keeps its contact as it is.
    pub email: &'a str,
    /// The address's key (`EmailAddress::key`).
    pub email_key: &'a str,
    /// The requester's name, for a new contact.
    pub name: &'a str,
    /// The requester's language, for a new contact.
    pub lang: Lang,
    /// The ticket row.
    pub ticket: NewTicketRow<'a>,
    /// Its entries; the last is the first message, which the files belong to.
    pub entries: &'a [NewTicketEntry<'a>],
    /// Stored files of the first message.
    pub files: &'a [NewTicketFile<'a>],
    /// Answers to the topic's fields.
    pub answers: &'a [(TopicFieldId, &'a str)],
    /// The requester's access token: (selector, verifier hash).
    pub token: Option<(&'a str, &'a str)>,
    /// Mails to queue.
    pub mails: &'a [NewOutboxMail],
    /// The index document (stems) and the head's.
    pub doc: &'a str,
    /// The stems of number, subject and requester.
    pub head: &'a str,
    /// Webhook deliveries to queue.
    pub deliveries: &'a [NewDelivery<'a>],
}

/// The statements of `insert_new_ticket`. Later ones find the requester's contact by its
/// key and the first message as the ticket's newest entry, so nothing has to be read back
/// between them; the last one answers both.
/// `index`: whether the script writes the ticket's index rows itself (otherwise the SQLite
/// writer does, for the whole group, before it commits).
fn new_ticket_script<'a>(n: &'a NewTicketWrite<'a>, mut s: Script<'a>, index: bool) -> Script<'a> {
    let sqlite = s.joined();
    let t = &n.ticket;
    let now = t.now.0;
    let contact = |s: &mut Script<'a>| {
        format!(
            "(SELECT contact_id FROM contact WHERE email_key = {})",
            s.v(V::S(n.email_key))
        )
    };

    let row = s.row([
        V::S(n.email),
        V::S(n.email_key),
        V::S(n.name),
        V::S(n.lang.as_str()),
        V::I(now),
        V::I(now),
    ]);
    s.statement(&format!(
        "INSERT INTO contact (email, email_key, name, lang, created_at, updated_at)
         VALUES {row}
         ON CONFLICT (email_key) DO UPDATE SET updated_at = excluded.updated_at"
    ));

    let requester = contact(&mut s);
    let overriding = if sqlite {
        ""
    } else {
        "OVERRIDING SYSTEM VALUE"
    };
    let text = format!(
        "INSERT INTO ticket (ticket_id, number, subject, status, priority, priority_rank,
                             source, help_topic_id, department_id, requester_id,
                             assignee_agent_id, assignee_team_id, due_at, client_ip,
                             unconfirmed, is_answered, last_message_at, created_at, updated_at)
         {overriding}
         VALUES ({}, {}, {}, 'open', {}, {}, {}, {}, {}, {requester}, {}, {}, {}, {}, {}, {}, {now}, {now}, {now})",
        s.v(V::I(t.ticket_id.0)),
        s.v(V::S(t.number)),
        s.v(V::S(t.subject)),
        s.v(V::S(t.priority.as_str())),
        s.v(V::I(tessera_domain::queue::priority_rank(t.priority))),
        s.v(V::S(t.source)),
        s.v(V::O(t.help_topic_id.map(|h| h.0))),
        s.v(V::I(t.department_id.0)),
        s.v(V::O(t.assignee_agent_id.map(|a| a.0))),
        s.v(V::O(t.assignee_team_id.map(|x| x.0))),
        s.v(V::O(t.due_at.map(|d| d.0))),
        s.v(V::OS(t.client_ip)),
        s.v(V::B(t.unconfirmed)),
        s.v(V::B(t.answered)),
        now = s.v(V::I(now)),
    );
    s.statement(&text);

    if !n.entries.is_empty() {
        let author = contact(&mut s);
        // A VALUES list hands out keys in its order: the first message, last, gets the
        // highest.
        let rows: Vec<String> = n
            .entries
            .iter()
            .map(|e| {
                format!(
                    "({}, {}, CASE WHEN {} THEN {author} END, {}, {}, {}, {}, {}, {})",
                    s.v(V::I(t.ticket_id.0)),
                    s.v(V::S(e.kind.as_str())),
                    s.v(V::B(e.by_requester)),
                    s.v(V::O(e.by_agent.map(|a| a.0))),
                    s.v(V::S(e.body)),
                    s.v(V::S(e.body_format.as_str())),
                    s.v(V::I(now)),
                    s.v(V::OS(e.original_html)),
                    s.v(V::OS(e.quoted)),
                )
            })
            .collect();
        s.statement(&format!(
            "INSERT INTO thread_entry (ticket_id, kind, author_contact_id, author_agent_id,
                                       body, body_format, created_at, original_html, quoted)
             VALUES {}",
            rows.join(", ")
        ));
    }

    if !n.files.is_empty() {
        let tid = s.v(V::I(t.ticket_id.0));
        let message =
            format!("(SELECT MAX(thread_entry_id) FROM thread_entry WHERE ticket_id = {tid})");
        let rows: Vec<String> = n
            .files
            .iter()
            .map(|f| {
                format!(
                    "({}, {message}, {}, {}, {}, {}, {}, {})",
                    s.v(V::I(t.ticket_id.0)),
                    s.v(V::S(f.blob_key)),
                    s.v(V::S(f.filename)),
                    s.v(V::S(f.content_type)),
                    s.v(V::I(f.size)),
                    s.v(V::I(now)),
                    s.v(V::OS(f.content_id)),
                )
            })
            .collect();
        s.statement(&format!(
            "INSERT INTO attachment (ticket_id, thread_entry_id, blob_key, filename,
                                     content_type, size, created_at, content_id)
             VALUES {}",
            rows.join(", ")
        ));
    }

    if !n.answers.is_empty() {
        let rows: Vec<String> = n
            .answers
            .iter()
            .map(|(field, value)| {
                s.row([V::I(t.ticket_id.0), V::I(field.0), V::S(value), V::I(now)])
            })
            .collect();
        s.statement(&format!(
            "INSERT INTO ticket_field_value (ticket_id, topic_field_id, value, created_at)
             VALUES {}",
            rows.join(", ")
        ));
    }

    if let Some((selector, verifier_hash)) = n.token {
        let holder = contact(&mut s);
        let text = format!(
            "INSERT INTO access_token (ticket_id, contact_id, selector, verifier_hash, created_at)
             VALUES ({}, {holder}, {}, {}, {})",
            s.v(V::I(t.ticket_id.0)),
            s.v(V::S(selector)),
            s.v(V::S(verifier_hash)),
            s.v(V::I(now)),
        );
        s.statement(&text);
    }

    if !n.mails.is_empty() {
        let rows: Vec<String> = n
            .mails
            .iter()
            .map(|m| {
                s.row([
                    V::O(m.ticket_id.map(|t| t.0)),
                    V::S(&m.message_id),
                    V::S(&m.envelope_from),
                    V::Owned(m.recipients.join("\n")),
                    V::S("pending"),
                    V::I(now),
                    V::I(now),
                    V::S(m.kind.as_str()),
                ])
            })
            .collect();
        s.statement(&format!(
            "INSERT INTO outbox_mail (ticket_id, message_id, envelope_from, recipients,
                                      status, next_attempt_at, created_at, kind)
             VALUES {}",
            rows.join(", ")
        ));
        // Each message beside its row (migration 0025), found by its Message-ID.
        let raws: Vec<String> = n
            .mails
            .iter()
            .map(|m| s.row([V::S(&m.message_id), V::Bytes(&m.raw)]))
            .collect();
        s.statement(&format!(
            "INSERT INTO outbox_mail_raw (outbox_mail_id, raw)
             SELECT o.outbox_mail_id, v.column2 FROM (VALUES {}) AS v
               JOIN outbox_mail o ON o.message_id = v.column1",
            raws.join(", ")
        ));
    }

    if index {
        crate::search::index_row(&mut s, "ticket_search", t.ticket_id, n.doc);
        crate::search::index_row(&mut s, "ticket_search_head", t.ticket_id, n.head);
    }

    if !n.deliveries.is_empty() {
        let rows: Vec<String> = n
            .deliveries
            .iter()
            .map(|d| {
                s.row([
                    V::I(d.webhook_id),
                    V::S(d.uuid),
                    V::S(d.event),
                    V::O(d.ticket_id.map(|t| t.0)),
                    V::S(d.payload),
                    V::S("pending"),
                    V::I(d.now.0),
                    V::I(d.now.0),
                ])
            })
            .collect();
        s.statement(&format!(
            "INSERT INTO webhook_delivery (webhook_id, uuid, event, ticket_id, payload, status,
                                           next_attempt_at, created_at)
             VALUES {}",
            rows.join(", ")
        ));
    }

    let requester = contact(&mut s);
    let tid = s.v(V::I(t.ticket_id.0));
    s.statement(&format!(
        "SELECT {requester}, (SELECT MAX(thread_entry_id) FROM thread_entry WHERE ticket_id = {tid})"
    ));
    s
}

/// What a help topic gives a new ticket, read in one query: its default priority, its
/// automatic assignee and team (when active), its active service level and its department.
#[derive(Debug, Clone)]
pub struct TopicContext {
    /// Default priority (a name).
    pub default_priority: String,
    /// The automatic assignee, if active and not out of office.
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
                let mut c = d.pool.acquire().await?;
                let max = Handle::Sqlite(&mut c).highest_ticket_id().await?;
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
             LEFT JOIN agent a ON a.agent_id = h.auto_agent_id AND a.is_active AND NOT a.is_away
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

    /// Writes a whole new ticket — requester, ticket row, entries, files, answers, access
    /// token, mails, index and webhook deliveries — and returns the requester's contact and
    /// the first message. A taken id or number fails with a conflict
    /// (`StoreError::is_ticket_key_conflict`).
    ///
    /// On SQLite every statement goes to the connection in one execution: each statement
    /// sent separately cost two thread switches to sqlx's connection thread and back,
    /// which was half of a new ticket's CPU. PostgreSQL takes one statement at a time.
    pub async fn insert_new_ticket(&mut self, n: &NewTicketWrite<'_>) -> Result<WrittenTicket> {
        let s = new_ticket_script(n, Script::for_handle(self), true);
        let written: (i64, i64) = match self {
            Handle::Sqlite(c) => {
                let (text, vals) = s.into_one();
                let rows: Vec<(i64, i64)> =
                    bind_values!(sqlx::query_as(sqlx::AssertSqlSafe(text)), &vals)
                        .fetch_all(&mut **c)
                        .await?;
                rows.last().copied().ok_or(StoreError::NotFound)?
            }
            Handle::Postgres(c) => {
                let mut statements = s.into_each();
                let (last, last_vals) = statements.pop().ok_or(StoreError::NotFound)?;
                for (text, vals) in &statements {
                    bind_values!(sqlx::query(sqlx::AssertSqlSafe(text.clone())), vals)
                        .execute(&mut **c)
                        .await?;
                }
                bind_values!(sqlx::query_as(sqlx::AssertSqlSafe(last)), &last_vals)
                    .fetch_one(&mut **c)
                    .await?
            }
        };
        Ok(written.into())
    }
}

impl From<(i64, i64)> for WrittenTicket {
    fn from((contact, message): (i64, i64)) -> Self {
        Self {
            contact: ContactId(contact),
            message: ThreadEntryId(message),
        }
    }
}

impl Db {
    /// `insert_new_ticket` as a transaction of its own, committed. On SQLite the savepoint
    /// that keeps it apart from the rest of its group is opened and released in the same
    /// execution as the ticket's statements.
    pub async fn write_new_ticket(&self, n: &NewTicketWrite<'_>) -> Result<WrittenTicket> {
        let Db::Sqlite(d) = self else {
            let mut tx = self.begin().await?;
            let written = tx.h().insert_new_ticket(n).await?;
            tx.commit().await?;
            return Ok(written);
        };
        // FTS5 writes the terms gathered so far as a new segment at every savepoint, so a
        // ticket indexed inside its own would add a segment per ticket, each merged again
        // and again later. The writer indexes the group's new tickets together instead,
        // in the group's transaction, outside any savepoint.
        let (text, vals) = new_ticket_script(n, Script::in_one(), false).into_one();
        let text = format!("SAVEPOINT job;\n{text};\nRELEASE job");
        let vals: Vec<V<'static>> = vals.into_iter().map(V::into_owned).collect();
        let index = (n.ticket.ticket_id, n.doc.to_owned(), n.head.to_owned());
        let (gate, pool) = (d.gate.clone(), d.pool.clone());
        let written = d
            .gate
            .on_writer_thread(async move {
                let mut tx = gate.begin_in_one(&pool).await?;
                let rows: Vec<(i64, i64)> =
                    bind_values!(sqlx::query_as(sqlx::AssertSqlSafe(text)), &vals)
                        .fetch_all(tx.conn())
                        .await?;
                tx.released();
                tx.index_with_group(index.0, &index.1, &index.2);
                let written = rows.last().copied().ok_or(StoreError::NotFound)?;
                tx.commit().await?;
                Ok(written)
            })
            .await?;
        Ok(written.into())
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
