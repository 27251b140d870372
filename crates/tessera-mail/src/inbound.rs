//! Email in: what an incoming RFC 5322 message says, decoded (every charset and transfer
//! encoding mail-parser knows, encoded-words included), with the signals that decide where it
//! goes (references, subject tag) and whether it may be answered automatically.
//!
//! Pure functions only: no database, no ticket rules. Matching a message to a ticket and
//! storing it belong to the core.

use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders};

use crate::Mailbox;

/// Folding moved to its own module; callers keep using `inbound::fold`.
pub use crate::fold::{fold, fold_html, fold_mail};

/// A decoded incoming message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    /// `Message-ID` without angle brackets.
    pub message_id: Option<String>,
    /// The author.
    pub from: Option<Mailbox>,
    /// Where the author wants answers.
    pub reply_to: Option<Mailbox>,
    /// Every address it was sent to (To, Cc, Delivered-To, X-Original-To), lower-cased.
    pub recipients: Vec<String>,
    /// Subject, decoded.
    pub subject: String,
    /// Message-IDs it answers: `In-Reply-To` first, then `References` newest first.
    pub references: Vec<String>,
    /// The text body (from the HTML part when there is no text part).
    pub text: String,
    /// The HTML body as sent (to be sanitised before it is shown).
    pub html: Option<String>,
    /// Attached and inline files.
    pub parts: Vec<InboundPart>,
    /// Why this message must not trigger an automatic reply, if it must not.
    pub noise: Option<Noise>,
    /// For a bounce: the Message-IDs of the returned original (from its attached copy or
    /// headers), which name the ticket it belongs to.
    pub bounced_ids: Vec<String>,
}

/// A file in an incoming message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundPart {
    /// File name as sent (not yet cleaned).
    pub filename: String,
    /// MIME type as sent, lower-case.
    pub content_type: String,
    /// `Content-ID` for inline images referenced as `cid:` from the HTML.
    pub content_id: Option<String>,
    /// The decoded bytes.
    pub bytes: Vec<u8>,
}

/// Why a message is not from a person writing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noise {
    /// `Auto-Submitted` other than `no` (out-of-office replies, other robots).
    AutoSubmitted,
    /// `Precedence: bulk`, `junk` or `list`, or mailing-list headers.
    Bulk,
    /// `Return-Path: <>`: a notification that must never be answered.
    NullSender,
    /// A delivery status notification (bounce).
    Bounce,
}

/// A message that cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the message cannot be parsed: {0}")]
pub struct InboundError(pub String);

fn first_mailbox(a: Option<&Address<'_>>) -> Option<Mailbox> {
    let addr = a?.first()?;
    let email = addr.address()?.trim();
    if email.is_empty() {
        return None;
    }
    Some(Mailbox {
        name: addr.name().unwrap_or("").trim().to_owned(),
        email: normalise(email),
    })
}

/// An address with its domain lower-cased (local parts are case-sensitive in theory, not in
/// practice; we compare them lower-cased too, as the contact table does).
fn normalise(email: &str) -> String {
    email.trim().to_lowercase()
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// Reads a raw message.
pub fn parse(raw: &[u8]) -> Result<Inbound, InboundError> {
    let m = MessageParser::default()
        .parse(raw)
        .ok_or_else(|| InboundError("no headers".into()))?;
    if m.headers().is_empty() {
        return Err(InboundError("no headers".into()));
    }
    let mut recipients: Vec<String> = Vec::new();
    for a in m.to().iter().chain(m.cc().iter()) {
        for addr in a.iter() {
            if let Some(e) = addr.address() {
                recipients.push(normalise(e));
            }
        }
    }
    for name in ["Delivered-To", "X-Original-To", "Envelope-To"] {
        for h in m.header_values(name) {
            if let Some(t) = h.as_text() {
                recipients.push(normalise(t.trim_matches(['<', '>', ' '])));
            }
        }
    }
    recipients.sort();
    recipients.dedup();
    let mut references = ids(m.in_reply_to());
    let mut older = ids(m.references());
    older.reverse();
    for r in older {
        if !references.contains(&r) {
            references.push(r);
        }
    }
    let header = |name: &str| {
        m.header(name)
            .and_then(|h| h.as_text())
            .map(|s| s.trim().to_ascii_lowercase())
    };
    let from = first_mailbox(m.from());
    let is_report = m.root_part().content_type().is_some_and(|ct| {
        ct.c_type.eq_ignore_ascii_case("multipart")
            && ct
                .c_subtype
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
    });
    let daemon = from.as_ref().is_some_and(|f| {
        let local = f.email.split('@').next().unwrap_or("");
        local == "mailer-daemon" || local == "postmaster"
    });
    let null_sender = m
        .header_raw("Return-Path")
        .is_some_and(|r| r.trim() == "<>");
    let noise = if is_report || daemon {
        Some(Noise::Bounce)
    } else if header("Auto-Submitted").is_some_and(|v| v != "no") {
        Some(Noise::AutoSubmitted)
    } else if null_sender {
        Some(Noise::NullSender)
    } else if header("Precedence").is_some_and(|v| matches!(v.as_str(), "bulk" | "junk" | "list"))
        || m.header("List-Id").is_some()
        || m.header("List-Unsubscribe").is_some()
        || header("X-Auto-Response-Suppress")
            .is_some_and(|v| v.contains("all") || v.contains("oof"))
    {
        Some(Noise::Bulk)
    } else {
        None
    };
    let parts = m
        .attachments()
        .filter(|p| !p.is_message() || p.attachment_name().is_some())
        // A report's machine-readable parts are read above, not files for people.
        .filter(|p| {
            !(p.is_content_type("message", "delivery-status")
                || p.is_content_type("message", "disposition-notification")
                || p.is_content_type("text", "rfc822-headers")
                || p.is_content_type("message", "rfc822-headers"))
        })
        .map(|p| {
            let content_type = p
                .content_type()
                .map(|ct| match &ct.c_subtype {
                    Some(sub) => format!("{}/{}", ct.c_type, sub),
                    None => ct.c_type.to_string(),
                })
                .unwrap_or_else(|| "application/octet-stream".into())
                .to_ascii_lowercase();
            InboundPart {
                filename: p.attachment_name().unwrap_or("").to_owned(),
                content_type,
                content_id: p
                    .content_id()
                    .map(|c| c.trim_matches(['<', '>']).to_owned()),
                bytes: p.contents().to_vec(),
            }
        })
        .collect();
    let bounced_ids = if noise == Some(Noise::Bounce) {
        returned_ids(&m)
    } else {
        Vec::new()
    };
    let html = (m.html_body_count() > 0 && m.html_bodies().any(|p| p.is_text_html()))
        .then(|| m.body_html(0).map(|h| h.into_owned()))
        .flatten();
    Ok(Inbound {
        message_id: m.message_id().map(str::to_owned),
        reply_to: first_mailbox(m.reply_to()),
        from,
        recipients,
        subject: m.subject().unwrap_or("").trim().to_owned(),
        references,
        text: match (
            &html,
            m.text_bodies().any(|p| p.is_text() && !p.is_text_html()),
        ) {
            (Some(h), false) => html_text(h),
            _ => m
                .body_text(0)
                .map(|t| t.replace("\r\n", "\n"))
                .unwrap_or_default(),
        },
        html,
        parts,
        noise,
        bounced_ids,
    })
}

/// The text of an HTML-only message, with a line break wherever a block ends (mail-parser
/// breaks only at `<br>` and `</p>`, which runs `<div>` lines of Apple Mail and Gmail
/// together).
pub fn html_text(html: &str) -> String {
    let mut marked = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(i) = rest.find("</") {
        marked.push_str(&rest[..i]);
        rest = &rest[i..];
        let name: String = rest[2..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let end = rest.find('>').map(|e| e + 1).unwrap_or(rest.len());
        marked.push_str(&rest[..end]);
        if matches!(
            name.as_str(),
            "div" | "li" | "tr" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" | "table"
        ) {
            marked.push_str("<br>");
        }
        rest = &rest[end..];
    }
    marked.push_str(rest);
    let text = mail_parser::decoders::html::html_to_text(&marked);
    // Collapse the runs of blank lines nested blocks leave.
    let mut out = String::new();
    let mut blank = 0;
    for line in text.lines().map(str::trim_end) {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line.trim_start());
        out.push('\n');
    }
    out.trim().to_owned()
}

/// The Message-IDs of the original a bounce returns: an attached `message/rfc822` copy, or
/// its headers as `text/rfc822-headers`.
fn returned_ids(m: &mail_parser::Message<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for part in &m.parts {
        if let Some(inner) = part.message() {
            out.extend(inner.message_id().map(str::to_owned));
        } else if part.is_content_type("text", "rfc822-headers")
            || part.is_content_type("message", "rfc822-headers")
        {
            let text = String::from_utf8_lossy(part.contents());
            for line in text.lines() {
                if let Some((name, value)) = line.split_once(':')
                    && name.trim().eq_ignore_ascii_case("message-id")
                {
                    let id = value.trim().trim_matches(['<', '>']);
                    if !id.is_empty() {
                        out.push(id.to_owned());
                    }
                }
            }
        }
    }
    out.dedup();
    out
}

/// The ticket number in a subject tag such as `[#123456]`, if there is one.
pub fn subject_tag(subject: &str) -> Option<&str> {
    let start = subject.find("[#")? + 2;
    let len = subject[start..].find(']')?;
    let tag = subject[start..start + len].trim();
    (!tag.is_empty()
        && tag.len() <= 30
        && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    .then_some(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_subject_tags() {
        let check = |s: &str, expected: Option<&str>| assert_eq!(subject_tag(s), expected, "{s}");
        check("Re: [#482913] Plakat", Some("482913"));
        check("AW: WG: [#DRK-1234] Flyer", Some("DRK-1234"));
        check("[# 123 ]", Some("123"));
        check("Plakat", None);
        check("[#] leer", None);
        check("[#12<script>]", None);
    }

    fn msg(headers: &str, body: &str) -> Vec<u8> {
        format!("{headers}\r\n\r\n{body}")
            .replace("\r\n", "\n")
            .replace('\n', "\r\n")
            .into_bytes()
    }

    #[test]
    fn decodes_legacy_charsets_and_encoded_words() {
        let raw = [
            b"From: =?iso-8859-1?Q?J=FCrgen_M=FCller?= <Juergen@Example.ORG>\r\n".as_slice(),
            b"To: hilfe@drk.test\r\nSubject: =?windows-1252?Q?Gr=FC=DFe_=96_Plakat?=\r\n",
            b"Content-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
            b"Sch=F6ne Gr=FC=DFe =80 5\r\n",
        ]
        .concat();
        let m = parse(&raw).unwrap();
        assert_eq!(m.from.as_ref().unwrap().name, "Jürgen Müller");
        assert_eq!(m.from.as_ref().unwrap().email, "juergen@example.org");
        assert_eq!(m.subject, "Grüße – Plakat");
        assert_eq!(m.text.trim(), "Schöne Grüße € 5");
        assert_eq!(m.recipients, vec!["hilfe@drk.test".to_owned()]);
        assert_eq!(m.noise, None);

        let raw = [
            b"From: a@b.c\r\nSubject: =?ISO-8859-15?B?pCBrb3N0ZXQ=?=\r\n".as_slice(),
            b"Content-Type: text/plain; charset=iso-8859-15\r\nContent-Transfer-Encoding: base64\r\n\r\n",
            b"pCBmJHI=\r\n",
        ]
        .concat();
        let m = parse(&raw).unwrap();
        assert_eq!(m.subject, "€ kostet");
        assert_eq!(m.text.trim(), "€ f$r");
    }

    #[test]
    fn orders_references_newest_first() {
        let m = parse(&msg(
            "From: a@b.c\nMessage-ID: <new@x>\nIn-Reply-To: <r2@x>\nReferences: <r0@x> <r1@x> <r2@x>",
            "hi",
        ))
        .unwrap();
        assert_eq!(m.message_id.as_deref(), Some("new@x"));
        assert_eq!(m.references, ["r2@x", "r1@x", "r0@x"]);
    }

    #[test]
    fn recognises_robots_and_bounces() {
        let check = |headers: &str, expected: Option<Noise>| {
            let m = parse(&msg(headers, "text")).unwrap();
            assert_eq!(m.noise, expected, "{headers}");
        };
        check(
            "From: a@b.c\nAuto-Submitted: auto-replied",
            Some(Noise::AutoSubmitted),
        );
        check("From: a@b.c\nAuto-Submitted: no", None);
        check("From: a@b.c\nPrecedence: bulk", Some(Noise::Bulk));
        check(
            "From: a@b.c\nList-Id: <news.example.org>",
            Some(Noise::Bulk),
        );
        check("From: a@b.c\nReturn-Path: <>", Some(Noise::NullSender));
        check("From: MAILER-DAEMON@mx.example.org", Some(Noise::Bounce));
        check(
            "From: x@y.z\nContent-Type: multipart/report; report-type=delivery-status; boundary=b",
            Some(Noise::Bounce),
        );
        check("From: a@b.c\nPrecedence: first-class", None);
    }

    #[test]
    fn keeps_attachments_and_inline_images() {
        let raw = msg(
            "From: max@example.org\nSubject: Skizze\nMIME-Version: 1.0\nContent-Type: multipart/related; boundary=\"b1\"",
            "--b1\nContent-Type: text/html; charset=utf-8\n\n<p>Hier <img src=\"cid:img1@x\"></p>\n--b1\nContent-Type: image/png\nContent-ID: <img1@x>\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--b1\nContent-Type: application/pdf; name=\"Flyer.pdf\"\nContent-Disposition: attachment; filename=\"Flyer.pdf\"\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQ=\n--b1--",
        );
        let m = parse(&raw).unwrap();
        assert!(m.html.as_deref().unwrap().contains("cid:img1@x"));
        assert_eq!(m.text.trim(), "Hier");
        assert_eq!(m.parts.len(), 2);
        assert_eq!(m.parts[0].content_id.as_deref(), Some("img1@x"));
        assert_eq!(m.parts[0].bytes, b"\x89PNG\r\n\x1a\n");
        assert_eq!(m.parts[1].filename, "Flyer.pdf");
        assert_eq!(m.parts[1].content_type, "application/pdf");
        assert_eq!(m.parts[1].bytes, b"%PDF-1.4");
    }

    #[test]
    fn refuses_what_is_no_message() {
        assert!(parse(b"").is_err());
    }
}
