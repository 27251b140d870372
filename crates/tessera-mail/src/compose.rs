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
    /// The language of its texts (`de`, `en`), for the HTML part's `lang`.
    pub lang: String,
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

/// A line of a list in a text: our own lists start their lines with this bullet, so that
/// the HTML part shows them as a list (and a requester's "- " stays text).
pub const BULLET: &str = "• ";

impl OutgoingMail {
    /// The HTML part: a complete document (doctype, `lang`, charset, title), each paragraph
    /// of the text a `<p>`, lines starting with `BULLET` a list, and the prominent link a
    /// button in the place of its URL in the text — so before the signature, and never a
    /// bare URL (a text without the URL gets the button at its end).
    fn html(&self) -> String {
        let mut body = String::new();
        let mut placed = false;
        let button = |(label, url): &(String, String)| {
            format!(
                "<p style=\"margin:24px 0\"><a href=\"{}\" style=\"background:#b00000;\
                 color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;\
                 display:inline-block;font-weight:600\">{}</a></p>",
                html_escape(url),
                html_escape(label)
            )
        };
        for para in self.text.split("\n\n") {
            let mut lines: Vec<&str> = para.lines().collect();
            let at = self
                .link
                .as_ref()
                .filter(|_| !placed)
                .and_then(|(_, url)| lines.iter().position(|l| l.trim() == url));
            let after = at.map(|i| {
                lines.remove(i);
                lines.split_off(i)
            });
            push_paragraph(&mut body, &lines);
            if let (Some(after), Some(link)) = (after, &self.link) {
                body.push_str(&button(link));
                placed = true;
                push_paragraph(&mut body, &after);
            }
        }
        if !placed && let Some(link) = &self.link {
            body.push_str(&button(link));
        }
        format!(
            "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{}</title></head><body style=\"font-family:system-ui,sans-serif;\
             font-size:16px;line-height:1.5;color:#1a1a1a;max-width:640px\">{body}</body></html>",
            html_escape(&self.lang),
            html_escape(&self.subject)
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

/// Writes lines of one paragraph: runs of `BULLET` lines as a list, the others as a `<p>`
/// with line breaks; nothing for no lines.
fn push_paragraph(out: &mut String, lines: &[&str]) {
    let mut text: Vec<String> = Vec::new();
    let mut items: Vec<String> = Vec::new();
    let flush_text = |out: &mut String, text: &mut Vec<String>| {
        if !text.is_empty() {
            out.push_str("<p style=\"margin:0 0 16px\">");
            out.push_str(&text.join("<br>"));
            out.push_str("</p>");
            text.clear();
        }
    };
    let flush_items = |out: &mut String, items: &mut Vec<String>| {
        if !items.is_empty() {
            out.push_str("<ul style=\"margin:0 0 16px;padding-left:24px\">");
            for i in items.iter() {
                out.push_str("<li>");
                out.push_str(i);
                out.push_str("</li>");
            }
            out.push_str("</ul>");
            items.clear();
        }
    };
    for l in lines {
        match l.strip_prefix(BULLET) {
            Some(item) => {
                flush_text(out, &mut text);
                items.push(html_escape(item));
            }
            None => {
                flush_items(out, &mut items);
                text.push(html_escape(l));
            }
        }
    }
    flush_text(out, &mut text);
    flush_items(out, &mut items);
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
            lang: "de".into(),
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
            lang: "de".into(),
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

    /// The tags of an HTML text in order, as (name, closing?); fails on an unclosed `<`.
    fn tags(html: &str) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        let mut rest = html;
        while let Some(i) = rest.find('<') {
            let end = rest[i..].find('>').expect("every tag closes") + i;
            let tag = &rest[i + 1..end];
            let closing = tag.starts_with('/');
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
                .collect();
            out.push((name.to_ascii_lowercase(), closing));
            rest = &rest[end + 1..];
        }
        out
    }

    /// Every element that is not void is closed, in order.
    fn assert_well_formed(html: &str) {
        const VOID: [&str; 3] = ["br", "meta", "!doctype"];
        let mut open: Vec<String> = Vec::new();
        for (name, closing) in tags(html) {
            if VOID.contains(&name.as_str()) {
                assert!(!closing, "</{name}> in {html}");
            } else if closing {
                assert_eq!(open.pop().as_deref(), Some(name.as_str()), "{html}");
            } else {
                open.push(name);
            }
        }
        assert!(open.is_empty(), "unclosed {open:?} in {html}");
    }

    fn receipt(text: &str) -> OutgoingMail {
        OutgoingMail {
            from: Mailbox {
                name: "DRK".into(),
                email: "help@example.org".into(),
            },
            to: vec![],
            subject: "[#1] Flyer & <Plakat>".into(),
            text: text.into(),
            link: Some((
                "Ticket ansehen".into(),
                "http://x/access/a.b?c=1&d=2".into(),
            )),
            message_id: "t3@example.org".into(),
            references: vec![],
            auto_generated: true,
            lang: "de".into(),
        }
    }

    /// The receipt's HTML (issue 23): a whole document, the link a button where the text
    /// has its URL — before the signature —, no URL as text, our bullets a list.
    #[test]
    fn the_link_is_a_button_in_its_place_and_the_document_is_whole() {
        let m = receipt(
            "Hallo,\n\nSie können sie hier einsehen:\nhttp://x/access/a.b?c=1&d=2\n\n\
             Diese Anhänge haben wir erhalten:\n• plan.pdf (1,2 MB)\n• <b>.png (3 KB)\n\n\
             Ihr Team von DRK",
        );
        let html = m.html();
        assert_well_formed(&html);
        assert!(
            html.starts_with("<!DOCTYPE html>\n<html lang=\"de\"><head><meta charset=\"utf-8\">")
        );
        assert!(
            html.contains("<title>[#1] Flyer &amp; &lt;Plakat&gt;</title>"),
            "{html}"
        );
        let button = html
            .find("<a href=\"http://x/access/a.b?c=1&amp;d=2\"")
            .expect("a button");
        let lead = html
            .find("Sie können sie hier einsehen:</p>")
            .expect("lead");
        let signature = html.find("Ihr Team von DRK").expect("signature");
        assert!(lead < button && button < signature, "{html}");
        // The URL is only in the button's href, never shown as text.
        assert_eq!(html.matches("http://x/access").count(), 1, "{html}");
        assert!(html.contains("<ul style=\"margin:0 0 16px;padding-left:24px\"><li>plan.pdf (1,2 MB)</li><li>&lt;b&gt;.png (3 KB)</li></ul>"), "{html}");
        // The text part keeps the URL.
        let raw = String::from_utf8(m.to_bytes()).unwrap();
        assert!(raw.contains("text/plain"));
    }

    #[test]
    fn without_its_url_in_the_text_the_button_ends_the_mail() {
        let html = receipt("Hallo,\n\nbitte hier entlang.").html();
        assert_well_formed(&html);
        let button = html.find("<a href=").unwrap();
        assert!(html.find("bitte hier entlang.").unwrap() < button);
        assert_eq!(html.matches("<a href=").count(), 1);
    }
}
