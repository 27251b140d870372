//! Where Tessera meets the open internet (issue 21): redirects that must stay on the site,
//! API answers no cache may keep, stale forms answered as forms, and connections that
//! cannot be held open by clients that never finish their request.

use std::time::Duration;

use reqwest::{StatusCode, Url, header};
use tessera_core::{Actor, ApiKeyForm};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::admin::{PASSWORD, chefin, sign_in};
use crate::browser::Browser;
use crate::support::{PATIENCE, TestApp, csrf, eventually};

/// Finding 4: `/lang/{code}?next=` once sent `Location: /\t/evil.example`, which browsers
/// read as `//evil.example`. Whatever `next` holds, the `Location` resolves (by the WHATWG
/// URL rules browsers follow, which `Url::join` implements) to this site; anything but a
/// plain path of this site goes to `/`.
#[tokio::test]
async fn the_language_switch_never_redirects_to_another_site() {
    let app = TestApp::start().await;
    let c = app.client_no_redirect();
    let base = Url::parse(&app.base).unwrap();
    let hostile = [
        "/%09/evil.example",
        "/%0A/evil.example",
        "/%0D%0A/evil.example",
        "/%0D/evil.example",
        "/%00/evil.example",
        "/%20/evil.example",
        "%20//evil.example",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "/%5Cevil.example",
        "%5C%5Cevil.example",
        "/%5C/evil.example",
        "/%2F%2Fevil.example",
        "/%2F/evil.example",
        "https://evil.example/",
        "https:evil.example",
        "http%3A%2F%2Fevil.example",
        "javascript:alert(1)",
        "evil.example",
        "/%E3%80%80/evil.example",
        "/%C2%A0/evil.example",
        "/%09%09/evil.example",
        "%09/%09/evil.example",
    ];
    for payload in hostile {
        let res = c
            .get(app.url(&format!("/lang/en?next={payload}")))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{payload}: {e}"));
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{payload}");
        let raw = res.headers()[header::LOCATION].as_bytes();
        let location = String::from_utf8_lossy(raw);
        let followed = base.join(&location).unwrap();
        assert_eq!(
            (followed.host_str(), followed.port()),
            (base.host_str(), base.port()),
            "{payload} → Location {location:?} leaves the site"
        );
        assert_eq!(location, "/", "{payload}: not a plain path of this site");
        // The language is switched all the same.
        assert!(
            res.headers()[header::SET_COOKIE]
                .to_str()
                .unwrap()
                .contains("=en")
        );
    }
    // The links the pages make still come back where they were.
    for (next, to) in [
        ("%2Fstatus", "/status"),
        (
            "%2Ftickets%3Fpage%3D2%26q%3D%252F%252Fx",
            "/tickets?page=2&q=%2F%2Fx",
        ),
        ("%2Fopen%3Ftopic%3D1", "/open?topic=1"),
    ] {
        let res = c
            .get(app.url(&format!("/lang/de?next={next}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()[header::LOCATION], to);
    }
    // ... including the link a page shows.
    let page = c
        .get(app.url("/status?x=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let i = page.find("href=\"/lang/en?next=").expect("a language link");
    let link = &page[i + 6..];
    let link = link[..link.find('"').unwrap()]
        .replace("&amp;", "&")
        .replace("&#x2f;", "/");
    let res = c.get(app.url(&link)).send().await.unwrap();
    assert_eq!(res.headers()[header::LOCATION], "/status?x=1");
    app.stop().await;
}

/// Finding 4 in a real browser: Chromium, sent through the language switch with hostile
/// `next` values, stays on the site (at 1104710 it went to `evil.example`).
#[tokio::test]
async fn chromium_stays_on_the_site_through_the_language_switch() {
    let app = TestApp::start().await;
    let browser = Browser::start().await;
    for payload in [
        "/%09/evil.example",
        "/%0D%0A/evil.example",
        "/%5Cevil.example",
        "/%2F%2Fevil.example",
        "%09//evil.example",
    ] {
        browser
            .goto(&app.url(&format!("/lang/en?next={payload}")))
            .await;
        let at = browser.url().await;
        assert_eq!(at, app.url("/"), "{payload}");
    }
    browser.quit().await;
    app.stop().await;
}

/// A key of `scope` made through core.
async fn key(app: &TestApp, scope: &str, agent: &str) -> String {
    let form = ApiKeyForm {
        name: format!("{scope} key"),
        scope: scope.into(),
        agent: agent.into(),
        allowed_ips: String::new(),
        rate_per_minute: String::new(),
    };
    app.app.create_api_key(Actor::Cli, &form).await.unwrap().1
}

fn no_store(what: &str, res: &reqwest::Response) {
    assert_eq!(
        res.headers()
            .get(header::CACHE_CONTROL)
            .map(|v| v.to_str().unwrap()),
        Some("no-store"),
        "{what}"
    );
}

/// Finding 7: `/api/v1` answers (tickets, problems, the directory) and the osTicket API's
/// carried no `Cache-Control`, so a shared cache could keep and hand out tickets.
#[tokio::test]
async fn api_answers_are_never_stored_by_caches() {
    let app = TestApp::start().await;
    chefin(&app).await;
    let write = key(&app, "write", "chefin").await;
    let create = key(&app, "create", "").await;
    let c = reqwest::Client::new();
    let res = c
        .post(app.url("/api/v1/tickets"))
        .header("X-API-Key", &write)
        .json(&serde_json::json!({
            "name": "Ada", "email": "ada@example.org", "subject": "Drucker", "message": "Kaputt"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    no_store("created", &res);
    let number = res.json::<serde_json::Value>().await.unwrap()["number"]
        .as_str()
        .unwrap()
        .to_owned();
    for path in [
        "/api/v1/tickets".to_owned(),
        format!("/api/v1/tickets/{number}"),
        "/api/v1/topics".to_owned(),
    ] {
        let res = c
            .get(app.url(&path))
            .header("X-API-Key", &write)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        no_store(&path, &res);
    }
    // Problems too: no key, an unknown route.
    let res = c.get(app.url("/api/v1/tickets")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    no_store("401", &res);
    let res = c
        .get(app.url("/api/v1/nothing-here"))
        .header("X-API-Key", &write)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    no_store("404", &res);
    // osTicket's API: the ticket number it answers is no one else's business either.
    let res = c
        .post(app.url("/api/tickets.json"))
        .header("X-API-Key", &create)
        .json(&serde_json::json!({
            "name": "Bo", "email": "bo@example.org", "subject": "S", "message": "M"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    no_store("osTicket created", &res);
    app.stop().await;
}

/// Finding 7: a stale form on "revoke API key" answered with an error page (500 in the
/// attack run, 403 at 1104710) instead of the form again. Now it is the confirmation again
/// with the translated message (422), and the key stays live.
#[tokio::test]
async fn a_stale_revoke_form_is_shown_again_with_the_message() {
    let app = TestApp::start().await;
    chefin(&app).await;
    let k = key(&app, "create", "").await;
    let id = app.app.api_keys(Actor::Cli).await.unwrap()[0].id;
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    let path = format!("/agent/admin/api-keys/{id}/revoke");
    // The browser has its token cookie (from the confirmation page); the form's is stale.
    let token = csrf(&admin, &app.url(&path)).await;
    let res = admin
        .post(app.url(&path))
        .form(&[("csrf", format!("{token}0").as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains(&tessera_i18n::t(tessera_domain::Lang::De, "error-csrf")),
        "{page}"
    );
    assert!(page.contains(&format!("action=\"{path}\"")), "{page}");
    let keys = app.app.api_keys(Actor::Cli).await.unwrap();
    assert!(keys[0].revoked_at.is_none());
    let res = reqwest::Client::new()
        .post(app.url("/api/tickets.json"))
        .header("X-API-Key", &k)
        .json(&serde_json::json!({
            "name": "Bo", "email": "bo@example.org", "subject": "S", "message": "M"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    // With the right token it is revoked.
    let res = admin
        .post(app.url(&path))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.url().path(), "/agent/admin/api-keys");
    let keys = app.app.api_keys(Actor::Cli).await.unwrap();
    assert!(keys[0].revoked_at.is_some());
    app.stop().await;
}

/// Everything the server sends on `s` until it closes the connection (a reset counts as
/// closed). Waits at most `PATIENCE`: a connection still open then is a failure.
async fn until_closed(s: &mut TcpStream) -> String {
    let mut got = Vec::new();
    match tokio::time::timeout(PATIENCE, s.read_to_end(&mut got)).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => assert!(
            matches!(
                e.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
            ),
            "{e}"
        ),
        Err(_) => panic!("the server keeps a stalled connection open"),
    }
    String::from_utf8_lossy(&got).into_owned()
}

/// A connection that sends the start of a request and then nothing more.
async fn stalled(app: &TestApp, start: &str) -> TcpStream {
    let mut s = TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap();
    s.write_all(start.as_bytes()).await.unwrap();
    s
}

/// Finding 5: half-sent requests (slowloris) stayed open forever, and enough of them locked
/// everyone out. Now at most `http_max_connections` are served at once (the rest wait to be
/// accepted), each must send its headers within `http_header_timeout_seconds`, and a
/// normal request gets through once the stalled ones are cut off.
#[tokio::test]
async fn stalled_connections_are_cut_off_and_capped() {
    const CAP: usize = 4;
    let app = TestApp::start_with(Box::new(|c| {
        c.http.max_connections = CAP;
        c.http.header_read_timeout = Duration::from_secs(1);
    }))
    .await;
    // Three times the cap, each stopping in the middle of its headers.
    let mut slow = Vec::new();
    for i in 0..3 * CAP {
        slow.push(stalled(&app, &format!("GET / HTTP/1.1\r\nHost: x\r\nX-Slow-{i}: ")).await);
    }
    // The cap is reached and not passed: the others wait in the accept backlog.
    eventually("the cap to be reached", async || {
        (app.open_connections() == CAP).then_some(())
    })
    .await;
    // A normal request is answered all the same (after the stalled ones ahead of it).
    let res = tokio::time::timeout(PATIENCE, reqwest::get(app.url("/status")))
        .await
        .expect("a normal request is answered")
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(app.open_connections() <= CAP);
    drop(res);
    // Every stalled connection is closed by the server, none answered.
    for s in &mut slow {
        let got = until_closed(s).await;
        assert!(!got.contains("200 OK"), "{got}");
        assert!(app.open_connections() <= CAP);
    }
    eventually("every connection to end", async || {
        (app.open_connections() == 0).then_some(())
    })
    .await;
    app.stop().await;
}

/// Finding 5: a request whose body never arrives, and an idle kept-alive connection, held
/// their connection forever. Now the request is answered 408 (in the client's language)
/// once `http_request_timeout_seconds` pass, and the idle connection is closed.
#[tokio::test]
async fn slow_bodies_and_idle_connections_are_closed() {
    let app = TestApp::start_with(Box::new(|c| {
        c.http.request_timeout = Duration::from_secs(1);
        c.http.header_read_timeout = Duration::from_secs(1);
    }))
    .await;
    let mut body = stalled(
        &app,
        "POST /status HTTP/1.1\r\nHost: x\r\nAccept-Language: en\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nnumber=1",
    )
    .await;
    let got = until_closed(&mut body).await;
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");
    assert!(got.contains("took too long"), "{got}");
    // A complete request on a kept-alive connection is answered; then the connection,
    // idle, is closed.
    let mut idle = stalled(
        &app,
        "GET /lang/en?next=/status HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    .await;
    let got = until_closed(&mut idle).await;
    assert!(got.starts_with("HTTP/1.1 303"), "{got}");
    assert_eq!(got.matches("HTTP/1.1").count(), 1, "{got}");
    app.stop().await;
}

/// Stopping keeps its promise under the new server: no new connection is accepted, and a
/// request in progress (here: one whose body is still arriving) is answered in full.
#[tokio::test]
async fn stopping_lets_a_running_request_finish() {
    let app = TestApp::start().await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let body = "number=123456&email=a%40example.org&csrf=x";
    let mut running = stalled(
        &app,
        &format!(
            "POST /status HTTP/1.1\r\nHost: x\r\nAccept-Language: en\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{}",
            body.len(),
            &body[..10]
        ),
    )
    .await;
    eventually("the request to be accepted", async || {
        (app.open_connections() == 1).then_some(())
    })
    .await;
    let stopping = tokio::spawn(app.stop());
    eventually("new connections to be refused", async || {
        TcpStream::connect(&addr).await.is_err().then_some(())
    })
    .await;
    running.write_all(&body.as_bytes()[10..]).await.unwrap();
    let got = until_closed(&mut running).await;
    // Answered as the form it was (a stale token: shown again), not cut off.
    assert!(got.starts_with("HTTP/1.1 422"), "{got}");
    assert!(got.trim_end().ends_with("</html>"), "{got}");
    stopping.await.unwrap();
}
