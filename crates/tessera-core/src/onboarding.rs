//! A new installation's first steps (issue 23): the first administrator gives their own
//! address at the first sign-in (the sender's address, which the seed gave them, is never
//! alerted), the install checklist on the administration overview, invitations shown as
//! such until accepted and sent again on request, and help-topic descriptions.

use std::collections::HashMap;

use tessera_domain::{Agent, AgentId, EmailAddress, Problem};
use tessera_store::Handle;

use crate::{Actor, CoreError, Result, Session, Tessera, admin::record};

/// Mail domains that reach no one outside this machine.
fn local_domain(email: &str) -> bool {
    let domain = email
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('.').to_ascii_lowercase())
        .unwrap_or_default();
    domain.is_empty()
        || ["localhost", "localdomain", "invalid", "example", "local"]
            .iter()
            .any(|tld| domain == *tld || domain.ends_with(&format!(".{tld}")))
}

/// One item of the install checklist.
#[derive(Debug, Clone)]
pub struct ChecklistItem {
    /// What it is (`checklist-{key}` and `checklist-{key}-hint` are its texts).
    pub key: &'static str,
    /// Whether it is done.
    pub done: bool,
    /// The page where it is set.
    pub link: &'static str,
}

impl Tessera {
    /// Whether an address is the installation's own sender (the configured or saved one, or
    /// a department's): mail to it goes to the helpdesk itself, never to a person.
    pub fn is_sender_address(&self, email: &str) -> bool {
        let email = email.trim();
        let settings = self.settings();
        [
            settings.mail_from.email.as_str(),
            self.config().mail_from.email.as_str(),
        ]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(email))
    }

    /// Whether the agent must give their own address at this sign-in: they have not chosen
    /// a password yet and their address is the sender's or reaches nobody (the first
    /// administrator of a fresh installation).
    pub fn needs_own_address(&self, agent: &Agent) -> bool {
        agent.must_change_password
            && (self.is_sender_address(&agent.email) || local_domain(&agent.email))
    }

    /// The first sign-in's password change with the agent's own address; both are stored
    /// in one transaction (see `change_password`).
    pub async fn change_password_and_address(
        &self,
        agent: &Agent,
        current_session: Option<&Session>,
        current: &str,
        new: &str,
        repeat: &str,
        address: &str,
    ) -> Result<()> {
        self.change_password_inner(agent, current_session, current, new, repeat, Some(address))
            .await
    }

    /// Checks an address an agent gives as their own; adds the problem to `email`.
    pub(crate) fn check_own_address(&self, p: &mut Problem, raw: &str) -> Option<EmailAddress> {
        if raw.trim().is_empty() {
            p.add("email", "error-required");
            return None;
        }
        let Some(address) = EmailAddress::parse(raw) else {
            p.add("email", "error-email");
            return None;
        };
        if self.is_sender_address(address.as_str()) {
            p.add("email", "error-own-address-sender");
            None
        } else if local_domain(address.as_str()) {
            p.add("email", "error-own-address-local");
            None
        } else {
            Some(address)
        }
    }

    /// Stores an agent's own address in the caller's transaction, audited; another agent's
    /// address is refused on the field.
    pub(crate) async fn store_own_address(
        &self,
        h: &mut Handle<'_>,
        agent: &Agent,
        address: &EmailAddress,
    ) -> Result<()> {
        h.set_agent_email(agent.id, address.as_str())
            .await
            .map_err(crate::admin::conflict)?;
        let signed_in = crate::SignedIn::new(agent.clone());
        record(
            h,
            Actor::Agent(&signed_in),
            "agent-own-address",
            &agent.username,
            Some(&agent.email),
            Some(address.as_str()),
            None,
        )
        .await?;
        self.changed();
        Ok(())
    }

    /// What is left to set on a new installation, for administrators.
    pub async fn install_checklist(&self, actor: Actor<'_>) -> Result<Vec<ChecklistItem>> {
        actor.require_admin()?;
        let mut conn = self.db().conn().await?;
        let facts = conn.h().install_facts(crate::settings::PREFIX).await?;
        drop(conn);
        let saved = |k: &str| {
            facts
                .saved
                .iter()
                .any(|x| x.strip_prefix(crate::settings::PREFIX) == Some(k))
        };
        let settings = self.settings();
        let mut items = vec![
            ChecklistItem {
                key: "org-name",
                done: saved("org_name")
                    || settings.org_name != crate::CoreConfig::default().org_name,
                link: "/agent/admin/settings",
            },
            ChecklistItem {
                key: "sender",
                done: !local_domain(&settings.mail_from.email),
                link: "/agent/admin/settings/mail",
            },
            ChecklistItem {
                key: "delivery",
                done: settings.smtp.is_some() || saved("delivery"),
                link: "/agent/admin/settings/mail",
            },
        ];
        // Europe/Berlin is only a guess: done once an administrator saved a zone.
        items.push(ChecklistItem {
            key: "time-zone",
            done: saved("time_zone"),
            link: "/agent/admin/settings",
        });
        items.push(ChecklistItem {
            key: "agent-address",
            done: facts
                .agent_emails
                .iter()
                .any(|e| !self.is_sender_address(e) && !local_domain(e)),
            link: "/agent/admin/agents",
        });
        items.push(ChecklistItem {
            key: "inbound",
            done: facts.mailboxes > 0 || facts.inbound > 0,
            link: "/agent/admin/mailboxes",
        });
        Ok(items)
    }

    /// Mails an invited agent a new link (the earlier ones stop working); audited. An
    /// agent who accepted is not invited again (`Invalid`).
    pub async fn resend_invitation(&self, actor: Actor<'_>, id: AgentId) -> Result<()> {
        actor.require_admin()?;
        let mut tx = self.db().begin().await?;
        let (agent, active) = tx.h().agent_any(id).await?.ok_or(CoreError::NotFound)?;
        if !active || !tx.h().pending_invitations().await?.contains(&id) {
            let mut p = Problem::default();
            p.add("form", "error-invitation-accepted");
            return Err(CoreError::Invalid(p));
        }
        tx.h().void_password_tokens(id).await?;
        self.password_link(&mut tx.h(), id, "invite").await?;
        record(
            &mut tx.h(),
            actor,
            "agent-invite-resend",
            &agent.username,
            None,
            Some(&agent.email),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether an agent's invitation is still to be accepted, for administrators.
    pub async fn agent_invited(&self, actor: Actor<'_>, id: AgentId) -> Result<bool> {
        actor.require_admin()?;
        let mut conn = self.db().conn().await?;
        Ok(conn.h().pending_invitations().await?.contains(&id))
    }

    /// Every help topic's description by topic: (German, English).
    pub async fn topic_descriptions(&self) -> Result<HashMap<i64, (String, String)>> {
        let mut conn = self.db().conn().await?;
        Ok(conn
            .h()
            .topic_descriptions()
            .await?
            .into_iter()
            .map(|(id, de, en)| (id, (de, en)))
            .collect())
    }

    /// Sets a help topic's descriptions (plain text, at most `MAX_TOPIC_DESCRIPTION`
    /// characters each); audited in the same transaction.
    pub async fn set_topic_description(
        &self,
        actor: Actor<'_>,
        id: i64,
        de: &str,
        en: &str,
    ) -> Result<()> {
        actor.require_admin()?;
        check_topic_description(de, en)?;
        let (de, en) = (de.trim(), en.trim());
        let mut tx = self.db().begin().await?;
        let before = tx.h().topic_descriptions().await?;
        let Some((_, old_de, old_en)) = before.into_iter().find(|(t, ..)| *t == id) else {
            return Err(CoreError::NotFound);
        };
        if old_de == de && old_en == en {
            return Ok(());
        }
        tx.h().set_topic_description(id, de, en).await?;
        record(
            &mut tx.h(),
            actor,
            "topic-description",
            &id.to_string(),
            Some(&format!(
                "de={}ch en={}ch",
                old_de.chars().count(),
                old_en.chars().count()
            )),
            Some(&format!(
                "de={}ch en={}ch",
                de.chars().count(),
                en.chars().count()
            )),
            None,
        )
        .await?;
        tx.commit().await?;
        self.changed();
        Ok(())
    }
}

/// Checks help-topic descriptions (German, English): at most `MAX_TOPIC_DESCRIPTION`
/// characters each.
pub fn check_topic_description(de: &str, en: &str) -> Result<()> {
    let mut p = Problem::default();
    for (field, v) in [("description_de", de), ("description_en", en)] {
        if v.trim().chars().count() > MAX_TOPIC_DESCRIPTION {
            p.add(field, "error-too-long");
        }
    }
    Ok(p.into_result()?)
}

/// Longest help-topic description.
pub const MAX_TOPIC_DESCRIPTION: usize = 500;

#[cfg(test)]
mod tests {
    use super::local_domain;

    #[test]
    fn tells_local_domains() {
        for (email, local) in [
            ("helpdesk@localhost.localdomain", true),
            ("a@localhost", true),
            ("a@host.invalid", true),
            ("a@drk.example", true),
            ("nadine@drk-hamburg.de", false),
            ("a@tessera.test", false),
            ("no-at-sign", true),
        ] {
            assert_eq!(local_domain(email), local, "{email}");
        }
    }
}
