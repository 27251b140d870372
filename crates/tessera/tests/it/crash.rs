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

fn serve(data: &Path, db: &str, port: u16, smtp: &str) -> Child {
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

async fn up(base: &str) {
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
