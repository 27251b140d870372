//! The benchmark of issue #7 at scale: a data set of `tessera demo` tickets (reused when it
//! is already there), a real `tessera serve` child process on a free loopback port, and eight
//! concurrent keep-alive connections per scenario for a fixed time. It measures API ticket
//! creation, the requester's ticket page, the agent's Open queue (first and a deep page),
//! the agent's ticket page and search for a common and a rare word, plus the server's
//! memory, prints a Markdown table and writes it to a file.
//!
//! `./scripts/bench` is the documented way to run it (`cargo bench -p tessera --bench scale`
//! with `TESSERA_BENCH_*` in the environment). Under `cargo test` it makes a smoke pass on a
//! tiny SQLite data set in a temporary folder, about a second per scenario.
//!
//! Environment: `TESSERA_BENCH_TICKETS` (100000), `TESSERA_BENCH_DATABASE` (`sqlite` or
//! `postgres`), `TESSERA_BENCH_DURATION` (seconds per scenario, 5), `TESSERA_BENCH_OUT` (the
//! results file), `TESSERA_BENCH_DATA` (the data folder), `TESSERA_BENCH_PG` (the PostgreSQL
//! server, `postgres://postgres@127.0.0.1:5432`), `CONNECTIONS` (8); for profiling,
//! `TESSERA_BENCH_ONLY=TEXT` runs only the scenarios whose name contains TEXT and
//! `TESSERA_BENCH_PERF=PREFIX` records `perf record -g` of the server per scenario;
//! `TESSERA_BENCH_LOG` is the server's `TESSERA_LOG` (`warn`), its log `serve.log` in the
//! data folder (`sqlx::query=debug` lists every statement).

mod common;

use std::{
    fmt::Write as _,
    fs,
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, bail, ensure};
use common::{env_or, percentile};
use sqlx::Row as _;
use tessera_core::{DEMO_COMMON_WORD, DEMO_PASSWORD, DEMO_RARE_WORD};

/// The first demo ticket's number; demo ticket `serial` is `FIRST_NUMBER + serial`.
const FIRST_NUMBER: u64 = 10_000_000;
/// How many pages deep the deep-page scenarios go (or as deep as the queue is).
const DEEP_PAGES: usize = 200;
/// The demo agent who works in one department (Öffentlichkeitsarbeit) only.
const DEPARTMENT_AGENT: &str = "demo1";
/// The demo administrator, who sees every ticket.
const ADMIN: &str = "demo-admin";
/// What every queue row carries (its bulk-selection checkbox).
const ROW: &str = "name=\"t\" value=\"";

fn main() {
    if let Err(e) = run() {
        eprintln!("benchmark failed: {e:#}");
        std::process::exit(1);
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

struct Settings {
    full: bool,
    tickets: u64,
    backend: Backend,
    duration: Duration,
    warmup: Duration,
    conns: usize,
    data: PathBuf,
    out: PathBuf,
    pg: String,
    /// Keeps the smoke pass's temporary folder alive.
    _temp: Option<tempfile::TempDir>,
}

fn settings() -> anyhow::Result<Settings> {
    let full = std::env::args().any(|a| a == "--bench");
    let tickets = env_or("TESSERA_BENCH_TICKETS", if full { 100_000 } else { 300 }) as u64;
    ensure!(tickets > 0, "TESSERA_BENCH_TICKETS must be at least 1");
    let backend = match std::env::var("TESSERA_BENCH_DATABASE").as_deref() {
        Ok("sqlite") | Err(_) => Backend::Sqlite,
        Ok("postgres") => Backend::Postgres,
        Ok(other) => bail!("TESSERA_BENCH_DATABASE is `sqlite` or `postgres`, not `{other}`"),
    };
    let secs = match std::env::var("TESSERA_BENCH_DURATION") {
        Ok(v) => v
            .parse::<f64>()
            .ok()
            .filter(|s| *s > 0.0 && *s < 3600.0)
            .with_context(|| format!("TESSERA_BENCH_DURATION is seconds, not `{v}`"))?,
        Err(_) if full => 5.0,
        Err(_) => 0.7,
    };
    let duration = Duration::from_secs_f64(secs);
    let warmup = Duration::from_secs_f64((secs / 5.0).min(1.0));
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    let db = backend.name();
    let (data, out, temp) = if full {
        let data = std::env::var_os("TESSERA_BENCH_DATA")
            .map(PathBuf::from)
            .unwrap_or_else(|| target.join(format!("data-{db}-{tickets}")));
        let out = std::env::var_os("TESSERA_BENCH_OUT")
            .map(PathBuf::from)
            .unwrap_or_else(|| target.join(format!("results-{db}-{tickets}.md")));
        (data, out, None)
    } else {
        let temp = tempfile::tempdir().context("temporary folder")?;
        let data = temp.path().join("data");
        let out = temp.path().join("results.md");
        (data, out, Some(temp))
    };
    Ok(Settings {
        full,
        tickets,
        backend,
        duration,
        warmup,
        conns: env_or("CONNECTIONS", 8).max(1),
        data,
        out,
        pg: std::env::var("TESSERA_BENCH_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
            .trim_end_matches('/')
            .to_owned(),
        _temp: temp,
    })
}

fn run() -> anyhow::Result<()> {
    let s = settings()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(bench(&s))
}

/// The data set: a database URL and the folder with attachments.
struct DataSet {
    url: String,
    /// How long `tessera demo` took, and whether that was in this run.
    generated: Option<(f64, bool)>,
    /// Tickets in the database when the measurement starts (demo and earlier API tickets).
    tickets: i64,
}

fn pg_database(s: &Settings) -> String {
    format!("tessera_bench_{}", s.tickets)
}

fn database_url(s: &Settings) -> String {
    match s.backend {
        Backend::Sqlite => format!("sqlite:{}", s.data.join("tessera.db").display()),
        Backend::Postgres => format!("{}/{}", s.pg, pg_database(s)),
    }
}

/// Runs `tessera` with the data set's folder and database.
fn tessera(s: &Settings, url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tessera"));
    c.arg("--data-dir")
        .arg(&s.data)
        .env("TESSERA_DATABASE_URL", url)
        .env(
            "TESSERA_LOG",
            std::env::var("TESSERA_BENCH_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .env_remove("TESSERA_SMTP_URL")
        .env_remove("TESSERA_CONFIG")
        .current_dir(&s.data);
    c
}

/// Opens a connection to the data set's database and runs `f` on it.
macro_rules! on_db {
    ($url:expr, $c:ident => $body:expr) => {{
        let url: &str = $url;
        if url.starts_with("sqlite:") {
            use sqlx::ConnectOptions as _;
            let mut $c = url
                .parse::<sqlx::sqlite::SqliteConnectOptions>()?
                .read_only(true)
                .connect()
                .await
                .with_context(|| format!("cannot open {url}"))?;
            $body
        } else {
            use sqlx::Connection as _;
            let mut $c = sqlx::PgConnection::connect(url)
                .await
                .with_context(|| format!("cannot connect to {url}"))?;
            $body
        }
    }};
}

/// Demo tickets and all tickets in the database (`None` if it has no Tessera tables).
async fn counts(url: &str) -> anyhow::Result<Option<(i64, i64)>> {
    let q = "SELECT
        (SELECT COUNT(*) FROM ticket
          WHERE length(number) = 8 AND number >= '10000000' AND source <> 'api'),
        (SELECT COUNT(*) FROM ticket)";
    on_db!(url, c => match sqlx::query(q).fetch_one(&mut c).await {
        Ok(row) => Ok(Some((row.try_get(0)?, row.try_get(1)?))),
        Err(_) => Ok(None),
    })
}

async fn data_set(s: &Settings) -> anyhow::Result<DataSet> {
    let url = database_url(s);
    let stamp = s.data.join("generated-seconds");
    let exists = match s.backend {
        Backend::Sqlite => s.data.join("tessera.db").exists(),
        Backend::Postgres => {
            use sqlx::Connection as _;
            let admin = format!("{}/postgres", s.pg);
            let mut c = sqlx::PgConnection::connect(&admin)
                .await
                .with_context(|| format!("cannot connect to PostgreSQL at {admin}"))?;
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
                .bind(pg_database(s))
                .fetch_one(&mut c)
                .await?;
            // The attachments live in the data folder: without it the set is not whole.
            n > 0 && s.data.exists()
        }
    };
    if exists && let Some((demo, all)) = counts(&url).await? {
        if demo == s.tickets as i64 {
            let generated = fs::read_to_string(&stamp)
                .ok()
                .and_then(|t| t.trim().parse().ok())
                .map(|secs| (secs, false));
            println!(
                "reusing the data set with {demo} demo tickets ({all} tickets in all): {}",
                common_place(s)
            );
            return Ok(DataSet {
                url,
                generated,
                tickets: all,
            });
        }
        println!(
            "the data set at {} holds {demo} demo tickets, not {}: generating it afresh",
            common_place(s),
            s.tickets
        );
    }
    // Afresh: an empty folder and, on PostgreSQL, an empty database.
    if s.data.exists() {
        fs::remove_dir_all(&s.data)
            .with_context(|| format!("cannot remove {}", s.data.display()))?;
    }
    fs::create_dir_all(&s.data).with_context(|| format!("cannot create {}", s.data.display()))?;
    if s.backend == Backend::Postgres {
        use sqlx::{Connection as _, Executor as _};
        let mut c = sqlx::PgConnection::connect(&format!("{}/postgres", s.pg)).await?;
        let db = pg_database(s);
        c.execute(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {db} WITH (FORCE)"
        )))
        .await?;
        c.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
            .await?;
    }
    println!(
        "generating {} demo tickets with `tessera demo` ({})",
        s.tickets,
        s.backend.name()
    );
    let t0 = Instant::now();
    let status = tessera(s, &url)
        .args(["demo", "--tickets", &s.tickets.to_string()])
        .stdout(if s.full {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .stderr(if s.full {
            Stdio::inherit()
        } else {
            Stdio::piped()
        })
        .output()
        .context("cannot run tessera demo")?;
    ensure!(
        status.status.success(),
        "tessera demo failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let secs = t0.elapsed().as_secs_f64();
    fs::write(&stamp, format!("{secs:.1}\n"))?;
    let (demo, all) = counts(&url)
        .await?
        .context("the demo left no tickets behind")?;
    ensure!(
        demo == s.tickets as i64,
        "tessera demo made {demo} demo tickets, not {}",
        s.tickets
    );
    Ok(DataSet {
        url,
        generated: Some((secs, true)),
        tickets: all,
    })
}

fn common_place(s: &Settings) -> String {
    match s.backend {
        Backend::Sqlite => s.data.display().to_string(),
        Backend::Postgres => format!("{} (database {})", s.data.display(), pg_database(s)),
    }
}

/// (number, requester's address) of `n` demo tickets spread evenly over the data set.
async fn requesters(url: &str, tickets: u64, n: u64) -> anyhow::Result<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    on_db!(url, c => {
        for k in 0..n.min(tickets) {
            let number = (FIRST_NUMBER + k * tickets / n.min(tickets)).to_string();
            let email: Option<String> = sqlx::query_scalar(
                "SELECT c.email FROM ticket t JOIN contact c ON c.contact_id = t.requester_id
                 WHERE t.number = $1",
            )
            .bind(&number)
            .fetch_optional(&mut c)
            .await?;
            let email = email.with_context(|| format!("demo ticket {number} is missing"))?;
            pairs.push((number, email));
        }
    });
    Ok(pairs)
}

/// The `tessera serve` child process; killed when dropped, on every way out.
struct Server {
    base: String,
    child: Child,
    log: PathBuf,
}

impl Server {
    async fn start(s: &Settings, url: &str) -> anyhow::Result<Server> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let base = format!("http://127.0.0.1:{port}");
        // Many requesters check their ticket's status from the one loopback address: the
        // per-address limit is configured up (the per-ticket one is left as it is); so are
        // the intake limits, as every simulated requester opens tickets from it too.
        let config = s.data.join("bench.toml");
        fs::write(
            &config,
            "status_attempts_per_ip = 1000000\n\n[intake]\nopen_per_client = { burst = 0, per_hour = 0 }\nopen_per_recipient = { burst = 0, per_hour = 0 }\nopen_global = { burst = 0, per_hour = 0 }\nreply_per_client = { burst = 0, per_hour = 0 }\nreply_per_requester = { burst = 0, per_hour = 0 }\nreply_global = { burst = 0, per_hour = 0 }\nchallenge_auto_per_minute = 4294967295\n",
        )?;
        let log = s.data.join("serve.log");
        // The server's log (standard output) and anything it prints on standard error.
        let log_file = fs::File::create(&log)?;
        let child = tessera(s, url)
            .arg("--config")
            .arg(&config)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("TESSERA_BASE_URL", &base)
            .stdout(log_file.try_clone()?)
            .stderr(log_file)
            .spawn()
            .context("cannot start tessera serve")?;
        let mut server = Server { base, child, log };
        let probe = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if probe
                .get(format!("{}/", server.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(server);
            }
            if let Some(status) = server.child.try_wait()? {
                bail!("tessera serve exited ({status}): {}", server.log_tail());
            }
            if started.elapsed() > Duration::from_secs(120) {
                bail!(
                    "tessera serve did not answer within 2 minutes: {}",
                    server.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn log_tail(&self) -> String {
        let text = fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// The CPU time the server has used (user and system).
    fn cpu(&self) -> Duration {
        let stat =
            fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        // After the command's name in parentheses: state is field 3, utime 14, stime 15.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        let ticks = |i: usize| {
            fields
                .get(i - 3)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0)
        };
        // Linux reports these in USER_HZ, which is 100 on every platform Tessera runs on.
        Duration::from_millis((ticks(14) + ticks(15)) * 10)
    }

    /// (VmRSS, VmHWM) in MB.
    fn memory(&self) -> (f64, f64) {
        let status =
            fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
                .map_or(0.0, |kb| kb / 1024.0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(64)
        .build()?)
}

/// The CSRF token in the form at `url`.
async fn csrf(c: &reqwest::Client, url: &str) -> anyhow::Result<String> {
    let page = c.get(url).send().await?.text().await?;
    let marker = "name=\"csrf\" value=\"";
    let start = page
        .find(marker)
        .with_context(|| format!("{url} has no form with a CSRF token"))?
        + marker.len();
    let end = page[start..].find('"').context("CSRF token")? + start;
    Ok(page[start..end].to_owned())
}

async fn sign_in(base: &str, user: &str) -> anyhow::Result<reqwest::Client> {
    let c = client()?;
    let login = format!("{base}/agent/login");
    let token = csrf(&c, &login).await?;
    let res = c
        .post(&login)
        .form(&[
            ("csrf", token.as_str()),
            ("username", user),
            ("password", DEMO_PASSWORD),
        ])
        .send()
        .await?;
    ensure!(
        res.status().is_success() && !res.url().path().starts_with("/agent/login"),
        "{user} cannot sign in ({}, {})",
        res.status(),
        res.url()
    );
    Ok(c)
}

/// A client whose session may see `tickets`, each opened through check status.
async fn requester(base: &str, tickets: &[(String, String)]) -> anyhow::Result<reqwest::Client> {
    let c = client()?;
    let form = format!("{base}/status");
    for (number, email) in tickets {
        let token = csrf(&c, &form).await?;
        let res = c
            .post(&form)
            .form(&[
                ("csrf", token.as_str()),
                ("number", number.as_str()),
                ("email", email.as_str()),
            ])
            .send()
            .await?;
        ensure!(
            res.status().is_success() && res.url().path() == format!("/tickets/{number}"),
            "check status for {number} / {email} failed ({}, {})",
            res.status(),
            res.url()
        );
    }
    Ok(c)
}

/// The `rel="next"` link of a queue page.
fn next_link(page: &str) -> Option<String> {
    let at = page.find("rel=\"next\"")?;
    let tag = &page[page[..at].rfind('<')?..at];
    let href = tag.find("href=\"")? + 6;
    let end = tag[href..].find('"')? + href;
    Some(tag[href..end].replace("&amp;", "&").replace("&#x3D;", "="))
}

/// Follows `rel="next"` from `first` up to `pages` times; the URL reached and its depth.
async fn deep_page(
    c: &reqwest::Client,
    base: &str,
    first: &str,
    pages: usize,
) -> anyhow::Result<(String, usize)> {
    let get = async |url: &str| -> anyhow::Result<String> {
        let res = c.get(format!("{base}{url}")).send().await?;
        ensure!(res.status() == 200, "{url}: {}", res.status());
        Ok(res.text().await?)
    };
    let mut url = first.to_owned();
    let mut page = get(&url).await?;
    let mut depth = 1;
    while depth < pages
        && let Some(next) = next_link(&page)
    {
        let next = if next.starts_with('/') {
            next
        } else if let Some(q) = next.strip_prefix('?') {
            format!("{}?{q}", url.split('?').next().unwrap_or_default())
        } else {
            bail!("unexpected next link {next}")
        };
        // A full last page links to an empty one: the deep page is the last with rows.
        let text = get(&next).await?;
        if !text.contains(ROW) {
            break;
        }
        (url, page) = (next, text);
        depth += 1;
    }
    ensure!(page.contains(ROW), "{url} lists no tickets");
    Ok((url, depth))
}

/// One request of a scenario and what its answer must be.
struct Probe {
    url: String,
    /// A JSON body and an API key: POST; otherwise GET.
    post: Option<(serde_json::Value, String)>,
    status: u16,
    /// Text the answer must contain.
    contains: String,
}

type Plan = Arc<dyn Fn(usize, u64) -> Probe + Send + Sync>;

struct Outcome {
    name: String,
    requests: usize,
    /// The server's CPU time (user + system) per request, warm-up included.
    cpu_per_request: Duration,
    elapsed: Duration,
    latencies: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
    /// Left out by `TESSERA_BENCH_ONLY`.
    skipped: bool,
}

/// Runs `plan` on `clients[w % len]` from `conns` tasks: a warm-up, then `duration`.
async fn scenario(
    s: &Settings,
    server: &Server,
    name: impl Into<String>,
    clients: &[reqwest::Client],
    plan: Plan,
) -> Outcome {
    let name = name.into();
    let skip = std::env::var("TESSERA_BENCH_ONLY").is_ok_and(|only| !name.contains(&only));
    let mut out = Outcome {
        name,
        requests: 0,
        cpu_per_request: Duration::ZERO,
        elapsed: s.duration,
        latencies: Vec::new(),
        errors: 0,
        first_error: None,
        skipped: skip,
    };
    if skip {
        return out;
    }
    // `TESSERA_BENCH_PERF=PREFIX` records a CPU profile of the server per scenario.
    let perf = std::env::var("TESSERA_BENCH_PERF").ok().and_then(|prefix| {
        let file = format!("{prefix}-{}.data", slug(&out.name));
        Command::new("perf")
            .args(["record", "-F", "499", "-g", "-o", &file, "-p"])
            .arg(server.child.id().to_string())
            .args(["--", "sleep"])
            .arg(format!("{:.1}", (s.warmup + s.duration).as_secs_f64()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()
    });
    let mut tasks = Vec::new();
    let cpu_before = server.cpu();
    let started = Instant::now();
    let measure_from = started + s.warmup;
    let until = measure_from + s.duration;
    for w in 0..s.conns {
        let c = clients[w % clients.len()].clone();
        let plan = plan.clone();
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut errors, mut first_error) = (Vec::new(), 0usize, None);
            let mut warm = 0usize;
            let mut i = 0u64;
            loop {
                let probe = plan(w, i);
                i += 1;
                let t = Instant::now();
                if t >= until {
                    break;
                }
                let req = match &probe.post {
                    Some((body, key)) => c.post(&probe.url).header("X-API-Key", key).json(body),
                    None => c.get(&probe.url),
                };
                let answer = match req.send().await {
                    Ok(res) => {
                        let status = res.status().as_u16();
                        res.text().await.map(|b| (status, b))
                    }
                    Err(e) => Err(e),
                };
                if t < measure_from {
                    warm += 1;
                    continue;
                }
                lat.push(t.elapsed());
                let wrong = match answer {
                    Ok((status, body)) if status == probe.status => (!body
                        .contains(&probe.contains))
                    .then(|| format!("{}: {status} without `{}`", probe.url, probe.contains)),
                    Ok((status, body)) => Some(format!(
                        "{}: {status} {}",
                        probe.url,
                        body.chars().take(200).collect::<String>()
                    )),
                    Err(e) => Some(format!("{}: {e}", probe.url)),
                };
                if let Some(w) = wrong {
                    errors += 1;
                    first_error.get_or_insert(w);
                }
            }
            (lat, errors, first_error, warm)
        }));
    }
    let mut warm = 0;
    for t in tasks {
        match t.await {
            Ok((lat, errors, first, w)) => {
                warm += w;
                out.latencies.extend(lat);
                out.errors += errors;
                if out.first_error.is_none() {
                    out.first_error = first;
                }
            }
            Err(e) => {
                out.errors += 1;
                out.first_error.get_or_insert(format!("worker failed: {e}"));
            }
        }
    }
    out.requests = out.latencies.len();
    out.cpu_per_request = server
        .cpu()
        .saturating_sub(cpu_before)
        .checked_div((out.requests + warm).max(1) as u32)
        .unwrap_or_default();
    out.latencies.sort();
    if let Some(mut p) = perf {
        let _ = p.wait();
    }
    let row = row(&out);
    println!("{row}");
    if let Some(e) = &out.first_error {
        println!("    first error: {e}");
    }
    out
}

fn row(o: &Outcome) -> String {
    let ms = |p: f64| percentile(&o.latencies, p).as_secs_f64() * 1000.0;
    let max = o.latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    format!(
        "| {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {:.2} |",
        o.name,
        o.requests,
        o.requests as f64 / o.elapsed.as_secs_f64(),
        ms(0.50),
        ms(0.95),
        ms(0.99),
        max,
        o.errors,
        o.cpu_per_request.as_secs_f64() * 1000.0
    )
}

const HEAD: &str = "| scenario | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors \
                    | server CPU ms/req |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|";

async fn bench(s: &Settings) -> anyhow::Result<()> {
    let set = data_set(s).await?;
    let sample = if s.full { 256 } else { 32 };
    let pairs = requesters(&set.url, s.tickets, sample).await?;
    // The API key, minted the way an operator would; only it is on standard output.
    let out = tessera(s, &set.url)
        .args([
            "api-key",
            "create",
            "--name",
            "Benchmark",
            "--scope",
            "create",
        ])
        .args(["--rate", "1000000"])
        .output()
        .context("cannot run tessera api-key create")?;
    ensure!(
        out.status.success(),
        "tessera api-key create failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = String::from_utf8(out.stdout)?.trim().to_owned();

    let server = Server::start(s, &set.url).await?;
    let base = server.base.clone();
    let (rss_start, _) = server.memory();
    tokio::time::sleep(if s.full {
        Duration::from_secs(2)
    } else {
        Duration::from_millis(200)
    })
    .await;
    let (rss_idle, _) = server.memory();
    let load_start = loadavg();

    let department = sign_in(&base, DEPARTMENT_AGENT).await?;
    let admin = sign_in(&base, ADMIN).await?;
    // Each connection's requester may see its own share of the sampled tickets.
    let per = pairs.len().div_ceil(s.conns).max(1);
    let mut requesters_ = Vec::new();
    for share in pairs.chunks(per) {
        requesters_.push(requester(&base, share).await?);
    }
    let (rss_signed_in, _) = server.memory();

    let db = s.backend.name();
    let title = format!(
        "Tessera benchmark: {} tickets on {db}, {} connections over loopback, {:.1} s per \
         scenario after {:.1} s warm-up",
        set.tickets,
        s.conns,
        s.duration.as_secs_f64(),
        s.warmup.as_secs_f64()
    );
    println!("\n{title}\n\n{HEAD}");
    let mut rows = Vec::new();

    // (b) The requester's ticket page, each connection over its share of tickets.
    let shares: Arc<Vec<Vec<String>>> = Arc::new(
        pairs
            .chunks(per)
            .map(|c| c.iter().map(|(n, _)| n.clone()).collect())
            .collect(),
    );
    let b = base.clone();
    rows.push(
        scenario(
            s,
            &server,
            "requester ticket page `GET /tickets/{n}`",
            &requesters_,
            Arc::new(move |w, i| {
                let share = &shares[w % shares.len()];
                let n = &share[i as usize % share.len()];
                Probe {
                    url: format!("{b}/tickets/{n}"),
                    post: None,
                    status: 200,
                    contains: n.clone(),
                }
            }),
        )
        .await,
    );

    // (c) The Open queue's first page.
    for (who, c) in [(DEPARTMENT_AGENT, &department), (ADMIN, &admin)] {
        let url = format!("{base}/agent/queue/open");
        rows.push(
            scenario(
                s,
                &server,
                format!("Open queue, first page ({who})"),
                std::slice::from_ref(c),
                Arc::new(move |_, _| Probe {
                    url: url.clone(),
                    post: None,
                    status: 200,
                    contains: ROW.into(),
                }),
            )
            .await,
        );
    }

    // (d) A deep page, found once by following `rel="next"`, then asked for again and again.
    for (queue, who, c) in [
        ("open", DEPARTMENT_AGENT, &department),
        ("open", ADMIN, &admin),
        ("all", ADMIN, &admin),
    ] {
        let (url, depth) =
            deep_page(c, &base, &format!("/agent/queue/{queue}"), DEEP_PAGES).await?;
        let url = format!("{base}{url}");
        rows.push(
            scenario(
                s,
                &server,
                format!("{} queue, page {depth} ({who})", capital(queue)),
                std::slice::from_ref(c),
                Arc::new(move |_, _| Probe {
                    url: url.clone(),
                    post: None,
                    status: 200,
                    contains: ROW.into(),
                }),
            )
            .await,
        );
    }

    // (e) The agent's ticket page over tickets spread through the whole data set.
    let (b, n) = (base.clone(), s.tickets);
    rows.push(
        scenario(
            s,
            &server,
            format!("agent ticket page `GET /agent/tickets/{{n}}` ({ADMIN})"),
            std::slice::from_ref(&admin),
            Arc::new(move |w, i| {
                let k = (i * 8 + w as u64).wrapping_mul(7_919) % n;
                let number = (FIRST_NUMBER + k).to_string();
                Probe {
                    url: format!("{b}/agent/tickets/{number}"),
                    post: None,
                    status: 200,
                    contains: number,
                }
            }),
        )
        .await,
    );

    // (f, g) Search for a common and a rare word.
    for (word, who, c) in [
        (DEMO_COMMON_WORD, ADMIN, &admin),
        (DEMO_COMMON_WORD, DEPARTMENT_AGENT, &department),
        (DEMO_RARE_WORD, ADMIN, &admin),
    ] {
        let url = format!("{base}/agent/queue/all?q={word}");
        rows.push(
            scenario(
                s,
                &server,
                format!("search `{word}` in All ({who})"),
                std::slice::from_ref(c),
                Arc::new(move |_, _| Probe {
                    url: url.clone(),
                    post: None,
                    status: 200,
                    contains: ROW.into(),
                }),
            )
            .await,
        );
    }

    // (a) Ticket creation through the API, last: it adds tickets to the data set.
    let api = client()?;
    let url = format!("{base}/api/tickets.json");
    rows.push(
        scenario(
            s,
            &server,
            "API ticket creation `POST /api/tickets.json`",
            std::slice::from_ref(&api),
            Arc::new(move |w, i| Probe {
                url: url.clone(),
                post: Some((
                    serde_json::json!({
                        "name": "Bench Requester",
                        "email": format!("bench{w}@example.org"),
                        "subject": format!("Benchmark ticket {w}-{i}"),
                        "message": "The printer on the second floor is out of toner.",
                        "ip": "192.0.2.10",
                    }),
                    key.clone(),
                )),
                status: 201,
                contains: String::new(),
            }),
        )
        .await,
    );

    let (rss_end, peak) = server.memory();
    let load_end = loadavg();
    let log = server.log_tail();
    drop(server);

    rows.retain(|r| !r.skipped);
    let errors: usize = rows.iter().map(|r| r.errors).sum();
    let mut report = format!("# {title}\n\n{HEAD}\n");
    for r in &rows {
        let _ = writeln!(report, "{}", row(r));
    }
    let generated = match set.generated {
        Some((secs, true)) => format!("{secs:.1} s (`tessera demo --tickets {}`)", s.tickets),
        Some((secs, false)) => format!(
            "{secs:.1} s (`tessera demo --tickets {}`, an earlier run; reused)",
            s.tickets
        ),
        None => "unknown (reused)".into(),
    };
    let _ = write!(
        report,
        "\n- tickets in the data set: {} ({} demo tickets; API tickets of earlier runs included)\n\
         - database: {db}{}\n\
         - server memory (VmRSS): {rss_start:.1} MB at start, {rss_idle:.1} MB idle after a \
         settle, {rss_signed_in:.1} MB with the sessions signed in, {rss_end:.1} MB at the end\n\
         - peak server memory (VmHWM): {peak:.1} MB\n\
         - data set generation: {generated}\n\
         - machine: {} cores; client and server share them; load average {load_start} \
         before, {load_end} after\n\
         - command: `./scripts/bench --tickets {} --database {db} --duration {}`\n",
        set.tickets,
        s.tickets,
        if s.backend == Backend::Postgres {
            format!(" (database {})", pg_database(s))
        } else {
            String::new()
        },
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        s.tickets,
        s.duration.as_secs_f64(),
    );
    for r in rows.iter().filter(|r| r.first_error.is_some()) {
        let _ = writeln!(
            report,
            "- first error in {}: {}",
            r.name,
            r.first_error.as_deref().unwrap_or_default()
        );
    }
    println!("{}", &report[report.find("\n- tickets").unwrap_or(0)..]);
    if let Some(dir) = s.out.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(&s.out, &report).with_context(|| format!("cannot write {}", s.out.display()))?;
    println!("written to {}", s.out.display());
    if errors > 0 {
        bail!("{errors} requests failed; the server's last log lines:\n{log}");
    }
    if !s.full {
        // The smoke pass must have measured every scenario at least once.
        for r in &rows {
            ensure!(r.requests > 0, "no request measured in {}", r.name);
        }
    }
    Ok(())
}

/// The 1-minute load average (other work on the machine skews the figures).
fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

/// A file-name-safe form of a scenario's name.
fn slug(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

fn capital(queue: &str) -> String {
    let mut c = queue.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
