//! Saved views: an agent's named queues with their filters, order and page size; an
//! administrator may share one with every agent. Only its owner deletes a view.

use tessera_domain::{Problem, Queue, SavedView, Timestamp};
use tessera_store::SavedViewRow;

use crate::{CoreError, Result, SignedIn, Tessera};

/// The longest name of a view, in characters.
pub const MAX_VIEW_NAME: usize = 60;
/// The longest query string a view keeps, in bytes.
pub const MAX_VIEW_QUERY: usize = 1000;
/// How many views an agent may own.
pub const MAX_VIEWS: i64 = 50;
/// How many views a queue page lists: an agent's own and the shared ones.
const LISTED: i64 = 200;

/// What an agent asks to save.
#[derive(Debug, Clone)]
pub struct NewView<'a> {
    /// The name.
    pub name: &'a str,
    /// The queue.
    pub queue: Queue,
    /// The queue page's query string, without cursor and page number.
    pub query: &'a str,
    /// Share with every agent (administrators only).
    pub shared: bool,
}

fn invalid(field: &'static str, key: &'static str) -> CoreError {
    let mut p = Problem::default();
    p.add(field, key);
    CoreError::Invalid(p)
}

fn view(agent: i64, r: SavedViewRow) -> Option<SavedView> {
    Some(SavedView {
        id: r.saved_view_id,
        queue: Queue::parse(&r.queue)?,
        own: r.agent_id == agent,
        name: r.name,
        query: r.query,
        shared: r.is_shared,
    })
}

impl Tessera {
    /// The views an agent sees: their own and the shared ones, by name.
    pub async fn saved_views(&self, who: &SignedIn) -> Result<Vec<SavedView>> {
        let me = who.agent().id.0;
        let mut conn = self.db().conn().await?;
        let rows = conn.h().saved_views(me, LISTED).await?;
        Ok(rows.into_iter().filter_map(|r| view(me, r)).collect())
    }

    /// Saves a view of the agent's; refused with a field error (`name`, `shared`, `query`)
    /// when the name is missing or too long, the agent has `MAX_VIEWS` already, or someone
    /// not an administrator asks to share.
    pub async fn save_view(&self, who: &SignedIn, v: &NewView<'_>) -> Result<i64> {
        let agent = who.agent();
        let name = v.name.trim();
        if name.is_empty() {
            return Err(invalid("name", "error-required"));
        }
        if name.chars().count() > MAX_VIEW_NAME {
            return Err(invalid("name", "error-too-long"));
        }
        if name.chars().any(char::is_control) || v.query.chars().any(char::is_control) {
            return Err(invalid("name", "error-bad-characters"));
        }
        if v.query.len() > MAX_VIEW_QUERY {
            return Err(invalid("name", "view-error-query-too-long"));
        }
        if v.shared && !agent.is_admin {
            return Err(invalid("shared", "view-error-share-admin"));
        }
        let mut tx = self.db().begin().await?;
        if tx.h().count_saved_views(agent.id.0).await? >= MAX_VIEWS {
            return Err(invalid("name", "view-error-too-many"));
        }
        let row = SavedViewRow {
            saved_view_id: 0,
            agent_id: agent.id.0,
            name: name.to_owned(),
            queue: v.queue.as_str().to_owned(),
            query: v.query.to_owned(),
            is_shared: v.shared,
        };
        let id = tx.h().insert_saved_view(&row, Timestamp::now()).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Deletes one of the agent's own views. Another agent's view, shared or not, is not
    /// theirs to delete: `Forbidden` when they can see it (shared), `NotFound` otherwise.
    pub async fn delete_view(&self, who: &SignedIn, id: i64) -> Result<()> {
        let me = who.agent().id.0;
        let mut tx = self.db().begin().await?;
        if tx.h().delete_saved_view(id, me).await? {
            tx.commit().await?;
            return Ok(());
        }
        drop(tx);
        let visible = self.saved_views(who).await?.into_iter().any(|v| v.id == id);
        Err(if visible {
            CoreError::Forbidden
        } else {
            CoreError::NotFound
        })
    }
}
