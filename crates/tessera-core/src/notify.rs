//! Which mail goes to whom, in the recipient's language, queued through the outbox.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tessera_domain::model::Ticket;
use tessera_i18n::{t, t_args};
use tessera_mail::{Mailbox, OutgoingMail};
use tessera_store::NewOutboxMail;

use crate::{Tessera, token};

/// A Message-ID that names its ticket and carries an HMAC, so that a reply's `In-Reply-To`
/// can later be matched to the ticket without trusting anything else in the message.
pub(crate) fn message_id(app: &Tessera, ticket: &Ticket) -> String {
    let nonce = token::random_hex(8);
    let mut mac = Hmac::<Sha256>::new_from_slice(&app.inner.secret).expect("any key length");
    mac.update(format!("{}:{nonce}", ticket.id).as_bytes());
    let sig = hex::encode(&mac.finalize().into_bytes()[..8]);
    let domain = app
        .config()
        .mail_from
        .email
        .rsplit_once('@')
        .map(|(_, d)| d.to_owned())
        .unwrap_or_else(|| "tessera.invalid".into());
    format!("tessera.{}.{nonce}.{sig}@{domain}", ticket.id)
}

fn sender(app: &Tessera, ticket: &Ticket) -> Mailbox {
    Mailbox {
        name: format!("{} – {}", app.config().org_name, ticket.department.name),
        email: if ticket.department.email.is_empty() {
            app.config().mail_from.email.clone()
        } else {
            ticket.department.email.clone()
        },
    }
}

fn to_outbox(ticket: &Ticket, mail: OutgoingMail) -> NewOutboxMail {
    NewOutboxMail {
        ticket_id: Some(ticket.id),
        message_id: mail.message_id.clone(),
        envelope_from: mail.from.email.clone(),
        recipients: mail.to.iter().map(|m| m.email.clone()).collect(),
        raw: mail.to_bytes(),
    }
}

/// Quotes a text for a plain-text mail, shortened for a summary.
fn quote(body: &str, max_chars: usize) -> String {
    let mut s: String = body.chars().take(max_chars).collect();
    if body.chars().count() > max_chars {
        s.push('…');
    }
    s.lines()
        .map(|l| format!("> {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// "We have received your request" with the access link, to the requester.
pub(crate) fn ticket_opened(
    app: &Tessera,
    ticket: &Ticket,
    body: &str,
    token: &str,
) -> NewOutboxMail {
    let lang = ticket.requester.lang;
    let link = format!("{}/access/{token}", app.config().base_url);
    let topic = ticket
        .help_topic
        .as_ref()
        .map(|h| h.name(lang).to_owned())
        .unwrap_or_default();
    let text = t_args(
        lang,
        "mail-opened-body",
        &[
            ("name", &ticket.requester.name),
            ("number", &ticket.number),
            ("topic", &topic),
            ("subject", &ticket.subject),
            ("message", &quote(body, 2000)),
            ("link", &link),
            ("org", &app.config().org_name),
        ],
    );
    let mail = OutgoingMail {
        from: sender(app, ticket),
        to: vec![Mailbox {
            name: ticket.requester.name.clone(),
            email: ticket.requester.email.clone(),
        }],
        subject: t_args(
            lang,
            "mail-opened-subject",
            &[("number", &ticket.number), ("subject", &ticket.subject)],
        ),
        text,
        link: Some((t(lang, "mail-view-ticket"), link)),
        message_id: message_id(app, ticket),
        references: vec![],
        auto_generated: true,
    };
    to_outbox(ticket, mail)
}
