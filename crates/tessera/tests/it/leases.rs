//! The shared claim loop of the mail and the webhook worker (`core/jobs.rs`): a worker that
//! dies between claiming a batch and recording it holds its rows only until the lease runs
//! out; then another worker claims them and delivers again (at least once).
//!
//! Each test runs Tessera without its background workers (`tessera::open`) and drives two
//! workers by hand on a stepped clock (`run_once_at`). The first worker's receiver takes the
//! message and never answers, and the worker is dropped mid-round there: what a crash leaves.

use std::sync::{Arc, Mutex};

use tessera::{Config, Overrides};
use tessera_core::{Actor, MailWorker, Tessera, WebhookForm, WebhookWorker};
use tessera_domain::Timestamp;
use tessera_store::NewOutboxMail;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

use crate::support::{TestDb, eventually};

/// Tessera on a fresh database, with nothing working its queues.
async fn without_workers(dir: &std::path::Path, db: &TestDb, smtp: Option<String>) -> Tessera {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cfg = Config::load(&Overrides {
        config: None,
        data_dir: Some(dir.join("data")),
        database_url: Some(db.url.clone()),
        listen: None,
        base_url: None,
        smtp_url: smtp,
        mail_from: Some("helpdesk@tessera.test".into()),
        default_lang: None,
    })
    .expect("config");
    tessera::open(&cfg).await.expect("open").0
}

/// What a receiver was handed: one entry per message or request, in order of arrival.
type Log = Arc<Mutex<Vec<String>>>;

/// An SMTP server that takes every message but never answers the first one's end of data
/// (the sender waits until it is dropped); later ones it accepts. Logs each Message-ID.
async fn stalling_smtp() -> (String, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = Log::default();
    let got = log.clone();
    tokio::spawn(async move {
        loop {
            let (sock, _) = listener.accept().await.unwrap();
            let got = got.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 stalling ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line != "." {
                            body.push_str(&line);
                            body.push('\n');
                            continue;
                        }
                        let id = body
                            .lines()
                            .find_map(|l| l.strip_prefix("Message-ID: "))
                            .unwrap_or_default()
                            .to_owned();
                        data = None;
                        let first = {
                            let mut got = got.lock().unwrap();
                            got.push(id);
                            got.len() == 1
                        };
                        if first {
                            std::future::pending::<()>().await;
                        }
                        w.write_all(b"250 queued\r\n").await.unwrap();
                        continue;
                    }
                    let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go on\r\n"
                        }
                        "QUIT" => {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"250 ok\r\n",
                    };
                    w.write_all(answer).await.unwrap();
                }
            });
        }
    });
    (format!("smtp://127.0.0.1:{port}"), log)
}

/// A webhook receiver that never answers its first request and answers later ones 204.
/// Logs each request's `X-Tessera-Delivery`.
async fn stalling_receiver() -> (String, Log) {
    use axum::{Router, extract::State, http::HeaderMap, http::StatusCode, routing::post};
    let log = Log::default();
    let app = Router::new()
        .route(
            "/hook",
            post(async |State(got): State<Log>, headers: HeaderMap| {
                let first = {
                    let mut got = got.lock().unwrap();
                    got.push(
                        headers["x-tessera-delivery"]
                            .to_str()
                            .unwrap_or_default()
                            .to_owned(),
                    );
                    got.len() == 1
                };
                if first {
                    std::future::pending::<()>().await;
                }
                StatusCode::NO_CONTENT
            }),
        )
        .with_state(log.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://127.0.0.1:{port}/hook"), log)
}

/// Runs `round` until the receiver holds its first message, then drops it mid-round.
async fn crash_after_handing_over(round: impl Future<Output = ()> + Send + 'static, log: &Log) {
    let task = tokio::spawn(round);
    eventually("the first message at the receiver", async || {
        (!log.lock().unwrap().is_empty()).then_some(())
    })
    .await;
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled(), "stopped mid-round");
}

async fn one(app: &Tessera, sql: &'static str) -> (String, i64) {
    match app.db() {
        tessera_store::Db::Sqlite(d) => sqlx::query_as(sql).fetch_one(&d.pool).await.unwrap(),
        tessera_store::Db::Postgres(p) => sqlx::query_as(sql).fetch_one(p).await.unwrap(),
    }
}

#[tokio::test]
async fn a_mail_claimed_by_a_crashed_worker_goes_again_once_its_lease_runs_out() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path()).await;
    let (smtp, got) = stalling_smtp().await;
    let app = without_workers(dir.path(), &db, Some(smtp)).await;
    let mut tx = app.db().begin().await.unwrap();
    tx.h()
        .enqueue_mail(&NewOutboxMail {
            kind: Default::default(),
            ticket_id: None,
            message_id: "<lease-1@tessera.test>".into(),
            envelope_from: "helpdesk@tessera.test".into(),
            recipients: vec!["max@example.org".into()],
            raw: b"Message-ID: <lease-1@tessera.test>\r\nSubject: Lease\r\n\r\nHallo\r\n".to_vec(),
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // The first worker claims the mail at t0, hands it over, and dies before recording it.
    let t0 = Timestamp::now();
    let first = MailWorker::new(app.clone());
    crash_after_handing_over(
        async move {
            let _ = first.run_once_at(t0).await;
        },
        &got,
    )
    .await;
    assert_eq!(
        one(&app, "SELECT status, attempts FROM outbox_mail").await,
        ("pending".into(), 1),
        "nothing recorded: still pending, the attempt counted by the claim"
    );

    // Until the lease runs out no other worker takes it, however often it looks.
    let lease = app.config().mail_lease_ms;
    let second = MailWorker::new(app.clone());
    assert_eq!(second.run_once_at(t0).await.unwrap(), 0);
    let end = t0.plus_millis(lease);
    assert_eq!(second.run_once_at(Timestamp(end.0 - 1)).await.unwrap(), 0);
    assert_eq!(got.lock().unwrap().len(), 1);

    // Then the next worker claims it and delivers it again: at least once.
    assert_eq!(second.run_once_at(end).await.unwrap(), 1);
    assert_eq!(
        *got.lock().unwrap(),
        ["<lease-1@tessera.test>", "<lease-1@tessera.test>"]
    );
    assert_eq!(
        one(&app, "SELECT status, attempts FROM outbox_mail").await,
        ("sent".into(), 2)
    );
    assert_eq!(second.run_once_at(end.plus_secs(3600)).await.unwrap(), 0);
    app.close().await;
    db.drop_db().await;
}

#[tokio::test]
async fn a_delivery_claimed_by_a_crashed_worker_goes_again_once_its_lease_runs_out() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path()).await;
    let (url, got) = stalling_receiver().await;
    let app = without_workers(dir.path(), &db, None).await;
    let form = WebhookForm {
        url,
        description: "lease".into(),
        events: vec!["ticket.created".into()],
        is_active: true,
        allow_private: true,
    };
    let id = app.save_webhook(Actor::Cli, None, &form).await.unwrap();
    app.send_test_webhook(Actor::Cli, id).await.unwrap();

    let t0 = Timestamp::now();
    let first = WebhookWorker::new(app.clone());
    crash_after_handing_over(
        async move {
            let _ = first.run_once_at(t0).await;
        },
        &got,
    )
    .await;
    assert_eq!(
        one(&app, "SELECT status, attempts FROM webhook_delivery").await,
        ("pending".into(), 1)
    );
    assert_eq!(
        one(
            &app,
            "SELECT 'attempts logged', COUNT(*) FROM webhook_attempt"
        )
        .await
        .1,
        0
    );

    let second = WebhookWorker::new(app.clone());
    let end = t0.plus_millis(WebhookWorker::LEASE.as_millis() as i64);
    assert_eq!(second.run_once_at(t0).await.unwrap(), 0);
    assert_eq!(second.run_once_at(Timestamp(end.0 - 1)).await.unwrap(), 0);
    assert_eq!(got.lock().unwrap().len(), 1);

    assert_eq!(second.run_once_at(end).await.unwrap(), 1);
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0], got[1], "the same delivery, sent again");
    assert_eq!(
        one(&app, "SELECT status, attempts FROM webhook_delivery").await,
        ("delivered".into(), 2)
    );
    assert_eq!(
        one(
            &app,
            "SELECT 'attempts logged', COUNT(*) FROM webhook_attempt"
        )
        .await
        .1,
        1
    );
    app.close().await;
    db.drop_db().await;
}
