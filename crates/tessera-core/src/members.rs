//! Department memberships managed from the department: who belongs to it and in which role.
//! The same rows the agent form edits (`agent_department`), so both pages always agree.

use tessera_domain::model::DepartmentMember;
use tessera_domain::{AgentId, DepartmentId, Problem, Role};
use tessera_store::Handle;

use crate::{Actor, CoreError, DepartmentAdmin, Result, Tessera, admin::record};

/// A department with its members, and the agents who could be added.
#[derive(Debug, Clone)]
pub struct DepartmentMembers {
    /// The department.
    pub department: DepartmentAdmin,
    /// Its members, managers first.
    pub members: Vec<DepartmentMember>,
    /// Active agents who are not members yet: (id, name shown, user name).
    pub candidates: Vec<(AgentId, String, String)>,
}

/// The department's name, or `NotFound`.
async fn department(h: &mut Handle<'_>, d: DepartmentId) -> Result<String> {
    h.department_name(d).await.map_err(CoreError::from)
}

fn invalid(field: &'static str, key: &'static str) -> CoreError {
    let mut p = Problem::default();
    p.add(field, key);
    CoreError::Invalid(p)
}

impl Tessera {
    /// A department's members and the agents who could join it, for administrators.
    pub async fn department_members(
        &self,
        actor: Actor<'_>,
        d: DepartmentId,
    ) -> Result<DepartmentMembers> {
        actor.require_admin()?;
        let mut conn = self.db().conn().await?;
        let department = conn
            .h()
            .all_departments()
            .await?
            .into_iter()
            .find(|x| x.department_id == d.0)
            .map(DepartmentAdmin::from_row)
            .ok_or(CoreError::NotFound)?;
        let members = conn.h().department_members(d).await?;
        let candidates = conn
            .h()
            .all_agents()
            .await?
            .into_iter()
            .filter(|(id, _, _, _, _, active)| {
                *active && !members.iter().any(|m| m.agent_id.0 == *id)
            })
            .map(|(id, username, name, ..)| (AgentId(id), name, username))
            .collect();
        Ok(DepartmentMembers {
            department,
            members,
            candidates,
        })
    }

    /// The active managers of every department: (department, name shown).
    pub async fn department_managers(
        &self,
        actor: Actor<'_>,
    ) -> Result<Vec<(DepartmentId, String)>> {
        actor.require_admin()?;
        let mut conn = self.db().conn().await?;
        Ok(conn.h().all_department_managers().await?)
    }

    /// Adds an active agent to a department with a role, or changes a member's role; audited
    /// with the role before and after. Setting the role someone already has changes nothing.
    pub async fn set_department_member(
        &self,
        actor: Actor<'_>,
        d: DepartmentId,
        agent: Option<AgentId>,
        role: Option<Role>,
    ) -> Result<()> {
        actor.require_admin()?;
        let mut tx = self.db().begin().await?;
        let name = department(&mut tx.h(), d).await?;
        let found = match agent {
            Some(a) => tx.h().agent_any(a).await?,
            None => None,
        };
        let mut p = Problem::default();
        if found.is_none() {
            p.add("agent", "error-member-agent");
        }
        if role.is_none() {
            p.add("role", "error-member-role");
        }
        let (Some((who, active)), Some(role)) = (found, role) else {
            return Err(CoreError::Invalid(p));
        };
        let agent = who.id;
        let before = tx.h().department_role(agent, d).await?;
        // A disabled account keeps its memberships but gains no new ones.
        if before.is_none() && !active {
            return Err(invalid("agent", "error-member-agent"));
        }
        if before == Some(role) {
            return Ok(());
        }
        tx.h().set_department_role(agent, d, role).await?;
        let action = match before {
            None => "department-member-add",
            Some(_) => "department-member-role",
        };
        record(
            &mut tx.h(),
            actor,
            action,
            &format!("{name}: {}", who.username),
            before.map(Role::as_str),
            Some(role.as_str()),
            None,
        )
        .await?;
        tx.commit().await?;
        // Queue counts cached for this agent are stale now.
        self.changed();
        Ok(())
    }

    /// Takes an agent out of a department; audited with the role they had. They keep seeing
    /// the department's tickets that are assigned to them or their teams, as everyone does.
    pub async fn remove_department_member(
        &self,
        actor: Actor<'_>,
        d: DepartmentId,
        agent: AgentId,
    ) -> Result<()> {
        actor.require_admin()?;
        let mut tx = self.db().begin().await?;
        let name = department(&mut tx.h(), d).await?;
        let (who, _) = tx.h().agent_any(agent).await?.ok_or(CoreError::NotFound)?;
        let Some(before) = tx.h().department_role(agent, d).await? else {
            // Already gone (a second click, another administrator): nothing to record.
            return Ok(());
        };
        tx.h().remove_department_member(agent, d).await?;
        record(
            &mut tx.h(),
            actor,
            "department-member-remove",
            &format!("{name}: {}", who.username),
            Some(before.as_str()),
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        self.changed();
        Ok(())
    }
}
