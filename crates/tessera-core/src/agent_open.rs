//! Agents open tickets for requesters — a phone call, a visit at the desk, a chat. The
//! ticket is composed where every ticket is (`new_ticket.rs`); this module only decides
//! what the agent may do and how their choices turn into the topic's facts: the department
//! (the topic's unless chosen), the assignee (the topic's automatic one unless chosen), and
//! the first entry, written by the agent as a reply to the requester or as an internal note.

use std::sync::Arc;

use tessera_domain::{
    Agent, DepartmentId, EntryKind, HelpTopicId, Lang, Ownership, Problem, TeamId, model::Contact,
};

use crate::{
    CoreError, NewTicketInput, Opened, Result, Tessera, Upload,
    access::Worker,
    directory::TopicFacts,
    new_ticket::{ByAgent, WriteOptions},
};

/// How a request reached the agent: the choices of the new-ticket form, stored as the
/// ticket's source.
pub const CHANNELS: [&str; 4] = ["phone", "walk_in", "chat", "other"];

/// The most contacts one search hands back.
pub const CONTACT_HITS: i64 = 8;

/// Fewest characters a contact search needs.
pub const CONTACT_SEARCH_MIN: usize = 2;

/// What the agents' "new ticket" form carries.
#[derive(Debug)]
pub struct AgentNewTicket {
    /// The requester's address (an existing contact keeps name and language).
    pub email: String,
    /// The requester's name.
    pub name: String,
    /// The chosen help topic (as submitted).
    pub help_topic_id: String,
    /// The chosen department (as submitted); empty: the topic's.
    pub department_id: String,
    /// `agent-ID`, `team-ID` or empty (the topic's automatic assignee, if any).
    pub assignee: String,
    /// Summary.
    pub subject: String,
    /// The first entry's text (Markdown).
    pub body: String,
    /// The first entry is an internal note rather than a reply to the requester.
    pub as_note: bool,
    /// One of [`CHANNELS`].
    pub channel: String,
    /// The requester gets a mail with the access link (and the reply, if it is one).
    pub mail_requester: bool,
    /// Files of the first entry.
    pub uploads: Vec<Upload>,
    /// A new requester's language.
    pub lang: Lang,
}

/// Whether an agent may open a ticket in a department: they work there (a view-only role
/// is not enough), or they are an administrator.
fn may_open_in(agent: &Agent, d: DepartmentId) -> bool {
    agent.can_work(Ownership {
        department: d,
        agent: None,
        team: None,
    })
}

/// Whether an agent may open tickets anywhere (and so look up contacts).
fn may_open(agent: &Agent) -> bool {
    agent.is_admin
        || agent
            .departments
            .iter()
            .any(|(d, _)| may_open_in(agent, *d))
}

impl Tessera {
    /// Contacts whose name or address contains `text`, for the requester field of the
    /// agents' new-ticket form: at most [`CONTACT_HITS`], none for fewer than
    /// [`CONTACT_SEARCH_MIN`] characters. Only agents who may open tickets may look.
    pub async fn find_contacts(&self, who: Worker<'_>, text: &str) -> Result<Vec<Contact>> {
        if !may_open(who.agent()) {
            return Err(CoreError::Forbidden);
        }
        let text = text.trim();
        let n = text.chars().count();
        if !(CONTACT_SEARCH_MIN..=crate::MAX_NAME).contains(&n) || text.contains('\0') {
            return Ok(Vec::new());
        }
        let mut conn = self.db().conn().await?;
        Ok(conn.h().find_contacts(text, CONTACT_HITS).await?)
    }

    /// The departments an agent may open tickets in: (id, name), as the directory lists them.
    pub fn opening_departments(&self, who: Worker<'_>, d: &crate::Directory) -> Vec<(i64, String)> {
        d.departments
            .iter()
            .filter(|(id, _)| may_open_in(who.agent(), DepartmentId(*id)))
            .cloned()
            .collect()
    }

    /// Opens a ticket for a requester, written by the agent (see the module documentation).
    /// Refused as forbidden when the agent does not work in the ticket's department; every
    /// problem of the form is reported at once.
    pub async fn agent_open_ticket(
        &self,
        who: Worker<'_>,
        input: AgentNewTicket,
    ) -> Result<Opened> {
        let agent = who.agent();
        if !may_open(agent) {
            return Err(CoreError::Forbidden);
        }
        let mut p = Problem::default();
        let dir = self.directory(None).await?;
        let topic = match input.help_topic_id.trim().parse::<i64>() {
            Ok(id) => {
                self.topic_if(None, HelpTopicId(id), |t| t.is_active)
                    .await?
            }
            Err(_) => None,
        };
        if topic.is_none() {
            p.add("help_topic_id", "error-topic");
        }
        let chosen = input.department_id.trim();
        let department = if chosen.is_empty() {
            topic.as_ref().map(|t| t.context.department.id)
        } else {
            let d = chosen
                .parse::<i64>()
                .ok()
                .filter(|d| dir.departments.iter().any(|(id, _)| id == d))
                .map(DepartmentId);
            if d.is_none() {
                p.add("department_id", "compose-error-department");
            }
            d
        };
        if let Some(d) = department
            && !may_open_in(agent, d)
        {
            return Err(CoreError::Forbidden);
        }
        let assignee = match parse_assignee(&input.assignee, &dir) {
            Ok(a) => a,
            Err(()) => {
                p.add("assignee", "error-assignee");
                None
            }
        };
        if !CHANNELS.contains(&input.channel.as_str()) {
            p.add("channel", "compose-error-channel");
        }
        let facts = match (topic, department) {
            (Some(t), Some(d)) => Some(self.facts_for(&t, d, assignee).await?),
            _ => None,
        };
        let checked = self
            .check_new_ticket(
                NewTicketInput {
                    email: input.email,
                    name: input.name,
                    help_topic_id: input.help_topic_id,
                    subject: input.subject,
                    body: input.body,
                    uploads: input.uploads,
                    lang: input.lang,
                },
                facts,
                &[],
                p,
            )
            .await?;
        let options = WriteOptions {
            source: &input.channel,
            confirm: input.mail_requester,
            by_agent: Some(ByAgent {
                agent,
                first: if input.as_note {
                    EntryKind::Note
                } else {
                    EntryKind::Reply
                },
                channel: &input.channel,
            }),
            ..WriteOptions::portal()
        };
        self.write_new_ticket(checked, &options).await
    }

    /// The topic's facts as the agent chose: another department (with its alert
    /// recipients), another assignee (with who hears of it). The topic's custom fields are
    /// not asked on the agents' form.
    async fn facts_for(
        &self,
        t: &TopicFacts,
        d: DepartmentId,
        assignee: Option<Assignee>,
    ) -> Result<Arc<TopicFacts>> {
        let mut context = t.context.clone();
        let mut recipients = t.recipients.clone();
        let mut assignees = t.assignees.clone();
        let mut conn = self.db().conn().await?;
        let mut h = conn.h();
        if d != t.context.department.id {
            context.department = h.department(d).await?;
            recipients = h.department_alert_recipients(d, false).await?;
            // The topic's automatic assignee belongs to its own department.
            context.agent = None;
            context.team = None;
            assignees = Vec::new();
        }
        match assignee {
            Some(Assignee::Agent(a)) => {
                context.agent = Some(a.clone());
                context.team = None;
                assignees = vec![a];
            }
            Some(Assignee::Team(id, name)) => {
                context.agent = None;
                context.team = Some((id, name));
                assignees = h.team_members(id).await?;
            }
            None => {}
        }
        Ok(Arc::new(TopicFacts {
            generation: t.generation,
            topic: t.topic.clone(),
            fields: Vec::new(),
            context,
            recipients,
            assignees,
        }))
    }
}

/// Who the agent chose to assign a new ticket to.
enum Assignee {
    Agent(tessera_store::AgentBrief),
    Team(TeamId, String),
}

/// Reads `agent-ID` or `team-ID` against the directory's active agents and teams; empty is
/// nobody (the topic's default).
fn parse_assignee(s: &str, dir: &crate::Directory) -> std::result::Result<Option<Assignee>, ()> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let id = |rest: &str| rest.parse::<i64>().map_err(|_| ());
    if let Some(rest) = s.strip_prefix("agent-") {
        let id = id(rest)?;
        let a = dir.agents.iter().find(|a| a.agent_id == id).ok_or(())?;
        return Ok(Some(Assignee::Agent(a.clone())));
    }
    if let Some(rest) = s.strip_prefix("team-") {
        let id = id(rest)?;
        let (_, name) = dir.teams.iter().find(|(t, _)| *t == id).ok_or(())?;
        return Ok(Some(Assignee::Team(TeamId(id), name.clone())));
    }
    Err(())
}
