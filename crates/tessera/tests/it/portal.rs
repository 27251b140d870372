//! The requester's journey over HTTP: portal, receipt, access links, check status, replies,
//! attachments, and the security rules around them.

use reqwest::{StatusCode, header};

use crate::support::{TestApp, csrf, first_topic, ticket_form};

/// The answer to a form post, after redirects.
pub struct Answer {
    status: StatusCode,
    url: String,
}

impl Answer {
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

/// Opens a ticket through the form.
pub async fn open(
    app: &TestApp,
    client: &reqwest::Client,
    fields: &[(&str, &str)],
    files: &[(&str, Vec<u8>)],
) -> (Answer, String) {
    let page = client
        .get(app.url("/open"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let topic = first_topic(&page);
    let token = csrf(client, &app.url("/open")).await;
    let mut all: Vec<(&str, &str)> = vec![("help_topic_id", topic.as_str())];
    all.extend_from_slice(fields);
    let res = client
        .post(app.url("/open"))
        .multipart(ticket_form(&token, &all, files))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let url = res.url().to_string();
    let body = res.text().await.unwrap();
    (Answer { status, url }, body)
}

pub fn final_url(res: &Answer) -> String {
    res.url.clone()
}

pub const MAX: &[(&str, &str)] = &[
    ("email", "max@example.org"),
    ("name", "Max Müller"),
    ("subject", "Plakat für das Nikolausschwimmen"),
    (
        "body",
        "Wir brauchen ein **Plakat**, einen Flyer\nund eine Facebook-Veranstaltung.",
    ),
];

pub fn number_from(url: &str) -> String {
    url.split("/tickets/")
        .nth(1)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn home_offers_both_actions_in_the_visitors_language() {
    let app = TestApp::start().await;
    let c = app.client();
    let de = c
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(de.contains("lang=\"de\""));
    assert!(de.contains("href=\"/open\"") && de.contains("Neues Ticket eröffnen"));
    assert!(de.contains("href=\"/status\"") && de.contains("Ticket-Status prüfen"));
    let en = c
        .get(app.url("/"))
        .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        en.contains("lang=\"en\"")
            && en.contains("Open a new ticket")
            && en.contains("Check ticket status")
    );
    // The switch is remembered and beats the browser's preference.
    let switched = c
        .get(app.url("/lang/en?next=%2Fopen"))
        .send()
        .await
        .unwrap();
    assert_eq!(switched.url().path(), "/open");
    let page = switched.text().await.unwrap();
    assert!(
        page.contains("General inquiry")
            && page.contains("Submit an idea")
            && page.contains("Report a website problem")
    );
    // An open redirect is refused.
    let evil = app
        .client_no_redirect()
        .get(app.url("/lang/de?next=//evil.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(evil.headers()[header::LOCATION], "/");
    app.stop().await;
}

#[tokio::test]
async fn first_start_seeds_the_seed_topics_and_an_administrator() {
    let app = TestApp::start().await;
    let page = app
        .client()
        .get(app.url("/open"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for topic in [
        "Allgemeine Anfrage",
        "Idee einbringen",
        "Ein Problem melden / HP",
    ] {
        assert!(
            page.contains(&topic.replace('/', "&#x2f;")) || page.contains(topic),
            "{topic} missing"
        );
    }
    assert_eq!(app.count("agent WHERE is_admin").await, 1);
    assert_eq!(app.count("department").await, 1);
    // A second start of the same installation seeds nothing more.
    assert!(app.app.bootstrap().await.unwrap().is_none());
    assert_eq!(app.count("help_topic").await, 3);
    app.stop().await;
}

#[tokio::test]
async fn opening_a_ticket_shows_a_receipt_with_everything_submitted() {
    let app = TestApp::start().await;
    let c = app.client();
    let pdf = b"%PDF-1.4 sketch".repeat(100);
    let docx = vec![7u8; 3000];
    let (res, page) = open(
        &app,
        &c,
        MAX,
        &[("Skizze.pdf", pdf.clone()), ("Text für Flyer.docx", docx)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let url = final_url(&res);
    assert!(url.contains("?created=1"), "{url}");
    let number = number_from(&url);
    assert_eq!(number.len(), 6);
    assert!(number.chars().all(|c| c.is_ascii_digit()) && !number.starts_with('0'));
    assert!(page.contains(&format!("Ihr Ticket #{number} wurde eröffnet")));
    assert!(page.contains("Allgemeine Anfrage"));
    assert!(page.contains("Plakat für das Nikolausschwimmen"));
    assert!(
        page.contains("<strong>Plakat</strong>"),
        "details rendered as Markdown"
    );
    assert!(page.contains("Skizze.pdf") && page.contains("1,5 KB"));
    assert!(page.contains("Text für Flyer.docx") && page.contains("2,9 KB"));
    assert!(page.contains("Offen"));
    assert!(page.contains("Noch niemandem zugewiesen"));
    assert!(page.contains("max@example.org"));
    // Attachments download with safe headers and identical bytes.
    let href = page
        .split("href=\"/attachments/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let dl = c
        .get(app.url(&format!("/attachments/{href}")))
        .send()
        .await
        .unwrap();
    assert_eq!(dl.status(), StatusCode::OK);
    let h = dl.headers().clone();
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(h[header::CONTENT_TYPE], "application/pdf");
    assert!(
        h[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"Skizze.pdf\"")
    );
    assert!(
        h[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(dl.bytes().await.unwrap().as_ref(), pdf.as_slice());
    // The ticket and its rows exist once.
    assert_eq!(app.count("ticket").await, 1);
    assert_eq!(app.count("attachment").await, 2);
    assert_eq!(app.count("thread_entry WHERE kind = 'message'").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn invalid_input_is_shown_next_to_the_fields_and_nothing_is_stored() {
    let app = TestApp::start().await;
    let c = app.client();
    let (res, page) = open(
        &app,
        &c,
        &[
            ("email", "max@"),
            ("name", "Max"),
            ("subject", "  "),
            ("body", "Hallo <b>Team</b>"),
        ],
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"email-error\">Bitte geben Sie eine gültige E-Mail-Adresse ein"));
    assert!(page.contains("id=\"subject-error\">Bitte füllen Sie dieses Feld aus."));
    assert!(!page.contains("id=\"name-error\""));
    // What was typed is kept, escaped.
    assert!(page.contains("value=\"max@\""));
    assert!(page.contains("Hallo &#60;b&#62;Team&#60;/b&#62;"));
    assert_eq!(app.count("ticket").await, 0);
    assert_eq!(app.count("contact").await, 0);
    assert_eq!(app.count("outbox_mail").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn an_upload_over_the_limit_is_refused_keeps_the_form_and_stores_nothing() {
    let app = TestApp::start_with(Box::new(|c| c.core.attachment_max_total = 1024 * 1024)).await;
    let c = app.client();
    let big = vec![1u8; 700 * 1024];
    let (res, page) = open(&app, &c, MAX, &[("a.pdf", big.clone()), ("b.pdf", big)]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Die Anhänge sind zusammen zu groß"));
    assert!(page.contains("value=\"Plakat für das Nikolausschwimmen\""));
    assert!(page.contains("Bitte wählen Sie Ihre Dateien noch einmal aus"));
    assert_eq!(app.count("ticket").await, 0);
    assert_eq!(app.count("attachment").await, 0);
    // Further over the limit, but within what the route reads (the limit plus a margin for
    // the text), the answer is the same page. Past that, 413 before the body is read:
    // `upload_edge::an_overlong_content_length_is_refused_with_413_before_the_body_is_read`.
    let huge = vec![2u8; 1900 * 1024];
    let (res, page) = open(&app, &c, MAX, &[("huge.pdf", huge)]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Die Anhänge sind zusammen zu groß"));
    assert_eq!(app.count("ticket").await, 0);
    let stored = walk_files(&app.data_dir.join("attachments"));
    assert!(stored.is_empty(), "no bytes kept: {stored:?}");
    app.stop().await;
}

fn walk_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk_files(&p))
            } else {
                out.push(p)
            }
        }
    }
    out
}

#[tokio::test]
async fn only_allowed_file_types_are_accepted() {
    let app = TestApp::start_with(Box::new(|c| {
        c.core.allowed_extensions = vec!["pdf".into(), "png".into()]
    }))
    .await;
    let c = app.client();
    let (res, page) = open(&app, &c, MAX, &[("run.exe", vec![0u8; 10])]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("nicht erlaubten Dateityp"));
    assert!(page.contains("accept=\".pdf,.png\""));
    let (res, _) = open(&app, &c, MAX, &[("ok.PNG", vec![0u8; 10])]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.count("attachment").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn user_text_cannot_inject_markup() {
    let app = TestApp::start().await;
    let c = app.client();
    let fields = [
        ("email", "x@example.org"),
        ("name", "<img src=x onerror=alert(1)>"),
        ("subject", "<script>alert('s')</script>"),
        (
            "body",
            "<script>alert(1)</script>\n[click](javascript:alert(2))",
        ),
    ];
    let (res, page) = open(&app, &c, &fields, &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(!page.contains("<script>alert"));
    assert!(!page.contains("<img src=x"));
    assert!(!page.contains("javascript:"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    app.stop().await;
}

#[tokio::test]
async fn check_status_opens_the_ticket_only_for_a_participant() {
    let app = TestApp::start().await;
    let (res, _) = open(&app, &app.client(), MAX, &[]).await;
    let number = number_from(&final_url(&res));

    let visitor = app.client();
    let token = csrf(&visitor, &app.url("/status")).await;
    let ok = visitor
        .post(app.url("/status"))
        .form(&[
            ("csrf", token.as_str()),
            ("number", &format!("#{number}")),
            ("email", " MAX@example.org "),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.url().path(), format!("/tickets/{number}"));
    assert!(
        ok.text()
            .await
            .unwrap()
            .contains("Plakat für das Nikolausschwimmen")
    );

    let stranger = app.client();
    let token = csrf(&stranger, &app.url("/status")).await;
    let mut answers = Vec::new();
    for (n, e) in [
        (number.as_str(), "eve@example.org"),
        ("999999", "max@example.org"),
        ("abc", "max@example.org"),
    ] {
        let res = stranger
            .post(app.url("/status"))
            .form(&[("csrf", token.as_str()), ("number", n), ("email", e)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let body = res.text().await.unwrap();
        assert!(
            body.contains("Wir haben kein Ticket mit dieser Nummer und E-Mail-Adresse gefunden")
        );
        // Only the echoed form values may differ (a bare `replace(n, …)` would also hit
        // other digits of the page that happen to contain the random number).
        answers.push(
            body.replace(&format!("value=\"{n}\""), "value=\"N\"")
                .replace(&format!("value=\"{e}\""), "value=\"E\""),
        );
    }
    assert!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "answers must not differ"
    );
    let page = stranger
        .get(app.url(&format!("/tickets/{number}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn check_status_is_rate_limited_per_ticket_number_and_per_address() {
    let app = TestApp::start_with(Box::new(|c| {
        c.web.status_attempts_per_ticket = 3;
        c.web.status_attempts_per_ip = 5;
    }))
    .await;
    let c = app.client();
    let token = csrf(&c, &app.url("/status")).await;
    let attempt = async |n: &str| {
        c.post(app.url("/status"))
            .form(&[
                ("csrf", token.as_str()),
                ("number", n),
                ("email", "eve@example.org"),
            ])
            .send()
            .await
            .unwrap()
            .status()
    };
    for _ in 0..3 {
        assert_eq!(attempt("123456").await, StatusCode::OK);
    }
    // Past the number's budget the answer is "a link was mailed if the address is right"
    // (`proxy::guessing_at_a_ticket_never_locks_its_requester_out`); it still counts for
    // this address, which is blocked after its fifth failure.
    assert_eq!(attempt("123456").await, StatusCode::OK);
    assert_eq!(attempt("654321").await, StatusCode::OK);
    assert_eq!(attempt("111111").await, StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}

#[tokio::test]
async fn the_requester_replies_with_an_attachment_and_sees_it_at_once() {
    let app = TestApp::start().await;
    let c = app.client();
    let (res, _) = open(&app, &c, MAX, &[]).await;
    let number = number_from(&final_url(&res));
    let ticket_url = app.url(&format!("/tickets/{number}"));
    let token = csrf(&c, &ticket_url).await;
    let form = ticket_form(
        &token,
        &[("body", "Hier noch das Logo.")],
        &[("logo.png", vec![9u8; 2048])],
    );
    let res = c
        .post(format!("{ticket_url}/reply"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.url().as_str().contains("replied=1"));
    let page = res.text().await.unwrap();
    assert!(page.contains("Ihre Antwort wurde gespeichert."));
    let first = page.find("Wir brauchen ein").unwrap();
    let second = page.find("Hier noch das Logo.").unwrap();
    assert!(first < second, "oldest first");
    assert!(page.contains("logo.png") && page.contains("2,0 KB"));
    // An empty reply is refused with a message.
    let token = csrf(&c, &ticket_url).await;
    let res = c
        .post(format!("{ticket_url}/reply"))
        .multipart(ticket_form(&token, &[("body", " ")], &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("id=\"body-error\""));
    assert_eq!(app.count("thread_entry WHERE kind = 'message'").await, 2);
    app.stop().await;
}

/// Core itself refuses a participant's reply with a NUL character (not every database
/// stores one), as it does an agent's, and stores nothing.
#[tokio::test]
async fn core_refuses_a_participant_reply_with_a_nul_character() {
    let app = TestApp::start().await;
    let c = app.client();
    let (res, _) = open(&app, &c, MAX, &[]).await;
    let number = number_from(&final_url(&res));
    let grant = app
        .app
        .check_status(&number, "max@example.org")
        .await
        .unwrap();
    let reply = |body: &str| tessera_core::ReplyInput {
        body: body.into(),
        uploads: vec![],
    };
    match app.app.participant_reply(grant, reply("Hallo\0Welt")).await {
        Err(tessera_core::CoreError::Invalid(p)) => {
            assert_eq!(p.for_field("body"), Some("error-bad-characters"));
        }
        other => panic!("a NUL character was not refused: {other:?}"),
    }
    assert_eq!(app.count("thread_entry WHERE kind = 'message'").await, 1);
    app.app
        .participant_reply(grant, reply("Hallo Welt"))
        .await
        .unwrap();
    assert_eq!(app.count("thread_entry WHERE kind = 'message'").await, 2);
    app.stop().await;
}

#[tokio::test]
async fn a_session_sees_only_its_own_tickets_and_their_attachments() {
    let app = TestApp::start().await;
    let alice = app.client();
    let (res, _) = open(
        &app,
        &alice,
        &[
            ("email", "alice@example.org"),
            ("name", "Alice"),
            ("subject", "A"),
            ("body", "a"),
        ],
        &[("a.txt", b"alice".to_vec())],
    )
    .await;
    let a_number = number_from(&final_url(&res));
    let bob = app.client();
    let (res, bob_page) = open(
        &app,
        &bob,
        &[
            ("email", "bob@example.org"),
            ("name", "Bob"),
            ("subject", "B"),
            ("body", "b"),
        ],
        &[("b.txt", b"bob".to_vec())],
    )
    .await;
    let b_number = number_from(&final_url(&res));
    let b_att = bob_page
        .split("href=\"/attachments/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();

    assert_eq!(
        alice
            .get(app.url(&format!("/tickets/{b_number}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        alice
            .get(app.url(&format!("/attachments/{b_att}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let token = csrf(&alice, &app.url(&format!("/tickets/{a_number}"))).await;
    let res = alice
        .post(app.url(&format!("/tickets/{b_number}/reply")))
        .multipart(ticket_form(&token, &[("body", "sneaky")], &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("thread_entry WHERE kind = 'message'").await, 2);
    let list = alice
        .get(app.url("/tickets"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains(&a_number) && !list.contains(&b_number));
    // Signing out ends the session.
    let token = csrf(&alice, &app.url("/tickets")).await;
    alice
        .post(app.url("/signout"))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        alice
            .get(app.url(&format!("/tickets/{a_number}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    app.stop().await;
}

#[tokio::test]
async fn forms_refuse_cross_site_posts_and_missing_tokens() {
    let app = TestApp::start().await;
    let c = app.client();
    let token = csrf(&c, &app.url("/status")).await;
    let res = c
        .post(app.url("/status"))
        .header("Sec-Fetch-Site", "cross-site")
        .form(&[
            ("csrf", token.as_str()),
            ("number", "123456"),
            ("email", "a@example.org"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = c
        .post(app.url("/status"))
        .header(header::ORIGIN, "http://evil.example")
        .form(&[
            ("csrf", token.as_str()),
            ("number", "123456"),
            ("email", "a@example.org"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = c
        .post(app.url("/status"))
        .form(&[
            ("csrf", "0".repeat(32).as_str()),
            ("number", "123456"),
            ("email", "a@example.org"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Das Formular war zu lange geöffnet")
    );
    // A ticket form without the token stores nothing.
    let page = c
        .get(app.url("/open"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut fields = vec![("help_topic_id", first_topic(&page))];
    fields.extend(MAX.iter().map(|(k, v)| (*k, v.to_string())));
    let form = fields
        .into_iter()
        .fold(reqwest::multipart::Form::new(), |f, (k, v)| f.text(k, v));
    let res = c
        .post(app.url("/open"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("ticket").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn pages_carry_security_headers_and_unknown_paths_answer_404() {
    let app = TestApp::start().await;
    let res = app.client().get(app.url("/open")).send().await.unwrap();
    let h = res.headers();
    assert!(
        h[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(h[header::CACHE_CONTROL], "no-store");
    let cookie = h[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    let res = app
        .client()
        .get(app.url("/nope"))
        .header(header::ACCEPT_LANGUAGE, "en")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("Not found"));
    assert_eq!(
        app.client()
            .get(app.url("/tickets/123456"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.client()
            .get(app.url("/attachments/1/x"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}

/// A burst of visitors opening the form at once is served: no page holds a database
/// connection while it waits for another (with a pool of 8 that once let 8 requests wait on
/// each other until the pool gave up).
#[tokio::test]
async fn a_burst_of_visitors_opening_the_form_is_served() {
    let app = TestApp::start().await;
    let c = app.client();
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let (c, url) = (c.clone(), app.url("/open"));
        tasks.push(tokio::spawn(async move {
            c.get(url).send().await.unwrap().status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    app.stop().await;
}

#[tokio::test]
async fn requesters_search_their_own_tickets_but_not_internal_notes() {
    let app = TestApp::start().await;
    let client = app.client();
    let (res, _) = open(
        &app,
        &client,
        &[
            ("email", "max@example.org"),
            ("name", "Max Müller"),
            ("subject", "Beamer im Saal"),
            ("body", "Der Beamer zeigt kein Bild."),
        ],
        &[],
    )
    .await;
    let beamer = number_from(&final_url(&res));
    let (res, _) = open(
        &app,
        &client,
        &[
            ("email", "max@example.org"),
            ("name", "Max Müller"),
            ("subject", "Schlüssel"),
            ("body", "Ich habe den Schlüssel für die Halle verloren."),
        ],
        &[],
    )
    .await;
    let key = number_from(&final_url(&res));
    // An agent's internal note on the first ticket.
    let admin = {
        let mut c = app.app.db().conn().await.unwrap();
        c.h()
            .agent(tessera_domain::AgentId(1))
            .await
            .unwrap()
            .unwrap()
    };
    app.app
        .note(
            tessera_core::Worker::test_session(&admin),
            &beamer,
            "Vertraulich: Hausmeister informieren",
            vec![],
            false,
        )
        .await
        .unwrap();
    let search = async |q: &str| {
        client
            .get(app.url(&format!("/tickets?q={q}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    let page = search("Schluessel").await;
    assert!(page.contains(&format!("#{key}")) && !page.contains(&format!("#{beamer}")));
    assert!(page.contains("<mark>Schlüssel</mark>"), "{page}");
    let page = search("Beamer").await;
    assert!(page.contains(&format!("#{beamer}")) && !page.contains(&format!("#{key}")));
    let page = search("Hausmeister").await;
    assert!(
        !page.contains(&format!("#{beamer}")),
        "notes are not the requester's"
    );
    assert!(page.contains("Keine Tickets gefunden"));
    // Another browser, without the grants, finds nothing.
    let other = app.client();
    let page = other
        .get(app.url("/tickets?q=Beamer"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains(&format!("#{beamer}")));
    app.stop().await;
}
