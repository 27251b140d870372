//! Transactions that commit together (SQLite's group commit) keep their own outcome: each
//! committed one is there, each abandoned one leaves no trace, on both databases.

use crate::support::TestApp;

#[tokio::test]
async fn concurrent_transactions_commit_or_vanish_each_on_its_own() {
    let app = TestApp::start().await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let db = app.app.db().clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            let key = format!("writer-test-{i}");
            tx.h().put_settings(&[(key.as_str(), "x")]).await.unwrap();
            // Let the others queue up behind this one.
            tokio::task::yield_now().await;
            if i % 4 == 0 {
                drop(tx);
            } else {
                tx.commit().await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut conn = app.app.db().conn().await.unwrap();
    for i in 0..40 {
        let v = conn.h().setting(&format!("writer-test-{i}")).await.unwrap();
        if i % 4 == 0 {
            assert_eq!(v, None, "{i} was dropped without commit");
        } else {
            assert_eq!(v.as_deref(), Some("x"), "{i} committed");
        }
    }
    drop(conn);
    // The writer is free again: a fresh transaction goes through, and the data survives a
    // restart (the group's commit is on disk, not only in the writer's connection).
    let mut tx = app.app.db().begin().await.unwrap();
    tx.h()
        .put_settings(&[("writer-test-last", "y")])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut app = app;
    app.restart().await;
    let mut conn = app.app.db().conn().await.unwrap();
    assert_eq!(
        conn.h().setting("writer-test-1").await.unwrap().as_deref(),
        Some("x")
    );
    assert_eq!(
        conn.h()
            .setting("writer-test-last")
            .await
            .unwrap()
            .as_deref(),
        Some("y")
    );
    assert_eq!(conn.h().setting("writer-test-0").await.unwrap(), None);
    drop(conn);
    app.stop().await;
}

/// A new ticket whose savepoint opens and closes in its one execution
/// (`Db::write_new_ticket`): refused halfway, it leaves nothing behind, and the transactions
/// of its group keep their outcome.
#[tokio::test]
async fn a_new_ticket_refused_halfway_leaves_its_group_whole() {
    use tessera_domain::{DepartmentId, EntryKind, Lang, Priority, Timestamp};
    use tessera_store::{NewTicketEntry, NewTicketRow, NewTicketWrite};

    let app = TestApp::start().await;
    let department = DepartmentId(
        app.scalar("SELECT MIN(department_id) FROM department")
            .await,
    );
    let db = app.app.db().clone();
    let entries = [NewTicketEntry {
        kind: EntryKind::Message,
        by_requester: true,
        body: "Der Drucker streikt.",
        original_html: None,
    }];
    let write = |ticket_id, number, email| NewTicketWrite {
        email,
        email_key: email,
        name: "Max",
        lang: Lang::De,
        ticket: NewTicketRow {
            ticket_id,
            number,
            subject: "Drucker",
            priority: Priority::Normal,
            source: "api",
            help_topic_id: None,
            department_id: department,
            assignee_agent_id: None,
            assignee_team_id: None,
            due_at: None,
            client_ip: None,
            now: Timestamp::now(),
        },
        entries: &entries,
        files: &[],
        answers: &[],
        token: None,
        mails: &[],
        doc: "druck",
        head: "druck",
        deliveries: &[],
    };
    let first = db.reserve_ticket_id().await.unwrap();
    db.write_new_ticket(&write(first, "700001", "first@example.org"))
        .await
        .unwrap();
    let before = app.count("thread_entry").await;

    let mut tasks = Vec::new();
    for i in 0..12 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            let key = format!("group-{i}");
            tx.h().put_settings(&[(key.as_str(), "x")]).await.unwrap();
            tokio::task::yield_now().await;
            tx.commit().await.unwrap();
        }));
    }
    // The contact and the ticket row go in before the number turns out to be taken.
    let taken = db.reserve_ticket_id().await.unwrap();
    let refused = db
        .write_new_ticket(&write(taken, "700001", "second@example.org"))
        .await
        .unwrap_err();
    assert!(refused.is_ticket_key_conflict(), "{refused}");
    let next = db.reserve_ticket_id().await.unwrap();
    db.write_new_ticket(&write(next, "700002", "third@example.org"))
        .await
        .unwrap();
    for t in tasks {
        t.await.unwrap();
    }

    assert_eq!(app.count("ticket").await, 2);
    assert_eq!(app.count("thread_entry").await, before + 1);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM contact WHERE email_key = 'second@example.org'")
            .await,
        0,
        "the refused ticket's requester is not kept"
    );
    let mut conn = db.conn().await.unwrap();
    for i in 0..12 {
        let v = conn.h().setting(&format!("group-{i}")).await.unwrap();
        assert_eq!(v.as_deref(), Some("x"), "{i} committed");
    }
    drop(conn);
    app.stop().await;
}
