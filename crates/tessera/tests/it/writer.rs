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
