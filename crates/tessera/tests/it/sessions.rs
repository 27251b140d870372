//! Sessions at the edge (issue 21, finding 3 and part of 7): every grant mints a new
//! requester session, cookies and HSTS over https, passwords ending sessions, access links
//! that expire and can be renewed, and weak passwords refused.

use std::sync::Arc;

use reqwest::{StatusCode, cookie::CookieStore, cookie::Jar, header};

use crate::{
    portal::{MAX, final_url, number_from, open},
    support::{Mail, TestApp, csrf, eventually},
};

/// A browser whose cookies the test can read and plant.
fn browser(redirects: bool) -> (reqwest::Client, Arc<Jar>) {
    let jar = Arc::new(Jar::default());
    let mut b = reqwest::Client::builder().cookie_provider(jar.clone());
    if !redirects {
        b = b.redirect(reqwest::redirect::Policy::none());
    }
    (b.build().expect("client"), jar)
}

/// The session cookie's value the jar holds for the app, if any.
fn session_token(app: &TestApp, jar: &Jar) -> Option<String> {
    let url = app.base.parse().unwrap();
    let cookies = jar.cookies(&url)?;
    cookies
        .to_str()
        .unwrap()
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| k.ends_with("tessera_session"))
        .map(|(_, v)| v.to_owned())
}

/// Puts a session cookie into a browser, as an attacker who fixes a victim's session would.
fn plant(app: &TestApp, jar: &Jar, token: &str) {
    let url = app.base.parse().unwrap();
    jar.add_cookie_str(&format!("tessera_session={token}; Path=/"), &url);
}

/// What a browser carrying only `token` as its session sees of a ticket.
async fn seen_with(app: &TestApp, token: &str, number: &str) -> StatusCode {
    reqwest::Client::new()
        .get(app.url(&format!("/tickets/{number}")))
        .header(header::COOKIE, format!("tessera_session={token}"))
        .send()
        .await
        .unwrap()
        .status()
}

/// The mails written as files so far that went to `to`, oldest first.
fn mails_to(app: &TestApp, to: &str) -> Vec<Mail> {
    let dir = app.data_dir.join("mail-out");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|x| x == "eml"));
    files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    files
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .map(|raw| Mail::parse(&raw))
        .filter(|m| m.to.iter().any(|a| a == to))
        .collect()
}

/// An attacker opens a ticket of their own to get a valid session token.
async fn attackers_token(app: &TestApp) -> String {
    let (eve, jar) = browser(true);
    let fields = [
        ("email", "eve@example.org"),
        ("name", "Eve"),
        ("subject", "Köder"),
        ("body", "Nur für ein Sitzungs-Cookie."),
    ];
    let (res, _) = open(app, &eve, &fields, &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    session_token(app, &jar).expect("the attacker got a session")
}

#[tokio::test]
async fn a_planted_session_cookie_does_not_receive_the_ticket_the_victim_opens() {
    let app = TestApp::start().await;
    let planted = attackers_token(&app).await;

    let (victim, jar) = browser(true);
    plant(&app, &jar, &planted);
    let (res, _) = open(&app, &victim, MAX, &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let number = number_from(&final_url(&res));

    let fresh = session_token(&app, &jar).unwrap();
    assert_ne!(fresh, planted, "opening a ticket mints a new session token");
    assert_eq!(seen_with(&app, &fresh, &number).await, StatusCode::OK);
    assert_eq!(
        seen_with(&app, &planted, &number).await,
        StatusCode::NOT_FOUND,
        "the planted token must not see the victim's ticket"
    );
    // The earlier grants went along into the new session; the old token is gone.
    let tickets = victim.get(app.url("/tickets")).send().await.unwrap();
    assert!(tickets.text().await.unwrap().contains("Köder"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM session").await,
        1,
        "the planted session was deleted, not kept next to the new one"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_planted_session_cookie_does_not_receive_a_ticket_by_check_status_or_access_link() {
    let app = TestApp::start().await;
    let (res, _) = open(&app, &app.client(), MAX, &[]).await;
    let number = number_from(&final_url(&res));

    // Check status.
    let planted = attackers_token(&app).await;
    let (victim, jar) = browser(true);
    plant(&app, &jar, &planted);
    let token = csrf(&victim, &app.url("/status")).await;
    let ok = victim
        .post(app.url("/status"))
        .form(&[
            ("csrf", token.as_str()),
            ("number", number.as_str()),
            ("email", "max@example.org"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.url().path(), format!("/tickets/{number}"));
    assert_ne!(session_token(&app, &jar).unwrap(), planted);
    assert_eq!(
        seen_with(&app, &planted, &number).await,
        StatusCode::NOT_FOUND
    );

    // The access link of the confirmation mail.
    let link = eventually("the confirmation mail", async || {
        mails_to(&app, "max@example.org")
            .first()
            .map(|m| m.access_link())
    })
    .await;
    let planted = attackers_token(&app).await;
    let (victim, jar) = browser(true);
    plant(&app, &jar, &planted);
    let res = victim.get(&link).send().await.unwrap();
    assert_eq!(res.url().path(), format!("/tickets/{number}"));
    assert_eq!(res.status(), StatusCode::OK);
    let fresh = session_token(&app, &jar).unwrap();
    assert_ne!(fresh, planted);
    assert_eq!(seen_with(&app, &fresh, &number).await, StatusCode::OK);
    assert_eq!(
        seen_with(&app, &planted, &number).await,
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}
