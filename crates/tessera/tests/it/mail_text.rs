//! Plain text shown as plain text (issue 22): what came by mail reads exactly as written —
//! escaped, line breaks kept, web and mail addresses clickable, nothing taken for Markdown —
//! on the agent's page, the requester's page and in the API, while an agent's reply typed
//! into Tessera still renders as Markdown; and a huge mail shows its beginning with a link
//! to the whole text, which only those who may see the ticket get.

use reqwest::{StatusCode, header};
use serde_json::Value;
use tessera_core::{Actor, ApiKeyForm, IngestOutcome};

use crate::{
    admin::{PASSWORD, agent, chefin, sign_in},
    browser::Browser,
    support::{SmtpServer, TestApp, csrf, eml, ingest, ticket_form},
};

/// A requester's mail full of what Markdown or HTML would take for markup.
const WRITTEN: &str = "Hallo,

bitte __init__.py und my_module_name.py pruefen.
# not a heading
*stars* und _unterstrichen_ und <b>tags</b> & so
    eingerueckt: 1. keine Liste
Das Protokoll: https://example.org/logs/run_1.txt.
Fragen an max.mustermann@example.org, danke.";

fn opened(o: &IngestOutcome) -> String {
    match o {
        IngestOutcome::Opened { number, .. } => number.clone(),
        other => panic!("expected a new ticket, got {other:?}"),
    }
}

fn link(url: &str) -> String {
    format!("<a href=\"{url}\" rel=\"noopener noreferrer nofollow\">{url}</a>")
}

/// The rendered body of the first entry whose text contains `marker`, from its start to
/// the end of its body.
fn entry_with<'a>(page: &'a str, marker: &str) -> &'a str {
    let at = page
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {page}"));
    let start = page[..at]
        .rfind("<div class=\"entry-body")
        .expect("entry body");
    // Up to the end of the body (neither plain text nor rendered Markdown holds a `div`).
    let end = at + page[at..].find("</div>").expect("the end of the body");
    &page[start..end]
}

/// What the written mail must look like wherever it is shown.
fn assert_shown_as_written(body: &str) {
    for literal in [
        "__init__.py",
        "my_module_name.py",
        "\n# not a heading\n",
        "*stars* und _unterstrichen_ und &lt;b&gt;tags&lt;/b&gt; &amp; so",
        "\n    eingerueckt: 1. keine Liste\n",
    ] {
        if !body.contains(literal) {
            panic!("{literal:?} not shown as written (see /tmp/mail_text_body.html)");
        }
    }
    assert!(
        body.contains(&format!(
            "Das Protokoll: {}.",
            link("https://example.org/logs/run_1.txt")
        )),
        "{body}"
    );
    assert!(
        body.contains(
            "<a href=\"mailto:max.mustermann@example.org\" rel=\"noopener noreferrer nofollow\">max.mustermann@example.org</a>, danke."
        ),
        "{body}"
    );
    for markup in [
        "<h1", "<strong", "<em", "<b>", "<ol", "<ul", "<pre", "<code",
    ] {
        assert!(!body.contains(markup), "{markup} in {body}");
    }
}

async fn get(c: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let res = c.get(app.url(path)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

/// Replies on the agent's ticket page, as an agent types it.
async fn reply(app: &TestApp, c: &reqwest::Client, number: &str, body: &str) {
    let url = app.url(&format!("/agent/tickets/{number}"));
    let page = c.get(&url).send().await.unwrap().text().await.unwrap();
    let seen = page
        .split("name=\"seen\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the reply form's seen mark")
        .to_owned();
    let token = csrf(c, &url).await;
    let res = c
        .post(format!("{url}/reply"))
        .multipart(ticket_form(
            &token,
            &[("body", body), ("seen", seen.as_str())],
            &[],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

/// A read key of the administrator, for the REST API.
async fn read_key(app: &TestApp) -> String {
    key(app, "read").await
}

/// A key of the administrator with `scope`.
async fn key(app: &TestApp, scope: &str) -> String {
    app.app
        .create_api_key(
            Actor::Cli,
            &ApiKeyForm {
                name: format!("Programm ({scope})"),
                scope: scope.into(),
                agent: "chefin".into(),
                allowed_ips: String::new(),
                rate_per_minute: "1000".into(),
            },
        )
        .await
        .unwrap()
        .1
}

/// The requester's browser, signed in through the access link of their confirmation.
async fn requester(app: &TestApp, smtp: &SmtpServer, email: &str) -> reqwest::Client {
    let link = app
        .delivered(smtp)
        .await
        .into_iter()
        .find(|m| m.to.iter().any(|t| t == email))
        .expect("a confirmation to the requester")
        .access_link();
    let c = app.client();
    assert_eq!(c.get(&link).send().await.unwrap().status(), StatusCode::OK);
    c
}

#[tokio::test]
async fn a_mail_reads_as_written_and_an_agents_typed_reply_as_markdown() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = TestApp::start_with(Box::new(move |c| c.smtp_url = Some(url))).await;
    chefin(&app).await;
    let number = opened(
        &ingest(
            &app,
            &eml(&format!(
                "From: Max Mustermann <max@example.org>
To: helpdesk@tessera.test
Subject: Skript bricht ab
Message-ID: <plain-1@example.org>
Content-Type: text/plain; charset=utf-8

{WRITTEN}
"
            )),
        )
        .await,
    );

    // The agent's page shows the mail exactly as written, links clickable.
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    reply(
        &app,
        &admin,
        &number,
        "Danke! **Fett** und _kursiv_ bleibt Markdown.\n\n- eins\n- zwei",
    )
    .await;
    let (status, page) = get(&admin, &app, &format!("/agent/tickets/{number}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_shown_as_written(entry_with(&page, "__init__.py"));
    // The agent's own reply, typed into Tessera's form, is Markdown.
    let typed = entry_with(&page, "bleibt Markdown");
    assert!(typed.contains("<strong>Fett</strong>"), "{typed}");
    assert!(typed.contains("<em>kursiv</em>"), "{typed}");
    assert!(typed.contains("<li>eins</li>"), "{typed}");
    // Nothing is cut: no full-text link for a short mail.
    assert!(!page.contains("/text\""), "{page}");

    // The requester's page shows it the same way.
    let max = requester(&app, &smtp, "max@example.org").await;
    let (status, portal) = get(&max, &app, &format!("/tickets/{number}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_shown_as_written(entry_with(&portal, "__init__.py"));
    assert!(entry_with(&portal, "bleibt Markdown").contains("<strong>Fett</strong>"));

    // In a real browser the text reads as written: its line breaks and indentation kept
    // (`white-space: pre-wrap`), its two addresses the only links.
    let link = app
        .delivered(&smtp)
        .await
        .into_iter()
        .find(|m| m.to.iter().any(|t| t == "max@example.org"))
        .expect("a confirmation to Max")
        .access_link();
    let b = Browser::start().await;
    b.goto(&link).await;
    let seen = b
        .js("const t = document.querySelector('.plain-text'); \
             return [t.innerText, [...t.querySelectorAll('a')].map(a => a.href), \
                     t.querySelectorAll('*').length]")
        .await;
    b.js("document.querySelector('.plain-text').scrollIntoView()")
        .await;
    b.screenshot("plain-text-mail").await;
    assert_eq!(seen[0].as_str().map(str::trim_end), Some(WRITTEN), "{seen}");
    assert_eq!(
        seen[1],
        serde_json::json!([
            "https://example.org/logs/run_1.txt",
            "mailto:max.mustermann@example.org"
        ])
    );
    assert_eq!(seen[2], 2, "nothing but the two links is markup: {seen}");
    b.quit().await;

    // Programs learn how each body is written.
    let reader = read_key(&app).await;
    let detail: Value = app
        .client()
        .get(app.url(&format!("/api/v1/tickets/{number}")))
        .header("X-API-Key", &reader)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let formats: Vec<(&str, &str)> = detail["thread"]
        .as_array()
        .expect("a thread")
        .iter()
        .filter(|e| e["kind"] != "event")
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or_default(),
                e["body_format"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(formats, [("message", "text"), ("reply", "markdown")]);

    // A program's message (the REST API's plain `message`) is plain text too.
    let writer = key(&app, "write").await;
    let res = app
        .client()
        .post(app.url("/api/v1/tickets"))
        .header("X-API-Key", &writer)
        .json(&serde_json::json!({
            "name": "Monitoring", "email": "monitor@example.org",
            "subject": "Job fehlgeschlagen", "message": WRITTEN,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    let api_number = created["number"].as_str().unwrap();
    let (_, page) = get(&admin, &app, &format!("/agent/tickets/{api_number}")).await;
    assert_shown_as_written(entry_with(&page, "__init__.py"));
    app.stop().await;
}

#[tokio::test]
async fn the_migration_marks_mail_as_plain_text_and_leaves_typed_text_markdown() {
    // Entries written before the text format existed were all Markdown; the migration
    // (0033) is replayed here on rows set back to that state.
    let app = TestApp::start().await;
    chefin(&app).await;
    let number = opened(
        &ingest(
            &app,
            &eml("From: max@example.org
To: helpdesk@tessera.test
Subject: Alt
Message-ID: <old-1@example.org>

__init__.py"),
        )
        .await,
    );
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    reply(&app, &admin, &number, "**getippt**").await;
    // A program's ticket (the REST API's plain `message`).
    let res = app
        .client()
        .post(app.url("/api/v1/tickets"))
        .header("X-API-Key", key(&app, "write").await)
        .json(&serde_json::json!({
            "name": "Monitoring", "email": "monitor@example.org",
            "subject": "Job", "message": "# exit 1",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let sql = match app.app.db().backend() {
        tessera_store::Backend::Sqlite => {
            include_str!("../../../tessera-store/migrations/sqlite/0033_plain_text.sql")
        }
        tessera_store::Backend::Postgres => {
            include_str!("../../../tessera-store/migrations/postgres/0033_plain_text.sql")
        }
    };
    app.exec("UPDATE thread_entry SET body_format = 'markdown'")
        .await;
    app.exec(sql).await;
    let count = async |filter: &str| {
        app.scalar(&format!("SELECT COUNT(*) FROM thread_entry WHERE {filter}"))
            .await
    };
    assert_eq!(
        count("body_format = 'text' AND kind = 'message'").await,
        2,
        "the mail's and the program's messages are plain text"
    );
    assert_eq!(count("body_format = 'text' AND kind <> 'message'").await, 0);
    assert_eq!(
        count("body_format = 'markdown' AND kind = 'reply'").await,
        1,
        "the typed reply stays Markdown"
    );
    app.stop().await;
}

/// A mail of a few megabytes on one line: well over what a page shows.
fn huge_mail(from: &str, message_id: &str, marker: &str) -> (Vec<u8>, String) {
    let mut body = format!("ANFANG {marker} ");
    while body.len() < 3_000_000 {
        body.push_str("Zeile ohne Umbruch mit https://example.org/x und __init__.py ");
    }
    body.push_str(&format!("ENDE-{marker}"));
    let raw = eml(&format!(
        "From: {from}
To: helpdesk@tessera.test
Subject: Riesiges Protokoll
Message-ID: <{message_id}>
Content-Type: text/plain; charset=utf-8

{body}
"
    ));
    (raw, body)
}

/// The whole text came back as written (told where it differs, not printed whole).
fn same_text(got: &str, written: &str) {
    let got = got.trim_end();
    let at = got
        .bytes()
        .zip(written.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(written.len()));
    assert!(
        got == written,
        "{} bytes instead of {}, first difference at {at}: {:?} / {:?}",
        got.len(),
        written.len(),
        &got[at.saturating_sub(20).min(got.len())..(at + 40).min(got.len())],
        &written[at.saturating_sub(20)..(at + 40).min(written.len())],
    );
}

/// The URL of the "full text" link on a page, if there is one.
fn full_text_link(page: &str) -> Option<String> {
    let at = page.find("class=\"entry-full-text\"")?;
    let href = page[at..].find("href=\"")? + at + 6;
    let end = page[href..].find('"')? + href;
    Some(page[href..end].to_owned())
}

#[tokio::test]
async fn a_huge_mail_shows_its_beginning_and_its_whole_text_only_to_those_who_may_see_it() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = TestApp::start_with(Box::new(move |c| c.smtp_url = Some(url))).await;
    chefin(&app).await;
    // Ingo works in IT only; the mail goes to the first department.
    let it = app
        .app
        .create_department(Actor::Cli, "IT", "it@tessera.test")
        .await
        .unwrap();
    let ingo = agent(&app, "ingo", "Ingo IT", false).await;
    app.app
        .set_department_role(Actor::Cli, ingo, it, tessera_domain::Role::Agent)
        .await
        .unwrap();

    let (raw, body) = huge_mail("Max <max@example.org>", "huge-1@example.org", "MAX");
    let number = opened(&ingest(&app, &raw).await);
    let (raw, _) = huge_mail("Eva <eva@example.net>", "huge-2@example.net", "EVA");
    let other = opened(&ingest(&app, &raw).await);

    // The agent's page stays small and links the whole text.
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    let (status, page) = get(&admin, &app, &format!("/agent/tickets/{number}")).await;
    assert_eq!(status, StatusCode::OK);
    eprintln!(
        "agent page for a mail of {} bytes: {} bytes",
        body.len(),
        page.len()
    );
    assert!(page.len() < 400_000, "the page has {} bytes", page.len());
    assert!(page.contains("ANFANG MAX"));
    assert!(!page.contains("ENDE-MAX"));
    assert!(
        page.contains("Nur sein Anfang wird angezeigt."),
        "{}",
        &page[..2000]
    );
    let full = full_text_link(&page).expect("a link to the full text");
    assert!(
        full.starts_with(&format!("/agent/tickets/{number}/entries/")) && full.ends_with("/text"),
        "{full}"
    );

    let res = admin.get(app.url(&full)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers().clone();
    assert_eq!(h[header::CONTENT_TYPE], "text/plain; charset=utf-8");
    assert!(
        h[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"ticket-"),
        "{h:?}"
    );
    assert_eq!(
        h[header::CONTENT_SECURITY_POLICY],
        "default-src 'none'; sandbox"
    );
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(h[header::CACHE_CONTROL], "private, no-store");
    let text = res.text().await.unwrap();
    same_text(&text, &body);

    // An agent of another department, and anyone signed out, get nothing.
    let ingo = sign_in(&app, "ingo", PASSWORD).await;
    assert_eq!(get(&ingo, &app, &full).await.0, StatusCode::NOT_FOUND);
    let res = app
        .client_no_redirect()
        .get(app.url(&full))
        .send()
        .await
        .unwrap();
    assert!(!res.status().is_success(), "{}", res.status());
    assert!(!res.text().await.unwrap().contains("ANFANG MAX"));
    // The entry is fetched only under its own ticket's number.
    let entry = full.trim_end_matches("/text").rsplit('/').next().unwrap();
    let wrong = format!("/agent/tickets/{other}/entries/{entry}/text");
    assert_eq!(get(&admin, &app, &wrong).await.0, StatusCode::NOT_FOUND);

    // The requester's page is small too, and their link serves the same text to them only.
    let max = requester(&app, &smtp, "max@example.org").await;
    let (status, portal) = get(&max, &app, &format!("/tickets/{number}")).await;
    assert_eq!(status, StatusCode::OK);
    eprintln!("requester's page for the same mail: {} bytes", portal.len());
    assert!(
        portal.len() < 400_000,
        "the page has {} bytes",
        portal.len()
    );
    assert!(!portal.contains("ENDE-MAX"));
    let mine = full_text_link(&portal).expect("the requester's link to the full text");
    assert_eq!(mine, format!("/tickets/{number}/entries/{entry}/text"));
    let (status, text) = get(&max, &app, &mine).await;
    assert_eq!(status, StatusCode::OK);
    same_text(&text, &body);
    let eva = requester(&app, &smtp, "eva@example.net").await;
    assert_eq!(get(&eva, &app, &mine).await.0, StatusCode::NOT_FOUND);
    let (_, theirs) = get(&eva, &app, &format!("/tickets/{other}")).await;
    let theirs = full_text_link(&theirs).expect("Eva's link");
    let eva_entry = theirs.trim_end_matches("/text").rsplit('/').next().unwrap();
    let crossed = format!("/tickets/{other}/entries/{entry}/text");
    assert_eq!(get(&eva, &app, &crossed).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        get(
            &max,
            &app,
            &format!("/tickets/{number}/entries/{eva_entry}/text")
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );

    // Internal notes are the agents' only, whoever asks for them by number.
    let url = app.url(&format!("/agent/tickets/{number}"));
    let token = csrf(&admin, &url).await;
    let res = admin
        .post(format!("{url}/note"))
        .multipart(ticket_form(
            &token,
            &[("note", "intern: ANFANG NOTIZ")],
            &[],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let note: i64 = app
        .scalar("SELECT MAX(thread_entry_id) FROM thread_entry WHERE kind = 'note'")
        .await;
    let note_path = format!("/tickets/{number}/entries/{note}/text");
    assert_eq!(get(&max, &app, &note_path).await.0, StatusCode::NOT_FOUND);
    let (status, text) = get(
        &admin,
        &app,
        &format!("/agent/tickets/{number}/entries/{note}/text"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text, "intern: ANFANG NOTIZ");

    // Programs get the whole text.
    let reader = read_key(&app).await;
    let detail: Value = app
        .client()
        .get(app.url(&format!("/api/v1/tickets/{number}")))
        .header("X-API-Key", &reader)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let message = detail["thread"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "message")
        .unwrap();
    // A mail's text is kept in two parts (what the thread shows, at most 50000 characters,
    // and what it folds away); the API gives both whole.
    let shown = message["body"].as_str().unwrap_or_default();
    let folded = message["folded"].as_str().unwrap_or_default();
    assert_eq!(shown.chars().count(), tessera_core::MAX_BODY);
    same_text(
        &format!("{shown}{}", folded.trim_start_matches('\n')),
        &body,
    );
    assert_eq!(message["body_format"], "text");
    app.stop().await;
}
