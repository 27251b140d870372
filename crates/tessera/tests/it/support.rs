//! The test harness: `TestApp` starts Tessera on a fresh database; `SmtpServer` runs aiosmtpd
//! writing into a Maildir; `ImapServer` runs Dovecot serving Maildirs.

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
    cfg: Config,
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
        // Tests open many tickets from one address; `intake.rs` tests the limits themselves.
        cfg.core.intake = tessera_core::IntakeConfig::unlimited();
        // Mail authenticity asks DNS; the tests that check it turn it on with their own DNS
        // server (`DnsServer`), the others write mail from domains that publish nothing.
        cfg.core.mail_auth = tessera_core::MailAuthPolicy::Off;
        // Notices go at once, so that `delivered` sees them; `notices.rs` tests the window.
        cfg.core.notice_merge_secs = 0;
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
            cfg,
            db,
            _dir: dir,
        }
    }

    /// Stops Tessera and starts it again on the same database and data folder (on a new
    /// port), as after a restart of the service.
    pub async fn restart(&mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let running = tessera::start_on(&self.cfg, listener)
            .await
            .expect("start again");
        self.base = format!("http://{}", running.addr);
        self.app = running.app.clone();
        self.running = Some(running);
    }

    /// A second node on the same database and data folder, without a server of its own: what
    /// another machine running Tessera sees.
    pub async fn second_node(&self) -> Tessera {
        let db = tessera_store::Db::connect(&self.db.url)
            .await
            .expect("second node's pool");
        let blobs = tessera_store::BlobStore::open(self.data_dir.join("attachments"))
            .await
            .expect("second node's attachments");
        Tessera::new(db, blobs, self.cfg.core())
            .await
            .expect("second node")
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
            tessera_store::Db::Sqlite(d) => {
                sqlx::query_scalar(sql).fetch_one(&d.pool).await.unwrap()
            }
            tessera_store::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        }
    }

    /// The one integer a query returns.
    pub async fn scalar(&self, sql: &str) -> i64 {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self.app.db() {
            tessera_store::Db::Sqlite(d) => {
                sqlx::query_scalar(sql).fetch_one(&d.pool).await.unwrap()
            }
            tessera_store::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        }
    }

    /// Runs a statement (for test setup that has no UI yet).
    pub async fn exec(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self.app.db() {
            tessera_store::Db::Sqlite(d) => {
                sqlx::query(sql).execute(&d.pool).await.map(|_| ()).unwrap()
            }
            tessera_store::Db::Postgres(p) => {
                sqlx::query(sql).execute(p).await.map(|_| ()).unwrap()
            }
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

    /// Connections the server is serving now.
    pub fn open_connections(&self) -> usize {
        self.running.as_ref().map_or(0, |r| r.open_connections())
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
/// A real DNS server (dnslib, in the test Python environment) on a loopback port, serving
/// the TXT records a test publishes (DKIM keys, SPF, DMARC).
pub struct DnsServer {
    pub addr: std::net::SocketAddr,
    records: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

impl DnsServer {
    /// Starts the server with these (name, TXT) records; returns once it listens.
    pub fn start(records: &[(&str, &str)]) -> Self {
        use std::io::BufRead;
        let dir = tempfile::tempdir().expect("temp dir");
        // A port free for UDP and TCP alike.
        let port = loop {
            let tcp = StdListener::bind("127.0.0.1:0").unwrap();
            let port = tcp.local_addr().unwrap().port();
            if std::net::UdpSocket::bind(("127.0.0.1", port)).is_ok() {
                break port;
            }
        };
        let script = dir.path().join("dns_server.py");
        std::fs::write(&script, include_str!("dns_server.py")).unwrap();
        let path = dir.path().join("records.json");
        let child = Command::new(python())
            .arg(&script)
            .arg(port.to_string())
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python with dnslib (TESSERA_TEST_PYTHON)");
        let mut s = DnsServer {
            addr: ([127, 0, 0, 1], port).into(),
            records: path,
            child,
            _dir: dir,
        };
        s.publish(records);
        let mut line = String::new();
        std::io::BufReader::new(s.child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the DNS server did not start");
        s
    }

    /// Replaces the published records.
    pub fn publish(&mut self, records: &[(&str, &str)]) {
        let mut map = serde_json::Map::new();
        for (name, txt) in records {
            let e = map
                .entry(name.trim_end_matches('.').to_lowercase())
                .or_insert_with(|| serde_json::Value::Array(vec![]));
            e.as_array_mut().unwrap().push((*txt).into());
        }
        let tmp = self.records.with_extension("tmp");
        std::fs::write(&tmp, serde_json::Value::Object(map).to_string()).unwrap();
        std::fs::rename(tmp, &self.records).unwrap();
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

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

/// A real IMAP server (Dovecot) on free loopback ports, with two users, each with a Maildir:
/// `tessera` (password `geheim`) and `zweite` (password `zweitgeheim`). `port` takes plain
/// text and offers STARTTLS, `tls_port` speaks TLS from the first byte; both use Debian's
/// self-signed "snakeoil" certificate, which Tessera (trusting the public roots only) must
/// refuse.
pub struct ImapServer {
    pub port: u16,
    pub tls_port: u16,
    dir: tempfile::TempDir,
    /// Owner of the Maildirs (Dovecot's own user when the tests run as root, which Dovecot
    /// refuses for mail access).
    owner: Option<(u32, u32)>,
    child: Option<Child>,
}

/// Users of the test server: (name, password).
pub const IMAP_USERS: [(&str, &str); 2] = [("tessera", "geheim"), ("zweite", "zweitgeheim")];

/// The uid and gid of a user in /etc/passwd.
fn system_user(name: &str) -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.first() == Some(&name) && f.len() > 3)
            .then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))
            .flatten()
    })
}

impl ImapServer {
    /// Writes a minimal configuration and starts `dovecot -F` on a free port.
    pub fn start() -> Self {
        use std::os::unix::{fs::MetadataExt, fs::PermissionsExt, process::CommandExt};
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        // The mail processes run as another user and must reach the Maildirs.
        std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).unwrap();
        let probe = root.join("probe");
        std::fs::write(&probe, b"").unwrap();
        let meta = std::fs::metadata(&probe).unwrap();
        let (uid, gid, owner) = if meta.uid() == 0 {
            let (u, g) = system_user("dovecot").expect("Debian's dovecot user (dovecot-core)");
            (u, g, Some((u, g)))
        } else {
            (meta.uid(), meta.gid(), None)
        };
        let me = std::env::var("USER").unwrap_or_else(|_| "root".into());
        let (internal, login) = if owner.is_some() {
            ("dovecot".to_owned(), "dovenull".to_owned())
        } else {
            (me.clone(), me)
        };
        // Both bound at once, so that they differ.
        let (a, b) = (
            StdListener::bind("127.0.0.1:0").unwrap(),
            StdListener::bind("127.0.0.1:0").unwrap(),
        );
        let (port, tls_port) = (
            a.local_addr().unwrap().port(),
            b.local_addr().unwrap().port(),
        );
        drop((a, b));
        let (cert, key) = (
            "/etc/dovecot/private/dovecot.pem",
            "/etc/dovecot/private/dovecot.key",
        );
        assert!(
            Path::new(cert).exists() && Path::new(key).exists(),
            "Debian's dovecot-core (with ssl-cert) provides {cert}"
        );
        let dh = if Path::new("/usr/share/dovecot/dh.pem").exists() {
            "ssl_dh = </usr/share/dovecot/dh.pem\n"
        } else {
            ""
        };
        let mut passwd = String::new();
        for (user, password) in IMAP_USERS {
            let home = root.join("home").join(user);
            for sub in ["new", "cur", "tmp"] {
                std::fs::create_dir_all(home.join("Maildir").join(sub)).unwrap();
            }
            passwd.push_str(&format!(
                "{user}:{{PLAIN}}{password}:{uid}:{gid}::{}::\n",
                home.display()
            ));
        }
        if let Some((u, g)) = owner {
            chown_tree(&root.join("home"), u, g);
        }
        std::fs::write(root.join("passwd"), passwd).unwrap();
        let d = root.display();
        let conf = format!(
            "base_dir = {d}/run\n\
             state_dir = {d}/state\n\
             log_path = {d}/dovecot.log\n\
             listen = 127.0.0.1\n\
             protocols = imap\n\
             ssl = yes\n\
             ssl_cert = <{cert}\n\
             ssl_key = <{key}\n\
             {dh}\
             disable_plaintext_auth = no\n\
             auth_mechanisms = plain login\n\
             auth_failure_delay = 0\n\
             default_internal_user = {internal}\n\
             default_login_user = {login}\n\
             mail_uid = {uid}\n\
             mail_gid = {gid}\n\
             first_valid_uid = 1\n\
             first_valid_gid = 1\n\
             mail_location = maildir:~/Maildir\n\
             passdb {{\n  driver = passwd-file\n  args = {d}/passwd\n}}\n\
             userdb {{\n  driver = passwd-file\n  args = {d}/passwd\n}}\n\
             service imap-login {{\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {tls_port}\n  }}\n}}\n"
        );
        let conf_path = root.join("dovecot.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let child = Command::new("dovecot")
            .arg("-F")
            .arg("-c")
            .arg(&conf_path)
            // Its own process group, so that stopping it stops every process it started.
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dovecot must be installed (the test script installs dovecot-imapd)");
        let s = ImapServer {
            port,
            tls_port,
            dir,
            owner,
            child: Some(child),
        };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < PATIENCE,
                "dovecot did not start: {}",
                std::fs::read_to_string(s.dir.path().join("dovecot.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        s
    }

    fn maildir(&self, user: &str) -> PathBuf {
        self.dir.path().join("home").join(user).join("Maildir")
    }

    /// Puts a message into a user's INBOX as a delivery agent would (Maildir `new/`, written
    /// in `tmp/` first); Dovecot gives it the next UID when it sees it.
    pub fn deliver(&self, user: &str, raw: &[u8]) {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "{}.{}_{}.tessera-test",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs(),
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let md = self.maildir(user);
        let tmp = md.join("tmp").join(&name);
        std::fs::write(&tmp, raw).unwrap();
        if let Some((u, g)) = self.owner {
            std::os::unix::fs::chown(&tmp, Some(u), Some(g)).unwrap();
        }
        std::fs::rename(&tmp, md.join("new").join(&name)).unwrap();
    }

    /// The messages of a user's folder (`INBOX` or another) with their Maildir flags
    /// (`S` seen, `T` deleted, …), by the order Dovecot's file names give.
    pub fn messages(&self, user: &str, folder: &str) -> Vec<(Vec<u8>, String)> {
        let md = self.maildir(user);
        let base = if folder == "INBOX" {
            md
        } else {
            md.join(format!(".{folder}"))
        };
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            let Ok(rd) = std::fs::read_dir(base.join(sub)) else {
                continue;
            };
            let mut files: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
            files.sort();
            for f in files {
                let name = f.file_name().unwrap().to_string_lossy().into_owned();
                let flags = name
                    .rsplit_once(":2,")
                    .map(|(_, fl)| fl.to_owned())
                    .unwrap_or_default();
                if let Ok(bytes) = std::fs::read(&f) {
                    out.push((bytes, flags));
                }
            }
        }
        out
    }

    /// Dovecot's log so far (one line per login and logout, with what each session did).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }

    /// Creates a folder of a user (a Maildir++ subfolder), e.g. an archive.
    pub fn create_folder(&self, user: &str, folder: &str) {
        let base = self.maildir(user).join(format!(".{folder}"));
        for sub in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(base.join(sub)).unwrap();
        }
        if let Some((u, g)) = self.owner {
            chown_tree(&base, u, g);
        }
    }
}

fn chown_tree(p: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(p, Some(uid), Some(gid)).unwrap();
    if p.is_dir() {
        for e in std::fs::read_dir(p).unwrap().flatten() {
            chown_tree(&e.path(), uid, gid);
        }
    }
}

impl Drop for ImapServer {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            // The whole process group: Dovecot's master and every process it started.
            // `--` so that the negative number is read as a process group, not a signal.
            let _ = Command::new("kill")
                .args(["-s", "KILL", "--"])
                .arg(format!("-{}", c.id()))
                .status();
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

/// A message as a client puts it on the wire: CRLF line ends.
pub fn eml(text: &str) -> Vec<u8> {
    text.replace("\r\n", "\n")
        .replace('\n', "\r\n")
        .into_bytes()
}

/// Files one raw message as the MTA pipe would.
pub async fn ingest(app: &TestApp, raw: &[u8]) -> tessera_core::IngestOutcome {
    app.app
        .ingest_mail(raw, tessera_core::MailSource::Pipe)
        .await
        .expect("the message is stored")
}
