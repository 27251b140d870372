//! Agents, teams, departments and memberships.

use sqlx::FromRow;
use tessera_domain::{Agent, AgentId, DepartmentId, Lang, Role, TeamId, Timestamp};

use crate::{Handle, Result, db::on};

/// What sign-in needs to know about an account.
#[derive(Debug, Clone, FromRow)]
pub struct LoginRow {
    /// Key.
    pub agent_id: i64,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Disabled agents cannot sign in.
    pub is_active: bool,
}

#[derive(FromRow)]
struct AgentRow {
    agent_id: i64,
    username: String,
    email: String,
    display_name: String,
    is_admin: bool,
    is_active: bool,
    lang: String,
    must_change_password: bool,
    time_zone: Option<String>,
    signature: String,
    is_away: bool,
}

/// What an agent sets in their own profile, checked.
#[derive(Debug, Clone)]
pub struct ProfileRow<'a> {
    /// Name shown to others.
    pub display_name: &'a str,
    /// Address for alerts and sign-in.
    pub email: &'a str,
    /// Appended to public replies on request.
    pub signature: &'a str,
    /// `de` or `en`.
    pub lang: &'a str,
    /// IANA name; `None` for the installation's.
    pub time_zone: Option<&'a str>,
    /// Out of office.
    pub away: bool,
}

/// An agent as listed for assignment and alerts.
#[derive(Debug, Clone, FromRow)]
pub struct AgentBrief {
    /// Key.
    pub agent_id: i64,
    /// Name shown.
    pub display_name: String,
    /// Address for alerts.
    pub email: String,
    /// Language for alerts.
    pub lang: String,
}

impl Handle<'_> {
    /// The account for a user name or address (case-insensitive).
    pub async fn agent_login(&mut self, name: &str) -> Result<Option<LoginRow>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT agent_id, password_hash, is_active FROM agent
             WHERE lower(username) = lower($1) OR lower(email) = lower($1)
             ORDER BY agent_id LIMIT 1")
            .bind(name).fetch_optional(c).await?))
    }

    /// An active agent with memberships, or `None` if missing or disabled.
    pub async fn agent(&mut self, id: AgentId) -> Result<Option<Agent>> {
        Ok(self
            .agent_any(id)
            .await?
            .filter(|(_, active)| *active)
            .map(|(a, _)| a))
    }

    /// An agent with memberships and whether they are active.
    pub async fn agent_any(&mut self, id: AgentId) -> Result<Option<(Agent, bool)>> {
        let row: Option<AgentRow> = on!(self, c => sqlx::query_as(
            "SELECT agent_id, username, email, display_name, is_admin, is_active, lang,
                    must_change_password, time_zone, signature, is_away
             FROM agent WHERE agent_id = $1")
            .bind(id.0).fetch_optional(c).await?);
        let Some(row) = row else {
            return Ok(None);
        };
        let active = row.is_active;
        let departments: Vec<(i64, String)> = on!(self, c => sqlx::query_as(
            "SELECT department_id, role FROM agent_department WHERE agent_id = $1
             ORDER BY department_id")
            .bind(id.0).fetch_all(c).await?);
        let teams: Vec<i64> = on!(self, c => sqlx::query_scalar(
            "SELECT team_id FROM team_member WHERE agent_id = $1")
            .bind(id.0).fetch_all(c).await?);
        Ok(Some((
            Agent {
                id: AgentId(row.agent_id),
                username: row.username,
                email: row.email,
                display_name: row.display_name,
                is_admin: row.is_admin,
                lang: Lang::parse(&row.lang).unwrap_or(Lang::De),
                departments: departments
                    .into_iter()
                    .map(|(d, r)| (DepartmentId(d), Role::parse(&r).unwrap_or(Role::View)))
                    .collect(),
                teams: teams.into_iter().map(TeamId).collect(),
                must_change_password: row.must_change_password,
                // A zone a newer tz database dropped reads as the installation's.
                time_zone: row
                    .time_zone
                    .as_deref()
                    .and_then(tessera_domain::time::zone),
                signature: row.signature,
                away: row.is_away,
            },
            active,
        )))
    }

    /// Sets an agent's password hash.
    pub async fn set_agent_password(
        &mut self,
        id: AgentId,
        hash: &str,
        must_change: bool,
    ) -> Result<()> {
        let now = Timestamp::now().0;
        on!(self, c => sqlx::query(
            "UPDATE agent SET password_hash = $2, must_change_password = $3, updated_at = $4
             WHERE agent_id = $1")
            .bind(id.0).bind(hash).bind(must_change).bind(now).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Saves what an agent sets in their own profile.
    pub async fn update_agent_profile(&mut self, id: AgentId, p: &ProfileRow<'_>) -> Result<()> {
        let now = Timestamp::now().0;
        on!(self, c => sqlx::query(
            "UPDATE agent SET display_name = $2, email = $3, signature = $4, lang = $5,
                              time_zone = $6, is_away = $7, updated_at = $8
             WHERE agent_id = $1")
            .bind(id.0).bind(p.display_name).bind(p.email).bind(p.signature).bind(p.lang)
            .bind(p.time_zone).bind(p.away).bind(now).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Whether another agent has this address (in any letter case: sign-in takes either).
    pub async fn agent_email_taken(&mut self, email: &str, except: AgentId) -> Result<bool> {
        on!(self, c => Ok(sqlx::query_scalar::<_, i64>(
            "SELECT agent_id FROM agent WHERE lower(email) = lower($1) AND agent_id <> $2
             LIMIT 1")
            .bind(email).bind(except.0).fetch_optional(c).await?.is_some()))
    }

    /// The ids of the agents who are out of office (for the assign list).
    pub async fn away_agents(&mut self) -> Result<Vec<AgentId>> {
        on!(self, c => Ok(sqlx::query_scalar::<_, i64>(
            "SELECT agent_id FROM agent WHERE is_away AND is_active ORDER BY agent_id")
            .fetch_all(c).await?.into_iter().map(AgentId).collect()))
    }

    /// Records a successful sign-in.
    pub async fn agent_signed_in(&mut self, id: AgentId) -> Result<()> {
        let now = Timestamp::now().0;
        on!(self, c => sqlx::query("UPDATE agent SET last_login_at = $2 WHERE agent_id = $1")
            .bind(id.0).bind(now).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Puts an agent in a department with a role (or changes the role).
    pub async fn set_department_role(
        &mut self,
        agent: AgentId,
        d: DepartmentId,
        role: Role,
    ) -> Result<()> {
        let now = Timestamp::now().0;
        on!(self, c => sqlx::query(
            "INSERT INTO agent_department (agent_id, department_id, role, created_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (agent_id, department_id) DO UPDATE SET role = excluded.role")
            .bind(agent.0).bind(d.0).bind(role.as_str()).bind(now)
            .execute(c).await?.rows_affected());
        Ok(())
    }

    /// Adds a team.
    pub async fn insert_team(&mut self, name: &str) -> Result<TeamId> {
        let now = Timestamp::now().0;
        on!(self, c => Ok(TeamId(sqlx::query_scalar(
            "INSERT INTO team (name, created_at, updated_at) VALUES ($1, $2, $2)
             RETURNING team_id")
            .bind(name).bind(now).fetch_one(c).await?)))
    }

    /// Adds an agent to a team.
    pub async fn add_team_member(
        &mut self,
        team: TeamId,
        agent: AgentId,
        lead: bool,
    ) -> Result<()> {
        let now = Timestamp::now().0;
        on!(self, c => sqlx::query(
            "INSERT INTO team_member (team_id, agent_id, is_lead, created_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT (team_id, agent_id) DO NOTHING")
            .bind(team.0).bind(agent.0).bind(lead).bind(now).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Active agents, by name.
    pub async fn active_agents(&mut self) -> Result<Vec<AgentBrief>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT agent_id, display_name, email, lang FROM agent WHERE is_active
             ORDER BY display_name, agent_id")
            .fetch_all(c).await?))
    }

    /// The directory's generation, raised by every change to departments, teams, help
    /// topics, agents, memberships and canned responses (triggers of migration 0020).
    pub async fn directory_generation(&mut self) -> Result<i64> {
        on!(self, c => Ok(sqlx::query_scalar(
            "SELECT generation FROM directory_generation WHERE directory_generation_id = 1")
            .fetch_one(c).await?))
    }

    /// Every active canned response, by title.
    pub async fn active_canned(&mut self) -> Result<Vec<crate::CannedRow>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT canned_response_id, department_id, title, body, is_active FROM canned_response
             WHERE is_active ORDER BY title, canned_response_id")
            .fetch_all(c).await?))
    }

    /// Active teams: (id, name).
    pub async fn active_teams(&mut self) -> Result<Vec<(i64, String)>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT team_id, name FROM team WHERE is_active ORDER BY name, team_id")
            .fetch_all(c).await?))
    }

    /// Active departments: (id, name).
    pub async fn active_departments(&mut self) -> Result<Vec<(i64, String)>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT department_id, name FROM department WHERE is_active ORDER BY name, department_id")
            .fetch_all(c).await?))
    }

    /// Active help topics: (id, German name, English name).
    pub async fn active_topics(&mut self) -> Result<Vec<(i64, String, String)>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT help_topic_id, name_de, name_en FROM help_topic WHERE is_active
             ORDER BY sort_order, help_topic_id")
            .fetch_all(c).await?))
    }

    /// The active members of a team.
    pub async fn team_members(&mut self, team: TeamId) -> Result<Vec<AgentBrief>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT a.agent_id, a.display_name, a.email, a.lang
             FROM team_member m JOIN agent a ON a.agent_id = m.agent_id
             WHERE m.team_id = $1 AND a.is_active ORDER BY a.agent_id")
            .bind(team.0).fetch_all(c).await?))
    }

    /// Active members of a department who get new-ticket alerts (if the department sends
    /// them), or its managers only when `managers_only`. A member whose address is the
    /// department's own (a fresh installation's administrator until they give theirs) is
    /// left out: mail there reaches the helpdesk itself, not a person.
    pub async fn department_alert_recipients(
        &mut self,
        d: DepartmentId,
        managers_only: bool,
    ) -> Result<Vec<AgentBrief>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT a.agent_id, a.display_name, a.email, a.lang
             FROM agent_department m
             JOIN agent a ON a.agent_id = m.agent_id
             JOIN department d ON d.department_id = m.department_id
             WHERE m.department_id = $1 AND a.is_active AND m.role <> 'view'
               AND ($2 OR d.alert_new_ticket) AND (NOT $2 OR m.role = 'manager')
               AND lower(a.email) <> lower(d.email)
             ORDER BY a.agent_id")
            .bind(d.0).bind(managers_only).fetch_all(c).await?))
    }

    /// One agent's brief, active or not.
    pub async fn agent_brief(&mut self, id: AgentId) -> Result<AgentBrief> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT agent_id, display_name, email, lang FROM agent WHERE agent_id = $1")
            .bind(id.0).fetch_one(c).await?))
    }

    /// A team's name.
    pub async fn team_name(&mut self, id: TeamId) -> Result<String> {
        on!(self, c => Ok(sqlx::query_scalar("SELECT name FROM team WHERE team_id = $1")
            .bind(id.0).fetch_one(c).await?))
    }

    /// A department's name.
    pub async fn department_name(&mut self, id: DepartmentId) -> Result<String> {
        on!(self, c => Ok(sqlx::query_scalar("SELECT name FROM department WHERE department_id = $1")
            .bind(id.0).fetch_one(c).await?))
    }

    /// Turns new-ticket alerts of a department on or off.
    pub async fn set_department_alerts(&mut self, d: DepartmentId, on_new: bool) -> Result<()> {
        on!(self, c => sqlx::query("UPDATE department SET alert_new_ticket = $2 WHERE department_id = $1")
            .bind(d.0).bind(on_new).execute(c).await?.rows_affected());
        Ok(())
    }
}
