//! Load benchmark of the requester portal over loopback against a real `tessera serve`
//! process on SQLite: tickets opened per second through the portal form (no attachments),
//! and the latency of the requester's ticket page.
//!
//! `cargo bench -p tessera --bench portal` runs the full measurement (TICKETS, PAGES and
//! CONNECTIONS in the environment change its size); under `cargo test` it makes a small
//! smoke pass so that it keeps working.

mod common;

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use common::{Row, Server, env_or, header};

fn csrf_and_topic(page: &str) -> (String, String) {
    let m = "name=\"csrf\" value=\"";
    let i = page.find(m).expect("csrf") + m.len();
    let csrf = page[i..i + 32].to_owned();
    let m = "<option value=\"";
    let topic = page
        .match_indices(m)
        .map(|(i, _)| &page[i + m.len()..])
        .map(|rest| &rest[..rest.find('"').unwrap_or(0)])
        .find(|v| !v.is_empty())
        .expect("a help topic")
        .to_owned();
    (csrf, topic)
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let tickets = env_or("TICKETS", if full { 5000 } else { 40 });
    let pages = env_or("PAGES", if full { 20000 } else { 100 });
    let conns = env_or("CONNECTIONS", if full { 8 } else { 4 });

    let dir = tempfile::tempdir().expect("temp dir");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let server = Server::start(dir.path()).await;
        let base = server.base.clone();
        let idle = server.rss_mb();

        // Phase 1: open tickets through the portal form.
        let next = Arc::new(AtomicUsize::new(0));
        let t0 = Instant::now();
        let mut workers = Vec::new();
        for w in 0..conns {
            let (base, next) = (base.clone(), next.clone());
            workers.push(tokio::spawn(async move {
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
                let (csrf, topic) = csrf_and_topic(&page);
                let (mut lat, mut numbers) = (Vec::new(), Vec::new());
                while next.fetch_add(1, Ordering::Relaxed) < tickets {
                    let form = reqwest::multipart::Form::new()
                        .text("csrf", csrf.clone())
                        .text("email", format!("bench{w}@example.org"))
                        .text("name", "Bench Requester")
                        .text("help_topic_id", topic.clone())
                        .text("subject", "Plakat und Flyer für das Sommerfest")
                        .text(
                            "body",
                            "Wir brauchen ein Plakat im Corporate Design.\nDanke!",
                        );
                    let s = Instant::now();
                    let res = c
                        .post(format!("{base}/open"))
                        .multipart(form)
                        .send()
                        .await
                        .unwrap();
                    lat.push(s.elapsed());
                    assert_eq!(res.status(), 303, "ticket accepted");
                    let loc = res.headers()["location"].to_str().unwrap();
                    numbers.push(
                        loc.trim_start_matches("/tickets/")
                            .split('?')
                            .next()
                            .unwrap()
                            .to_owned(),
                    );
                }
                (c, numbers, lat)
            }));
        }
        let mut clients = Vec::new();
        let mut create = Row {
            name: "open ticket (portal form)",
            count: tickets,
            elapsed: Duration::ZERO,
            latencies: Vec::new(),
        };
        for w in workers {
            let (c, numbers, lat) = w.await.unwrap();
            create.latencies.extend(lat);
            clients.push((c, numbers));
        }
        create.elapsed = t0.elapsed();

        // Phase 2: requesters read their ticket pages.
        let next = Arc::new(AtomicUsize::new(0));
        let t0 = Instant::now();
        let mut workers = Vec::new();
        for (c, numbers) in clients {
            let (base, next) = (base.clone(), next.clone());
            workers.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut i = 0;
                while next.fetch_add(1, Ordering::Relaxed) < pages && !numbers.is_empty() {
                    let n = &numbers[i % numbers.len()];
                    i += 7;
                    let s = Instant::now();
                    let res = c.get(format!("{base}/tickets/{n}")).send().await.unwrap();
                    assert_eq!(res.status(), 200);
                    res.bytes().await.unwrap();
                    lat.push(s.elapsed());
                }
                lat
            }));
        }
        let mut read = Row {
            name: "requester ticket page",
            count: pages,
            elapsed: Duration::ZERO,
            latencies: Vec::new(),
        };
        for w in workers {
            read.latencies.extend(w.await.unwrap());
        }
        read.elapsed = t0.elapsed();

        header(&format!(
            "Tessera portal benchmark (SQLite, {conns} connections, loopback)"
        ));
        create.print();
        read.print();
        println!(
            "\nserver memory (RSS): {idle:.1} MB idle at start, {:.1} MB after the run",
            server.rss_mb()
        );
    });
}
