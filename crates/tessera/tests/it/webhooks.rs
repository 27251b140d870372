//! Webhooks end to end: a real HTTP receiver in the test process (axum on 127.0.0.1) gets
//! signed deliveries for portal, agent and email changes; failures are retried on the
//! worker's schedule (stepped through with `run_once_at`, no sleeping) and finally given up;
//! private targets are refused in the form and at delivery; deliveries share the change's
//! transaction; the administration page shows the log.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicU16, Ordering},
};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode as AxStatus},
    routing::post,
};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use sha2::Sha256;
use tessera_core::{Actor, WebhookForm, WebhookWorker};
use tessera_domain::Timestamp;

use crate::{
    admin::{PASSWORD, chefin, post_form, sign_in},
    portal::{MAX, final_url, number_from, open},
    support::{TestApp, csrf, eml, eventually, ingest, ticket_form},
};

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Received {
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("the body is JSON")
    }
}

#[derive(Clone, Default)]
struct Shared {
    got: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
}

/// A webhook receiver on a loopback port that answers with a settable status.
struct Receiver {
    port: u16,
    shared: Shared,
}

impl Receiver {
    async fn start(status: u16) -> Receiver {
        let shared = Shared::default();
        shared.status.store(status, Ordering::SeqCst);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(shared.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { port, shared }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    fn answer(&self, status: u16) {
        self.shared.status.store(status, Ordering::SeqCst);
    }

    fn got(&self) -> Vec<Received> {
        self.shared.got.lock().unwrap().clone()
    }

    /// Waits until `n` requests have arrived.
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        eventually(&format!("{n} webhook requests"), async || {
            let got = self.got();
            (got.len() >= n).then_some(got)
        })
        .await
    }
}

async fn receive(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> AxStatus {
    s.got.lock().unwrap().push(Received {
        headers,
        body: body.to_vec(),
    });
    AxStatus::from_u16(s.status.load(Ordering::SeqCst)).unwrap()
}

/// What a receiver does to trust a request: HMAC-SHA256 over "<timestamp>.<body>".
fn verifies(secret: &str, r: &Received) -> bool {
    let sig = r.header("x-tessera-signature");
    let Some(hex_sig) = sig.strip_prefix("sha256=") else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(r.header("x-tessera-timestamp").as_bytes());
    mac.update(b".");
    mac.update(&r.body);
    let Ok(bytes) = (0..hex_sig.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex_sig.get(i..i + 2).unwrap_or("zz"), 16))
        .collect::<Result<Vec<u8>, _>>()
    else {
        return false;
    };
    mac.verify_slice(&bytes).is_ok()
}

/// Every subscribable event.
const ALL: [&str; 7] = [
    "ticket.created",
    "ticket.updated",
    "message",
    "reply",
    "note",
    "assigned",
    "status",
];

/// A webhook saved from the command line's authority.
async fn hook(app: &TestApp, url: &str, events: &[&str], allow_private: bool) -> i64 {
    app.app
        .save_webhook(
            Actor::Cli,
            None,
            &WebhookForm {
                url: url.into(),
                description: "test".into(),
                events: events.iter().map(|e| e.to_string()).collect(),
                is_active: true,
                allow_private,
            },
        )
        .await
        .unwrap()
}

async fn scalar(app: &TestApp, sql: &str) -> Option<i64> {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match app.app.db() {
        tessera_store::Db::Sqlite(d) => sqlx::query_scalar(sql).fetch_one(&d.pool).await.unwrap(),
        tessera_store::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

async fn text(app: &TestApp, sql: &str) -> Option<String> {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match app.app.db() {
        tessera_store::Db::Sqlite(d) => sqlx::query_scalar(sql).fetch_one(&d.pool).await.unwrap(),
        tessera_store::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

/// Opens a ticket through the portal form; its number.
async fn open_in_portal(app: &TestApp, c: &reqwest::Client) -> String {
    let (res, _) = open(app, c, MAX, &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    number_from(&final_url(&res))
}

/// Posts a form of the agent's ticket page (`/action`).
async fn act(app: &TestApp, c: &reqwest::Client, number: &str, fields: &[(&str, &str)]) {
    let url = app.url(&format!("/agent/tickets/{number}"));
    let token = csrf(c, &url).await;
    let mut form = vec![("csrf", token.as_str())];
    form.extend_from_slice(fields);
    let res = c
        .post(format!("{url}/action"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

/// Posts a multipart form of the ticket page (`/reply`, `/note`).
async fn write(
    app: &TestApp,
    c: &reqwest::Client,
    number: &str,
    what: &str,
    fields: &[(&str, &str)],
) {
    let url = app.url(&format!("/agent/tickets/{number}"));
    let page = c.get(&url).send().await.unwrap().text().await.unwrap();
    let token = csrf(c, &url).await;
    let seen = page
        .split("name=\"seen\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("0")
        .to_owned();
    let mut all = vec![("seen", seen.as_str())];
    all.extend_from_slice(fields);
    let res = c
        .post(format!("{url}/{what}"))
        .multipart(ticket_form(&token, &all, &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{what}");
}

fn secret_on(page: &str) -> String {
    page.split("<code class=\"secret\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the page shows the secret")
        .to_owned()
}

#[tokio::test]
async fn portal_and_agent_changes_reach_the_receiver_signed() {
    let app = TestApp::start().await;
    let rx = Receiver::start(200).await;
    chefin(&app).await;
    let admin = sign_in(&app, "chefin", PASSWORD).await;

    // The overview links the page; a loopback target needs "allow private".
    let overview = admin.get(app.url("/agent/admin")).send().await.unwrap();
    assert!(
        overview
            .text()
            .await
            .unwrap()
            .contains("/agent/admin/webhooks")
    );
    let url = rx.url();
    let mut fields: Vec<(&str, &str)> = vec![("url", &url), ("description", "CRM")];
    for e in ALL {
        fields.push(("events", e));
    }
    fields.push(("is_active", "1"));
    fields.push(("action", "save"));
    let res = post_form(&admin, &app, "/agent/admin/webhooks", &fields).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("id=\"url-error\""), "{page}");
    assert!(page.contains("privaten Netz"));
    assert_eq!(app.count("webhook").await, 0);
    fields.push(("allow_private", "1"));
    let res = post_form(&admin, &app, "/agent/admin/webhooks", &fields).await;
    assert_eq!(res.status(), StatusCode::OK);
    let edit_url = res.url().to_string();
    assert!(edit_url.contains("done=created"), "{edit_url}");
    let page = res.text().await.unwrap();
    let secret = secret_on(&page);
    assert_eq!(secret.len(), 64);
    assert_eq!(
        app.count("audit_log WHERE action = 'webhook-create'").await,
        1
    );

    // A requester opens a ticket in the portal.
    let requester = app.client();
    let number = open_in_portal(&app, &requester).await;
    let got = rx.wait_for(1).await;
    let created = &got[0];
    assert!(verifies(&secret, created), "the signature verifies");
    assert!(!verifies("another secret", created));
    assert_eq!(created.header("content-type"), "application/json");
    assert_eq!(created.header("user-agent"), "Tessera-Webhook");
    assert_eq!(created.header("x-tessera-event"), "ticket.created");
    let body = created.json();
    assert_eq!(
        created.header("x-tessera-delivery"),
        body["id"].as_str().unwrap()
    );
    assert_eq!(body["event"], "ticket.created");
    assert_eq!(body["ticket"]["number"], number.as_str());
    assert_eq!(
        body["ticket"]["subject"],
        "Plakat für das Nikolausschwimmen"
    );
    assert_eq!(body["ticket"]["status"], "open");
    assert_eq!(body["ticket"]["requester"]["email"], "max@example.org");
    assert_eq!(body["ticket"]["topic"], "Allgemeine Anfrage");
    assert_eq!(
        body["ticket"]["url"],
        app.url(&format!("/agent/tickets/{number}")).as_str()
    );
    assert_eq!(body["entry"]["kind"], "message");
    assert_eq!(body["entry"]["author"], "Max Müller");
    assert!(body["occurred_at"].as_str().unwrap().ends_with('Z'));

    // The agent replies (claiming the ticket), writes a note, assigns, closes.
    write(
        &app,
        &admin,
        &number,
        "reply",
        &[("body", "Wir machen das.")],
    )
    .await;
    let got = rx.wait_for(3).await;
    let events: Vec<String> = got.iter().map(|r| r.header("x-tessera-event")).collect();
    assert_eq!(events[1..], ["reply", "assigned"]);
    assert_eq!(got[1].json()["entry"]["body"], "Wir machen das.");
    assert_eq!(got[1].json()["entry"]["author"], "Chefin");
    assert_eq!(got[2].json()["change"]["field"], "claimed");
    assert_eq!(got[2].json()["ticket"]["assignee"]["agent"], "Chefin");
    write(
        &app,
        &admin,
        &number,
        "note",
        &[("note", "Intern: Logo fehlt.")],
    )
    .await;
    let got = rx.wait_for(4).await;
    assert_eq!(got[3].header("x-tessera-event"), "note");
    assert_eq!(got[3].json()["entry"]["kind"], "note");
    act(
        &app,
        &admin,
        &number,
        &[("do", "priority"), ("priority", "high")],
    )
    .await;
    let got = rx.wait_for(5).await;
    assert_eq!(got[4].header("x-tessera-event"), "ticket.updated");
    assert_eq!(got[4].json()["change"]["from"], "normal");
    assert_eq!(got[4].json()["change"]["to"], "high");
    act(
        &app,
        &admin,
        &number,
        &[("do", "status"), ("status", "closed")],
    )
    .await;
    let got = rx.wait_for(6).await;
    assert_eq!(got[5].header("x-tessera-event"), "status");
    let change = &got[5].json()["change"];
    assert_eq!(
        (change["from"].as_str(), change["to"].as_str()),
        (Some("open"), Some("closed"))
    );
    assert_eq!(got[5].json()["ticket"]["status"], "closed");

    // The requester writes again through the portal.
    let ticket_url = app.url(&format!("/tickets/{number}"));
    let token = csrf(&requester, &ticket_url).await;
    let res = requester
        .post(format!("{ticket_url}/reply"))
        .multipart(ticket_form(&token, &[("body", "Danke!")], &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let got = rx.wait_for(7).await;
    assert_eq!(got[6].header("x-tessera-event"), "message");
    assert_eq!(got[6].json()["entry"]["body"], "Danke!");
    assert!(got.iter().all(|r| verifies(&secret, r)));

    // The log shows every delivery, delivered with HTTP 200, and the test button works.
    eventually("every delivery to be marked", async || {
        (app.count("webhook_delivery WHERE status = 'delivered'")
            .await
            == 7)
            .then_some(())
    })
    .await;
    let log = admin
        .get(&edit_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(log.matches("class=\"delivery delivery-").count(), 7);
    assert!(log.contains("zugestellt") && log.contains("HTTP 200"));
    assert!(
        log.contains("<td><code>ticket.created</code></td>")
            && log.contains("<td><code>status</code></td>")
    );
    let path = edit_url
        .trim_start_matches(&app.base)
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let res = post_form(&admin, &app, &path, &[("action", "test")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let got = rx.wait_for(8).await;
    assert_eq!(got[7].header("x-tessera-event"), "test");
    assert!(verifies(&secret, &got[7]));

    // The log pages by 50, newest first.
    let id: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
    for _ in 0..50 {
        app.app.send_test_webhook(Actor::Cli, id).await.unwrap();
    }
    let log = admin
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(log.matches("class=\"delivery delivery-").count(), 50);
    assert!(
        !log.contains("<td><code>ticket.created</code></td>"),
        "the oldest are on the next page"
    );
    let older = log
        .split("rel=\"next\"")
        .next()
        .and_then(|s| s.rsplit("href=\"").next())
        .and_then(|s| s.split('"').next())
        .expect("a link to older deliveries")
        .replace("&#x3d;", "=")
        .replace("&#x3f;", "?")
        .replace("&#x23;", "#");
    let log = admin
        .get(app.url(&older))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        log.matches("class=\"delivery delivery-").count(),
        8,
        "{older}"
    );
    assert!(log.contains("<td><code>ticket.created</code></td>"));

    // Someone who is not an administrator does not see the page.
    crate::admin::agent(&app, "nadine", "Nadine", false).await;
    let nadine = sign_in(&app, "nadine", PASSWORD).await;
    let res = nadine.get(&edit_url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn mail_in_reports_new_tickets_and_messages() {
    let app = TestApp::start().await;
    let rx = Receiver::start(204).await;
    hook(&app, &rx.url(), &["ticket.created", "message"], true).await;
    let opened = ingest(
        &app,
        &eml(
            "From: Max <max@example.org>\nTo: helpdesk@tessera.test\nSubject: Plakat\n\
             Message-ID: <m1@example.org>\n\nBitte ein Plakat.\n",
        ),
    )
    .await;
    let number = match opened {
        tessera_core::IngestOutcome::Opened { number, .. } => number,
        other => panic!("{other:?}"),
    };
    let got = rx.wait_for(1).await;
    assert_eq!(got[0].header("x-tessera-event"), "ticket.created");
    assert_eq!(got[0].json()["ticket"]["number"], number.as_str());
    assert_eq!(got[0].json()["entry"]["body"], "Bitte ein Plakat.");
    ingest(
        &app,
        &eml(&format!(
            "From: Max <max@example.org>\nTo: helpdesk@tessera.test\n\
             Subject: Re: [#{number}] Plakat\nMessage-ID: <m2@example.org>\n\nNoch eine Frage.\n"
        )),
    )
    .await;
    let got = rx.wait_for(2).await;
    assert_eq!(got[1].header("x-tessera-event"), "message");
    assert_eq!(got[1].json()["entry"]["body"], "Noch eine Frage.");
    eventually("204 counts as delivered", async || {
        (app.count("webhook_delivery WHERE status = 'delivered'")
            .await
            == 2)
            .then_some(())
    })
    .await;
    app.stop().await;
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_backoff_then_given_up() {
    let app = TestApp::start().await;
    let rx = Receiver::start(500).await;
    let id = hook(&app, &rx.url(), &["ticket.created"], true).await;
    let requester = app.client();
    open_in_portal(&app, &requester).await;

    // The running worker tries at once and is answered 500: a retry is scheduled 30 s on.
    rx.wait_for(1).await;
    eventually("the failed attempt to be recorded", async || {
        (app.count("webhook_attempt").await == 1
            && app.count("webhook_delivery WHERE last_status = 500").await == 1)
            .then_some(())
    })
    .await;
    let first = scalar(&app, "SELECT attempted_at FROM webhook_attempt")
        .await
        .unwrap();
    let next = scalar(&app, "SELECT next_attempt_at FROM webhook_delivery")
        .await
        .unwrap();
    assert_eq!(next - first, 30_000_000, "the first retry waits 30 s");
    assert_eq!(
        app.count("webhook_delivery WHERE status = 'pending'").await,
        1
    );

    // Nothing is due before then.
    let worker = WebhookWorker::new(app.app.clone());
    assert_eq!(worker.run_once_at(Timestamp(next - 1)).await.unwrap(), 0);
    // Stepping the clock through the schedule: every attempt fails, each waits longer.
    let mut gaps = Vec::new();
    for attempt in 2..=8 {
        let due = scalar(&app, "SELECT next_attempt_at FROM webhook_delivery")
            .await
            .unwrap();
        assert_eq!(
            worker.run_once_at(Timestamp(due)).await.unwrap(),
            1,
            "attempt {attempt}"
        );
        assert_eq!(rx.got().len(), attempt);
        let after = scalar(&app, "SELECT next_attempt_at FROM webhook_delivery")
            .await
            .unwrap();
        gaps.push((after - due) / 1_000_000);
    }
    // The eighth attempt was the last: no further gap, the delivery failed.
    assert_eq!(gaps[..6], [120, 480, 1920, 7680, 28800, 28800]);
    assert_eq!(
        app.count("webhook_delivery WHERE status = 'failed'").await,
        1
    );
    assert_eq!(app.count("webhook_attempt").await, 8);
    assert_eq!(
        text(&app, "SELECT last_error FROM webhook_delivery")
            .await
            .as_deref(),
        Some("HTTP 500")
    );
    let far = Timestamp::now().plus_secs(10 * 24 * 3600);
    assert_eq!(
        worker.run_once_at(far).await.unwrap(),
        0,
        "failed stays failed"
    );

    // An administrator sees it failed and retries it; the receiver has recovered.
    rx.answer(200);
    chefin(&app).await;
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    let path = format!("/agent/admin/webhooks/{id}");
    let page = admin
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("fehlgeschlagen") && page.contains("HTTP 500"));
    assert!(page.contains("value=\"retry\""));
    let delivery = scalar(&app, "SELECT webhook_delivery_id FROM webhook_delivery")
        .await
        .unwrap()
        .to_string();
    let res = post_form(
        &admin,
        &app,
        &path,
        &[("action", "retry"), ("delivery", &delivery)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    rx.wait_for(9).await;
    eventually("the retried delivery to succeed", async || {
        (app.count("webhook_delivery WHERE status = 'delivered'")
            .await
            == 1)
            .then_some(())
    })
    .await;
    assert_eq!(
        app.count("audit_log WHERE action = 'webhook-retry'").await,
        1
    );
    // Retrying what is not failed changes nothing.
    let res = post_form(
        &admin,
        &app,
        &path,
        &[("action", "retry"), ("delivery", &delivery)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.count("webhook_delivery WHERE status = 'delivered'")
            .await,
        1
    );

    // Finished deliveries are kept 30 days, then forgotten with their attempts.
    assert_eq!(worker.prune(Timestamp::now()).await.unwrap(), 0);
    let later = Timestamp::now().plus_secs(31 * 24 * 3600);
    assert_eq!(worker.prune(later).await.unwrap(), 1);
    assert_eq!(app.count("webhook_delivery").await, 0);
    assert_eq!(app.count("webhook_attempt").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn private_targets_are_refused_in_the_form_and_at_delivery() {
    let app = TestApp::start().await;
    let rx = Receiver::start(200).await;
    chefin(&app).await;
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    for url in [
        format!("http://127.0.0.1:{}/hook", rx.port),
        format!("http://[::ffff:127.0.0.1]:{}/hook", rx.port),
        "http://169.254.169.254/latest/meta-data".to_owned(),
        "http://10.0.0.1/".to_owned(),
    ] {
        let res = post_form(
            &admin,
            &app,
            "/agent/admin/webhooks",
            &[
                ("url", &url),
                ("events", "ticket.created"),
                ("is_active", "1"),
                ("action", "save"),
            ],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert!(
            res.text().await.unwrap().contains("id=\"url-error\""),
            "{url}"
        );
    }
    // Nothing ticked and no URL: errors at both fields.
    let res = post_form(
        &admin,
        &app,
        "/agent/admin/webhooks",
        &[("url", "ftp://x"), ("action", "save")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("id=\"url-error\"") && page.contains("id=\"events-error\""));
    assert_eq!(app.count("webhook").await, 0);

    // A name is only resolved at delivery: `localhost` is loopback and refused then.
    let by_name = format!("http://localhost:{}/hook", rx.port);
    hook(&app, &by_name, &["ticket.created"], false).await;
    let requester = app.client();
    open_in_portal(&app, &requester).await;
    eventually("the refused attempt to be logged", async || {
        (app.count("webhook_attempt").await == 1).then_some(())
    })
    .await;
    let error = text(&app, "SELECT error FROM webhook_attempt")
        .await
        .unwrap();
    // Stored as a reason to translate, with the name, the address and its kind.
    assert!(
        error.starts_with("@webhook-fail-resolved")
            && error.contains("host=localhost")
            && error.contains("kind=loopback"),
        "{error}"
    );
    assert!(rx.got().is_empty(), "nothing reached the receiver");
    // The (German) administrator reads it in German.
    let id = scalar(&app, "SELECT webhook_id FROM webhook")
        .await
        .unwrap();
    let page = admin
        .get(app.url(&format!("/agent/admin/webhooks/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Abgelehnt: localhost löst zu ")
            && page.contains("eine Loopback-Adresse (dieser Rechner)"),
        "{page}"
    );
    assert_eq!(
        app.count("webhook_delivery WHERE status = 'pending'").await,
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn a_change_that_fails_leaves_no_delivery() {
    let app = TestApp::start().await;
    let rx = Receiver::start(200).await;
    hook(&app, &rx.url(), &["ticket.created"], true).await;
    let second = hook(&app, &rx.url(), &["ticket.created"], true).await;
    // The second webhook's row cannot be written: the change fails after the first one's
    // delivery was queued, and must take it along.
    match app.app.db().backend() {
        tessera_store::Backend::Sqlite => {
            app.exec(&format!(
                "CREATE TRIGGER refuse BEFORE INSERT ON webhook_delivery
                 WHEN NEW.webhook_id = {second} BEGIN SELECT RAISE(ABORT, 'refused'); END"
            ))
            .await
        }
        tessera_store::Backend::Postgres => {
            app.exec(&format!(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN IF NEW.webhook_id = {second} THEN RAISE EXCEPTION 'refused'; END IF;
                 RETURN NEW; END $$"
            ))
            .await;
            app.exec(
                "CREATE TRIGGER refuse BEFORE INSERT ON webhook_delivery
                 FOR EACH ROW EXECUTE FUNCTION refuse()",
            )
            .await
        }
    }
    let tickets = app.count("ticket").await;
    let c = app.client();
    let (res, _) = open(&app, &c, MAX, &[]).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(app.count("ticket").await, tickets, "no ticket");
    assert_eq!(app.count("webhook_delivery").await, 0, "no delivery");
    assert_eq!(app.count("outbox_mail").await, 0, "no mail");

    // Without the obstacle both are queued with the ticket.
    app.exec(match app.app.db().backend() {
        tessera_store::Backend::Sqlite => "DROP TRIGGER refuse",
        tessera_store::Backend::Postgres => "DROP TRIGGER refuse ON webhook_delivery",
    })
    .await;
    let (res, _) = open(&app, &c, MAX, &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    rx.wait_for(2).await;
    assert_eq!(app.count("webhook_delivery").await, 2);
    app.stop().await;
}

/// What webhooks cost: tickets opened per second (8 at a time, through the use case) with no
/// webhook and with one subscribed to everything, and how fast the worker delivers. The
/// suite opens 40; for figures run
/// `TESSERA_BENCH_TICKETS=2000 cargo test --release -p tessera --test it webhook_rate -- --nocapture`.
#[tokio::test]
async fn webhook_rate() {
    let n: usize = std::env::var("TESSERA_BENCH_TICKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let app = TestApp::start().await;
    let topic = {
        let mut c = app.app.db().conn().await.unwrap();
        c.h().public_help_topics().await.unwrap()[0].id.0
    };
    let open_many = async |n: usize| {
        let start = std::time::Instant::now();
        let mut set = tokio::task::JoinSet::new();
        for w in 0..8 {
            let core = app.app.clone();
            set.spawn(async move {
                for i in (w..n).step_by(8) {
                    core.open_ticket(tessera_core::NewTicketInput {
                        email: format!("person{}@example.org", i % 100),
                        name: format!("Person {i}"),
                        help_topic_id: topic.to_string(),
                        subject: format!("Anliegen {i}"),
                        body: "Bitte um Hilfe.".into(),
                        uploads: vec![],
                        lang: tessera_domain::Lang::De,
                    })
                    .await
                    .unwrap();
                }
            });
        }
        while let Some(r) = set.join_next().await {
            r.unwrap();
        }
        start.elapsed()
    };
    let without = open_many(n).await;
    assert_eq!(app.count("webhook_delivery").await, 0);
    // What every change pays when nobody subscribed: one query on the empty table.
    let per_query = {
        let mut c = app.app.db().conn().await.unwrap();
        let start = std::time::Instant::now();
        for _ in 0..5000 {
            assert!(c.h().subscribed_webhooks(1).await.unwrap().is_empty());
        }
        start.elapsed() / 5000
    };

    let rx = Receiver::start(200).await;
    hook(&app, &rx.url(), &ALL, true).await;
    let start = std::time::Instant::now();
    let with = open_many(n).await;
    let opened = std::time::Instant::now();
    eventually("every ticket's delivery", async || {
        (app.count("webhook_delivery WHERE status = 'delivered'")
            .await
            == n as i64)
            .then_some(())
    })
    .await;
    let delivered = start.elapsed();
    let drained = opened.elapsed();
    assert_eq!(rx.got().len(), n);
    let rate = |d: std::time::Duration| n as f64 / d.as_secs_f64();
    println!(
        "webhook_rate: {n} tickets; opened {:.0}/s without webhooks, {:.0}/s with one \
         (delivering meanwhile); all {n} delivered {:.0}/s from the first opening, the last \
         {} ms after the last opening; the check with no webhook {} µs",
        rate(without),
        rate(with),
        rate(delivered),
        drained.as_millis(),
        per_query.as_micros()
    );
    app.stop().await;
}

/// The webhook page in a real browser: every control labelled, usable at phone width
/// (the log scrolls inside its frame, the page does not), the secret folded away.
#[tokio::test]
async fn the_webhook_page_works_in_a_browser_and_on_a_phone() {
    use crate::browser::{Browser, UNLABELLED};
    let app = TestApp::start().await;
    chefin(&app).await;
    let id = hook(&app, "http://localhost:9/hook", &ALL, false).await;
    let requester = app.client();
    open_in_portal(&app, &requester).await;
    eventually("the refused attempt", async || {
        (app.count("webhook_attempt").await == 1).then_some(())
    })
    .await;

    let b = Browser::start().await;
    b.goto(&app.url("/agent/login")).await;
    b.js(&format!(
        "document.querySelector('#username').value = 'chefin'; \
         document.querySelector('#password').value = '{PASSWORD}'; \
         document.querySelector('#password').form.submit(); return null"
    ))
    .await;
    eventually("the sign-in", async || {
        b.source().await.contains("/agent/logout").then_some(())
    })
    .await;
    b.goto(&app.url(&format!("/agent/admin/webhooks/{id}")))
        .await;
    let page = b.source().await;
    assert!(
        page.contains("Loopback-Adresse"),
        "the refusal is in the log"
    );
    assert_eq!(b.js(UNLABELLED).await, serde_json::json!([]));
    let secret_shown = b
        .js("return document.querySelector('code.secret').checkVisibility()")
        .await;
    assert_eq!(secret_shown, serde_json::json!(false), "folded until asked");
    b.screenshot("webhook").await;
    b.resize(390, 844).await;
    b.screenshot("webhook-phone").await;
    b.js("document.querySelector('form.card').scrollIntoView(); return null")
        .await;
    b.screenshot("webhook-form-phone").await;
    b.js("document.getElementById('log').scrollIntoView(); return null")
        .await;
    b.screenshot("webhook-log-phone").await;
    let overflow = b
        .js("return document.documentElement.scrollWidth > window.innerWidth")
        .await;
    assert_eq!(
        overflow,
        serde_json::json!(false),
        "no horizontal scrolling on a phone"
    );
    b.quit().await;
    app.stop().await;
}
