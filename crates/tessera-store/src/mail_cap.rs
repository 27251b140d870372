//! What the mail loop guard counts and whom it alerts (`tessera-core`'s `ingest.rs`).

use crate::{AgentBrief, Handle, Result, db::on};
use tessera_domain::ThreadEntryId;

impl Handle<'_> {
    /// Counts one more incoming mail for `scope` in `hour` (hours since the epoch); returns
    /// the hour's count so far, this one included. Rows of hours before the last are cleared
    /// on the way. In the caller's transaction, so that the count and the entry it guards
    /// commit together and concurrent nodes count one after the other.
    pub async fn count_mail_in(&mut self, scope: &str, hour: i64) -> Result<i64> {
        on!(self, c => sqlx::query("DELETE FROM mail_in_tally WHERE hour < $1")
            .bind(hour - 1).execute(c).await?.rows_affected());
        on!(self, c => Ok(sqlx::query_scalar(
            "INSERT INTO mail_in_tally (scope, hour, count) VALUES ($1, $2, 1)
             ON CONFLICT (scope, hour) DO UPDATE SET count = mail_in_tally.count + 1
             RETURNING count")
            .bind(scope).bind(hour).fetch_one(c).await?))
    }

    /// The active administrators with an address, to be alerted of what needs one.
    pub async fn admin_alert_recipients(&mut self) -> Result<Vec<AgentBrief>> {
        on!(self, c => Ok(sqlx::query_as(
            "SELECT agent_id, display_name, email, lang FROM agent
             WHERE is_admin AND is_active AND email <> '' ORDER BY agent_id")
            .fetch_all(c).await?))
    }

    /// Marks an entry as automatic mail, with why (a stored reason).
    pub async fn set_entry_automatic(&mut self, entry: ThreadEntryId, why: &str) -> Result<()> {
        on!(self, c => sqlx::query(
            "UPDATE thread_entry SET automatic = $2 WHERE thread_entry_id = $1")
            .bind(entry.0).bind(why).execute(c).await?.rows_affected());
        Ok(())
    }
}
