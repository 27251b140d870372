//! Saved views: an agent's named queues with their filters (migration 0038).

use sqlx::FromRow;
use tessera_domain::Timestamp;

use crate::{Handle, Result, db::on};

/// A saved view as stored.
#[derive(Debug, Clone, FromRow)]
pub struct SavedViewRow {
    /// Key.
    pub saved_view_id: i64,
    /// Whose it is.
    pub agent_id: i64,
    /// What the agent calls it.
    pub name: String,
    /// The queue's URL name.
    pub queue: String,
    /// The query string of the queue page (filters, order, page size).
    pub query: String,
    /// Shown to every agent.
    pub is_shared: bool,
}

impl Handle<'_> {
    /// The views an agent sees: their own and those shared with everyone, by name; at most
    /// `limit`.
    pub async fn saved_views(&mut self, agent: i64, limit: i64) -> Result<Vec<SavedViewRow>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT saved_view_id, agent_id, name, queue, query, is_shared FROM saved_view
             WHERE agent_id = $1 OR is_shared
             ORDER BY name, saved_view_id LIMIT $2")
            .bind(agent).bind(limit).fetch_all(c).await?))
    }

    /// How many views an agent owns.
    pub async fn count_saved_views(&mut self, agent: i64) -> Result<i64> {
        on!(self, c => Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM saved_view WHERE agent_id = $1")
            .bind(agent).fetch_one(c).await?))
    }

    /// Saves a new view; returns its id.
    pub async fn insert_saved_view(&mut self, v: &SavedViewRow, now: Timestamp) -> Result<i64> {
        on!(self, c => Ok(sqlx::query_scalar(
            "INSERT INTO saved_view (agent_id, name, queue, query, is_shared, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING saved_view_id")
            .bind(v.agent_id).bind(&v.name).bind(&v.queue).bind(&v.query).bind(v.is_shared)
            .bind(now.0).fetch_one(c).await?))
    }

    /// Deletes a view if `agent` owns it; whether one was deleted.
    pub async fn delete_saved_view(&mut self, id: i64, agent: i64) -> Result<bool> {
        let n = on!(self, c => sqlx::query(
            "DELETE FROM saved_view WHERE saved_view_id = $1 AND agent_id = $2")
            .bind(id).bind(agent).execute(c).await?.rows_affected());
        Ok(n > 0)
    }
}
