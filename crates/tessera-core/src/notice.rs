//! The agents' notification centre: what an agent is told in the application (the bell) and
//! how each agent wants to hear of each kind of event (in the application, by mail, both or
//! not at all). Notifications are rows written in the transaction of the change that causes
//! them; the bell's count moves over the live stream after the commit (`live.rs`).

use std::collections::HashMap;

use tessera_domain::{AgentId, Ownership, Problem, TicketId, Timestamp, model::Ticket};
use tessera_store::{AgentBrief, Handle};

use crate::{Reader, Result, Tessera};

/// Notifications per page of the notification list.
pub const NOTICE_PAGE: i64 = 30;

/// Longest `@name` looked for in a text (sign-in names are shorter).
const MAX_MENTION: usize = 64;

/// Most agents one text can mention.
const MAX_MENTIONS: usize = 20;

/// A kind of event an agent can be told of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeKind {
    /// A ticket was assigned to the agent.
    Assigned,
    /// A ticket was assigned to one of the agent's teams.
    Team,
    /// A requester or collaborator wrote on a ticket assigned to the agent (or their team).
    Message,
    /// Someone wrote `@username` of the agent in a reply or note.
    Mention,
    /// A new ticket in one of the agent's departments.
    New,
}

/// How an agent wants to hear of a kind of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeChannel {
    /// By mail only.
    Mail,
    /// In the application only (the bell, and desktop notifications if allowed).
    App,
    /// Both.
    Both,
    /// Not at all.
    Off,
}

impl NoticeKind {
    /// Every kind, in the order the settings page lists them.
    pub const ALL: [NoticeKind; 5] = [
        NoticeKind::Assigned,
        NoticeKind::Team,
        NoticeKind::Message,
        NoticeKind::Mention,
        NoticeKind::New,
    ];

    /// The stable name stored and used in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Assigned => "assigned",
            NoticeKind::Team => "team",
            NoticeKind::Message => "message",
            NoticeKind::Mention => "mention",
            NoticeKind::New => "new",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The choice of an agent who chose nothing: what Tessera did before there was a
    /// choice (alerts by mail) plus the bell; a new ticket in the department stays a mail
    /// only, and a mention (which has no mail) is in the application.
    pub fn default_channel(self) -> NoticeChannel {
        match self {
            NoticeKind::Assigned | NoticeKind::Team | NoticeKind::Message => NoticeChannel::Both,
            NoticeKind::Mention => NoticeChannel::App,
            NoticeKind::New => NoticeChannel::Mail,
        }
    }

    /// The channels an agent may choose for this kind (a mention has no mail).
    pub fn channels(self) -> &'static [NoticeChannel] {
        match self {
            NoticeKind::Mention => &[NoticeChannel::App, NoticeChannel::Off],
            _ => &[
                NoticeChannel::Both,
                NoticeChannel::App,
                NoticeChannel::Mail,
                NoticeChannel::Off,
            ],
        }
    }

    /// The kind of an agent alert mail (`notify::agent_alert`'s `kind`), if the agent
    /// chooses whether to get it: `assigned` (the assignee's, else the team's), `message`,
    /// `new`. Other alerts (notes for the assignee, transfers, overdue, undelivered mail)
    /// always go.
    pub fn of_alert(alert: &str, ticket: &Ticket) -> Option<Self> {
        match alert {
            "assigned" if ticket.assignee_agent.is_some() => Some(NoticeKind::Assigned),
            "assigned" => Some(NoticeKind::Team),
            "message" => Some(NoticeKind::Message),
            "new" => Some(NoticeKind::New),
            _ => None,
        }
    }
}

impl NoticeChannel {
    /// The stable name stored and used in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeChannel::Mail => "mail",
            NoticeChannel::App => "app",
            NoticeChannel::Both => "both",
            NoticeChannel::Off => "off",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Mail, Self::App, Self::Both, Self::Off]
            .into_iter()
            .find(|c| c.as_str() == s)
    }

    /// Whether it includes mail.
    pub fn mail(self) -> bool {
        matches!(self, NoticeChannel::Mail | NoticeChannel::Both)
    }

    /// Whether it includes the application.
    pub fn app(self) -> bool {
        matches!(self, NoticeChannel::App | NoticeChannel::Both)
    }
}

/// A notification as the list shows it.
#[derive(Debug, Clone)]
pub struct Notice {
    /// Key.
    pub id: i64,
    /// The ticket's public number.
    pub number: String,
    /// The ticket's subject.
    pub subject: String,
    /// What happened.
    pub kind: NoticeKind,
    /// Who caused it.
    pub actor: String,
    /// When.
    pub created_at: Timestamp,
    /// Whether the agent has marked it read.
    pub read: bool,
}

/// The `@names` in a text: `@` at the start or after a space or punctuation, then letters,
/// digits, `.`, `_` or `-` (a trailing `.` ends a sentence); lower-case, each once.
pub(crate) fn mentions(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c != '@' || (i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '@')) {
            continue;
        }
        let name: String = chars[i + 1..]
            .iter()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
            .take(MAX_MENTION + 1)
            .collect();
        let name = name.trim_end_matches(['.', '-']).to_lowercase();
        if name.is_empty() || name.chars().count() > MAX_MENTION || found.contains(&name) {
            continue;
        }
        found.push(name);
        if found.len() == MAX_MENTIONS {
            break;
        }
    }
    found
}

impl Tessera {
    /// The channel each of `agents` chose for `kind`, in one statement.
    async fn channels_of(
        h: &mut Handle<'_>,
        agents: &[AgentId],
        kind: NoticeKind,
    ) -> Result<HashMap<AgentId, NoticeChannel>> {
        let chosen = h.notification_choices_of(agents, &[kind.as_str()]).await?;
        let mut map: HashMap<AgentId, NoticeChannel> = agents
            .iter()
            .map(|a| (*a, kind.default_channel()))
            .collect();
        for (agent, _, channel) in chosen {
            if let Some(c) = NoticeChannel::parse(&channel) {
                map.insert(AgentId(agent), c);
            }
        }
        Ok(map)
    }

    /// Of the agents an alert mail of `alert` kind would go to (`notify::agent_alert`),
    /// those who want it by mail: one statement for all of them, in the caller's
    /// transaction. Alerts no one chooses about (`NoticeKind::of_alert` is `None`) go to
    /// everyone.
    pub(crate) async fn wants_mail(
        h: &mut Handle<'_>,
        ticket: &Ticket,
        alert: &str,
        to: Vec<AgentBrief>,
    ) -> Result<Vec<AgentBrief>> {
        let Some(kind) = NoticeKind::of_alert(alert, ticket) else {
            return Ok(to);
        };
        let ids: Vec<AgentId> = to.iter().map(|a| AgentId(a.agent_id)).collect();
        let channels = Self::channels_of(h, &ids, kind).await?;
        Ok(to
            .into_iter()
            .filter(|a| channels.get(&AgentId(a.agent_id)).is_none_or(|c| c.mail()))
            .collect())
    }

    /// Of `agents`, those who turned mail off for a kind of `kinds`, as (agent, kind): what a
    /// new ticket, composed without the database, leaves out of its alert mails. One
    /// statement; no kind here defaults to no mail.
    pub(crate) async fn mail_refused(
        h: &mut Handle<'_>,
        agents: &[AgentId],
        kinds: &[NoticeKind],
    ) -> Result<Vec<(AgentId, NoticeKind)>> {
        let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        let chosen = h.notification_choices_of(agents, &names).await?;
        Ok(chosen
            .into_iter()
            .filter_map(|(agent, kind, channel)| {
                let kind = NoticeKind::parse(&kind)?;
                let channel = NoticeChannel::parse(&channel)?;
                (!channel.mail()).then_some((AgentId(agent), kind))
            })
            .collect())
    }

    /// Writes a notification of `kind` on `ticket` for those of `agents` who want it in
    /// the application (the caller leaves out the one acting), in the caller's transaction.
    pub(crate) async fn notify_in_app(
        &self,
        h: &mut Handle<'_>,
        ticket: TicketId,
        agents: &[AgentId],
        kind: NoticeKind,
        actor: &str,
        now: Timestamp,
    ) -> Result<()> {
        let mut agents = agents.to_vec();
        agents.sort_by_key(|a| a.0);
        agents.dedup();
        if agents.is_empty() {
            return Ok(());
        }
        let channels = Self::channels_of(h, &agents, kind).await?;
        agents.retain(|a| channels.get(a).is_some_and(|c| c.app()));
        if agents.is_empty() {
            return Ok(());
        }
        h.insert_notifications(&agents, ticket, kind.as_str(), actor, now)
            .await?;
        self.inner.live.notified(ticket, &agents);
        Ok(())
    }

    /// Notifies the agents responsible for `ticket` (`to`, as `notify::assignees` found
    /// them) of a requester's or collaborator's new message.
    pub(crate) async fn notify_message(
        &self,
        h: &mut Handle<'_>,
        ticket: &Ticket,
        to: &[AgentBrief],
        author: &str,
        now: Timestamp,
    ) -> Result<()> {
        let ids: Vec<AgentId> = to.iter().map(|a| AgentId(a.agent_id)).collect();
        self.notify_in_app(h, ticket.id, &ids, NoticeKind::Message, author, now)
            .await
    }

    /// Notifies the agents whose `@username` a text on `ticket` names and who may see it.
    pub(crate) async fn notify_mentions(
        &self,
        h: &mut Handle<'_>,
        ticket: &Ticket,
        text: &str,
        author: AgentId,
        actor: &str,
        now: Timestamp,
    ) -> Result<()> {
        let names = mentions(text);
        if names.is_empty() {
            return Ok(());
        }
        let own = crate::work::ownership(ticket);
        let mut named = Vec::new();
        for id in h.agents_named(&names).await? {
            if id == author.0 {
                continue;
            }
            if let Some(a) = h.agent(AgentId(id)).await?
                && a.can_see(own)
            {
                named.push(a.id);
            }
        }
        self.notify_in_app(h, ticket.id, &named, NoticeKind::Mention, actor, now)
            .await
    }

    /// A page of the agent's notifications, newest first (older than `before` if given),
    /// and the cursor of the next page if there is one. Notifications of tickets the agent
    /// may no longer see are left out.
    pub async fn notices(
        &self,
        who: Reader<'_>,
        before: Option<i64>,
    ) -> Result<(Vec<Notice>, Option<i64>)> {
        let agent = who.agent();
        let mut conn = self.db().conn().await?;
        let rows = conn
            .h()
            .notifications(agent.id, before, NOTICE_PAGE + 1)
            .await?;
        let more = rows.len() as i64 > NOTICE_PAGE;
        let rows = &rows[..rows.len().min(NOTICE_PAGE as usize)];
        let next = if more {
            rows.last().map(|r| r.notification_id)
        } else {
            None
        };
        let list = rows
            .iter()
            .filter(|r| {
                agent.can_see(Ownership {
                    department: tessera_domain::DepartmentId(r.department_id),
                    agent: r.assignee_agent_id.map(AgentId),
                    team: r.assignee_team_id.map(tessera_domain::TeamId),
                })
            })
            .filter_map(|r| {
                Some(Notice {
                    id: r.notification_id,
                    number: r.number.clone(),
                    subject: r.subject.clone(),
                    kind: NoticeKind::parse(&r.kind)?,
                    actor: r.actor.clone(),
                    created_at: Timestamp(r.created_at),
                    read: r.read_at.is_some(),
                })
            })
            .collect();
        Ok((list, next))
    }

    /// How many of the agent's notifications are unread.
    pub async fn unread_notices(&self, who: Reader<'_>) -> Result<i64> {
        self.unread_of(who.agent().id).await
    }

    pub(crate) async fn unread_of(&self, agent: AgentId) -> Result<i64> {
        let mut conn = self.db().conn().await?;
        Ok(conn.h().unread_notifications(agent).await?)
    }

    /// Marks one of the agent's notifications read (`Some(id)`), or all (`None`); returns
    /// the unread count after it. Another agent's notification is not found.
    pub async fn mark_notices_read(&self, who: Reader<'_>, one: Option<i64>) -> Result<i64> {
        let agent = who.agent();
        let mut tx = self.db().begin().await?;
        let changed = tx
            .h()
            .mark_notifications_read(agent.id, one, Timestamp::now())
            .await?;
        let unread = tx.h().unread_notifications(agent.id).await?;
        tx.commit().await?;
        if one.is_some() && changed == 0 {
            // Already read, or not the agent's: either way nothing to do.
            tracing::debug!(
                agent = agent.id.0,
                "notification already read or not theirs"
            );
        }
        Ok(unread)
    }

    /// The agent's channel for every kind, defaults included, in `NoticeKind::ALL`'s order.
    pub async fn notice_choices(
        &self,
        who: Reader<'_>,
    ) -> Result<Vec<(NoticeKind, NoticeChannel)>> {
        let agent = who.agent();
        let mut conn = self.db().conn().await?;
        let stored = conn.h().notification_choices(agent.id).await?;
        Ok(NoticeKind::ALL
            .into_iter()
            .map(|k| {
                let c = stored
                    .iter()
                    .find(|(kind, _)| kind == k.as_str())
                    .and_then(|(_, c)| NoticeChannel::parse(c))
                    .unwrap_or(k.default_channel());
                (k, c)
            })
            .collect())
    }

    /// Stores the agent's choices (`(kind, channel)` as the form sends them); an unknown
    /// kind or a channel the kind does not offer is refused, naming the field.
    pub async fn set_notice_choices(
        &self,
        who: Reader<'_>,
        choices: &[(String, String)],
    ) -> Result<()> {
        let agent = who.agent();
        let mut p = Problem::default();
        let mut valid: Vec<(&str, &str)> = Vec::new();
        for (kind, channel) in choices {
            let Some(k) = NoticeKind::parse(kind) else {
                p.add("form", "error-invalid");
                continue;
            };
            match NoticeChannel::parse(channel).filter(|c| k.channels().contains(c)) {
                Some(c) => valid.push((k.as_str(), c.as_str())),
                None => p.add(k.as_str(), "error-invalid"),
            }
        }
        p.into_result()?;
        let mut tx = self.db().begin().await?;
        tx.h()
            .put_notification_choices(agent.id, &valid, Timestamp::now())
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_mentions() {
        let check = |text: &str, expected: &[&str]| assert_eq!(mentions(text), expected, "{text}");
        check("@max please look", &["max"]);
        check("Hi @Max.Muster, and @nadine.", &["max.muster", "nadine"]);
        check("mail me at max@example.org", &[]);
        check("@max @max @MAX", &["max"]);
        check("(@moritz)", &["moritz"]);
        check("@ alone and @@double", &[]);
        check("no mention", &[]);
    }

    #[test]
    fn kinds_and_channels_round_trip() {
        for k in NoticeKind::ALL {
            assert_eq!(NoticeKind::parse(k.as_str()), Some(k));
            assert!(k.channels().contains(&k.default_channel()));
        }
        for c in ["mail", "app", "both", "off"] {
            assert_eq!(NoticeChannel::parse(c).map(|c| c.as_str()), Some(c));
        }
        assert!(
            !NoticeKind::Mention
                .channels()
                .contains(&NoticeChannel::Mail)
        );
    }
}
