//! Administration: changes to agents and the audit log that records them.

use tessera_domain::{Agent, AgentId};
use tessera_store::{Handle, NewAudit};

use crate::{CoreError, Result, SignedIn, Tessera, password::hash_password, token};

/// Who makes an administrative change.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    /// An operator at the command line (only the binary acts so; a test checks that web
    /// never does).
    Cli,
    /// A signed-in agent: only core's session look-up makes a `SignedIn`, so a front end
    /// cannot act as an agent it merely has a value of.
    Agent(&'a SignedIn),
    /// Someone not signed in (a failed sign-in).
    Anonymous,
}

impl Actor<'_> {
    fn agent_id(&self) -> Option<AgentId> {
        match self {
            Actor::Cli | Actor::Anonymous => None,
            Actor::Agent(a) => Some(a.id),
        }
    }

    fn name(&self) -> &str {
        match self {
            Actor::Cli => "cli",
            Actor::Agent(a) => &a.username,
            Actor::Anonymous => "anonymous",
        }
    }

    /// Whether this actor may use the administration pages.
    pub fn may_administer(&self) -> bool {
        self.require_admin().is_ok()
    }

    pub(crate) fn require_admin(&self) -> Result<()> {
        match self {
            Actor::Cli => Ok(()),
            Actor::Agent(a) if a.is_admin => Ok(()),
            _ => Err(CoreError::Forbidden),
        }
    }
}

/// Writes one audit record.
pub(crate) async fn record(
    h: &mut Handle<'_>,
    actor: Actor<'_>,
    action: &str,
    target: &str,
    before: Option<&str>,
    after: Option<&str>,
    ip: Option<&str>,
) -> Result<()> {
    h.audit(&NewAudit {
        actor_agent: actor.agent_id(),
        actor: actor.name(),
        action,
        target,
        before,
        after,
        ip,
    })
    .await?;
    Ok(())
}

impl Tessera {
    /// Disables an agent: they cannot sign in, and every session of theirs ends at once.
    pub async fn disable_agent(&self, actor: Actor<'_>, username: &str) -> Result<()> {
        actor.require_admin()?;
        let mut tx = self.db().begin().await?;
        let id = tx
            .h()
            .agent_id_by_username(username.trim())
            .await?
            .ok_or(CoreError::NotFound)?;
        let was = tx.h().set_agent_active(id, false).await?;
        tx.h().delete_agent_sessions(id).await?;
        let before = if was { "active" } else { "disabled" };
        record(
            &mut tx.h(),
            actor,
            "agent-disable",
            username,
            Some(before),
            Some("disabled"),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives an agent a new one-time password (returned once) and ends their sessions.
    pub async fn reset_agent_password(&self, actor: Actor<'_>, username: &str) -> Result<String> {
        actor.require_admin()?;
        let password = token::random_hex(10);
        let hash = hash_password(password.clone()).await?;
        let mut tx = self.db().begin().await?;
        let id = tx
            .h()
            .agent_id_by_username(username.trim())
            .await?
            .ok_or(CoreError::NotFound)?;
        tx.h().set_agent_password(id, &hash, true).await?;
        tx.h().delete_agent_sessions(id).await?;
        // A link mailed earlier must not set a password over the one given out now.
        tx.h().void_password_tokens(id).await?;
        record(
            &mut tx.h(),
            actor,
            "agent-reset-password",
            username,
            None,
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(password)
    }

    /// A page of the audit log for an administrator, newest first.
    pub async fn audit_log(
        &self,
        actor: Actor<'_>,
        action: Option<&str>,
        who: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<crate::AuditEntry>> {
        actor.require_admin()?;
        let mut conn = self.db().conn().await?;
        let rows = conn.h().audit_page(action, who, before, limit).await?;
        Ok(rows.into_iter().map(crate::AuditEntry::from_row).collect())
    }

    /// Every help topic: (id, German name, English name, department, public, active).
    pub async fn topics(&self) -> Result<Vec<(i64, String, String, String, bool, bool)>> {
        let mut conn = self.db().conn().await?;
        Ok(conn.h().all_topics().await?)
    }
}

/// How long a set-password link works.
const PASSWORD_LINK_DAYS: i64 = 7;

/// What the agent form carries.
#[derive(Debug, Clone)]
pub struct AgentForm {
    /// Sign-in name (only used when inviting).
    pub username: String,
    /// Address.
    pub email: String,
    /// Shown name.
    pub display_name: String,
    /// Administrator.
    pub is_admin: bool,
    /// `de` or `en`.
    pub lang: String,
    /// Departments with the role in each, or `None` for not a member; departments not
    /// listed keep their memberships.
    pub departments: Vec<(tessera_domain::DepartmentId, Option<tessera_domain::Role>)>,
}

/// An agent as the administration list shows it.
#[derive(Debug, Clone)]
pub struct AgentSummary {
    /// Key.
    pub id: i64,
    /// Sign-in name.
    pub username: String,
    /// Shown name.
    pub display_name: String,
    /// Address.
    pub email: String,
    /// Administrator.
    pub is_admin: bool,
    /// Not disabled.
    pub is_active: bool,
    /// Invited and not yet accepted (no password chosen through the link).
    pub invited: bool,
}

fn check_form(
    f: &AgentForm,
    inviting: bool,
) -> Result<(tessera_domain::EmailAddress, tessera_domain::Lang)> {
    let mut p = tessera_domain::Problem::default();
    if inviting {
        let u = f.username.trim();
        if u.is_empty() {
            p.add("username", "error-required");
        } else if u.len() > 50
            || !u
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            p.add("username", "error-username");
        }
    }
    let email = tessera_domain::EmailAddress::parse(&f.email);
    if email.is_none() {
        p.add("email", "error-email");
    }
    tessera_domain::validate::text(&mut p, "display_name", &f.display_name, crate::MAX_NAME);
    let lang = tessera_domain::Lang::parse(&f.lang);
    if lang.is_none() {
        p.add("lang", "error-required");
    }
    match (email, lang) {
        (Some(e), Some(l)) if p.is_empty() => Ok((e, l)),
        _ => Err(CoreError::Invalid(p)),
    }
}

/// A unique name or address taken, as the field's error; any other failure by its kind
/// (agents created, invited, edited, or changing their own address).
pub(crate) fn conflict(e: tessera_store::StoreError) -> CoreError {
    let mut p = tessera_domain::Problem::default();
    if e.is_conflict_on("username") {
        p.add("username", "error-username-taken");
    } else if e.is_conflict_on("email") {
        p.add("email", "error-email-taken");
    } else {
        return e.into();
    }
    CoreError::Invalid(p)
}

impl Tessera {
    /// Every agent, for administrators.
    pub async fn agents_overview(&self, actor: Actor<'_>) -> Result<Vec<AgentSummary>> {
        actor.require_admin()?;
        let mut conn = self.db().conn().await?;
        let invited = conn.h().pending_invitations().await?;
        Ok(conn
            .h()
            .all_agents()
            .await?
            .into_iter()
            .map(
                |(id, username, display_name, email, is_admin, is_active)| AgentSummary {
                    id,
                    username,
                    display_name,
                    email,
                    is_admin,
                    is_active,
                    invited: invited.contains(&AgentId(id)),
                },
            )
            .collect())
    }

    /// One agent (disabled ones too), for administrators.
    pub async fn agent_for_admin(&self, actor: Actor<'_>, id: AgentId) -> Result<(Agent, bool)> {
        actor.require_admin()?;
        let mut conn = self.db().conn().await?;
        conn.h().agent_any(id).await?.ok_or(CoreError::NotFound)
    }

    /// Invites an agent: creates the account without a usable password and mails a link to
    /// choose one, in one transaction.
    pub async fn invite_agent(&self, actor: Actor<'_>, f: AgentForm) -> Result<AgentId> {
        actor.require_admin()?;
        let (email, lang) = check_form(&f, true)?;
        // Nobody knows this password; the link is the only way in.
        let hash = hash_password(token::random_hex(32)).await?;
        let mut tx = self.db().begin().await?;
        let id = tx
            .h()
            .insert_agent(
                f.username.trim(),
                email.as_str(),
                f.display_name.trim(),
                &hash,
                f.is_admin,
                lang,
            )
            .await
            .map_err(conflict)?;
        tx.h().set_agent_password(id, &hash, false).await?;
        tx.h().set_invitation_pending(id, true).await?;
        for (d, role) in &f.departments {
            if let Some(r) = role {
                tx.h().set_department_role(id, *d, *r).await?;
            }
        }
        self.password_link(&mut tx.h(), id, "invite").await?;
        record(
            &mut tx.h(),
            actor,
            "agent-invite",
            f.username.trim(),
            None,
            Some(email.as_str()),
            None,
        )
        .await?;
        tx.commit().await?;
        self.changed();
        Ok(id)
    }

    pub(crate) async fn password_link(
        &self,
        h: &mut Handle<'_>,
        id: AgentId,
        kind: &str,
    ) -> Result<()> {
        let minted = token::mint();
        let expires = tessera_domain::Timestamp::now().plus_secs(PASSWORD_LINK_DAYS * 24 * 3600);
        h.insert_password_token(id, &minted.selector, &minted.verifier_hash, expires)
            .await?;
        let brief = h.agent_brief(id).await?;
        let link = format!(
            "{}/agent/set-password/{}",
            self.config().base_url,
            minted.token
        );
        let mail = crate::notify::password_mail(self, &brief, kind, &link);
        h.enqueue_mail(&mail).await?;
        Ok(())
    }

    /// Changes an agent's profile and their roles in the departments the form lists; the audit
    /// log keeps before and after.
    pub async fn update_agent(&self, actor: Actor<'_>, id: AgentId, f: AgentForm) -> Result<()> {
        actor.require_admin()?;
        let (email, lang) = check_form(&f, false)?;
        let mut tx = self.db().begin().await?;
        let (before, _) = tx.h().agent_any(id).await?.ok_or(CoreError::NotFound)?;
        tx.h()
            .update_agent(
                id,
                f.display_name.trim(),
                email.as_str(),
                f.is_admin,
                lang.as_str(),
            )
            .await
            .map_err(conflict)?;
        // Only the departments the form lists change: it offers the active ones, and a
        // membership of an inactive department (kept on that department's members page)
        // must survive saving the agent.
        for (d, role) in &f.departments {
            match role {
                Some(r) => tx.h().set_department_role(id, *d, *r).await?,
                None => {
                    tx.h().remove_department_member(id, *d).await?;
                }
            }
        }
        let (after, _) = tx.h().agent_any(id).await?.ok_or(CoreError::NotFound)?;
        let roles: Vec<String> = after
            .departments
            .iter()
            .map(|(d, r)| format!("{}:{}", d.0, r.as_str()))
            .collect();
        let describe = |name: &str, mail: &str, admin: bool, l: &str, r: &[String]| {
            format!(
                "{name} <{mail}> admin={admin} lang={l} departments={}",
                r.join(",")
            )
        };
        let old_roles: Vec<String> = before
            .departments
            .iter()
            .map(|(d, r)| format!("{}:{}", d.0, r.as_str()))
            .collect();
        let b = describe(
            &before.display_name,
            &before.email,
            before.is_admin,
            before.lang.as_str(),
            &old_roles,
        );
        let a = describe(
            f.display_name.trim(),
            email.as_str(),
            f.is_admin,
            lang.as_str(),
            &roles,
        );
        record(
            &mut tx.h(),
            actor,
            "agent-update",
            &before.username,
            Some(&b),
            Some(&a),
            None,
        )
        .await?;
        tx.commit().await?;
        self.changed();
        Ok(())
    }

    /// Disables or re-enables an agent; disabling ends their sessions at once.
    pub async fn set_agent_active(
        &self,
        actor: Actor<'_>,
        id: AgentId,
        active: bool,
    ) -> Result<()> {
        actor.require_admin()?;
        if let Actor::Agent(me) = actor
            && me.id == id
            && !active
        {
            let mut p = tessera_domain::Problem::default();
            p.add("form", "error-disable-self");
            return Err(CoreError::Invalid(p));
        }
        let mut tx = self.db().begin().await?;
        let (agent, _) = tx.h().agent_any(id).await?.ok_or(CoreError::NotFound)?;
        let was = tx.h().set_agent_active(id, active).await?;
        if !active {
            tx.h().delete_agent_sessions(id).await?;
        }
        let state = |b: bool| if b { "active" } else { "disabled" };
        let action = if active {
            "agent-enable"
        } else {
            "agent-disable"
        };
        record(
            &mut tx.h(),
            actor,
            action,
            &agent.username,
            Some(state(was)),
            Some(state(active)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Mails an agent a link to choose a new password and ends their sessions.
    pub async fn send_password_reset(&self, actor: Actor<'_>, id: AgentId) -> Result<()> {
        actor.require_admin()?;
        let mut tx = self.db().begin().await?;
        let (agent, _) = tx.h().agent_any(id).await?.ok_or(CoreError::NotFound)?;
        tx.h().delete_agent_sessions(id).await?;
        self.password_link(&mut tx.h(), id, "reset").await?;
        record(
            &mut tx.h(),
            actor,
            "agent-reset-password",
            &agent.username,
            None,
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        self.changed();
        Ok(())
    }

    /// Whether a set-password link is valid (to show the form or an explanation).
    pub async fn password_link_valid(&self, presented: &str) -> Result<bool> {
        let Some((selector, verifier)) = token::split(presented) else {
            return Ok(false);
        };
        let mut conn = self.db().conn().await?;
        let row = conn
            .h()
            .password_token(selector, tessera_domain::Timestamp::now())
            .await?;
        Ok(row.is_some_and(|(_, _, hash)| token::verify(verifier, &hash)))
    }

    /// Sets an agent's password through a mailed link (used once). Every session of the
    /// agent ends and their other pending links are voided in the same transaction: a reset
    /// is what one asks for when someone else may know the old password.
    pub async fn set_password_with_link(
        &self,
        presented: &str,
        new: &str,
        repeat: &str,
    ) -> Result<()> {
        let (selector, verifier) = token::split(presented).ok_or(CoreError::NotFound)?;
        // The agent behind the link, to judge the password against their name and address.
        let mut conn = self.db().conn().await?;
        let (_, agent, stored) = conn
            .h()
            .password_token(selector, tessera_domain::Timestamp::now())
            .await?
            .ok_or(CoreError::NotFound)?;
        if !token::verify(verifier, &stored) {
            return Err(CoreError::NotFound);
        }
        let (who, _) = conn
            .h()
            .agent_any(agent)
            .await?
            .ok_or(CoreError::NotFound)?;
        drop(conn);
        let mut p = tessera_domain::Problem::default();
        let personal = [
            who.username.as_str(),
            who.email.as_str(),
            who.display_name.as_str(),
        ];
        if crate::agent::check_new_password(&mut p, "new", new, &personal) && new != repeat {
            p.add("repeat", "error-password-mismatch");
        }
        p.into_result()?;
        let hash = hash_password(new.to_owned()).await?;
        let mut tx = self.db().begin().await?;
        let (token_id, agent, stored) = tx
            .h()
            .password_token(selector, tessera_domain::Timestamp::now())
            .await?
            .ok_or(CoreError::NotFound)?;
        if !token::verify(verifier, &stored) {
            return Err(CoreError::NotFound);
        }
        tx.h().use_password_token(token_id).await?;
        tx.h().void_password_tokens(agent).await?;
        tx.h().set_agent_password(agent, &hash, false).await?;
        // An invitation is accepted once its password is chosen.
        tx.h().set_invitation_pending(agent, false).await?;
        tx.h().delete_agent_sessions(agent).await?;
        let name = tx
            .h()
            .agent_any(agent)
            .await?
            .map(|(a, _)| a.username)
            .unwrap_or_default();
        record(
            &mut tx.h(),
            Actor::Anonymous,
            "agent-set-password",
            &name,
            None,
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
