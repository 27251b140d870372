//! The test harness: `TestApp` starts Tessera on a fresh database; `SmtpServer` runs aiosmtpd
//! writing into a Maildir.

use std::{
    net::{TcpListener as StdListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use tessera::{Config, Overrides, Running};
use tessera_core::Tessera;

/// How long a test waits for something asynchronous before failing.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Polls `check` until it returns `Some`, or fails the test after `PATIENCE`.
pub async fn eventually<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A database for one test.
pub struct TestDb {
    pub url: String,
    admin_url: Option<(String, String)>,
}

impl TestDb {
    pub async fn new(dir: &Path) -> Self {
        match std::env::var("TESSERA_TEST_DATABASE_URL") {
            Ok(admin) if !admin.is_empty() => {
                use sqlx::Connection;
                let name = format!("tessera_test_{}", tessera_core::token::random_hex(6));
                let mut c = sqlx::PgConnection::connect(&admin)
                    .await
                    .expect("PostgreSQL reachable");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut c)
                    .await
                    .expect("create test database");
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                TestDb {
                    url: format!("{base}/{name}"),
                    admin_url: Some((admin, name)),
                }
            }
            _ => TestDb {
                url: format!("sqlite:{}", dir.join("tessera.db").display()),
                admin_url: None,
            },
        }
    }

    pub async fn drop_db(&self) {
        if let Some((admin, name)) = &self.admin_url {
            use sqlx::Connection;
            if let Ok(mut c) = sqlx::PgConnection::connect(admin).await {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut c)
                .await;
            }
        }
    }
}

/// A running Tessera with its own data folder and database.
pub struct TestApp {
    pub base: String,
    pub app: Tessera,
    pub data_dir: PathBuf,
    /// The administrator's one-time password from the first start.
    pub admin_password: String,
    running: Option<Running>,
    db: TestDb,
    _dir: tempfile::TempDir,
}

/// Adjusts the configuration before start.
pub type Tweak = Box<dyn FnOnce(&mut Config)>;

impl TestApp {
    /// Tessera on defaults (mail to files).
    pub async fn start() -> Self {
        Self::start_with(Box::new(|_| {})).await
    }

    /// Tessera with a changed configuration.
    pub async fn start_with(tweak: Tweak) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = TestDb::new(dir.path()).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let overrides = Overrides {
            config: None,
            data_dir: Some(dir.path().join("data")),
            database_url: Some(db.url.clone()),
            listen: Some(addr),
            base_url: Some(format!("http://{addr}")),
            smtp_url: None,
            mail_from: Some("helpdesk@tessera.test".into()),
            default_lang: None,
        };
        let mut cfg = Config::load(&overrides).expect("config");
        cfg.core.mail_retry_base_ms = 100;
        cfg.core.mail_retry_max_ms = 400;
        tweak(&mut cfg);
        let running = tessera::start_on(&cfg, listener).await.expect("start");
        TestApp {
            base: format!("http://{addr}"),
            app: running.app.clone(),
            data_dir: cfg.data_dir.clone(),
            admin_password: running
                .first_admin
                .as_ref()
                .map(|a| a.password.clone())
                .unwrap_or_default(),
            running: Some(running),
            db,
            _dir: dir,
        }
    }

    /// A browser-like client: keeps cookies, follows redirects.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("client")
    }

    /// A client that keeps cookies but shows redirects.
    pub fn client_no_redirect(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// An absolute URL.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Counts rows of a table.
    pub async fn count(&self, table: &str) -> i64 {
        let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
        match self.app.db() {
            tessera_core::Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
            tessera_core::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        }
    }

    /// Runs a statement (for test setup that has no UI yet).
    pub async fn exec(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self.app.db() {
            tessera_core::Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()).unwrap(),
            tessera_core::Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()).unwrap(),
        }
    }

    /// Every mail delivered once the outbox is empty (nothing pending any more).
    pub async fn delivered(&self, smtp: &SmtpServer) -> Vec<Mail> {
        eventually("the outbox to drain", async || {
            let pending = self.count("outbox_mail WHERE status = 'pending'").await;
            let sent = self.count("outbox_mail WHERE status = 'sent'").await as usize;
            (pending == 0 && smtp.messages().len() == sent).then_some(())
        })
        .await;
        smtp.messages().iter().map(|r| Mail::parse(r)).collect()
    }

    /// Outbox rows by status.
    pub async fn mail_counts(&self) -> Vec<(String, i64)> {
        let mut c = self.app.db().conn().await.unwrap();
        c.h().mail_counts().await.unwrap()
    }

    /// Stops the server and removes the database.
    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
        self.db.drop_db().await;
    }
}

/// A real SMTP server (aiosmtpd) delivering into a Maildir.
pub struct SmtpServer {
    pub port: u16,
    pub maildir: PathBuf,
    child: Option<Child>,
    _dir: tempfile::TempDir,
}

fn python() -> String {
    std::env::var("TESSERA_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

impl SmtpServer {
    /// Starts aiosmtpd on a free port.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = StdListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut s = SmtpServer {
            port,
            maildir: dir.path().join("Maildir"),
            child: None,
            _dir: dir,
        };
        s.resume();
        s
    }

    /// The URL Tessera is configured with.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Starts the server process again after `pause`.
    pub fn resume(&mut self) {
        let child = Command::new(python())
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{}", self.port),
            ])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&self.maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect(
                "aiosmtpd must be installed (the test script installs it; set TESSERA_TEST_PYTHON)",
            );
        self.child = Some(child);
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(start.elapsed() < PATIENCE, "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the server process (mail already delivered stays in the Maildir).
    pub fn pause(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        assert!(
            TcpStream::connect(("127.0.0.1", self.port)).is_err(),
            "SMTP still reachable"
        );
    }

    /// Every message delivered so far, raw.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(rd) = std::fs::read_dir(self.maildir.join(sub)) {
                let mut files: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
                files.sort();
                out.extend(files.into_iter().filter_map(|p| std::fs::read(p).ok()));
            }
        }
        out
    }

    /// Waits until at least `n` messages arrived and returns them parsed.
    pub async fn wait_for(&self, n: usize) -> Vec<Mail> {
        eventually(&format!("{n} mails"), async || {
            let m = self.messages();
            (m.len() >= n).then(|| m.iter().map(|r| Mail::parse(r)).collect())
        })
        .await
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.pause_quietly();
    }
}

impl SmtpServer {
    fn pause_quietly(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A received message, decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    pub subject: String,
    pub message_id: String,
    pub to: Vec<String>,
    pub rcpt_to: String,
    pub from: String,
    pub auto_submitted: Option<String>,
    pub text: String,
    pub html: String,
}

impl Mail {
    pub fn parse(raw: &[u8]) -> Mail {
        let m = mail_parser::MessageParser::default()
            .parse(raw)
            .expect("parsable mail");
        let header_text = |name: &str| m.header(name).and_then(|h| h.as_text()).map(str::to_owned);
        let addrs = |a: Option<&mail_parser::Address>| -> Vec<String> {
            a.map(|a| {
                a.iter()
                    .filter_map(|x| x.address().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
        };
        Mail {
            subject: m.subject().unwrap_or("").to_owned(),
            message_id: m.message_id().unwrap_or("").to_owned(),
            to: addrs(m.to()),
            rcpt_to: header_text("X-RcptTo").unwrap_or_default(),
            from: addrs(m.from()).join(","),
            auto_submitted: header_text("Auto-Submitted"),
            text: m.body_text(0).map(|c| c.into_owned()).unwrap_or_default(),
            html: m.body_html(0).map(|c| c.into_owned()).unwrap_or_default(),
        }
    }

    /// The access link in the text body.
    pub fn access_link(&self) -> String {
        self.text
            .split_whitespace()
            .find(|w| w.contains("/access/"))
            .expect("mail contains an access link")
            .to_owned()
    }
}

/// The CSRF token rendered into a page's forms.
pub async fn csrf(client: &reqwest::Client, url: &str) -> String {
    let page = client.get(url).send().await.unwrap().text().await.unwrap();
    let marker = "name=\"csrf\" value=\"";
    let start = page
        .find(marker)
        .expect("page has a form with a CSRF token")
        + marker.len();
    page[start..start + 32].to_owned()
}

/// A ticket form with given fields; `files` are (name, bytes).
pub fn ticket_form(
    token: &str,
    fields: &[(&str, &str)],
    files: &[(&str, Vec<u8>)],
) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new().text("csrf", token.to_owned());
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    for (name, bytes) in files {
        form = form.part(
            "attachments",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()),
        );
    }
    form
}

/// The first help topic's id offered on the form.
pub fn first_topic(open_page: &str) -> String {
    let marker = "<option value=\"";
    let mut rest = open_page;
    while let Some(i) = rest.find(marker) {
        rest = &rest[i + marker.len()..];
        let end = rest.find('"').unwrap();
        if end > 0 {
            return rest[..end].to_owned();
        }
    }
    panic!("no help topic offered");
}
