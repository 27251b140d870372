//! Agents signing in and out, and setting their passwords.

use tessera_domain::{Agent, AgentId, DepartmentId, Lang, Problem, Role, TeamId};

use crate::{
    Actor, CoreError, Result, Session, Tessera,
    password::{hash_password, verify_password as verify},
};

/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 10;

/// What a new agent needs.
#[derive(Debug, Clone)]
pub struct NewAgent {
    /// Sign-in name.
    pub username: String,
    /// Address.
    pub email: String,
    /// Shown name.
    pub display_name: String,
    /// Initial password.
    pub password: String,
    /// Administrator.
    pub is_admin: bool,
    /// Language.
    pub lang: Lang,
    /// Whether the password is a one-time password to be replaced at first sign-in.
    pub one_time_password: bool,
}

impl Tessera {
    /// Checks credentials; on success starts a fresh agent session (a new id, so a session
    /// fixed before sign-in is worthless) and ends `previous`.
    pub async fn sign_in(
        &self,
        name: &str,
        password: &str,
        previous: Option<&Session>,
        ip: &str,
    ) -> Result<(Session, String)> {
        let mut conn = self.db().conn().await?;
        let row = conn.h().agent_login(name.trim()).await?;
        drop(conn);
        // An unknown name is checked against a hash of a random password, so that it costs
        // as much as a real check and timing does not reveal which names exist.
        let hash = match &row {
            Some(r) => r.password_hash.clone(),
            None => self
                .inner
                .dummy_hash
                .get_or_init(|| async {
                    hash_password(crate::token::random_hex(16))
                        .await
                        .unwrap_or_default()
                })
                .await
                .clone(),
        };
        let ok = verify(password.to_owned(), hash).await;
        let Some(row) = row.filter(|r| ok && r.is_active) else {
            let mut conn = self.db().conn().await?;
            let target = name.trim().chars().take(100).collect::<String>();
            crate::admin::record(
                &mut conn.h(),
                Actor::Anonymous,
                "sign-in-failed",
                &target,
                None,
                None,
                Some(ip),
            )
            .await?;
            return Err(CoreError::NotFound);
        };
        if let Some(p) = previous {
            self.end_session(p).await?;
        }
        let agent = AgentId(row.agent_id);
        let mut conn = self.db().conn().await?;
        conn.h().agent_signed_in(agent).await?;
        if let Some(a) = conn.h().agent(agent).await? {
            crate::admin::record(
                &mut conn.h(),
                Actor::Agent(&a),
                "sign-in",
                &a.username,
                None,
                None,
                Some(ip),
            )
            .await?;
        }
        drop(conn);
        self.start_session(Some(agent)).await
    }

    /// Changes the signed-in agent's own password.
    pub async fn change_password(
        &self,
        agent: &Agent,
        current: &str,
        new: &str,
        repeat: &str,
    ) -> Result<()> {
        let mut p = Problem::default();
        let mut conn = self.db().conn().await?;
        let row = conn
            .h()
            .agent_login(&agent.username)
            .await?
            .ok_or(CoreError::NotFound)?;
        drop(conn);
        if !verify(current.to_owned(), row.password_hash).await {
            p.add("current", "error-password-wrong");
        }
        if new.chars().count() < MIN_PASSWORD {
            p.add("new", "error-password-short");
        } else if new == current {
            p.add("new", "error-password-same");
        } else if new != repeat {
            p.add("repeat", "error-password-mismatch");
        }
        p.into_result()?;
        let hash = hash_password(new.to_owned()).await?;
        let mut conn = self.db().conn().await?;
        conn.h().set_agent_password(agent.id, &hash, false).await?;
        Ok(())
    }

    /// Creates an agent (for administration and tests).
    pub async fn create_agent(&self, a: NewAgent) -> Result<AgentId> {
        let hash = hash_password(a.password).await?;
        let mut conn = self.db().conn().await?;
        let id = conn
            .h()
            .insert_agent(
                &a.username,
                &a.email,
                &a.display_name,
                &hash,
                a.is_admin,
                a.lang,
            )
            .await?;
        conn.h()
            .set_agent_password(id, &hash, a.one_time_password)
            .await?;
        Ok(id)
    }

    /// Finds a department by name (case-insensitive).
    pub async fn department_by_name(&self, name: &str) -> Result<Option<DepartmentId>> {
        let mut conn = self.db().conn().await?;
        Ok(conn
            .h()
            .active_departments()
            .await?
            .into_iter()
            .find(|(_, n)| n.to_lowercase() == name.trim().to_lowercase())
            .map(|(id, _)| DepartmentId(id)))
    }

    /// Gives an agent a role in a department.
    pub async fn set_department_role(
        &self,
        agent: AgentId,
        d: DepartmentId,
        role: Role,
    ) -> Result<()> {
        let mut conn = self.db().conn().await?;
        Ok(conn.h().set_department_role(agent, d, role).await?)
    }

    /// Creates a team with members (the first is the lead).
    pub async fn create_team(&self, name: &str, members: &[AgentId]) -> Result<TeamId> {
        let mut tx = self.db().begin().await?;
        let id = tx.h().insert_team(name).await?;
        for (i, m) in members.iter().enumerate() {
            tx.h().add_team_member(id, *m, i == 0).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Creates a department.
    pub async fn create_department(&self, name: &str, email: &str) -> Result<DepartmentId> {
        let mut conn = self.db().conn().await?;
        Ok(conn.h().insert_department(name, email).await?)
    }

    /// Turns a department's new-ticket alerts on or off.
    pub async fn set_department_alerts(&self, d: DepartmentId, on: bool) -> Result<()> {
        let mut conn = self.db().conn().await?;
        Ok(conn.h().set_department_alerts(d, on).await?)
    }
}
