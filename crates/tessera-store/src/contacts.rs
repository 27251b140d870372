//! Contacts found by what an agent types (the new-ticket page's requester search).

use tessera_domain::{ContactId, model::Contact};

use crate::{Handle, Result, db::on, queue::contains_pattern};

impl Handle<'_> {
    /// At most `limit` contacts whose name or address contains `text` (ASCII letters in
    /// any case), by name.
    pub async fn find_contacts(&mut self, text: &str, limit: i64) -> Result<Vec<Contact>> {
        let pattern = contains_pattern(text);
        let rows: Vec<(i64, String, String, String)> = on!(self, c => sqlx::query_as(
            "SELECT contact_id, email, name, lang FROM contact
             WHERE LOWER(name) LIKE LOWER($1) ESCAPE '\\' OR email_key LIKE LOWER($1) ESCAPE '\\'
             ORDER BY LOWER(name), email_key LIMIT $2")
            .bind(&pattern).bind(limit).fetch_all(c).await?);
        Ok(rows
            .into_iter()
            .map(|(id, email, name, l)| Contact {
                id: ContactId(id),
                email,
                name,
                lang: tessera_domain::Lang::parse(&l).unwrap_or(tessera_domain::Lang::De),
            })
            .collect())
    }
}
