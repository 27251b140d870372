//! The command line as an operator uses it.

use std::{net::TcpListener, process::Command};

use reqwest::StatusCode;

use crate::support::{TestDb, csrf, eventually};

fn tessera(data: &std::path::Path, db: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tessera"));
    c.arg("--data-dir")
        .arg(data)
        .args(["--database-url", db])
        .env("TESSERA_LOG", "warn");
    c
}

#[tokio::test]
async fn an_operator_creates_an_agent_who_then_signs_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path()).await;
    let out = tessera(dir.path(), &db.url)
        .args([
            "agent",
            "create",
            "--username",
            "nadine",
            "--email",
            "nadine@example.org",
        ])
        .args([
            "--name",
            "Nadine S.",
            "--department",
            "support",
            "--role",
            "agent",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let password = stdout
        .split("one-time password: ")
        .nth(1)
        .unwrap()
        .trim()
        .to_owned();
    assert_eq!(password.len(), 20);
    // The same name twice is refused with a clear message.
    let again = tessera(dir.path(), &db.url)
        .args([
            "agent",
            "create",
            "--username",
            "nadine",
            "--email",
            "other@example.org",
            "--name",
            "N",
        ])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    let bad = tessera(dir.path(), &db.url)
        .args([
            "agent",
            "create",
            "--username",
            "x",
            "--email",
            "x@example.org",
            "--name",
            "X",
            "--department",
            "Nope",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no department named \"Nope\""));

    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = tessera(dir.path(), &db.url)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    eventually("the server", async || {
        c.get(format!("{base}/")).send().await.ok().map(|_| ())
    })
    .await;
    let token = csrf(&c, &format!("{base}/agent/login")).await;
    let res = c
        .post(format!("{base}/agent/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("username", "nadine"),
            ("password", password.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.url().path(),
        "/agent/password",
        "the one-time password must be replaced"
    );
    server.kill().unwrap();
    server.wait().unwrap();
    db.drop_db().await;
}
