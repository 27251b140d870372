//! Key/value settings kept in the database so that every node sees the same.

use crate::{Handle, Result, db::on};
use tessera_domain::Timestamp;

impl Handle<'_> {
    /// Reads a setting.
    pub async fn setting(&mut self, key: &str) -> Result<Option<String>> {
        on!(self, c => Ok(sqlx::query_scalar("SELECT value FROM setting WHERE key = $1")
            .bind(key)
            .fetch_optional(c)
            .await?))
    }

    /// Writes a setting only if it is not set yet; returns the value now in force. Two nodes
    /// starting at once thus agree on one value.
    pub async fn setting_init(&mut self, key: &str, value: &str) -> Result<String> {
        let now = Timestamp::now().0;
        on!(self, c => sqlx::query(
            "INSERT INTO setting (key, value, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (key) DO NOTHING")
            .bind(key).bind(value).bind(now)
            .execute(&mut *c).await?.rows_affected());
        self.setting(key).await?.ok_or(crate::StoreError::NotFound)
    }
}
