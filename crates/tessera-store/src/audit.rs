//! The audit log, and the few administrative writes that go with it.

use sqlx::FromRow;
use tessera_domain::{AgentId, Timestamp};

use crate::{Handle, Result, db::on};

/// One audit record to write.
#[derive(Debug, Clone)]
pub struct NewAudit<'a> {
    /// The agent who acted, if one did.
    pub actor_agent: Option<AgentId>,
    /// Who acted, for people: a user name, or `cli`.
    pub actor: &'a str,
    /// What happened (`sign-in`, `sign-in-failed`, `agent-disable`, …).
    pub action: &'a str,
    /// What it happened to.
    pub target: &'a str,
    /// The value before, if it changed.
    pub before: Option<&'a str>,
    /// The value after, if it changed.
    pub after: Option<&'a str>,
    /// The client address, for requests.
    pub ip: Option<&'a str>,
}

/// A stored audit record.
#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    /// Key.
    pub audit_log_id: i64,
    /// Who.
    pub actor: String,
    /// The acting agent's name as it is now, if an agent acted.
    pub actor_name: Option<String>,
    /// What.
    pub action: String,
    /// To what.
    pub target: String,
    /// Before.
    pub before_value: Option<String>,
    /// After.
    pub after_value: Option<String>,
    /// From where.
    pub ip: Option<String>,
    /// When.
    pub created_at: i64,
}

impl Handle<'_> {
    /// Writes an audit record.
    pub async fn audit(&mut self, a: &NewAudit<'_>) -> Result<()> {
        let now = Timestamp::now().0;
        on!(self, c => sqlx::query(
            "INSERT INTO audit_log (actor_agent_id, actor, action, target, before_value,
                                    after_value, ip, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(a.actor_agent.map(|x| x.0)).bind(a.actor).bind(a.action).bind(a.target)
            .bind(a.before).bind(a.after).bind(a.ip).bind(now)
            .execute(c).await?.rows_affected());
        Ok(())
    }

    /// Audit records, newest first, optionally of one action and/or one actor, before a key.
    pub async fn audit_page(
        &mut self,
        action: Option<&str>,
        actor: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditRow>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT l.audit_log_id, l.actor, a.display_name AS actor_name, l.action, l.target,
                    l.before_value, l.after_value, l.ip, l.created_at
             FROM audit_log l LEFT JOIN agent a ON a.agent_id = l.actor_agent_id
             WHERE ($1 IS NULL OR l.action = $1) AND ($2 IS NULL OR l.actor = $2)
               AND ($3 IS NULL OR l.audit_log_id < $3)
             ORDER BY l.audit_log_id DESC LIMIT $4")
            .bind(action).bind(actor).bind(before).bind(limit).fetch_all(c).await?))
    }

    /// An agent's id by user name (case-insensitive), active or not.
    pub async fn agent_id_by_username(&mut self, username: &str) -> Result<Option<AgentId>> {
        on!(self, c => Ok(sqlx::query_scalar::<_, i64>(
            "SELECT agent_id FROM agent WHERE lower(username) = lower($1)")
            .bind(username).fetch_optional(c).await?.map(AgentId)))
    }

    /// Turns an agent on or off; returns the previous state.
    pub async fn set_agent_active(&mut self, id: AgentId, active: bool) -> Result<bool> {
        let before: bool = on!(self, c => sqlx::query_scalar(
            "SELECT is_active FROM agent WHERE agent_id = $1").bind(id.0).fetch_one(c).await?);
        let now = Timestamp::now().0;
        on!(self, c => sqlx::query(
            "UPDATE agent SET is_active = $2, updated_at = $3 WHERE agent_id = $1")
            .bind(id.0).bind(active).bind(now).execute(c).await?.rows_affected());
        Ok(before)
    }

    /// Ends every session of an agent; returns how many.
    pub async fn delete_agent_sessions(&mut self, id: AgentId) -> Result<u64> {
        on!(self, c => Ok(sqlx::query("DELETE FROM session WHERE agent_id = $1")
            .bind(id.0).execute(c).await?.rows_affected()))
    }

    /// Ends every session of an agent but one (the one that changed the password).
    pub async fn delete_other_agent_sessions(&mut self, id: AgentId, keep: i64) -> Result<u64> {
        on!(self, c => Ok(sqlx::query(
            "DELETE FROM session WHERE agent_id = $1 AND session_id <> $2")
            .bind(id.0).bind(keep).execute(c).await?.rows_affected()))
    }

    /// Voids an agent's unused set-password links (after the password changed otherwise).
    pub async fn void_password_tokens(&mut self, id: AgentId) -> Result<u64> {
        let now = Timestamp::now().0;
        on!(self, c => Ok(sqlx::query(
            "UPDATE password_token SET used_at = $2 WHERE agent_id = $1 AND used_at IS NULL")
            .bind(id.0).bind(now).execute(c).await?.rows_affected()))
    }

    /// Stores a set-password link (replacing the agent's unused ones).
    pub async fn insert_password_token(
        &mut self,
        agent: AgentId,
        selector: &str,
        verifier_hash: &str,
        expires_at: Timestamp,
    ) -> Result<()> {
        let now = Timestamp::now().0;
        on!(self, c => sqlx::query(
            "UPDATE password_token SET used_at = $2 WHERE agent_id = $1 AND used_at IS NULL")
            .bind(agent.0).bind(now).execute(&mut *c).await?.rows_affected());
        on!(self, c => sqlx::query(
            "INSERT INTO password_token (agent_id, selector, verifier_hash, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5)")
            .bind(agent.0).bind(selector).bind(verifier_hash).bind(expires_at.0).bind(now)
            .execute(c).await?.rows_affected());
        Ok(())
    }

    /// A set-password link that is unused and not expired: (token id, agent, verifier hash).
    pub async fn password_token(
        &mut self,
        selector: &str,
        now: Timestamp,
    ) -> Result<Option<(i64, AgentId, String)>> {
        let row: Option<(i64, i64, String)> = on!(self, c => sqlx::query_as(
            "SELECT password_token_id, agent_id, verifier_hash FROM password_token
             WHERE selector = $1 AND used_at IS NULL AND expires_at > $2")
            .bind(selector).bind(now.0).fetch_optional(c).await?);
        Ok(row.map(|(id, a, h)| (id, AgentId(a), h)))
    }

    /// Marks a set-password link used.
    pub async fn use_password_token(&mut self, id: i64) -> Result<()> {
        let now = Timestamp::now().0;
        on!(self, c => sqlx::query("UPDATE password_token SET used_at = $2 WHERE password_token_id = $1")
            .bind(id).bind(now).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Every agent for the administration list: (id, user name, name, email, admin, active).
    pub async fn all_agents(&mut self) -> Result<Vec<(i64, String, String, String, bool, bool)>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT agent_id, username, display_name, email, is_admin, is_active FROM agent
             ORDER BY is_active DESC, display_name, agent_id")
            .fetch_all(c).await?))
    }

    /// Changes an agent's profile.
    pub async fn update_agent(
        &mut self,
        id: AgentId,
        display_name: &str,
        email: &str,
        is_admin: bool,
        lang: &str,
    ) -> Result<()> {
        let now = Timestamp::now().0;
        on!(self, c => sqlx::query(
            "UPDATE agent SET display_name = $2, email = $3, is_admin = $4, lang = $5, updated_at = $6
             WHERE agent_id = $1")
            .bind(id.0).bind(display_name).bind(email).bind(is_admin).bind(lang).bind(now)
            .execute(c).await?.rows_affected());
        Ok(())
    }

    /// Every help topic: (id, German name, English name, department name, public, active).
    pub async fn all_topics(&mut self) -> Result<Vec<(i64, String, String, String, bool, bool)>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT h.help_topic_id, h.name_de, h.name_en, d.name, h.is_public, h.is_active
             FROM help_topic h JOIN department d ON d.department_id = h.department_id
             ORDER BY h.sort_order, h.help_topic_id")
            .fetch_all(c).await?))
    }
}

/// A department as administrators see it.
#[derive(Debug, Clone, FromRow)]
pub struct DepartmentRow {
    /// Key.
    pub department_id: i64,
    /// Name.
    pub name: String,
    /// Address.
    pub email: String,
    /// New-ticket alerts to members.
    pub alert_new_ticket: bool,
    /// Offered for tickets.
    pub is_active: bool,
}

/// A help topic as administrators see it.
#[derive(Debug, Clone, FromRow)]
pub struct TopicRow {
    /// Key.
    pub help_topic_id: i64,
    /// German name.
    pub name_de: String,
    /// English name.
    pub name_en: String,
    /// Owning department.
    pub department_id: i64,
    /// On the public portal.
    pub is_public: bool,
    /// Offered at all.
    pub is_active: bool,
    /// Position in lists.
    pub sort_order: i64,
    /// Service level of its tickets.
    pub sla_plan_id: Option<i64>,
    /// Priority of its new tickets.
    pub default_priority: String,
    /// Agent its new tickets are assigned to.
    pub auto_agent_id: Option<i64>,
    /// Team its new tickets are assigned to.
    pub auto_team_id: Option<i64>,
}

/// A service level plan.
#[derive(Debug, Clone, FromRow)]
pub struct SlaRow {
    /// Key.
    pub sla_plan_id: i64,
    /// Name.
    pub name: String,
    /// Working time a ticket may take.
    pub grace_seconds: i64,
    /// Business hours (`Mon-Fri 08:00-17:00`), empty for around the clock.
    pub schedule: String,
    /// Holidays, `YYYY-MM-DD` separated by commas.
    pub holidays: String,
    /// Offered for topics.
    pub is_active: bool,
    /// IANA time zone the business hours and holidays are local to.
    pub timezone: String,
}

impl Handle<'_> {
    /// Every department, active ones first.
    pub async fn all_departments(&mut self) -> Result<Vec<DepartmentRow>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT department_id, name, email, alert_new_ticket, is_active FROM department
             ORDER BY is_active DESC, name, department_id")
            .fetch_all(c).await?))
    }

    /// Changes a department.
    pub async fn update_department(&mut self, d: &DepartmentRow) -> Result<()> {
        let now = Timestamp::now().0;
        on!(self, c => sqlx::query(
            "UPDATE department SET name = $2, email = $3, alert_new_ticket = $4, is_active = $5,
                    updated_at = $6 WHERE department_id = $1")
            .bind(d.department_id).bind(&d.name).bind(&d.email).bind(d.alert_new_ticket)
            .bind(d.is_active).bind(now).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Every team: (id, name, active).
    pub async fn all_teams(&mut self) -> Result<Vec<(i64, String, bool)>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT team_id, name, is_active FROM team ORDER BY is_active DESC, name, team_id")
            .fetch_all(c).await?))
    }

    /// Changes a team's name and state.
    pub async fn update_team(&mut self, id: i64, name: &str, active: bool) -> Result<()> {
        let now = Timestamp::now().0;
        on!(self, c => sqlx::query("UPDATE team SET name = $2, is_active = $3, updated_at = $4 WHERE team_id = $1")
            .bind(id).bind(name).bind(active).bind(now).execute(c).await?.rows_affected());
        Ok(())
    }

    /// A team's members: (agent id, lead).
    pub async fn team_roster(&mut self, id: i64) -> Result<Vec<(i64, bool)>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT agent_id, is_lead FROM team_member WHERE team_id = $1 ORDER BY agent_id")
            .bind(id).fetch_all(c).await?))
    }

    /// Replaces a team's members.
    pub async fn set_team_roster(
        &mut self,
        id: i64,
        members: &[i64],
        lead: Option<i64>,
    ) -> Result<()> {
        on!(self, c => sqlx::query("DELETE FROM team_member WHERE team_id = $1")
            .bind(id).execute(&mut *c).await?.rows_affected());
        for m in members {
            self.add_team_member(tessera_domain::TeamId(id), AgentId(*m), lead == Some(*m))
                .await?;
        }
        Ok(())
    }

    /// Every help topic with its settings.
    pub async fn all_topic_rows(&mut self) -> Result<Vec<TopicRow>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT help_topic_id, name_de, name_en, department_id, is_public, is_active, sort_order,
                    sla_plan_id, default_priority, auto_agent_id, auto_team_id
             FROM help_topic ORDER BY sort_order, help_topic_id")
            .fetch_all(c).await?))
    }

    /// Changes a help topic.
    pub async fn update_topic(&mut self, t: &TopicRow) -> Result<()> {
        let now = Timestamp::now().0;
        on!(self, c => sqlx::query(
            "UPDATE help_topic SET name_de = $2, name_en = $3, department_id = $4, is_public = $5,
                    is_active = $6, sort_order = $7, updated_at = $8, sla_plan_id = $9,
                    default_priority = $10, auto_agent_id = $11, auto_team_id = $12
             WHERE help_topic_id = $1")
            .bind(t.help_topic_id).bind(&t.name_de).bind(&t.name_en).bind(t.department_id)
            .bind(t.is_public).bind(t.is_active).bind(t.sort_order).bind(now).bind(t.sla_plan_id)
            .bind(&t.default_priority).bind(t.auto_agent_id).bind(t.auto_team_id)
            .execute(c).await?.rows_affected());
        Ok(())
    }
}

impl Handle<'_> {
    /// Every service level plan.
    pub async fn all_sla_plans(&mut self) -> Result<Vec<SlaRow>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT sla_plan_id, name, grace_seconds, schedule, holidays, is_active, timezone FROM sla_plan
             ORDER BY is_active DESC, name, sla_plan_id")
            .fetch_all(c).await?))
    }

    /// Creates (`sla_plan_id` = 0) or changes a plan; returns its id.
    pub async fn save_sla_plan(&mut self, p: &SlaRow) -> Result<i64> {
        let now = Timestamp::now().0;
        if p.sla_plan_id == 0 {
            on!(self, c => Ok(sqlx::query_scalar(
                "INSERT INTO sla_plan (name, grace_seconds, schedule, holidays, is_active, created_at,
                                       updated_at, timezone)
                 VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING sla_plan_id")
                .bind(&p.name).bind(p.grace_seconds).bind(&p.schedule).bind(&p.holidays)
                .bind(p.is_active).bind(now).bind(&p.timezone).fetch_one(c).await?))
        } else {
            on!(self, c => sqlx::query(
                "UPDATE sla_plan SET name = $2, grace_seconds = $3, schedule = $4, holidays = $5,
                        is_active = $6, updated_at = $7, timezone = $8 WHERE sla_plan_id = $1")
                .bind(p.sla_plan_id).bind(&p.name).bind(p.grace_seconds).bind(&p.schedule)
                .bind(&p.holidays).bind(p.is_active).bind(now).bind(&p.timezone)
                .execute(c).await?.rows_affected());
            Ok(p.sla_plan_id)
        }
    }
}

/// A canned response.
#[derive(Debug, Clone, FromRow)]
pub struct CannedRow {
    /// Key.
    pub canned_response_id: i64,
    /// Its department; `None` for every department.
    pub department_id: Option<i64>,
    /// What agents pick it by.
    pub title: String,
    /// The text, with placeholders.
    pub body: String,
    /// Offered.
    pub is_active: bool,
}

impl Handle<'_> {
    /// Every canned response.
    pub async fn all_canned(&mut self) -> Result<Vec<CannedRow>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT canned_response_id, department_id, title, body, is_active FROM canned_response
             ORDER BY is_active DESC, title, canned_response_id")
            .fetch_all(c).await?))
    }

    /// Creates (`canned_response_id` = 0) or changes a canned response; returns its id.
    pub async fn save_canned(&mut self, r: &CannedRow) -> Result<i64> {
        let now = Timestamp::now().0;
        if r.canned_response_id == 0 {
            on!(self, c => Ok(sqlx::query_scalar(
                "INSERT INTO canned_response (department_id, title, body, is_active, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5) RETURNING canned_response_id")
                .bind(r.department_id).bind(&r.title).bind(&r.body).bind(r.is_active).bind(now)
                .fetch_one(c).await?))
        } else {
            on!(self, c => sqlx::query(
                "UPDATE canned_response SET department_id = $2, title = $3, body = $4, is_active = $5,
                        updated_at = $6 WHERE canned_response_id = $1")
                .bind(r.canned_response_id).bind(r.department_id).bind(&r.title).bind(&r.body)
                .bind(r.is_active).bind(now).execute(c).await?.rows_affected());
            Ok(r.canned_response_id)
        }
    }
}
