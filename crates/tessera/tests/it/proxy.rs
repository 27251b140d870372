//! Behind a reverse proxy: the real client address comes from the proxies the administrator
//! trusts, and every limit, allow-list and audit record uses it. Budgets count failures only,
//! so colleagues behind one proxy do not lock each other out, and a requester who knows the
//! right address always gets into their ticket.

use reqwest::StatusCode;
use tessera_core::{Actor, ApiKeyForm};

use crate::{
    admin::{PASSWORD, chefin},
    portal::{MAX, final_url, number_from, open},
    support::{SmtpServer, TestApp, csrf},
};

/// A test server that believes the loopback proxy (every test request comes from it).
async fn behind_proxy(tweak: impl Fn(&mut tessera::Config) + Send + Sync + 'static) -> TestApp {
    TestApp::start_with(Box::new(move |c| {
        c.web.trusted_proxies = vec!["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()];
        tweak(c);
    }))
    .await
}

/// Posts the sign-in form as if forwarded for `client` (no header: the socket peer).
async fn sign_in_from(app: &TestApp, client: Option<&str>, user: &str, pw: &str) -> StatusCode {
    let c = app.client_no_redirect();
    let token = csrf(&c, &app.url("/agent/login")).await;
    let mut req = c.post(app.url("/agent/login")).form(&[
        ("csrf", token.as_str()),
        ("username", user),
        ("password", pw),
    ]);
    if let Some(ip) = client {
        req = req.header("x-forwarded-for", ip);
    }
    req.send().await.unwrap().status()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_sign_in_budget() {
    let app = behind_proxy(|c| c.web.login_attempts_per_ip = 3).await;
    chefin(&app).await;
    let mallory = Some("198.51.100.66");
    for _ in 0..3 {
        let s = sign_in_from(&app, mallory, "chefin", "falsch").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        sign_in_from(&app, mallory, "chefin", "falsch").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The proxy itself and the organisation's other clients are not the flooding client.
    let colleague = Some("203.0.113.10");
    assert_eq!(
        sign_in_from(&app, colleague, "chefin", PASSWORD).await,
        StatusCode::SEE_OTHER
    );
    // A forged entry before the real one does not buy a fresh budget: the proxy appended
    // the real address last.
    assert_eq!(
        sign_in_from(&app, Some("192.0.2.1, 198.51.100.66"), "chefin", "falsch").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // IPv6 clients share one budget per /64.
    for host in 1..=3 {
        let ip = format!("2001:db8:7:7::{host}");
        let s = sign_in_from(&app, Some(&ip), "chefin", "falsch").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{ip}");
    }
    assert_eq!(
        sign_in_from(&app, Some("2001:db8:7:7::99"), "chefin", "falsch").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    app.stop().await;
}

#[tokio::test]
async fn forwarding_headers_from_a_peer_that_is_not_trusted_are_ignored() {
    let app = TestApp::start_with(Box::new(|c| c.web.login_attempts_per_ip = 2)).await;
    chefin(&app).await;
    for ip in ["198.51.100.1", "198.51.100.2"] {
        let s = sign_in_from(&app, Some(ip), "chefin", "falsch").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    // A fresh claimed address does not reset the budget of the real peer.
    assert_eq!(
        sign_in_from(&app, Some("198.51.100.3"), "chefin", "falsch").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    app.stop().await;
}

#[tokio::test]
async fn successful_sign_ins_do_not_use_up_the_failure_budget() {
    let app = TestApp::start_with(Box::new(|c| {
        c.web.login_attempts_per_ip = 2;
        c.web.login_attempts_per_account = 2;
    }))
    .await;
    chefin(&app).await;
    // A whole office signing in from one address, one after another.
    for n in 0..5 {
        let s = sign_in_from(&app, None, "chefin", PASSWORD).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "sign-in {n}");
    }
    // One failure in between still leaves room; failures alone run out.
    assert_eq!(
        sign_in_from(&app, None, "chefin", "falsch").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in_from(&app, None, "chefin", PASSWORD).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        sign_in_from(&app, None, "chefin", "falsch").await,
        StatusCode::UNAUTHORIZED
    );
    // Two failures from this address: its budget is spent.
    assert_eq!(
        sign_in_from(&app, None, "chefin", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    app.stop().await;
}

#[tokio::test]
async fn the_audit_log_shows_the_forwarded_client_address() {
    let app = behind_proxy(|_| {}).await;
    chefin(&app).await;
    let s = sign_in_from(&app, Some("203.0.113.77"), "chefin", "falsch").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let admin = app.client();
    let token = csrf(&admin, &app.url("/agent/login")).await;
    let res = admin
        .post(app.url("/agent/login"))
        .header("x-forwarded-for", "203.0.113.78")
        .form(&[
            ("csrf", token.as_str()),
            ("username", "chefin"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let audit = admin
        .get(app.url("/agent/admin/audit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        audit.contains("data-label=\"Adresse\">203.0.113.77</td>"),
        "{audit}"
    );
    assert!(
        audit.contains("data-label=\"Adresse\">203.0.113.78</td>"),
        "{audit}"
    );
    assert!(
        !audit.contains("data-label=\"Adresse\">127.0.0.1</td>"),
        "{audit}"
    );
    app.stop().await;
}

/// Posts the check-status form as if forwarded for `client`.
async fn check_status(
    app: &TestApp,
    client: &str,
    number: &str,
    email: &str,
) -> (StatusCode, String, String) {
    let c = app.client();
    let token = csrf(&c, &app.url("/status")).await;
    let res = c
        .post(app.url("/status"))
        .header("x-forwarded-for", client)
        .form(&[
            ("csrf", token.as_str()),
            ("number", number),
            ("email", email),
        ])
        .send()
        .await
        .unwrap();
    let status = res.status();
    let path = res.url().path().to_owned();
    (status, path, res.text().await.unwrap())
}

#[tokio::test]
async fn guessing_at_a_ticket_never_locks_its_requester_out() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = behind_proxy(move |c| {
        c.smtp_url = Some(url.clone());
        c.web.status_attempts_per_ticket = 3;
        c.web.status_attempts_per_ip = 5;
    })
    .await;
    let (res, _) = open(&app, &app.client(), MAX, &[]).await;
    let number = number_from(&final_url(&res));
    smtp.wait_for(1).await;

    // The requester checks in twice: successes use up nothing.
    for _ in 0..4 {
        let (status, path, _) = check_status(&app, "203.0.113.5", &number, "max@example.org").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(path, format!("/tickets/{number}"));
    }
    // Someone guesses addresses for the number, from a new address each time.
    for n in 0..3 {
        let ip = format!("198.51.100.{n}");
        let (status, path, _) = check_status(&app, &ip, &number, "eve@example.org").await;
        assert_eq!((status, path.as_str()), (StatusCode::OK, "/status"));
    }
    // Past the number's budget, a right guess no longer opens the ticket ...
    let (status, path, page) = check_status(&app, "198.51.100.9", &number, "max@example.org").await;
    assert_eq!((status, path.as_str()), (StatusCode::OK, "/status"));
    assert!(page.contains("einen Link zu Ihrem Ticket"), "{page}");
    // ... and a wrong one reads the same; only the requester's mailbox gets a link.
    let (_, _, wrong) = check_status(&app, "198.51.100.10", &number, "eve@example.org").await;
    assert_eq!(
        wrong.replace(char::is_whitespace, "").len(),
        page.replace(char::is_whitespace, "").len()
    );
    let mails = smtp.wait_for(2).await;
    let link = mails
        .iter()
        .find(|m| m.text.contains("/access/"))
        .expect("a link mail");
    assert_eq!(link.rcpt_to, "max@example.org");
    let opened = app.client().get(link.access_link()).send().await.unwrap();
    assert_eq!(opened.url().path(), format!("/tickets/{number}"));
    // The guesser's own address has a budget of its own, spent on failures.
    for n in 0..5 {
        let (status, _, _) = check_status(&app, "198.51.100.200", "999999", "x@example.org").await;
        assert_eq!(status, StatusCode::OK, "attempt {n}");
    }
    let (status, _, _) = check_status(&app, "198.51.100.200", "999998", "x@example.org").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}

#[tokio::test]
async fn an_api_key_allow_list_checks_the_forwarded_client() {
    let app = behind_proxy(|_| {}).await;
    chefin(&app).await;
    let (_, key) = app
        .app
        .create_api_key(
            Actor::Cli,
            &ApiKeyForm {
                name: "Intranet".into(),
                scope: "read".into(),
                agent: "chefin".into(),
                allowed_ips: "203.0.113.0/24".into(),
                rate_per_minute: "1000".into(),
            },
        )
        .await
        .unwrap();
    let call = async |client: &str| {
        app.client()
            .get(app.url("/api/v1/tickets"))
            .header("x-api-key", &key)
            .header("x-forwarded-for", client)
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(call("203.0.113.40").await, StatusCode::OK);
    assert_eq!(call("198.51.100.40").await, StatusCode::UNAUTHORIZED);
    app.stop().await;
}
