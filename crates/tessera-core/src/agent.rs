//! Agents signing in and out, and setting their passwords.

use tessera_domain::{Agent, AgentId, DepartmentId, Lang, Problem, Role, TeamId};

use crate::{
    Actor, CoreError, Result, Session, Tessera,
    admin::record,
    password::{hash_password, verify_password as verify, weakness},
};

/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 10;

/// Checks a password someone chooses: long enough and not easy to guess (common, leaked,
/// a pattern, or made of the person's own name or address). Adds the problem to `field`;
/// returns whether the password passed.
pub(crate) fn check_new_password(
    p: &mut Problem,
    field: &'static str,
    new: &str,
    personal: &[&str],
) -> bool {
    if new.chars().count() < MIN_PASSWORD {
        p.add(field, "error-password-short");
        false
    } else if let Some(key) = weakness(new, personal) {
        p.add(field, key);
        false
    } else {
        true
    }
}

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
            let mut tx = self.db().begin().await?;
            let target = name.trim().chars().take(100).collect::<String>();
            record(
                &mut tx.h(),
                Actor::Anonymous,
                "sign-in-failed",
                &target,
                None,
                None,
                Some(ip),
            )
            .await?;
            tx.commit().await?;
            return Err(CoreError::NotFound);
        };
        let agent = AgentId(row.agent_id);
        // The old session ends, the new one starts and both are audited together.
        let mut tx = self.db().begin().await?;
        if let Some(p) = previous {
            tx.h().delete_session(p.id).await?;
        }
        tx.h().agent_signed_in(agent).await?;
        if let Some(a) = tx.h().agent(agent).await? {
            let a = crate::SignedIn::new(a);
            record(
                &mut tx.h(),
                Actor::Agent(&a),
                "sign-in",
                &a.username,
                None,
                None,
                Some(ip),
            )
            .await?;
        }
        let started = self.insert_session(&mut tx.h(), Some(agent)).await?;
        tx.commit().await?;
        Ok(started)
    }

    /// Changes the signed-in agent's own password. Every other session of the agent ends
    /// (whoever may have learnt the old password is signed out; `current` — the session
    /// that made the change — stays) and pending set-password links are voided, all in the
    /// transaction that stores the new hash.
    pub async fn change_password(
        &self,
        agent: &Agent,
        current_session: Option<&Session>,
        current: &str,
        new: &str,
        repeat: &str,
    ) -> Result<()> {
        self.change_password_inner(agent, current_session, current, new, repeat, None)
            .await
    }

    /// `change_password`, and with `own_address` the agent's address too (the first
    /// sign-in's, `onboarding.rs`), checked and stored in the same transaction.
    pub(crate) async fn change_password_inner(
        &self,
        agent: &Agent,
        current_session: Option<&Session>,
        current: &str,
        new: &str,
        repeat: &str,
        own_address: Option<&str>,
    ) -> Result<()> {
        let mut p = Problem::default();
        let address = own_address.and_then(|a| self.check_own_address(&mut p, a));
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
        let personal = [
            agent.username.as_str(),
            agent.email.as_str(),
            agent.display_name.as_str(),
        ];
        if check_new_password(&mut p, "new", new, &personal) {
            if new == current {
                p.add("new", "error-password-same");
            } else if new != repeat {
                p.add("repeat", "error-password-mismatch");
            }
        }
        p.into_result()?;
        let hash = hash_password(new.to_owned()).await?;
        let mut tx = self.db().begin().await?;
        tx.h().set_agent_password(agent.id, &hash, false).await?;
        tx.h().set_invitation_pending(agent.id, false).await?;
        if let Some(address) = &address {
            self.store_own_address(&mut tx.h(), agent, address).await?;
        }
        match current_session {
            Some(s) => tx.h().delete_other_agent_sessions(agent.id, s.id).await?,
            None => tx.h().delete_agent_sessions(agent.id).await?,
        };
        tx.h().void_password_tokens(agent.id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates an agent with a password (the command line, the demo, tests); audited in
    /// the same transaction.
    pub async fn create_agent(&self, actor: Actor<'_>, a: NewAgent) -> Result<AgentId> {
        actor.require_admin()?;
        let hash = hash_password(a.password).await?;
        let mut tx = self.db().begin().await?;
        let id = tx
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
        tx.h()
            .set_agent_password(id, &hash, a.one_time_password)
            .await?;
        record(
            &mut tx.h(),
            actor,
            "agent-create",
            &a.username,
            None,
            Some(&a.username),
            None,
        )
        .await?;
        tx.commit().await?;
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

    /// Gives an agent a role in a department; audited in the same transaction.
    pub async fn set_department_role(
        &self,
        actor: Actor<'_>,
        agent: AgentId,
        d: DepartmentId,
        role: Role,
    ) -> Result<()> {
        actor.require_admin()?;
        let mut tx = self.db().begin().await?;
        let before = tx.h().department_role(agent, d).await?;
        tx.h().set_department_role(agent, d, role).await?;
        let action = match before {
            None => "department-member-add",
            Some(_) => "department-member-role",
        };
        let target = format!(
            "{}: {}",
            tx.h().department_name(d).await?,
            tx.h()
                .agent_any(agent)
                .await?
                .ok_or(CoreError::NotFound)?
                .0
                .username
        );
        record(
            &mut tx.h(),
            actor,
            action,
            &target,
            before.map(Role::as_str),
            Some(role.as_str()),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates a team with members (the first is the lead); audited in the same
    /// transaction.
    pub async fn create_team(
        &self,
        actor: Actor<'_>,
        name: &str,
        members: &[AgentId],
    ) -> Result<TeamId> {
        actor.require_admin()?;
        let mut tx = self.db().begin().await?;
        let id = tx.h().insert_team(name).await?;
        for (i, m) in members.iter().enumerate() {
            tx.h().add_team_member(id, *m, i == 0).await?;
        }
        let roster: Vec<String> = members.iter().map(|m| m.0.to_string()).collect();
        let after = format!("members={}", roster.join(","));
        record(
            &mut tx.h(),
            actor,
            "team-create",
            name,
            None,
            Some(&after),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Creates a department; audited in the same transaction.
    pub async fn create_department(
        &self,
        actor: Actor<'_>,
        name: &str,
        email: &str,
    ) -> Result<DepartmentId> {
        actor.require_admin()?;
        let mut tx = self.db().begin().await?;
        let id = tx.h().insert_department(name, email).await?;
        record(
            &mut tx.h(),
            actor,
            "department-create",
            name,
            None,
            Some(email),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Turns a department's new-ticket alerts on or off; audited in the same transaction.
    pub async fn set_department_alerts(
        &self,
        actor: Actor<'_>,
        d: DepartmentId,
        on: bool,
    ) -> Result<()> {
        actor.require_admin()?;
        let mut tx = self.db().begin().await?;
        tx.h().set_department_alerts(d, on).await?;
        let name = tx.h().department_name(d).await?;
        let state = |on: bool| if on { "alerts=on" } else { "alerts=off" };
        record(
            &mut tx.h(),
            actor,
            "department-update",
            &name,
            Some(state(!on)),
            Some(state(on)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
