//! Demo data: realistic spread, searchable, usable by the demo agents.

use reqwest::StatusCode;
use tessera_core::{DEMO_COMMON_WORD, DEMO_PASSWORD, DEMO_RARE_WORD};

use crate::support::{TestApp, csrf};

#[tokio::test]
async fn demo_tickets_are_spread_like_real_ones_and_searchable() {
    let app = TestApp::start().await;
    let mut reported = Vec::new();
    app.app
        .demo(6_000, |done, total| reported.push((done, total)))
        .await
        .unwrap();
    assert_eq!(
        reported.last(),
        Some(&(6_000, 6_000)),
        "progress reaches the end"
    );
    assert!(reported.len() > 1, "progress is reported along the way");
    assert_eq!(app.count("ticket").await, 6_000);
    let entries = app.count("thread_entry").await;
    assert!(
        (6_000..=60_000).contains(&entries),
        "1–10 entries each: {entries}"
    );
    // Most old tickets are done; the open ones are recent.
    let open = app.count("ticket WHERE status = 'open'").await;
    assert!(open > 0 && open < 1_500, "open: {open}");
    assert!(app.count("ticket WHERE status = 'closed'").await > 3_000);
    assert!(
        app.count("ticket WHERE assignee_agent_id IS NOT NULL")
            .await
            > 3_000
    );
    assert!(app.count("ticket WHERE assignee_team_id IS NOT NULL").await > 100);
    assert!(app.count("attachment").await > 300);
    assert!(app.count("thread_entry WHERE kind = 'note'").await > 50);
    assert!(app.count("contact WHERE lang = 'en'").await > 100);
    // Tickets that fell due in the past were alerted then: no backlog of overdue alerts.
    let now = tessera_domain::Timestamp::now().0;
    assert!(
        app.count(&format!("ticket WHERE status = 'open' AND due_at < {now}"))
            .await
            > 10
    );
    assert_eq!(
        app.count(&format!(
            "ticket WHERE status = 'open' AND due_at < {now} AND overdue_alerted_at IS NULL"
        ))
        .await,
        0
    );
    let departments = app
        .scalar("SELECT COUNT(DISTINCT department_id) FROM ticket")
        .await;
    assert!(departments >= 4, "{departments} departments");
    // Every ticket is in the index; the planted words are common and rare.
    assert_eq!(app.count("ticket_search").await, 6_000);
    assert_eq!(app.count("ticket_search_head").await, 6_000);
    // A demo agent signs in and searches.
    let c = app.client();
    let token = csrf(&c, &app.url("/agent/login")).await;
    let res = c
        .post(app.url("/agent/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("username", "demo-admin"),
            ("password", DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let hits = |page: &str| page.matches("name=\"t\" value=\"").count();
    let common = c
        .get(app.url(&format!("/agent/queue/all?q={DEMO_COMMON_WORD}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(hits(&common), 50, "a full page for the common word");
    let rare = c
        .get(app.url(&format!("/agent/queue/all?q={DEMO_RARE_WORD}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        hits(&rare),
        1,
        "one ticket in 25,000 (the first) has the rare word"
    );
    // An attachment of the demo downloads.
    let id = app
        .scalar("SELECT MIN(attachment_id) FROM attachment")
        .await;
    let name: String = {
        let mut conn = app.app.db().conn().await.unwrap();
        conn.h()
            .attachment(tessera_domain::AttachmentId(id))
            .await
            .unwrap()
            .filename
    };
    let res = c
        .get(app.url(&format!("/agent/attachments/{id}/{name}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // New tickets after the demo get fresh ids (PostgreSQL's identity sequences moved on).
    let more = crate::portal::open(&app, &app.client(), crate::portal::MAX, &[]).await;
    assert_eq!(more.0.status(), StatusCode::OK);
    assert_eq!(app.count("ticket").await, 6_001);
    app.stop().await;
}
