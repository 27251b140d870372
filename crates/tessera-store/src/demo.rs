//! Bulk writes for generated demo data: many rows per statement, ids chosen up front, so
//! that a million tickets take minutes. Nothing here is used for real tickets.

use crate::{
    Handle, Result,
    db::on,
    rows::{Script, V, bind_values, placeholders},
};

/// A generated ticket with everything it holds.
#[derive(Debug, Clone)]
pub struct DemoTicket {
    /// Public number.
    pub number: String,
    /// Subject.
    pub subject: String,
    /// Status name.
    pub status: &'static str,
    /// Priority name and rank.
    pub priority: (&'static str, i64),
    /// Help topic.
    pub help_topic_id: i64,
    /// Department.
    pub department_id: i64,
    /// Requester.
    pub requester_id: i64,
    /// Assigned agent.
    pub assignee_agent_id: Option<i64>,
    /// Assigned team.
    pub assignee_team_id: Option<i64>,
    /// Answered by an agent last.
    pub is_answered: bool,
    /// Due date.
    pub due_at: Option<i64>,
    /// When the overdue alert went out.
    pub overdue_alerted_at: Option<i64>,
    /// When it was closed.
    pub closed_at: Option<i64>,
    /// Opened.
    pub created_at: i64,
    /// Last activity.
    pub updated_at: i64,
    /// The thread, oldest first.
    pub entries: Vec<DemoEntry>,
    /// The search index text (stems).
    pub search_doc: String,
    /// The stems of its head (number, subject, requester) for ranking.
    pub search_head: String,
}

/// A generated thread entry.
#[derive(Debug, Clone)]
pub struct DemoEntry {
    /// `message`, `reply` or `note`.
    pub kind: &'static str,
    /// Requester who wrote it.
    pub author_contact_id: Option<i64>,
    /// Agent who wrote it.
    pub author_agent_id: Option<i64>,
    /// Text.
    pub body: String,
    /// When.
    pub created_at: i64,
    /// Attachments.
    pub attachments: Vec<DemoFile>,
}

/// A generated attachment: (file name, content type, size, blob key).
pub type DemoFile = (String, &'static str, i64, String);

impl Handle<'_> {
    /// The next free ids of tickets, thread entries and attachments.
    pub async fn demo_next_ids(&mut self) -> Result<(i64, i64, i64)> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT (SELECT COALESCE(MAX(ticket_id), 0) + 1 FROM ticket),
                    (SELECT COALESCE(MAX(thread_entry_id), 0) + 1 FROM thread_entry),
                    (SELECT COALESCE(MAX(attachment_id), 0) + 1 FROM attachment)")
            .fetch_one(c).await?))
    }

    /// Adds contacts `person{from}@example.org` … (skipping existing ones); returns
    /// (number, contact id) of every `person…@example.org` contact.
    pub async fn demo_contacts(
        &mut self,
        people: &[(u64, String, &'static str)],
        now: i64,
    ) -> Result<Vec<(String, i64)>> {
        for chunk in people.chunks(300) {
            let emails: Vec<String> = chunk
                .iter()
                .map(|(n, _, _)| format!("person{n}@example.org"))
                .collect();
            let mut vals = Vec::with_capacity(chunk.len() * 6);
            for ((_, name, lang), email) in chunk.iter().zip(&emails) {
                vals.extend([
                    V::S(email),
                    V::S(email),
                    V::S(name),
                    V::S(lang),
                    V::I(now),
                    V::I(now),
                ]);
            }
            let sql = format!(
                "INSERT INTO contact (email, email_key, name, lang, created_at, updated_at)
                 VALUES {} ON CONFLICT (email_key) DO NOTHING",
                placeholders(chunk.len(), 6)
            );
            on!(self, c => bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), &vals)
                .execute(c).await?.rows_affected());
        }
        on!(self, c => Ok(sqlx::query_as(
            "SELECT email_key, contact_id FROM contact
             WHERE email_key LIKE 'person%@example.org'")
            .fetch_all(c).await?))
    }

    /// Writes generated tickets with their threads, attachments and index documents, the
    /// first taking the ids given (`demo_next_ids`).
    pub async fn insert_demo_tickets(
        &mut self,
        tickets: &[DemoTicket],
        mut ticket_id: i64,
        mut entry_id: i64,
        mut attachment_id: i64,
    ) -> Result<()> {
        let pg = matches!(self, Handle::Postgres(_));
        let overriding = if pg { "OVERRIDING SYSTEM VALUE" } else { "" };
        let first_ticket = ticket_id;
        // Narrow statements: sqlx looks each placeholder up by name, which costs the square of
        // their number per statement.
        for chunk in tickets.chunks(100) {
            let mut vals = Vec::with_capacity(chunk.len() * 20);
            let ids: Vec<i64> = (0..chunk.len() as i64).map(|i| ticket_id + i).collect();
            for (t, id) in chunk.iter().zip(&ids) {
                let last_message = t
                    .entries
                    .iter()
                    .filter(|e| e.kind == "message")
                    .map(|e| e.created_at)
                    .max()
                    .unwrap_or(t.created_at);
                let last_response = t
                    .entries
                    .iter()
                    .filter(|e| e.kind == "reply")
                    .map(|e| e.created_at)
                    .max();
                vals.extend([
                    V::I(*id),
                    V::S(&t.number),
                    V::S(&t.subject),
                    V::S(t.status),
                    V::S(t.priority.0),
                    V::I(t.priority.1),
                    V::S("portal"),
                    V::I(t.help_topic_id),
                    V::I(t.department_id),
                    V::I(t.requester_id),
                    V::O(t.assignee_agent_id),
                    V::O(t.assignee_team_id),
                    V::B(t.is_answered),
                    V::O(t.due_at),
                    V::O(t.overdue_alerted_at),
                    V::O(t.closed_at),
                    V::I(last_message),
                    V::O(last_response),
                    V::I(t.created_at),
                    V::I(t.updated_at),
                ]);
            }
            let sql = format!(
                "INSERT INTO ticket (ticket_id, number, subject, status, priority, priority_rank,
                    source, help_topic_id, department_id, requester_id, assignee_agent_id,
                    assignee_team_id, is_answered, due_at, overdue_alerted_at, closed_at,
                    last_message_at, last_response_at, created_at, updated_at) {overriding}
                 VALUES {}",
                placeholders(chunk.len(), 20)
            );
            on!(self, c => bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), &vals)
                .execute(c).await?.rows_affected());

            let mut entries: Vec<(i64, i64, &DemoEntry)> = Vec::new();
            // (attachment id, ticket id, entry id, file, when)
            let mut files: Vec<(i64, i64, i64, &DemoFile, i64)> = Vec::new();
            for (t, id) in chunk.iter().zip(&ids) {
                for e in &t.entries {
                    entries.push((entry_id, *id, e));
                    for a in &e.attachments {
                        files.push((attachment_id, *id, entry_id, a, e.created_at));
                        attachment_id += 1;
                    }
                    entry_id += 1;
                }
            }
            for part in entries.chunks(250) {
                let mut vals = Vec::with_capacity(part.len() * 8);
                for (eid, tid, e) in part {
                    vals.extend([
                        V::I(*eid),
                        V::I(*tid),
                        V::S(e.kind),
                        V::O(e.author_contact_id),
                        V::O(e.author_agent_id),
                        V::S(&e.body),
                        V::S("markdown"),
                        V::I(e.created_at),
                    ]);
                }
                let sql = format!(
                    "INSERT INTO thread_entry (thread_entry_id, ticket_id, kind, author_contact_id,
                        author_agent_id, body, body_format, created_at) {overriding} VALUES {}",
                    placeholders(part.len(), 8)
                );
                on!(self, c => bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), &vals)
                    .execute(c).await?.rows_affected());
            }
            for part in files.chunks(250) {
                let mut vals = Vec::with_capacity(part.len() * 8);
                for (aid, tid, eid, (name, ty, size, key), at) in part {
                    vals.extend([
                        V::I(*aid),
                        V::I(*tid),
                        V::I(*eid),
                        V::S(key),
                        V::S(name),
                        V::S(ty),
                        V::I(*size),
                        V::I(*at),
                    ]);
                }
                let sql = format!(
                    "INSERT INTO attachment (attachment_id, ticket_id, thread_entry_id, blob_key,
                        filename, content_type, size, created_at) {overriding} VALUES {}",
                    placeholders(part.len(), 8)
                );
                on!(self, c => bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), &vals)
                    .execute(c).await?.rows_affected());
            }
            // The index rows as a new ticket writes them (`search::index_rows`).
            let docs: Vec<(i64, &str)> = chunk
                .iter()
                .zip(&ids)
                .map(|(t, id)| (*id, t.search_doc.as_str()))
                .collect();
            let heads: Vec<(i64, &str)> = chunk
                .iter()
                .zip(&ids)
                .map(|(t, id)| (*id, t.search_head.as_str()))
                .collect();
            let mut s = Script::for_handle(self);
            crate::search::index_rows(&mut s, "ticket_search", &docs);
            crate::search::index_rows(&mut s, "ticket_search_head", &heads);
            s.execute(self).await?;
            ticket_id += chunk.len() as i64;
        }
        if pg && ticket_id > first_ticket {
            // Identity columns were given explicit values: move their sequences past them.
            on!(self, c => sqlx::query(
                "SELECT setval(pg_get_serial_sequence('ticket', 'ticket_id'), (SELECT MAX(ticket_id) FROM ticket)),
                        setval(pg_get_serial_sequence('thread_entry', 'thread_entry_id'), (SELECT MAX(thread_entry_id) FROM thread_entry)),
                        setval(pg_get_serial_sequence('attachment', 'attachment_id'), GREATEST((SELECT MAX(attachment_id) FROM attachment), 1))")
                .execute(c).await?.rows_affected());
        }
        Ok(())
    }
}
