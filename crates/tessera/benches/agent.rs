//! Load benchmark of the agent area over loopback against a real `tessera serve` process on
//! SQLite filled by `tessera demo`: the Open queue (first page and a deep page) and the agent
//! ticket page.
//!
//! `cargo bench -p tessera --bench agent` runs it with TICKETS=100000 (REQUESTS and
//! CONNECTIONS adjust it); under `cargo test` it makes a small smoke pass.

mod common;

use std::process::Command;

use common::{Server, env_or, header, measure};

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let tickets = env_or("TICKETS", if full { 100_000 } else { 300 });
    let requests = env_or("REQUESTS", if full { 5000 } else { 50 });
    let conns = env_or("CONNECTIONS", if full { 8 } else { 2 });
    let dir = tempfile::tempdir().expect("temp dir");

    // Fill the database first (a separate process, as an operator would).
    let t0 = std::time::Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["demo", "--tickets", &tickets.to_string()])
        .arg("--data-dir")
        .arg(dir.path())
        .env("TESSERA_LOG", "warn")
        .env_remove("TESSERA_DATABASE_URL")
        .output()
        .expect("tessera demo");
    assert!(
        out.status.success(),
        "demo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let generated = t0.elapsed();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let server = Server::start(dir.path()).await;
        let base = server.base.clone();
        let c = reqwest::Client::builder().cookie_store(true).build().unwrap();
        let page = c.get(format!("{base}/agent/login")).send().await.unwrap().text().await.unwrap();
        let m = "name=\"csrf\" value=\"";
        let i = page.find(m).unwrap() + m.len();
        let csrf = page[i..i + 32].to_owned();
        // An administrator sees every ticket: the hardest case for queues.
        let res = c
            .post(format!("{base}/agent/login"))
            .form(&[("csrf", csrf.as_str()), ("username", "demo-admin"), ("password", tessera_core::DEMO_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert!(res.url().path().starts_with("/agent/queue"), "signed in: {}", res.url());

        // A cursor half-way through every ticket, read straight from the database.
        let db = sqlx::SqlitePool::connect(&format!("sqlite:{}", dir.path().join("tessera.db").display())).await.unwrap();
        let (key, id): (i64, i64) = sqlx::query_as(
            "SELECT updated_at, ticket_id FROM ticket ORDER BY updated_at DESC, ticket_id DESC LIMIT 1 OFFSET $1",
        )
        .bind((tickets / 2) as i64)
        .fetch_one(&db)
        .await
        .unwrap();
        db.close().await;
        let deep = format!("/agent/queue/all?after={key}_{id}");

        let mut rows = vec![
            measure("Open queue, first page", &c, &base, requests, conns, |_| "/agent/queue/open".into()).await,
            measure("All queue, page at 50%", &c, &base, requests, conns, move |_| deep.clone()).await,
            measure("agent ticket page", &c, &base, requests, conns, move |i| {
                format!("/agent/tickets/{}", 10_000_000 + (i * 7919) % tickets)
            })
            .await,
        ];
        header(&format!("Tessera agent benchmark (SQLite, {tickets} tickets, {conns} connections, loopback)"));
        for r in &mut rows {
            r.print();
        }
        println!(
            "\ndemo data: {tickets} tickets in {:.1} s; server memory (RSS) after the run: {:.1} MB",
            generated.as_secs_f64(),
            server.rss_mb()
        );
    });
}
