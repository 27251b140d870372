//! Departments, topics, contacts, tickets, thread entries and attachments.

use sqlx::FromRow;
use tessera_domain::{
    AgentId, AttachmentId, BodyFormat, ContactId, DepartmentId, EntryKind, HelpTopicId, Lang,
    Priority, TeamId, ThreadEntryId, TicketId, TicketStatus, Timestamp,
    model::{Attachment, Contact, Department, HelpTopic, ThreadEntry, Ticket},
};

use crate::{
    Handle, Result, StoreError,
    db::on,
    rows::{Script, V},
};

/// What it takes to add a thread entry.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    /// The ticket.
    pub ticket_id: TicketId,
    /// Message, reply, note or event.
    pub kind: EntryKind,
    /// Written by a contact.
    pub author_contact_id: Option<ContactId>,
    /// Written by an agent.
    pub author_agent_id: Option<AgentId>,
    /// Content.
    pub body: &'a str,
    /// How to read it.
    pub body_format: BodyFormat,
    /// When.
    pub now: Timestamp,
}

/// What it takes to record an attachment whose bytes are stored.
#[derive(Debug, Clone)]
pub struct NewAttachment<'a> {
    /// The ticket.
    pub ticket_id: TicketId,
    /// The entry it came with.
    pub thread_entry_id: ThreadEntryId,
    /// Blob key.
    pub blob_key: &'a str,
    /// Clean file name.
    pub filename: &'a str,
    /// MIME type.
    pub content_type: &'a str,
    /// Bytes.
    pub size: i64,
}

#[derive(FromRow)]
struct TopicRow {
    help_topic_id: i64,
    name_de: String,
    name_en: String,
    department_id: i64,
    is_public: bool,
    is_active: bool,
}

impl From<TopicRow> for HelpTopic {
    fn from(r: TopicRow) -> Self {
        HelpTopic {
            id: HelpTopicId(r.help_topic_id),
            name_de: r.name_de,
            name_en: r.name_en,
            department_id: DepartmentId(r.department_id),
            is_public: r.is_public,
            is_active: r.is_active,
        }
    }
}

fn lang(s: &str) -> Lang {
    Lang::parse(s).unwrap_or(Lang::De)
}

#[derive(FromRow)]
struct TicketRow {
    ticket_id: i64,
    number: String,
    subject: String,
    status: String,
    priority: String,
    is_answered: bool,
    due_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    help_topic_id: Option<i64>,
    topic_name_de: Option<String>,
    topic_name_en: Option<String>,
    topic_is_public: Option<bool>,
    topic_is_active: Option<bool>,
    department_id: i64,
    department_name: String,
    department_email: String,
    requester_id: i64,
    requester_email: String,
    requester_name: String,
    requester_lang: String,
    assignee_agent_id: Option<i64>,
    agent_name: Option<String>,
    assignee_team_id: Option<i64>,
    team_name: Option<String>,
}

#[derive(FromRow)]
struct GrantedTicketRow {
    #[sqlx(flatten)]
    ticket: TicketRow,
    grant_contact_id: Option<i64>,
}

const TICKET_COLUMNS: &str = "SELECT t.ticket_id, t.number, t.subject, t.status, t.priority,
        t.is_answered, t.due_at, t.created_at, t.updated_at,
        t.help_topic_id, h.name_de AS topic_name_de, h.name_en AS topic_name_en,
        h.is_public AS topic_is_public, h.is_active AS topic_is_active,
        t.department_id, d.name AS department_name, d.email AS department_email,
        t.requester_id, c.email AS requester_email, c.name AS requester_name,
        c.lang AS requester_lang,
        t.assignee_agent_id, a.display_name AS agent_name,
        t.assignee_team_id, tm.name AS team_name";

const TICKET_FROM: &str = "FROM ticket t
    JOIN department d ON d.department_id = t.department_id
    JOIN contact c ON c.contact_id = t.requester_id
    LEFT JOIN help_topic h ON h.help_topic_id = t.help_topic_id
    LEFT JOIN agent a ON a.agent_id = t.assignee_agent_id
    LEFT JOIN team tm ON tm.team_id = t.assignee_team_id";

impl From<TicketRow> for Ticket {
    fn from(r: TicketRow) -> Self {
        let department_id = DepartmentId(r.department_id);
        Ticket {
            id: TicketId(r.ticket_id),
            number: r.number,
            subject: r.subject,
            status: TicketStatus::parse(&r.status).unwrap_or(TicketStatus::Open),
            priority: Priority::parse(&r.priority).unwrap_or(Priority::Normal),
            help_topic: r.help_topic_id.map(|id| HelpTopic {
                id: HelpTopicId(id),
                name_de: r.topic_name_de.unwrap_or_default(),
                name_en: r.topic_name_en.unwrap_or_default(),
                department_id,
                is_public: r.topic_is_public.unwrap_or(false),
                is_active: r.topic_is_active.unwrap_or(false),
            }),
            department: Department {
                id: department_id,
                name: r.department_name,
                email: r.department_email,
            },
            requester: Contact {
                id: ContactId(r.requester_id),
                email: r.requester_email,
                name: r.requester_name,
                lang: lang(&r.requester_lang),
            },
            assignee_agent: r
                .assignee_agent_id
                .map(|id| (AgentId(id), r.agent_name.unwrap_or_default())),
            assignee_team: r
                .assignee_team_id
                .map(|id| (TeamId(id), r.team_name.unwrap_or_default())),
            is_answered: r.is_answered,
            due_at: r.due_at.map(Timestamp),
            created_at: Timestamp(r.created_at),
            updated_at: Timestamp(r.updated_at),
        }
    }
}

#[derive(FromRow)]
pub(crate) struct EntryRow {
    thread_entry_id: i64,
    kind: String,
    body: String,
    body_format: String,
    created_at: i64,
    contact_name: Option<String>,
    author_agent_id: Option<i64>,
    agent_name: Option<String>,
    by_email: bool,
    quoted: Option<String>,
    has_html: bool,
    auth_warning: Option<String>,
    held: bool,
    automatic: Option<String>,
}

/// One entry's whole text, as `Handle::entry_text` reads it.
#[derive(Debug, Clone, FromRow)]
pub struct EntryTextRow {
    /// The ticket it belongs to.
    pub ticket_id: i64,
    /// Its kind, as stored.
    pub kind: String,
    /// Held for an agent (requesters do not see it).
    pub held: bool,
    /// The text the thread shows.
    pub body: String,
    /// What the thread folds away of it.
    pub quoted: Option<String>,
}

#[derive(FromRow)]
pub(crate) struct AttachmentRow {
    attachment_id: i64,
    ticket_id: i64,
    thread_entry_id: i64,
    blob_key: String,
    filename: String,
    content_type: String,
    size: i64,
}

/// A ticket's thread, oldest first; with `internal`, notes and events too. With `shown`,
/// only the beginning of each text is read: one character more than is shown, so that
/// `thread_entries` knows whether it was cut (a 40 MB mail is not read for a page).
pub(crate) fn thread_statement(
    s: &mut Script<'_>,
    ticket: TicketId,
    internal: bool,
    shown: Option<usize>,
) {
    let (t, i) = (s.v(V::I(ticket.0)), s.v(V::B(internal)));
    // A number from code, not from a request: written into the text, as PostgreSQL's
    // `substr` takes an `integer` and a bound `bigint` would not resolve.
    let (body, quoted) = match shown {
        Some(n) => (
            format!("substr(e.body, 1, {})", n.saturating_add(1)),
            format!("substr(e.quoted, 1, {})", n.saturating_add(1)),
        ),
        None => ("e.body".to_owned(), "e.quoted".to_owned()),
    };
    s.statement(&format!(
        "SELECT e.thread_entry_id, e.kind, {body} AS body, e.body_format, e.created_at,
                c.name AS contact_name, e.author_agent_id, a.display_name AS agent_name,
                EXISTS (SELECT 1 FROM inbound_message im
                        WHERE im.thread_entry_id = e.thread_entry_id) AS by_email,
                {quoted} AS quoted, e.original_html IS NOT NULL AS has_html, e.auth_warning,
                e.held, e.automatic
         FROM thread_entry e
         LEFT JOIN contact c ON c.contact_id = e.author_contact_id
         LEFT JOIN agent a ON a.agent_id = e.author_agent_id
         WHERE e.ticket_id = {t} AND ({i} OR (e.kind IN ('message', 'reply') AND NOT e.held))
         ORDER BY e.thread_entry_id"
    ));
}

/// The entries read by `thread_statement`; with `shown` (the same), each text longer than
/// that is cut where `long_text::shown_part` says and the entry marked `shortened`.
pub(crate) fn thread_entries(rows: Vec<EntryRow>, shown: Option<usize>) -> Vec<ThreadEntry> {
    let cut = |text: &mut String, shortened: &mut bool| {
        if let Some(n) = shown
            && let Some(part) = tessera_domain::long_text::shown_part(text, n)
        {
            *text = part.to_owned();
            *shortened = true;
        }
    };
    rows.into_iter()
        .map(|mut r| {
            let mut shortened = false;
            cut(&mut r.body, &mut shortened);
            if let Some(q) = &mut r.quoted {
                cut(q, &mut shortened);
            }
            (r, shortened)
        })
        .map(|(r, shortened)| ThreadEntry {
            id: ThreadEntryId(r.thread_entry_id),
            kind: EntryKind::parse(&r.kind).unwrap_or(EntryKind::Event),
            by_agent: r.agent_name.is_some(),
            author_agent: r.author_agent_id.map(AgentId),
            author_name: r.agent_name.or(r.contact_name).unwrap_or_default(),
            body: r.body,
            body_format: BodyFormat::parse(&r.body_format).unwrap_or(BodyFormat::Markdown),
            created_at: Timestamp(r.created_at),
            by_email: r.by_email,
            quoted: r.quoted,
            has_original_html: r.has_html,
            auth_warning: r.auth_warning,
            held: r.held,
            automatic: r.automatic,
            shortened,
        })
        .collect()
}

/// A ticket's attachments, in the order of their entries.
pub(crate) fn attachments_statement(s: &mut Script<'_>, ticket: TicketId) {
    let t = s.v(V::I(ticket.0));
    s.statement(&format!(
        "SELECT attachment_id, ticket_id, thread_entry_id, blob_key, filename, content_type, size
         FROM attachment WHERE ticket_id = {t} ORDER BY thread_entry_id, attachment_id"
    ));
}

impl From<AttachmentRow> for Attachment {
    fn from(r: AttachmentRow) -> Self {
        Attachment {
            id: AttachmentId(r.attachment_id),
            ticket_id: TicketId(r.ticket_id),
            thread_entry_id: ThreadEntryId(r.thread_entry_id),
            blob_key: r.blob_key,
            filename: r.filename,
            content_type: r.content_type,
            size: r.size,
        }
    }
}

impl Handle<'_> {
    /// How many departments exist (zero means a fresh installation).
    pub async fn department_count(&mut self) -> Result<i64> {
        on!(self, c => Ok(sqlx::query_scalar("SELECT COUNT(*) FROM department")
            .fetch_one(c).await?))
    }

    /// Adds a department.
    pub async fn insert_department(&mut self, name: &str, email: &str) -> Result<DepartmentId> {
        let now = Timestamp::now().0;
        on!(self, c => Ok(DepartmentId(sqlx::query_scalar(
            "INSERT INTO department (name, email, created_at, updated_at)
             VALUES ($1, $2, $3, $3) RETURNING department_id")
            .bind(name).bind(email).bind(now)
            .fetch_one(c).await?)))
    }

    /// Adds a help topic.
    pub async fn insert_help_topic(
        &mut self,
        name_de: &str,
        name_en: &str,
        department_id: DepartmentId,
        sort_order: i64,
    ) -> Result<HelpTopicId> {
        let now = Timestamp::now().0;
        on!(self, c => Ok(HelpTopicId(sqlx::query_scalar(
            "INSERT INTO help_topic (name_de, name_en, department_id, sort_order, created_at,
                                     updated_at)
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING help_topic_id")
            .bind(name_de).bind(name_en).bind(department_id.0).bind(sort_order).bind(now)
            .fetch_one(c).await?)))
    }

    /// The topics offered on the public portal, in their configured order.
    pub async fn public_help_topics(&mut self) -> Result<Vec<HelpTopic>> {
        let rows: Vec<TopicRow> = on!(self, c => sqlx::query_as(
            "SELECT help_topic_id, name_de, name_en, department_id, is_public, is_active
             FROM help_topic WHERE is_public AND is_active
             ORDER BY sort_order, help_topic_id")
            .fetch_all(c).await?);
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// One help topic.
    pub async fn help_topic(&mut self, id: HelpTopicId) -> Result<HelpTopic> {
        let row: TopicRow = on!(self, c => sqlx::query_as(
            "SELECT help_topic_id, name_de, name_en, department_id, is_public, is_active
             FROM help_topic WHERE help_topic_id = $1")
            .bind(id.0).fetch_one(c).await?);
        Ok(row.into())
    }

    /// Adds an agent.
    pub async fn insert_agent(
        &mut self,
        username: &str,
        email: &str,
        display_name: &str,
        password_hash: &str,
        is_admin: bool,
        lang: Lang,
    ) -> Result<AgentId> {
        let now = Timestamp::now().0;
        on!(self, c => Ok(AgentId(sqlx::query_scalar(
            "INSERT INTO agent (username, email, display_name, password_hash, is_admin,
                                must_change_password, lang, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7, $7) RETURNING agent_id")
            .bind(username).bind(email).bind(display_name).bind(password_hash).bind(is_admin)
            .bind(lang.as_str()).bind(now)
            .fetch_one(c).await?)))
    }

    /// Finds or creates the contact for an address; an existing contact keeps its name.
    pub async fn upsert_contact(
        &mut self,
        email: &str,
        email_key: &str,
        name: &str,
        lang: Lang,
    ) -> Result<ContactId> {
        let now = Timestamp::now().0;
        on!(self, c => Ok(ContactId(sqlx::query_scalar(
            "INSERT INTO contact (email, email_key, name, lang, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5)
             ON CONFLICT (email_key) DO UPDATE SET updated_at = excluded.updated_at
             RETURNING contact_id")
            .bind(email).bind(email_key).bind(name).bind(lang.as_str()).bind(now)
            .fetch_one(c).await?)))
    }

    /// How many tickets exist.
    pub async fn ticket_count(&mut self) -> Result<i64> {
        on!(self, c => Ok(sqlx::query_scalar("SELECT COUNT(*) FROM ticket").fetch_one(c).await?))
    }

    /// Whether a public number is taken.
    pub async fn ticket_number_taken(&mut self, number: &str) -> Result<bool> {
        on!(self, c => Ok(sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM ticket WHERE number = $1")
            .bind(number).fetch_one(c).await? > 0))
    }

    /// Whether a ticket has this key (a reserved id another process wrote meanwhile).
    pub async fn ticket_id_taken(&mut self, id: TicketId) -> Result<bool> {
        on!(self, c => Ok(sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM ticket WHERE ticket_id = $1")
            .bind(id.0).fetch_one(c).await? > 0))
    }

    /// One department, active or not.
    pub async fn department(&mut self, id: DepartmentId) -> Result<Department> {
        let (name, email): (String, String) = on!(self, c => sqlx::query_as(
            "SELECT name, email FROM department WHERE department_id = $1")
            .bind(id.0).fetch_one(c).await?);
        Ok(Department { id, name, email })
    }

    /// The highest ticket id: ids are counted up, so about how many tickets there have been.
    pub async fn highest_ticket_id(&mut self) -> Result<i64> {
        on!(self, c => Ok(sqlx::query_scalar::<_, i64>(
            "SELECT COALESCE(MAX(ticket_id), 0) FROM ticket").fetch_one(c).await?))
    }

    /// A ticket by its key.
    pub async fn ticket(&mut self, id: TicketId) -> Result<Ticket> {
        let row: TicketRow = on!(self, c => sqlx::query_as(
            sqlx::AssertSqlSafe(format!("{TICKET_COLUMNS} {TICKET_FROM} WHERE t.ticket_id = $1")))
            .bind(id.0).fetch_one(c).await?);
        Ok(row.into())
    }

    /// A ticket by its public number.
    pub async fn ticket_by_number(&mut self, number: &str) -> Result<Ticket> {
        let row: TicketRow = on!(self, c => sqlx::query_as(
            sqlx::AssertSqlSafe(format!("{TICKET_COLUMNS} {TICKET_FROM} WHERE t.number = $1")))
            .bind(number).fetch_one(c).await?);
        Ok(row.into())
    }

    /// A ticket by its public number, with the participant a session may see it as (`None`:
    /// the session holds no grant for it) — one statement for the requester's ticket page.
    pub async fn ticket_for_session(
        &mut self,
        number: &str,
        session: i64,
    ) -> Result<(Ticket, Option<ContactId>)> {
        let row: GrantedTicketRow = on!(self, c => sqlx::query_as(
            sqlx::AssertSqlSafe(format!(
                "{TICKET_COLUMNS}, g.contact_id AS grant_contact_id {TICKET_FROM}
                 LEFT JOIN session_grant g ON g.ticket_id = t.ticket_id AND g.session_id = $2
                 WHERE t.number = $1")))
            .bind(number).bind(session).fetch_one(c).await?);
        Ok((row.ticket.into(), row.grant_contact_id.map(ContactId)))
    }

    /// Records a new message from the requester's side: the ticket is open and unanswered
    /// again.
    pub async fn touch_ticket_message(&mut self, id: TicketId, now: Timestamp) -> Result<()> {
        on!(self, c => sqlx::query(
            "UPDATE ticket SET last_message_at = $2, updated_at = $2, is_answered = FALSE,
                    status = 'open', closed_at = NULL
             WHERE ticket_id = $1")
            .bind(id.0).bind(now.0).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Adds a thread entry.
    pub async fn insert_entry(&mut self, e: &NewEntry<'_>) -> Result<ThreadEntryId> {
        on!(self, c => Ok(ThreadEntryId(sqlx::query_scalar(
            "INSERT INTO thread_entry (ticket_id, kind, author_contact_id, author_agent_id,
                                       body, body_format, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING thread_entry_id")
            .bind(e.ticket_id.0).bind(e.kind.as_str()).bind(e.author_contact_id.map(|x| x.0))
            .bind(e.author_agent_id.map(|x| x.0)).bind(e.body).bind(e.body_format.as_str())
            .bind(e.now.0)
            .fetch_one(c).await?)))
    }

    /// The entries requesters and collaborators may see, oldest first; with `shown`, each
    /// text cut to what a page shows (see `thread_statement`).
    pub async fn public_thread(
        &mut self,
        ticket: TicketId,
        shown: Option<usize>,
    ) -> Result<Vec<ThreadEntry>> {
        self.thread(ticket, false, shown).await
    }

    /// A thread, oldest first; notes and events only when `internal`.
    pub(crate) async fn thread(
        &mut self,
        ticket: TicketId,
        internal: bool,
        shown: Option<usize>,
    ) -> Result<Vec<ThreadEntry>> {
        let mut s = Script::for_handle(self);
        thread_statement(&mut s, ticket, internal, shown);
        Ok(thread_entries(s.fetch(self).await?.next()?, shown))
    }

    /// The raw bytes of the first mail that became an entry, if one did.
    pub async fn entry_mail_raw(&mut self, id: ThreadEntryId) -> Result<Option<Vec<u8>>> {
        on!(self, c => Ok(sqlx::query_scalar(
            "SELECT raw FROM inbound_message WHERE thread_entry_id = $1
             ORDER BY inbound_message_id LIMIT 1")
            .bind(id.0).fetch_optional(c).await?))
    }

    /// The whole text of one entry: its body and its folded part (`None` when it has
    /// none), with the ticket it belongs to, its kind and whether it is held.
    pub async fn entry_text(&mut self, id: ThreadEntryId) -> Result<EntryTextRow> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT ticket_id, kind, held, body, quoted FROM thread_entry
             WHERE thread_entry_id = $1")
            .bind(id.0).fetch_one(c).await?))
    }

    /// Whether requesters see an entry: a message or reply that is not held for an agent
    /// (the same rule as the public thread's).
    pub async fn entry_is_public(&mut self, id: ThreadEntryId) -> Result<bool> {
        let (k, held): (String, bool) = on!(self, c => sqlx::query_as(
            "SELECT kind, held FROM thread_entry WHERE thread_entry_id = $1")
            .bind(id.0).fetch_one(c).await?);
        Ok(EntryKind::parse(&k)
            .ok_or(StoreError::NotFound)?
            .is_public()
            && !held)
    }

    /// Records an attachment.
    pub async fn insert_attachment(&mut self, a: &NewAttachment<'_>) -> Result<AttachmentId> {
        let now = Timestamp::now().0;
        on!(self, c => Ok(AttachmentId(sqlx::query_scalar(
            "INSERT INTO attachment (ticket_id, thread_entry_id, blob_key, filename,
                                     content_type, size, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING attachment_id")
            .bind(a.ticket_id.0).bind(a.thread_entry_id.0).bind(a.blob_key).bind(a.filename)
            .bind(a.content_type).bind(a.size).bind(now)
            .fetch_one(c).await?)))
    }

    /// Every attachment of a ticket, in upload order.
    pub async fn ticket_attachments(&mut self, ticket: TicketId) -> Result<Vec<Attachment>> {
        let mut s = Script::for_handle(self);
        attachments_statement(&mut s, ticket);
        let rows: Vec<AttachmentRow> = s.fetch(self).await?.next()?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// One attachment.
    pub async fn attachment(&mut self, id: AttachmentId) -> Result<Attachment> {
        let row: AttachmentRow = on!(self, c => sqlx::query_as(
            "SELECT attachment_id, ticket_id, thread_entry_id, blob_key, filename,
                    content_type, size
             FROM attachment WHERE attachment_id = $1")
            .bind(id.0).fetch_one(c).await?);
        Ok(row.into())
    }

    /// Whether a contact takes part in a ticket (requester or collaborator).
    pub async fn is_participant(&mut self, ticket: TicketId, contact: ContactId) -> Result<bool> {
        on!(self, c => Ok(sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM ticket t WHERE t.ticket_id = $1 AND (t.requester_id = $2
               OR EXISTS (SELECT 1 FROM ticket_collaborator tc
                          WHERE tc.ticket_id = t.ticket_id AND tc.contact_id = $2))")
            .bind(ticket.0).bind(contact.0).fetch_one(c).await? > 0))
    }

    /// The participant of a ticket with this address, if any.
    pub async fn participant_by_email(
        &mut self,
        ticket: TicketId,
        email_key: &str,
    ) -> Result<Option<ContactId>> {
        on!(self, c => Ok(sqlx::query_scalar::<_, i64>(
            "SELECT c.contact_id FROM contact c JOIN ticket t ON t.ticket_id = $1
             WHERE c.email_key = $2 AND (t.requester_id = c.contact_id
               OR EXISTS (SELECT 1 FROM ticket_collaborator tc
                          WHERE tc.ticket_id = t.ticket_id AND tc.contact_id = c.contact_id))")
            .bind(ticket.0).bind(email_key).fetch_optional(c).await?.map(ContactId)))
    }

    /// A contact.
    pub async fn contact(&mut self, id: ContactId) -> Result<Contact> {
        let (email, name, l): (String, String, String) = on!(self, c => sqlx::query_as(
            "SELECT email, name, lang FROM contact WHERE contact_id = $1")
            .bind(id.0).fetch_one(c).await?);
        Ok(Contact {
            id,
            email,
            name,
            lang: lang(&l),
        })
    }
}

impl From<StoreError> for std::io::Error {
    fn from(e: StoreError) -> Self {
        std::io::Error::other(e)
    }
}
