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
            unconfirmed: false,
            answered: false,
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
    by_agent: None,
    body: "Der Drucker streikt.",
    body_format: tessera_domain::BodyFormat::Markdown,
    original_html: None,
    quoted: None,
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

/// Runs `sql` in `tx` (SQLite only: fault hooks for the tests below).
async fn on_writer(tx: &mut tessera_store::Tx, sql: &str) -> Result<(), sqlx::Error> {
    let tessera_store::Handle::Sqlite(c) = tx.h() else {
        panic!("SQLite only");
    };
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut *c)
        .await
        .map(|_| ())
}

/// Sets SQLite's page limit on the writer's connection (`PRAGMA max_page_count`, a setting
/// of the connection, not of the file): `Some(extra)` allows that many pages beyond those
/// in use, `None` lifts it. After a failed group the writer opens a fresh connection, which
/// has no limit.
async fn limit_pages(db: &tessera_store::Db, extra: Option<i64>) {
    let mut tx = db.begin().await.unwrap();
    let tessera_store::Handle::Sqlite(c) = tx.h() else {
        panic!("SQLite only");
    };
    let used: i64 = sqlx::query_scalar("PRAGMA page_count")
        .fetch_one(&mut *c)
        .await
        .unwrap();
    let max = extra.map_or(1 << 30, |e| used + e);
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "PRAGMA max_page_count = {max}"
    )))
    .execute(&mut *c)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

fn portal_ticket(i: usize, body: String) -> tessera_core::NewTicketInput {
    tessera_core::NewTicketInput {
        email: format!("voll{i}@example.org"),
        name: "Max".into(),
        help_topic_id: "1".into(),
        subject: format!("Platte voll {i}"),
        body,
        uploads: vec![],
        lang: tessera_domain::Lang::De,
    }
}

/// Opens tickets with `body(i)` until the disk is full; returns how many opened and the
/// error of the one refused.
async fn open_until_full(
    app: &TestApp,
    first: usize,
    body: impl Fn(usize) -> String,
) -> (i64, String) {
    let mut opened = 0;
    loop {
        assert!(opened < 200, "the page limit never refused a ticket");
        let i = first + opened;
        match app.app.open_ticket(portal_ticket(i, body(i))).await {
            Ok(_) => opened += 1,
            Err(e) => return (opened as i64, e.to_string()),
        }
    }
}

/// The disk fills up while requesters open tickets: each ticket that does not fit fails
/// with an error (no panic, nothing of it kept), and once there is room again the next one
/// opens and is stored, without a restart. SQLite's own limit on the database's size
/// (`max_page_count`) stands in for the full disk. Long messages of one word fill it in the
/// ticket's own statements (SQLite then rolls back the whole transaction); many different
/// words fill it when the group writes its new tickets' index rows, just before `COMMIT`.
/// PostgreSQL has no such hook; there only the opening before and after is checked.
#[tokio::test]
async fn a_full_disk_fails_new_tickets_cleanly_and_the_next_opens_once_there_is_room() {
    let app = TestApp::start().await;
    let db = app.app.db().clone();
    app.app
        .open_ticket(portal_ticket(0, "Erster".into()))
        .await
        .unwrap();
    let mut tickets = app.count("ticket").await;
    let mut entries = app.count("thread_entry").await;

    if db.backend() == tessera_store::Backend::Sqlite {
        // In the ticket's own statements.
        limit_pages(&db, Some(0)).await;
        let (opened, refused) = open_until_full(&app, 1, |_| "Druckerpatrone ".repeat(3_000)).await;
        assert!(refused.contains("full"), "the disk's own error: {refused}");
        assert!(!refused.contains("commit"), "{refused}");
        tickets += opened;
        entries += opened;
        assert_eq!(app.count("ticket").await, tickets, "nothing half-written");
        assert_eq!(app.count("thread_entry").await, entries);
        limit_pages(&db, None).await;

        // At commit: room for the ticket's rows, a page more each time, until the index
        // rows written with the group's commit no longer fit.
        let many_words = |i: usize| {
            (0..4_000)
                .map(|w| format!("w{i}x{w}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut at_commit = None;
        for extra in 0..400 {
            limit_pages(&db, Some(extra)).await;
            match app
                .app
                .open_ticket(portal_ticket(
                    100 + extra as usize,
                    many_words(extra as usize),
                ))
                .await
            {
                Ok(_) => {
                    tickets += 1;
                    entries += 1;
                }
                Err(e) if e.to_string().contains("commit") => {
                    at_commit = Some(e.to_string());
                    break;
                }
                Err(e) => assert!(e.to_string().contains("full"), "{e}"),
            }
            assert_eq!(app.count("ticket").await, tickets, "nothing half-written");
        }
        let at_commit = at_commit.expect("a ticket refused at commit");
        assert!(at_commit.contains("full"), "{at_commit}");
        assert_eq!(app.count("ticket").await, tickets, "nothing half-written");
        assert_eq!(app.count("thread_entry").await, entries);
        limit_pages(&db, None).await;
    }
    let next = app
        .app
        .open_ticket(portal_ticket(999, "Wieder Platz".into()))
        .await
        .unwrap();
    assert_eq!(app.count("ticket").await, tickets + 1);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM ticket WHERE number = '{}'",
            next.number
        ))
        .await,
        1
    );
    app.stop().await;
}

/// Which of the settings `keys` are stored.
async fn stored(app: &TestApp, keys: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let mut conn = app.app.db().conn().await.unwrap();
    for k in keys {
        if conn.h().setting(k).await.unwrap().is_some() {
            found.push((*k).to_owned());
        }
    }
    found
}

/// A transaction that writes one setting and commits; its outcome.
fn member(db: &tessera_store::Db, key: &'static str) -> tokio::task::JoinHandle<bool> {
    let db = db.clone();
    tokio::spawn(async move {
        let mut tx = db.begin().await.unwrap();
        tx.h().put_settings(&[(key, "x")]).await.unwrap();
        tx.commit().await.is_ok()
    })
}

/// Awaits `f`, failing the test if the writer does not answer in time (a lost group's
/// members once waited for an outcome forever).
async fn within<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(crate::support::PATIENCE, f)
        .await
        .expect("the writer answered")
}

/// Waits until `n` transactions queue for SQLite's writer (none queue on PostgreSQL).
async fn queued(db: &tessera_store::Db, n: usize) {
    while db.backend() == tessera_store::Backend::Sqlite && db.waiting_for_writer() < n {
        tokio::task::yield_now().await;
    }
}

/// The disk fills up in the middle of a group: SQLite rolls the whole transaction back,
/// with the members already released into it. Every one of them is told it failed and
/// none is stored; the failing transaction's own later statement (run in autocommit by
/// then) is not stored either; a transaction queued behind them opens a new group and
/// commits, and so does the next, without a restart.
#[tokio::test]
async fn a_group_the_disk_error_rolled_back_fails_every_member_and_the_writer_goes_on() {
    let app = TestApp::start().await;
    let db = app.app.db().clone();
    let sqlite = db.backend() == tessera_store::Backend::Sqlite;

    let mut holder = db.begin().await.unwrap();
    holder
        .h()
        .put_settings(&[("group-holder", "x")])
        .await
        .unwrap();
    let members = [
        member(&db, "group-a"),
        member(&db, "group-b"),
        member(&db, "group-c"),
    ];
    queued(&db, 3).await;
    let failing = {
        let db = db.clone();
        tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            let big = "x".repeat(4 << 20);
            let refused = if sqlite {
                on_writer(&mut tx, "PRAGMA max_page_count = 1")
                    .await
                    .unwrap();
                // One row in one statement: SQLite keeps no statement journal for it, and
                // answers the full disk by rolling back the whole transaction.
                on_writer(
                    &mut tx,
                    &format!(
                        "INSERT INTO setting (key, value, updated_at) \
                         VALUES ('group-big', '{big}', 0)"
                    ),
                )
                .await
                .unwrap_err()
                .to_string()
            } else {
                // PostgreSQL refuses a NUL in text.
                tx.h()
                    .put_settings(&[("group-big", "\0")])
                    .await
                    .map(|_| ())
                    .unwrap_err()
                    .to_string()
            };
            // A careless caller goes on writing after the error.
            let stray = sqlite
                && on_writer(
                    &mut tx,
                    "INSERT INTO setting (key, value, updated_at) VALUES ('group-stray', 'x', 0)",
                )
                .await
                .is_ok();
            // PostgreSQL answers the commit of a failed transaction with a rollback, which
            // sqlx reports as done: there the caller drops it.
            let committed = sqlite && tx.commit().await.is_ok();
            (refused, stray, committed)
        })
    };
    queued(&db, 4).await;
    let late = member(&db, "group-late");
    queued(&db, 5).await;
    let holder_ok = within(holder.commit()).await.is_ok();

    let (refused, stray, failing_ok) = within(failing).await.unwrap();
    let mut members_ok = Vec::new();
    for m in members {
        members_ok.push(within(m).await.unwrap());
    }
    assert!(
        within(late).await.unwrap(),
        "the transaction behind the failed group commits"
    );
    assert!(!failing_ok, "the failed transaction does not commit");
    assert!(!stray, "a statement after the rollback is refused");
    let all = [
        "group-holder",
        "group-a",
        "group-b",
        "group-c",
        "group-big",
        "group-stray",
        "group-late",
    ];
    if sqlite {
        assert!(refused.contains("full"), "{refused}");
        assert!(!holder_ok, "the group's first member is told");
        assert_eq!(members_ok, [false, false, false], "every member is told");
        assert_eq!(stored(&app, &all).await, ["group-late"]);
    } else {
        assert!(holder_ok);
        assert_eq!(members_ok, [true, true, true]);
        assert_eq!(
            stored(&app, &all).await,
            [
                "group-holder",
                "group-a",
                "group-b",
                "group-c",
                "group-late"
            ]
        );
    }
    assert!(member(&db, "group-next").await.unwrap());
    assert_eq!(stored(&app, &["group-next"]).await, ["group-next"]);
    app.stop().await;
}

/// A group's commit fails (here a foreign key SQLite checks only at commit, on SQLite; on
/// PostgreSQL the key is checked at once and fails its own transaction only): every member
/// of the group is told, none is stored, and the writer goes on with the next group.
#[tokio::test]
async fn a_group_whose_commit_fails_fails_every_member_and_the_writer_goes_on() {
    let app = TestApp::start().await;
    let db = app.app.db().clone();
    let sqlite = db.backend() == tessera_store::Backend::Sqlite;

    let mut holder = db.begin().await.unwrap();
    holder
        .h()
        .put_settings(&[("group-holder", "x")])
        .await
        .unwrap();
    let members = [member(&db, "group-a"), member(&db, "group-b")];
    queued(&db, 2).await;
    let dangling = {
        let db = db.clone();
        tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            tx.h()
                .put_settings(&[("group-dangling", "x")])
                .await
                .unwrap();
            let insert = "INSERT INTO team_member (team_id, agent_id, created_at) \
                          VALUES (999999, 999999, 0)";
            if let tessera_store::Handle::Postgres(c) = tx.h() {
                // Checked at once: the transaction fails on its own and is dropped.
                assert!(sqlx::query(insert).execute(&mut *c).await.is_err());
                return false;
            }
            on_writer(&mut tx, "PRAGMA defer_foreign_keys = ON")
                .await
                .unwrap();
            on_writer(&mut tx, insert).await.unwrap();
            tx.commit().await.is_ok()
        })
    };
    queued(&db, 3).await;
    let holder_ok = within(holder.commit()).await.is_ok();
    let mut ok = vec![holder_ok];
    for m in members {
        ok.push(within(m).await.unwrap());
    }
    ok.push(within(dangling).await.unwrap());
    let all = ["group-holder", "group-a", "group-b", "group-dangling"];
    if sqlite {
        assert_eq!(ok, [false; 4], "every member is told");
        assert!(stored(&app, &all).await.is_empty());
    } else {
        assert_eq!(ok, [true, true, true, false]);
        assert_eq!(
            stored(&app, &all).await,
            ["group-holder", "group-a", "group-b"]
        );
    }
    assert_eq!(app.count("team_member WHERE team_id = 999999").await, 0);
    assert!(member(&db, "group-next").await.unwrap());
    assert_eq!(stored(&app, &["group-next"]).await, ["group-next"]);
    app.stop().await;
}

/// SQLite's reader connections (`Db::conn`) are opened read-only: a write that bypasses the
/// writer fails loudly instead of taking SQLite's lock behind the writer's back, and
/// leaves nothing. Through a transaction the same write is stored (on both databases).
#[tokio::test]
async fn a_write_through_a_reader_connection_fails_on_sqlite() {
    let app = TestApp::start().await;
    let db = app.app.db().clone();
    if db.backend() == tessera_store::Backend::Sqlite {
        let mut conn = db.conn().await.unwrap();
        let refused = conn
            .h()
            .put_settings(&[("reader-write", "x")])
            .await
            .map(|_| ())
            .unwrap_err();
        assert!(refused.to_string().contains("readonly"), "{refused}");
        drop(conn);
        assert!(stored(&app, &["reader-write"]).await.is_empty());
    }
    let mut tx = db.begin().await.unwrap();
    tx.h().put_settings(&[("reader-write", "x")]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(stored(&app, &["reader-write"]).await, ["reader-write"]);
    app.stop().await;
}
