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

/// Why a message is not from a person writing now. Every kind but `Bounce` is "automatic
/// mail" to the core: it is kept on its ticket but answers nothing, alerts nobody, changes no
/// status and never speaks for an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noise {
    /// `Auto-Submitted` other than `no` (RFC 3834: out-of-office replies, other robots).
    AutoSubmitted,
    /// The non-standard auto-reply headers (`X-Autoreply`, `X-Autorespond`,
    /// `X-Autoresponse`, `Precedence: auto_reply`, `X-Auto-Response-Suppress` asking for no
    /// answer to an auto-reply, …).
    AutoReply,
    /// No header gives it away, but the subject is an auto-reply's ("Automatic reply: …",
    /// "Abwesenheitsnotiz: …") — or a reply has no subject at all, which no person's mail
    /// client sends (they write "Re: …") — and no header says a person sent it
    /// (`Auto-Submitted: no`).
    AutoReplySubject,
    /// `Precedence: bulk`, `junk` or `list`, or mailing-list headers (`List-*`).
    Bulk,
    /// `Return-Path: <>`: a notification that must never be answered.
    NullSender,
    /// A delivery status notification (bounce): a `multipart/report` other than a read
    /// receipt, mail from `MAILER-DAEMON` or `postmaster`, `X-Failed-Recipients`.
    Bounce,
    /// A read receipt (message disposition notification, RFC 8098).
    Receipt,
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
    let from = first_mailbox(m.from());
    let subject = m.subject().unwrap_or("").trim().to_owned();
    let noise = robot(&m, from.as_ref(), &subject);
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
    // A read receipt names the message it reports on in its report part, which clients do
    // not always repeat in `In-Reply-To`.
    if noise == Some(Noise::Receipt) {
        for id in returned_ids(&m) {
            if !references.contains(&id) {
                references.push(id);
            }
        }
    }
    let html = (m.html_body_count() > 0 && m.html_bodies().any(|p| p.is_text_html()))
        .then(|| m.body_html(0).map(|h| h.into_owned()))
        .flatten();
    Ok(Inbound {
        message_id: m.message_id().map(str::to_owned),
        reply_to: first_mailbox(m.reply_to()),
        from,
        recipients,
        subject,
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

/// Subjects auto-responders put first, lower-case, in the languages our users meet; a
/// match needs the phrase at the very start and then a colon or nothing (see
/// `auto_reply_subject`).
const AUTO_REPLY_SUBJECTS: &[&str] = &[
    // English (Outlook, Exchange, Lotus Notes, Gmail's and hosters' responders).
    "automatic reply",
    "auto reply",
    "auto-reply",
    "autoreply",
    "auto response",
    "auto-response",
    "autoresponse",
    "automatic response",
    "out of office",
    "out of office reply",
    "out of office autoreply",
    "out of the office",
    // German.
    "automatische antwort",
    "automatische rückantwort",
    "abwesenheitsnotiz",
    "abwesenheitsmeldung",
    "abwesenheitsnachricht",
    // French, Spanish, Italian, Portuguese, Dutch.
    "réponse automatique",
    "reponse automatique",
    "réponse automatique d'absence du bureau",
    "absence du bureau",
    "respuesta automática",
    "respuesta automatica",
    "fuera de la oficina",
    "risposta automatica",
    "fuori sede",
    "resposta automática",
    "automatisch antwoord",
    // Scandinavian, Finnish, Polish, Czech, Russian, Turkish, Japanese, Chinese.
    "autosvar",
    "automatisk svar",
    "automaattinen vastaus",
    "automatyczna odpowiedź",
    "automatická odpověď",
    "автоматический ответ",
    "otomatik yanıt",
    "自動応答",
    "自动回复",
];

/// Whether a subject is an auto-responder's: a known phrase first, then a colon (ASCII or
/// full-width) or nothing. A person's "Re: automatic reply settings broken" or "Automatic
/// reply rules in Outlook?" is not one: a reply prefix comes first, or the phrase goes on.
pub fn auto_reply_subject(subject: &str) -> bool {
    let s = subject.trim().to_lowercase();
    AUTO_REPLY_SUBJECTS.iter().any(|p| {
        s.strip_prefix(p).is_some_and(|rest| {
            let rest = rest.trim_start();
            rest.is_empty() || rest.starts_with(':') || rest.starts_with('：')
        })
    })
}

/// Why a message is automatic, if it is: every common marker, strongest first.
fn robot(m: &mail_parser::Message<'_>, from: Option<&Mailbox>, subject: &str) -> Option<Noise> {
    // A header's value, lower-case, up to its first parameter; `None` when absent or empty.
    let value = |name: &str| {
        m.header_raw(name)
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .filter(|v| !v.is_empty())
    };
    let report_type = m.root_part().content_type().and_then(|ct| {
        (ct.c_type.eq_ignore_ascii_case("multipart")
            && ct
                .c_subtype
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("report")))
        .then(|| {
            ct.attribute("report-type")
                .unwrap_or("")
                .to_ascii_lowercase()
        })
    });
    if report_type.as_deref() == Some("disposition-notification") {
        return Some(Noise::Receipt);
    }
    let daemon = from.is_some_and(|f| {
        let local = f.email.split('@').next().unwrap_or("");
        local == "mailer-daemon" || local == "postmaster"
    });
    if report_type.is_some() || daemon || m.header_raw("X-Failed-Recipients").is_some() {
        return Some(Noise::Bounce);
    }
    let auto_submitted = value("Auto-Submitted");
    if auto_submitted.as_deref().is_some_and(|v| v != "no") {
        return Some(Noise::AutoSubmitted);
    }
    let says_yes = |name: &str| {
        value(name).is_some_and(|v| !matches!(v.as_str(), "no" | "false" | "0" | "off"))
    };
    let precedence = value("Precedence").or_else(|| value("X-Precedence"));
    let suppress = value("X-Auto-Response-Suppress").is_some_and(|v| {
        v.split(',')
            .any(|t| matches!(t.trim(), "all" | "oof" | "autoreply"))
    });
    if [
        "X-Autoreply",
        "X-Autorespond",
        "X-Autoresponse",
        "X-Autoreply-From",
        "X-Mail-Autoreply",
        "X-Autogenerated",
    ]
    .iter()
    .any(|h| says_yes(h))
        || precedence.as_deref() == Some("auto_reply")
        || suppress
    {
        return Some(Noise::AutoReply);
    }
    if m.header_raw("Return-Path")
        .is_some_and(|r| r.trim().trim_matches(['<', '>', ' ']).is_empty())
    {
        return Some(Noise::NullSender);
    }
    if matches!(precedence.as_deref(), Some("bulk" | "junk" | "list"))
        || m.headers().iter().any(|h| {
            h.name()
                .get(..5)
                .is_some_and(|p| p.eq_ignore_ascii_case("list-"))
        })
    {
        return Some(Noise::Bulk);
    }
    // The weakest signal: only a subject, and only when no header says "a person". A new
    // message without a subject is common from people; a reply without one is not.
    let answers = m.header_raw("In-Reply-To").is_some() || m.header_raw("References").is_some();
    if auto_submitted.is_none()
        && (auto_reply_subject(subject) || (answers && subject.trim().is_empty()))
    {
        return Some(Noise::AutoReplySubject);
    }
    None
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
/// its headers as `text/rfc822-headers`; for a read receipt, its `Original-Message-ID`.
fn returned_ids(m: &mail_parser::Message<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for part in &m.parts {
        if let Some(inner) = part.message() {
            out.extend(inner.message_id().map(str::to_owned));
        } else if part.is_content_type("text", "rfc822-headers")
            || part.is_content_type("message", "rfc822-headers")
            || part.is_content_type("message", "disposition-notification")
        {
            let text = String::from_utf8_lossy(part.contents());
            for line in text.lines() {
                if let Some((name, value)) = line.split_once(':')
                    && (name.trim().eq_ignore_ascii_case("message-id")
                        || name.trim().eq_ignore_ascii_case("original-message-id"))
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
        use Noise::*;
        let cases: &[(&str, Option<Noise>)] = &[
            ("Auto-Submitted: auto-replied", Some(AutoSubmitted)),
            (
                "Auto-Submitted: auto-generated; owner-email=x@y.z",
                Some(AutoSubmitted),
            ),
            ("Auto-Submitted: No", None),
            ("X-Autoreply: yes", Some(AutoReply)),
            ("X-Autorespond: Urlaub", Some(AutoReply)),
            ("X-Autoresponse: 1", Some(AutoReply)),
            ("X-AutoReply-From: a@b.c", Some(AutoReply)),
            ("X-Mail-Autoreply: yes", Some(AutoReply)),
            ("X-Autogenerated: Reply", Some(AutoReply)),
            ("X-Autoreply: no", None),
            ("Precedence: auto_reply", Some(AutoReply)),
            ("X-Auto-Response-Suppress: All", Some(AutoReply)),
            (
                "X-Auto-Response-Suppress: DR, OOF, AutoReply",
                Some(AutoReply),
            ),
            ("X-Auto-Response-Suppress: RN, NRN", None),
            ("Precedence: bulk", Some(Bulk)),
            ("Precedence: junk", Some(Bulk)),
            ("Precedence: list", Some(Bulk)),
            ("X-Precedence: bulk", Some(Bulk)),
            ("Precedence: first-class", None),
            ("List-Id: <news.example.org>", Some(Bulk)),
            ("List-Unsubscribe: <mailto:u@x.y>", Some(Bulk)),
            ("List-Post: <mailto:l@x.y>", Some(Bulk)),
            ("Listen: nothing", None),
            ("Return-Path: <>", Some(NullSender)),
            ("Return-Path: < >", Some(NullSender)),
            ("Return-Path: <a@b.c>", None),
            ("X-Failed-Recipients: x@y.z", Some(Bounce)),
            (
                "Content-Type: multipart/report; report-type=delivery-status; boundary=b",
                Some(Bounce),
            ),
            (
                "Content-Type: multipart/report; report-type=disposition-notification; boundary=b",
                Some(Receipt),
            ),
            // The strongest signal names it.
            (
                "Auto-Submitted: auto-replied\nReturn-Path: <>",
                Some(AutoSubmitted),
            ),
            ("Subject: Automatic reply: Plakat", Some(AutoReplySubject)),
            // A person says so: the subject alone does not outvote that.
            ("Subject: Automatic reply: Plakat\nAuto-Submitted: no", None),
            ("Subject: Re: automatic reply settings broken", None),
            // A reply without any subject is a robot's; a new message without one is not.
            ("In-Reply-To: <x@y.z>", Some(AutoReplySubject)),
            ("References: <x@y.z>\nSubject: ", Some(AutoReplySubject)),
            ("In-Reply-To: <x@y.z>\nSubject: Re:", None),
            ("In-Reply-To: <x@y.z>\nAuto-Submitted: no", None),
            ("Subject: ", None),
            ("To: b@c.d", None),
        ];
        for (headers, expected) in cases {
            check(&format!("From: a@b.c\n{headers}"), *expected);
        }
        check("From: MAILER-DAEMON@mx.example.org", Some(Bounce));
        check("From: postmaster@mx.example.org", Some(Bounce));
    }

    #[test]
    fn tells_auto_reply_subjects_from_peoples() {
        let robots = [
            "Automatic reply: [#482913] Plakat",
            "Automatic Reply: Re: Flyer",
            "AutoReply: Flyer",
            "Auto-Reply: Flyer",
            "Auto Response: Flyer",
            "Out of Office: Flyer",
            "Out of Office AutoReply: Flyer",
            "out of office",
            "Abwesenheitsnotiz: [#482913] Plakat",
            "Automatische Antwort: AW: Plakat",
            "Réponse automatique : Affiche",
            "Réponse automatique d'absence du bureau: Affiche",
            "Respuesta automática: Cartel",
            "Risposta automatica: Manifesto",
            "Automatisch antwoord: Poster",
            "Automatyczna odpowiedź: Plakat",
            "Автоматический ответ: Плакат",
            "自動応答： ポスター",
            "  Automatic reply:Plakat",
        ];
        for s in robots {
            assert!(auto_reply_subject(s), "{s:?} is an auto-reply's subject");
        }
        let people = [
            "Re: automatic reply settings broken",
            "AW: Automatische Antwort: Plakat",
            "Automatic reply settings broken",
            "Automatic replies do not work for my mailbox",
            "Out of office assistant shows an error",
            "Abwesenheitsnotizen einrichten – wie?",
            "Frage zur automatischen Antwort",
            "Plakat [#482913] Automatic reply:",
            "",
        ];
        for s in people {
            assert!(!auto_reply_subject(s), "{s:?} is a person's subject");
        }
    }

    #[test]
    fn reads_the_original_a_read_receipt_names() {
        let raw = msg(
            "From: max@example.org\nSubject: Gelesen: Plakat\nMIME-Version: 1.0\n\
             Content-Type: multipart/report; report-type=disposition-notification; boundary=\"b\"",
            "--b\nContent-Type: text/plain\n\nIhre Nachricht wurde angezeigt.\n\
             --b\nContent-Type: message/disposition-notification\n\n\
             Final-Recipient: rfc822; max@example.org\n\
             Original-Message-ID: <tessera.1.aa@drk.test>\n\
             Disposition: manual-action/MDN-sent-manually; displayed\n--b--",
        );
        let m = parse(&raw).unwrap();
        assert_eq!(m.noise, Some(Noise::Receipt));
        assert_eq!(m.references, ["tessera.1.aa@drk.test"]);
        assert!(m.parts.is_empty());
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
