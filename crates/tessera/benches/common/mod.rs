//! What the load benchmarks share: a `tessera` server process, latency statistics and the
//! result table.

#![allow(dead_code)]

use std::{
    net::TcpListener,
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

pub fn rss_mb(pid: u32) -> f64 {
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

pub struct Row {
    pub name: &'static str,
    pub count: usize,
    pub elapsed: Duration,
    pub latencies: Vec<Duration>,
}

impl Row {
    pub fn print(&mut self) {
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

/// Prints the table's head.
pub fn header(title: &str) {
    println!("\n{title}\n");
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
}

/// A `tessera serve` process on a free loopback port.
pub struct Server {
    pub base: String,
    pub child: Child,
}

impl Server {
    /// Starts the server on `data` (SQLite) and waits until it answers.
    pub async fn start(data: &Path) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let base = format!("http://127.0.0.1:{port}");
        // Every simulated requester posts from the one loopback address: no intake limits.
        let config = data.join("bench.toml");
        std::fs::create_dir_all(data).expect("data folder");
        std::fs::write(&config, "[intake]\nopen_per_client = { burst = 0, per_hour = 0 }\nopen_per_recipient = { burst = 0, per_hour = 0 }\nopen_global = { burst = 0, per_hour = 0 }\nreply_per_client = { burst = 0, per_hour = 0 }\nreply_per_requester = { burst = 0, per_hour = 0 }\nreply_global = { burst = 0, per_hour = 0 }\nchallenge_auto_per_minute = 4294967295\n").expect("bench config");
        let child = Command::new(env!("CARGO_BIN_EXE_tessera"))
            .arg("--config")
            .arg(&config)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(data)
            .env("TESSERA_LOG", "warn")
            .env_remove("TESSERA_DATABASE_URL")
            .env_remove("TESSERA_SMTP_URL")
            .stdout(Stdio::null())
            .spawn()
            .expect("start tessera");
        let probe = reqwest::Client::new();
        let started = Instant::now();
        while probe.get(format!("{base}/")).send().await.is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "server did not start"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Server { base, child }
    }

    /// The server's resident memory in MB.
    pub fn rss_mb(&self) -> f64 {
        rss_mb(self.child.id())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `requests` GETs over `conns` concurrent tasks; `path(i)` names the i-th request.
pub async fn measure(
    name: &'static str,
    client: &reqwest::Client,
    base: &str,
    requests: usize,
    conns: usize,
    path: impl Fn(usize) -> String + Send + Sync + Clone + 'static,
) -> Row {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };
    let next = Arc::new(AtomicUsize::new(0));
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let (c, base, next, path) = (client.clone(), base.to_owned(), next.clone(), path.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    return lat;
                }
                let s = Instant::now();
                let res = c.get(format!("{base}{}", path(i))).send().await.unwrap();
                assert_eq!(res.status(), 200, "{}", path(i));
                res.bytes().await.unwrap();
                lat.push(s.elapsed());
            }
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    Row {
        name,
        count: requests,
        elapsed: t0.elapsed(),
        latencies,
    }
}
