//! Page views ("seen" and "has it open"), recorded off the request path. A ticket page used
//! to wait for a transaction of its own — on SQLite a place in the writer's queue and a
//! sync to disk — only to note that someone looked. Now the view goes into memory, and one
//! task writes whatever has gathered in one transaction while the next views gather.
//!
//! What this node shows takes the views not yet written into account, so an agent never
//! sees a ticket they just opened as unseen. A crash loses at most the views of the
//! moment: they are marks, not data. `Tessera::flush_view_marks` writes what is pending
//! and waits (at shutdown, and wherever the table has to be read as it stands).

use std::{
    collections::HashMap,
    sync::atomic::{AtomicBool, Ordering},
};

use tessera_domain::{AgentId, TicketId, Timestamp};

use crate::{Result, Tessera};

type Pending = HashMap<(AgentId, TicketId), Timestamp>;

#[derive(Default)]
pub(crate) struct ViewMarks {
    /// Views not yet known to be written: (agent, ticket) → when.
    pending: std::sync::Mutex<Pending>,
    /// Held while a batch is written, so that a flush waits for the one under way.
    writing: tokio::sync::Mutex<()>,
    /// A task writing batches is running.
    running: AtomicBool,
}

impl ViewMarks {
    fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        // A panic elsewhere while holding the lock leaves a map that is still whole.
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// When the agent's latest view of the ticket not yet written happened.
    pub(crate) fn pending_view(&self, agent: AgentId, ticket: TicketId) -> Option<Timestamp> {
        self.pending().get(&(agent, ticket)).copied()
    }

    /// The other agents whose views of the ticket since `since` are not yet written.
    pub(crate) fn pending_viewers(
        &self,
        ticket: TicketId,
        except: AgentId,
        since: Timestamp,
    ) -> Vec<AgentId> {
        self.pending()
            .iter()
            .filter(|&(&(a, t), &at)| t == ticket && a != except && at >= since)
            .map(|(&(a, _), _)| a)
            .collect()
    }

    /// Clears `unseen` on the rows the agent has viewed since they last changed.
    pub(crate) fn overlay<'r>(
        &self,
        agent: AgentId,
        rows: impl IntoIterator<Item = (TicketId, i64, &'r mut bool)>,
    ) {
        let pending = self.pending();
        if pending.is_empty() {
            return;
        }
        for (ticket, updated_at, unseen) in rows {
            if pending
                .get(&(agent, ticket))
                .is_some_and(|at| at.0 >= updated_at)
            {
                *unseen = false;
            }
        }
    }
}

impl Tessera {
    /// Notes that the agent has seen the ticket and has it open, as of `at`; written soon.
    pub(crate) fn record_view(&self, agent: AgentId, ticket: TicketId, at: Timestamp) {
        let marks = &self.inner.marks;
        marks
            .pending()
            .entry((agent, ticket))
            .and_modify(|t| *t = (*t).max(at))
            .or_insert(at);
        if !marks.running.swap(true, Ordering::SeqCst) {
            let app = self.clone();
            tokio::spawn(async move { app.write_views_while_pending().await });
        }
    }

    async fn write_views_while_pending(self) {
        let marks = &self.inner.marks;
        loop {
            if let Err(e) = self.write_views().await {
                tracing::warn!(error = %e, "could not record ticket views");
            }
            marks.running.store(false, Ordering::SeqCst);
            // A view noted after the batch was taken, and before `running` was cleared,
            // started no task of its own: this one goes on for it.
            if marks.pending().is_empty() || marks.running.swap(true, Ordering::SeqCst) {
                return;
            }
        }
    }

    /// Writes the views pending now in one transaction.
    async fn write_views(&self) -> Result<()> {
        let marks = &self.inner.marks;
        let _writing = marks.writing.lock().await;
        let batch: Pending = marks.pending().clone();
        if batch.is_empty() {
            return Ok(());
        }
        let rows: Vec<_> = batch.iter().map(|(&(a, t), &at)| (a, t, at)).collect();
        let written = async {
            let mut tx = self.db().begin().await?;
            tx.h().mark_views(&rows).await?;
            tx.commit().await?;
            Ok(())
        }
        .await;
        // Written or not, these views are done with: a view that cannot be recorded is
        // not worth retrying forever. A newer view of the same ticket stays pending.
        marks
            .pending()
            .retain(|k, at| batch.get(k).is_none_or(|taken| taken < at));
        written
    }

    /// Writes every view recorded so far and waits until it is on disk.
    pub async fn flush_view_marks(&self) -> Result<()> {
        self.write_views().await
    }
}
