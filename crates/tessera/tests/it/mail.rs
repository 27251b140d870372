//! Mail out: the confirmation with its access link, delivered by a real SMTP server, through
//! outages, and as files when no server is configured.

use std::collections::HashMap;

use reqwest::{StatusCode, header};

use crate::{
    portal::{MAX, final_url, number_from, open},
    support::{SmtpServer, TestApp, eventually},
};

#[tokio::test]
async fn the_confirmation_mail_carries_number_subject_and_a_working_access_link() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = TestApp::start_with(Box::new(move |c| c.smtp_url = Some(url))).await;
    let (res, _) = open(
        &app,
        &app.client(),
        MAX,
        &[("Skizze.pdf", b"%PDF".to_vec())],
    )
    .await;
    let number = number_from(&final_url(&res));
    let mails = smtp.wait_for(1).await;
    let m = &mails[0];
    assert_eq!(m.to, vec!["max@example.org"]);
    assert!(
        m.rcpt_to.contains("max@example.org"),
        "envelope: {}",
        m.rcpt_to
    );
    assert_eq!(m.from, "helpdesk@tessera.test");
    assert_eq!(
        m.subject,
        format!("[#{number}] Plakat für das Nikolausschwimmen")
    );
    assert_eq!(m.auto_submitted.as_deref(), Some("auto-generated"));
    assert!(
        m.message_id.starts_with("tessera.") && m.message_id.ends_with("@tessera.test"),
        "{}",
        m.message_id
    );
    assert!(m.text.starts_with("Hallo,"), "German template: {}", m.text);
    assert!(m.text.contains(&number) && m.text.contains("Plakat für das Nikolausschwimmen"));
    // The address is not verified yet: nothing typed is repeated but the subject (issue 21).
    assert!(!m.text.contains("Max Müller") && !m.text.contains("Wir brauchen"));
    let link = m.access_link();
    assert!(link.starts_with(&app.url("/access/")));
    assert!(m.html.contains(&link), "the HTML part has the link too");

    // The link opens the ticket in a browser that has never seen it, and the token does not
    // stay in the address bar.
    let browser = app.client_no_redirect();
    let res = browser.get(&link).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()[header::LOCATION],
        format!("/tickets/{number}")
    );
    assert_eq!(res.headers()[header::REFERRER_POLICY], "no-referrer");
    let page = browser
        .get(app.url(&format!("/tickets/{number}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Plakat für das Nikolausschwimmen") && page.contains("Skizze.pdf"));

    // A tampered or revoked token opens nothing.
    let tampered = format!("{}x", &link[..link.len() - 1]);
    let res = app.client().get(&tampered).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Dieser Link funktioniert nicht mehr")
    );
    app.exec("UPDATE access_token SET revoked_at = 1").await;
    assert_eq!(
        app.client().get(&link).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}

#[tokio::test]
async fn mail_follows_the_requesters_language() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = TestApp::start_with(Box::new(move |c| c.smtp_url = Some(url))).await;
    let c = app.client();
    c.get(app.url("/lang/en")).send().await.unwrap();
    open(&app, &c, MAX, &[]).await;
    let m = &smtp.wait_for(1).await[0];
    assert!(m.text.starts_with("Hello,"), "{}", m.text);
    assert!(m.text.contains("we have received a request"));
    app.stop().await;
}

#[tokio::test]
async fn without_smtp_mail_is_written_as_eml_files() {
    let app = TestApp::start().await;
    let (res, _) = open(&app, &app.client(), MAX, &[]).await;
    let number = number_from(&final_url(&res));
    let dir = app.data_dir.join("mail-out");
    let raw = eventually("an .eml file", async || {
        let rd = std::fs::read_dir(&dir).ok()?;
        rd.flatten()
            .find(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .and_then(|e| std::fs::read(e.path()).ok())
    })
    .await;
    let m = crate::support::Mail::parse(&raw);
    assert!(m.subject.contains(&format!("[#{number}]")));
    assert!(m.access_link().contains("/access/"));
    // The file is written before the outbox row is marked sent.
    eventually("the outbox row marked sent", async || {
        (app.mail_counts().await == vec![("sent".to_owned(), 1)]).then_some(())
    })
    .await;
    app.stop().await;
}

#[tokio::test]
async fn an_smtp_outage_delays_mail_but_delivers_each_exactly_once() {
    let mut smtp = SmtpServer::start();
    smtp.pause();
    let url = smtp.url();
    let app = TestApp::start_with(Box::new(move |c| c.smtp_url = Some(url))).await;
    let c = app.client();
    let mut numbers = Vec::new();
    for i in 0..3 {
        let subject = format!("Ausfall {i}");
        let fields = [
            ("email", "max@example.org"),
            ("name", "Max"),
            ("subject", subject.as_str()),
            ("body", "x"),
        ];
        let (res, _) = open(&app, &c, &fields, &[]).await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "tickets are accepted while mail is down"
        );
        numbers.push(number_from(&final_url(&res)));
    }
    // Every mail was tried and failed, and is still queued.
    eventually("failed attempts", async || {
        let n = app
            .count(
                "outbox_mail WHERE status = 'pending' AND attempts >= 2 AND last_error IS NOT NULL",
            )
            .await;
        (n == 3).then_some(())
    })
    .await;
    smtp.resume();
    eventually("all mail sent", async || {
        (app.mail_counts().await == vec![("sent".to_owned(), 3)]).then_some(())
    })
    .await;
    let mails = smtp.wait_for(3).await;
    assert_eq!(mails.len(), 3, "nothing twice");
    let mut per_id: HashMap<&str, usize> = HashMap::new();
    for m in &mails {
        *per_id.entry(m.message_id.as_str()).or_default() += 1;
    }
    assert!(per_id.values().all(|n| *n == 1));
    for n in &numbers {
        assert_eq!(
            mails
                .iter()
                .filter(|m| m.subject.contains(&format!("[#{n}]")))
                .count(),
            1
        );
    }
    app.stop().await;
}
