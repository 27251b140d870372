//! Mail that arrives more than once: the same mail delivered again (other trace headers) is
//! one message, with or without a `Message-ID`; the same `Message-ID` with another text is
//! the sender's re-sent version, added to the ticket after an entry that says so.

use reqwest::header;
use tessera_core::IngestOutcome;
use tessera_domain::EntryKind;

use crate::{
    admin::{PASSWORD, chefin, sign_in},
    support::{TestApp, eml, ingest},
};

/// A message as delivered through `relay`, with or without a `Message-ID`.
fn delivered(relay: &str, message_id: Option<&str>, body: &str) -> Vec<u8> {
    let id = message_id
        .map(|m| format!("Message-ID: <{m}>\n"))
        .unwrap_or_default();
    eml(&format!(
        "Received: from {relay} by mx.tessera.test; Tue, 1 Dec 2026 10:00:0{} +0100\n\
         From: Max Müller <max@example.org>\nTo: helpdesk@tessera.test\n\
         Subject: Plakat für das Sommerfest\n{id}Date: Tue, 1 Dec 2026 10:00:00 +0100\n\
         Content-Type: text/plain; charset=utf-8\n\n{body}\n",
        relay.len() % 10
    ))
}

fn opened(o: &IngestOutcome) -> String {
    match o {
        IngestOutcome::Opened { number, .. } => number.clone(),
        other => panic!("expected a new ticket, got {other:?}"),
    }
}

/// The ticket's entries as (kind, body), oldest first, events and notes included.
async fn thread(app: &TestApp, number: &str) -> Vec<(String, String)> {
    let sql = "SELECT e.kind, e.body FROM thread_entry e JOIN ticket t ON t.ticket_id = e.ticket_id \
               WHERE t.number = $1 ORDER BY e.thread_entry_id";
    match app.app.db() {
        tessera_store::Db::Sqlite(d) => sqlx::query_as(sql)
            .bind(number)
            .fetch_all(&d.pool)
            .await
            .unwrap(),
        tessera_store::Db::Postgres(p) => {
            sqlx::query_as(sql).bind(number).fetch_all(p).await.unwrap()
        }
    }
}

#[tokio::test]
async fn the_same_mail_delivered_twice_is_one_message_with_or_without_a_message_id() {
    let app = TestApp::start().await;
    for id in [Some("plakat-1@example.org"), None] {
        let before = app.count("ticket").await;
        let first =
            opened(&ingest(&app, &delivered("a.example.org", id, "Bitte ein Plakat.")).await);
        // Another path, other trace headers, the same mail.
        match ingest(&app, &delivered("bb.example.org", id, "Bitte ein Plakat.")).await {
            IngestOutcome::Duplicate { .. } => {}
            other => panic!("{id:?}: expected a duplicate, got {other:?}"),
        }
        assert_eq!(app.count("ticket").await, before + 1, "{id:?}: one ticket");
        let messages = thread(&app, &first)
            .await
            .into_iter()
            .filter(|(k, _)| k == "message")
            .count();
        assert_eq!(messages, 1, "{id:?}: one entry");
    }
    // Without a Message-ID, another text is another message (`opened` checks).
    let before = app.count("ticket").await;
    opened(
        &ingest(
            &app,
            &delivered("a.example.org", None, "Und noch ein zweites Plakat."),
        )
        .await,
    );
    assert_eq!(app.count("ticket").await, before + 1);
    app.stop().await;
}

#[tokio::test]
async fn the_same_message_id_with_another_text_is_added_as_a_re_sent_version() {
    let app = TestApp::start().await;
    chefin(&app).await;
    let id = Some("plakat-2@example.org");
    let number = opened(&ingest(&app, &delivered("a.example.org", id, "Bitte ein Plakat.")).await);
    // The sender's client sent it again, corrected, under the same Message-ID.
    let corrected = delivered("a.example.org", id, "Bitte ZWEI Plakate, nicht eines.");
    match ingest(&app, &corrected).await {
        IngestOutcome::Added {
            number: n, kind, ..
        } => {
            assert_eq!(n, number);
            assert_eq!(kind, EntryKind::Message);
        }
        other => panic!("expected the re-sent version on the ticket, got {other:?}"),
    }
    let entries = thread(&app, &number).await;
    let messages: Vec<&str> = entries
        .iter()
        .filter(|(k, _)| k == "message")
        .map(|(_, b)| b.as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{entries:?}");
    assert!(messages[1].contains("ZWEI Plakate"), "{entries:?}");
    let marker = entries
        .iter()
        .position(|(k, b)| k == "event" && b.starts_with("event-mail-resent"))
        .expect("an entry marks the re-sent version");
    assert_eq!(entries[marker + 1].1, messages[1], "the marker comes first");
    assert_eq!(
        app.count("inbound_message WHERE status = 'ignored'").await,
        0,
        "not set aside among ignored mail"
    );
    // The same corrected mail once more is a duplicate, not a third version.
    match ingest(
        &app,
        &delivered("ccc.example.org", id, "Bitte ZWEI Plakate, nicht eines."),
    )
    .await
    {
        IngestOutcome::Duplicate { .. } => {}
        other => panic!("expected a duplicate, got {other:?}"),
    }
    assert_eq!(
        thread(&app, &number)
            .await
            .iter()
            .filter(|(k, _)| k == "message")
            .count(),
        2
    );
    // Agents see it for what it is, in their language.
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    let page = admin
        .get(app.url(&format!("/agent/tickets/{number}")))
        .header(header::ACCEPT_LANGUAGE, "de")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("noch einmal mit anderem Text empfangen"),
        "{page}"
    );
    app.stop().await;
}
