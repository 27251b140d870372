//! Department memberships seen from the department: who belongs to it, in which role.

use sqlx::FromRow;
use tessera_domain::{AgentId, DepartmentId, Role};

use crate::{Handle, Result, db::on};

pub use tessera_domain::model::DepartmentMember;

#[derive(FromRow)]
struct MemberRow {
    agent_id: i64,
    username: String,
    display_name: String,
    is_active: bool,
    role: String,
}

impl Handle<'_> {
    /// A department's members: managers first, then agents, then view-only, each by name.
    pub async fn department_members(&mut self, d: DepartmentId) -> Result<Vec<DepartmentMember>> {
        let rows: Vec<MemberRow> = on!(self, c => sqlx::query_as(
            "SELECT a.agent_id, a.username, a.display_name, a.is_active, m.role
             FROM agent_department m JOIN agent a ON a.agent_id = m.agent_id
             WHERE m.department_id = $1
             ORDER BY CASE m.role WHEN 'manager' THEN 0 WHEN 'agent' THEN 1 ELSE 2 END,
                      a.display_name, a.agent_id")
            .bind(d.0).fetch_all(c).await?);
        Ok(rows
            .into_iter()
            .map(|r| DepartmentMember {
                agent_id: AgentId(r.agent_id),
                username: r.username,
                display_name: r.display_name,
                is_active: r.is_active,
                // Only the three roles are ever written; an unknown one grants the least.
                role: Role::parse(&r.role).unwrap_or(Role::View),
            })
            .collect())
    }

    /// An agent's role in one department, if a member.
    pub async fn department_role(
        &mut self,
        agent: AgentId,
        d: DepartmentId,
    ) -> Result<Option<Role>> {
        let role: Option<String> = on!(self, c => sqlx::query_scalar(
            "SELECT role FROM agent_department WHERE agent_id = $1 AND department_id = $2")
            .bind(agent.0).bind(d.0).fetch_optional(c).await?);
        Ok(role.map(|r| Role::parse(&r).unwrap_or(Role::View)))
    }

    /// Takes an agent out of a department; returns whether they were a member.
    pub async fn remove_department_member(
        &mut self,
        agent: AgentId,
        d: DepartmentId,
    ) -> Result<bool> {
        on!(self, c => Ok(sqlx::query(
            "DELETE FROM agent_department WHERE agent_id = $1 AND department_id = $2")
            .bind(agent.0).bind(d.0).execute(c).await?.rows_affected() > 0))
    }

    /// The active managers of every department in one query: (department id, name shown).
    pub async fn all_department_managers(&mut self) -> Result<Vec<(DepartmentId, String)>> {
        let rows: Vec<(i64, String)> = on!(self, c => sqlx::query_as(
            "SELECT m.department_id, a.display_name
             FROM agent_department m JOIN agent a ON a.agent_id = m.agent_id
             WHERE m.role = 'manager' AND a.is_active
             ORDER BY m.department_id, a.display_name, a.agent_id")
            .fetch_all(c).await?);
        Ok(rows
            .into_iter()
            .map(|(d, n)| (DepartmentId(d), n))
            .collect())
    }
}
