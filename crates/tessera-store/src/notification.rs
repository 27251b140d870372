//! The agents' notification centre: notifications (written in the transaction of the change
//! that causes them) and each agent's choice of channel per kind of event.

use sqlx::FromRow;

use crate::{Handle, Result, db::on};
use tessera_domain::{AgentId, TicketId, Timestamp};

/// A notification as a page lists it, with its ticket's number and subject.
#[derive(Debug, Clone, FromRow)]
pub struct NotificationRow {
    /// Key (also the keyset cursor: pages go newest first).
    pub notification_id: i64,
    /// The ticket's public number.
    pub number: String,
    /// The ticket's subject.
    pub subject: String,
    /// What happened (`assigned`, `team`, `message`, `mention`, `new`).
    pub kind: String,
    /// Who caused it (a name as shown).
    pub actor: String,
    /// When.
    pub created_at: i64,
    /// When the agent marked it read; `None`: unread.
    pub read_at: Option<i64>,
    /// The ticket's department now (whether the agent may still see it is core's to say).
    pub department_id: i64,
    /// The ticket's assigned agent now.
    pub assignee_agent_id: Option<i64>,
    /// The ticket's assigned team now.
    pub assignee_team_id: Option<i64>,
}

/// `$first, $first+1, …` for `n` values, for an `IN (…)` list.
fn list(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Handle<'_> {
    /// Writes one notification of `kind` on `ticket` for each of `agents`.
    pub async fn insert_notifications(
        &mut self,
        agents: &[AgentId],
        ticket: TicketId,
        kind: &str,
        actor: &str,
        now: Timestamp,
    ) -> Result<()> {
        for a in agents {
            on!(self, c => sqlx::query(
                "INSERT INTO notification (agent_id, ticket_id, kind, actor, created_at)
                 VALUES ($1, $2, $3, $4, $5)")
                .bind(a.0).bind(ticket.0).bind(kind).bind(actor).bind(now.0)
                .execute(&mut *c).await?.rows_affected());
        }
        Ok(())
    }

    /// The stored choices of `agents` for `kinds`, as (agent, kind, channel): one statement
    /// for any number of agents and kinds.
    pub async fn notification_choices_of(
        &mut self,
        agents: &[AgentId],
        kinds: &[&str],
    ) -> Result<Vec<(i64, String, String)>> {
        if agents.is_empty() || kinds.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT agent_id, kind, channel FROM notification_choice
             WHERE kind IN ({}) AND agent_id IN ({})",
            list(1, kinds.len()),
            list(kinds.len() + 1, agents.len())
        );
        on!(self, c => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for k in kinds {
                q = q.bind(*k);
            }
            for a in agents {
                q = q.bind(a.0);
            }
            Ok(q.fetch_all(c).await?)
        })
    }

    /// Every stored choice of one agent, as (kind, channel).
    pub async fn notification_choices(&mut self, agent: AgentId) -> Result<Vec<(String, String)>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT kind, channel FROM notification_choice WHERE agent_id = $1 ORDER BY kind")
            .bind(agent.0).fetch_all(c).await?))
    }

    /// Stores an agent's choices, replacing earlier ones.
    pub async fn put_notification_choices(
        &mut self,
        agent: AgentId,
        choices: &[(&str, &str)],
        now: Timestamp,
    ) -> Result<()> {
        for (kind, channel) in choices {
            on!(self, c => sqlx::query(
                "INSERT INTO notification_choice (agent_id, kind, channel, updated_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (agent_id, kind) DO UPDATE SET channel = excluded.channel,
                     updated_at = excluded.updated_at")
                .bind(agent.0).bind(*kind).bind(*channel).bind(now.0)
                .execute(&mut *c).await?.rows_affected());
        }
        Ok(())
    }

    /// A page of an agent's notifications, newest first, older than `before` if given.
    pub async fn notifications(
        &mut self,
        agent: AgentId,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<NotificationRow>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT n.notification_id, t.number, t.subject, n.kind, n.actor, n.created_at,
                    n.read_at, t.department_id, t.assignee_agent_id, t.assignee_team_id
             FROM notification n JOIN ticket t ON t.ticket_id = n.ticket_id
             WHERE n.agent_id = $1 AND ($2 IS NULL OR n.notification_id < $2)
             ORDER BY n.notification_id DESC LIMIT $3")
            .bind(agent.0).bind(before).bind(limit).fetch_all(c).await?))
    }

    /// How many of an agent's notifications are unread.
    pub async fn unread_notifications(&mut self, agent: AgentId) -> Result<i64> {
        on!(self, c => Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM notification WHERE agent_id = $1 AND read_at IS NULL")
            .bind(agent.0).fetch_one(c).await?))
    }

    /// Marks one of an agent's notifications read (`Some`), or all of them (`None`); returns
    /// how many changed.
    pub async fn mark_notifications_read(
        &mut self,
        agent: AgentId,
        one: Option<i64>,
        now: Timestamp,
    ) -> Result<u64> {
        Ok(on!(self, c => sqlx::query(
            "UPDATE notification SET read_at = $3
             WHERE agent_id = $1 AND read_at IS NULL
               AND ($2 IS NULL OR notification_id = $2)")
            .bind(agent.0).bind(one).bind(now.0)
            .execute(&mut *c).await?.rows_affected()))
    }

    /// Agents by sign-in name (case-insensitive), active ones only: who an `@name` means.
    pub async fn agents_named(&mut self, names: &[String]) -> Result<Vec<i64>> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT agent_id FROM agent WHERE is_active AND lower(username) IN ({})",
            list(1, names.len())
        );
        on!(self, c => {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
            for n in names {
                q = q.bind(n.to_lowercase());
            }
            Ok(q.fetch_all(c).await?)
        })
    }
}
