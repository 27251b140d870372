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
        StatusCode::UNAUTHORIZED,
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
        StatusCode::UNAUTHORIZED
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
        StatusCode::UNAUTHORIZED
    );
    app.stop().await;
}

/// Whether a browser is signed in as an agent (the queue answers instead of sending it to
/// the sign-in page).
async fn signed_in(app: &TestApp, c: &reqwest::Client) -> bool {
    let res = c.get(app.url("/agent/queue/open")).send().await.unwrap();
    res.status() == StatusCode::OK && res.url().path() == "/agent/queue/open"
}

/// The set-password link of the newest such mail to `to`.
async fn set_password_link(app: &TestApp, to: &str, nth: usize) -> String {
    eventually("a set-password mail", async || {
        let mails = mails_to(app, to);
        let m = mails.get(nth)?;
        m.text
            .split_whitespace()
            .find(|w| w.contains("/agent/set-password/"))
            .map(str::to_owned)
    })
    .await
}

/// Posts a new password to a set-password link from a fresh browser.
async fn post_set_password(app: &TestApp, link: &str, new: &str) -> reqwest::Response {
    let c = app.client();
    let token = csrf(&c, link).await;
    c.post(link)
        .form(&[("csrf", token.as_str()), ("new", new), ("repeat", new)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions_and_voids_a_pending_reset_link() {
    let app = TestApp::start().await;
    let nadine = crate::admin::agent(&app, "nadine", "Nadine Berger", false).await;
    app.app
        .send_password_reset(tessera_core::Actor::Cli, nadine)
        .await
        .unwrap();
    let link = set_password_link(&app, "nadine@tessera.test", 0).await;

    let here = crate::admin::sign_in(&app, "nadine", crate::admin::PASSWORD).await;
    let elsewhere = crate::admin::sign_in(&app, "nadine", crate::admin::PASSWORD).await;
    assert!(signed_in(&app, &here).await && signed_in(&app, &elsewhere).await);

    let new = "ein ganz anderes langes Passwort";
    let token = csrf(&here, &app.url("/agent/password")).await;
    let res = here
        .post(app.url("/agent/password"))
        .form(&[
            ("csrf", token.as_str()),
            ("current", crate::admin::PASSWORD),
            ("new", new),
            ("repeat", new),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.url().path(), "/agent/queue/open");
    assert!(
        signed_in(&app, &here).await,
        "the session that changed it stays"
    );
    assert!(
        !signed_in(&app, &elsewhere).await,
        "every other session of the agent ends"
    );
    let res = app.client().get(&link).send().await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "the pending reset link is void"
    );
    let res = app
        .app
        .set_password_with_link(
            link.rsplit('/').next().unwrap(),
            "noch ein ganz neues Passwort",
            "noch ein ganz neues Passwort",
        )
        .await;
    assert!(
        matches!(res, Err(tessera_core::CoreError::NotFound)),
        "{res:?}"
    );
    let again = app.client();
    crate::admin::post_sign_in(&app, &again, "nadine", new).await;
    assert!(signed_in(&app, &again).await, "the new password works");
    app.stop().await;
}

#[tokio::test]
async fn using_a_reset_link_ends_every_session_of_the_agent() {
    let app = TestApp::start().await;
    let nadine = crate::admin::agent(&app, "nadine", "Nadine Berger", false).await;
    app.app
        .send_password_reset(tessera_core::Actor::Cli, nadine)
        .await
        .unwrap();
    let link = set_password_link(&app, "nadine@tessera.test", 0).await;
    // Signed in after the link was sent (with the old password someone else may know).
    let one = crate::admin::sign_in(&app, "nadine", crate::admin::PASSWORD).await;
    let two = crate::admin::sign_in(&app, "nadine", crate::admin::PASSWORD).await;
    assert!(signed_in(&app, &one).await && signed_in(&app, &two).await);

    let res = post_set_password(&app, &link, "noch ein ganz neues Passwort").await;
    assert_eq!(res.url().path(), "/agent/login");
    assert!(!signed_in(&app, &one).await);
    assert!(!signed_in(&app, &two).await);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM session WHERE agent_id = {}",
            nadine.0
        ))
        .await,
        0
    );
    app.stop().await;
}

#[tokio::test]
async fn common_and_patterned_passwords_are_refused_with_a_helpful_message() {
    let app = TestApp::start().await;
    let nadine = crate::admin::agent(&app, "nadine", "Nadine Berger", false).await;
    let c = crate::admin::sign_in(&app, "nadine", crate::admin::PASSWORD).await;
    for (weak, says) in [
        ("aaaaaaaaaaaa", "einfaches Muster"),
        ("password1234", "geleakter Passwörter"),
        ("nadine.berger", "Ihrem Namen"),
    ] {
        let token = csrf(&c, &app.url("/agent/password")).await;
        let res = c
            .post(app.url("/agent/password"))
            .form(&[
                ("csrf", token.as_str()),
                ("current", crate::admin::PASSWORD),
                ("new", weak),
                ("repeat", weak),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{weak}");
        let page = res.text().await.unwrap();
        assert!(page.contains(says), "{weak}: {page}");
    }
    // In English too, and through a reset (or invitation) link.
    app.app
        .send_password_reset(tessera_core::Actor::Cli, nadine)
        .await
        .unwrap();
    let link = set_password_link(&app, "nadine@tessera.test", 0).await;
    let en = app.client();
    en.get(app.url("/lang/en?next=/")).send().await.unwrap();
    let token = csrf(&en, &link).await;
    let res = en
        .post(&link)
        .form(&[
            ("csrf", token.as_str()),
            ("new", "password1234"),
            ("repeat", "password1234"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("lists of common or leaked passwords")
    );
    let hash_before = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM password_token WHERE used_at IS NULL AND agent_id = {}",
            nadine.0
        ))
        .await;
    assert_eq!(hash_before, 1, "a refused password leaves the link usable");
    let res = post_set_password(&app, &link, "korrekt Pferd Batterie Heftklammer").await;
    assert_eq!(res.url().path(), "/agent/login");
    app.stop().await;
}

/// The `Set-Cookie` values of an answer.
fn set_cookies(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// The value of the cookie `name` among `Set-Cookie` values.
fn cookie_value(set: &[String], name: &str) -> Option<String> {
    set.iter()
        .filter_map(|c| c.split(';').next()?.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

#[tokio::test]
async fn over_https_cookies_have_the_host_prefix_and_pages_carry_hsts() {
    let app = TestApp::start_with(Box::new(|c| {
        c.core.base_url = c.core.base_url.replace("http://", "https://");
    }))
    .await;
    let (res, _) = open(&app, &app.client(), MAX, &[]).await;
    let number = number_from(&final_url(&res));
    // A plain client: the test speaks http to the server, which believes its base URL.
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = c.get(app.url("/status")).send().await.unwrap();
    assert_eq!(
        form.headers()[header::STRICT_TRANSPORT_SECURITY],
        "max-age=31536000"
    );
    let set = set_cookies(&form);
    let csrf_cookie = set
        .iter()
        .find(|c| c.starts_with("__Host-tessera_csrf="))
        .unwrap_or_else(|| panic!("a __Host- CSRF cookie: {set:?}"));
    assert!(csrf_cookie.contains("; Secure") && csrf_cookie.contains("Path=/"));
    assert!(!csrf_cookie.to_lowercase().contains("domain="));
    let token = cookie_value(&set, "__Host-tessera_csrf").unwrap();

    // A session cookie without the prefix (planted over plain http or by a subdomain) is
    // not read; the grant comes in a new `__Host-` session.
    let planted = attackers_token(&app).await;
    let res = c
        .post(app.url("/status"))
        .header(
            header::COOKIE,
            format!("__Host-tessera_csrf={token}; tessera_session={planted}"),
        )
        .form(&[
            ("csrf", token.as_str()),
            ("number", number.as_str()),
            ("email", "max@example.org"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()[header::STRICT_TRANSPORT_SECURITY],
        "max-age=31536000"
    );
    let set = set_cookies(&res);
    let session = set
        .iter()
        .find(|c| c.starts_with("__Host-tessera_session="))
        .unwrap_or_else(|| panic!("a __Host- session cookie: {set:?}"));
    assert!(session.contains("; Secure") && session.contains("HttpOnly"));
    assert!(!session.to_lowercase().contains("domain="));
    let fresh = cookie_value(&set, "__Host-tessera_session").unwrap();
    let page = c
        .get(app.url(&format!("/tickets/{number}")))
        .header(header::COOKIE, format!("__Host-tessera_session={fresh}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = c
        .get(app.url(&format!("/tickets/{number}")))
        .header(header::COOKIE, format!("tessera_session={fresh}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.status(),
        StatusCode::UNAUTHORIZED,
        "over https the unprefixed name is not a session"
    );
    app.stop().await;
}

#[tokio::test]
async fn over_plain_http_there_is_no_hsts_and_cookies_keep_their_plain_names() {
    let app = TestApp::start().await;
    let res = reqwest::get(app.url("/status")).await.unwrap();
    assert!(
        res.headers()
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_none()
    );
    let set = set_cookies(&res);
    assert!(
        set.iter().any(|c| c.starts_with("tessera_csrf=")),
        "{set:?}"
    );
    assert!(set.iter().all(|c| !c.contains("Secure")));
    app.stop().await;
}

#[tokio::test]
async fn an_expired_access_link_offers_a_fresh_one_by_mail_without_telling_who_takes_part() {
    let app = TestApp::start_with(Box::new(|c| {
        c.web.status_attempts_per_ticket = 3;
    }))
    .await;
    let (res, _) = open(&app, &app.client(), MAX, &[]).await;
    let number = number_from(&final_url(&res));
    let link = eventually("the confirmation mail", async || {
        mails_to(&app, "max@example.org")
            .first()
            .map(|m| m.access_link())
    })
    .await;
    // Closed 31 days ago, link sent before that (the default keeps links 30 days).
    let long_ago = tessera_domain::Timestamp::now().0 - 31 * 24 * 3600 * 1_000_000;
    app.exec(&format!(
        "UPDATE ticket SET status = 'closed', closed_at = {long_ago}"
    ))
    .await;
    app.exec(&format!("UPDATE access_token SET created_at = {long_ago}"))
        .await;

    let c = app.client();
    let res = c.get(&link).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::GONE);
    assert_eq!(res.headers()[header::REFERRER_POLICY], "no-referrer");
    let page = res.text().await.unwrap();
    assert!(page.contains("Dieser Link ist abgelaufen"), "{page}");
    assert_eq!(
        c.get(app.url(&format!("/tickets/{number}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED,
        "the expired link granted nothing"
    );

    let renew = format!("{link}/renew");
    let token = csrf(&c, &link).await;
    let mails_before = app.count("outbox_mail").await;
    let post = async |email: &str| {
        let res = c
            .post(&renew)
            .form(&[("csrf", token.as_str()), ("email", email)])
            .send()
            .await
            .unwrap();
        (res.status(), res.text().await.unwrap())
    };
    let (status, stranger) = post("eve@example.org").await;
    assert_eq!(status, StatusCode::OK);
    assert!(stranger.contains("Wenn die Adresse zu diesem Ticket gehört"));
    assert_eq!(app.count("outbox_mail").await, mails_before, "no mail");
    let (status, requester) = post(" MAX@example.org ").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(requester, stranger, "the answer does not tell");
    assert_eq!(app.count("outbox_mail").await, mails_before + 1);

    let fresh = eventually("the fresh link", async || {
        mails_to(&app, "max@example.org")
            .get(1)
            .map(|m| m.access_link())
    })
    .await;
    assert_ne!(fresh, link);
    let res = app.client().get(&fresh).send().await.unwrap();
    assert_eq!(res.url().path(), format!("/tickets/{number}"));
    assert_eq!(res.status(), StatusCode::OK);
    // The old link stays expired, and the form is limited per link.
    assert_eq!(
        app.client().get(&link).send().await.unwrap().status(),
        StatusCode::GONE
    );
    let (status, _) = post("max@example.org").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = post("max@example.org").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}

#[tokio::test]
async fn a_closed_tickets_link_keeps_working_within_its_days_and_for_ever_when_switched_off() {
    let app = TestApp::start_with(Box::new(|c| {
        c.core.access_link_days_after_close = 0;
    }))
    .await;
    let (res, _) = open(&app, &app.client(), MAX, &[]).await;
    let number = number_from(&final_url(&res));
    let link = eventually("the confirmation mail", async || {
        mails_to(&app, "max@example.org")
            .first()
            .map(|m| m.access_link())
    })
    .await;
    let long_ago = tessera_domain::Timestamp::now().0 - 400 * 24 * 3600 * 1_000_000;
    app.exec(&format!(
        "UPDATE ticket SET status = 'closed', closed_at = {long_ago}"
    ))
    .await;
    let res = app.client().get(&link).send().await.unwrap();
    assert_eq!(res.url().path(), format!("/tickets/{number}"));
    app.stop().await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_that_says_https_cookies_have_the_host_prefix_and_hsts() {
    let app = TestApp::start_with(Box::new(|c| {
        c.web.trusted_proxies = vec!["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()];
    }))
    .await;
    let c = reqwest::Client::new();
    let res = c
        .get(app.url("/status"))
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-for", "198.51.100.7")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()[header::STRICT_TRANSPORT_SECURITY],
        "max-age=31536000"
    );
    let set = set_cookies(&res);
    assert!(
        set.iter()
            .any(|c| c.starts_with("__Host-tessera_csrf=") && c.contains("; Secure")),
        "{set:?}"
    );
    // The same proxy forwarding plain http: no HSTS, plain names.
    let res = c
        .get(app.url("/status"))
        .header("x-forwarded-proto", "http")
        .send()
        .await
        .unwrap();
    assert!(
        res.headers()
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_none()
    );
    assert!(set_cookies(&res).iter().all(|c| c.starts_with("tessera_")));
    app.stop().await;
}
