//! Administration: changes to agents and the audit log that records them.

use tessera_domain::{Agent, AgentId};
use tessera_store::{AuditRow, Handle, NewAudit};

use crate::{CoreError, Result, Tessera, bootstrap::hash_password, token};

/// Who makes an administrative change.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    /// An operator at the command line.
    Cli,
    /// A signed-in agent.
    Agent(&'a Agent),
    /// Someone not signed in (a failed sign-in).
    Anonymous,
}

impl Actor<'_> {
    fn agent_id(&self) -> Option<AgentId> {
        match self {
            Actor::Cli | Actor::Anonymous => None,
            Actor::Agent(a) => Some(a.id),
        }
    }

    fn name(&self) -> &str {
        match self {
            Actor::Cli => "cli",
            Actor::Agent(a) => &a.username,
            Actor::Anonymous => "anonymous",
        }
    }

    fn require_admin(&self) -> Result<()> {
        match self {
            Actor::Cli => Ok(()),
            Actor::Agent(a) if a.is_admin => Ok(()),
            _ => Err(CoreError::Forbidden),
        }
    }
}

/// Writes one audit record.
pub(crate) async fn record(
    h: &mut Handle<'_>,
    actor: Actor<'_>,
    action: &str,
    target: &str,
    before: Option<&str>,
    after: Option<&str>,
    ip: Option<&str>,
) -> Result<()> {
    h.audit(&NewAudit {
        actor_agent: actor.agent_id(),
        actor: actor.name(),
        action,
        target,
        before,
        after,
        ip,
    })
    .await?;
    Ok(())
}

impl Tessera {
    /// Disables an agent: they cannot sign in, and every session of theirs ends at once.
    pub async fn disable_agent(&self, actor: Actor<'_>, username: &str) -> Result<()> {
        actor.require_admin()?;
        let mut tx = self.db().begin().await?;
        let id = tx
            .h()
            .agent_id_by_username(username.trim())
            .await?
            .ok_or(CoreError::NotFound)?;
        let was = tx.h().set_agent_active(id, false).await?;
        tx.h().delete_agent_sessions(id).await?;
        let before = if was { "active" } else { "disabled" };
        record(
            &mut tx.h(),
            actor,
            "agent-disable",
            username,
            Some(before),
            Some("disabled"),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives an agent a new one-time password (returned once) and ends their sessions.
    pub async fn reset_agent_password(&self, actor: Actor<'_>, username: &str) -> Result<String> {
        actor.require_admin()?;
        let password = token::random_hex(10);
        let hash = hash_password(password.clone()).await?;
        let mut tx = self.db().begin().await?;
        let id = tx
            .h()
            .agent_id_by_username(username.trim())
            .await?
            .ok_or(CoreError::NotFound)?;
        tx.h().set_agent_password(id, &hash, true).await?;
        tx.h().delete_agent_sessions(id).await?;
        record(
            &mut tx.h(),
            actor,
            "agent-reset-password",
            username,
            None,
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(password)
    }

    /// Records that an agent was created.
    pub async fn audit_agent_created(&self, actor: Actor<'_>, username: &str) -> Result<()> {
        let mut conn = self.db().conn().await?;
        record(
            &mut conn.h(),
            actor,
            "agent-create",
            username,
            None,
            Some(username),
            None,
        )
        .await
    }

    /// A page of the audit log for an administrator, newest first.
    pub async fn audit_log(
        &self,
        actor: Actor<'_>,
        action: Option<&str>,
        who: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditRow>> {
        actor.require_admin()?;
        let mut conn = self.db().conn().await?;
        Ok(conn.h().audit_page(action, who, before, limit).await?)
    }

    /// Every help topic: (id, German name, English name, department, public, active).
    pub async fn topics(&self) -> Result<Vec<(i64, String, String, String, bool, bool)>> {
        let mut conn = self.db().conn().await?;
        Ok(conn.h().all_topics().await?)
    }
}
