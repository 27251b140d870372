//! Intake that cannot be abused (issue 21, finding 1): rate limits on new tickets and
//! replies per client address (IPv6 by /64), per requester address and overall; a
//! confirmation mail that repeats nothing unverified but the subject; a honeypot; a daily
//! attachment quota; the proof-of-work challenge; confirm-first mode. Against a real server,
//! real database and, where mail is counted, real SMTP.

use std::time::Instant;

use reqwest::{StatusCode, header};
use sha2::{Digest, Sha256};
use tessera_core::{Actor, IntakeConfig, IntakeForm};

use crate::support::{SmtpServer, TestApp, csrf, first_topic, ticket_form};

/// The intake limits as shipped (the harness turns them off for every other test).
fn shipped(c: &mut tessera::Config) {
    c.core.intake = IntakeConfig::default();
}

/// A requester's browser on the new-ticket form: its CSRF token and the first topic.
struct Requester {
    client: reqwest::Client,
    token: String,
    topic: String,
}

impl Requester {
    async fn new(app: &TestApp) -> Self {
        let client = app.client();
        let page = client
            .get(app.url("/open"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let topic = first_topic(&page);
        let token = csrf(&client, &app.url("/open")).await;
        Self {
            client,
            token,
            topic,
        }
    }

    /// Posts the form with `fields` over the defaults, `files`, and a forwarded-for address
    /// when given; the status, headers and page.
    async fn post(
        &self,
        app: &TestApp,
        fields: &[(&str, &str)],
        files: &[(&str, Vec<u8>)],
        forwarded_for: Option<&str>,
    ) -> (StatusCode, header::HeaderMap, String) {
        let mut all: Vec<(&str, &str)> = vec![
            ("help_topic_id", self.topic.as_str()),
            ("email", "max@example.org"),
            ("name", "Max Müller"),
            ("subject", "Plakat für das Nikolausschwimmen"),
            ("body", "Wir brauchen ein Plakat."),
        ];
        for (k, v) in fields {
            all.retain(|(n, _)| n != k);
            all.push((k, v));
        }
        let mut req =
            self.client
                .post(app.url("/open"))
                .multipart(ticket_form(&self.token, &all, files));
        if let Some(ip) = forwarded_for {
            req = req.header("x-forwarded-for", ip);
        }
        let res = req.send().await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        (status, headers, res.text().await.unwrap())
    }
}

/// The hidden field's value in a page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("{name} in page"))
        + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// Finds the counter a browser finds: SHA-256(challenge || counter) with `bits` zero bits.
fn solve(challenge: &str, bits: u32) -> String {
    (0u64..)
        .map(|n| n.to_string())
        .find(|n| {
            let h = Sha256::new()
                .chain_update(challenge.as_bytes())
                .chain_update(n.as_bytes())
                .finalize();
            let zeros = h
                .iter()
                .try_fold(0u32, |acc, b| {
                    if *b == 0 {
                        Ok(acc + 8)
                    } else {
                        Err(acc + b.leading_zeros())
                    }
                })
                .unwrap_or_else(|n| n);
            zeros >= bits
        })
        .unwrap()
}

async fn set_intake(app: &TestApp, mode: &str, confirm_first: bool, quota_mb: &str) {
    app.app
        .save_intake_settings(
            Actor::Cli,
            IntakeForm {
                challenge_mode: mode.into(),
                confirm_first,
                quota_mb: quota_mb.into(),
            },
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_person_opening_three_tickets_in_a_minute_is_never_stopped() {
    let app = TestApp::start_with(Box::new(shipped)).await;
    let r = Requester::new(&app).await;
    for i in 0..3 {
        let subject = format!("Frage {i}");
        let (status, _, page) = r.post(&app, &[("subject", &subject)], &[], None).await;
        assert_eq!(status, StatusCode::OK, "ticket {i}: {page}");
        assert!(page.contains(&subject), "ticket {i} shown");
    }
    assert_eq!(app.count("ticket").await, 3);
    app.stop().await;
}

#[tokio::test]
async fn a_flood_from_one_address_yields_a_handful_of_tickets_and_mails() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = TestApp::start_with(Box::new(move |c| {
        shipped(c);
        c.smtp_url = Some(url);
    }))
    .await;
    let r = Requester::new(&app).await;
    let victim = [("email", "opfer@example.org")];
    // One after the other first: the sixth is refused with when to try again, and keeps
    // what was typed.
    let mut created = 0;
    let mut refused = None;
    for _ in 0..10 {
        let (status, headers, page) = r.post(&app, &victim, &[], None).await;
        match status {
            StatusCode::OK => created += 1,
            StatusCode::TOO_MANY_REQUESTS => refused = Some((headers, page)),
            other => panic!("{other}: {page}"),
        }
    }
    assert_eq!(created, 5, "the burst, then no more");
    let (headers, page) = refused.expect("refused");
    let wait: u64 = headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait > 0 && wait <= 3600, "{wait}");
    assert!(page.contains("Bitte versuchen Sie es in"), "{page}");
    assert!(page.contains("value=\"Plakat für das Nikolausschwimmen\""));
    assert!(page.contains("Wir brauchen ein Plakat."));
    // Then the flood: 300 at once, from the same address, for the same victim.
    let started = Instant::now();
    let mut posts = tokio::task::JoinSet::new();
    let r = std::sync::Arc::new(r);
    for i in 0..300 {
        let (r, base) = (r.clone(), app.base.clone());
        posts.spawn(async move {
            let subject = format!("Spam {i}");
            let form = ticket_form(
                &r.token,
                &[
                    ("help_topic_id", r.topic.as_str()),
                    ("email", "opfer@example.org"),
                    ("name", "Kaufen Sie jetzt"),
                    ("subject", subject.as_str()),
                    ("body", "http://spam.example/"),
                ],
                &[],
            );
            let res = r
                .client
                .post(format!("{base}/open"))
                .multipart(form)
                .send()
                .await
                .unwrap();
            res.status()
        });
    }
    let mut statuses = std::collections::BTreeMap::new();
    while let Some(s) = posts.join_next().await {
        *statuses.entry(s.unwrap().as_u16()).or_insert(0) += 1;
    }
    let took = started.elapsed();
    assert!(!statuses.contains_key(&500), "{statuses:?}");
    let tickets = app.count("ticket").await;
    let mails = app.delivered(&smtp).await;
    let to_victim = mails
        .iter()
        .filter(|m| m.to.iter().any(|t| t == "opfer@example.org"))
        .count();
    println!(
        "flood: 310 posts from one address in {took:?} -> {tickets} tickets, \
         {to_victim} mails to the victim, {} mails in all; answers {statuses:?}",
        mails.len()
    );
    assert_eq!(tickets, 5, "nothing after the burst");
    assert_eq!(to_victim, 5);
    app.stop().await;
}

#[tokio::test]
async fn many_addresses_cannot_flood_one_recipient_and_ipv6_counts_by_64() {
    let app = TestApp::start_with(Box::new(|c| {
        shipped(c);
        // Forty posts in a minute would switch the challenge on: this is about the limits.
        c.core.intake.challenge_auto_per_minute = u32::MAX;
        c.web.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    }))
    .await;
    let r = Requester::new(&app).await;
    // Twenty clients, one victim: the recipient's budget holds.
    let mut created = 0;
    for i in 0..20 {
        let ip = format!("198.51.100.{}", i + 1);
        let (status, _, _) = r
            .post(&app, &[("email", "opfer@example.org")], &[], Some(&ip))
            .await;
        created += usize::from(status == StatusCode::OK);
    }
    assert_eq!(created, 5);
    // One IPv6 subscriber (a /64) with many addresses and many recipients: one budget.
    let mut created = 0;
    for i in 0..20 {
        let ip = format!("2001:db8:1:2::{:x}", i + 1);
        let email = format!("person{i}@example.org");
        let (status, _, _) = r.post(&app, &[("email", &email)], &[], Some(&ip)).await;
        created += usize::from(status == StatusCode::OK);
    }
    assert_eq!(created, 5);
    // The next /64 has a budget of its own.
    let (status, _, _) = r
        .post(
            &app,
            &[("email", "nachbar@example.org")],
            &[],
            Some("2001:db8:1:3::1"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.count("ticket").await, 11);
    app.stop().await;
}

#[tokio::test]
async fn invalid_input_costs_a_person_nothing() {
    let app = TestApp::start_with(Box::new(shipped)).await;
    let r = Requester::new(&app).await;
    for _ in 0..10 {
        let (status, _, _) = r.post(&app, &[("subject", "")], &[], None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (status, _, page) = r.post(&app, &[], &[], None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    app.stop().await;
}

#[tokio::test]
async fn requester_replies_are_rate_limited_and_keep_the_text() {
    let app = TestApp::start_with(Box::new(shipped)).await;
    let r = Requester::new(&app).await;
    let res = r
        .client
        .post(app.url("/open"))
        .multipart(ticket_form(
            &r.token,
            &[
                ("help_topic_id", r.topic.as_str()),
                ("email", "max@example.org"),
                ("name", "Max"),
                ("subject", "Antworten"),
                ("body", "Erste Nachricht"),
            ],
            &[],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let ticket_url = res.url().as_str().split('?').next().unwrap().to_owned();
    let token = csrf(&r.client, &ticket_url).await;
    let mut codes = Vec::new();
    let mut last = String::new();
    for i in 0..25 {
        let form = reqwest::multipart::Form::new()
            .text("csrf", token.clone())
            .text("body", format!("Nachtrag {i}"));
        let res = r
            .client
            .post(format!("{ticket_url}/reply"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        codes.push(res.status());
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(res.headers().contains_key(header::RETRY_AFTER));
            last = res.text().await.unwrap();
        }
    }
    assert_eq!(
        codes.iter().filter(|c| **c == StatusCode::OK).count(),
        20,
        "{codes:?}"
    );
    assert!(last.contains("Sie haben in kurzer Zeit viele Nachrichten gesendet"));
    assert!(last.contains("Nachtrag 24"), "the text is kept");
    assert_eq!(
        app.count("thread_entry WHERE kind = 'message'").await,
        21,
        "the first message and twenty replies"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_confirmation_repeats_nothing_unverified_but_the_subject() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = TestApp::start_with(Box::new(move |c| c.smtp_url = Some(url))).await;
    let r = Requester::new(&app).await;
    let (status, _, _) = r
        .post(
            &app,
            &[
                ("email", "opfer@example.org"),
                ("name", "Gewinner! Besuchen Sie pillen.example"),
                ("subject", "Ihre Bestellung"),
                ("body", "Jetzt billig kaufen: http://pillen.example/kaufen"),
            ],
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mails = app.delivered(&smtp).await;
    let mail = mails
        .iter()
        .find(|m| m.to == vec!["opfer@example.org".to_owned()])
        .expect("confirmation");
    assert!(
        mail.subject.ends_with("Ihre Bestellung"),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains("Ihre Bestellung"));
    assert!(mail.text.contains("/access/"), "the link");
    for (what, text) in [("name", "pillen.example"), ("message", "billig kaufen")] {
        assert!(!mail.text.contains(text), "{what} repeated: {}", mail.text);
        assert!(!mail.html.contains(text), "{what} repeated in HTML");
    }
    let raw = String::from_utf8_lossy(
        &smtp
            .messages()
            .into_iter()
            .find(|m| String::from_utf8_lossy(m).contains("opfer@example.org"))
            .unwrap(),
    )
    .into_owned();
    assert!(!raw.contains("Gewinner"), "not even in To: {raw}");
    app.stop().await;
}

#[tokio::test]
async fn a_filled_honeypot_stores_nothing_and_looks_like_an_ordinary_error() {
    let app = TestApp::start_with(Box::new(shipped)).await;
    let r = Requester::new(&app).await;
    let page = r
        .client
        .get(app.url("/open"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // People never see or reach it: off-screen, hidden from assistive technology, out of
    // the tab order, and labelled for anyone who does come across it.
    assert!(page.contains("class=\"hp\" aria-hidden=\"true\""), "{page}");
    assert!(page.contains("name=\"homepage\" value=\"\" tabindex=\"-1\""));
    assert!(page.contains("Dieses Feld bitte leer lassen"));
    let (status, _, page) = r
        .post(&app, &[("homepage", "http://spam.example")], &[], None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Ihre Anfrage konnte nicht gesendet werden"));
    assert_eq!(app.count("ticket").await, 0);
    assert_eq!(app.count("outbox_mail").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn the_daily_attachment_quota_refuses_with_a_message_and_keeps_nothing() {
    let app = TestApp::start().await;
    set_intake(&app, "auto", false, "1").await;
    let r = Requester::new(&app).await;
    let file = vec![7u8; 600 * 1024];
    let (status, _, _) = r.post(&app, &[], &[("a.pdf", file.clone())], None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, page) = r.post(&app, &[], &[("b.pdf", file.clone())], None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Das heutige Kontingent für Anhänge"),
        "{page}"
    );
    assert!(page.contains("value=\"Plakat für das Nikolausschwimmen\""));
    assert_eq!(app.count("ticket").await, 1);
    assert_eq!(app.count("attachment").await, 1);
    let stored = walk_files(&app.data_dir.join("attachments"));
    assert_eq!(
        stored.len(),
        1,
        "no bytes kept of the refused one: {stored:?}"
    );
    // Another requester has a quota of their own; the address is compared case-blind.
    let (status, _, _) = r
        .post(
            &app,
            &[("email", "MAX@example.org")],
            &[("c.pdf", file.clone())],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, _) = r
        .post(
            &app,
            &[("email", "eva@example.org")],
            &[("c.pdf", file)],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // A message without files is never refused by it.
    let (status, _, _) = r.post(&app, &[], &[], None).await;
    assert_eq!(status, StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn a_flood_of_large_uploads_stores_a_bounded_amount() {
    let app = TestApp::start_with(Box::new(shipped)).await;
    let r = Requester::new(&app).await;
    let file = vec![3u8; 8 * 1024 * 1024 - 64 * 1024];
    let started = Instant::now();
    let mut statuses = std::collections::BTreeMap::new();
    for i in 0..25 {
        let email = format!("p{i}@example.org");
        let (status, _, _) = r
            .post(&app, &[("email", &email)], &[("x.bin", file.clone())], None)
            .await;
        *statuses.entry(status.as_u16()).or_insert(0) += 1;
    }
    let stored: u64 = walk_files(&app.data_dir.join("attachments"))
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    println!(
        "25 x 8 MB from one address in {:?} -> {} tickets, {} MB stored; answers {statuses:?}",
        started.elapsed(),
        app.count("ticket").await,
        stored / (1024 * 1024)
    );
    assert_eq!(app.count("ticket").await, 5);
    assert!(stored <= 5 * 8 * 1024 * 1024, "{stored}");
    app.stop().await;
}

#[tokio::test]
async fn a_solved_challenge_is_accepted_once_and_an_unsolved_one_only_when_old() {
    let app = TestApp::start().await;
    set_intake(&app, "always", false, "50").await;
    let r = Requester::new(&app).await;
    let page = r
        .client
        .get(app.url("/open"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("/static/pow.js"), "the solver is loaded");
    assert!(
        page.contains("<noscript>"),
        "people without JavaScript are told to wait"
    );
    let challenge = hidden(&page, "pow_challenge");
    let bits: u32 = page
        .split("data-pow-bits=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(bits >= 16, "{bits}");
    // Without the challenge, or with a forged one, or unsolved and fresh: refused.
    let (status, _, page) = r.post(&app, &[], &[], None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("automatische Prüfung gegen Spam fehlte"),
        "{page}"
    );
    assert!(page.contains("value=\"Plakat für das Nikolausschwimmen\""));
    let forged = format!("{}0", &challenge[..challenge.len() - 1]);
    let (status, _, _) = r
        .post(
            &app,
            &[("pow_challenge", &forged), ("pow_solution", "1")],
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, page) = r
        .post(&app, &[("pow_challenge", &challenge)], &[], None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("noch nicht fertig"), "{page}");
    let wrong = (0u64..)
        .map(|n| n.to_string())
        .find(|n| {
            Sha256::new()
                .chain_update(challenge.as_bytes())
                .chain_update(n.as_bytes())
                .finalize()[0]
                != 0
        })
        .unwrap();
    let (status, _, _) = r
        .post(
            &app,
            &[("pow_challenge", &challenge), ("pow_solution", &wrong)],
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("ticket").await, 0);
    // Solved: accepted, once.
    let solution = solve(&challenge, bits);
    let solved = [
        ("pow_challenge", challenge.as_str()),
        ("pow_solution", solution.as_str()),
    ];
    let (status, _, page) = r.post(&app, &solved, &[], None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (status, _, page) = r.post(&app, &solved, &[], None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("wurde schon gesendet"), "{page}");
    assert_eq!(app.count("ticket").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn without_javascript_an_old_enough_form_is_accepted_once() {
    // A wait of zero: every challenge is "old enough" at once (the test cannot wait).
    let app = TestApp::start_with(Box::new(|c| c.core.intake.challenge_wait_secs = 0)).await;
    set_intake(&app, "always", false, "50").await;
    let r = Requester::new(&app).await;
    let page = r
        .client
        .get(app.url("/open"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let challenge = hidden(&page, "pow_challenge");
    let unsolved = [("pow_challenge", challenge.as_str())];
    let (status, _, page) = r.post(&app, &unsolved, &[], None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (status, _, _) = r.post(&app, &unsolved, &[], None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "not twice");
    assert_eq!(app.count("ticket").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn automatic_mode_asks_for_the_challenge_only_under_load() {
    let app = TestApp::start_with(Box::new(|c| c.core.intake.challenge_auto_per_minute = 3)).await;
    set_intake(&app, "auto", false, "50").await;
    let r = Requester::new(&app).await;
    let mut codes = Vec::new();
    for i in 0..6 {
        let subject = format!("Frage {i}");
        let (status, _, _) = r.post(&app, &[("subject", &subject)], &[], None).await;
        codes.push(status.as_u16());
    }
    assert_eq!(codes, [200, 200, 200, 422, 422, 422]);
    // Off: never.
    set_intake(&app, "off", false, "50").await;
    let page = r
        .client
        .get(app.url("/open"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("pow_challenge"));
    let (status, _, _) = r.post(&app, &[], &[], None).await;
    assert_eq!(status, StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn administrators_set_the_intake_rules_on_their_settings_page() {
    let app = TestApp::start().await;
    crate::admin::chefin(&app).await;
    let c = crate::admin::sign_in(&app, "chefin", crate::admin::PASSWORD).await;
    let url = app.url("/agent/admin/settings/intake");
    let page = c.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Rechenaufgabe bei neuen Tickets"), "{page}");
    assert!(page.contains("value=\"auto\" checked"));
    assert!(page.contains("value=\"50\""), "the default quota");
    let token = csrf(&c, &url).await;
    let res = c
        .post(&url)
        .form(&[
            ("csrf", token.as_str()),
            ("challenge_mode", "always"),
            ("confirm_first", "1"),
            ("quota_mb", "viel"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("Zahl von 0 bis 100000"));
    let res = c
        .post(&url)
        .form(&[
            ("csrf", token.as_str()),
            ("challenge_mode", "always"),
            ("confirm_first", "1"),
            ("quota_mb", "20"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let s = app.app.settings();
    assert_eq!(s.challenge_mode, tessera_core::ChallengeMode::Always);
    assert!(s.confirm_first);
    assert_eq!(s.attachment_quota_per_day, 20 * 1024 * 1024);
    assert_eq!(
        app.count("audit_log WHERE action = 'settings-intake-update'")
            .await,
        1
    );
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
async fn confirm_first_keeps_the_ticket_and_its_alerts_until_the_link_is_opened() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = TestApp::start_with(Box::new(move |c| c.smtp_url = Some(url))).await;
    let nadine = crate::admin::agent(&app, "nadine", "Nadine S.", false).await;
    app.app
        .set_department_role(
            Actor::Cli,
            nadine,
            tessera_domain::DepartmentId(1),
            tessera_domain::Role::Agent,
        )
        .await
        .unwrap();
    set_intake(&app, "auto", true, "50").await;
    let r = Requester::new(&app).await;
    let (status, _, page) = r
        .post(
            &app,
            &[
                ("email", "opfer@example.org"),
                ("subject", "Billig kaufen"),
                ("body", "http://pillen.example/"),
            ],
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Bitte öffnen Sie ihn, um Ihre Anfrage zu bestätigen"),
        "{page}"
    );
    // Stored (nothing lost), waiting; only the requester hears of it, by a link and nothing
    // of what was typed.
    assert_eq!(app.count("ticket WHERE unconfirmed").await, 1);
    // The queue shows it, marked.
    let agent = crate::admin::sign_in(&app, "nadine", crate::admin::PASSWORD).await;
    let queue = app.url("/agent/queue/open");
    let page = agent
        .get(&queue)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Billig kaufen"), "{page}");
    assert!(page.contains("class=\"badge unconfirmed\""), "{page}");
    let mails = app.delivered(&smtp).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert_eq!(mail.to, vec!["opfer@example.org".to_owned()]);
    assert!(
        mail.subject.contains("Bitte bestätigen"),
        "{}",
        mail.subject
    );
    for typed in ["Billig", "pillen", "Max Müller"] {
        assert!(
            !mail.subject.contains(typed) && !mail.text.contains(typed),
            "{typed}"
        );
        assert!(!mail.html.contains(typed), "{typed}");
    }
    // Opened: confirmed, and the agents are told, once.
    let link = mail.access_link();
    let other = app.client();
    let res = other.get(&link).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.count("ticket WHERE unconfirmed").await, 0);
    let page = agent
        .get(&queue)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("class=\"badge unconfirmed\""));
    let res = other.get(&link).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mails = app.delivered(&smtp).await;
    let alerts: Vec<_> = mails
        .iter()
        .filter(|m| m.subject.starts_with("Neues Ticket"))
        .collect();
    assert_eq!(alerts.len(), 1, "{mails:?}");
    assert_eq!(alerts[0].to, vec!["nadine@tessera.test".to_owned()]);
    assert!(
        alerts[0].text.contains("pillen.example"),
        "agents see the message"
    );
    app.stop().await;
}

#[tokio::test]
async fn without_confirm_first_agents_are_alerted_at_once() {
    let app = TestApp::start().await;
    let nadine = crate::admin::agent(&app, "nadine", "Nadine S.", false).await;
    app.app
        .set_department_role(
            Actor::Cli,
            nadine,
            tessera_domain::DepartmentId(1),
            tessera_domain::Role::Agent,
        )
        .await
        .unwrap();
    let r = Requester::new(&app).await;
    let (status, _, _) = r.post(&app, &[], &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.count("ticket WHERE unconfirmed").await, 0);
    assert_eq!(
        app.count("outbox_mail WHERE recipients LIKE '%nadine@tessera.test%'")
            .await,
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn a_real_browser_solves_the_challenge_and_the_ticket_is_accepted() {
    // An hour's wait for the path without JavaScript: only a solved challenge gets in.
    let app = TestApp::start_with(Box::new(|c| c.core.intake.challenge_wait_secs = 3600)).await;
    set_intake(&app, "always", false, "50").await;
    let b = crate::browser::Browser::start().await;
    b.goto(&app.url("/open")).await;
    assert_eq!(
        b.js(crate::browser::UNLABELLED).await,
        serde_json::json!([]),
        "the honeypot is labelled too"
    );
    b.js(
        "const set = (id, v) => { document.getElementById(id).value = v; };
          set('email', 'max@example.org');
          set('name', 'Max Müller');
          set('subject', 'Mit Rechenaufgabe');
          set('body', 'Gelöst im Browser.');
          const t = document.getElementById('help_topic_id');
          t.selectedIndex = 1;
          t.dispatchEvent(new Event('change', {bubbles: true}));",
    )
    .await;
    b.click("button[type=submit].primary").await;
    crate::support::eventually("the receipt page", async || {
        b.source().await.contains("wurde eröffnet").then_some(())
    })
    .await;
    assert_eq!(app.count("ticket").await, 1);
    b.quit().await;
    app.stop().await;
}
