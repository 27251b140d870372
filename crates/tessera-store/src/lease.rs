//! Work queues claimed with leases: outgoing mail (`outbox_mail`) and webhook deliveries
//! (`webhook_delivery`). Both tables keep `status` (`pending` until finished),
//! `next_attempt_at` and `attempts`; a claim pushes `next_attempt_at` of up to `limit` due
//! rows forward by the lease and counts the attempt, in the claimer's transaction. Nothing is
//! locked beyond that transaction: a worker that dies after committing its claim lets the rows
//! fall due again when the lease runs out (at-least-once delivery). On PostgreSQL
//! `FOR UPDATE SKIP LOCKED` lets workers on several nodes claim side by side without waiting
//! for each other; SQLite has one writer, so its conditional update is claim enough.

use sqlx::{postgres::PgRow, sqlite::SqliteRow};
use tessera_domain::Timestamp;

use crate::{Backend, Handle, Result, db::on, queue::Sql};

/// A table worked as a leased queue. Every field is a compile-time constant of this crate:
/// no part of the statements built from it comes from outside.
pub(crate) struct Leased {
    /// The table.
    table: &'static str,
    /// Its key column.
    key: &'static str,
    /// What a claim hands back, as `RETURNING` lists it.
    returning: &'static str,
}

/// Outgoing mail (the message itself is read apart, from `outbox_mail_raw`).
pub(crate) const OUTBOX: Leased = Leased {
    table: "outbox_mail",
    key: "outbox_mail_id",
    returning: "outbox_mail_id, ticket_id, message_id, envelope_from, recipients, attempts, kind",
};

/// Webhook deliveries.
pub(crate) const DELIVERIES: Leased = Leased {
    table: "webhook_delivery",
    key: "webhook_delivery_id",
    returning: "webhook_delivery_id, webhook_id, uuid, event, payload, attempts",
};

impl Leased {
    /// The claim: `$1` is now, `$2` the end of the lease. The batch size is written into the
    /// text: bound, SQLite would plan the claim anew at every run (see `Sql::limit`).
    fn claim_sql(&self, backend: Backend, limit: i64) -> String {
        let Leased {
            table,
            key,
            returning,
        } = self;
        let limit = Sql::limit(limit);
        let lock = match backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        format!(
            "UPDATE {table} SET next_attempt_at = $2, attempts = attempts + 1
             WHERE {key} IN (
                 SELECT {key} FROM {table}
                 WHERE status = 'pending' AND next_attempt_at <= $1
                 ORDER BY next_attempt_at LIMIT {limit}{lock})
             RETURNING {returning}"
        )
    }

    /// When the next pending row falls due.
    fn next_due_sql(&self) -> String {
        format!(
            "SELECT MIN(next_attempt_at) FROM {} WHERE status = 'pending'",
            self.table
        )
    }
}

impl Handle<'_> {
    /// Claims up to `limit` rows of `queue` due at `now` for `lease_ms`.
    pub(crate) async fn claim_leased<R>(
        &mut self,
        queue: &Leased,
        now: Timestamp,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<R>>
    where
        R: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
    {
        let until = now.plus_millis(lease_ms).0;
        let sql = sqlx::AssertSqlSafe(queue.claim_sql(self.backend(), limit));
        on!(self, c => Ok(sqlx::query_as(sql).bind(now.0).bind(until).fetch_all(c).await?))
    }

    /// When the next pending row of `queue` falls due, if any.
    pub(crate) async fn next_leased_due(&mut self, queue: &Leased) -> Result<Option<Timestamp>> {
        let sql = sqlx::AssertSqlSafe(queue.next_due_sql());
        on!(self, c => Ok(sqlx::query_scalar::<_, Option<i64>>(sql)
            .fetch_one(c).await?.map(Timestamp)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_skips_rows_other_workers_hold_and_sqlite_needs_no_lock() {
        for q in [&OUTBOX, &DELIVERIES] {
            let pg = q.claim_sql(Backend::Postgres, 16);
            let lite = q.claim_sql(Backend::Sqlite, 16);
            assert!(pg.contains("LIMIT 16 FOR UPDATE SKIP LOCKED)"), "{pg}");
            assert!(!lite.contains("FOR UPDATE"), "{lite}");
            // Otherwise the two are one statement.
            assert_eq!(pg.replace(" FOR UPDATE SKIP LOCKED", ""), lite);
            assert!(lite.starts_with(&format!("UPDATE {} SET", q.table)));
            assert!(lite.contains("attempts = attempts + 1"));
        }
    }
}
