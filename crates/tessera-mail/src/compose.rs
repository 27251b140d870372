//! Turning a finished text into a MIME message.

use mail_builder::{
    MessageBuilder,
    headers::{address::Address, raw::Raw},
};

/// A name and an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// Display name (may be empty).
    pub name: String,
    /// Address.
    pub email: String,
}

/// Everything a message needs; texts already in the recipient's language.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    /// Sender.
    pub from: Mailbox,
    /// Recipients.
    pub to: Vec<Mailbox>,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// An optional prominent link (rendered as a button in the HTML part).
    pub link: Option<(String, String)>,
    /// Message-ID without angle brackets.
    pub message_id: String,
    /// Message-IDs this one answers, without angle brackets.
    pub references: Vec<String>,
    /// Whether a machine wrote it (adds `Auto-Submitted: auto-generated`).
    pub auto_generated: bool,
}

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl OutgoingMail {
    fn html(&self) -> String {
        let mut body = String::new();
        for para in self.text.split("\n\n") {
            body.push_str("<p style=\"margin:0 0 16px\">");
            body.push_str(&html_escape(para).replace('\n', "<br>"));
            body.push_str("</p>");
        }
        if let Some((label, url)) = &self.link {
            body.push_str(&format!(
                "<p style=\"margin:24px 0\"><a href=\"{}\" style=\"background:#b00000;\
                 color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none;\
                 display:inline-block\">{}</a></p>",
                html_escape(url),
                html_escape(label)
            ));
        }
        format!(
            "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;\
             font-size:16px;line-height:1.5;color:#1a1a1a;max-width:640px\">{body}</body></html>"
        )
    }

    /// The message as bytes, ready to queue.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = MessageBuilder::new()
            .from(Address::new_address(
                Some(self.from.name.clone()),
                self.from.email.clone(),
            ))
            .to(Address::new_list(
                self.to
                    .iter()
                    .map(|m| {
                        Address::new_address(
                            (!m.name.is_empty()).then(|| m.name.clone()),
                            m.email.clone(),
                        )
                    })
                    .collect(),
            ))
            .subject(self.subject.clone())
            .message_id(self.message_id.clone())
            .text_body(self.text.clone())
            .html_body(self.html());
        if let Some(last) = self.references.last() {
            b = b
                .in_reply_to(last.clone())
                .references(self.references.clone());
        }
        if self.auto_generated {
            b = b.header("Auto-Submitted", Raw::new("auto-generated"));
        }
        b.write_to_vec().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_headers_and_parts() {
        let m = OutgoingMail {
            from: Mailbox {
                name: "DRK Helpdesk".into(),
                email: "help@example.org".into(),
            },
            to: vec![Mailbox {
                name: "Max Müller".into(),
                email: "max@example.org".into(),
            }],
            subject: "[#123456] Plakat für das Nikolausschwimmen".into(),
            text: "Hallo Max,\n\nwir haben <Ihre> Anfrage.".into(),
            link: Some(("Ticket ansehen".into(), "http://x/access/a.b".into())),
            message_id: "t1.abc@example.org".into(),
            references: vec![],
            auto_generated: true,
        };
        let raw = String::from_utf8(m.to_bytes()).unwrap();
        assert!(raw.contains("Message-ID: <t1.abc@example.org>"), "{raw}");
        assert!(raw.contains("Auto-Submitted: auto-generated"));
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("&lt;Ihre&gt;"));
        assert!(raw.contains("help@example.org"));
        // The subject is encoded because of the umlaut; the tag stays intact once decoded.
        assert!(raw.contains("Subject: "));
    }

    /// A requester's plain text quoted in an alert or a reply reads as written in the HTML
    /// part too: escaped, never taken for Markdown or HTML (issue 22).
    #[test]
    fn quoted_plain_text_is_not_markup_in_the_html_part() {
        let m = OutgoingMail {
            from: Mailbox {
                name: String::new(),
                email: "help@example.org".into(),
            },
            to: vec![],
            subject: "x".into(),
            text: "Max schrieb:\n> __init__.py\n> # not a heading\n> *stars* <b>tags</b>".into(),
            link: None,
            message_id: "t2@example.org".into(),
            references: vec![],
            auto_generated: true,
        };
        let html = m.html();
        assert!(
            html.contains(
                "Max schrieb:<br>&gt; __init__.py<br>&gt; # not a heading<br>&gt; *stars* &lt;b&gt;tags&lt;/b&gt;"
            ),
            "{html}"
        );
        for markup in ["<strong", "<em", "<h1", "<b>", "<blockquote"] {
            assert!(!html.contains(markup), "{markup} in {html}");
        }
    }
}
