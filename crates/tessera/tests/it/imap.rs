//! Mail in by IMAP, against a real Dovecot: an administrator configures a department's
//! mailbox in the browser and tests it; what arrives becomes tickets and replies, is marked
//! on the server only once stored, and is never imported twice — across polls, after a
//! restart, or when the read position is lost. A broken mailbox says why and does not hold
//! up the others. The password never appears on a page.

use reqwest::StatusCode;
use tessera_core::Actor;
use tessera_domain::Timestamp;

use crate::{
    admin::{PASSWORD, chefin, post_form, sign_in},
    support::{IMAP_USERS, ImapServer, TestApp, TestDb, eventually},
};

/// The seeded department's address (the configured sender).
const HELPDESK: &str = "helpdesk@tessera.test";

/// A message as a client puts it on the wire: CRLF line ends.
fn eml(from: &str, subject: &str, id: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\nTo: Helpdesk <{HELPDESK}>\nSubject: {subject}\nMessage-ID: <{id}@mail.example.org>\n\
         Date: Tue, 01 Dec 2026 09:00:00 +0100\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\
         Content-Transfer-Encoding: 8bit\n\n{body}\n"
    )
    .replace('\n', "\r\n")
    .into_bytes()
}

/// One text value from the database.
async fn text(app: &TestApp, sql: &str) -> String {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match app.app.db() {
        tessera_store::Db::Sqlite(d) => sqlx::query_scalar(sql).fetch_one(&d.pool).await.unwrap(),
        tessera_store::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

/// One number from the database.
async fn number(app: &TestApp, sql: &str) -> i64 {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match app.app.db() {
        tessera_store::Db::Sqlite(d) => sqlx::query_scalar(sql).fetch_one(&d.pool).await.unwrap(),
        tessera_store::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

/// Tessera reading mailboxes every second, with the administrator signed in.
async fn start() -> (TestApp, reqwest::Client, String) {
    let app = TestApp::start_with(Box::new(|c| c.core.imap_poll_secs = 1)).await;
    chefin(&app).await;
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    let department = app.app.departments_admin(Actor::Cli).await.unwrap()[0]
        .id
        .to_string();
    (app, admin, department)
}

/// The mailbox form for a user of the test server.
fn form<'a>(
    imap: &ImapServer,
    department: &'a str,
    user: &'a str,
    password: &'a str,
) -> Vec<(&'a str, String)> {
    vec![
        ("department_id", department.to_owned()),
        ("host", "127.0.0.1".into()),
        ("port", imap.port.to_string()),
        ("tls", "none".into()),
        ("username", user.into()),
        ("password", password.into()),
        ("folder", "INBOX".into()),
        ("help_topic_id", String::new()),
        ("after_import", "seen".into()),
        ("archive_folder", String::new()),
        ("is_active", "1".into()),
    ]
}

fn with<'a>(base: &[(&'a str, String)], changes: &[(&'a str, &str)]) -> Vec<(&'a str, String)> {
    let mut out: Vec<(&str, String)> = base
        .iter()
        .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
        .cloned()
        .collect();
    out.extend(changes.iter().map(|(k, v)| (*k, v.to_string())));
    out
}

async fn post(
    c: &reqwest::Client,
    app: &TestApp,
    path: &str,
    fields: &[(&str, String)],
    action: &str,
) -> (StatusCode, String, String) {
    let mut all: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    all.push(("action", action));
    let res = post_form(c, app, path, &all).await;
    let url = res.url().to_string();
    (res.status(), url, res.text().await.unwrap())
}

async fn page(c: &reqwest::Client, app: &TestApp, path: &str) -> String {
    c.get(app.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Waits until every poll that started has ended at least once more after now.
async fn polled_again(app: &TestApp) {
    let since = Timestamp::now().0;
    eventually("another poll", async || {
        let pending = number(
            app,
            &format!(
                "SELECT COUNT(*) FROM mailbox WHERE is_active AND (last_polled_at IS NULL OR last_polled_at <= {since})"
            ),
        )
        .await;
        (pending == 0).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_department_mailbox_turns_mail_into_tickets_once() {
    let imap = ImapServer::start();
    let (mut app, admin, department) = start().await;
    let (user, password) = IMAP_USERS[0];
    // New tickets from this mailbox get a topic other than the department's first.
    let topic = app.app.topics_admin(Actor::Cli).await.unwrap()[1]
        .id
        .to_string();
    let base = with(
        &form(&imap, &department, user, password),
        &[("help_topic_id", &topic)],
    );
    let path = "/agent/admin/mailboxes";

    // Testing the connection says clearly what is wrong, saves nothing, and never echoes
    // the password.
    let (status, _, body) = post(
        &admin,
        &app,
        path,
        &with(&base, &[("password", "falsch-geraten")]),
        "test",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Der Server hat Benutzername oder Passwort abgelehnt."),
        "{body}"
    );
    assert!(!body.contains("falsch-geraten"));
    let (_, _, body) = post(
        &admin,
        &app,
        path,
        &with(&base, &[("folder", "Gibtsnicht")]),
        "test",
    )
    .await;
    assert!(
        body.contains("Den Ordner gibt es auf dem Server nicht"),
        "{body}"
    );
    let (_, _, body) = post(&admin, &app, path, &with(&base, &[("port", "1")]), "test").await;
    assert!(body.contains("Der Server war nicht erreichbar"), "{body}");
    // TLS from the first byte and after STARTTLS both reach the server's certificate, which
    // is self-signed and refused; TLS to the plain-text port fails at the TLS step too.
    let tls_port = imap.tls_port.to_string();
    for (tls, port, why) in [
        ("tls", tls_port.as_str(), "certificate"),
        ("starttls", "", "certificate"),
        ("tls", "", ""),
    ] {
        let port = if port.is_empty() {
            imap.port.to_string()
        } else {
            port.to_owned()
        };
        let (_, _, body) = post(
            &admin,
            &app,
            path,
            &with(&base, &[("tls", tls), ("port", &port)]),
            "test",
        )
        .await;
        assert!(
            body.contains("Die sichere Verbindung ist fehlgeschlagen"),
            "{tls} on {port}: {body}"
        );
        assert!(body.contains(why), "{tls} on {port}: {body}");
    }
    let (_, _, body) = post(&admin, &app, path, &base, "test").await;
    assert!(body.contains("Die Verbindung funktioniert"), "{body}");
    assert!(!body.contains(password), "the password is not sent back");
    assert_eq!(app.count("mailbox").await, 0);

    // Plain text only to this machine; errors sit next to their fields.
    let (status, _, body) = post(
        &admin,
        &app,
        path,
        &with(
            &base,
            &[("host", "imap.example.org"), ("after_import", "move")],
        ),
        "save",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("id=\"tls-error\""), "{body}");
    assert!(body.contains("id=\"archive_folder-error\""), "{body}");
    assert_eq!(app.count("mailbox").await, 0);

    // Two messages waiting before the mailbox is saved.
    imap.deliver(
        user,
        &eml(
            "Max Müller <max@example.org>",
            "Beamer im Saal 2 defekt",
            "a1",
            "Der Beamer geht nicht an.",
        ),
    );
    imap.deliver(
        user,
        &eml(
            "Erika <erika@example.org>",
            "Schlüssel für den Keller",
            "a2",
            "Wer hat den Schlüssel?",
        ),
    );
    let (status, url, body) = post(&admin, &app, path, &base, "save").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(url.contains("done=created"), "{url}");
    assert!(body.contains("Ein Passwort ist gespeichert."));
    assert!(!body.contains(password));
    assert_eq!(app.count("mailbox").await, 1);

    eventually("two tickets from the mailbox", async || {
        (app.count("ticket WHERE source = 'email'").await == 2).then_some(())
    })
    .await;
    assert_eq!(
        app.count(&format!("ticket WHERE help_topic_id = {topic}"))
            .await,
        2,
        "the mailbox's help topic"
    );
    // Marked on the server, after they were stored.
    eventually("both messages flagged as seen", async || {
        let m = imap.messages(user, "INBOX");
        (m.len() == 2 && m.iter().all(|(_, f)| f.contains('S'))).then_some(())
    })
    .await;

    // A reply by subject tag from the requester lands in the ticket.
    let tag = text(
        &app,
        "SELECT t.number FROM ticket t JOIN contact c ON c.contact_id = t.requester_id
         WHERE c.email = 'max@example.org'",
    )
    .await;
    imap.deliver(
        user,
        &eml(
            "Max Müller <max@example.org>",
            &format!("Re: [#{tag}] Beamer im Saal 2 defekt"),
            "a3",
            "Es ist der Beamer links.",
        ),
    );
    eventually("the reply in its ticket", async || {
        (app.count("inbound_message").await == 3).then_some(())
    })
    .await;
    polled_again(&app).await;
    assert_eq!(app.count("ticket WHERE source = 'email'").await, 2);
    let entries = number(
        &app,
        &format!(
            "SELECT COUNT(*) FROM thread_entry e JOIN ticket t ON t.ticket_id = e.ticket_id
             WHERE t.number = '{tag}' AND e.kind = 'message'"
        ),
    )
    .await;
    assert_eq!(entries, 2, "opening message and reply");

    // Polls go on; nothing is taken twice.
    polled_again(&app).await;
    polled_again(&app).await;
    assert_eq!(app.count("inbound_message").await, 3);
    // … not even fetched: `UID SEARCH UID 4:*` answers 3, which is filtered out.
    let log = imap.log();
    let last = log
        .lines()
        .rfind(|l| l.contains("imap(tessera)") && l.contains("Logged out"))
        .expect("a session of the poller");
    assert!(last.contains("body_count=0"), "{last}");
    let id = number(&app, "SELECT mailbox_id FROM mailbox").await;
    let last_uid = number(&app, "SELECT last_uid FROM mailbox").await;
    assert_eq!(last_uid, 3);

    // The password is on no page, the audit log says only that one is set.
    for p in [
        path.to_owned(),
        format!("{path}/{id}"),
        "/agent/admin/audit".to_owned(),
    ] {
        let body = page(&admin, &app, &p).await;
        assert!(!body.contains(password), "{p}");
    }
    let audit = page(&admin, &app, "/agent/admin/audit?action=mailbox-create").await;
    assert!(audit.contains("Passwort: gesetzt"), "{audit}");

    // A restart, and a lost read position (as if the node died between storing and
    // recording): the messages are read again and recognised, nothing is doubled.
    app.exec("UPDATE mailbox SET last_uid = NULL").await;
    app.restart().await;
    polled_again(&app).await;
    eventually("the read position restored", async || {
        (number(&app, "SELECT COALESCE(last_uid, 0) FROM mailbox").await == 3).then_some(())
    })
    .await;
    assert_eq!(app.count("inbound_message").await, 3);
    assert_eq!(app.count("ticket WHERE source = 'email'").await, 2);
    app.stop().await;
}

#[tokio::test]
async fn a_message_is_marked_on_the_server_only_after_it_is_stored() {
    let imap = ImapServer::start();
    let (app, admin, department) = start().await;
    let (user, password) = IMAP_USERS[0];
    imap.create_folder(user, "Archiv");
    // Nothing can take the mail: no department is active, so the pipeline refuses it.
    let base = form(&imap, &department, user, password);
    let moving = with(
        &base,
        &[("after_import", "move"), ("archive_folder", "Archiv")],
    );
    let (status, _, body) = post(&admin, &app, "/agent/admin/mailboxes", &moving, "save").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.exec("UPDATE department SET is_active = FALSE").await;
    imap.deliver(
        user,
        &eml("Max <max@example.org>", "Hallo", "b1", "Ein Anliegen."),
    );
    eventually("the failure recorded", async || {
        let e = text(&app, "SELECT COALESCE(last_error, '') FROM mailbox").await;
        e.starts_with("ingest:").then_some(())
    })
    .await;
    let list = page(&admin, &app, "/agent/admin/mailboxes").await;
    assert!(
        list.contains("Eine Nachricht konnte nicht gespeichert werden"),
        "{list}"
    );
    assert_eq!(imap.messages(user, "INBOX").len(), 1, "still on the server");
    assert!(imap.messages(user, "Archiv").is_empty());
    assert_eq!(app.count("ticket").await, 0);

    // Once it can be stored, it is, and only then moved to the archive.
    app.exec("UPDATE department SET is_active = TRUE").await;
    eventually("the ticket", async || {
        (app.count("ticket WHERE source = 'email'").await == 1).then_some(())
    })
    .await;
    eventually("the message in the archive", async || {
        (imap.messages(user, "INBOX").is_empty() && imap.messages(user, "Archiv").len() == 1)
            .then_some(())
    })
    .await;
    polled_again(&app).await;
    let e = text(&app, "SELECT COALESCE(last_error, '') FROM mailbox").await;
    assert_eq!(e, "", "the error is cleared by a good poll");
    assert_eq!(app.count("inbound_message").await, 1);

    // Saving with an empty password field keeps the stored one; the box forgets it.
    let id = number(&app, "SELECT mailbox_id FROM mailbox").await;
    let edit = format!("/agent/admin/mailboxes/{id}");
    let (status, url, _) = post(
        &admin,
        &app,
        &edit,
        &with(&moving, &[("password", "")]),
        "save",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(url.contains("done=saved"), "{url}");
    assert_eq!(text(&app, "SELECT password FROM mailbox").await, password);
    let cleared = with(&moving, &[("password", ""), ("clear_password", "1")]);
    post(&admin, &app, &edit, &cleared, "save").await;
    assert_eq!(text(&app, "SELECT password FROM mailbox").await, "");
    let body = page(&admin, &app, &edit).await;
    assert!(body.contains("Es ist kein Passwort gespeichert."), "{body}");
    let audit = page(&admin, &app, "/agent/admin/audit?action=mailbox-update").await;
    assert!(
        audit.contains("Passwort: gesetzt") && audit.contains("Passwort: keine"),
        "{audit}"
    );
    assert!(!audit.contains(password));
    app.stop().await;
}

#[tokio::test]
async fn a_broken_mailbox_says_why_and_the_others_still_import() {
    let imap = ImapServer::start();
    let (app, admin, department) = start().await;
    let (good, good_password) = IMAP_USERS[0];
    let (broken, _) = IMAP_USERS[1];
    let path = "/agent/admin/mailboxes";
    // The second mailbox belongs to another department, whatever address the mail names.
    let technik = app
        .app
        .save_department(
            Actor::Cli,
            tessera_core::DepartmentAdmin {
                id: tessera_domain::DepartmentId(0),
                name: "Technik".into(),
                email: "technik@tessera.test".into(),
                alert_new_ticket: false,
                is_active: true,
            },
        )
        .await
        .unwrap()
        .to_string();
    post(
        &admin,
        &app,
        path,
        &form(&imap, &technik, broken, "nicht-das-passwort"),
        "save",
    )
    .await;
    let deleting = with(
        &form(&imap, &department, good, good_password),
        &[("after_import", "delete")],
    );
    let (status, _, body) = post(&admin, &app, path, &deleting, "save").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.count("mailbox").await, 2);
    imap.deliver(
        broken,
        &eml(
            "A <a@example.org>",
            "Erste",
            "c1",
            "An das kaputte Postfach.",
        ),
    );
    imap.deliver(
        good,
        &eml("B <b@example.org>", "Zweite", "c2", "An das gute Postfach."),
    );
    eventually("the good mailbox's ticket", async || {
        (app.count("ticket WHERE source = 'email'").await == 1).then_some(())
    })
    .await;
    eventually("the message deleted from the good mailbox", async || {
        imap.messages(good, "INBOX").is_empty().then_some(())
    })
    .await;
    eventually("the broken mailbox's error", async || {
        let e = text(
            &app,
            &format!("SELECT COALESCE(last_error, '') FROM mailbox WHERE username = '{broken}'"),
        )
        .await;
        e.starts_with("auth:").then_some(())
    })
    .await;
    let list = page(&admin, &app, path).await;
    assert!(
        list.contains("Der Server hat Benutzername oder Passwort abgelehnt."),
        "{list}"
    );
    // In the administrator's language.
    admin
        .get(app.url("/lang/en?next=/agent"))
        .send()
        .await
        .unwrap();
    let list = page(&admin, &app, path).await;
    assert!(
        list.contains("The server refused the user name or password."),
        "{list}"
    );
    let waiting = imap.messages(broken, "INBOX");
    assert_eq!(waiting.len(), 1);
    assert!(!waiting[0].1.contains('S'), "untouched on the server");

    // Mending the password in the form (the other fields kept) lets it import too.
    let id = number(
        &app,
        &format!("SELECT mailbox_id FROM mailbox WHERE username = '{broken}'"),
    )
    .await;
    let (status, _, body) = post(
        &admin,
        &app,
        &format!("{path}/{id}"),
        &form(&imap, &technik, broken, IMAP_USERS[1].1),
        "save",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    eventually("the second ticket", async || {
        (app.count("ticket WHERE source = 'email'").await == 2).then_some(())
    })
    .await;
    assert_eq!(
        app.count(&format!(
            "ticket WHERE department_id = {technik} AND subject = 'Erste'"
        ))
        .await,
        1,
        "opened in the mailbox's department"
    );

    // Other agents do not see the page at all.
    crate::admin::agent(&app, "nadine", "Nadine", false).await;
    let agent = sign_in(&app, "nadine", PASSWORD).await;
    for p in [path.to_owned(), format!("{path}/{id}")] {
        let res = agent.get(app.url(&p)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{p}");
    }
    app.stop().await;
}

#[tokio::test]
async fn two_nodes_never_poll_one_mailbox_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let test_db = TestDb::new(dir.path()).await;
    let db = tessera_store::Db::connect(&test_db.url).await.unwrap();
    db.migrate(|_, _, _| {}).await.unwrap();
    let mut c = db.begin().await.unwrap();
    let department = c
        .h()
        .insert_department("Technik", "technik@tessera.test")
        .await
        .unwrap();
    let id = c
        .h()
        .insert_mailbox(&tessera_store::MailboxSettings {
            department_id: department.0,
            host: "127.0.0.1",
            port: 143,
            tls: "none",
            username: "technik",
            password: "geheim",
            folder: "INBOX",
            help_topic_id: None,
            after_import: "seen",
            archive_folder: None,
            is_active: true,
        })
        .await
        .unwrap();
    c.commit().await.unwrap();
    let (minute, lease) = (60_000, 300_000);
    // Each claim a transaction of its own, as each node's.
    let claim = async |db: &tessera_store::Db, at: Timestamp| {
        let mut c = db.begin().await.unwrap();
        let ids = c
            .h()
            .claim_mailboxes(at, minute, lease)
            .await
            .unwrap()
            .iter()
            .map(|m| m.mailbox_id)
            .collect::<Vec<_>>();
        c.commit().await.unwrap();
        ids
    };
    let polled = async |db: &tessera_store::Db| {
        let mut c = db.begin().await.unwrap();
        c.h()
            .mailbox_polled(id, None, Timestamp::now())
            .await
            .unwrap();
        c.commit().await.unwrap();
    };
    let now = Timestamp::now();
    assert_eq!(
        claim(&db, now).await,
        vec![id],
        "a new mailbox is due at once"
    );
    assert!(
        claim(&db, now).await.is_empty(),
        "the other node finds it taken"
    );
    // Done: free, but not due again before the interval has passed.
    polled(&db).await;
    assert!(claim(&db, now.plus_millis(1000)).await.is_empty());
    let later = Timestamp::now().plus_millis(minute + 1);
    assert_eq!(claim(&db, later).await, vec![id]);
    // A node that died holding it frees it when the lease runs out.
    assert!(claim(&db, later.plus_millis(lease - 1)).await.is_empty());
    assert_eq!(claim(&db, later.plus_millis(lease + 1)).await, vec![id]);
    // Inactive mailboxes are never claimed.
    polled(&db).await;
    let mut c = db.begin().await.unwrap();
    let m = c.h().mailbox(id).await.unwrap();
    let settings = tessera_store::MailboxSettings {
        department_id: m.department_id,
        host: &m.host,
        port: m.port,
        tls: &m.tls,
        username: &m.username,
        password: &m.password,
        folder: &m.folder,
        help_topic_id: None,
        after_import: "seen",
        archive_folder: None,
        is_active: false,
    };
    c.h().update_mailbox(id, &settings, false).await.unwrap();
    c.commit().await.unwrap();
    assert!(claim(&db, later.plus_millis(10 * lease)).await.is_empty());
    db.close().await;
    test_db.drop_db().await;
}

/// `tessera serve` as its own process, reading mailboxes every second.
fn serve(data: &std::path::Path, db: &str, port: u16) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--database-url", db])
        .arg("--data-dir")
        .arg(data)
        .arg("--config")
        .arg(data.join("tessera.toml"))
        .env("TESSERA_LOG", "warn")
        .env("TESSERA_MAIL_FROM", HELPDESK)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start tessera")
}

async fn count(db: &tessera_store::Db, table: &str) -> i64 {
    let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
    match db {
        tessera_store::Db::Sqlite(d) => sqlx::query_scalar(sql).fetch_one(&d.pool).await.unwrap(),
        tessera_store::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

#[tokio::test]
async fn killed_at_random_points_while_reading_200_messages_it_stores_each_once() {
    const N: i64 = 200;
    let imap = ImapServer::start();
    let (user, password) = IMAP_USERS[0];
    for i in 0..N {
        imap.deliver(
            user,
            &eml(
                &format!("Person {i} <person{i}@example.org>"),
                &format!("Anliegen Nummer {i}"),
                &format!("k{i}"),
                &format!("Text des Anliegens {i}."),
            ),
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let test_db = TestDb::new(dir.path()).await;
    std::fs::write(
        dir.path().join("tessera.toml"),
        "imap_poll_seconds = 1\nimap_lease_ms = 1000\n",
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let up = async || {
        let c = reqwest::Client::new();
        eventually("the server", async || {
            c.get(format!("{base}/")).send().await.ok().map(|_| ())
        })
        .await;
    };
    let mut server = serve(dir.path(), &test_db.url, port);
    up().await;
    let db = tessera_store::Db::connect(&test_db.url).await.unwrap();
    {
        let mut c = db.begin().await.unwrap();
        let department = c.h().all_departments().await.unwrap()[0].department_id;
        c.h()
            .insert_mailbox(&tessera_store::MailboxSettings {
                department_id: department,
                host: "127.0.0.1",
                port: i64::from(imap.port),
                tls: "none",
                username: user,
                password,
                folder: "INBOX",
                help_topic_id: None,
                after_import: "seen",
                archive_folder: None,
                is_active: true,
            })
            .await
            .unwrap();
        c.commit().await.unwrap();
    }

    // SIGKILL (no shutdown, nothing flushed) after a varying number of stored messages,
    // so that it lands between fetching, storing, flagging and recording.
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    let mut random = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let mut target = 0;
    for _ in 0..5 {
        target += 10 + random(30) as i64;
        if target >= N {
            break;
        }
        eventually("messages stored before the kill", async || {
            (count(&db, "inbound_message").await >= target).then_some(())
        })
        .await;
        server.kill().unwrap();
        server.wait().unwrap();
        server = serve(dir.path(), &test_db.url, port);
        up().await;
    }

    // Every message arrives, each once, and each is flagged on the server.
    let mut seen = -1;
    while seen < N {
        seen = eventually("progress", async || {
            let n = count(&db, "inbound_message").await;
            (n > seen).then_some(n)
        })
        .await;
    }
    eventually("every message flagged", async || {
        let m = imap.messages(user, "INBOX");
        (m.iter().filter(|(_, f)| f.contains('S')).count() == N as usize).then_some(())
    })
    .await;
    assert_eq!(count(&db, "inbound_message").await, N);
    assert_eq!(count(&db, "ticket WHERE source = 'email'").await, N);
    assert_eq!(
        count(&db, "inbound_message WHERE status = 'done'").await,
        N,
        "every kept message was acted on"
    );
    eventually("the read position at the end", async || {
        (count(&db, "mailbox WHERE last_uid = 200").await == 1).then_some(())
    })
    .await;
    server.kill().unwrap();
    server.wait().unwrap();
    db.close().await;
    test_db.drop_db().await;
}

/// A full folder is read to the end: every message becomes a ticket, and the rate is printed.
/// The suite reads 60 messages; for the figure of a 10,000-message folder run
/// `TESSERA_BENCH_MESSAGES=10000 cargo test --release -p tessera --test it imap_rate -- --nocapture`.
#[tokio::test]
async fn imap_rate() {
    let n: i64 = std::env::var("TESSERA_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let imap = ImapServer::start();
    let (user, password) = IMAP_USERS[0];
    for i in 0..n {
        imap.deliver(
            user,
            &eml(
                &format!("Person {i} <person{}@example.org>", i % 500),
                &format!("Anliegen Nummer {i}"),
                &format!("r{i}"),
                &format!("Guten Tag,\n\nbitte um Hilfe mit Nummer {i}.\n\nViele Grüße\nPerson {i}"),
            ),
        );
    }
    let app = TestApp::start_with(Box::new(|c| c.core.imap_poll_secs = 1)).await;
    let db = app.app.db().clone();
    let start = std::time::Instant::now();
    {
        let mut c = db.begin().await.unwrap();
        let department = c.h().all_departments().await.unwrap()[0].department_id;
        c.h()
            .insert_mailbox(&tessera_store::MailboxSettings {
                department_id: department,
                host: "127.0.0.1",
                port: i64::from(imap.port),
                tls: "none",
                username: user,
                password,
                folder: "INBOX",
                help_topic_id: None,
                after_import: "seen",
                archive_folder: None,
                is_active: true,
            })
            .await
            .unwrap();
        c.commit().await.unwrap();
    }
    let mut seen = -1;
    while seen < n {
        seen = eventually("progress", async || {
            let c = count(&db, "inbound_message WHERE status = 'done'").await;
            (c > seen).then_some(c)
        })
        .await;
    }
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(app.count("ticket WHERE source = 'email'").await, n);
    println!(
        "IMAP → tickets: {n} messages in {secs:.1} s = {:.0} messages/s ({} backend)",
        n as f64 / secs,
        if matches!(db, tessera_store::Db::Postgres(_)) {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    app.stop().await;
}
