//! Who acts on tickets, and through what, as capabilities: values that only this crate
//! hands out and that the ticket use cases require. A use case that changes a ticket takes
//! a [`Worker`], one that only reads takes a [`Reader`], and a program opening tickets
//! holds an [`Opener`]; so a front end that skips a check does not compile, and the only
//! check left to each use case is the one that depends on the ticket itself (departments,
//! roles and assignment, `Agent::can_see` and `Agent::can_work`).
//!
//! An API key gets its capabilities from [`crate::ApiCaller`]: a read key a `Reader`, a
//! write key also a `Worker`, a create (or write) key an `Opener`. Its agent is private to
//! this crate, so the web cannot act as a key's agent beyond its scope. A signed-in agent
//! gets both from [`Worker::signed_in`]; a view-only role is refused per ticket.

use tessera_domain::Agent;

/// Through what an agent acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// A browser session of the agent's own.
    Session,
    /// An API key (its id) acting as its agent.
    ApiKey(i64),
}

/// An agent who may read the tickets they can see. Made by [`Worker::reader`] (a
/// signed-in agent or a write key) or [`crate::ApiCaller::reader`] (a read or write key).
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    agent: &'a Agent,
    via: Channel,
}

/// An agent who may change the tickets they can work on. Made by [`Worker::signed_in`]
/// or [`crate::ApiCaller::worker`] (write keys only).
#[derive(Debug, Clone, Copy)]
pub struct Worker<'a> {
    agent: &'a Agent,
    via: Channel,
}

/// A program that may open tickets as their requesters (a create or write key). Made by
/// [`crate::ApiCaller::opener`].
#[derive(Debug, Clone, Copy)]
pub struct Opener {
    pub(crate) key_id: i64,
    pub(crate) directory: i64,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(agent: &'a Agent, via: Channel) -> Self {
        Self { agent, via }
    }

    /// The agent (deliberately not public: a key's agent must not leave its scope).
    pub(crate) fn agent(&self) -> &'a Agent {
        self.agent
    }

    /// Through what the agent reads.
    pub fn via(&self) -> Channel {
        self.via
    }
}

impl<'a> Worker<'a> {
    /// An agent signed in with a session the caller checked (`Tessera::session_agent`):
    /// they may try to change any ticket; each use case then asks whether they may work
    /// on that one.
    pub fn signed_in(agent: &'a Agent) -> Self {
        Self {
            agent,
            via: Channel::Session,
        }
    }

    pub(crate) fn new(agent: &'a Agent, via: Channel) -> Self {
        Self { agent, via }
    }

    /// The same agent, reading.
    pub fn reader(&self) -> Reader<'a> {
        Reader::new(self.agent, self.via)
    }

    /// The agent (deliberately not public, as for `Reader`).
    pub(crate) fn agent(&self) -> &'a Agent {
        self.agent
    }

    /// Through what the agent works.
    pub fn via(&self) -> Channel {
        self.via
    }
}

impl<'a> From<Worker<'a>> for Reader<'a> {
    fn from(w: Worker<'a>) -> Self {
        w.reader()
    }
}
