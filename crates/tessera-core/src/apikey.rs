//! API keys: administrators mint them (the secret is shown once), programs present them,
//! and this module decides what a presented key may do. A read or write key acts as its
//! agent, so the API's permissions are the agent UI's, decided by the same use cases.

use std::net::IpAddr;

use tessera_domain::{Agent, AgentId, ApiScope, IpRanges, Problem, Timestamp, validate};
use tessera_store::{ApiKeyRow, NewApiKey};

use crate::{
    Actor, CoreError, MAX_NAME, Result, Tessera,
    access::{Channel, Opener, Reader, Worker},
    admin::record,
    token,
};

/// Requests per minute a key gets unless the administrator says otherwise.
pub const DEFAULT_RATE_PER_MINUTE: u32 = 600;

/// The most requests per minute a key may be given.
pub const MAX_RATE_PER_MINUTE: u32 = 1_000_000;

/// How often the last use is written (a write per request would cost a commit each).
const LAST_USE_GRANULARITY_MS: i64 = 60_000;

/// What an administrator fills in for a new key.
#[derive(Debug, Clone, Default)]
pub struct ApiKeyForm {
    /// A name that says who uses it ("Website form").
    pub name: String,
    /// `create`, `read` or `write`.
    pub scope: String,
    /// User name of the agent a read or write key acts as.
    pub agent: String,
    /// Address ranges it may be used from; empty for anywhere.
    pub allowed_ips: String,
    /// Requests per minute; empty for the default.
    pub rate_per_minute: String,
}

/// A key as listed (never its secret).
#[derive(Debug, Clone)]
pub struct ApiKeySummary {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Scope.
    pub scope: ApiScope,
    /// The agent it acts as.
    pub agent: Option<String>,
    /// Where it may be used from.
    pub allowed_ips: String,
    /// Requests per minute.
    pub rate_per_minute: u32,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it was revoked.
    pub revoked_at: Option<Timestamp>,
    /// When it was last used (to the minute).
    pub last_used_at: Option<Timestamp>,
    /// From where.
    pub last_used_ip: Option<String>,
}

/// The program behind an accepted key. What it may do is asked of it as capabilities
/// (`reader`, `worker`, `opener`): its scope and agent are private, so that only this
/// crate decides what a key may do.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    /// The key's id (for rate limits and logs).
    pub key_id: i64,
    /// Its name.
    pub name: String,
    /// What it may do.
    scope: ApiScope,
    /// The agent it acts as (read and write keys).
    agent: Option<Agent>,
    /// Its rate limit.
    pub rate_per_minute: u32,
    /// The directory's generation, read with the key (see `directory.rs`).
    directory: i64,
}

impl ApiCaller {
    /// What the key may do.
    pub fn scope(&self) -> ApiScope {
        self.scope
    }

    /// The directory's generation, read with the key.
    pub(crate) fn directory_generation(&self) -> i64 {
        self.directory
    }

    /// The key's agent, reading: a read or write key; others are refused.
    pub fn reader(&self) -> Result<Reader<'_>> {
        match &self.agent {
            Some(a) if self.scope.may_read() => Ok(Reader::new(a, Channel::ApiKey(self.key_id))),
            _ => Err(CoreError::Forbidden),
        }
    }

    /// The key's agent, changing tickets: a write key; others are refused.
    pub fn worker(&self) -> Result<Worker<'_>> {
        match &self.agent {
            Some(a) if self.scope.may_write() => Ok(Worker::new(a, Channel::ApiKey(self.key_id))),
            _ => Err(CoreError::Forbidden),
        }
    }

    /// The key, opening tickets as their requesters: a create or write key; a read key is
    /// refused.
    pub fn opener(&self) -> Result<Opener> {
        if !self.scope.may_create() {
            return Err(CoreError::Forbidden);
        }
        Ok(Opener {
            key_id: self.key_id,
            directory: self.directory,
        })
    }
}

/// Why a presented key was not accepted. Deliberately coarse towards the caller: an
/// unknown, revoked or wrong key and a refused address all answer 401.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyRefusal {
    /// No key, or one that does not match a live key.
    Unknown,
    /// A live key used from an address outside its ranges.
    Address,
}

fn summary(r: ApiKeyRow) -> ApiKeySummary {
    ApiKeySummary {
        id: r.api_key_id,
        name: r.name,
        scope: ApiScope::parse(&r.scope).unwrap_or(ApiScope::Create),
        agent: r.agent_username,
        allowed_ips: r.allowed_ips,
        rate_per_minute: u32::try_from(r.rate_per_minute).unwrap_or(DEFAULT_RATE_PER_MINUTE),
        created_at: Timestamp(r.created_at),
        revoked_at: r.revoked_at.map(Timestamp),
        last_used_at: r.last_used_at.map(Timestamp),
        last_used_ip: r.last_used_ip,
    }
}

impl Tessera {
    /// Mints a key; returns its id and the token, which is shown this once and stored only
    /// as a hash.
    pub async fn create_api_key(&self, actor: Actor<'_>, f: &ApiKeyForm) -> Result<(i64, String)> {
        actor.require_admin()?;
        let mut p = Problem::default();
        let name = validate::text(&mut p, "name", &f.name, MAX_NAME);
        let scope = ApiScope::parse(&f.scope);
        if scope.is_none() {
            p.add("scope", "error-api-scope");
        }
        let ips = IpRanges::parse(&mut p, "allowed_ips", &f.allowed_ips);
        let rate = match f.rate_per_minute.trim() {
            "" => Some(DEFAULT_RATE_PER_MINUTE),
            s => s
                .parse::<u32>()
                .ok()
                .filter(|r| (1..=MAX_RATE_PER_MINUTE).contains(r)),
        };
        if rate.is_none() {
            p.add("rate_per_minute", "error-api-rate");
        }
        let mut tx = self.db().begin().await?;
        let agent = match f.agent.trim() {
            "" => None,
            name => match tx.h().agent_id_by_username(name).await? {
                Some(id) if tx.h().agent(id).await?.is_some() => Some(id),
                _ => {
                    p.add("agent", "error-api-agent");
                    None
                }
            },
        };
        if scope.is_some_and(|s| s.needs_agent()) && agent.is_none() && f.agent.trim().is_empty() {
            p.add("agent", "error-api-agent-required");
        }
        let (Some(name), Some(scope), Some(rate)) = (name, scope, rate) else {
            return Err(CoreError::Invalid(p));
        };
        p.into_result()?;
        // A create key opens tickets as their requesters; it acts as nobody.
        let agent = agent.filter(|_| scope.needs_agent());
        let m = token::mint();
        let ips = ips.to_text();
        let id = tx
            .h()
            .insert_api_key(&NewApiKey {
                name: &name,
                selector: &m.selector,
                verifier_hash: &m.verifier_hash,
                scope: scope.as_str(),
                agent_id: agent.map(|a| a.0),
                allowed_ips: &ips,
                rate_per_minute: i64::from(rate),
            })
            .await?;
        let after = format!(
            "{name} · {} · {} · {ips} · {rate}/min",
            scope.as_str(),
            f.agent.trim()
        );
        record(
            &mut tx.h(),
            actor,
            "api-key.create",
            &format!("api-key:{id}"),
            None,
            Some(&after),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok((id, m.token))
    }

    /// Every key, newest first.
    pub async fn api_keys(&self, actor: Actor<'_>) -> Result<Vec<ApiKeySummary>> {
        actor.require_admin()?;
        let mut conn = self.db().conn().await?;
        Ok(conn
            .h()
            .api_keys()
            .await?
            .into_iter()
            .map(summary)
            .collect())
    }

    /// Revokes a key at once, on every node (each request reads the key).
    pub async fn revoke_api_key(&self, actor: Actor<'_>, id: i64) -> Result<()> {
        actor.require_admin()?;
        let mut tx = self.db().begin().await?;
        let key = tx.h().api_key(id).await?;
        if tx.h().revoke_api_key(id, Timestamp::now()).await? {
            record(
                &mut tx.h(),
                actor,
                "api-key.revoke",
                &format!("api-key:{id}"),
                Some(&key.name),
                None,
                None,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Checks a presented key from `ip`: a live key, a matching secret (constant time), an
    /// allowed address, and for read and write keys an active agent.
    pub async fn authenticate_api_key(
        &self,
        presented: &str,
        ip: IpAddr,
    ) -> Result<std::result::Result<ApiCaller, KeyRefusal>> {
        let Some((selector, verifier)) = token::split(presented.trim()) else {
            return Ok(Err(KeyRefusal::Unknown));
        };
        let mut conn = self.db().conn().await?;
        let Some((row, directory)) = conn.h().api_key_in_use(selector).await? else {
            return Ok(Err(KeyRefusal::Unknown));
        };
        if !token::verify(verifier, &row.verifier_hash) || row.revoked_at.is_some() {
            return Ok(Err(KeyRefusal::Unknown));
        }
        let Some(scope) = ApiScope::parse(&row.scope) else {
            return Ok(Err(KeyRefusal::Unknown));
        };
        let mut ignored = Problem::default();
        if !IpRanges::parse(&mut ignored, "allowed_ips", &row.allowed_ips).allows(ip) {
            return Ok(Err(KeyRefusal::Address));
        }
        let agent = match row.agent_id.filter(|_| scope.needs_agent()) {
            Some(id) => match conn.h().agent(AgentId(id)).await? {
                Some(a) => Some(a),
                None => return Ok(Err(KeyRefusal::Unknown)),
            },
            None if scope.needs_agent() => return Ok(Err(KeyRefusal::Unknown)),
            None => None,
        };
        let now = Timestamp::now();
        if row
            .last_used_at
            .is_none_or(|t| now.0 - t >= LAST_USE_GRANULARITY_MS * 1000)
        {
            drop(conn);
            let mut tx = self.db().begin().await?;
            tx.h()
                .api_key_used(row.api_key_id, &ip.to_string(), now)
                .await?;
            tx.commit().await?;
        }
        Ok(Ok(ApiCaller {
            key_id: row.api_key_id,
            name: row.name,
            scope,
            agent,
            rate_per_minute: u32::try_from(row.rate_per_minute).unwrap_or(DEFAULT_RATE_PER_MINUTE),
            directory,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(scope: ApiScope) -> ApiCaller {
        ApiCaller {
            key_id: 7,
            name: "k".into(),
            scope,
            agent: scope.needs_agent().then(|| Agent {
                id: AgentId(1),
                username: "a".into(),
                email: "a@example.org".into(),
                display_name: "A".into(),
                is_admin: true,
                lang: tessera_domain::Lang::De,
                departments: vec![],
                teams: vec![],
                must_change_password: false,
                time_zone: None,
                signature: String::new(),
                away: false,
            }),
            rate_per_minute: 1,
            directory: 0,
        }
    }

    /// What each scope is handed: (scope, reads, works, opens).
    #[test]
    fn each_scope_gets_exactly_its_capabilities() {
        for (scope, reads, works, opens) in [
            (ApiScope::Create, false, false, true),
            (ApiScope::Read, true, false, false),
            (ApiScope::Write, true, true, true),
        ] {
            let c = caller(scope);
            assert_eq!(c.reader().is_ok(), reads, "{scope:?} reads");
            assert_eq!(c.worker().is_ok(), works, "{scope:?} works");
            assert_eq!(c.opener().is_ok(), opens, "{scope:?} opens");
            if let Ok(w) = c.worker() {
                assert_eq!(w.via(), Channel::ApiKey(7));
            }
        }
    }
}
