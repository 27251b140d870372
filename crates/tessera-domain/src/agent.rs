//! Agents, their memberships, and who may see and work which ticket.

use crate::{AgentId, DepartmentId, Lang, TeamId};

/// What an agent may do in a department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Reads tickets, writes nothing.
    View,
    /// Works tickets.
    Agent,
    /// Works tickets and receives escalations.
    Manager,
}

impl Role {
    /// The stable string stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::View => "view",
            Role::Agent => "agent",
            Role::Manager => "manager",
        }
    }

    /// Parses the stable string.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "view" => Some(Role::View),
            "agent" => Some(Role::Agent),
            "manager" => Some(Role::Manager),
            _ => None,
        }
    }
}

/// A signed-in agent with everything needed to decide permissions.
#[derive(Debug, Clone)]
pub struct Agent {
    /// Key.
    pub id: AgentId,
    /// Sign-in name.
    pub username: String,
    /// Address for alerts.
    pub email: String,
    /// Name shown to others.
    pub display_name: String,
    /// Sees and does everything.
    pub is_admin: bool,
    /// Interface and mail language.
    pub lang: Lang,
    /// Departments and the role in each.
    pub departments: Vec<(DepartmentId, Role)>,
    /// Teams the agent belongs to.
    pub teams: Vec<TeamId>,
    /// Must set a new password before anything else.
    pub must_change_password: bool,
    /// The agent's own time zone; `None` reads times in the installation's.
    pub time_zone: Option<crate::time::Tz>,
    /// Appended to the agent's public replies when they ask for it (Markdown).
    pub signature: String,
    /// Out of office: automatic assignment skips them.
    pub away: bool,
}

/// The facts about a ticket that permissions depend on.
#[derive(Debug, Clone, Copy)]
pub struct Ownership {
    /// Owning department.
    pub department: DepartmentId,
    /// Assigned agent.
    pub agent: Option<AgentId>,
    /// Assigned team.
    pub team: Option<TeamId>,
}

impl Agent {
    /// The role in a department, if a member.
    pub fn role_in(&self, d: DepartmentId) -> Option<Role> {
        self.departments
            .iter()
            .find(|(id, _)| *id == d)
            .map(|(_, r)| *r)
    }

    fn assigned(&self, t: Ownership) -> bool {
        t.agent == Some(self.id) || t.team.is_some_and(|team| self.teams.contains(&team))
    }

    /// Whether the agent may see a ticket: administrators all; others those of their
    /// departments and those assigned to them or their teams.
    pub fn can_see(&self, t: Ownership) -> bool {
        self.is_admin || self.role_in(t.department).is_some() || self.assigned(t)
    }

    /// Whether the agent may change a ticket: like seeing, but a view-only role in the
    /// department is not enough unless the ticket is assigned to them.
    pub fn can_work(&self, t: Ownership) -> bool {
        self.is_admin
            || self.role_in(t.department).is_some_and(|r| r >= Role::Agent)
            || self.assigned(t)
    }

    /// Department ids the agent belongs to.
    pub fn department_ids(&self) -> Vec<DepartmentId> {
        self.departments.iter().map(|(d, _)| *d).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(admin: bool, departments: &[(i64, Role)], teams: &[i64]) -> Agent {
        Agent {
            id: AgentId(1),
            username: "a".into(),
            email: "a@example.org".into(),
            display_name: "A".into(),
            is_admin: admin,
            lang: Lang::De,
            departments: departments
                .iter()
                .map(|(d, r)| (DepartmentId(*d), *r))
                .collect(),
            teams: teams.iter().map(|t| TeamId(*t)).collect(),
            time_zone: None,
            signature: String::new(),
            away: false,
            must_change_password: false,
        }
    }

    fn ticket(d: i64, a: Option<i64>, t: Option<i64>) -> Ownership {
        Ownership {
            department: DepartmentId(d),
            agent: a.map(AgentId),
            team: t.map(TeamId),
        }
    }

    #[test]
    fn visibility_follows_departments_and_assignment() {
        let member = agent(false, &[(1, Role::Agent)], &[7]);
        assert!(member.can_see(ticket(1, None, None)));
        assert!(!member.can_see(ticket(2, None, None)));
        assert!(member.can_see(ticket(2, Some(1), None)), "assigned to me");
        assert!(
            member.can_see(ticket(2, None, Some(7))),
            "assigned to my team"
        );
        assert!(!member.can_see(ticket(2, Some(9), Some(8))));
        assert!(agent(true, &[], &[]).can_see(ticket(5, None, None)));
    }

    #[test]
    fn view_only_members_cannot_work() {
        let viewer = agent(false, &[(1, Role::View)], &[]);
        assert!(viewer.can_see(ticket(1, None, None)));
        assert!(!viewer.can_work(ticket(1, None, None)));
        assert!(viewer.can_work(ticket(1, Some(1), None)));
        assert!(agent(false, &[(1, Role::Manager)], &[]).can_work(ticket(1, None, None)));
    }
}
