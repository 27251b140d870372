//! Load benchmark of the requester portal over loopback against a real `tessera serve`
//! process on SQLite: tickets opened per second through the portal form (no attachments),
//! and the latency of the requester's ticket page.
//!
//! `cargo bench -p tessera --bench portal` runs the full measurement (TICKETS, PAGES and
//! CONNECTIONS in the environment change its size); under `cargo test` it makes a small
//! smoke pass so that it keeps working.

use std::{
    net::TcpListener,
    process::{Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

struct Row {
    name: &'static str,
    count: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Row {
    fn print(&mut self) {
        self.latencies.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "| {:<28} | {:>7} | {:>9.0} | {:>8.2} | {:>8.2} | {:>8.2} |",
            self.name,
            self.count,
            self.count as f64 / self.elapsed.as_secs_f64(),
            ms(percentile(&self.latencies, 0.50)),
            ms(percentile(&self.latencies, 0.99)),
            ms(percentile(&self.latencies, 0.999)),
        );
    }
}

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
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(dir.path())
        .env("TESSERA_LOG", "warn")
        .env_remove("TESSERA_DATABASE_URL")
        .env_remove("TESSERA_SMTP_URL")
        .stdout(Stdio::null())
        .spawn()
        .expect("start tessera");
    let pid = server.id();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let probe = reqwest::Client::new();
        let started = Instant::now();
        while probe.get(format!("{base}/")).send().await.is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "server did not start"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let idle = rss_mb(pid);

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

        println!("\nTessera portal benchmark (SQLite, {conns} connections, loopback)\n");
        println!(
            "| {:<28} | {:>7} | {:>9} | {:>8} | {:>8} | {:>8} |",
            "what", "count", "per sec", "p50 ms", "p99 ms", "p99.9 ms"
        );
        println!(
            "|{}|{}|{}|{}|{}|{}|",
            "-".repeat(30),
            "-".repeat(9),
            "-".repeat(11),
            "-".repeat(10),
            "-".repeat(10),
            "-".repeat(10)
        );
        create.print();
        read.print();
        println!(
            "\nserver memory (RSS): {idle:.1} MB idle at start, {:.1} MB after the run",
            rss_mb(pid)
        );
    });
    let _ = server.kill();
    let _ = server.wait();
}
