//! An agent's own profile: name, address, signature, language, time zone and "out of
//! office". Every signed-in agent may change their own, and only their own; the change and
//! its audit record are one transaction.

use tessera_domain::{EmailAddress, Lang, Problem, time, validate};
use tessera_store::ProfileRow;

use crate::{CoreError, MAX_NAME, Result, SignedIn, Tessera, admin::record};

/// Longest signature, in characters.
pub const MAX_SIGNATURE: usize = 1000;

/// What the profile form carries, as typed.
#[derive(Debug, Clone, Default)]
pub struct ProfileForm {
    /// Name shown to others.
    pub display_name: String,
    /// Address for alerts and sign-in.
    pub email: String,
    /// Appended to public replies on request (Markdown); empty for none.
    pub signature: String,
    /// `de` or `en`.
    pub lang: String,
    /// An IANA zone name; empty for the installation's.
    pub time_zone: String,
    /// Out of office.
    pub away: bool,
}

/// The profile as it reads for the audit log (the signature by its length only).
fn describe(
    name: &str,
    email: &str,
    sig: &str,
    lang: &str,
    zone: Option<&str>,
    away: bool,
) -> String {
    format!(
        "{name} <{email}> lang={lang} zone={} signature={}ch away={away}",
        zone.unwrap_or("default"),
        sig.chars().count()
    )
}

impl Tessera {
    /// Saves the signed-in agent's own profile. Invalid input (a bad or taken address, an
    /// unknown time zone, a signature too long) is refused with the fields' reasons; a
    /// change of language or zone shows from the next page on.
    pub async fn save_profile(&self, me: &SignedIn, f: ProfileForm, ip: &str) -> Result<()> {
        let mut p = Problem::default();
        let name = validate::text(&mut p, "display_name", &f.display_name, MAX_NAME);
        let email = EmailAddress::parse(f.email.trim());
        if email.is_none() {
            p.add("email", "error-email");
        }
        let signature = f.signature.trim().replace("\r\n", "\n");
        if signature.chars().count() > MAX_SIGNATURE {
            p.add("signature", "error-too-long");
        } else if signature
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            p.add("signature", "error-bad-characters");
        }
        let lang = Lang::parse(f.lang.trim());
        if lang.is_none() {
            p.add("lang", "error-required");
        }
        let zone = match f.time_zone.trim() {
            "" => Some(None),
            z => time::zone(z).map(|tz| Some(tz.name())),
        };
        if zone.is_none() {
            p.add("time_zone", "error-timezone");
        }
        let (Some(name), Some(email), Some(lang), Some(zone)) = (name, email, lang, zone) else {
            return Err(CoreError::Invalid(p));
        };
        p.into_result()?;
        let mut tx = self.db().begin().await?;
        if tx.h().agent_email_taken(email.as_str(), me.id).await? {
            let mut p = Problem::default();
            p.add("email", "error-email-taken");
            return Err(CoreError::Invalid(p));
        }
        let (before, _) = tx.h().agent_any(me.id).await?.ok_or(CoreError::NotFound)?;
        let row = ProfileRow {
            display_name: &name,
            email: email.as_str(),
            signature: &signature,
            lang: lang.as_str(),
            time_zone: zone,
            away: f.away,
        };
        tx.h()
            .update_agent_profile(me.id, &row)
            .await
            .map_err(crate::admin::conflict)?;
        let b = describe(
            &before.display_name,
            &before.email,
            &before.signature,
            before.lang.as_str(),
            before.time_zone.map(|z| z.name()),
            before.away,
        );
        let a = describe(
            &name,
            email.as_str(),
            &signature,
            lang.as_str(),
            zone,
            f.away,
        );
        if a != b || before.signature != signature {
            record(
                &mut tx.h(),
                me.actor(),
                "agent-profile",
                &me.username,
                Some(&b),
                Some(&a),
                Some(ip),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
