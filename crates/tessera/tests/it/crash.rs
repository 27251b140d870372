//! Nothing accepted is lost: a `tessera serve` process killed with SIGKILL right after
//! accepting tickets keeps every ticket, attachment and queued mail, and delivers the mail
//! after it is started again.

use std::{
    net::TcpListener,
    path::Path,
    process::{Child, Command, Stdio},
};

use reqwest::StatusCode;

use crate::{
    portal::MAX,
    support::{SmtpServer, TestDb, csrf, eventually, first_topic, ticket_form},
};

/// A real `tessera serve` on `port` with the config file in `data` (also the outbox's kill test).
pub(crate) fn serve(data: &Path, db: &str, port: u16, smtp: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--smtp-url",
            smtp,
        ])
        .args(["--database-url", db])
        .arg("--data-dir")
        .arg(data)
        .arg("--config")
        .arg(data.join("tessera.toml"))
        .env("TESSERA_LOG", "warn")
        .env("TESSERA_MAIL_FROM", "helpdesk@tessera.test")
        .stdout(Stdio::null())
        .spawn()
        .expect("start tessera")
}

/// Waits until the server at `base` answers.
pub(crate) async fn up(base: &str) {
    let c = reqwest::Client::new();
    eventually("the server", async || {
        c.get(format!("{base}/")).send().await.ok().map(|_| ())
    })
    .await;
}

#[tokio::test]
async fn tickets_and_queued_mail_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path()).await;
    // Quick retries: the test should not wait out production backoff.
    std::fs::write(
        dir.path().join("tessera.toml"),
        "mail_retry_base_ms = 100\nmail_retry_max_ms = 300\nmail_lease_ms = 2000\n",
    )
    .unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut smtp = SmtpServer::start();
    smtp.pause();
    let mut server = serve(dir.path(), &db.url, port, &smtp.url());
    up(&base).await;

    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = c
        .get(format!("{base}/open"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let topic = first_topic(&page);
    let token = csrf(&c, &format!("{base}/open")).await;
    let mut numbers = Vec::new();
    for i in 0..5 {
        let mut fields = vec![("help_topic_id", topic.as_str())];
        fields.extend_from_slice(MAX);
        let form = ticket_form(
            &token,
            &fields,
            &[(&format!("datei{i}.pdf"), vec![i as u8; 5000])],
        );
        let res = c
            .post(format!("{base}/open"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let loc = res.headers()["location"].to_str().unwrap().to_owned();
        numbers.push(
            loc.trim_start_matches("/tickets/")
                .split('?')
                .next()
                .unwrap()
                .to_owned(),
        );
    }
    // SIGKILL: no shutdown, no checkpoint, no flush.
    server.kill().unwrap();
    server.wait().unwrap();

    smtp.resume();
    let mut server = serve(dir.path(), &db.url, port, &smtp.url());
    up(&base).await;
    let mails = smtp.wait_for(5).await;
    for n in &numbers {
        assert_eq!(
            mails
                .iter()
                .filter(|m| m.subject.contains(&format!("[#{n}]")))
                .count(),
            1,
            "mail for {n}"
        );
        let page = c.get(format!("{base}/tickets/{n}")).send().await.unwrap();
        assert_eq!(
            page.status(),
            StatusCode::OK,
            "ticket {n} is there and the session survived"
        );
        let body = page.text().await.unwrap();
        let href = body
            .split("href=\"/attachments/")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let bytes = c
            .get(format!("{base}/attachments/{href}"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(bytes.len(), 5000);
    }
    server.kill().unwrap();
    server.wait().unwrap();
    db.drop_db().await;
}

/// A message of the import test; every tenth carries an attachment.
fn import_message(i: usize) -> String {
    let mut m = format!(
        "From: Person {i} <person{i}@example.org>\r\nTo: helpdesk@tessera.test\r\n\
         Subject: Anfrage {i}: Plakat\r\nMessage-ID: <import-{i}@example.org>\r\n\
         MIME-Version: 1.0\r\n"
    );
    if i.is_multiple_of(10) {
        m.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\nBitte um ein Plakat, Nummer {i}.\r\n\
             --b\r\nContent-Type: application/pdf; name=\"skizze-{i}.pdf\"\r\n\
             Content-Disposition: attachment; filename=\"skizze-{i}.pdf\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n"
        ));
    } else {
        m.push_str(&format!(
            "Content-Type: text/plain; charset=utf-8\r\n\r\nBitte um ein Plakat, Nummer {i}.\r\n"
        ));
    }
    m
}

/// One number from the database; 0 while the database or its tables do not exist yet.
async fn scalar(url: &str, sql: &'static str) -> i64 {
    if let Some(file) = url.strip_prefix("sqlite:") {
        if !Path::new(file).exists() {
            return 0;
        }
        let p = sqlx::SqlitePool::connect(url).await.unwrap();
        let n = sqlx::query_scalar(sql).fetch_one(&p).await.unwrap_or(0);
        p.close().await;
        n
    } else {
        let p = sqlx::PgPool::connect(url).await.unwrap();
        let n = sqlx::query_scalar(sql).fetch_one(&p).await.unwrap_or(0);
        p.close().await;
        n
    }
}

#[tokio::test]
async fn a_mailbox_import_killed_at_random_points_stores_every_message_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path()).await;
    let maildir = dir.path().join("Maildir");
    std::fs::create_dir_all(maildir.join("cur")).unwrap();
    std::fs::create_dir_all(maildir.join("new")).unwrap();
    const N: usize = 200;
    for i in 0..N {
        std::fs::write(
            maildir.join("new").join(format!("{i:04}.test:2,")),
            import_message(i),
        )
        .unwrap();
    }
    let data = dir.path().join("data");
    let import = || {
        Command::new(env!("CARGO_BIN_EXE_tessera"))
            .args(["mail", "import"])
            .arg(&maildir)
            .arg("--data-dir")
            .arg(&data)
            .args(["--database-url", &db.url])
            .env("TESSERA_LOG", "warn")
            .env("TESSERA_MAIL_FROM", "helpdesk@tessera.test")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tessera mail import")
    };
    // Random kill points, different on every run: after 0 to 30 further messages are stored.
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64
        | 1;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let stored = "SELECT COUNT(*) FROM inbound_message";
    let mut kills = 0;
    for _ in 0..6 {
        let before = scalar(&db.url, stored).await;
        let target = before + (next() % 31) as i64;
        let mut child = import();
        let finished = eventually("the kill point or the end of the import", async || {
            if let Ok(Some(_)) = child.try_wait() {
                return Some(true);
            }
            (scalar(&db.url, stored).await >= target).then_some(false)
        })
        .await;
        if !finished {
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
    }
    // Then once to the end.
    let status = import().wait().unwrap();
    assert!(status.success(), "the last import completes");
    assert!(kills > 0, "the import was killed at least once");

    assert_eq!(
        scalar(&db.url, stored).await,
        N as i64,
        "every message stored once"
    );
    assert_eq!(
        scalar(
            &db.url,
            "SELECT COUNT(*) FROM inbound_message WHERE status <> 'done'"
        )
        .await,
        0,
        "none left half-done"
    );
    assert_eq!(
        scalar(
            &db.url,
            "SELECT COUNT(*) FROM ticket WHERE source = 'email'"
        )
        .await,
        N as i64,
        "one ticket per message"
    );
    assert_eq!(
        scalar(
            &db.url,
            "SELECT COUNT(*) FROM thread_entry WHERE kind = 'message'"
        )
        .await,
        N as i64
    );
    assert_eq!(
        scalar(&db.url, "SELECT COUNT(*) FROM attachment").await,
        (N / 10) as i64,
        "every attachment once"
    );
    assert_eq!(
        scalar(
            &db.url,
            "SELECT COUNT(*) FROM outbox_mail WHERE recipients LIKE 'person%'"
        )
        .await,
        N as i64,
        "one confirmation per requester"
    );
    db.drop_db().await;
}
