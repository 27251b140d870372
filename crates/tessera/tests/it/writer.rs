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

/// A new ticket's write (`Db::write_new_ticket`) for these tests: one message, the stem
/// "druck" in its index document and head.
fn new_ticket<'a>(
    entries: &'a [tessera_store::NewTicketEntry<'a>],
    department: tessera_domain::DepartmentId,
    ticket_id: tessera_domain::TicketId,
    number: &'a str,
    email: &'a str,
) -> tessera_store::NewTicketWrite<'a> {
    use tessera_domain::{Lang, Priority, Timestamp};
    use tessera_store::{NewTicketRow, NewTicketWrite};
    NewTicketWrite {
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
        entries,
        files: &[],
        answers: &[],
        token: None,
        mails: &[],
        doc: "druck",
        head: "druck",
        deliveries: &[],
    }
}

const MESSAGE: [tessera_store::NewTicketEntry<'static>; 1] = [tessera_store::NewTicketEntry {
    kind: tessera_domain::EntryKind::Message,
    by_requester: true,
    body: "Der Drucker streikt.",
    original_html: None,
}];

/// A new ticket whose savepoint opens and closes in its one execution
/// (`Db::write_new_ticket`): refused halfway, it leaves nothing behind, and the transactions
/// of its group keep their outcome.
#[tokio::test]
async fn a_new_ticket_refused_halfway_leaves_its_group_whole() {
    use tessera_domain::DepartmentId;

    let app = TestApp::start().await;
    let department = DepartmentId(
        app.scalar("SELECT MIN(department_id) FROM department")
            .await,
    );
    let db = app.app.db().clone();
    let write =
        |ticket_id, number, email| new_ticket(&MESSAGE, department, ticket_id, number, email);
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

/// The index rows of a group's new tickets are written together, outside any savepoint and
/// before any later transaction of the group: one that re-indexes such a ticket replaces its
/// row rather than being followed by it, and one abandoned does not take them along.
#[tokio::test]
async fn new_tickets_are_indexed_whole_beside_the_rest_of_their_group() {
    use tessera_domain::{AgentId, DepartmentId, IndexText, Queue, Sort};
    use tessera_store::QueueQuery;

    let doc = |text: &str| {
        let mut d = IndexText::default();
        d.add(text);
        d.finish()
    };

    let app = TestApp::start().await;
    let department = DepartmentId(
        app.scalar("SELECT MIN(department_id) FROM department")
            .await,
    );
    let db = app.app.db().clone();
    let (a, b) = (
        db.reserve_ticket_id().await.unwrap(),
        db.reserve_ticket_id().await.unwrap(),
    );
    // Held, so that everything below queues up and commits as one group on SQLite.
    let mut holder = db.begin().await.unwrap();
    holder
        .h()
        .put_settings(&[("group-holder", "x")])
        .await
        .unwrap();
    let mut opened = Vec::new();
    for (id, number, email) in [
        (a, "710001", "a@example.org"),
        (b, "710002", "b@example.org"),
    ] {
        let db = db.clone();
        opened.push(tokio::spawn(async move {
            db.write_new_ticket(&new_ticket(&MESSAGE, department, id, number, email))
                .await
                .unwrap();
        }));
    }
    // New tickets are written on the writer's own thread: wait until both are in line.
    while db.backend() == tessera_store::Backend::Sqlite && db.waiting_for_writer() < 2 {
        tokio::task::yield_now().await;
    }
    if db.backend() == tessera_store::Backend::Postgres {
        // No groups there: the tickets' own transactions commit before the others see them.
        holder.commit().await.unwrap();
        for t in opened.drain(..) {
            t.await.unwrap();
        }
        holder = db.begin().await.unwrap();
    }
    let reindexed = {
        let (db, doc) = (db.clone(), doc("Drucker Toner"));
        tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            tx.h().set_search_doc(a, &doc).await.unwrap();
            tx.commit().await.unwrap();
        })
    };
    let abandoned = {
        let (db, doc) = (db.clone(), doc("Kaffeemaschine"));
        tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            tx.h().set_search_doc(b, &doc).await.unwrap();
            drop(tx);
        })
    };
    while db.backend() == tessera_store::Backend::Sqlite && db.waiting_for_writer() < 4 {
        tokio::task::yield_now().await;
    }
    holder.commit().await.unwrap();
    for t in opened.into_iter().chain([reindexed, abandoned]) {
        t.await.unwrap();
    }

    let admin = AgentId(
        app.scalar("SELECT MIN(agent_id) FROM agent WHERE is_admin")
            .await,
    );
    let admin = db
        .conn()
        .await
        .unwrap()
        .h()
        .agent(admin)
        .await
        .unwrap()
        .unwrap();
    let q = QueueQuery {
        queue: Queue::All,
        sort: Sort::Updated,
        descending: true,
        department: None,
        topic: None,
        assignee: None,
        status: None,
        field_value: None,
        after: None,
        limit: 25,
    };
    let found = async |word: &str| -> Vec<String> {
        app.app
            .search(
                tessera_core::Worker::test_session(&admin).reader(),
                &q,
                word,
                None,
            )
            .await
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.ticket.number)
            .collect()
    };
    assert_eq!(found("Drucker").await, ["710002", "710001"], "each once");
    assert_eq!(found("Toner").await, ["710001"]);
    assert!(
        found("Kaffeemaschine").await.is_empty(),
        "the abandoned change is gone"
    );
    app.stop().await;
}
