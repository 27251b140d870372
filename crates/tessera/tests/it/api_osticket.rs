//! osTicket's ticket API as a program written for osTicket uses it: `POST /api/tickets.json`
//! and `/api/tickets.email` with `X-API-Key`, and the keys that administrators create in
//! the browser or on the command line.

use std::{net::TcpListener, process::Command};

use base64::Engine;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use tessera_core::{Actor, ApiKeyForm};
use tessera_domain::{DepartmentId, EntryKind, HelpTopicId, Role, field::FieldDraft};

use crate::{
    admin::{PASSWORD, agent, chefin, post_form, sign_in},
    portal::{final_url, number_from, open},
    support::{TestApp, TestDb, eml, eventually},
};

/// A complete 1×1 PNG, in place of the documentation's shortened base64.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

/// The JSON example of osTicket's `setup/doc/api/tickets.md`, its trailing comma removed
/// and the image complete.
fn documented_example() -> String {
    format!(
        r#"{{
    "alert": true,
    "autorespond": true,
    "source": "API",
    "name": "Angry User",
    "email": "api@osticket.com",
    "phone": "3185558634X123",
    "subject": "Testing API",
    "ip": "123.211.233.122",
    "message": "MESSAGE HERE",
    "attachments": [
        {{"file.txt": "data:text/plain;charset=utf-8,content"}},
        {{"image.png": "data:image/png;base64,{PNG}"}}
    ]
}}"#
    )
}

/// A key of `scope` made through core (as the admin page and the CLI do).
async fn key(app: &TestApp, scope: &str, agent: &str, ips: &str, rate: &str) -> String {
    let (_, token) = app
        .app
        .create_api_key(
            Actor::Cli,
            &ApiKeyForm {
                name: format!("{scope} key"),
                scope: scope.into(),
                agent: agent.into(),
                allowed_ips: ips.into(),
                rate_per_minute: rate.into(),
            },
        )
        .await
        .unwrap();
    token
}

/// Posts `body` to `/api/tickets.json`; (status, content type, body).
async fn post_json(
    app: &TestApp,
    key: Option<&str>,
    content_type: &str,
    body: String,
    lang: Option<&str>,
) -> (StatusCode, String, String) {
    let mut req = reqwest::Client::new()
        .post(app.url("/api/tickets.json"))
        .header(header::CONTENT_TYPE, content_type)
        .body(body);
    if let Some(k) = key {
        req = req.header("X-API-Key", k);
    }
    if let Some(l) = lang {
        req = req.header(header::ACCEPT_LANGUAGE, l);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let ct = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, res.text().await.unwrap())
}

async fn create(app: &TestApp, key: &str, v: Value) -> String {
    let (status, ct, body) =
        post_json(app, Some(key), "application/json", v.to_string(), None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(ct.starts_with("text/plain"), "{ct}");
    body
}

/// What a ticket is made of, as a requester and an agent would compare it.
#[derive(Debug, PartialEq)]
struct Shape {
    subject: String,
    requester: (String, String),
    topic: Option<i64>,
    messages: Vec<String>,
    files: Vec<(String, String, Vec<u8>)>,
}

async fn shape(app: &TestApp, number: &str) -> Shape {
    let mut c = app.app.db().conn().await.unwrap();
    let t = c.h().ticket_by_number(number).await.unwrap();
    let thread = c.h().public_thread(t.id, None).await.unwrap();
    let mut files = Vec::new();
    for a in c.h().ticket_attachments(t.id).await.unwrap() {
        let mut bytes = Vec::new();
        let mut f = app.app.blobs().open_blob(&a.blob_key).await.unwrap();
        tokio::io::AsyncReadExt::read_to_end(&mut f, &mut bytes)
            .await
            .unwrap();
        files.push((a.filename, a.content_type, bytes));
    }
    Shape {
        subject: t.subject,
        requester: (t.requester.email, t.requester.name),
        topic: t.help_topic.map(|h| h.id.0),
        messages: thread
            .into_iter()
            .filter(|e| e.kind == EntryKind::Message)
            .map(|e| e.body)
            .collect(),
        files,
    }
}

#[tokio::test]
async fn the_documented_example_opens_the_ticket_the_portal_would() {
    let app = TestApp::start().await;
    let k = key(&app, "create", "", "", "").await;
    let number = create(
        &app,
        &k,
        serde_json::from_str(&documented_example()).unwrap(),
    )
    .await;
    assert!(
        number.len() == 6 && number.chars().all(|c| c.is_ascii_digit()),
        "the body is the ticket number: {number:?}"
    );

    let png = base64::engine::general_purpose::STANDARD
        .decode(PNG)
        .unwrap();
    let c = app.client();
    let (res, _) = open(
        &app,
        &c,
        &[
            ("email", "api@osticket.com"),
            ("name", "Angry User"),
            ("subject", "Testing API"),
            ("body", "MESSAGE HERE"),
        ],
        &[
            ("file.txt", b"content".to_vec()),
            ("image.png", png.clone()),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let portal = number_from(&final_url(&res));
    let api = shape(&app, &number).await;
    assert_eq!(api, shape(&app, &portal).await);
    assert_eq!(api.files[1].2, png, "the image arrives byte for byte");
    assert_eq!(api.files[1].1, "image/png");
    assert_eq!(api.topic, Some(1), "no topicId: the first public topic");

    // The source and the requester's address are kept.
    let mut conn = app.app.db().conn().await.unwrap();
    let t = conn.h().ticket_by_number(&number).await.unwrap();
    drop(conn);
    let of_ticket = format!("ticket_id = {} AND ", t.id.0);
    assert_eq!(
        app.count(&format!("ticket WHERE {of_ticket}source = 'api'"))
            .await,
        1
    );
    assert_eq!(
        app.count(&format!(
            "thread_entry WHERE {of_ticket}kind = 'event' AND body LIKE '%api%'"
        ))
        .await,
        1,
        "the thread says it came through the API"
    );
    assert_eq!(
        app.app.ticket_client_ip(t.id).await.unwrap().as_deref(),
        Some("123.211.233.122")
    );

    // An HTML message shows as text in the thread; the original is sanitised when shown.
    let html = create(
        &app,
        &k,
        json!({
            "name": "Angry User", "email": "api@osticket.com", "subject": "HTML",
            "message": "data:text/html;charset=utf-8,<p>Hallo <b>Welt</b></p><div>zweite Zeile</div><script>alert(1)</script><img src=\"https://tracker.example/x.png\">",
            "priority": 3,
        }),
    )
    .await;
    let mut conn = app.app.db().conn().await.unwrap();
    let t = conn.h().ticket_by_number(&html).await.unwrap();
    assert_eq!(t.priority, tessera_domain::Priority::High);
    let entry = conn
        .h()
        .public_thread(t.id, None)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.kind == EntryKind::Message)
        .unwrap();
    drop(conn);
    assert!(
        entry.body.starts_with("Hallo Welt\nzweite Zeile"),
        "{:?}",
        entry.body
    );
    assert!(!entry.body.contains('<'), "{:?}", entry.body);
    assert!(entry.has_original_html);
    chefin(&app).await;
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    let page = admin
        .get(app.url(&format!(
            "/agent/tickets/{html}/entries/{}/original",
            entry.id.0
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("<b>Welt</b>"), "{page}");
    assert!(!page.contains("<script>alert") && !page.contains("tracker.example"));
    app.stop().await;
}

#[tokio::test]
async fn every_refusal_answers_with_osticket_status_and_a_sentence() {
    let app = TestApp::start().await;
    agent(&app, "nadine", "Nadine", false).await;
    let good = key(&app, "create", "", "", "").await;
    let body = documented_example();
    let ok = |(s, _, b): (StatusCode, String, String)| {
        assert_eq!(s, StatusCode::CREATED, "{b}");
    };

    // 401: no key, a wrong one, a revoked one, one bound to other addresses.
    let (s, ct, text) = post_json(&app, None, "application/json", body.clone(), Some("en")).await;
    assert_eq!(
        (s, text.as_str()),
        (StatusCode::UNAUTHORIZED, "Valid API key required")
    );
    assert!(ct.starts_with("text/plain"));
    let (s, _, text) = post_json(&app, Some("x.y"), "application/json", body.clone(), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(text.contains("API-Schlüssel"), "German by default: {text}");
    let wrong = format!("{}x", &good[..good.len() - 1]);
    let (s, _, _) = post_json(&app, Some(&wrong), "application/json", body.clone(), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let elsewhere = key(&app, "create", "", "192.0.2.0/24, 2001:db8::/32", "").await;
    let (s, _, _) = post_json(
        &app,
        Some(&elsewhere),
        "application/json",
        body.clone(),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let here = key(&app, "create", "", "127.0.0.0/8, ::1", "").await;
    ok(post_json(&app, Some(&here), "application/json", body.clone(), None).await);
    let revoked = key(&app, "create", "", "", "").await;
    ok(post_json(&app, Some(&revoked), "application/json", body.clone(), None).await);
    let id = app.app.api_keys(Actor::Cli).await.unwrap()[0].id;
    app.app.revoke_api_key(Actor::Cli, id).await.unwrap();
    let (s, _, _) = post_json(&app, Some(&revoked), "application/json", body.clone(), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // 403: a read key may not create.
    let read = key(&app, "read", "nadine", "", "").await;
    let (s, _, text) = post_json(
        &app,
        Some(&read),
        "application/json",
        body.clone(),
        Some("en"),
    )
    .await;
    assert_eq!(
        (s, text.as_str()),
        (StatusCode::FORBIDDEN, "API key not authorized")
    );

    // 415: not JSON. JSON labelled as a form (osTicket's PHP example client) is read.
    for ct in [
        "application/xml",
        "multipart/form-data; boundary=x",
        "image/png",
    ] {
        let (s, _, _) = post_json(&app, Some(&good), ct, body.clone(), None).await;
        assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct}");
    }
    let (s, _, _) = post_json(
        &app,
        Some(&good),
        "application/x-www-form-urlencoded",
        "a=b".into(),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    ok(post_json(
        &app,
        Some(&good),
        "application/x-www-form-urlencoded",
        body.clone(),
        None,
    )
    .await);

    // 400: bad JSON, and every field to fix at once, in the caller's language.
    let (s, _, text) = post_json(
        &app,
        Some(&good),
        "application/json",
        "{\"name\": ".into(),
        Some("en"),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(text.starts_with("The request is not valid JSON"), "{text}");
    let bad = json!({
        "name": "Angry User", "email": "not an address", "message": "x",
        "priority": "whenever", "ip": "300.1.1.1", "topicId": 999,
        "attachments": [{"a.png": "data:image/png;base64,***"}],
    });
    let (s, _, text) = post_json(
        &app,
        Some(&good),
        "application/json",
        bad.to_string(),
        Some("en"),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Unable to create new ticket: validation errors:");
    for field in [
        "email",
        "subject",
        "priority",
        "ip",
        "topicId",
        "attachments",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(&format!("{field}: "))),
            "{field} in {text}"
        );
    }
    assert!(
        text.contains("subject: Please fill in this field."),
        "{text}"
    );
    let (_, _, german) = post_json(
        &app,
        Some(&good),
        "application/json",
        bad.to_string(),
        Some("de-DE"),
    )
    .await;
    assert!(
        german.contains("subject: Bitte füllen Sie dieses Feld aus."),
        "{german}"
    );
    // Nothing half-written: only the accepted tickets exist.
    assert_eq!(app.count("ticket").await, 3);

    // 429: over the key's rate, with the time to wait.
    let slow = key(&app, "create", "", "", "2").await;
    ok(post_json(&app, Some(&slow), "application/json", body.clone(), None).await);
    ok(post_json(&app, Some(&slow), "application/json", body.clone(), None).await);
    let res = reqwest::Client::new()
        .post(app.url("/api/tickets.json"))
        .header("X-API-Key", &slow)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.headers()[header::RETRY_AFTER], "60");
    app.stop().await;
}

#[tokio::test]
async fn alert_and_autorespond_decide_who_is_mailed() {
    let app = TestApp::start().await;
    let nadine = agent(&app, "nadine", "Nadine", false).await;
    app.app
        .set_department_role(
            tessera_core::Actor::Cli,
            nadine,
            DepartmentId(1),
            Role::Agent,
        )
        .await
        .unwrap();
    let k = key(&app, "create", "", "", "").await;
    let mails = async |number: &str| -> (i64, i64) {
        let mut c = app.app.db().conn().await.unwrap();
        let t = c.h().ticket_by_number(number).await.unwrap();
        let to = |who: &str| {
            format!(
                "outbox_mail WHERE ticket_id = {} AND recipients LIKE '%{who}%'",
                t.id.0
            )
        };
        (
            app.count(&to("api@osticket.com")).await,
            app.count(&to("nadine@tessera.test")).await,
        )
    };
    let ticket = |alert: Value, autorespond: Value| {
        json!({
            "name": "Angry User", "email": "api@osticket.com", "subject": "Testing API",
            "message": "MESSAGE HERE", "alert": alert, "autorespond": autorespond,
        })
    };
    let n = create(&app, &k, ticket(json!(false), json!(false))).await;
    assert_eq!(mails(&n).await, (0, 0));
    // osTicket's clients also send strings and numbers.
    let n = create(&app, &k, ticket(json!("false"), json!(0))).await;
    assert_eq!(mails(&n).await, (0, 0));
    let n = create(&app, &k, ticket(json!(true), json!(false))).await;
    assert_eq!(mails(&n).await, (0, 1));
    let n = create(&app, &k, ticket(json!(false), json!("1"))).await;
    assert_eq!(mails(&n).await, (1, 0));
    let n = create(&app, &k, ticket(json!(true), json!(true))).await;
    assert_eq!(mails(&n).await, (1, 1));
    // Left out, both are on (osTicket's default).
    let n = create(
        &app,
        &k,
        json!({"name": "A", "email": "api@osticket.com", "subject": "S", "message": "M"}),
    )
    .await;
    assert_eq!(mails(&n).await, (1, 1));
    app.stop().await;
}

#[tokio::test]
async fn custom_fields_are_matched_by_name_on_any_active_topic() {
    let app = TestApp::start().await;
    let k = key(&app, "create", "", "", "").await;
    // A topic the portal does not offer: the API may still use it, as in osTicket.
    app.exec("UPDATE help_topic SET is_public = FALSE WHERE help_topic_id = 2")
        .await;
    let draft = |key: &str, kind: &str, required: bool, options: &str| FieldDraft {
        key: key.into(),
        kind: kind.into(),
        label_de: key.into(),
        label_en: key.into(),
        options: options.into(),
        is_required: required,
        is_active: true,
        ..Default::default()
    };
    for d in [
        draft("venue", "short_text", true, ""),
        draft(
            "channels",
            "multi_choice",
            false,
            "Facebook\nInstagram\nWebsite",
        ),
        draft("photos", "checkbox", false, ""),
    ] {
        app.app
            .save_topic_field(Actor::Cli, HelpTopicId(2), None, d)
            .await
            .unwrap();
    }
    let n = create(
        &app,
        &k,
        json!({
            "name": "Max", "email": "max@example.org", "subject": "Plakat", "message": "Bitte",
            "topicId": "2", "venue": "Hallenbad Nord", "channels": ["Website", "Facebook"],
            "photos": true, "unrelated": "ignored, as osTicket ignores it",
        }),
    )
    .await;
    let mut c = app.app.db().conn().await.unwrap();
    let t = c.h().ticket_by_number(&n).await.unwrap();
    assert_eq!(t.help_topic.map(|h| h.id.0), Some(2));
    let mut answers: Vec<(String, String)> = c
        .h()
        .ticket_field_values(t.id)
        .await
        .unwrap()
        .into_iter()
        .map(|v| (v.label_en, v.value))
        .collect();
    answers.sort();
    assert_eq!(
        answers,
        [
            ("channels".to_owned(), "Facebook\nWebsite".to_owned()),
            ("photos".to_owned(), "1".to_owned()),
            ("venue".to_owned(), "Hallenbad Nord".to_owned()),
        ]
    );
    drop(c);
    // A required field left out, or a choice that is not offered, is named as the API names it.
    let (s, _, text) = post_json(
        &app,
        Some(&k),
        "application/json",
        json!({"name": "Max", "email": "max@example.org", "subject": "S", "message": "M",
               "topicId": 2, "channels": "Telefax"})
        .to_string(),
        Some("en"),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        text.contains("\nvenue: ") && text.contains("\nchannels: "),
        "{text}"
    );
    // An inactive topic is unknown.
    app.exec("UPDATE help_topic SET is_active = FALSE WHERE help_topic_id = 3")
        .await;
    let (s, _, text) = post_json(
        &app,
        Some(&k),
        "application/json",
        json!({"name": "Max", "email": "max@example.org", "subject": "S", "message": "M", "topicId": 3})
            .to_string(),
        Some("en"),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(text.contains("topicId: "), "{text}");
    app.stop().await;
}

/// New tickets take their topic's fields, service level and webhooks from memory; every
/// change an administrator makes to them is in force from the next ticket on.
#[tokio::test]
async fn new_tickets_follow_changes_to_their_topic_at_once() {
    let app = TestApp::start().await;
    let k = key(&app, "create", "", "", "").await;
    let body = |extra: Value| {
        let mut v = json!({"name": "Max", "email": "max@example.org", "subject": "S",
                           "message": "M", "topicId": 2, "alert": false});
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        v
    };
    let ticket = |n: String| {
        let app = &app;
        async move {
            let mut c = app.app.db().conn().await.unwrap();
            c.h().ticket_by_number(&n).await.unwrap()
        }
    };
    let first = ticket(create(&app, &k, body(json!({}))).await).await;
    assert_eq!(first.due_at, None);

    // A required field added to the topic is asked for.
    app.app
        .save_topic_field(
            Actor::Cli,
            HelpTopicId(2),
            None,
            FieldDraft {
                key: "venue".into(),
                kind: "short_text".into(),
                label_de: "Ort".into(),
                label_en: "Venue".into(),
                is_required: true,
                is_active: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let (s, _, text) = post_json(
        &app,
        Some(&k),
        "application/json",
        body(json!({})).to_string(),
        Some("en"),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("\nvenue: "), "{text}");

    // A service level given to the topic makes tickets due; switched off, it no longer does.
    app.exec(
        "INSERT INTO sla_plan (name, grace_seconds, created_at, updated_at)
         VALUES ('Schnell', 3600, 0, 0)",
    )
    .await;
    app.exec(
        "UPDATE help_topic SET sla_plan_id = (SELECT sla_plan_id FROM sla_plan
                                              WHERE name = 'Schnell')
         WHERE help_topic_id = 2",
    )
    .await;
    let due = ticket(create(&app, &k, body(json!({"venue": "Halle"}))).await).await;
    assert!(due.due_at.is_some());
    app.exec("UPDATE sla_plan SET is_active = FALSE WHERE name = 'Schnell'")
        .await;
    let not_due = ticket(create(&app, &k, body(json!({"venue": "Halle"}))).await).await;
    assert_eq!(not_due.due_at, None);

    // A webhook subscribed afterwards hears of the next ticket.
    let before = app.count("webhook_delivery").await;
    app.exec(&format!(
        "INSERT INTO webhook (url, events, secret, created_at, updated_at)
         VALUES ('https://hooks.example.org/tessera', {}, 'geheim', 0, 0)",
        tessera_domain::WebhookEvent::TicketCreated.bit()
    ))
    .await;
    let hooked = ticket(create(&app, &k, body(json!({"venue": "Halle"}))).await).await;
    assert_eq!(app.count("webhook_delivery").await, before + 1);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM webhook_delivery WHERE ticket_id = {}",
            hooked.id.0
        ))
        .await,
        1
    );
    app.stop().await;
}

async fn post_email(app: &TestApp, key: &str, raw: Vec<u8>) -> (StatusCode, String) {
    let res = reqwest::Client::new()
        .post(app.url("/api/tickets.email"))
        .header("X-API-Key", key)
        .header(header::CONTENT_TYPE, "message/rfc822")
        .body(raw)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

#[tokio::test]
async fn a_raw_message_opens_a_ticket_and_its_answer_lands_there() {
    let app = TestApp::start().await;
    agent(&app, "nadine", "Nadine", false).await;
    let k = key(&app, "create", "", "", "").await;
    let first = eml(
        "From: Max Müller <max@example.org>\nTo: helpdesk@tessera.test\n\
         Subject: Plakat für das Sommerfest\nMessage-ID: <first@example.org>\n\
         Date: Tue, 1 Dec 2026 10:00:00 +0100\nContent-Type: text/plain; charset=utf-8\n\n\
         Wir brauchen ein Plakat.\n",
    );
    let (s, number) = post_email(&app, &k, first.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{number}");
    let mut c = app.app.db().conn().await.unwrap();
    let t = c.h().ticket_by_number(&number).await.unwrap();
    assert_eq!(t.subject, "Plakat für das Sommerfest");
    assert_eq!(t.requester.email, "max@example.org");
    drop(c);
    // The same message again is known, and answered with its ticket.
    assert_eq!(
        post_email(&app, &k, first).await,
        (StatusCode::CREATED, number.clone())
    );
    let reply = eml(&format!(
        "From: max@example.org\nTo: helpdesk@tessera.test\n\
         Subject: Re: [#{number}] Plakat für das Sommerfest\nMessage-ID: <second@example.org>\n\
         Date: Tue, 1 Dec 2026 11:00:00 +0100\nContent-Type: text/plain; charset=utf-8\n\n\
         Und einen Flyer, bitte.\n"
    ));
    assert_eq!(
        post_email(&app, &k, reply).await,
        (StatusCode::CREATED, number.clone())
    );
    let mut c = app.app.db().conn().await.unwrap();
    let messages: Vec<String> = c
        .h()
        .public_thread(t.id, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EntryKind::Message)
        .map(|e| e.body)
        .collect();
    assert_eq!(
        messages,
        ["Wir brauchen ein Plakat.", "Und einen Flyer, bitte."]
    );
    drop(c);
    assert_eq!(app.count("ticket").await, 1);
    // Nothing to read, and keys that may not create.
    assert_eq!(
        post_email(&app, &k, Vec::new()).await.0,
        StatusCode::BAD_REQUEST
    );
    let read = key(&app, "read", "nadine", "", "").await;
    assert_eq!(
        post_email(&app, &read, eml("From: a@b.c\n\nx\n")).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post_email(&app, "nope", eml("From: a@b.c\n\nx\n")).await.0,
        StatusCode::UNAUTHORIZED
    );
    app.stop().await;
}

/// The key shown once on the page that answers the form.
fn shown_key(page: &str) -> String {
    let m = "id=\"new-api-key\">";
    let i = page.find(m).expect("the new key is shown") + m.len();
    page[i..i + page[i..].find('<').unwrap()].to_owned()
}

#[tokio::test]
async fn administrators_create_see_once_and_revoke_keys_in_the_browser() {
    let app = TestApp::start().await;
    chefin(&app).await;
    agent(&app, "nadine", "Nadine", false).await;
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    let overview = admin.get(app.url("/agent/admin")).send().await.unwrap();
    assert!(
        overview
            .text()
            .await
            .unwrap()
            .contains("href=\"/agent/admin/api-keys\"")
    );

    // Mistakes are shown at their fields, in German and in English.
    let res = post_form(
        &admin,
        &app,
        "/agent/admin/api-keys",
        &[
            ("name", ""),
            ("scope", "read"),
            ("agent", ""),
            ("allowed_ips", "10.0.0.0/33"),
            ("rate_per_minute", "0"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    for id in [
        "name-error",
        "agent-error",
        "allowed_ips-error",
        "rate_per_minute-error",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(page.contains("Bitte füllen Sie dieses Feld aus."));
    app.app
        .create_agent(
            tessera_core::Actor::Cli,
            tessera_core::NewAgent {
                username: "boss".into(),
                email: "boss@tessera.test".into(),
                display_name: "Boss".into(),
                password: PASSWORD.into(),
                is_admin: true,
                lang: tessera_domain::Lang::En,
                one_time_password: false,
            },
        )
        .await
        .unwrap();
    let boss = sign_in(&app, "boss", PASSWORD).await;
    let res = post_form(
        &boss,
        &app,
        "/agent/admin/api-keys",
        &[
            ("name", "x"),
            ("scope", "create"),
            ("allowed_ips", "nonsense"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let english = res.text().await.unwrap();
    assert!(english.contains("Please give address ranges"), "{english}");
    assert!(english.contains("Allowed addresses") && english.contains("Requests per minute"));

    // Created: the key is shown this once.
    let res = post_form(
        &admin,
        &app,
        "/agent/admin/api-keys",
        &[
            ("name", "Website-Formular"),
            ("scope", "create"),
            ("allowed_ips", "127.0.0.1"),
            ("rate_per_minute", "100"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(page.contains("jetzt kopieren"), "{page}");
    let k = shown_key(&page);
    let list = admin
        .get(app.url("/agent/admin/api-keys"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !list.contains(&k) && !list.contains("new-api-key"),
        "never shown again"
    );
    assert!(
        list.contains("Website-Formular")
            && list.contains("127.0.0.1/32")
            && list.contains(">nie<")
    );

    // Used: the list shows when and from where.
    create(
        &app,
        &k,
        json!({"name": "A", "email": "a@example.org", "subject": "S", "message": "M"}),
    )
    .await;
    let list = admin
        .get(app.url("/agent/admin/api-keys"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains(" · 127.0.0.1<"), "{list}");

    // Revoked after a confirmation: refused at once.
    let id = app.app.api_keys(Actor::Cli).await.unwrap()[0].id;
    let path = format!("/agent/admin/api-keys/{id}/revoke");
    let confirm = admin
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(confirm.contains("Website-Formular") && confirm.contains("widerrufen"));
    let res = post_form(&admin, &app, &path, &[]).await;
    assert_eq!(res.url().path(), "/agent/admin/api-keys");
    let page = res.text().await.unwrap();
    assert!(page.contains("Der Schlüssel ist widerrufen.") && page.contains("widerrufen "));
    let (s, _, _) = post_json(
        &app,
        Some(&k),
        "application/json",
        documented_example(),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Without the form's token nothing happens; for other agents the pages do not exist.
    let other = key(&app, "create", "", "", "").await;
    let other_id = app.app.api_keys(Actor::Cli).await.unwrap()[0].id;
    let res = admin
        .post(app.url(&format!("/agent/admin/api-keys/{other_id}/revoke")))
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), StatusCode::OK);
    let (s, _, _) = post_json(
        &app,
        Some(&other),
        "application/json",
        documented_example(),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let nadine = sign_in(&app, "nadine", PASSWORD).await;
    let res = nadine
        .get(app.url("/agent/admin/api-keys"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Every change is in the audit log: two keys made, one revoked.
    assert_eq!(
        app.count("audit_log WHERE action LIKE 'api-key.%'").await,
        3
    );
    app.stop().await;
}

fn tessera(data: &std::path::Path, db: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .arg("--data-dir")
        .arg(data)
        .args(["--database-url", db])
        .env("TESSERA_LOG", "warn")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_command_line_creates_lists_and_revokes_keys() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path()).await;
    let (ok, key, err) = tessera(
        dir.path(),
        &db.url,
        &[
            "api-key",
            "create",
            "--name",
            "Website",
            "--scope",
            "create",
            "--allow",
            "127.0.0.1/32,::1",
            "--rate",
            "50",
        ],
    );
    assert!(ok, "{err}");
    let key = key.trim().to_owned();
    assert!(
        !key.contains(char::is_whitespace) && key.len() > 20,
        "only the key: {key:?}"
    );
    assert!(err.contains("shown only now"), "{err}");
    // Mistakes are messages and a failing exit, never a panic.
    let (ok, _, err) = tessera(
        dir.path(),
        &db.url,
        &["api-key", "create", "--name", "X", "--scope", "admin"],
    );
    assert!(
        !ok && err.contains("--scope") && !err.contains("panicked"),
        "{err}"
    );
    let (ok, _, err) = tessera(
        dir.path(),
        &db.url,
        &[
            "api-key", "create", "--name", "X", "--scope", "read", "--agent", "nobody",
        ],
    );
    assert!(!ok && err.contains("--agent"), "{err}");
    let (ok, _, err) = tessera(dir.path(), &db.url, &["api-key", "revoke", "999"]);
    assert!(!ok && err.contains("no API key with id 999"), "{err}");

    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .arg("--data-dir")
        .arg(dir.path())
        .args([
            "--database-url",
            &db.url,
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .env("TESSERA_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let c = reqwest::Client::new();
    eventually("the server", async || {
        c.get(format!("{base}/")).send().await.ok().map(|_| ())
    })
    .await;
    let post = async || {
        c.post(format!("{base}/api/tickets.json"))
            .header("X-API-Key", &key)
            .json(&json!({"name": "A", "email": "a@example.org", "subject": "S", "message": "M"}))
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(post().await, StatusCode::CREATED);
    let (ok, list, _) = tessera(dir.path(), &db.url, &["api-key", "list"]);
    assert!(ok);
    let row = list
        .lines()
        .find(|l| l.contains("Website"))
        .expect("the key is listed");
    assert!(
        row.contains("create") && row.contains("127.0.0.1/32, ::1/128") && row.contains("50"),
        "{row}"
    );
    assert!(
        row.contains(" 127.0.0.1") && row.ends_with("active"),
        "used from loopback: {row}"
    );
    assert!(!list.contains(&key));
    let id = row.split_whitespace().next().unwrap();
    let (ok, out, err) = tessera(dir.path(), &db.url, &["api-key", "revoke", id]);
    assert!(ok && out.contains("revoked"), "{err}");
    assert_eq!(post().await, StatusCode::UNAUTHORIZED);
    let (_, list, _) = tessera(dir.path(), &db.url, &["api-key", "list"]);
    assert!(
        list.lines()
            .any(|l| l.contains("Website") && l.contains("revoked"))
    );
    server.kill().unwrap();
    server.wait().unwrap();
    db.drop_db().await;
}

#[tokio::test]
async fn attachments_obey_the_portals_limits_and_big_bodies_are_refused() {
    let app = TestApp::start_with(Box::new(|c| {
        c.core.attachment_max_total = 1000;
        c.core.allowed_extensions = vec!["txt".into(), "png".into()];
    }))
    .await;
    let k = key(&app, "create", "", "", "").await;
    let with = |name: &str, data: String| {
        json!({
            "name": "A", "email": "a@example.org", "subject": "S", "message": "M",
            "attachments": [{name: data}],
        })
        .to_string()
    };
    for body in [
        with(
            "setup.exe",
            "data:application/octet-stream;base64,TVo=".into(),
        ),
        with("big.txt", format!("data:text/plain,{}", "x".repeat(1001))),
    ] {
        let (s, _, text) = post_json(&app, Some(&k), "application/json", body, Some("en")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(text.contains("\nattachments: "), "{text}");
    }
    // A refused submission leaves no file behind.
    let tmp = app.app.blobs().root().join("tmp");
    let left = std::fs::read_dir(&tmp).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "temporary files in {}", tmp.display());
    assert_eq!(app.count("ticket").await, 0);
    assert_eq!(app.count("attachment").await, 0);
    create(
        &app,
        &k,
        serde_json::from_str(&with("ok.txt", format!("data:,{}", "x".repeat(1000)))).unwrap(),
    )
    .await;

    // A body announced far above the limit is refused before it is read.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!(
            "POST /api/tickets.json HTTP/1.1\r\nHost: {addr}\r\nX-API-Key: {k}\r\n\
             Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{{"
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = s.read(&mut buf).await.unwrap();
        assert!(n > 0, "an answer before the connection closes");
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    app.stop().await;
}

#[tokio::test]
async fn clients_of_an_osticket_without_url_rewriting_keep_their_path() {
    let app = TestApp::start().await;
    let key = key(&app, "create", "", "", "").await;
    let res = reqwest::Client::new()
        .post(app.url("/api/http.php/tickets.json"))
        .header("X-API-Key", &key)
        .header(header::CONTENT_TYPE, "application/json")
        .body(documented_example())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let number = res.text().await.unwrap();
    assert_eq!(app.count("ticket").await, 1);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM ticket WHERE number = '{number}'"
        ))
        .await,
        1
    );
    app.stop().await;
}
