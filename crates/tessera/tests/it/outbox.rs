//! Mail out, exactly once and visibly: a `tessera serve` killed with SIGKILL in the middle of
//! sending re-sends at most the one mail in flight; a server that refuses (4xx, 5xx) shows on
//! the ticket and the outbox page, and "retry now" sends it once the server accepts.

use std::{
    collections::HashMap,
    io::Write,
    net::{TcpListener, TcpStream},
    path::PathBuf,
    process::{Child, ChildStdin, Command, Stdio},
    time::Instant,
};

use reqwest::StatusCode;

use crate::{
    crash::{serve, up},
    portal::{MAX, final_url, number_from, open},
    support::{PATIENCE, TestApp, TestDb, csrf, eventually, first_topic, ticket_form},
};

/// An SMTP server (`smtp_gate.py`, aiosmtpd) that accepts only as many messages as the test
/// allows, holding the next at DATA, and answers chosen recipients 450 or 550.
pub struct Gate {
    port: u16,
    maildir: PathBuf,
    state: PathBuf,
    stdin: ChildStdin,
    child: Child,
    commands: u64,
    _dir: tempfile::TempDir,
}

/// What the gate reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GateState {
    /// Messages accepted (250) and in the Maildir.
    pub delivered: u64,
    /// Messages waiting at DATA.
    pub held: u64,
    commands: u64,
}

impl Gate {
    /// Starts the server accepting nothing (`allow 0`) until told.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let script = dir.path().join("smtp_gate.py");
        std::fs::write(&script, include_str!("smtp_gate.py")).unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let maildir = dir.path().join("Maildir");
        let state = dir.path().join("state.json");
        let mut child =
            Command::new(std::env::var("TESSERA_TEST_PYTHON").unwrap_or_else(|_| "python3".into()))
                .arg(&script)
                .args(["127.0.0.1", &port.to_string()])
                .arg(&maildir)
                .arg(&state)
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .spawn()
                .expect("python with aiosmtpd (TESSERA_TEST_PYTHON)");
        let stdin = child.stdin.take().unwrap();
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < PATIENCE, "the SMTP gate did not start");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let mut g = Gate {
            port,
            maildir,
            state,
            stdin,
            child,
            commands: 0,
            _dir: dir,
        };
        g.command("allow 0");
        g
    }

    /// The URL Tessera is configured with.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Sends a command and waits until the server applied it.
    pub fn command(&mut self, line: &str) {
        writeln!(self.stdin, "{line}").unwrap();
        self.stdin.flush().unwrap();
        self.commands += 1;
        let start = Instant::now();
        while self.state().commands < self.commands {
            assert!(start.elapsed() < PATIENCE, "the SMTP gate ignored {line}");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    /// What the server reports now.
    pub fn state(&self) -> GateState {
        let text = std::fs::read_to_string(&self.state).unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let n = |k: &str| v[k].as_u64().unwrap_or(0);
        GateState {
            delivered: n("delivered"),
            held: n("held"),
            commands: n("commands"),
        }
    }

    /// Waits until the server reports a state for which `ok` holds.
    pub async fn until(&self, what: &str, ok: impl Fn(GateState) -> bool) -> GateState {
        eventually(what, async || Some(self.state()).filter(|s| ok(*s))).await
    }

    /// Every message delivered so far, raw.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(rd) = std::fs::read_dir(self.maildir.join(sub)) {
                out.extend(rd.filter_map(|e| std::fs::read(e.ok()?.path()).ok()));
            }
        }
        out
    }

    /// How often each Message-ID was delivered.
    pub fn deliveries(&self) -> HashMap<String, usize> {
        let mut n = HashMap::new();
        for raw in self.messages() {
            *n.entry(crate::support::Mail::parse(&raw).message_id)
                .or_default() += 1;
        }
        n
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `tessera.toml` for the kill test: no intake limits (the test opens many tickets from one
/// address), quick retries and a short lease, so mail a killed process had claimed goes
/// again soon after the restart.
const KILL_TOML: &str = "mail_retry_base_ms = 100
mail_retry_max_ms = 300
mail_lease_ms = 1500

[intake]
open_per_client = { burst = 0, per_hour = 0 }
open_per_recipient = { burst = 0, per_hour = 0 }
open_global = { burst = 0, per_hour = 0 }
challenge_auto_per_minute = 4294967295
";

/// Outbox rows: (all, sent).
async fn outbox(db: &tessera_store::Db) -> (i64, i64) {
    let mut c = db.conn().await.unwrap();
    let counts = c.h().mail_counts().await.unwrap();
    let all = counts.iter().map(|(_, n)| n).sum();
    let sent = counts
        .iter()
        .find(|(s, _)| s == "sent")
        .map_or(0, |(_, n)| *n);
    (all, sent)
}

#[tokio::test]
async fn a_kill_during_sending_re_sends_at_most_the_mail_in_flight() {
    const TICKETS: usize = 120;
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path()).await;
    std::fs::write(dir.path().join("tessera.toml"), KILL_TOML).unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut gate = Gate::start();
    let mut server = serve(dir.path(), &db.url, port, &gate.url());
    up(&base).await;

    // Requesters open tickets while the SMTP server accepts nothing: every confirmation
    // (and alert) waits in the outbox.
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
    let topic = first_topic(&page);
    let token = csrf(&c, &format!("{base}/open")).await;
    for i in 0..TICKETS {
        let email = format!("kunde{i}@example.org");
        let subject = format!("Anliegen {i}");
        let form = ticket_form(
            &token,
            &[
                ("email", &email),
                ("name", "Kundin"),
                ("help_topic_id", &topic),
                ("subject", &subject),
                ("body", "Bitte um Rückruf."),
            ],
            &[],
        );
        let res = c
            .post(format!("{base}/open"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    let store = tessera_store::Db::connect(&db.url).await.unwrap();
    let (queued, _) = outbox(&store).await;
    assert!(queued >= TICKETS as i64, "{queued} mails queued");

    // Two kills in the middle of sending: the gate lets `allow` messages through and holds
    // the next at DATA, so the process dies while the worker is mid-batch with a message on
    // the wire. Each kill may repeat at most that one.
    let mut kills = 0;
    for allow in [30u64, 80] {
        gate.command(&format!("allow {allow}"));
        gate.until(&format!("{allow} delivered, the next held"), |s| {
            s.delivered == allow && s.held == 1
        })
        .await;
        server.kill().unwrap();
        server.wait().unwrap();
        kills += 1;
        // The held message's client is gone: the gate drops it rather than delivering it.
        gate.until("the held message dropped", |s| s.held == 0)
            .await;
        server = serve(dir.path(), &db.url, port, &gate.url());
        up(&base).await;
    }
    gate.command("allow -1");
    eventually("every queued mail sent", async || {
        let (all, sent) = outbox(&store).await;
        (all == sent && gate.deliveries().len() as i64 == all).then_some(())
    })
    .await;
    server.kill().unwrap();
    server.wait().unwrap();

    let deliveries = gate.deliveries();
    let (all, _) = outbox(&store).await;
    assert_eq!(deliveries.len() as i64, all, "every mail delivered");
    assert!(deliveries.keys().all(|id| !id.is_empty()));
    let twice: Vec<_> = deliveries.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.len() <= kills && twice.iter().all(|(_, n)| **n == 2),
        "at most one mail twice per kill: {twice:?}"
    );
    eprintln!(
        "kill test: {queued} mails, {kills} kills, {} delivered twice",
        twice.len()
    );
    // The outbox pages through all of them, newest first, by keyset.
    let mut seen = Vec::new();
    let mut f = tessera_store::OutboxFilter {
        status: "sent".into(),
        ..Default::default()
    };
    loop {
        let mut c = store.conn().await.unwrap();
        let page = c.h().outbox_page(&f, 50).await.unwrap();
        let Some(last) = page.last() else { break };
        f.before = last.outbox_mail_id;
        seen.extend(page.iter().map(|m| m.outbox_mail_id));
    }
    assert_eq!(seen.len() as i64, all);
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first, no repeats"
    );
    store.close().await;
    db.drop_db().await;
}

/// An administrator's browser, signed in.
async fn admin(app: &TestApp) -> reqwest::Client {
    app.exec("UPDATE agent SET must_change_password = FALSE WHERE username = 'admin'")
        .await;
    let c = app.client();
    let token = csrf(&c, &app.url("/agent/login")).await;
    let res = c
        .post(app.url("/agent/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("username", "admin"),
            ("password", app.admin_password.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.url().path().starts_with("/agent/queue/"));
    c
}

async fn get(c: &reqwest::Client, url: &str) -> String {
    c.get(url).send().await.unwrap().text().await.unwrap()
}

/// The `<li>` of the ticket page's mail list for the mail of `kind` (its label) to `to`.
fn mail_item<'a>(page: &'a str, to: &str) -> Option<&'a str> {
    let list = &page[page.find("class=\"ticket-mail\"")?..];
    let list = &list[..list.find("</section>")?];
    list.split("<li ").find(|li| li.contains(to))
}

/// Tessera sending through the gate, retrying quickly and long enough never to give up a
/// mail the server only defers while a test watches.
async fn app_on(gate: &Gate) -> TestApp {
    let url = gate.url();
    TestApp::start_with(Box::new(move |c| {
        c.smtp_url = Some(url);
        c.core.mail_max_attempts = 1000;
    }))
    .await
}

#[tokio::test]
async fn a_deferred_mail_shows_retrying_on_the_ticket_and_goes_out_when_the_server_accepts() {
    let mut gate = Gate::start();
    gate.command("allow -1");
    gate.command("refuse max@example.org 450");
    let app = app_on(&gate).await;
    let admin = admin(&app).await;
    let (res, _) = open(&app, &app.client(), MAX, &[]).await;
    let number = number_from(&final_url(&res));
    let ticket = app.url(&format!("/agent/tickets/{number}"));

    // Deferred again and again: the ticket says so, with the server's answer.
    let item = eventually("the confirmation shown as retrying", async || {
        let page = get(&admin, &ticket).await;
        let li = mail_item(&page, "max@example.org")?.to_owned();
        (li.contains("mail-retrying") && li.contains("450")).then_some(li)
    })
    .await;
    assert!(!item.contains("mail-sent"), "{item}");
    // Beside the entry that caused it: the requester's message.
    let first_entry = item
        .split("href=\"#entry-")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the mail names its entry");
    let page = get(&admin, &ticket).await;
    assert!(
        page.contains(&format!(
            "class=\"entry entry-message\" id=\"entry-{first_entry}\""
        )),
        "the confirmation belongs to the message"
    );
    let outbox = get(&admin, &app.url("/agent/admin/outbox?status=retrying")).await;
    assert!(
        outbox.contains("max@example.org") && outbox.contains("450"),
        "{outbox}"
    );
    // Filters: by recipient (any case, a part of it), by ticket, by status.
    let listed = async |query: &str| {
        get(&admin, &app.url(&format!("/agent/admin/outbox?{query}")))
            .await
            .contains("max@example.org")
    };
    assert!(listed("recipient=MAX%40example").await);
    assert!(!listed("recipient=moritz").await);
    assert!(!listed("recipient=m_x").await, "_ is no wildcard");
    assert!(listed(&format!("ticket={number}")).await);
    assert!(!listed("ticket=000000").await);
    assert!(!listed("status=sent").await);
    assert!(
        listed("status=bogus").await,
        "an unknown status filters nothing"
    );
    assert!(gate.deliveries().is_empty());

    // The server accepts again: the next retry delivers it, and the ticket shows it sent.
    gate.command("accept max@example.org");
    let mails = eventually("the confirmation delivered", async || {
        let m = gate.messages();
        (!m.is_empty()).then_some(m)
    })
    .await;
    let m = crate::support::Mail::parse(&mails[0]);
    assert_eq!(m.to, ["max@example.org"]);
    assert!(m.subject.contains(&format!("[#{number}]")));
    eventually("the ticket showing it sent", async || {
        let page = get(&admin, &ticket).await;
        mail_item(&page, "max@example.org")?
            .contains("mail-sent")
            .then_some(())
    })
    .await;
    // A deferral is no failure: no event, no alert.
    let page = get(&admin, &ticket).await;
    assert!(!page.contains("could not be delivered") && !page.contains("nicht zugestellt werden"));
    assert_eq!(app.count("outbox_mail WHERE kind = 'alert'").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn a_refused_reply_is_shown_alerts_the_assignee_once_and_goes_out_after_retry_now() {
    let mut gate = Gate::start();
    gate.command("allow -1");
    gate.command("refuse max@example.org 550");
    let app = app_on(&gate).await;
    let admin = admin(&app).await;
    let (res, _) = open(&app, &app.client(), MAX, &[]).await;
    let number = number_from(&final_url(&res));
    let ticket = app.url(&format!("/agent/tickets/{number}"));

    // The confirmation is refused for good at once: shown as refused with the server's
    // words, and an event on the ticket says so.
    eventually("the confirmation shown as refused", async || {
        let page = get(&admin, &ticket).await;
        let li = mail_item(&page, "max@example.org")?;
        (li.contains("mail-failed") && li.contains("550") && page.contains("entry-event"))
            .then_some(())
    })
    .await;

    // The administrator takes the ticket and replies; the reply is refused too, and the
    // assignee is alerted by mail.
    let token = csrf(&admin, &ticket).await;
    let res = admin
        .post(format!("{ticket}/action"))
        .form(&[("csrf", token.as_str()), ("do", "claim")])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let page = get(&admin, &ticket).await;
    let seen = page
        .split("name=\"seen\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let token = csrf(&admin, &ticket).await;
    let res = admin
        .post(format!("{ticket}/reply"))
        .multipart(ticket_form(
            &token,
            &[("body", "Das Plakat ist fertig."), ("seen", &seen)],
            &[],
        ))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let alert = eventually("the alert to the assignee", async || {
        gate.messages()
            .iter()
            .map(|r| crate::support::Mail::parse(r))
            .find(|m| {
                m.to == ["helpdesk@tessera.test"]
                    && m.subject.contains(&format!("[#{number}]"))
                    && (m.subject.starts_with("Nicht zugestellt")
                        || m.subject.starts_with("Not delivered"))
            })
    })
    .await;
    assert!(
        alert.text.contains("max@example.org") && alert.text.contains("550"),
        "{}",
        alert.text
    );
    // Confirmation and reply, each given up once: one alert each at most, none about alerts.
    eventually("every mail settled", async || {
        (app.count("outbox_mail WHERE status = 'pending'").await == 0).then_some(())
    })
    .await;
    let alerts = app.count("outbox_mail WHERE kind = 'alert'").await;
    let given_up = app
        .count("outbox_mail WHERE status = 'failed' AND kind IN ('confirmation', 'reply')")
        .await;
    assert_eq!(given_up, 2);
    assert!(
        alerts <= given_up,
        "{alerts} alerts for {given_up} mails given up"
    );

    // The outbox lists the refused mail; "retry now" once the server accepts sends it.
    let outbox = get(&admin, &app.url("/agent/admin/outbox?status=failed")).await;
    let id: i64 = outbox
        .split("id=\"mail-")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .expect("a failed mail listed");
    gate.command("accept max@example.org");
    let before = gate.messages().len();
    let token = csrf(&admin, &app.url("/agent/admin/outbox")).await;
    // A forged post (no token) changes nothing.
    let res = admin
        .post(app.url(&format!("/agent/admin/outbox/{id}/retry")))
        .form(&[("csrf", "0".repeat(32))])
        .send()
        .await
        .unwrap();
    assert!(res.url().query().unwrap_or("").contains("error=error-csrf"));
    // Confirmation, reply and the notice that the ticket was taken: all refused.
    assert_eq!(app.count("outbox_mail WHERE status = 'failed'").await, 3);
    let res = admin
        .post(app.url(&format!("/agent/admin/outbox/{id}/retry")))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert!(res.url().query().unwrap_or("").contains("done=one"));
    eventually("the retried mail delivered", async || {
        (gate.messages().len() == before + 1).then_some(())
    })
    .await;
    // And the rest with "retry all undelivered".
    let res = admin
        .post(app.url("/agent/admin/outbox/retry-failed"))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert!(res.url().query().unwrap_or("").contains("done=all&count=2"));
    eventually("every mail to the requester sent", async || {
        let sent = app
            .count("outbox_mail WHERE status = 'sent' AND recipients = 'max@example.org'")
            .await;
        (sent == 3 && gate.state().delivered as usize == gate.messages().len()).then_some(())
    })
    .await;
    let to_max = gate
        .messages()
        .iter()
        .filter(|r| crate::support::Mail::parse(r).to == ["max@example.org"])
        .count();
    assert_eq!(to_max, 3, "confirmation, notice and reply, once each");
    assert_eq!(
        app.count("audit_log WHERE action IN ('mail-retry', 'mail-retry-failed')")
            .await,
        2
    );
    app.stop().await;
}
