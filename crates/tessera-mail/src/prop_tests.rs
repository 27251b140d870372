//! Property tests of the mail parser pipeline (issue 21): whatever bytes arrive, decoding
//! never panics, and a well-formed message built by a real composer keeps its structure.
//! `PROPTEST_CASES` raises the case count for long runs (every test is named `prop_…`).

use mail_builder::{MessageBuilder, headers::address::Address};
use proptest::prelude::*;

use crate::{auth, inbound};

/// Modest by default so the normal suite stays fast; `PROPTEST_CASES` wins when set.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// Bytes that look a little like mail: header-ish lines, MIME boundaries, encodings and
/// raw noise, so that the parser's deeper paths are reached, not only "no headers".
fn mailish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"From: a@b.example\r\n".to_vec()),
        Just(b"Subject: =?utf-8?B?w6TDtg==?= [#12]\r\n".to_vec()),
        Just(b"Subject: =?iso-8859-1?Q?f=FCr?=\r\n".to_vec()),
        Just(b"Content-Type: multipart/mixed; boundary=\"b\"\r\n".to_vec()),
        Just(
            b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n".to_vec()
        ),
        Just(b"Content-Type: text/html; charset=utf-8\r\n".to_vec()),
        Just(b"Content-Transfer-Encoding: base64\r\n".to_vec()),
        Just(b"Content-Transfer-Encoding: quoted-printable\r\n".to_vec()),
        Just(b"Content-Disposition: attachment; filename*=utf-8''%E2%80%AEgpj.exe\r\n".to_vec()),
        Just(b"Received: from h (h [192.0.2.1]) by mx\r\n".to_vec()),
        Just(b"References: <a@b> <c@d>\r\nIn-Reply-To: <e@f>\r\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"--b\r\n".to_vec()),
        Just(b"--b--\r\n".to_vec()),
        Just(b"<div>x</div></p></".to_vec()),
        Just(b"> quoted\r\n-- \r\nsig\r\n".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..64),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn prop_arbitrary_bytes_never_panic_the_pipeline(raw in proptest::collection::vec(any::<u8>(), 0..4096)) {
        if let Ok(m) = inbound::parse(&raw) {
            let _ = inbound::fold(&m.text);
            let _ = inbound::subject_tag(&m.subject);
        }
        let _ = auth::trace(&raw);
    }

    #[test]
    fn prop_mail_shaped_bytes_never_panic_the_pipeline(raw in mailish()) {
        if let Ok(m) = inbound::parse(&raw) {
            let _ = inbound::fold(&m.text);
            let _ = inbound::subject_tag(&m.subject);
            if let Some(h) = &m.html {
                let _ = inbound::html_text(h);
            }
        }
        let _ = auth::trace(&raw);
    }

    #[test]
    fn prop_text_helpers_never_panic(s in "\\PC{0,400}|[<>/\\[#\\] \n]{0,100}") {
        let _ = inbound::html_text(&s);
        let _ = inbound::fold(&s);
        let _ = inbound::subject_tag(&s);
    }

    #[test]
    fn prop_a_well_formed_message_keeps_its_structure(
        name in "[A-Za-zÄÖÜäöüßéè]{1,12}( [A-Za-zÄÖÜäöüßéè]{1,12}){0,2}",
        local in "[a-z0-9][a-z0-9._-]{0,15}",
        domain in "[a-z][a-z0-9-]{0,10}\\.(de|org|test)",
        tag in proptest::option::of("[0-9]{6}"),
        words in proptest::collection::vec("[\\p{L}\\p{N}.,:;!()'/&#-]{1,15}", 1..8),
        lines in proptest::collection::vec("[\\p{L}\\p{N} .,!-]{0,60}", 1..12),
        refs in proptest::collection::vec("[a-z0-9]{1,10}@[a-z]{1,8}\\.test", 0..4),
        file in proptest::option::of(("[A-Za-z0-9äöü_-]{1,20}\\.(pdf|png|txt)", proptest::collection::vec(any::<u8>(), 0..2000))),
    ) {
        let email = format!("{local}@{domain}");
        let mut subject = words.join(" ");
        if let Some(t) = &tag {
            subject = format!("Re: [#{t}] {subject}");
        }
        // Lines end without blanks (a composer may strip them) and the text has content.
        let body: String = lines.iter().map(|l| format!("{}\n", l.trim_end())).collect();
        let body = format!("Hallo,\n{body}");
        let mut b = MessageBuilder::new()
            .from(Address::new_address(Some(name.clone()), email.clone()))
            .to("helpdesk@tessera.test")
            .subject(subject.clone())
            .message_id("m1@example.test")
            .text_body(body.clone());
        if let Some(first) = refs.first() {
            b = b.in_reply_to(first.clone()).references(refs.clone());
        }
        if let Some((fname, bytes)) = &file {
            b = b.attachment("application/octet-stream", fname.clone(), bytes.clone());
        }
        let raw = b.write_to_vec().unwrap();
        let m = inbound::parse(&raw).unwrap();
        let from = m.from.clone().unwrap();
        prop_assert_eq!(from.email, email.to_lowercase());
        prop_assert_eq!(from.name, name);
        prop_assert_eq!(&m.subject, &subject);
        prop_assert_eq!(inbound::subject_tag(&m.subject), tag.as_deref());
        prop_assert_eq!(m.text.trim_end(), body.trim_end());
        prop_assert_eq!(m.message_id.as_deref(), Some("m1@example.test"));
        for r in &refs {
            prop_assert!(m.references.contains(r), "{:?} lost from {:?}", r, m.references);
        }
        prop_assert_eq!(m.recipients, vec!["helpdesk@tessera.test".to_owned()]);
        match &file {
            Some((fname, bytes)) => {
                prop_assert_eq!(m.parts.len(), 1);
                prop_assert_eq!(&m.parts[0].filename, fname);
                prop_assert_eq!(&m.parts[0].bytes, bytes);
            }
            None => prop_assert!(m.parts.is_empty()),
        }
        // Nothing of a fresh message is folded away as a quote.
        let (visible, _) = inbound::fold(&m.text);
        prop_assert!(visible.starts_with("Hallo,"));
    }
}

/// Lines a reply is made of: the markers folding looks for, in several languages, and
/// arbitrary text.
fn replyish() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("> quoted".to_owned()),
        Just(">> older".to_owned()),
        Just("".to_owned()),
        Just("-- ".to_owned()),
        Just("--".to_owned()),
        Just("Sent from my iPhone".to_owned()),
        Just("On Tue, Dec 1, 2026 at 10:00 AM Nadine <n@x.de> wrote:".to_owned()),
        Just("Am 01.12.2026 um 10:00 schrieb Nadine <".to_owned()),
        Just("n@x.de>:".to_owned()),
        Just("-----Original Message-----".to_owned()),
        Just("________________________________".to_owned()),
        Just("From: Nadine <n@x.de>".to_owned()),
        Just("Sent: Tuesday, December 1, 2026 10:00 AM".to_owned()),
        Just("To: Max".to_owned()),
        Just("Subject: Re: x".to_owned()),
        Just("---------- Forwarded message ---------".to_owned()),
        Just("вт, 1 дек. 2026 г. в 10:00, Nadine <n@x.ru>:".to_owned()),
        "\\PC{0,60}",
        "[ >\\-_:a-zA-Z0-9]{0,30}",
    ];
    proptest::collection::vec(line, 0..30).prop_map(|v| v.join("\n"))
}

/// HTML made of the quote markup clients write and arbitrary bits.
fn htmlish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<div>".to_owned()),
        Just("</div>".to_owned()),
        Just("<br>".to_owned()),
        Just("<blockquote type=\"cite\">".to_owned()),
        Just("</blockquote>".to_owned()),
        Just("<div class=\"gmail_quote\">".to_owned()),
        Just("<div class=\"moz-cite-prefix\">".to_owned()),
        Just("<div class=\"yahoo_quoted\">".to_owned()),
        Just("<div class=\"gmail_signature\">".to_owned()),
        Just("<hr><div id=\"divRplyFwdMsg\">".to_owned()),
        Just("<div style=\"border:none;border-top:solid #E1E1E1 1.0pt\"><b>From:</b> N".to_owned()),
        Just("On Tue, Dec 1, 2026 at 10:00 AM N &lt;n@x&gt; wrote:".to_owned()),
        Just("-----Original Message-----".to_owned()),
        Just("<!-- c -->".to_owned()),
        Just("<style>p{}</style>".to_owned()),
        Just("&nbsp;&amp;&#1071;&#x42;&".to_owned()),
        Just("Sent from my iPhone".to_owned()),
        "\\PC{0,30}",
        "[<>/=\"' a-z!-]{0,20}",
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

/// The non-blank lines of a text, trimmed and sorted: what folding must keep.
fn kept(parts: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = parts
        .iter()
        .flat_map(|p| p.lines())
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    v.sort();
    v
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn prop_fold_keeps_every_line(text in replyish()) {
        let (visible, folded) = inbound::fold(&text);
        prop_assert_eq!(kept(&[&visible, &folded]), kept(&[&text]));
        // What was written now is never folded away entirely.
        if text.lines().any(|l| !l.trim().is_empty()) {
            prop_assert!(!visible.trim().is_empty());
        }
    }

    #[test]
    fn prop_fold_html_keeps_every_byte(html in htmlish()) {
        let (visible, folded) = inbound::fold_html(&html);
        prop_assert_eq!(visible.len() + folded.len(), html.len());
        // The folded part is cut out of the body in order, whole.
        let mut rest = html.as_str();
        for c in folded.chars() {
            let at = rest.find(c);
            prop_assert!(at.is_some());
            rest = &rest[at.unwrap() + c.len_utf8()..];
        }
    }
}
