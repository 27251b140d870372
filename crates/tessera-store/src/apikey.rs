//! API keys: stored hashed, looked up by selector, revoked by time stamp.

use sqlx::FromRow;
use tessera_domain::Timestamp;

use crate::{Handle, Result, db::on};

/// A key as stored (its secret half only as a hash).
#[derive(Debug, Clone, FromRow)]
pub struct ApiKeyRow {
    /// Key.
    pub api_key_id: i64,
    /// What the administrator called it.
    pub name: String,
    /// Public half of the token.
    pub selector: String,
    /// SHA-256 of the secret half, hex.
    pub verifier_hash: String,
    /// `create`, `read` or `write`.
    pub scope: String,
    /// The agent it acts as.
    pub agent_id: Option<i64>,
    /// That agent's user name, for lists.
    pub agent_username: Option<String>,
    /// Address ranges, comma-separated; empty for anywhere.
    pub allowed_ips: String,
    /// Requests allowed per minute.
    pub rate_per_minute: i64,
    /// When it was made.
    pub created_at: i64,
    /// When it was revoked.
    pub revoked_at: Option<i64>,
    /// When it was last used (updated at most once a minute).
    pub last_used_at: Option<i64>,
    /// From where.
    pub last_used_ip: Option<String>,
}

/// A key to store.
#[derive(Debug)]
pub struct NewApiKey<'a> {
    /// Name.
    pub name: &'a str,
    /// Public half.
    pub selector: &'a str,
    /// Hash of the secret half.
    pub verifier_hash: &'a str,
    /// Scope name.
    pub scope: &'a str,
    /// Agent it acts as.
    pub agent_id: Option<i64>,
    /// Ranges, comma-separated.
    pub allowed_ips: &'a str,
    /// Requests per minute.
    pub rate_per_minute: i64,
}

const COLUMNS: &str = "k.api_key_id, k.name, k.selector, k.verifier_hash, k.scope, k.agent_id,
    a.username AS agent_username, k.allowed_ips, k.rate_per_minute, k.created_at,
    k.revoked_at, k.last_used_at, k.last_used_ip
    FROM api_key k LEFT JOIN agent a ON a.agent_id = k.agent_id";

impl Handle<'_> {
    /// Stores a key; returns its id.
    pub async fn insert_api_key(&mut self, k: &NewApiKey<'_>) -> Result<i64> {
        let now = Timestamp::now().0;
        on!(self, c => Ok(sqlx::query_scalar(
            "INSERT INTO api_key (name, selector, verifier_hash, scope, agent_id, allowed_ips,
                                  rate_per_minute, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING api_key_id")
            .bind(k.name).bind(k.selector).bind(k.verifier_hash).bind(k.scope)
            .bind(k.agent_id).bind(k.allowed_ips).bind(k.rate_per_minute).bind(now)
            .fetch_one(c).await?))
    }

    /// Every key, newest first (revoked ones too: the list is also their history).
    pub async fn api_keys(&mut self) -> Result<Vec<ApiKeyRow>> {
        let sql = format!("SELECT {COLUMNS} ORDER BY k.api_key_id DESC");
        on!(self, c => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(c).await?))
    }

    /// One key by id.
    pub async fn api_key(&mut self, id: i64) -> Result<ApiKeyRow> {
        let sql = format!("SELECT {COLUMNS} WHERE k.api_key_id = $1");
        on!(self, c => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(c).await?))
    }

    /// The key a presented token's selector names, revoked or not, with the directory's
    /// generation read in the same statement (what a request with the key may take from
    /// memory, as a session's request does).
    pub async fn api_key_in_use(&mut self, selector: &str) -> Result<Option<(ApiKeyRow, i64)>> {
        #[derive(FromRow)]
        struct Row {
            #[sqlx(flatten)]
            key: ApiKeyRow,
            generation: i64,
        }
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            let columns = COLUMNS.replacen(
                " FROM ",
                ", (SELECT generation FROM directory_generation
                    WHERE directory_generation_id = 1) AS generation FROM ",
                1,
            );
            format!("SELECT {columns} WHERE k.selector = $1")
        });
        let row: Option<Row> = on!(self, c => sqlx::query_as(sqlx::AssertSqlSafe(SQL.as_str()))
            .bind(selector).fetch_optional(c).await?);
        Ok(row.map(|r| (r.key, r.generation)))
    }

    /// Revokes a key; `false` if it was already revoked.
    pub async fn revoke_api_key(&mut self, id: i64, now: Timestamp) -> Result<bool> {
        let n = on!(self, c => sqlx::query(
            "UPDATE api_key SET revoked_at = $2 WHERE api_key_id = $1 AND revoked_at IS NULL")
            .bind(id).bind(now.0).execute(c).await?.rows_affected());
        Ok(n == 1)
    }

    /// Records a use.
    pub async fn api_key_used(&mut self, id: i64, ip: &str, now: Timestamp) -> Result<()> {
        on!(self, c => sqlx::query(
            "UPDATE api_key SET last_used_at = $2, last_used_ip = $3 WHERE api_key_id = $1")
            .bind(id).bind(now.0).bind(ip).execute(c).await?.rows_affected());
        Ok(())
    }
}
