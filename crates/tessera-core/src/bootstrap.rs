//! The first start: one department, the seed's help topics and an administrator who
//! manages that department.

use tessera_domain::Lang;

use crate::{Result, Tessera, password::hash_password, token};

/// How the first administrator signs in; printed once by the binary.
#[derive(Debug)]
pub struct FirstAdmin {
    /// User name.
    pub username: String,
    /// One-time password (must be changed at first sign-in).
    pub password: String,
}

impl Tessera {
    /// Seeds an empty installation; returns the administrator's credentials when it did.
    /// Runs in one transaction, so two nodes starting at once seed once.
    pub async fn bootstrap(&self) -> Result<Option<FirstAdmin>> {
        let mut tx = self.db().begin().await?;
        if tx.h().department_count().await? > 0 {
            return Ok(None);
        }
        let cfg = self.config();
        let lang = cfg.default_lang;
        let dept = tx
            .h()
            .insert_department(
                &tessera_i18n::t(lang, "seed-department"),
                &cfg.mail_from.email,
            )
            .await?;
        for (i, key) in [
            "seed-topic-general",
            "seed-topic-idea",
            "seed-topic-website",
        ]
        .iter()
        .enumerate()
        {
            let de = tessera_i18n::t(Lang::De, key);
            let en = tessera_i18n::t(Lang::En, key);
            tx.h()
                .insert_help_topic(&de, &en, dept, i as i64 * 10)
                .await?;
        }
        let password = token::random_hex(10);
        let hash = hash_password(password.clone()).await?;
        let admin = tx
            .h()
            .insert_agent(
                "admin",
                &cfg.mail_from.email,
                "Administrator",
                &hash,
                true,
                lang,
            )
            .await?;
        // The first administrator is the department's manager, so that the first ticket
        // alerts someone once they have given their own address (`onboarding.rs` asks for
        // it at the first sign-in; until then their address is the department's own, which
        // `department_alert_recipients` never alerts).
        tx.h()
            .set_department_role(admin, dept, tessera_domain::Role::Manager)
            .await?;
        tx.commit().await?;
        Ok(Some(FirstAdmin {
            username: "admin".into(),
            password,
        }))
    }
}
