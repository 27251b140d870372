//! Who acts on tickets, and through what, as capabilities: values that only this crate
//! hands out and that the ticket use cases require. A use case that changes a ticket takes
//! a [`Worker`], one that only reads takes a [`Reader`], and a program opening tickets
//! holds an [`Opener`]; so a front end that skips a check does not compile, and the only
//! check left to each use case is the one that depends on the ticket itself (departments,
//! roles and assignment, `Agent::can_see` and `Agent::can_work`).
//!
//! An API key gets its capabilities from [`crate::ApiCaller`]: a read key a `Reader`, a
//! write key also a `Worker`, a create (or write) key an `Opener`. Its agent is private to
//! this crate, so the web cannot act as a key's agent beyond its scope. A browser session's
//! agent gets both from a [`SignedIn`], which only `Tessera::session_agent` makes (from a
//! session core looked up itself): no `Agent` value a front end builds or keeps turns into
//! a capability. A view-only role is refused per ticket.

use std::ops::Deref;

use tessera_domain::Agent;

/// Through what an agent acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// A browser session of the agent's own.
    Session,
    /// An API key (its id) acting as its agent.
    ApiKey(i64),
}

/// An agent who may read the tickets they can see. Made by [`SignedIn::reader`],
/// [`Worker::reader`] or [`crate::ApiCaller::reader`] (a read or write key).
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    agent: &'a Agent,
    via: Channel,
}

/// An agent who may change the tickets they can work on. Made by [`SignedIn::worker`]
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
    /// A signed-in agent's worker made from an agent value, for integration tests that
    /// arrange agents themselves (the `testing` feature; never enabled in a build that
    /// serves, where only a [`SignedIn`] makes one).
    #[cfg(feature = "testing")]
    pub fn test_session(agent: &'a Agent) -> Self {
        Self::new(agent, Channel::Session)
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

/// An agent signed in with a browser session that core looked up: made only by
/// `Tessera::session_agent`, so a front end cannot make one from an `Agent` value. It
/// reads as the agent (`Deref`), and it is the session's way to the agent's capabilities.
#[derive(Debug, Clone)]
pub struct SignedIn {
    agent: Agent,
}

impl SignedIn {
    pub(crate) fn new(agent: Agent) -> Self {
        Self { agent }
    }

    /// The agent, changing tickets: they may try to change any ticket; each use case then
    /// asks whether they may work on that one.
    pub fn worker(&self) -> Worker<'_> {
        Worker::new(&self.agent, Channel::Session)
    }

    /// The agent, reading the tickets they can see.
    pub fn reader(&self) -> Reader<'_> {
        Reader::new(&self.agent, Channel::Session)
    }

    /// The agent as the actor of an administrative use case.
    pub fn actor(&self) -> crate::Actor<'_> {
        crate::Actor::Agent(self)
    }

    /// For integration tests: an agent as if signed in.
    #[cfg(feature = "testing")]
    pub fn test_session(agent: Agent) -> Self {
        Self { agent }
    }

    /// The signed-in agent.
    pub fn agent(&self) -> &Agent {
        &self.agent
    }
}

impl Deref for SignedIn {
    type Target = Agent;

    fn deref(&self) -> &Agent {
        &self.agent
    }
}
