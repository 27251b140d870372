//! Load benchmark of osTicket's ticket API over loopback against a real `tessera serve`
//! process on SQLite: tickets opened per second through `POST /api/tickets.json` with the
//! JSON of osTicket's own documentation (a text and a PNG attachment), over 8 connections.
//!
//! `cargo bench -p tessera --bench api` runs the full measurement (`TESSERA_BENCH_TICKETS`
//! and `CONNECTIONS` in the environment change its size); under `cargo test` it makes a
//! small smoke pass so that it keeps working.

mod common;

use std::{
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use common::{Row, Server, env_or, header};

/// A 1×1 PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let tickets = env_or("TESSERA_BENCH_TICKETS", if full { 2000 } else { 40 });
    let conns = env_or("CONNECTIONS", if full { 8 } else { 4 });

    let dir = tempfile::tempdir().expect("temp dir");
    // The key, minted the way an operator would; only it is on standard output.
    let out = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .arg("--data-dir")
        .arg(dir.path())
        .args([
            "api-key",
            "create",
            "--name",
            "Benchmark",
            "--scope",
            "create",
        ])
        .args(["--rate", "1000000"])
        .env("TESSERA_LOG", "warn")
        .env_remove("TESSERA_DATABASE_URL")
        .output()
        .expect("run tessera api-key create");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = String::from_utf8(out.stdout).unwrap().trim().to_owned();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let server = Server::start(dir.path()).await;
        let base = server.base.clone();
        let idle = server.rss_mb();
        let next = Arc::new(AtomicUsize::new(0));
        let t0 = Instant::now();
        let mut workers = Vec::new();
        for w in 0..conns {
            let (base, next, key) = (base.clone(), next.clone(), key.clone());
            workers.push(tokio::spawn(async move {
                let c = reqwest::Client::new();
                let mut lat = Vec::new();
                while next.fetch_add(1, Ordering::Relaxed) < tickets {
                    let body = serde_json::json!({
                        "alert": true,
                        "autorespond": true,
                        "source": "API",
                        "name": "Angry User",
                        "email": format!("bench{w}@example.org"),
                        "phone": "3185558634X123",
                        "subject": "Testing API",
                        "ip": "123.211.233.122",
                        "message": "MESSAGE HERE",
                        "attachments": [
                            {"file.txt": "data:text/plain;charset=utf-8,content"},
                            {"image.png": format!("data:image/png;base64,{PNG}")}
                        ]
                    });
                    let s = Instant::now();
                    let res = c
                        .post(format!("{base}/api/tickets.json"))
                        .header("X-API-Key", &key)
                        .json(&body)
                        .send()
                        .await
                        .unwrap();
                    let status = res.status();
                    let text = res.text().await.unwrap();
                    lat.push(s.elapsed());
                    assert_eq!(status, 201, "ticket accepted: {text}");
                }
                lat
            }));
        }
        let mut create = Row {
            name: "POST /api/tickets.json",
            count: tickets,
            elapsed: Duration::ZERO,
            latencies: Vec::new(),
        };
        for w in workers {
            create.latencies.extend(w.await.unwrap());
        }
        create.elapsed = t0.elapsed();
        header(&format!(
            "Tessera osTicket API benchmark (SQLite, {conns} connections, loopback)"
        ));
        create.print();
        println!(
            "\nserver memory (RSS): {idle:.1} MB idle at start, {:.1} MB after the run",
            server.rss_mb()
        );
    });
}
