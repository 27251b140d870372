//! A full disk, for real: a small tmpfs is mounted over the data folder (and, on SQLite,
//! under the database) and filled with a file. Every way mail and tickets come in must then
//! refuse what it cannot store — exit 75, a non-zero import, a 503 with `Retry-After`, a
//! portal page that says "try later", no flag on the IMAP server — and take it once space
//! returns, exactly once. On PostgreSQL the database lives elsewhere; the full disk then
//! hits the attachment store, which every message and upload here needs.

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use tessera_core::{Actor, ApiKeyForm};

use crate::{
    admin::{PASSWORD, chefin, post_form, sign_in},
    support::{
        IMAP_USERS, ImapServer, TestApp, TestDb, csrf, eventually, first_topic, ticket_form,
    },
};

/// A tmpfs of a few megabytes, mounted for one test and unmounted when dropped.
pub struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    /// Mounts a tmpfs of `mb` megabytes (the tests run as root).
    pub fn mount(mb: u32) -> Self {
        let dir = tempfile::tempdir().expect("mount point");
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mb}m"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("mount runs")
            .success();
        assert!(ok, "a tmpfs could not be mounted (the tests need root)");
        SmallDisk { dir }
    }

    /// The mounted folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    fn filler(&self) -> PathBuf {
        self.path().join("filler")
    }

    /// Fills every free byte with a file of zeros.
    pub fn fill(&self) {
        use std::io::Write;
        let mut f = std::fs::File::create(self.filler()).expect("filler");
        let chunk = vec![0u8; 64 * 1024];
        loop {
            if let Err(e) = f.write_all(&chunk) {
                assert_eq!(e.raw_os_error(), Some(28), "ENOSPC, not {e}");
                break;
            }
        }
        // Whatever is smaller than a chunk.
        while f.write_all(&[0u8; 512]).is_ok() {}
        while f.write_all(&[0u8]).is_ok() {}
    }

    /// Gives the space back.
    pub fn free(&self) {
        std::fs::remove_file(self.filler()).expect("the filler is removed");
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazily: a process of the test may still hold a file open on it.
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// Tessera with its data folder (and a SQLite database) on `disk`.
async fn start_on(disk: &SmallDisk) -> TestApp {
    let data = disk.path().join("data");
    TestApp::start_with(Box::new(move |c| {
        c.core.mail_dir = data.join("mail-out");
        if c.database_url.starts_with("sqlite:") {
            c.database_url = format!("sqlite:{}", data.join("tessera.db").display());
        }
        c.data_dir = data;
        c.core.imap_poll_secs = 1;
    }))
    .await
}

/// A message with a text attachment of `kb` kilobytes, so that both the raw message and
/// the attachment need space.
fn message(n: usize, message_id: Option<&str>, kb: usize) -> Vec<u8> {
    let id = message_id
        .map(|m| format!("Message-ID: <{m}>\n"))
        .unwrap_or_default();
    // Text that does not compress: SQLite and PostgreSQL store it as it is.
    let attachment: String = (0..kb * 1024 / 77)
        .map(|i| format!("{:076x}\n", (i as u128 + 1) * 0x9e37_79b9_7f4a_7c15_f39c))
        .collect();
    format!(
        "From: Max Müller <max{n}@example.org>\nTo: helpdesk@tessera.test\n\
         Subject: Plakat {n}\n{id}Date: Tue, 1 Dec 2026 10:00:00 +0100\nMIME-Version: 1.0\n\
         Content-Type: multipart/mixed; boundary=\"b\"\n\n\
         --b\nContent-Type: text/plain; charset=utf-8\n\nBitte Plakat {n} drucken.\n\
         --b\nContent-Type: text/plain; name=\"liste.txt\"\n\
         Content-Disposition: attachment; filename=\"liste.txt\"\n\n{attachment}\n--b--\n"
    )
    .replace('\n', "\r\n")
    .into_bytes()
}

/// `tessera` on the data folder `data` and the database `db`, as an MTA or an operator
/// runs it.
fn tessera(data: &Path, db: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tessera"));
    c.arg("--data-dir")
        .arg(data)
        .args(["--database-url", db])
        .env("TESSERA_LOG", "warn");
    c
}

/// Pipes `raw` to `tessera mail ingest` as an MTA does; returns the exit code and stderr.
fn pipe(data: &Path, db: &str, raw: &[u8]) -> (i32, String) {
    use std::io::Write;
    let mut child = tessera(data, db)
        .args(["mail", "ingest"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tessera runs");
    child.stdin.take().unwrap().write_all(raw).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `tessera mail import FOLDER`: whether it succeeded, and its standard error.
fn import(data: &Path, db: &str, folder: &Path) -> (bool, String) {
    let out = tessera(data, db)
        .args(["mail", "import"])
        .arg(folder)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// One number the database answers (on a connection of its own, closed after).
async fn number(db: &str, sql: &str) -> i64 {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    let db = tessera_store::Db::connect(db).await.unwrap();
    let n = match &db {
        tessera_store::Db::Sqlite(d) => sqlx::query_scalar(sql).fetch_one(&d.pool).await,
        tessera_store::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await,
    };
    db.close().await;
    n.unwrap()
}

/// The SQL that counts tickets opened by mail from `max{n}@example.org`.
fn tickets_of(n: usize) -> String {
    format!(
        "SELECT COUNT(*) FROM ticket t JOIN contact c ON c.contact_id = t.requester_id \
         WHERE c.email = 'max{n}@example.org'"
    )
}

/// Tickets opened by mail from `max{n}@example.org` (each must be exactly one at the end).
async fn tickets_from(app: &TestApp, n: usize) -> i64 {
    app.scalar(&tickets_of(n)).await
}

#[tokio::test]
async fn mail_piped_or_imported_onto_a_full_disk_is_refused_and_stored_once_there_is_room() {
    // Only command-line processes, as on a mail server whose MTA pipes into Tessera.
    let disk = SmallDisk::mount(48);
    let data = disk.path().join("data");
    let test_db = TestDb::new(disk.path()).await;
    let db = test_db.url.clone();
    let (ok, err) = {
        let out = tessera(&data, &db)
            .args(["db", "migrate"])
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert!(ok, "{err}");
    // The first message fits: the pipe works on this disk.
    let (code, err) = pipe(&data, &db, &message(0, Some("m0@example.org"), 300));
    assert_eq!(code, 0, "{err}");

    disk.fill();
    // Three new messages on the full disk: each is refused for the MTA to keep, with the
    // reason, and none is called a duplicate.
    for n in 1..=3 {
        let (code, err) = pipe(
            &data,
            &db,
            &message(n, Some(&format!("m{n}@example.org")), 300),
        );
        assert_eq!(code, 75, "message {n}: {err}");
        assert!(
            err.contains("cannot store the message now")
                && ["No space left on device", "disk is full", "disk I/O error"]
                    .iter()
                    .any(|why| err.contains(why)),
            "message {n}: {err}"
        );
        assert!(!err.contains("duplicate"), "{err}");
    }
    // `mail import` says what it could not store and fails.
    let folder = tempfile::tempdir().unwrap();
    for n in 4..=5 {
        std::fs::write(
            folder.path().join(format!("{n}.eml")),
            message(n, Some(&format!("m{n}@example.org")), 300),
        )
        .unwrap();
    }
    let (ok, err) = import(&data, &db, folder.path());
    assert!(!ok, "{err}");
    assert!(
        (err.contains("2 messages could not be stored now") && err.contains("4.eml"))
            || err.contains("none of the 2 messages was stored"),
        "{err}"
    );
    disk.free();
    for n in 1..=5 {
        assert_eq!(number(&db, &tickets_of(n)).await, 0, "message {n}");
    }

    // Space returns. The MTA delivers again and the import is run again: each message is
    // stored once (a raw message kept before its attachment failed is finished now).
    for n in 1..=3 {
        let (code, err) = pipe(
            &data,
            &db,
            &message(n, Some(&format!("m{n}@example.org")), 300),
        );
        assert_eq!(code, 0, "message {n}: {err}");
        assert!(err.contains("stored: new ticket"), "message {n}: {err}");
    }
    let (ok, err) = import(&data, &db, folder.path());
    assert!(ok, "{err}");
    for n in 0..=5 {
        assert_eq!(number(&db, &tickets_of(n)).await, 1, "message {n} once");
    }
    let kept = number(&db, "SELECT COUNT(*) FROM inbound_message").await;
    let unfinished = number(
        &db,
        "SELECT COUNT(*) FROM inbound_message WHERE status = 'stored'",
    )
    .await;
    let files = number(&db, "SELECT COUNT(*) FROM attachment").await;
    assert_eq!(
        (kept, unfinished, files),
        (6, 0, 6),
        "every message and attachment once"
    );
    test_db.drop_db().await;
}

/// An API key of `scope` for the administrator `chefin`.
async fn key(app: &TestApp, scope: &str) -> String {
    let form = ApiKeyForm {
        name: format!("Skript {scope}"),
        scope: scope.into(),
        agent: if scope == "create" { "" } else { "chefin" }.into(),
        allowed_ips: String::new(),
        rate_per_minute: "1000".into(),
    };
    app.app.create_api_key(Actor::Cli, &form).await.unwrap().1
}

fn retry_after(res: &reqwest::Response) -> Option<u64> {
    res.headers()
        .get(header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// 300 KB of bytes that do not compress, in base64.
fn base64_300k() -> String {
    use base64::Engine;
    let bytes: Vec<u8> = (0..300 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn the_apis_and_the_portal_say_try_later_on_a_full_disk_and_work_once_there_is_room() {
    let disk = SmallDisk::mount(48);
    let app = start_on(&disk).await;
    chefin(&app).await;
    let rest = key(&app, "write").await;
    let os = key(&app, "create").await;
    let requester = app.client();
    let page = requester
        .get(app.url("/open"))
        .header(header::ACCEPT_LANGUAGE, "de")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let topic = first_topic(&page);
    let token = csrf(&requester, &app.url("/open")).await;
    let typed = "Bitte 300 Plakate für das Sommerfest, Vorlage anbei.";
    let attachment: Vec<u8> = (0..300 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let form = || {
        let fields = [
            ("name", "Max Müller"),
            ("email", "max@example.org"),
            ("subject", "Plakate"),
            ("body", typed),
            ("help_topic_id", topic.as_str()),
        ];
        ticket_form(&token, &fields, &[("vorlage.pdf", attachment.clone())])
    };
    let rest_ticket = json!({
        "name": "Erika Muster",
        "email": "erika@example.org",
        "subject": "Flyer",
        "message": "Bitte Flyer.",
        "attachments": [{ "name": "flyer.txt", "data": base64_300k() }],
    });
    let raw = message(7, Some("api7@example.org"), 300);
    let before = app.count("ticket").await;

    disk.fill();
    // osTicket's raw-message endpoint: 503 with the hint, never a 500 or a ticket number.
    let res = app
        .client()
        .post(app.url("/api/tickets.email"))
        .header("X-API-Key", &os)
        .header(header::CONTENT_TYPE, "message/rfc822")
        .header(header::ACCEPT_LANGUAGE, "en")
        .body(raw.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(retry_after(&res).is_some_and(|s| s > 0));
    let text = res.text().await.unwrap();
    assert!(text.contains("cannot be stored right now"), "{text}");
    // The REST API: a problem saying what happened.
    let res = app
        .client()
        .post(app.url("/api/v1/tickets"))
        .header("X-API-Key", &rest)
        .header(header::ACCEPT_LANGUAGE, "en")
        .json(&rest_ticket)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(retry_after(&res).is_some_and(|s| s > 0));
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "unavailable", "{problem}");
    // The portal: not "too large", but "cannot store it now", and the typed text is kept.
    let res = requester
        .post(app.url("/open"))
        .header(header::ACCEPT_LANGUAGE, "de")
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(retry_after(&res).is_some_and(|s| s > 0));
    let page = res.text().await.unwrap();
    assert!(
        page.contains("kann Ihre Anfrage gerade nicht speichern"),
        "{page}"
    );
    assert!(!page.contains("zu groß"), "{page}");
    assert!(page.contains(typed), "the typed text is kept: {page}");
    assert_eq!(app.count("ticket").await, before, "nothing half stored");

    // Space returns: the same requests work, each once.
    disk.free();
    let res = app
        .client()
        .post(app.url("/api/tickets.email"))
        .header("X-API-Key", &os)
        .header(header::CONTENT_TYPE, "message/rfc822")
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app
        .client()
        .post(app.url("/api/v1/tickets"))
        .header("X-API-Key", &rest)
        .json(&rest_ticket)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let token = csrf(&requester, &app.url("/open")).await;
    let fields = [
        ("name", "Max Müller"),
        ("email", "max@example.org"),
        ("subject", "Plakate"),
        ("body", typed),
        ("help_topic_id", topic.as_str()),
    ];
    let res = requester
        .post(app.url("/open"))
        .multipart(ticket_form(
            &token,
            &fields,
            &[("vorlage.pdf", attachment.clone())],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    eventually("no message left unfinished", async || {
        (app.count("inbound_message WHERE status = 'stored'").await == 0).then_some(())
    })
    .await;
    assert_eq!(app.count("ticket").await, before + 3);
    assert_eq!(tickets_from(&app, 7).await, 1);
    app.stop().await;
}

#[tokio::test]
async fn the_imap_poller_leaves_mail_on_the_server_while_the_disk_is_full() {
    let imap = ImapServer::start();
    let disk = SmallDisk::mount(48);
    let app = start_on(&disk).await;
    chefin(&app).await;
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    let department = app.app.departments_admin(Actor::Cli).await.unwrap()[0]
        .id
        .to_string();
    let (user, password) = IMAP_USERS[0];
    imap.create_folder(user, "Archiv");
    let port = imap.port.to_string();
    let fields = [
        ("department_id", department.as_str()),
        ("host", "127.0.0.1"),
        ("port", port.as_str()),
        ("tls", "none"),
        ("username", user),
        ("password", password),
        ("folder", "INBOX"),
        ("help_topic_id", ""),
        ("after_import", "move"),
        ("archive_folder", "Archiv"),
        ("is_active", "1"),
        ("action", "save"),
    ];
    let res = post_form(&admin, &app, "/agent/admin/mailboxes", &fields).await;
    assert_eq!(res.status(), StatusCode::OK);

    disk.fill();
    imap.deliver(user, &message(8, Some("imap8@example.org"), 300));
    eventually("the failure recorded", async || {
        let e = app
            .scalar(
                "SELECT COUNT(*) FROM mailbox WHERE last_error LIKE '%No space left on device%'",
            )
            .await;
        (e == 1).then_some(())
    })
    .await;
    // Polls go on (and fail) for a while: the message stays where it is, unflagged.
    let fails = app.count("inbound_message").await;
    assert_eq!(imap.messages(user, "INBOX").len(), 1, "still in the inbox");
    assert!(imap.messages(user, "Archiv").is_empty());
    assert_eq!(tickets_from(&app, 8).await, 0);

    disk.free();
    eventually("the message taken and archived", async || {
        (imap.messages(user, "INBOX").is_empty() && imap.messages(user, "Archiv").len() == 1)
            .then_some(())
    })
    .await;
    assert_eq!(tickets_from(&app, 8).await, 1);
    assert!(app.count("inbound_message").await <= fails + 1);
    assert_eq!(
        app.count("inbound_message WHERE status = 'stored'").await,
        0
    );
    app.stop().await;
}
