//! A corpus of messages in the shapes real clients send (Outlook, Gmail, Thunderbird, Apple
//! Mail, web forms, robots), each decoded and checked against what a person reading it sees.
//! The files are in `tests/corpus/`; the core's ingest tests run the same files through the
//! whole pipeline.

use tessera_mail::inbound::{self, Noise};

/// What a message must decode to.
struct Expect {
    file: &'static str,
    from: &'static str,
    subject: &'static str,
    tag: Option<&'static str>,
    /// The part a person wrote now begins with this…
    visible_starts: &'static str,
    /// …and does not contain this (quoted original, signature); "" for no check.
    visible_lacks: &'static str,
    /// File names of the parts, in order.
    parts: &'static [&'static str],
    noise: Option<Noise>,
    /// The first reference (In-Reply-To), or for a bounce the returned original's id.
    refers_to: Option<&'static str>,
}

const TESSERA_ID: &str = "tessera.42.1a2b3c4d5e6f7a8b.0011223344556677@drk.test";

const CORPUS: &[Expect] = &[
    Expect {
        file: "outlook_de_reply.eml",
        from: "j.weiss@ortsverein.example",
        subject: "AW: [#482913] Plakat für das Nikolausschwimmen",
        tag: Some("482913"),
        visible_starts: "Hallo Frau Schneider,\n\nvielen Dank, das Plakat gefällt uns sehr.",
        visible_lacks: "anbei der erste Entwurf",
        parts: &[],
        noise: None,
        refers_to: Some(TESSERA_ID),
    },
    Expect {
        file: "gmail_en_reply.eml",
        from: "sarah.connor@gmail.example",
        subject: "Re: [#482913] Flyer for the charity swim",
        tag: Some("482913"),
        visible_starts: "Thanks, that works for me. I'll bring the banner on Saturday.",
        visible_lacks: "the flyer is attached",
        parts: &[],
        noise: None,
        refers_to: Some(TESSERA_ID),
    },
    Expect {
        file: "thunderbird_de_reply.eml",
        from: "max@ortsverein.example",
        subject: "Re: [#482913] Plakat für das Nikolausschwimmen",
        tag: Some("482913"),
        visible_starts: "Super, danke! Die Flyer hole ich am Freitag ab.",
        visible_lacks: "Tel. 01234",
        parts: &[],
        noise: None,
        refers_to: Some(TESSERA_ID),
    },
    Expect {
        file: "apple_mail_en_inline_image.eml",
        from: "ann.lee@icloud.example",
        subject: "Photo of the stand",
        tag: None,
        visible_starts: "Here is the stand from last year:",
        visible_lacks: "Sent from my iPhone",
        parts: &["IMG_0042.png"],
        noise: None,
        refers_to: None,
    },
    Expect {
        file: "new_request_attachments_de.eml",
        from: "petra@baeder.example",
        subject: "Plakat für das Nikolausschwimmen",
        tag: None,
        visible_starts: "Guten Tag,\n\nwir brauchen für das Nikolausschwimmen am 6.12. ein Plakat, einen Flyer und",
        visible_lacks: "",
        parts: &["Skizze Plakat ü.pdf", "Textentwurf.docx"],
        noise: None,
        refers_to: None,
    },
    Expect {
        file: "forward_en.eml",
        from: "tom@club.example",
        subject: "Fwd: Website broken on mobile",
        tag: None,
        visible_starts: "Can you have a look? See below.",
        // A forward is the request itself: nothing of it is folded away.
        visible_lacks: "",
        parts: &[],
        noise: None,
        refers_to: None,
    },
    Expect {
        file: "legacy_latin1_de.eml",
        from: "hans@alt.example",
        subject: "Spende € 50",
        tag: None,
        visible_starts: "Sehr geehrte Damen und Herren,\n\ndie Spende über 50 € ist überwiesen.",
        visible_lacks: "",
        parts: &[],
        noise: None,
        refers_to: None,
    },
    Expect {
        file: "out_of_office_de.eml",
        from: "j.weiss@ortsverein.example",
        subject: "Abwesenheitsnotiz: [#482913] Plakat",
        tag: Some("482913"),
        visible_starts: "Ich bin bis zum 7.12. nicht im Büro.",
        visible_lacks: "",
        parts: &[],
        noise: Some(Noise::AutoSubmitted),
        refers_to: Some(TESSERA_ID),
    },
    Expect {
        file: "bounce_dsn_en.eml",
        from: "mailer-daemon@mx.drk.test",
        subject: "Undelivered Mail Returned to Sender",
        tag: None,
        visible_starts: "This is the mail system at host mx.drk.test.",
        visible_lacks: "",
        parts: &[],
        noise: Some(Noise::Bounce),
        refers_to: Some(TESSERA_ID),
    },
    Expect {
        file: "mailing_list_en.eml",
        from: "news@lists.example",
        subject: "December news",
        tag: None,
        visible_starts: "Our news of the month.",
        visible_lacks: "",
        parts: &[],
        noise: Some(Noise::Bulk),
        refers_to: None,
    },
    Expect {
        file: "html_only_en.eml",
        from: "form@site.example",
        subject: "Contact form: question about first aid courses",
        tag: None,
        visible_starts: "When is the next first aid course?",
        visible_lacks: "alert(1)",
        parts: &[],
        noise: None,
        refers_to: None,
    },
    Expect {
        file: "null_sender_en.eml",
        from: "calendar@service.example",
        subject: "Reminder: meeting tomorrow",
        tag: None,
        visible_starts: "Reminder.",
        visible_lacks: "",
        parts: &[],
        noise: Some(Noise::NullSender),
        refers_to: None,
    },
    Expect {
        file: "base64_utf8_emoji.eml",
        from: "lea@example.fr",
        subject: "🌟\u{a0}Spendenlauf 2026",
        tag: None,
        visible_starts: "Bonjour, ich möchte beim Spendenlauf helfen – geht das? Léa",
        visible_lacks: "",
        parts: &[],
        noise: None,
        refers_to: None,
    },
];

#[test]
fn every_message_of_the_corpus_decodes_as_a_person_reads_it() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".eml"))
        .collect();
    files.sort();
    let mut listed: Vec<&str> = CORPUS.iter().map(|e| e.file).collect();
    listed.sort();
    assert_eq!(files, listed, "every corpus file has its expectation");

    for e in CORPUS {
        let raw = std::fs::read(dir.join(e.file)).unwrap();
        let m = inbound::parse(&raw).unwrap_or_else(|err| panic!("{}: {err}", e.file));
        let (visible, folded) = inbound::fold(&m.text);
        let ctx = format!("{}:\nvisible {visible:?}\nfolded {folded:?}", e.file);
        assert_eq!(
            m.from.as_ref().map(|f| f.email.as_str()),
            Some(e.from),
            "{ctx}"
        );
        assert_eq!(m.subject, e.subject, "{ctx}");
        assert_eq!(inbound::subject_tag(&m.subject), e.tag, "{ctx}");
        assert!(visible.starts_with(e.visible_starts), "{ctx}");
        if !e.visible_lacks.is_empty() {
            assert!(!visible.contains(e.visible_lacks), "{ctx}");
        }
        let names: Vec<&str> = m.parts.iter().map(|p| p.filename.as_str()).collect();
        assert_eq!(names, e.parts, "{ctx}");
        assert_eq!(m.noise, e.noise, "{ctx}");
        let refers = if e.noise == Some(Noise::Bounce) {
            m.bounced_ids.first()
        } else {
            m.references.first()
        };
        assert_eq!(refers.map(String::as_str), e.refers_to, "{ctx}");
        assert!(
            m.recipients.contains(&"presse@drk.test".to_owned()),
            "{ctx}: {:?}",
            m.recipients
        );
    }
}

#[test]
fn inline_images_keep_their_content_id_and_bytes() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let m = inbound::parse(&std::fs::read(dir.join("apple_mail_en_inline_image.eml")).unwrap())
        .unwrap();
    let img = &m.parts[0];
    assert_eq!(img.content_id.as_deref(), Some("F00D-CAFE@icloud.example"));
    assert_eq!(img.content_type, "image/png");
    assert!(img.bytes.starts_with(b"\x89PNG"));
    assert!(
        m.html
            .as_deref()
            .unwrap()
            .contains("cid:F00D-CAFE@icloud.example")
    );
}
