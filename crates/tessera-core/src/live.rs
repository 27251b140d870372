//! The live bus: every committed ticket change on this node becomes a small event that the
//! agents' open pages hear of (`GET /agent/events`), each agent only of the tickets they may
//! see. Events are announced AFTER the commit, so a page that re-fetches on an event finds
//! the change.
//!
//! Cost: with nobody listening an announcement is one check of the receiver count and
//! nothing else (no read, no allocation). With listeners, one read of the ticket per change
//! (not per listener) and one shared ring of `CAPACITY` events; each listener keeps only its
//! position in the ring, so a slow one costs no memory: it falls behind, is told to reload
//! and carries on from the newest event.
//!
//! One node only: the sender is fed by this node's commits. Several nodes (issue 25) can
//! feed the same sender from PostgreSQL's `LISTEN/NOTIFY` by calling `publish` with what
//! another node announced — nothing here assumes the change was made in this process.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use tessera_domain::{AgentId, Ownership, TicketId};
use tokio::sync::{broadcast, watch};

use crate::{Result, SignedIn, Tessera};

/// Events kept for listeners that fall behind; past it they get `LiveEvent::Reload`.
const CAPACITY: usize = 256;

/// How often an open stream says it is alive (and checks that its session still is).
pub const HEARTBEAT: Duration = Duration::from_secs(25);

/// What changed on a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// A new ticket.
    New,
    /// A new entry in its thread (a message, reply or note).
    Entry,
    /// Anything else: status, assignment, department, priority, due date, collaborators.
    Update,
}

impl ChangeKind {
    /// The stable name front ends send.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::New => "new",
            ChangeKind::Entry => "entry",
            ChangeKind::Update => "update",
        }
    }
}

/// One committed change, as the bus carries it.
#[derive(Debug)]
pub(crate) struct Change {
    number: String,
    /// Who owns the ticket now, and who owned it before the change when that was noted
    /// (an agent who saw it before hears that it left their queue).
    ownership: Vec<Ownership>,
    kind: ChangeKind,
    /// Agents who got a notification with the change (their bell's count moves).
    notified: Vec<AgentId>,
}

/// The bus of one node.
pub(crate) struct Bus {
    tx: broadcast::Sender<Arc<Change>>,
    /// Turns true when the node stops: open streams end, so the server can stop.
    closed: watch::Sender<bool>,
    /// What a transaction not yet announced noted, per ticket.
    pending: Mutex<HashMap<TicketId, Pending>>,
}

/// What a change's transaction notes for its announcement.
#[derive(Debug, Default)]
struct Pending {
    notified: Vec<AgentId>,
    before: Vec<Ownership>,
}

impl Default for Bus {
    fn default() -> Self {
        Self {
            tx: broadcast::Sender::new(CAPACITY),
            closed: watch::Sender::new(false),
            pending: Mutex::default(),
        }
    }
}

impl Bus {
    /// Notes agents notified in a transaction on `t`; the announcement after its commit
    /// carries them. (A transaction that rolls back leaves them for the next announcement
    /// of the ticket, which then only makes their bells re-count.)
    pub(crate) fn notified(&self, t: TicketId, agents: &[AgentId]) {
        if agents.is_empty() {
            return;
        }
        self.note(t, |p| p.notified.extend_from_slice(agents));
    }

    /// Notes who owned ticket `t` before a change (read by the transaction that changes it).
    pub(crate) fn owned_before(&self, t: TicketId, own: Ownership) {
        self.note(t, |p| p.before.push(own));
    }

    fn note(&self, t: TicketId, f: impl FnOnce(&mut Pending)) {
        if self.tx.receiver_count() == 0 {
            return;
        }
        let mut map = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 10_000 {
            map.clear();
        }
        f(map.entry(t).or_default());
    }
}

/// What a stream tells its page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEvent {
    /// A ticket the agent may see changed.
    Ticket {
        /// Its public number.
        number: String,
        /// What changed.
        kind: ChangeKind,
    },
    /// The agent's count of unread notifications changed.
    Unread(i64),
    /// Events were missed (the page fell behind): re-fetch what is shown.
    Reload,
    /// Nothing happened for `HEARTBEAT`; the session is still valid.
    Heartbeat,
}

/// One agent's stream of events (one per open browser tab).
pub struct LiveStream {
    app: Tessera,
    agent: SignedIn,
    cookie: String,
    rx: broadcast::Receiver<Arc<Change>>,
    closed: watch::Receiver<bool>,
    /// An unread count to send after the ticket event that changed it.
    unread: Option<i64>,
    heartbeat: tokio::time::Interval,
}

impl LiveStream {
    /// The next event; `None` when the stream is over (the session ended, the agent was
    /// disabled, or the node is stopping).
    pub async fn next(&mut self) -> Option<LiveEvent> {
        if let Some(n) = self.unread.take() {
            return Some(LiveEvent::Unread(n));
        }
        loop {
            let received = tokio::select! {
                r = self.rx.recv() => r,
                () = closed(&mut self.closed) => return None,
                _ = self.heartbeat.tick() => {
                    return match self.app.live_session(&self.cookie).await {
                        Ok(Some(agent)) => {
                            // Memberships may have changed: filter by the current ones.
                            self.agent = agent;
                            Some(LiveEvent::Heartbeat)
                        }
                        Ok(None) => None,
                        // The database is away for a moment: keep the page, try again later.
                        Err(_) => Some(LiveEvent::Heartbeat),
                    };
                }
            };
            let change = match received {
                Ok(c) => c,
                Err(broadcast::error::RecvError::Lagged(_)) => return Some(LiveEvent::Reload),
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            if !change.ownership.iter().any(|o| self.agent.can_see(*o)) {
                continue;
            }
            if change.notified.contains(&self.agent.id) {
                self.unread = self.app.unread_of(self.agent.id).await.ok();
            }
            return Some(LiveEvent::Ticket {
                number: change.number.clone(),
                kind: change.kind,
            });
        }
    }
}

/// Returns once the node stops (or its bus is gone).
async fn closed(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|c| *c).await;
}

impl Tessera {
    /// Opens a stream of the changes a signed-in agent may see; `cookie` is their session's,
    /// checked at every heartbeat so that the stream ends with the session.
    pub fn live(&self, agent: SignedIn, cookie: String) -> LiveStream {
        let start = tokio::time::Instant::now() + HEARTBEAT;
        let mut heartbeat = tokio::time::interval_at(start, HEARTBEAT);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        LiveStream {
            app: self.clone(),
            agent,
            cookie,
            rx: self.inner.live.tx.subscribe(),
            closed: self.inner.live.closed.subscribe(),
            unread: None,
            heartbeat,
        }
    }

    /// Streams open on this node now.
    pub fn live_listeners(&self) -> usize {
        self.inner.live.tx.receiver_count()
    }

    /// Ends every open stream (the node is stopping; an open stream would hold the server's
    /// graceful stop forever).
    pub fn end_live_streams(&self) {
        self.inner.live.closed.send_replace(true);
    }

    /// The agent behind a session cookie now, without recording activity: an open page
    /// does not keep its session from expiring.
    async fn live_session(&self, cookie: &str) -> Result<Option<SignedIn>> {
        let Some(session) = self.session_peek(cookie).await? else {
            return Ok(None);
        };
        self.session_agent(&session).await
    }

    /// Announces a committed change of ticket `t`. Call it after the commit, never before.
    pub(crate) fn announce(&self, t: TicketId, kind: ChangeKind) {
        let bus = &self.inner.live;
        if bus.tx.receiver_count() == 0 {
            return;
        }
        let Pending {
            notified,
            mut before,
        } = bus
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&t)
            .unwrap_or_default();
        let app = self.clone();
        tokio::spawn(async move {
            // Read after the commit: the ticket's department and assignee as they are now.
            let ticket = match app.db().conn().await {
                Ok(mut c) => c.h().ticket(t).await,
                Err(e) => Err(e),
            };
            match ticket {
                Ok(ticket) => app.publish(Change {
                    number: ticket.number.clone(),
                    ownership: {
                        before.insert(0, crate::work::ownership(&ticket));
                        before
                    },
                    kind,
                    notified,
                }),
                Err(e) => tracing::debug!(ticket = t.0, error = %e, "live event not sent"),
            }
        });
    }

    /// Hands a change to every listener of this node.
    fn publish(&self, change: Change) {
        // No receiver left since the check: nobody to tell.
        let _ = self.inner.live.tx.send(Arc::new(change));
    }
}
