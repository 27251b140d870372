//! The directory — departments, teams, help topics, agents with their memberships, canned
//! responses — kept in memory per node, because every agent page needs it and it changes
//! rarely.
//!
//! Why it is never stale: every change to those tables raises `directory_generation` in the
//! changing transaction (triggers, migration 0020), and every request with a session reads
//! that number in the statement that finds the session. A copy made at an older number is
//! read again before it is used, so an administrator's change (an agent deactivated, a
//! membership removed) is in force on every node from that node's next request on, exactly
//! as when each request read the tables itself.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, RwLock},
};

use tessera_domain::{
    Agent, AgentId, HelpTopicId, Lang, TopicField, WebhookEvent,
    model::{HelpTopic, Ticket},
};
use tessera_store::{AgentBrief, CannedRow, StoreError, TopicContext};

use crate::{Result, Session, Tessera};

/// The active departments, help topics, agents, teams and canned responses, as of one
/// generation.
#[derive(Debug)]
pub struct Directory {
    /// The generation this copy was read at.
    pub generation: i64,
    /// Active departments: (id, name), by name.
    pub departments: Vec<(i64, String)>,
    /// Active help topics: (id, German name, English name), in their configured order.
    pub topics: Vec<(i64, String, String)>,
    /// Active agents, by name.
    pub(crate) agents: Vec<AgentBrief>,
    /// Active teams: (id, name), by name.
    pub teams: Vec<(i64, String)>,
    /// Active canned responses, by title.
    canned: Vec<CannedRow>,
    /// Active agents who are out of office.
    away: Vec<AgentId>,
}

impl Directory {
    /// Active help topics: (id, name in `lang`).
    pub fn topics(&self, lang: Lang) -> Vec<(i64, String)> {
        self.topics
            .iter()
            .map(|(id, de, en)| (*id, if lang == Lang::De { de } else { en }.clone()))
            .collect()
    }

    /// Active agents: (id, name).
    pub fn agent_names(&self) -> Vec<(i64, String)> {
        self.agents
            .iter()
            .map(|a| (a.agent_id, a.display_name.clone()))
            .collect()
    }

    /// Whether an agent is out of office (the assign lists mark them; automatic assignment
    /// skips them).
    pub fn is_away(&self, id: i64) -> bool {
        self.away.contains(&AgentId(id))
    }

    /// Active agents with their addresses, by name.
    pub fn agent_contacts(&self) -> Vec<crate::AgentContact> {
        self.agents
            .iter()
            .map(|a| crate::AgentContact {
                id: AgentId(a.agent_id),
                name: a.display_name.clone(),
                email: a.email.clone(),
            })
            .collect()
    }

    /// The canned responses offered on a ticket the agent may see, with placeholders filled
    /// in (see `canned_text`): (id, title, text). The caller has checked visibility.
    pub fn canned_for(&self, agent: &Agent, t: &Ticket) -> Vec<(i64, String, String)> {
        self.canned
            .iter()
            .filter(|c| c.department_id.is_none_or(|d| d == t.department.id.0))
            .map(|c| {
                (
                    c.canned_response_id,
                    c.title.clone(),
                    canned_text(&c.body, agent, t),
                )
            })
            .collect()
    }
}

/// The placeholders a canned response may use, with what fills them on a ticket (the
/// administration's canned-response page lists them): `{{requester.name}}`,
/// `{{requester.email}}`, `{{ticket.number}}`, `{{ticket.subject}}`, `{{agent.name}}`; and
/// the older short forms `{name}`, `{number}`, `{subject}`, `{agent}`.
pub const CANNED_PLACEHOLDERS: [&str; 5] = [
    "{{requester.name}}",
    "{{requester.email}}",
    "{{ticket.number}}",
    "{{ticket.subject}}",
    "{{agent.name}}",
];

/// A canned response's text for a ticket, its placeholders filled (`CANNED_PLACEHOLDERS`).
/// Filled once, from the original text: a value that looks like a placeholder (a subject
/// with `{{agent.name}}` in it) stays as it is.
pub(crate) fn canned_text(body: &str, agent: &Agent, t: &Ticket) -> String {
    let values: [(&str, &str); 9] = [
        ("{{requester.name}}", &t.requester.name),
        ("{{requester.email}}", &t.requester.email),
        ("{{ticket.number}}", &t.number),
        ("{{ticket.subject}}", &t.subject),
        ("{{agent.name}}", &agent.display_name),
        ("{name}", &t.requester.name),
        ("{number}", &t.number),
        ("{subject}", &t.subject),
        ("{agent}", &agent.display_name),
    ];
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    'scan: while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        for (k, v) in values {
            if let Some(after) = rest.strip_prefix(k) {
                out.push_str(v);
                rest = after;
                continue 'scan;
            }
        }
        out.push('{');
        rest = &rest[1..];
    }
    out.push_str(rest);
    out
}

/// An agent as read at a generation (`None`: missing or deactivated).
type CachedAgent = (i64, Option<Agent>);

/// What a new ticket takes from its help topic, as of one generation.
#[derive(Debug)]
pub(crate) struct TopicFacts {
    /// The generation this was read at.
    pub generation: i64,
    pub topic: HelpTopic,
    /// Its custom fields, active or not, in form order.
    pub fields: Vec<TopicField>,
    /// Its defaults, department and service level.
    pub context: TopicContext,
    /// Who hears of a new ticket in its department (nobody when the department sends no
    /// alerts).
    pub recipients: Vec<AgentBrief>,
    /// Who hears of the automatic assignment: the agent, or the team's members.
    pub assignees: Vec<AgentBrief>,
}

/// What new tickets take from the directory, as of one generation, filled as asked: a
/// portal or API ticket reads it once per generation instead of six times per ticket.
#[derive(Default)]
struct NewTicketFacts {
    generation: i64,
    topics: HashMap<HelpTopicId, Option<Arc<TopicFacts>>>,
    /// What every new ticket needs, read together once.
    common: Option<CommonFacts>,
}

/// What every new ticket needs besides its topic.
#[derive(Clone)]
struct CommonFacts {
    /// The first active public topic (the API's default).
    default_api_topic: Option<HelpTopicId>,
    /// Active webhooks subscribed to `ticket.created`.
    created_hooks: Arc<Vec<i64>>,
}

/// What one node keeps.
#[derive(Default)]
pub(crate) struct Cache {
    directory: RwLock<Option<Arc<Directory>>>,
    agents: Mutex<HashMap<AgentId, CachedAgent>>,
    new_tickets: Mutex<NewTicketFacts>,
}

impl Tessera {
    /// The directory as of `generation` (read with the request's session); read from the
    /// database when this node's copy is older, or when the generation is not known.
    pub async fn directory(&self, generation: Option<i64>) -> Result<Arc<Directory>> {
        let cache = &self.inner.directory;
        if let Some(g) = generation {
            let held = cache.directory.read().unwrap_or_else(|e| e.into_inner());
            if let Some(d) = held.as_ref().filter(|d| d.generation == g) {
                return Ok(d.clone());
            }
        }
        let mut conn = self.db().conn().await?;
        let mut h = conn.h();
        // The generation first: what is read after it is at least as new.
        let generation = h.directory_generation().await?;
        let d = Arc::new(Directory {
            generation,
            departments: h.active_departments().await?,
            topics: h.active_topics().await?,
            agents: h.active_agents().await?,
            away: h.away_agents().await?,
            teams: h.active_teams().await?,
            canned: h.active_canned().await?,
        });
        let mut held = cache.directory.write().unwrap_or_else(|e| e.into_inner());
        if held.as_ref().is_none_or(|old| old.generation <= generation) {
            *held = Some(d.clone());
        }
        Ok(d)
    }

    /// The directory for a program: only an API key that may read, as its agent, gets it.
    pub async fn directory_for_key(&self, caller: &crate::ApiCaller) -> Result<Arc<Directory>> {
        caller.reader()?;
        self.directory(Some(caller.directory_generation())).await
    }

    /// This node's copy of the directory, of whatever generation, without reading.
    pub(crate) fn held_directory(&self) -> Option<Arc<Directory>> {
        let held = self.inner.directory.directory.read();
        held.unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The agent behind a session, if it is an active agent's: the only way a browser
    /// session gets to an agent's capabilities ([`crate::SignedIn`]).
    pub async fn session_agent(&self, s: &Session) -> Result<Option<crate::SignedIn>> {
        Ok(self.session_agent_value(s).await?.map(crate::SignedIn::new))
    }

    /// The agent behind a session, as kept per directory generation.
    async fn session_agent_value(&self, s: &Session) -> Result<Option<Agent>> {
        let Some(id) = s.agent_id else {
            return Ok(None);
        };
        let agents = &self.inner.directory.agents;
        if let Some(g) = s.directory {
            let held = agents.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((_, a)) = held.get(&id).filter(|(at, _)| *at == g) {
                return Ok(a.clone());
            }
        }
        let mut conn = self.db().conn().await?;
        let agent = conn.h().agent(id).await?;
        // Read after the session, so at least as new as its generation.
        if let Some(g) = s.directory {
            let mut held = agents.lock().unwrap_or_else(|e| e.into_inner());
            if held.len() > 10_000 {
                held.clear();
            }
            if held.get(&id).is_none_or(|(at, _)| *at <= g) {
                held.insert(id, (g, agent.clone()));
            }
        }
        Ok(agent)
    }

    /// The directory's generation: `known` (read with the request's key or session), else
    /// read now.
    async fn generation(&self, known: Option<i64>) -> Result<i64> {
        match known {
            Some(g) => Ok(g),
            None => Ok(self.db().conn().await?.h().directory_generation().await?),
        }
    }

    /// Looks into the new-ticket facts held for `generation`.
    fn held<T>(
        &self,
        generation: i64,
        get: impl FnOnce(&NewTicketFacts) -> Option<T>,
    ) -> Option<T> {
        let held = self
            .inner
            .directory
            .new_tickets
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if held.generation == generation {
            get(&held)
        } else {
            None
        }
    }

    /// Keeps facts read at `generation` (read after it, so at least as new); facts of an
    /// older generation than those held are not kept.
    fn hold(&self, generation: i64, put: impl FnOnce(&mut NewTicketFacts)) {
        let mut held = self
            .inner
            .directory
            .new_tickets
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if held.generation < generation {
            *held = NewTicketFacts {
                generation,
                ..NewTicketFacts::default()
            };
        }
        if held.generation == generation {
            put(&mut held);
        }
    }

    /// A help topic with what a new ticket takes from it; `None` if there is no such topic.
    pub(crate) async fn topic_facts(
        &self,
        generation: Option<i64>,
        id: HelpTopicId,
    ) -> Result<Option<Arc<TopicFacts>>> {
        let g = self.generation(generation).await?;
        if let Some(f) = self.held(g, |h| h.topics.get(&id).cloned()) {
            return Ok(f);
        }
        let mut conn = self.db().conn().await?;
        let mut h = conn.h();
        let generation = h.directory_generation().await?;
        let topic = match h.help_topic(id).await {
            Ok(t) => t,
            Err(StoreError::NotFound) => {
                self.hold(generation, |h| {
                    h.topics.insert(id, None);
                });
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        };
        let fields = h.topic_fields(id).await?;
        let context = h.topic_context(id).await?;
        let recipients = h
            .department_alert_recipients(topic.department_id, false)
            .await?;
        // The assignee hears of it as their ticket, not only as a new one in the department
        // (as `notify::assignees` finds them).
        let assignees = match (&context.agent, &context.team) {
            (Some(a), _) => vec![a.clone()],
            (None, Some((t, _))) => h.team_members(*t).await?,
            (None, None) => Vec::new(),
        };
        let facts = Arc::new(TopicFacts {
            generation,
            topic,
            fields,
            context,
            recipients,
            assignees,
        });
        self.hold(generation, |h| {
            h.topics.insert(id, Some(facts.clone()));
        });
        Ok(Some(facts))
    }

    /// What every new ticket needs besides its topic, as of `generation`.
    async fn common_facts(&self, generation: Option<i64>) -> Result<CommonFacts> {
        let g = self.generation(generation).await?;
        if let Some(c) = self.held(g, |h| h.common.clone()) {
            return Ok(c);
        }
        let mut conn = self.db().conn().await?;
        let mut h = conn.h();
        let generation = h.directory_generation().await?;
        let default_api_topic = h
            .all_topic_rows()
            .await?
            .iter()
            .find(|t| t.is_active && t.is_public)
            .map(|t| HelpTopicId(t.help_topic_id));
        let created_hooks = Arc::new(
            h.subscribed_webhooks(WebhookEvent::TicketCreated.bit())
                .await?,
        );
        let common = CommonFacts {
            default_api_topic,
            created_hooks,
        };
        self.hold(generation, |h| h.common = Some(common.clone()));
        Ok(common)
    }

    /// The topic of an API ticket that names none: the first active public topic.
    pub(crate) async fn default_api_topic(
        &self,
        generation: Option<i64>,
    ) -> Result<Option<HelpTopicId>> {
        Ok(self.common_facts(generation).await?.default_api_topic)
    }

    /// The active webhooks subscribed to `ticket.created`.
    pub(crate) async fn created_hooks(&self, generation: Option<i64>) -> Result<Arc<Vec<i64>>> {
        Ok(self.common_facts(generation).await?.created_hooks)
    }
}
