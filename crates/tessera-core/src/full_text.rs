//! The whole text of an entry whose page shows only its beginning (`long_text`): served on
//! its own to whoever may see the entry — agents who may see the ticket, and requesters for
//! the public entries (messages and replies, not held for an agent) of tickets their
//! session was granted. Anyone else is told it does not exist.

use tessera_domain::{EntryKind, ThreadEntryId, model::Ticket};
use tessera_store::Handle;

use crate::{CoreError, Reader, Result, Tessera, work::ownership};

/// The whole text of one entry.
#[derive(Debug, Clone)]
pub struct EntryText {
    /// The ticket's public number.
    pub number: String,
    /// The entry.
    pub entry: ThreadEntryId,
    /// The text of the mail it came as, decoded from the bytes kept; for anything else
    /// (and a mail that cannot be decoded again) its text as the thread shows it, then,
    /// after an empty line, what the thread folds away of it.
    pub text: String,
}

impl Tessera {
    /// The whole text of an entry of a ticket the agent may see.
    pub async fn agent_entry_text(
        &self,
        who: Reader<'_>,
        number: &str,
        entry: ThreadEntryId,
    ) -> Result<EntryText> {
        let mut conn = self.db().conn().await?;
        let ticket = conn.h().ticket_by_number(number).await?;
        if !who.agent().can_see(ownership(&ticket)) {
            return Err(CoreError::NotFound);
        }
        text_of(&mut conn.h(), &ticket, entry, false).await
    }

    /// The whole text of a public entry of a ticket the session was granted.
    pub async fn participant_entry_text(
        &self,
        session: &crate::Session,
        number: &str,
        entry: ThreadEntryId,
    ) -> Result<EntryText> {
        let mut conn = self.db().conn().await?;
        let (ticket, viewer) = conn.h().ticket_for_session(number, session.id).await?;
        viewer.ok_or(CoreError::NotFound)?;
        text_of(&mut conn.h(), &ticket, entry, true).await
    }
}

/// The text of `entry` if it belongs to `ticket`, is not an event and, for `public_only`,
/// is what the public thread shows (a message or a reply, not held).
async fn text_of(
    h: &mut Handle<'_>,
    ticket: &Ticket,
    entry: ThreadEntryId,
    public_only: bool,
) -> Result<EntryText> {
    let row = h.entry_text(entry).await?;
    let kind = EntryKind::parse(&row.kind).ok_or(CoreError::NotFound)?;
    let visible = match kind {
        EntryKind::Event => false,
        EntryKind::Note => !public_only,
        EntryKind::Message | EntryKind::Reply => !(public_only && row.held),
    };
    if row.ticket_id != ticket.id.0 || !visible {
        return Err(CoreError::NotFound);
    }
    // The thread keeps a mail's text in pieces (what is shown, at most `MAX_BODY`
    // characters, and what is folded away); the mail as received has it whole.
    let decoded = match h.entry_mail_raw(entry).await? {
        Some(raw) => tessera_mail::inbound::parse(&raw).ok().map(|m| m.text),
        None => None,
    };
    let text = decoded.unwrap_or_else(|| {
        let mut text = row.body;
        if let Some(q) = row.quoted.filter(|q| !q.is_empty()) {
            text.push_str("\n\n");
            text.push_str(&q);
        }
        text
    });
    Ok(EntryText {
        number: ticket.number.clone(),
        entry,
        text,
    })
}
