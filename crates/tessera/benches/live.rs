//! What the agents' event stream (`GET /agent/events`) costs a real `tessera serve` process
//! on SQLite filled by `tessera demo`: its memory (RSS) and CPU time while idle with no
//! stream open, idle with STREAMS open streams (one connection each, an administrator who
//! hears of every ticket), and while TICKETS_CREATED tickets are opened through osTicket's
//! API, with how long each ticket's event took to reach every stream.
//!
//! `cargo bench -p tessera --bench live` runs it with STREAMS=500; under `cargo test` it
//! makes a small smoke pass.

mod common;

use std::{
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use common::{Server, env_or, percentile, rss_mb};

/// The process's CPU time (user + system) so far, from `/proc/PID/stat`.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the whole line; 11 and 12 after the name.
    let hz = 100; // USER_HZ on Linux
    Duration::from_millis((ticks(11) + ticks(12)) * 1000 / hz)
}

/// CPU used by `pid` during `window`, as a share of one core.
async fn cpu_share(pid: u32, window: Duration) -> f64 {
    let before = cpu_time(pid);
    tokio::time::sleep(window).await;
    (cpu_time(pid) - before).as_secs_f64() / window.as_secs_f64() * 100.0
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let streams = env_or("STREAMS", if full { 500 } else { 20 });
    let created = env_or("TICKETS_CREATED", if full { 100 } else { 5 });
    let idle_secs = env_or("IDLE_SECS", if full { 10 } else { 1 }) as u64;
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["demo", "--tickets", "1000"])
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
    let key = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args([
            "api-key", "create", "--name", "bench", "--scope", "create", "--rate", "100000",
        ])
        .arg("--data-dir")
        .arg(dir.path())
        .env("TESSERA_LOG", "warn")
        .env_remove("TESSERA_DATABASE_URL")
        .output()
        .expect("tessera api-key create");
    assert!(
        key.status.success(),
        "api-key failed: {}",
        String::from_utf8_lossy(&key.stderr)
    );
    let key = String::from_utf8(key.stdout).unwrap().trim().to_owned();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let server = Server::start(dir.path()).await;
        let pid = server.child.id();
        let base = server.base.clone();
        // Signed in by hand, so that the session cookie can go with every stream.
        let c = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let res = c.get(format!("{base}/agent/login")).send().await.unwrap();
        let mut cookies = set_cookies(&res);
        let page = res.text().await.unwrap();
        let m = "name=\"csrf\" value=\"";
        let i = page.find(m).unwrap() + m.len();
        let csrf = page[i..i + 32].to_owned();
        let res = c
            .post(format!("{base}/agent/login"))
            .header("cookie", cookies.join("; "))
            .form(&[("csrf", csrf.as_str()), ("username", "demo-admin"), ("password", tessera_core::DEMO_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "signed in");
        cookies.extend(set_cookies(&res));
        let cookie = cookies.join("; ");
        let c = reqwest::Client::new();
        // Warm the server up as a page view would (the first requests load caches).
        for _ in 0..20 {
            let res = c.get(format!("{base}/agent/queue/open")).header("cookie", &cookie).send().await.unwrap();
            assert_eq!(res.status(), 200);
        }
        let idle = Duration::from_secs(idle_secs);
        let rss_0 = rss_mb(pid);
        let cpu_0 = cpu_share(pid, idle).await;

        // STREAMS streams, each on its own connection, counting the ticket events they read.
        let heard = Arc::new(AtomicUsize::new(0));
        let mut readers = Vec::new();
        for _ in 0..streams {
            // One client per stream: its own connection, the same session cookie.
            let client = reqwest::Client::new();
            let mut res = client
                .get(format!("{base}/agent/events"))
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            let heard = heard.clone();
            readers.push(tokio::spawn(async move {
                while let Ok(Some(chunk)) = res.chunk().await {
                    let n = chunk.windows(12).filter(|w| w == b"event: ticke" || w == b"event:ticket").count();
                    heard.fetch_add(n, Ordering::Relaxed);
                }
            }));
        }
        let rss_streams = rss_mb(pid);
        let cpu_streams = cpu_share(pid, idle).await;

        // Tickets through the API, one at a time: each waits until every stream heard it.
        let api = reqwest::Client::new();
        let mut fanout = Vec::new();
        let before = cpu_time(pid);
        let t0 = Instant::now();
        for n in 0..created {
            let start = Instant::now();
            let expected = heard.load(Ordering::Relaxed) + streams;
            let res = api
                .post(format!("{base}/api/tickets.json"))
                .header("X-API-Key", &key)
                .json(&serde_json::json!({"name": "Bench", "email": "bench@example.org",
                    "subject": format!("Bench {n}"), "message": "Live bench."}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201);
            while heard.load(Ordering::Relaxed) < expected {
                assert!(start.elapsed() < Duration::from_secs(30), "events did not arrive");
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            fanout.push(start.elapsed());
        }
        let busy = t0.elapsed();
        let cpu_busy = (cpu_time(pid) - before).as_secs_f64() / busy.as_secs_f64() * 100.0;
        let rss_busy = rss_mb(pid);
        fanout.sort();

        println!("\nTessera live-stream benchmark (SQLite, 1000 demo tickets, {streams} streams, loopback)\n");
        println!("| state | server RSS (MB) | server CPU (% of one core) |");
        println!("| --- | ---: | ---: |");
        println!("| idle, no stream | {rss_0:.1} | {cpu_0:.2} |");
        println!("| idle, {streams} streams | {rss_streams:.1} | {cpu_streams:.2} |");
        println!("| {created} API tickets, each heard by {streams} streams | {rss_busy:.1} | {cpu_busy:.1} |");
        println!(
            "\nAPI ticket → its event read by all {streams} streams: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms \
             (server memory per open stream: {:.1} KB)",
            percentile(&fanout, 0.50).as_secs_f64() * 1000.0,
            percentile(&fanout, 0.95).as_secs_f64() * 1000.0,
            fanout.last().unwrap().as_secs_f64() * 1000.0,
            (rss_streams - rss_0) * 1024.0 / streams as f64,
        );
        for r in readers {
            r.abort();
        }
    });
}

/// The `name=value` pairs a response sets.
fn set_cookies(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect()
}
