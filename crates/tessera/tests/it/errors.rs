//! Failures answered by their kind: a database that cannot serve right now is a 503 with
//! `Retry-After` on pages and both APIs (never a 500); a conflict is a 409 in the API; a
//! stale form token is answered the same way on every form; stored failure reasons are read
//! in the reader's language.

use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use tessera_core::{Actor, ApiKeyForm};

use crate::{
    admin::{PASSWORD, chefin, sign_in},
    portal::MAX,
    support::{TestApp, csrf, first_topic, ticket_form},
};

/// The German text of a stale form token (`error-csrf`).
const CSRF_DE: &str = "Das Formular war zu lange geöffnet oder stammt nicht von dieser Seite.";
/// The German sentence of the new-ticket form that cannot be stored now
/// (`mailstore-form-unavailable`).
const UNAVAILABLE_DE: &str = "Der Server kann Ihre Anfrage gerade nicht speichern";

/// Starts Tessera; on PostgreSQL its connections wait at most 300 ms for a lock, so that a
/// table held by another transaction makes the database "busy" rather than slow.
async fn start() -> TestApp {
    TestApp::start_with(Box::new(|c| {
        if c.database_url.starts_with("postgres") {
            let sep = if c.database_url.contains('?') {
                '&'
            } else {
                '?'
            };
            c.database_url
                .push_str(&format!("{sep}options=-c%20lock_timeout%3D300"));
        }
    }))
    .await
}

/// An API key of `scope` for the administrator `chefin`.
async fn key(app: &TestApp, scope: &str) -> String {
    let form = ApiKeyForm {
        name: format!("Skript {scope}"),
        scope: scope.into(),
        agent: if scope == "create" { "" } else { "chefin" }.into(),
        allowed_ips: String::new(),
        rate_per_minute: "1000".into(),
    };
    app.app.create_api_key(Actor::Cli, &form).await.unwrap().1
}

/// A fault that makes the database unable to take new tickets for now, of a kind that
/// passes by itself: on SQLite the writer's database is full (`SQLITE_FULL`, as on a full
/// disk); on PostgreSQL the ticket table is locked by someone else past the lock timeout
/// (`55P03`, as on a busy server).
enum Fault {
    Sqlite,
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `sql` on the SQLite writer's own connection (pragmas are per connection).
async fn on_writer(app: &TestApp, sql: &str) -> i64 {
    let mut tx = app.app.db().begin().await.unwrap();
    let n = match tx.h() {
        tessera_store::Handle::Sqlite(c) => {
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned()))
                .fetch_optional(&mut *c)
                .await
                .unwrap()
                .unwrap_or(0)
        }
        tessera_store::Handle::Postgres(_) => unreachable!("SQLite only"),
    };
    tx.commit().await.unwrap();
    n
}

async fn break_database(app: &TestApp) -> Fault {
    match app.app.db() {
        tessera_store::Db::Sqlite(_) => {
            // Free pages would take a few writes first: use them up.
            let free = on_writer(app, "PRAGMA freelist_count").await;
            let size = on_writer(app, "PRAGMA page_size").await;
            on_writer(app, "CREATE TABLE fault_filler (b BLOB)").await;
            on_writer(
                app,
                &format!(
                    "INSERT INTO fault_filler VALUES (zeroblob({}))",
                    free * size
                ),
            )
            .await;
            let pages = on_writer(app, "PRAGMA page_count").await;
            on_writer(app, &format!("PRAGMA max_page_count = {pages}")).await;
            Fault::Sqlite
        }
        tessera_store::Db::Postgres(p) => {
            let mut tx = p.begin().await.unwrap();
            sqlx::query("LOCK TABLE ticket IN ACCESS EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await
                .unwrap();
            Fault::Postgres(tx)
        }
    }
}

async fn mend_database(app: &TestApp, fault: Fault) {
    match fault {
        Fault::Sqlite => {
            on_writer(app, "PRAGMA max_page_count = 1073741823").await;
        }
        Fault::Postgres(tx) => tx.rollback().await.unwrap(),
    }
}

/// A body that needs new pages of the database file.
fn long_body() -> String {
    (0..1_200)
        .map(|i| format!("Zeile {i}: Plakat, Flyer, Aushang. "))
        .collect()
}

fn retry_after(res: &reqwest::Response) -> Option<u64> {
    res.headers()
        .get(header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

#[tokio::test]
async fn an_unavailable_database_is_a_503_with_retry_after_on_pages_and_apis() {
    let app = start().await;
    chefin(&app).await;
    let rest = key(&app, "write").await;
    let os = key(&app, "create").await;
    let requester = app.client();
    let page = requester
        .get(app.url("/open"))
        .header(header::ACCEPT_LANGUAGE, "de")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let topic = first_topic(&page);
    let token = csrf(&requester, &app.url("/open")).await;
    let body = long_body();
    let form = || {
        let mut fields = MAX.to_vec();
        fields.retain(|(k, _)| *k != "body");
        fields.push(("body", body.as_str()));
        fields.push(("help_topic_id", topic.as_str()));
        ticket_form(&token, &fields, &[])
    };
    let api_ticket = json!({
        "name": "Max Müller",
        "email": "max@example.org",
        "subject": "Plakat",
        "message": body,
    });
    let before = app.count("ticket").await;

    let fault = break_database(&app).await;
    // The portal: the form again, with what was typed, saying in the requester's language
    // to try again shortly.
    let res = requester
        .post(app.url("/open"))
        .header(header::ACCEPT_LANGUAGE, "de")
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(retry_after(&res).is_some_and(|s| s > 0));
    let text = res.text().await.unwrap();
    assert!(text.contains(UNAVAILABLE_DE), "{text}");
    assert!(
        text.contains("Zeile 1199: Plakat"),
        "the typed text is kept"
    );
    // The REST API: a problem of its own code.
    let res = app
        .client()
        .post(app.url("/api/v1/tickets"))
        .header("X-API-Key", &rest)
        .header(header::ACCEPT_LANGUAGE, "en")
        .json(&api_ticket)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(retry_after(&res).is_some_and(|s| s > 0));
    assert_eq!(
        res.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "unavailable");
    assert_eq!(problem["status"], 503);
    // osTicket's API: its plain-text sentence, the same status and hint.
    let res = app
        .client()
        .post(app.url("/api/tickets.json"))
        .header("X-API-Key", &os)
        .header(header::ACCEPT_LANGUAGE, "en")
        .json(&api_ticket)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(retry_after(&res).is_some_and(|s| s > 0));
    assert!(res.text().await.unwrap().contains("try again in a moment"));
    mend_database(&app, fault).await;
    assert_eq!(app.count("ticket").await, before, "nothing was half stored");

    // Once the database can serve again, the same request works.
    let res = app
        .client()
        .post(app.url("/api/v1/tickets"))
        .header("X-API-Key", &rest)
        .json(&api_ticket)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    app.stop().await;
}

#[tokio::test]
async fn a_conflict_is_a_409_in_the_api() {
    let app = start().await;
    chefin(&app).await;
    let rest = key(&app, "write").await;
    let c = app.client();
    let res = c
        .post(app.url("/api/v1/tickets"))
        .header("X-API-Key", &rest)
        .json(&json!({
            "name": "Max Müller",
            "email": "max@example.org",
            "subject": "Plakat",
            "message": "Bitte ein Plakat.",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let number = res.json::<Value>().await.unwrap()["number"]
        .as_str()
        .unwrap()
        .to_owned();
    // A rule of this installation the code knows nothing of: one note per ticket. The
    // second note violates it, and no field of the request is to blame.
    app.exec(
        "CREATE UNIQUE INDEX one_note_per_ticket ON thread_entry (ticket_id) \
         WHERE kind = 'note'",
    )
    .await;
    let note = |text: &'static str| {
        c.post(app.url(&format!("/api/v1/tickets/{number}/notes")))
            .header("X-API-Key", &rest)
            .header(header::ACCEPT_LANGUAGE, "de")
            .json(&json!({ "body": text }))
            .send()
    };
    assert_eq!(
        note("Erste Notiz.").await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let res = note("Zweite Notiz.").await.unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "conflict");
    assert!(
        problem["title"]
            .as_str()
            .unwrap()
            .starts_with("Die Anfrage widerspricht dem aktuellen Stand")
    );
    app.stop().await;
}

/// Posts `fields` to `path` with a token that is not this browser's.
async fn post_stale(
    c: &reqwest::Client,
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut all = vec![("csrf", "0123456789abcdef0123456789abcdef")];
    all.extend_from_slice(fields);
    c.post(app.url(path)).form(&all).send().await.unwrap()
}

/// The answer to a stale token: the form again (422) with the message in German, what was
/// typed kept, and a token that works.
async fn assert_form_again(res: reqwest::Response, app: &TestApp, c: &reqwest::Client, kept: &str) {
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let url = res.url().to_string();
    let page = res.text().await.unwrap();
    assert!(page.contains(CSRF_DE), "{url}: {page}");
    assert!(page.contains(kept), "{url} keeps {kept:?}");
    // The form carries this browser's token (every page hands out the same one).
    let marker = "name=\"csrf\" value=\"";
    let at = page.find(marker).expect("the form again") + marker.len();
    assert_eq!(
        &page[at..at + 32],
        csrf(c, &app.url("/status")).await,
        "{url}"
    );
}

#[tokio::test]
async fn a_stale_form_token_is_answered_the_same_on_every_form() {
    let app = TestApp::start().await;
    chefin(&app).await;
    let admin = sign_in(&app, "chefin", PASSWORD).await;

    // A form that always showed itself again: checking a ticket's status in the portal.
    let requester = app.client();
    csrf(&requester, &app.url("/status")).await;
    let res = post_stale(
        &requester,
        &app,
        "/status",
        &[("number", "123456"), ("email", "max@example.org")],
    )
    .await;
    assert_form_again(res, &app, &requester, "max@example.org").await;

    // One that answered 403: a team in the administration.
    let res = post_stale(
        &admin,
        &app,
        "/agent/admin/teams",
        &[("name", "Grafikteam"), ("is_active", "1")],
    )
    .await;
    assert_form_again(res, &app, &admin, "Grafikteam").await;
    assert_eq!(app.count("team WHERE name = 'Grafikteam'").await, 0);

    // One that answered 500: confirming that an API key be revoked.
    key(&app, "read").await;
    let id = app.app.api_keys(Actor::Cli).await.unwrap()[0].id;
    let res = post_stale(
        &admin,
        &app,
        &format!("/agent/admin/api-keys/{id}/revoke"),
        &[],
    )
    .await;
    assert_form_again(res, &app, &admin, "Skript read").await;
    assert_eq!(
        app.count("api_key WHERE revoked_at IS NOT NULL").await,
        0,
        "not revoked"
    );

    // And the one button of signing out: shown again, still signed in.
    let res = post_stale(&admin, &app, "/agent/logout", &[]).await;
    assert_form_again(res, &app, &admin, "Abmelden").await;
    let queue = admin
        .get(app.url("/agent/queue/open"))
        .send()
        .await
        .unwrap();
    assert_eq!(queue.status(), StatusCode::OK);
    assert!(queue.url().path().starts_with("/agent/queue"));
    app.stop().await;
}
