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

impl Handle<'_> {
    /// Every setting whose key starts with `prefix`, as (key, value).
    pub async fn settings_with_prefix(&mut self, prefix: &str) -> Result<Vec<(String, String)>> {
        let pattern = format!("{prefix}%");
        on!(self, c => Ok(sqlx::query_as(
            "SELECT key, value FROM setting WHERE key LIKE $1 ORDER BY key")
            .bind(&pattern)
            .fetch_all(c)
            .await?))
    }

    /// Writes settings, replacing earlier values.
    pub async fn put_settings(&mut self, values: &[(&str, &str)]) -> Result<()> {
        let now = Timestamp::now().0;
        for (key, value) in values {
            on!(self, c => sqlx::query(
                "INSERT INTO setting (key, value, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                     updated_at = excluded.updated_at")
                .bind(key).bind(value).bind(now)
                .execute(&mut *c).await?.rows_affected());
        }
        Ok(())
    }
}
