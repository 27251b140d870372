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

/// `tessera.toml` without the portal's intake limits, for load from one address.
const NO_INTAKE_LIMITS: &str = "[intake]
open_per_client = { burst = 0, per_hour = 0 }
open_per_recipient = { burst = 0, per_hour = 0 }
open_global = { burst = 0, per_hour = 0 }
challenge_auto_per_minute = 4294967295
";

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

fn run(data: &std::path::Path, db: &str, args: &[&str]) -> (bool, String, String) {
    let out = tessera(data, db).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn sign_in(base: &str, user: &str, password: &str) -> reqwest::Client {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let token = csrf(&c, &format!("{base}/agent/login")).await;
    c.post(format!("{base}/agent/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("username", user),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    c
}

#[tokio::test]
async fn operators_disable_agents_reset_passwords_and_read_the_audit_trail() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path()).await;
    let (ok, out, _) = run(
        dir.path(),
        &db.url,
        &[
            "agent",
            "create",
            "--username",
            "moritz",
            "--email",
            "m@example.org",
            "--name",
            "Moritz",
            "--department",
            "Support",
        ],
    );
    assert!(ok);
    let first = out
        .split("one-time password: ")
        .nth(1)
        .unwrap()
        .trim()
        .to_owned();
    let (ok, topics, _) = run(dir.path(), &db.url, &["topic", "list"]);
    assert!(ok);
    for t in [
        "Allgemeine Anfrage",
        "Submit an idea",
        "Ein Problem melden / HP",
    ] {
        assert!(topics.contains(t), "{topics}");
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = tessera(dir.path(), &db.url)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .spawn()
        .unwrap();
    let probe = reqwest::Client::new();
    eventually("the server", async || {
        probe.get(format!("{base}/")).send().await.ok().map(|_| ())
    })
    .await;
    // A failed and a good sign-in, both audited.
    sign_in(&base, "moritz", "falsch-geraten").await;
    let moritz = sign_in(&base, "moritz", &first).await;
    let res = moritz
        .get(format!("{base}/agent/queue/open"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.url().path(), "/agent/password", "signed in");
    // Disabled while signed in: the very next request is refused.
    let (ok, out, _) = run(dir.path(), &db.url, &["agent", "disable", "moritz"]);
    assert!(ok, "{out}");
    let res = moritz
        .get(format!("{base}/agent/queue/open"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.url().path(), "/agent/login");
    let again = sign_in(&base, "moritz", &first).await;
    assert_eq!(
        again
            .get(format!("{base}/agent/queue/open"))
            .send()
            .await
            .unwrap()
            .url()
            .path(),
        "/agent/login"
    );
    // A reset gives a new one-time password (disabled agents stay disabled).
    let (ok, out, _) = run(dir.path(), &db.url, &["agent", "reset-password", "moritz"]);
    assert!(ok);
    let second = out.split(": ").last().unwrap().trim().to_owned();
    assert_ne!(first, second);
    let (ok, _, err) = run(dir.path(), &db.url, &["agent", "disable", "niemand"]);
    assert!(!ok && err.contains("no agent named \"niemand\""));
    // The audit trail, as the administrator sees it.
    let (_, out, _) = run(
        dir.path(),
        &db.url,
        &[
            "agent",
            "create",
            "--username",
            "chefin",
            "--email",
            "c@example.org",
            "--name",
            "Chefin",
            "--admin",
        ],
    );
    let pw = out
        .split("one-time password: ")
        .nth(1)
        .unwrap()
        .trim()
        .to_owned();
    let admin = sign_in(&base, "chefin", &pw).await;
    let token = csrf(&admin, &format!("{base}/agent/password")).await;
    let new = "ein neues langes Passwort";
    admin
        .post(format!("{base}/agent/password"))
        .form(&[
            ("csrf", token.as_str()),
            ("current", pw.as_str()),
            ("new", new),
            ("repeat", new),
        ])
        .send()
        .await
        .unwrap();
    let page = admin
        .get(format!("{base}/agent/admin/audit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for action in [
        "agent-create",
        "sign-in-failed",
        "sign-in",
        "agent-disable",
        "agent-reset-password",
    ] {
        assert!(
            page.contains(&action_cell(action)),
            "{action} in the audit log"
        );
    }
    assert!(page.contains("127.0.0.1"));
    let filtered = admin
        .get(format!("{base}/agent/admin/audit?action=agent-disable"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        filtered.contains(&action_cell("agent-disable"))
            && !filtered.contains(&action_cell("sign-in-failed"))
    );
    // Agents who are not administrators do not see it.
    let (_, out, _) = run(
        dir.path(),
        &db.url,
        &[
            "agent",
            "create",
            "--username",
            "ida",
            "--email",
            "i@example.org",
            "--name",
            "Ida",
        ],
    );
    let pw = out
        .split("one-time password: ")
        .nth(1)
        .unwrap()
        .trim()
        .to_owned();
    let ida = sign_in(&base, "ida", &pw).await;
    let token = csrf(&ida, &format!("{base}/agent/password")).await;
    ida.post(format!("{base}/agent/password"))
        .form(&[
            ("csrf", token.as_str()),
            ("current", pw.as_str()),
            ("new", new),
            ("repeat", new),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        ida.get(format!("{base}/agent/admin/audit"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    server.kill().unwrap();
    server.wait().unwrap();
    db.drop_db().await;
}

#[tokio::test]
async fn config_check_reports_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path()).await;
    let (ok, out, _) = run(dir.path(), &db.url, &["config", "check"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("ok    database is reachable")
            && out.contains("ok    data folder is writable")
    );
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (ok, out, _) = run(
        dir.path(),
        &db.url,
        &[
            "--smtp-url",
            &format!("smtp://127.0.0.1:{closed}"),
            "config",
            "check",
        ],
    );
    assert!(!ok);
    assert!(out.contains("FAIL  mail transport"), "{out}");
    let (ok, out, _) = run(
        dir.path(),
        "postgres://postgres@127.0.0.1:1/none",
        &["config", "check"],
    );
    assert!(!ok && out.contains("FAIL  database is reachable"), "{out}");
    db.drop_db().await;
}

#[tokio::test]
async fn a_backup_taken_under_write_load_is_consistent_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path()).await;
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    // The load below opens tickets from one address as fast as it can: the intake limits
    // (and the challenge they switch on under load) would rightly refuse it.
    let config = dir.path().join("no-limits.toml");
    std::fs::write(&config, NO_INTAKE_LIMITS).unwrap();
    let mut server = tessera(dir.path(), &db.url)
        .arg("--config")
        .arg(&config)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .spawn()
        .unwrap();
    let probe = reqwest::Client::new();
    eventually("the server", async || {
        probe.get(format!("{base}/")).send().await.ok().map(|_| ())
    })
    .await;
    // Requesters keep opening tickets while the backup runs.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = {
        let (base, stop) = (base.clone(), stop.clone());
        tokio::spawn(async move {
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
            let topic = crate::support::first_topic(&page);
            let token = csrf(&c, &format!("{base}/open")).await;
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) || n < 20 {
                let form = crate::support::ticket_form(
                    &token,
                    &[
                        ("email", "last@example.org"),
                        ("name", "Last"),
                        ("help_topic_id", &topic),
                        ("subject", "Last"),
                        ("body", "x"),
                    ],
                    &[("a.txt", vec![1u8; 100])],
                );
                let res = c
                    .post(format!("{base}/open"))
                    .multipart(form)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), StatusCode::SEE_OTHER);
                n += 1;
            }
            n
        })
    };
    eventually("some tickets", async || {
        let page = probe.get(format!("{base}/")).send().await.ok()?;
        let _ = page;
        std::fs::metadata(dir.path().join("mail-out"))
            .ok()
            .map(|_| ())
    })
    .await;
    let during = dir.path().join("during.db");
    let (ok, out, err) = run(dir.path(), &db.url, &["backup", during.to_str().unwrap()]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let opened = load.await.unwrap();
    if db.url.starts_with("postgres") {
        assert!(!ok && err.contains("pg_dump"), "{out}{err}");
    } else {
        assert!(ok, "{err}");
        use sqlx::Connection;
        let mut snap = sqlx::SqliteConnection::connect(&format!("sqlite:{}", during.display()))
            .await
            .unwrap();
        let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut snap)
            .await
            .unwrap();
        assert_eq!(integrity, "ok");
        // Consistent: every ticket in the snapshot has its message, attachment and mail.
        let counts: (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM ticket), (SELECT COUNT(*) FROM thread_entry WHERE kind = 'message'),
                    (SELECT COUNT(*) FROM attachment), (SELECT COUNT(*) FROM outbox_mail)",
        )
        .fetch_one(&mut snap)
        .await
        .unwrap();
        assert!(
            counts.0 > 0 && counts.0 < opened as i64 + 1,
            "{counts:?} of {opened}"
        );
        assert_eq!(
            (counts.1, counts.2, counts.3),
            (counts.0, counts.0, counts.0)
        );
        // Quiet again: a backup equals the live database, and Tessera runs on it.
        let after = dir.path().join("after.db");
        assert!(run(dir.path(), &db.url, &["backup", after.to_str().unwrap()]).0);
        let mut live = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        let mut copy = sqlx::SqliteConnection::connect(&format!("sqlite:{}", after.display()))
            .await
            .unwrap();
        for table in [
            "ticket",
            "thread_entry",
            "attachment",
            "contact",
            "access_token",
            "outbox_mail",
            "session",
        ] {
            let q = format!(
                "SELECT COUNT(*), COALESCE(SUM(LENGTH(CAST({table}_id AS TEXT))), 0) FROM {table}"
            );
            let a: (i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(q.clone()))
                .fetch_one(&mut live)
                .await
                .unwrap();
            let b: (i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(q))
                .fetch_one(&mut copy)
                .await
                .unwrap();
            assert_eq!(a, b, "{table}");
        }
        let ids = "SELECT group_concat(number || ':' || subject || ':' || status, ',') FROM (SELECT * FROM ticket ORDER BY ticket_id)";
        let a: String = sqlx::query_scalar(ids).fetch_one(&mut live).await.unwrap();
        let b: String = sqlx::query_scalar(ids).fetch_one(&mut copy).await.unwrap();
        assert_eq!(a, b);
        let (ok, out, _) = run(
            dir.path(),
            &format!("sqlite:{}", after.display()),
            &["topic", "list"],
        );
        assert!(
            ok && out.contains("Allgemeine Anfrage"),
            "the copy opens as a Tessera database"
        );
    }
    server.kill().unwrap();
    server.wait().unwrap();
    db.drop_db().await;
}

/// Whatever command meets an empty database first sets the installation up, and then it,
/// not only `serve`, tells the operator how the first administrator signs in.
#[tokio::test]
async fn the_first_command_on_an_empty_database_names_the_first_administrator() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path()).await;
    let out = tessera(dir.path(), &db.url)
        .args(["db", "migrate"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("user name: admin"), "{stderr}");
    let password = stderr
        .split("one-time password: ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("the one-time password")
        .to_owned();
    assert_eq!(password.len(), 20, "{password}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("database is up to date"),
        "standard output stays the command's own"
    );
    // Only the first command says it: the installation exists now.
    let again = tessera(dir.path(), &db.url)
        .args(["db", "migrate"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&again.stderr).contains("one-time password"));
    db.drop_db().await;
}

/// `tessera db optimize` compacts the search index of a running installation's database and
/// says so; a second run has nothing left to do.
#[tokio::test]
async fn db_optimize_compacts_the_search_index_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path()).await;
    // Two runs, two segments (on SQLite) unless the second compacts them.
    for _ in 0..2 {
        let (ok, out, err) = run(dir.path(), &db.url, &["demo", "--tickets", "300"]);
        assert!(ok, "{err}");
        assert!(out.contains("search index compact"), "{out}");
    }
    let (ok, out, err) = run(dir.path(), &db.url, &["db", "optimize"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("search index compact (0 steps"),
        "demo data comes compacted: {out}"
    );
    db.drop_db().await;
}

/// An installation of the release before the last migration is brought up to date with a
/// line per migration it still needs, for the operator waiting on an upgrade of a large
/// database; a fresh one is set up without them.
#[tokio::test]
async fn an_upgrade_says_which_migrations_it_applies() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path()).await;
    let fresh = dir.path().join("fresh");
    let fresh_db = TestDb::new(&fresh).await;
    std::fs::create_dir_all(&fresh).unwrap();
    let (ok, _, err) = run(&fresh, &fresh_db.url, &["db", "migrate"]);
    assert!(ok, "{err}");
    assert!(!err.contains("updating the database"), "{err}");
    fresh_db.drop_db().await;

    let sqlite = db.url.starts_with("sqlite:");
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tessera-store/migrations")
        .join(if sqlite { "sqlite" } else { "postgres" });
    let migrations = sqlx::migrate::Migrator::new(folder).await.unwrap();
    let last = migrations.iter().last().unwrap();
    let before = migrations.iter().rev().nth(1).unwrap().version;
    if sqlite {
        let opts = db
            .url
            .parse::<sqlx::sqlite::SqliteConnectOptions>()
            .unwrap()
            .create_if_missing(true);
        let mut c = sqlx::SqliteConnection::connect_with(&opts).await.unwrap();
        migrations.run_to(before, &mut c).await.unwrap();
        c.close().await.unwrap();
    } else {
        let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
        migrations.run_to(before, &mut c).await.unwrap();
        c.close().await.unwrap();
    }
    let (ok, out, err) = run(dir.path(), &db.url, &["db", "migrate"]);
    assert!(ok, "{err}");
    assert!(out.contains("database is up to date"), "{out}");
    assert!(
        err.contains(&format!("updating the database: 1/1 {}", last.description)),
        "{err}"
    );
    let (ok, _, err) = run(dir.path(), &db.url, &["db", "migrate"]);
    assert!(ok && !err.contains("updating the database"), "{err}");
    db.drop_db().await;
}

/// An audit row's action cell, in the administrator's language (the filter's list names
/// every action, so only the cell tells that a row is there).
fn action_cell(action: &str) -> String {
    let de = tessera_domain::Lang::De;
    format!(
        "data-label=\"{}\">{}</td>",
        tessera_i18n::t(de, "audit-action"),
        tessera_i18n::t(de, &format!("audit-action-{action}"))
    )
}
