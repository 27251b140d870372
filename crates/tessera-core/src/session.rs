//! Browser sessions, kept in the database so that they survive restarts and work on every
//! node. The cookie holds a split token; only the verifier's hash is stored.

use tessera_domain::{AgentId, Timestamp};
use tessera_store::{Grant, Handle};

use crate::{Result, Tessera, token};

/// An authenticated browser session.
#[derive(Debug, Clone)]
pub struct Session {
    /// Key.
    pub id: i64,
    /// The signed-in agent, if any.
    pub agent_id: Option<AgentId>,
    /// The directory's generation read with the session (`None` for one just started): a
    /// copy of the directory made at this generation is current for this request.
    pub directory: Option<i64>,
}

/// Activity is recorded at most this often, so that reading pages does not write every time.
const TOUCH_EVERY_SECS: i64 = 60;

impl Tessera {
    /// Starts a session; returns it and the cookie value.
    pub async fn start_session(&self, agent: Option<AgentId>) -> Result<(Session, String)> {
        let mut tx = self.db().begin().await?;
        let started = self.insert_session(&mut tx.h(), agent).await?;
        tx.commit().await?;
        Ok(started)
    }

    /// Writes a new session in the caller's transaction; returns it and the cookie value.
    pub(crate) async fn insert_session(
        &self,
        h: &mut Handle<'_>,
        agent: Option<AgentId>,
    ) -> Result<(Session, String)> {
        let minted = token::mint();
        let cfg = self.config();
        let absolute = if agent.is_some() {
            cfg.agent_session_absolute_secs
        } else {
            cfg.session_absolute_secs
        };
        let expires = Timestamp::now().plus_secs(absolute);
        let id = h
            .insert_session(&minted.selector, &minted.verifier_hash, agent, expires)
            .await?;
        Ok((
            Session {
                id,
                agent_id: agent,
                directory: None,
            },
            minted.token,
        ))
    }

    /// The session a cookie value stands for, if it is valid and not expired.
    pub async fn session(&self, cookie: &str) -> Result<Option<Session>> {
        let Some((selector, verifier)) = token::split(cookie) else {
            return Ok(None);
        };
        let mut conn = self.db().conn().await?;
        let Some(row) = conn.h().session(selector).await? else {
            return Ok(None);
        };
        if !token::verify(verifier, &row.verifier_hash) {
            return Ok(None);
        }
        let now = Timestamp::now();
        let idle = if row.agent_id.is_some() {
            self.config().agent_session_idle_secs
        } else {
            self.config().session_idle_secs
        };
        let idle_end = Timestamp(row.last_seen_at).plus_secs(idle);
        drop(conn);
        if now.0 > row.expires_at || now > idle_end {
            let mut tx = self.db().begin().await?;
            tx.h().delete_session(row.session_id).await?;
            tx.commit().await?;
            return Ok(None);
        }
        if now.0 - row.last_seen_at > TOUCH_EVERY_SECS * 1_000_000 {
            let mut tx = self.db().begin().await?;
            tx.h().touch_session(row.session_id, now).await?;
            tx.commit().await?;
        }
        Ok(Some(Session {
            id: row.session_id,
            agent_id: row.agent_id.map(AgentId),
            directory: Some(row.directory),
        }))
    }

    /// The session a cookie value stands for if it is valid and not expired, read without
    /// recording activity or removing an expired one (an open event stream checks its
    /// session this way: it must not keep it alive).
    pub(crate) async fn session_peek(&self, cookie: &str) -> Result<Option<Session>> {
        let Some((selector, verifier)) = token::split(cookie) else {
            return Ok(None);
        };
        let mut conn = self.db().conn().await?;
        let Some(row) = conn.h().session(selector).await? else {
            return Ok(None);
        };
        if !token::verify(verifier, &row.verifier_hash) {
            return Ok(None);
        }
        let now = Timestamp::now();
        let idle = if row.agent_id.is_some() {
            self.config().agent_session_idle_secs
        } else {
            self.config().session_idle_secs
        };
        if now.0 > row.expires_at || now > Timestamp(row.last_seen_at).plus_secs(idle) {
            return Ok(None);
        }
        Ok(Some(Session {
            id: row.session_id,
            agent_id: row.agent_id.map(AgentId),
            directory: Some(row.directory),
        }))
    }

    /// Lets the browser see a ticket, always in a NEW session under a new token: a session
    /// whose token someone else planted or saw (session fixation) must not receive the
    /// ticket. The new session carries over `previous`'s grants (and its agent, if one is
    /// signed in); `previous` is deleted in the same transaction. Returns the new session
    /// and its cookie value.
    pub async fn grant_in_new_session(
        &self,
        previous: Option<&Session>,
        grant: Grant,
    ) -> Result<(Session, String)> {
        let mut tx = self.db().begin().await?;
        let (session, cookie) = self.rotate_or_start(&mut tx.h(), previous).await?;
        tx.h().grant(session.id, grant).await?;
        tx.commit().await?;
        Ok((session, cookie))
    }

    /// A new session for a browser that gains access: `previous` rotated (its grants and
    /// agent carried over, it ends), or — with no earlier session, or one that ended
    /// meanwhile — a fresh requester session. Written on `h`, the caller's transaction.
    pub(crate) async fn rotate_or_start(
        &self,
        h: &mut Handle<'_>,
        previous: Option<&Session>,
    ) -> Result<(Session, String)> {
        if let Some(p) = previous {
            let minted = token::mint();
            let expires = Timestamp::now().plus_secs(self.config().session_absolute_secs);
            if let Some(id) = h
                .rotate_session(p.id, &minted.selector, &minted.verifier_hash, expires)
                .await?
            {
                let s = Session {
                    id,
                    agent_id: p.agent_id,
                    directory: None,
                };
                return Ok((s, minted.token));
            }
        }
        self.insert_session(h, None).await
    }

    /// Ends a session.
    pub async fn end_session(&self, session: &Session) -> Result<()> {
        let mut tx = self.db().begin().await?;
        tx.h().delete_session(session.id).await?;
        tx.commit().await?;
        Ok(())
    }
}
