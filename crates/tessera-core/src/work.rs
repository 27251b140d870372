//! The agent's side: queues, the ticket page, and every action on a ticket. Each action
//! checks permission, changes the ticket, records an event and queues its mail in one
//! transaction.

use tessera_domain::{
    Agent, AgentId, BodyFormat, ContactId, DepartmentId, EmailAddress, EntryKind, Ownership,
    Priority, Problem, TeamId, ThreadEntryId, TicketEvent, TicketId, TicketStatus, Timestamp,
    WebhookEvent, long_text,
    model::{Attachment, Contact, ThreadEntry, Ticket},
    validate,
};
use tessera_domain::{QueueItem, QueueQuery, Visibility};
use tessera_store::{Handle, NewEntry, Tx};

use crate::{
    ChangeKind, CoreError, MAX_BODY, MAX_NAME, NoticeKind, RelatedTicket, Result, Tessera, Upload,
    access::{Reader, Worker},
    notify,
};

/// How long queue counts are reused when nothing changed on this node.
const COUNTS_FRESH: std::time::Duration = std::time::Duration::from_secs(3);

/// How long an open ticket page counts as "someone is looking".
const PRESENCE_SECS: i64 = 90;

/// How old an agent's own presence mark may get before a page view renews it.
const PRESENCE_REFRESH_SECS: i64 = 30;

/// The ticket page's state form: status, priority and due date, saved together.
#[derive(Debug, Clone)]
pub struct StateChange<'a> {
    /// The status.
    pub status: TicketStatus,
    /// The priority.
    pub priority: Priority,
    /// The due date as typed (`YYYY-MM-DD`), empty for none.
    pub due: &'a str,
}

/// What an agent sees of a ticket.
#[derive(Debug)]
pub struct AgentTicketView {
    /// The ticket.
    pub ticket: Ticket,
    /// Every entry, oldest first.
    pub thread: Vec<ThreadEntry>,
    /// Every attachment.
    pub attachments: Vec<Attachment>,
    /// Collaborators.
    pub collaborators: Vec<Contact>,
    /// The requester's other tickets the agent may see.
    pub others: Vec<RelatedTicket>,
    /// Other agents who have the ticket open.
    pub viewers: Vec<String>,
    /// Whether the agent may change the ticket.
    pub can_work: bool,
    /// The newest entry by someone else, for the stale-reply check.
    pub latest_by_others: i64,
    /// Answers to the topic's custom fields.
    pub fields: Vec<tessera_domain::FieldValue>,
}

impl AgentTicketView {
    /// The attachments of one entry.
    pub fn attachments_of(&self, entry: ThreadEntryId) -> impl Iterator<Item = &Attachment> {
        self.attachments
            .iter()
            .filter(move |a| a.thread_entry_id == entry)
    }
}

/// An agent's reply.
#[derive(Debug)]
pub struct AgentReply {
    /// Text.
    pub body: String,
    /// Files.
    pub uploads: Vec<Upload>,
    /// Status to set in the same step.
    pub status: Option<TicketStatus>,
    /// The newest entry by others the agent had seen when writing.
    pub seen_entry: i64,
    /// Send even though others wrote since.
    pub confirm_stale: bool,
    /// Append the agent's signature (if they have one) to the text.
    pub append_signature: bool,
}

/// Addresses one reply is also mailed to, as typed (comma, semicolon or space between
/// them): Cc (named in the mail) and Bcc (not named). See `notify::reply_copy`.
#[derive(Debug, Default, Clone)]
pub struct Copies {
    /// Cc addresses.
    pub cc: String,
    /// Bcc addresses.
    pub bcc: String,
}

/// The most addresses one reply may be copied to, Cc and Bcc together.
pub const MAX_COPIES: usize = 5;

impl Copies {
    /// The checked addresses (cc, bcc), each once and none of the ticket's participants'
    /// own; a bad address or too many are `p`'s problems.
    fn check(&self, p: &mut Problem) -> (Vec<String>, Vec<String>) {
        let mut seen: Vec<String> = Vec::new();
        let mut read = |field: &'static str, text: &str, p: &mut Problem| {
            let mut out = Vec::new();
            for word in text
                .split([',', ';', ' ', '\n', '\r', '\t'])
                .filter(|w| !w.is_empty())
            {
                match EmailAddress::parse(word) {
                    Some(a) if !seen.contains(&a.key()) => {
                        seen.push(a.key());
                        out.push(a.as_str().to_owned());
                    }
                    Some(_) => {}
                    None => {
                        p.add(field, "compose-error-copies");
                        return Vec::new();
                    }
                }
            }
            out
        };
        let cc = read("cc", &self.cc, p);
        let bcc = read("bcc", &self.bcc, p);
        if cc.len() + bcc.len() > MAX_COPIES {
            p.add("cc", "compose-error-copies-many");
        }
        (cc, bcc)
    }
}

/// What a bulk action does to each selected ticket.
#[derive(Debug, Clone, Copy)]
pub enum BulkAction {
    /// Assign to an agent.
    AssignAgent(AgentId),
    /// Assign to a team.
    AssignTeam(TeamId),
    /// Move to a department.
    Transfer(DepartmentId),
    /// Change priority.
    Priority(Priority),
    /// Close.
    Close,
}

/// Who owns a ticket, for the visibility rules.
pub(crate) fn ownership(t: &Ticket) -> Ownership {
    Ownership {
        department: t.department.id,
        agent: t.assignee_agent.as_ref().map(|(id, _)| *id),
        team: t.assignee_team.as_ref().map(|(id, _)| *id),
    }
}

/// The SQL-side form of an agent's visibility.
pub fn visibility(agent: &Agent) -> Visibility {
    Visibility {
        all: agent.is_admin,
        agent: agent.id,
        departments: agent.department_ids(),
        teams: agent.teams.clone(),
    }
}

/// Adds an entry written by an agent; a reply or a note is queued for webhooks.
async fn agent_entry(
    app: &Tessera,
    h: &mut Handle<'_>,
    t: TicketId,
    agent: &Agent,
    kind: EntryKind,
    body: &str,
    now: Timestamp,
) -> Result<ThreadEntryId> {
    let id = h
        .insert_entry(&NewEntry {
            ticket_id: t,
            kind,
            author_contact_id: None,
            author_agent_id: Some(agent.id),
            body,
            body_format: BodyFormat::Markdown,
            now,
        })
        .await?;
    let hook = match kind {
        EntryKind::Reply => Some(WebhookEvent::Reply),
        EntryKind::Note => Some(WebhookEvent::Note),
        _ => None,
    };
    if let Some(hook) = hook {
        app.queue_webhooks(h, hook, t, Some(id), None, now).await?;
    }
    Ok(id)
}

/// Records an event in the thread and queues what it means to webhooks.
async fn event(
    app: &Tessera,
    h: &mut Handle<'_>,
    t: TicketId,
    agent: &Agent,
    e: TicketEvent,
    now: Timestamp,
) -> Result<()> {
    agent_entry(app, h, t, agent, EntryKind::Event, &e.encode(), now).await?;
    app.queue_event_webhooks(h, t, &e, now).await
}

impl Tessera {
    /// A page of a queue and the counts of every queue; refused when the field filter is
    /// too long (`MAX_SEARCH`).
    pub async fn queue(
        &self,
        who: Reader<'_>,
        q: &QueueQuery,
    ) -> Result<(Vec<QueueItem>, Vec<i64>)> {
        let agent = who.agent();
        crate::search::check_filters(q, None)?;
        let v = visibility(agent);
        let now = Timestamp::now();
        let mut conn = self.db().conn().await?;
        let mut rows = conn.h().queue_page(&v, q, now).await?;
        self.inner.marks.overlay(
            agent.id,
            rows.iter_mut()
                .map(|r| (TicketId(r.ticket_id), r.updated_at, &mut r.unseen)),
        );
        let counts = self.counts_on(&mut conn, agent, now).await?;
        Ok((crate::views::queue_items(rows), counts))
    }

    /// The counts of every queue, without a page (a search shows its own hits).
    pub async fn queue_counts(&self, who: Reader<'_>) -> Result<Vec<i64>> {
        let agent = who.agent();
        let mut conn = self.db().conn().await?;
        self.counts_on(&mut conn, agent, Timestamp::now()).await
    }

    async fn counts_on(
        &self,
        conn: &mut tessera_store::Conn,
        agent: &Agent,
        now: Timestamp,
    ) -> Result<Vec<i64>> {
        // Counts cost about a millisecond at any size (a tally and the small Overdue index),
        // but that is as much as the page itself: an agent paging through a queue does not
        // need them recomputed each time. They are exact for every change made on this node
        // and at most COUNTS_FRESH old for changes made on others. Kept per agent, also for
        // administrators: they all see every ticket, but "Mine" and "My teams" are theirs.
        let key = agent.id.to_string();
        let generation = self
            .inner
            .generation
            .load(std::sync::atomic::Ordering::Relaxed);
        let cached = {
            let map = self.inner.counts.lock().unwrap_or_else(|e| e.into_inner());
            map.get(&key)
                .filter(|(at, g, _)| *g == generation && at.elapsed() < COUNTS_FRESH)
                .map(|(_, _, c)| c.clone())
        };
        if let Some(c) = cached {
            return Ok(c);
        }
        let c = conn.h().queue_counts(&visibility(agent), now).await?;
        let mut map = self.inner.counts.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 10_000 {
            map.clear();
        }
        map.insert(key, (std::time::Instant::now(), generation, c.clone()));
        Ok(c)
    }

    /// Opens a transaction on a ticket the agent may change.
    async fn work_on(&self, who: Worker<'_>, number: &str) -> Result<(Tx, Ticket)> {
        let agent = who.agent();
        let mut tx = self.db().begin().await?;
        let ticket = tx.h().ticket_by_number(number).await?;
        let own = ownership(&ticket);
        if !agent.can_see(own) {
            return Err(CoreError::NotFound);
        }
        if !agent.can_work(own) {
            return Err(CoreError::Forbidden);
        }
        self.inner.live.owned_before(ticket.id, own);
        Ok((tx, ticket))
    }

    async fn finish(&self, tx: Tx, agent: &Agent, t: TicketId, now: Timestamp) -> Result<()> {
        self.finish_as(tx, agent, t, now, ChangeKind::Update).await
    }

    /// `finish`, announcing the change as `kind` (a new entry, or any other change).
    async fn finish_as(
        &self,
        mut tx: Tx,
        agent: &Agent,
        t: TicketId,
        now: Timestamp,
        kind: ChangeKind,
    ) -> Result<()> {
        tx.h().mark_seen(agent.id, t, now).await?;
        tx.commit().await?;
        self.changed();
        self.announce(t, kind);
        Ok(())
    }

    /// The ticket page: records that the agent has seen it and has it open.
    /// Each text is cut to what a page shows (`long_text`); `shortened` entries link to
    /// their whole text (`agent_entry_text`).
    pub async fn agent_view(&self, who: Reader<'_>, number: &str) -> Result<AgentTicketView> {
        let agent = who.agent();
        self.view_as(agent, number, true, Some(long_text::SHOWN_CHARS))
            .await
    }

    /// What the agent sees of a ticket, for a program (the REST API): the same view and
    /// permissions as the ticket page, but reading records nothing — neither "seen" nor
    /// "has it open" (`viewers` is then empty). Programs get every text whole.
    pub async fn agent_ticket(&self, who: Reader<'_>, number: &str) -> Result<AgentTicketView> {
        let agent = who.agent();
        self.view_as(agent, number, false, None).await
    }

    async fn view_as(
        &self,
        agent: &Agent,
        number: &str,
        record: bool,
        shown: Option<usize>,
    ) -> Result<AgentTicketView> {
        let mut conn = self.db().conn().await?;
        let ticket = conn.h().ticket_by_number(number).await?;
        let own = ownership(&ticket);
        if !agent.can_see(own) {
            return Err(CoreError::NotFound);
        }
        let now = Timestamp::now();
        let since = now.plus_secs(-PRESENCE_SECS);
        let page = conn
            .h()
            .ticket_page(&ticket, record.then_some((agent.id, since)), shown)
            .await?;
        drop(conn);
        let others = page
            .others
            .into_iter()
            .map(RelatedTicket::from_row)
            .filter(|o| {
                agent.can_see(Ownership {
                    department: o.department,
                    agent: o.assignee_agent,
                    team: o.assignee_team,
                })
            })
            .collect();
        let thread = page.thread;

        // The same rule as `latest_entry_by_others`, from the thread already read.
        let latest_by_others = thread
            .iter()
            .filter(|e| e.kind != EntryKind::Event && e.author_agent != Some(agent.id))
            .map(|e| e.id.0)
            .max()
            .unwrap_or(0);
        let viewers = if let Some((seen, open, mut viewers)) = page.view {
            self.add_pending_viewers(ticket.id, agent.id, since, &mut viewers);
            let pending = self
                .inner
                .marks
                .pending_view(agent.id, ticket.id)
                .map(|t| t.0);
            let (seen, open) = (seen.max(pending), open.max(pending));
            // A page shown again soon after writes nothing: the marks are still true.
            let fresh = seen.is_some_and(|s| s >= ticket.updated_at.0)
                && open.is_some_and(|o| o >= now.plus_secs(-PRESENCE_REFRESH_SECS).0);
            if !fresh {
                self.record_view(agent.id, ticket.id, now);
            }
            viewers
        } else {
            Vec::new()
        };
        Ok(AgentTicketView {
            can_work: agent.can_work(own),
            ticket,
            thread,
            attachments: page.attachments,
            collaborators: page.collaborators,
            others,
            viewers,
            latest_by_others,
            fields: page.fields,
        })
    }

    /// Whether the agent may still see a ticket (after a transfer, say).
    pub async fn agent_can_see(&self, who: Reader<'_>, number: &str) -> Result<bool> {
        let agent = who.agent();
        let mut conn = self.db().conn().await?;
        match conn.h().ticket_by_number(number).await {
            Ok(t) => Ok(agent.can_see(ownership(&t))),
            Err(tessera_store::StoreError::NotFound) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Heartbeat of an open ticket page: who else has it open.
    pub async fn presence(&self, who: Reader<'_>, number: &str) -> Result<Vec<String>> {
        let agent = who.agent();
        let mut conn = self.db().conn().await?;
        let ticket = conn.h().ticket_by_number(number).await?;
        drop(conn);
        if !agent.can_see(ownership(&ticket)) {
            return Err(CoreError::NotFound);
        }
        let now = Timestamp::now();
        let since = now.plus_secs(-PRESENCE_SECS);
        // Views still pending are taken first: while this write waits for its commit, they
        // may be written and leave the pending set after the read below has missed them.
        let mut pending = Vec::new();
        self.add_pending_viewers(ticket.id, agent.id, since, &mut pending);
        let mut tx = self.db().begin().await?;
        let mut viewers = tx.h().viewing(agent.id, ticket.id, now, since).await?;
        tx.commit().await?;
        for name in pending {
            if !viewers.contains(&name) {
                viewers.push(name);
            }
        }
        viewers.sort();
        Ok(viewers)
    }

    /// Adds the others whose views of a moment ago are not written yet (`marks.rs`). Names
    /// of agents change rarely enough for any copy of the directory to tell them.
    fn add_pending_viewers(
        &self,
        ticket: TicketId,
        me: AgentId,
        since: Timestamp,
        viewers: &mut Vec<String>,
    ) {
        let others = self.inner.marks.pending_viewers(ticket, me, since);
        let Some(d) = self.held_directory().filter(|_| !others.is_empty()) else {
            return;
        };
        for a in d
            .agents
            .iter()
            .filter(|a| others.contains(&AgentId(a.agent_id)))
        {
            if !viewers.contains(&a.display_name) {
                viewers.push(a.display_name.clone());
            }
        }
        viewers.sort();
    }

    /// An attachment of a ticket the agent may see.
    pub async fn agent_attachment(
        &self,
        who: Reader<'_>,
        id: i64,
    ) -> Result<(Attachment, tokio::fs::File)> {
        let agent = who.agent();
        let mut conn = self.db().conn().await?;
        let a = conn
            .h()
            .attachment(tessera_domain::AttachmentId(id))
            .await?;
        let ticket = conn.h().ticket(a.ticket_id).await?;
        if !agent.can_see(ownership(&ticket)) {
            return Err(CoreError::NotFound);
        }
        let file = self.blobs().open_blob(&a.blob_key).await?;
        Ok((a, file))
    }

    /// Replies to the requester and collaborators; claims an unassigned ticket; may change
    /// the status in the same step. Refuses with `Stale` when others wrote since the agent
    /// loaded the ticket, unless confirmed.
    pub async fn agent_reply(&self, who: Worker<'_>, number: &str, r: AgentReply) -> Result<()> {
        self.agent_reply_copies(who, number, r, &Copies::default())
            .await
    }

    /// `agent_reply`, also mailed once to the `copies` addresses (recorded on the thread
    /// for agents as an event after the reply).
    pub async fn agent_reply_copies(
        &self,
        who: Worker<'_>,
        number: &str,
        mut r: AgentReply,
        copies: &Copies,
    ) -> Result<()> {
        let agent = who.agent();
        let mut p = Problem::default();
        let (cc, bcc) = copies.check(&mut p);
        let mut body = r.body.trim().to_owned();
        // The signature goes below what the agent wrote, after the usual "-- " line, into
        // the stored text: the thread shows what the requester got.
        let signature = agent.signature.trim();
        if r.append_signature && !signature.is_empty() && !body.is_empty() {
            body = format!("{body}\n\n-- \n{signature}");
        }
        if body.is_empty() {
            p.add("body", "error-required");
        } else if body.chars().count() > MAX_BODY {
            p.add("body", "error-too-long");
        } else if body.contains('\0') {
            // Not every database stores it; the API refuses it earlier, the forms here.
            p.add("body", "error-bad-characters");
        }
        self.check_uploads(&r.uploads, &mut p);
        if p.is_empty() {
            self.scan_uploads(&mut r.uploads, &mut p).await;
        }
        p.into_result()?;
        let (mut tx, ticket) = self.work_on(who, number).await?;
        if !r.confirm_stale
            && tx.h().latest_entry_by_others(ticket.id, agent.id).await? > r.seen_entry
        {
            return Err(CoreError::Stale);
        }
        drop(tx);
        let files = self.commit_blobs(r.uploads).await?;
        let (mut tx, ticket) = self.work_on(who, number).await?;
        let now = Timestamp::now();
        let entry = agent_entry(
            self,
            &mut tx.h(),
            ticket.id,
            agent,
            EntryKind::Reply,
            &body,
            now,
        )
        .await?;
        let names: Vec<String> = files.iter().map(|f| f.1.clone()).collect();
        self.store_uploads(&mut tx.h(), ticket.id, entry, files)
            .await?;
        tx.h().mark_answered(ticket.id, now).await?;
        if ticket.assignee_agent.is_none() && ticket.assignee_team.is_none() {
            tx.h()
                .set_assignee(ticket.id, Some(agent.id), None, now)
                .await?;
            event(
                self,
                &mut tx.h(),
                ticket.id,
                agent,
                TicketEvent::Claimed,
                now,
            )
            .await?;
        }
        let mut changes = notify::Changes::default();
        if let Some(s) = r.status.filter(|s| *s != ticket.status) {
            tx.h().set_status(ticket.id, s, now).await?;
            let e = TicketEvent::Status {
                from: ticket.status.as_str().into(),
                to: s.as_str().into(),
            };
            event(self, &mut tx.h(), ticket.id, agent, e, now).await?;
            changes = notify::Changes::status(ticket.status, s);
        }
        // One mail per participant says both: the reply, and that the status changed.
        notify::reply_to_participants(self, &mut tx.h(), &ticket, agent, &body, &names, changes)
            .await?;
        if !cc.is_empty() || !bcc.is_empty() {
            let message = if names.is_empty() {
                body.clone()
            } else {
                let files = tessera_i18n::t(ticket.requester.lang, "meta-attachments");
                format!("{body}\n\n{files}: {}", names.join(", "))
            };
            let mail = notify::reply_copy(self, &ticket, agent, &message, &cc, &bcc);
            tx.h().enqueue_mail(&mail).await?;
            let list = |a: &[String]| {
                if a.is_empty() {
                    "–".to_owned()
                } else {
                    a.join(", ")
                }
            };
            let e = TicketEvent::CopiesSent {
                cc: list(&cc),
                bcc: list(&bcc),
            };
            event(self, &mut tx.h(), ticket.id, agent, e, now).await?;
        }
        self.notify_mentions(
            &mut tx.h(),
            &ticket,
            &body,
            agent.id,
            &agent.display_name,
            now,
        )
        .await?;
        tx.h().reindex_ticket(ticket.id).await?;
        self.finish_as(tx, agent, ticket.id, now, ChangeKind::Entry)
            .await
    }

    /// Writes an internal note; optionally alerts the assignee.
    pub async fn note(
        &self,
        who: Worker<'_>,
        number: &str,
        body: &str,
        mut uploads: Vec<Upload>,
        alert_assignee: bool,
    ) -> Result<()> {
        let agent = who.agent();
        let mut p = Problem::default();
        let body = validate::text(&mut p, "note", body, MAX_BODY);
        self.check_uploads(&uploads, &mut p);
        let Some(body) = body else {
            return Err(CoreError::Invalid(p));
        };
        if p.is_empty() {
            self.scan_uploads(&mut uploads, &mut p).await;
        }
        p.into_result()?;
        let files = self.commit_blobs(uploads).await?;
        let (mut tx, ticket) = self.work_on(who, number).await?;
        let now = Timestamp::now();
        let entry = agent_entry(
            self,
            &mut tx.h(),
            ticket.id,
            agent,
            EntryKind::Note,
            &body,
            now,
        )
        .await?;
        self.store_uploads(&mut tx.h(), ticket.id, entry, files)
            .await?;
        tx.h().touch_ticket(ticket.id, now).await?;
        if alert_assignee {
            let to = notify::assignees(&mut tx.h(), &ticket, Some(agent.id)).await?;
            notify::agent_alert(
                self,
                &mut tx.h(),
                &ticket,
                &to,
                "note",
                &agent.display_name,
                &body,
            )
            .await?;
        }
        self.notify_mentions(
            &mut tx.h(),
            &ticket,
            &body,
            agent.id,
            &agent.display_name,
            now,
        )
        .await?;
        tx.h().reindex_ticket(ticket.id).await?;
        self.finish_as(tx, agent, ticket.id, now, ChangeKind::Entry)
            .await
    }

    /// Assigns to an agent and/or a team; the assignee is alerted and the requester told.
    pub async fn assign(
        &self,
        who: Worker<'_>,
        number: &str,
        to_agent: Option<AgentId>,
        to_team: Option<TeamId>,
    ) -> Result<()> {
        let agent = who.agent();
        if to_agent.is_none() && to_team.is_none() {
            let mut p = Problem::default();
            p.add("assignee", "error-assignee");
            return Err(CoreError::Invalid(p));
        }
        let (tx, ticket) = self.work_on(who, number).await?;
        self.assign_in(tx, agent, &ticket, to_agent, to_team).await
    }

    async fn assign_in(
        &self,
        mut tx: Tx,
        agent: &Agent,
        ticket: &Ticket,
        to_agent: Option<AgentId>,
        to_team: Option<TeamId>,
    ) -> Result<()> {
        let now = Timestamp::now();
        let agent_name = match to_agent {
            Some(a) => Some(
                tx.h()
                    .agent_brief(a)
                    .await
                    .map_err(|_| invalid("assignee", "error-assignee"))?
                    .display_name,
            ),
            None => None,
        };
        let team_name = match to_team {
            Some(t) => Some(
                tx.h()
                    .team_name(t)
                    .await
                    .map_err(|_| invalid("assignee", "error-assignee"))?,
            ),
            None => None,
        };
        tx.h()
            .set_assignee(ticket.id, to_agent, to_team, now)
            .await?;
        let claimed = to_agent == Some(agent.id) && to_team.is_none();
        let e = if claimed {
            TicketEvent::Claimed
        } else {
            TicketEvent::Assigned {
                agent: agent_name.clone(),
                team: team_name.clone(),
            }
        };
        event(self, &mut tx.h(), ticket.id, agent, e, now).await?;
        let mut updated = ticket.clone();
        updated.assignee_agent = to_agent.zip(agent_name.clone());
        updated.assignee_team = to_team.zip(team_name.clone());
        let to = notify::assignees(&mut tx.h(), &updated, Some(agent.id)).await?;
        notify::agent_alert(
            self,
            &mut tx.h(),
            &updated,
            &to,
            "assigned",
            &agent.display_name,
            "",
        )
        .await?;
        let kind = if updated.assignee_agent.is_some() {
            NoticeKind::Assigned
        } else {
            NoticeKind::Team
        };
        let ids: Vec<AgentId> = to.iter().map(|a| AgentId(a.agent_id)).collect();
        self.notify_in_app(&mut tx.h(), ticket.id, &ids, kind, &agent.display_name, now)
            .await?;
        // Participants hear that a person now takes care of it; a team or a department
        // taking it over is an internal shuffle that tells them nothing.
        let before = ticket.assignee_agent.as_ref().map(|(id, _)| *id);
        if let Some((_, name)) = to_agent
            .zip(agent_name)
            .filter(|(id, _)| Some(*id) != before)
        {
            let changes = notify::Changes::agent(&name);
            notify::notice_to_participants(self, &mut tx.h(), &updated, changes).await?;
        } else if to_agent.is_none() && before.is_some() {
            notify::agent_withdrawn(self, &mut tx.h(), &updated).await?;
        }
        self.finish(tx, agent, ticket.id, now).await
    }

    /// Accepts a message that was held because its mail failed authentication (issue 21):
    /// from now on it is the requester's message as any other — they see it, the ticket
    /// counts it as their latest message, webhooks hear of it. Accepting twice, or an entry
    /// that is not held, is refused.
    pub async fn accept_held_mail(
        &self,
        who: Worker<'_>,
        number: &str,
        entry: ThreadEntryId,
    ) -> Result<()> {
        let agent = who.agent();
        let (mut tx, ticket) = self.work_on(who, number).await?;
        if !tx.h().release_held_entry(ticket.id, entry).await? {
            let mut p = Problem::default();
            p.add("form", "mailauth-not-held");
            return Err(CoreError::Invalid(p));
        }
        let now = Timestamp::now();
        tx.h().touch_ticket_message(ticket.id, now).await?;
        self.queue_webhooks(
            &mut tx.h(),
            WebhookEvent::Message,
            ticket.id,
            Some(entry),
            None,
            now,
        )
        .await?;
        tx.h().reindex_ticket(ticket.id).await?;
        self.finish(tx, agent, ticket.id, now).await
    }

    /// Takes a ticket for oneself.
    pub async fn claim(&self, who: Worker<'_>, number: &str) -> Result<()> {
        let agent = who.agent();
        let (tx, ticket) = self.work_on(who, number).await?;
        let team = ticket.assignee_team.as_ref().map(|(t, _)| *t);
        self.assign_in(
            tx,
            agent,
            &ticket,
            Some(agent.id),
            team.filter(|t| agent.teams.contains(t)),
        )
        .await
    }

    /// Gives a ticket back: it becomes unassigned (the team keeps it if there is one).
    pub async fn release(&self, who: Worker<'_>, number: &str) -> Result<()> {
        let agent = who.agent();
        let (mut tx, ticket) = self.work_on(who, number).await?;
        let now = Timestamp::now();
        let team = ticket.assignee_team.as_ref().map(|(t, _)| *t);
        tx.h().set_assignee(ticket.id, None, team, now).await?;
        event(
            self,
            &mut tx.h(),
            ticket.id,
            agent,
            TicketEvent::Released,
            now,
        )
        .await?;
        notify::agent_withdrawn(self, &mut tx.h(), &ticket).await?;
        self.finish(tx, agent, ticket.id, now).await
    }

    /// Moves a ticket to another department with a comment (recorded as a note, and
    /// limited as one: `comment` is refused when too long or with control characters).
    pub async fn transfer(
        &self,
        who: Worker<'_>,
        number: &str,
        to: DepartmentId,
        comment: &str,
    ) -> Result<()> {
        let agent = who.agent();
        // Kept as a note: the same limits as one, but it may be empty.
        let comment = comment.trim();
        if !comment.is_empty() {
            let mut p = Problem::default();
            validate::text(&mut p, "comment", comment, MAX_BODY);
            p.into_result()?;
        }
        let (mut tx, ticket) = self.work_on(who, number).await?;
        self.transfer_in(&mut tx, agent, &ticket, to, comment)
            .await?;
        self.finish(tx, agent, ticket.id, Timestamp::now()).await
    }

    async fn transfer_in(
        &self,
        tx: &mut Tx,
        agent: &Agent,
        ticket: &Ticket,
        to: DepartmentId,
        comment: &str,
    ) -> Result<()> {
        let now = Timestamp::now();
        let to_name = tx
            .h()
            .department_name(to)
            .await
            .map_err(|_| invalid("department", "error-department"))?;
        if to == ticket.department.id {
            return Ok(());
        }
        tx.h().set_department(ticket.id, to, now).await?;
        let e = TicketEvent::Transferred {
            from: ticket.department.name.clone(),
            to: to_name.clone(),
        };
        event(self, &mut tx.h(), ticket.id, agent, e, now).await?;
        let comment = comment.trim();
        if !comment.is_empty() {
            agent_entry(
                self,
                &mut tx.h(),
                ticket.id,
                agent,
                EntryKind::Note,
                comment,
                now,
            )
            .await?;
            tx.h().reindex_ticket(ticket.id).await?;
        }
        let mut moved = ticket.clone();
        moved.department.id = to;
        moved.department.name = to_name;
        if moved.assignee_agent.is_none() && moved.assignee_team.is_none() {
            let to = tx.h().department_alert_recipients(to, false).await?;
            let to: Vec<_> = to
                .into_iter()
                .filter(|a| a.agent_id != agent.id.0)
                .collect();
            notify::agent_alert(
                self,
                &mut tx.h(),
                &moved,
                &to,
                "transferred",
                &agent.display_name,
                comment,
            )
            .await?;
        }
        Ok(())
    }

    /// Changes the status (open, resolved, closed; reopening is setting open).
    pub async fn change_status(
        &self,
        who: Worker<'_>,
        number: &str,
        s: TicketStatus,
    ) -> Result<()> {
        let agent = who.agent();
        let (mut tx, ticket) = self.work_on(who, number).await?;
        let now = Timestamp::now();
        self.status_in(&mut tx, agent, &ticket, s, now).await?;
        self.finish(tx, agent, ticket.id, now).await
    }

    /// Sets the status in the caller's transaction, with its event, if it changes.
    async fn status_in(
        &self,
        tx: &mut Tx,
        agent: &Agent,
        ticket: &Ticket,
        s: TicketStatus,
        now: Timestamp,
    ) -> Result<()> {
        if s != ticket.status {
            tx.h().set_status(ticket.id, s, now).await?;
            let e = TicketEvent::Status {
                from: ticket.status.as_str().into(),
                to: s.as_str().into(),
            };
            event(self, &mut tx.h(), ticket.id, agent, e, now).await?;
            let changes = notify::Changes::status(ticket.status, s);
            notify::notice_to_participants(self, &mut tx.h(), ticket, changes).await?;
        }
        Ok(())
    }

    /// Changes status, priority and due date together (the ticket page's one form): one
    /// transaction, one event for each value that changes and none for those that stay.
    /// The due date is checked before anything is written.
    pub async fn change_state(
        &self,
        who: Worker<'_>,
        number: &str,
        c: &StateChange<'_>,
    ) -> Result<()> {
        let agent = who.agent();
        let due = parse_due(c.due, self.settings().time_zone)?;
        let (mut tx, ticket) = self.work_on(who, number).await?;
        let now = Timestamp::now();
        self.status_in(&mut tx, agent, &ticket, c.status, now)
            .await?;
        self.priority_in(&mut tx, agent, &ticket, c.priority)
            .await?;
        if due != ticket.due_at {
            self.due_in(&mut tx, agent, &ticket, due, c.due.trim(), now)
                .await?;
        }
        self.finish(tx, agent, ticket.id, now).await
    }

    /// Changes the priority.
    pub async fn change_priority(&self, who: Worker<'_>, number: &str, p: Priority) -> Result<()> {
        let agent = who.agent();
        let (mut tx, ticket) = self.work_on(who, number).await?;
        self.priority_in(&mut tx, agent, &ticket, p).await?;
        self.finish(tx, agent, ticket.id, Timestamp::now()).await
    }

    async fn priority_in(
        &self,
        tx: &mut Tx,
        agent: &Agent,
        ticket: &Ticket,
        p: Priority,
    ) -> Result<()> {
        let now = Timestamp::now();
        if p != ticket.priority {
            tx.h().set_priority(ticket.id, p, now).await?;
            let e = TicketEvent::Priority {
                from: ticket.priority.as_str().into(),
                to: p.as_str().into(),
            };
            event(self, &mut tx.h(), ticket.id, agent, e, now).await?;
        }
        Ok(())
    }

    /// Sets or clears the due date (`YYYY-MM-DD`, due at the end of that day in the
    /// installation's time zone).
    pub async fn change_due(&self, who: Worker<'_>, number: &str, date: &str) -> Result<()> {
        let agent = who.agent();
        let due = parse_due(date, self.settings().time_zone)?;
        let (mut tx, ticket) = self.work_on(who, number).await?;
        let now = Timestamp::now();
        self.due_in(&mut tx, agent, &ticket, due, date.trim(), now)
            .await?;
        self.finish(tx, agent, ticket.id, now).await
    }

    /// Sets the due date in the caller's transaction, with its event (`date` as typed).
    async fn due_in(
        &self,
        tx: &mut Tx,
        agent: &Agent,
        ticket: &Ticket,
        due: Option<Timestamp>,
        date: &str,
        now: Timestamp,
    ) -> Result<()> {
        tx.h().set_due(ticket.id, due, now).await?;
        let e = TicketEvent::Due {
            due: date.to_owned(),
        };
        event(self, &mut tx.h(), ticket.id, agent, e, now).await
    }

    /// Adds a collaborator by address; they get their own access link by mail.
    pub async fn add_collaborator(
        &self,
        who: Worker<'_>,
        number: &str,
        email: &str,
        name: &str,
    ) -> Result<()> {
        let agent = who.agent();
        let email = EmailAddress::parse(email).ok_or_else(|| invalid("email", "error-email"))?;
        let name = name.trim();
        if name.chars().count() > MAX_NAME {
            return Err(invalid("name", "error-too-long"));
        }
        if name.contains('\0') {
            return Err(invalid("name", "error-bad-characters"));
        }
        let display = if name.is_empty() {
            email.as_str().split('@').next().unwrap_or("").to_owned()
        } else {
            name.to_owned()
        };
        let (mut tx, ticket) = self.work_on(who, number).await?;
        let now = Timestamp::now();
        let contact = tx
            .h()
            .upsert_contact(
                email.as_str(),
                &email.key(),
                &display,
                self.settings().default_lang,
            )
            .await?;
        if contact == ticket.requester.id {
            return Err(invalid("email", "error-collaborator-requester"));
        }
        if tx.h().add_collaborator(ticket.id, contact).await? {
            event(
                self,
                &mut tx.h(),
                ticket.id,
                agent,
                TicketEvent::CollaboratorAdded {
                    email: email.to_string(),
                },
                now,
            )
            .await?;
            tx.h().touch_ticket(ticket.id, now).await?;
            let c = tx.h().contact(contact).await?;
            notify::collaborator_added(self, &mut tx.h(), &ticket, agent, &c).await?;
        }
        self.finish(tx, agent, ticket.id, now).await
    }

    /// Removes a collaborator; their access links stop working.
    pub async fn remove_collaborator(
        &self,
        who: Worker<'_>,
        number: &str,
        contact: ContactId,
    ) -> Result<()> {
        let agent = who.agent();
        let (mut tx, ticket) = self.work_on(who, number).await?;
        let now = Timestamp::now();
        let c = tx.h().contact(contact).await?;
        if tx.h().remove_collaborator(ticket.id, contact).await? {
            tx.h().revoke_access_tokens(ticket.id, contact).await?;
            tx.h().delete_grants(ticket.id, contact).await?;
            event(
                self,
                &mut tx.h(),
                ticket.id,
                agent,
                TicketEvent::CollaboratorRemoved { email: c.email },
                now,
            )
            .await?;
        }
        self.finish(tx, agent, ticket.id, now).await
    }

    /// Ends a participant's access to a ticket at once: every access link of theirs stops
    /// working and every browser session that opened the ticket as them loses it. They can
    /// still get back in with ticket number and address (or a new link from the next mail).
    pub async fn revoke_access(
        &self,
        who: Worker<'_>,
        number: &str,
        contact: ContactId,
    ) -> Result<()> {
        let agent = who.agent();
        let (mut tx, ticket) = self.work_on(who, number).await?;
        let now = Timestamp::now();
        if !tx.h().is_participant(ticket.id, contact).await? {
            return Err(CoreError::NotFound);
        }
        let c = tx.h().contact(contact).await?;
        tx.h().revoke_access_tokens(ticket.id, contact).await?;
        tx.h().delete_grants(ticket.id, contact).await?;
        event(
            self,
            &mut tx.h(),
            ticket.id,
            agent,
            TicketEvent::AccessRevoked { email: c.email },
            now,
        )
        .await?;
        self.finish(tx, agent, ticket.id, now).await
    }

    /// Applies one action to several tickets; tickets the agent may not change are
    /// skipped. Returns how many were changed.
    pub async fn bulk(
        &self,
        who: Worker<'_>,
        numbers: &[String],
        action: BulkAction,
    ) -> Result<usize> {
        let agent = who.agent();
        let mut done = 0;
        for n in numbers.iter().take(200) {
            let (mut tx, ticket) = match self.work_on(who, n).await {
                Ok(x) => x,
                Err(CoreError::NotFound | CoreError::Forbidden) => continue,
                Err(e) => return Err(e),
            };
            let now = Timestamp::now();
            match action {
                BulkAction::AssignAgent(a) => {
                    self.assign_in(tx, agent, &ticket, Some(a), None).await?;
                    done += 1;
                    continue;
                }
                BulkAction::AssignTeam(t) => {
                    self.assign_in(tx, agent, &ticket, None, Some(t)).await?;
                    done += 1;
                    continue;
                }
                BulkAction::Transfer(d) => self.transfer_in(&mut tx, agent, &ticket, d, "").await?,
                BulkAction::Priority(p) => self.priority_in(&mut tx, agent, &ticket, p).await?,
                BulkAction::Close => {
                    if ticket.status != TicketStatus::Closed {
                        tx.h()
                            .set_status(ticket.id, TicketStatus::Closed, now)
                            .await?;
                        let e = TicketEvent::Status {
                            from: ticket.status.as_str().into(),
                            to: "closed".into(),
                        };
                        event(self, &mut tx.h(), ticket.id, agent, e, now).await?;
                        let changes = notify::Changes::status(ticket.status, TicketStatus::Closed);
                        notify::notice_to_participants(self, &mut tx.h(), &ticket, changes).await?;
                    }
                }
            }
            self.finish(tx, agent, ticket.id, now).await?;
            done += 1;
        }
        Ok(done)
    }

    /// Alerts about tickets that became overdue since the last run; returns how many.
    pub async fn alert_overdue(&self) -> Result<usize> {
        let now = Timestamp::now();
        let mut conn = self.db().conn().await?;
        let due = conn.h().overdue_unalerted(now).await?;
        drop(conn);
        let mut n = 0;
        for id in due {
            let mut tx = self.db().begin().await?;
            if !tx.h().mark_overdue_alerted(TicketId(id), now).await? {
                continue;
            }
            let ticket = tx.h().ticket(TicketId(id)).await?;
            let mut to = notify::assignees(&mut tx.h(), &ticket, None).await?;
            if to.is_empty() {
                to = tx
                    .h()
                    .department_alert_recipients(ticket.department.id, true)
                    .await?;
            }
            notify::agent_alert(self, &mut tx.h(), &ticket, &to, "overdue", "", "").await?;
            tx.commit().await?;
            n += 1;
        }
        if n > 0 {
            self.changed();
        }
        Ok(n)
    }
}

/// A due date as the ticket page's date field gives it (`YYYY-MM-DD`, due at the end of that
/// day in the installation's time zone `tz`); empty for none.
fn parse_due(date: &str, tz: tessera_domain::Tz) -> Result<Option<Timestamp>> {
    let date = date.trim();
    if date.is_empty() {
        return Ok(None);
    }
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|_| invalid("due", "error-date"))?;
    let end = d
        .and_hms_opt(23, 59, 59)
        .ok_or_else(|| invalid("due", "error-date"))?;
    let at = chrono::TimeZone::from_local_datetime(&tz, &end)
        .latest()
        .map(|t| t.timestamp_micros())
        .unwrap_or_else(|| end.and_utc().timestamp_micros());
    Ok(Some(Timestamp(at)))
}

fn invalid(field: &'static str, key: &'static str) -> CoreError {
    let mut p = Problem::default();
    p.add(field, key);
    CoreError::Invalid(p)
}
