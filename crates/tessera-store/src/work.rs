//! Changes agents make to tickets, read markers, presence and collaborators.

use sqlx::FromRow;
use tessera_domain::{
    AgentId, ContactId, DepartmentId, Lang, TeamId, TicketId, TicketStatus, Timestamp,
    model::{Contact, ThreadEntry},
};

use crate::{
    Handle, Result,
    db::on,
    rows::{Script, V},
};

/// A ticket due and not yet alerted as overdue.
#[derive(Debug, Clone, FromRow)]
pub struct OverdueRow {
    /// Key.
    pub ticket_id: i64,
}

/// Another ticket of the same requester.
#[derive(Debug, Clone, FromRow)]
pub struct OtherTicket {
    /// Key.
    pub ticket_id: i64,
    /// Public number.
    pub number: String,
    /// Subject.
    pub subject: String,
    /// Status.
    pub status: String,
    /// Department.
    pub department_id: i64,
    /// Assigned agent.
    pub assignee_agent_id: Option<i64>,
    /// Assigned team.
    pub assignee_team_id: Option<i64>,
}

/// A row of `view_state`: (order, viewer's name, seen, open) — the marks in the first row,
/// one viewer in each further row.
type ViewStateRow = (i64, Option<String>, Option<i64>, Option<i64>);

impl Handle<'_> {
    /// The newest entry written by anyone but `agent` (events excluded).
    pub async fn latest_entry_by_others(
        &mut self,
        ticket: TicketId,
        agent: AgentId,
    ) -> Result<i64> {
        on!(self, c => Ok(sqlx::query_scalar::<_, Option<i64>>(
            "SELECT MAX(thread_entry_id) FROM thread_entry
             WHERE ticket_id = $1 AND kind <> 'event'
               AND (author_agent_id IS NULL OR author_agent_id <> $2)")
            .bind(ticket.0).bind(agent.0).fetch_one(c).await?.unwrap_or(0)))
    }

    /// Sets (or clears) the assignment.
    pub async fn set_assignee(
        &mut self,
        t: TicketId,
        agent: Option<AgentId>,
        team: Option<TeamId>,
        now: Timestamp,
    ) -> Result<()> {
        on!(self, c => sqlx::query(
            "UPDATE ticket SET assignee_agent_id = $2, assignee_team_id = $3, updated_at = $4
             WHERE ticket_id = $1")
            .bind(t.0).bind(agent.map(|a| a.0)).bind(team.map(|x| x.0)).bind(now.0)
            .execute(c).await?.rows_affected());
        Ok(())
    }

    /// Moves a ticket to another department.
    pub async fn set_department(
        &mut self,
        t: TicketId,
        d: DepartmentId,
        now: Timestamp,
    ) -> Result<()> {
        on!(self, c => sqlx::query(
            "UPDATE ticket SET department_id = $2, updated_at = $3 WHERE ticket_id = $1")
            .bind(t.0).bind(d.0).bind(now.0).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Changes the status (closing stamps `closed_at`, reopening clears it).
    pub async fn set_status(&mut self, t: TicketId, s: TicketStatus, now: Timestamp) -> Result<()> {
        let closed = (s != TicketStatus::Open).then_some(now.0);
        on!(self, c => sqlx::query(
            "UPDATE ticket SET status = $2, closed_at = $3, updated_at = $4 WHERE ticket_id = $1")
            .bind(t.0).bind(s.as_str()).bind(closed).bind(now.0).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Changes the priority.
    pub async fn set_priority(
        &mut self,
        t: TicketId,
        p: tessera_domain::Priority,
        now: Timestamp,
    ) -> Result<()> {
        let rank = tessera_domain::queue::priority_rank(p);
        on!(self, c => sqlx::query(
            "UPDATE ticket SET priority = $2, priority_rank = $3, updated_at = $4 WHERE ticket_id = $1")
            .bind(t.0).bind(p.as_str()).bind(rank).bind(now.0).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Sets or clears the due date; a new date may alert again.
    pub async fn set_due(
        &mut self,
        t: TicketId,
        due: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<()> {
        on!(self, c => sqlx::query(
            "UPDATE ticket SET due_at = $2, overdue_alerted_at = NULL, updated_at = $3
             WHERE ticket_id = $1")
            .bind(t.0).bind(due.map(|d| d.0)).bind(now.0).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Records an agent's reply: answered, waiting for the requester.
    pub async fn mark_answered(&mut self, t: TicketId, now: Timestamp) -> Result<()> {
        on!(self, c => sqlx::query(
            "UPDATE ticket SET is_answered = TRUE, last_response_at = $2, updated_at = $2
             WHERE ticket_id = $1")
            .bind(t.0).bind(now.0).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Notes activity without other change.
    pub async fn touch_ticket(&mut self, t: TicketId, now: Timestamp) -> Result<()> {
        on!(self, c => sqlx::query("UPDATE ticket SET updated_at = $2 WHERE ticket_id = $1")
            .bind(t.0).bind(now.0).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Adds a collaborator; `false` if they already were one.
    pub async fn add_collaborator(&mut self, t: TicketId, contact: ContactId) -> Result<bool> {
        let now = Timestamp::now().0;
        on!(self, c => Ok(sqlx::query(
            "INSERT INTO ticket_collaborator (ticket_id, contact_id, created_at)
             VALUES ($1, $2, $3) ON CONFLICT (ticket_id, contact_id) DO NOTHING")
            .bind(t.0).bind(contact.0).bind(now).execute(c).await?.rows_affected() > 0))
    }

    /// Removes a collaborator; `false` if they were none.
    pub async fn remove_collaborator(&mut self, t: TicketId, contact: ContactId) -> Result<bool> {
        on!(self, c => Ok(sqlx::query(
            "DELETE FROM ticket_collaborator WHERE ticket_id = $1 AND contact_id = $2")
            .bind(t.0).bind(contact.0).execute(c).await?.rows_affected() > 0))
    }

    /// A ticket's collaborators.
    pub async fn collaborators(&mut self, t: TicketId) -> Result<Vec<Contact>> {
        let mut s = Script::for_handle(self);
        collaborators_statement(&mut s, t);
        Ok(contacts(s.fetch(self).await?.next()?))
    }

    /// Records that an agent has seen a ticket as it is now.
    pub async fn mark_seen(&mut self, agent: AgentId, t: TicketId, now: Timestamp) -> Result<()> {
        on!(self, c => sqlx::query(
            "INSERT INTO ticket_seen (agent_id, ticket_id, seen_at) VALUES ($1, $2, $3)
             ON CONFLICT (agent_id, ticket_id) DO UPDATE SET seen_at = excluded.seen_at")
            .bind(agent.0).bind(t.0).bind(now.0).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Records page views in bulk: each `(agent, ticket, at)` marks the ticket seen and
    /// open at `at`. A mark never moves a time back, so a view recorded late cannot undo
    /// a later one written meanwhile.
    pub async fn mark_views(&mut self, views: &[(AgentId, TicketId, Timestamp)]) -> Result<()> {
        // Narrow statements: sqlx looks each placeholder up by name.
        for chunk in views.chunks(64) {
            let mut s = Script::for_handle(self);
            // Both tables keyed the same way, one by (agent, ticket), one by (ticket, agent).
            for (table, key, time) in [
                ("ticket_seen", "agent_id, ticket_id", "seen_at"),
                ("ticket_viewer", "ticket_id, agent_id", "last_seen_at"),
            ] {
                let agent_first = table == "ticket_seen";
                let rows: Vec<String> = chunk
                    .iter()
                    .map(|(a, t, at)| {
                        let (x, y) = if agent_first { (a.0, t.0) } else { (t.0, a.0) };
                        s.row([V::I(x), V::I(y), V::I(at.0)])
                    })
                    .collect();
                s.statement(&format!(
                    "INSERT INTO {table} ({key}, {time}) VALUES {}
                     ON CONFLICT ({key}) DO UPDATE SET {time} = excluded.{time}
                     WHERE excluded.{time} > {table}.{time}",
                    rows.join(", ")
                ));
            }
            s.execute(self).await?;
        }
        Ok(())
    }

    /// Records that an agent has a ticket open; returns the names of the others who had it
    /// open since `since`.
    pub async fn viewing(
        &mut self,
        agent: AgentId,
        t: TicketId,
        now: Timestamp,
        since: Timestamp,
    ) -> Result<Vec<String>> {
        on!(self, c => sqlx::query(
            "INSERT INTO ticket_viewer (ticket_id, agent_id, last_seen_at) VALUES ($1, $2, $3)
             ON CONFLICT (ticket_id, agent_id) DO UPDATE SET last_seen_at = excluded.last_seen_at")
            .bind(t.0).bind(agent.0).bind(now.0).execute(&mut *c).await?.rows_affected());
        self.viewers(agent, t, since).await
    }

    /// The names of the other agents who had a ticket open since `since`.
    pub async fn viewers(
        &mut self,
        agent: AgentId,
        t: TicketId,
        since: Timestamp,
    ) -> Result<Vec<String>> {
        on!(self, c => Ok(sqlx::query_scalar(
            "SELECT a.display_name FROM ticket_viewer v JOIN agent a ON a.agent_id = v.agent_id
             WHERE v.ticket_id = $1 AND v.agent_id <> $2 AND v.last_seen_at >= $3
             ORDER BY a.display_name")
            .bind(t.0).bind(agent.0).bind(since.0).fetch_all(c).await?))
    }

    /// What the agent's ticket page shows besides the ticket, read in one go (one
    /// execution on SQLite): its whole thread (each text cut to `shown` characters, if
    /// given), attachments, collaborators, the requester's
    /// other tickets and the answers to its fields; with `view` — the agent and since when
    /// others count as having it open — also `view_state`'s marks and viewers.
    pub async fn ticket_page(
        &mut self,
        ticket: &tessera_domain::model::Ticket,
        view: Option<(AgentId, Timestamp)>,
        shown: Option<usize>,
    ) -> Result<TicketPage> {
        let mut s = Script::for_handle(self);
        crate::records::thread_statement(&mut s, ticket.id, true, shown);
        crate::records::attachments_statement(&mut s, ticket.id);
        collaborators_statement(&mut s, ticket.id);
        requester_tickets_statement(&mut s, ticket.requester.id, ticket.id);
        crate::fields::field_values_statement(&mut s, ticket.id);
        if let Some((agent, since)) = view {
            view_state_statement(&mut s, agent, ticket.id, since);
        }
        let mut r = s.fetch(self).await?;
        let thread = crate::records::thread_entries(r.next()?, shown);
        let attachments: Vec<crate::records::AttachmentRow> = r.next()?;
        Ok(TicketPage {
            thread,
            attachments: attachments.into_iter().map(Into::into).collect(),
            collaborators: contacts(r.next()?),
            others: r.next()?,
            fields: crate::fields::field_values(r.next()?),
            view: match view {
                Some(_) => Some(view_state(r.next()?)),
                None => None,
            },
        })
    }

    /// Open tickets past their due date that have not been alerted yet.
    pub async fn overdue_unalerted(&mut self, now: Timestamp) -> Result<Vec<i64>> {
        on!(self, c => Ok(sqlx::query_scalar(
            "SELECT ticket_id FROM ticket
             WHERE status = 'open' AND due_at < $1 AND overdue_alerted_at IS NULL
             ORDER BY due_at LIMIT 100")
            .bind(now.0).fetch_all(c).await?))
    }

    /// Marks an overdue alert as sent; `false` if another node got there first.
    pub async fn mark_overdue_alerted(&mut self, t: TicketId, now: Timestamp) -> Result<bool> {
        on!(self, c => Ok(sqlx::query(
            "UPDATE ticket SET overdue_alerted_at = $2 WHERE ticket_id = $1 AND overdue_alerted_at IS NULL")
            .bind(t.0).bind(now.0).execute(c).await?.rows_affected() > 0))
    }
}

/// When the agent last saw a ticket and last had it open, and who else had it open since.
pub type ViewState = (Option<i64>, Option<i64>, Vec<String>);

/// What `Handle::ticket_page` reads.
#[derive(Debug, Clone)]
pub struct TicketPage {
    /// The whole thread, oldest first.
    pub thread: Vec<ThreadEntry>,
    /// Attachments, in the order of their entries.
    pub attachments: Vec<tessera_domain::model::Attachment>,
    /// Collaborators.
    pub collaborators: Vec<Contact>,
    /// The requester's other tickets, newest first.
    pub others: Vec<OtherTicket>,
    /// Answers to the ticket's fields.
    pub fields: Vec<tessera_domain::FieldValue>,
    /// `view_state`, when asked for.
    pub view: Option<ViewState>,
}

fn collaborators_statement(s: &mut Script<'_>, t: TicketId) {
    let t = s.v(V::I(t.0));
    s.statement(&format!(
        "SELECT c.contact_id, c.email, c.name, c.lang
         FROM ticket_collaborator tc JOIN contact c ON c.contact_id = tc.contact_id
         WHERE tc.ticket_id = {t} ORDER BY tc.created_at, c.contact_id"
    ));
}

fn contacts(rows: Vec<(i64, String, String, String)>) -> Vec<Contact> {
    rows.into_iter()
        .map(|(id, email, name, lang)| Contact {
            id: ContactId(id),
            email,
            name,
            lang: Lang::parse(&lang).unwrap_or(Lang::De),
        })
        .collect()
}

fn requester_tickets_statement(s: &mut Script<'_>, requester: ContactId, except: TicketId) {
    let (r, e) = (s.v(V::I(requester.0)), s.v(V::I(except.0)));
    s.statement(&format!(
        "SELECT ticket_id, number, subject, status, department_id, assignee_agent_id,
                assignee_team_id
         FROM ticket WHERE requester_id = {r} AND ticket_id <> {e}
         ORDER BY created_at DESC LIMIT 20"
    ));
}

fn view_state_statement(s: &mut Script<'_>, agent: AgentId, t: TicketId, since: Timestamp) {
    let (a, t, since) = (s.v(V::I(agent.0)), s.v(V::I(t.0)), s.v(V::I(since.0)));
    // The first row carries the marks, every further row one viewer.
    s.statement(&format!(
        "SELECT CAST(0 AS BIGINT) AS k, CAST(NULL AS TEXT) AS display_name,
                (SELECT seen_at FROM ticket_seen WHERE agent_id = {a} AND ticket_id = {t})
                  AS seen_at,
                (SELECT last_seen_at FROM ticket_viewer WHERE ticket_id = {t} AND agent_id = {a})
                  AS open_at
         UNION ALL
         SELECT CAST(1 AS BIGINT), a.display_name, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT)
         FROM ticket_viewer v JOIN agent a ON a.agent_id = v.agent_id
         WHERE v.ticket_id = {t} AND v.agent_id <> {a} AND v.last_seen_at >= {since}
         ORDER BY k, display_name"
    ));
}

fn view_state(rows: Vec<ViewStateRow>) -> ViewState {
    let (seen, open) = rows
        .first()
        .map(|(_, _, s, o)| (*s, *o))
        .unwrap_or_default();
    let viewers = rows
        .into_iter()
        .filter_map(|(_, name, _, _)| name)
        .collect();
    (seen, open, viewers)
}
