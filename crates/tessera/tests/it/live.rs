//! Live agent pages (issue 23): the event stream as a program reads it, queues and ticket
//! pages that change in a real browser without a reload, and the notification centre.

use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use tessera_core::{Actor, ApiKeyForm, ReplyInput};
use tessera_domain::{AgentId, DepartmentId, Lang, Role};

use crate::{
    admin::{PASSWORD, agent, chefin, sign_in},
    browser::Browser,
    support::{PATIENCE, TestApp, csrf, eventually},
};

/// One open `GET /agent/events`, read as its events arrive.
struct Events {
    res: reqwest::Response,
    buf: String,
}

impl Events {
    async fn open(app: &TestApp, c: &reqwest::Client) -> Events {
        let res = c.get(app.url("/agent/events")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let ct = res.headers()[header::CONTENT_TYPE].to_str().unwrap();
        assert!(ct.starts_with("text/event-stream"), "{ct}");
        Events {
            res,
            buf: String::new(),
        }
    }

    /// The next event as (name, data), comments (heartbeats) skipped; `None` when the
    /// stream ended. Fails when none comes within PATIENCE.
    async fn next(&mut self) -> Option<(String, String)> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let (mut name, mut data) = (String::new(), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data = v.trim().to_owned();
                    }
                }
                if !name.is_empty() {
                    return Some((name, data));
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, self.res.chunk())
                .await
                .expect("an event within PATIENCE")
                .unwrap()?;
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// The next `ticket` event's data.
    async fn next_ticket(&mut self) -> Value {
        loop {
            let (name, data) = self.next().await.expect("the stream goes on");
            if name == "ticket" {
                return serde_json::from_str(&data).unwrap();
            }
        }
    }
}

/// A ticket opened through osTicket's API by a program with a create key; its number.
async fn api_ticket(app: &TestApp, subject: &str) -> String {
    let (_, key) = app
        .app
        .create_api_key(
            Actor::Cli,
            &ApiKeyForm {
                name: format!("key for {subject}"),
                scope: "create".into(),
                agent: String::new(),
                allowed_ips: String::new(),
                rate_per_minute: String::new(),
            },
        )
        .await
        .unwrap();
    let res = reqwest::Client::new()
        .post(app.url("/api/tickets.json"))
        .header("X-API-Key", key)
        .json(&json!({
            "name": "Max Müller", "email": "max@example.org",
            "subject": subject, "message": "Bitte helfen."
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    res.text().await.unwrap().trim().to_owned()
}

/// Posts one of the ticket page's small actions as the agent behind `c`.
async fn action(app: &TestApp, c: &reqwest::Client, number: &str, fields: &[(&str, &str)]) {
    let page = app.url(&format!("/agent/tickets/{number}"));
    let token = csrf(c, &page).await;
    let mut form = vec![("csrf", token.as_str())];
    form.extend_from_slice(fields);
    let res = c
        .post(app.url(&format!("/agent/tickets/{number}/action")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.url().as_str().contains("done="), "{}", res.url());
}

/// Nadine works in the press department (1), Ingo only in IT.
async fn two_departments(app: &TestApp) -> (AgentId, AgentId, DepartmentId) {
    let core = &app.app;
    let it = core
        .create_department(Actor::Cli, "IT", "it@tessera.test")
        .await
        .unwrap();
    let nadine = agent(app, "nadine", "Nadine S.", false).await;
    let ingo = agent(app, "ingo", "Ingo IT", false).await;
    core.set_department_role(Actor::Cli, nadine, DepartmentId(1), Role::Agent)
        .await
        .unwrap();
    core.set_department_role(Actor::Cli, ingo, it, Role::Agent)
        .await
        .unwrap();
    (nadine, ingo, it)
}

#[tokio::test]
async fn an_agent_hears_of_a_new_ticket_of_their_department_and_no_other_agent_does() {
    let app = TestApp::start().await;
    let (_, _, it) = two_departments(&app).await;
    chefin(&app).await;
    let nadine = sign_in(&app, "nadine", PASSWORD).await;
    let ingo = sign_in(&app, "ingo", PASSWORD).await;
    let mut hers = Events::open(&app, &nadine).await;
    let mut his = Events::open(&app, &ingo).await;
    // Each stream starts with the bell's count.
    assert_eq!(hers.next().await, Some(("unread".into(), "0".into())));
    assert_eq!(his.next().await, Some(("unread".into(), "0".into())));

    let number = api_ticket(&app, "Drucker kaputt").await;
    assert_eq!(
        hers.next_ticket().await,
        json!({"number": number, "kind": "new"})
    );
    // By now the new ticket's event has passed Ingo's stream too. The next event he hears
    // is the ticket's transfer to IT: he never heard of it while it was the press's.
    let chefin = sign_in(&app, "chefin", PASSWORD).await;
    action(
        &app,
        &chefin,
        &number,
        &[("do", "transfer"), ("department", &it.0.to_string())],
    )
    .await;
    assert_eq!(
        his.next_ticket().await,
        json!({"number": number, "kind": "update"})
    );
    // Nadine hears of the transfer too (from her queue the ticket goes).
    assert_eq!(
        hers.next_ticket().await,
        json!({"number": number, "kind": "update"})
    );

    // Without a session there is no stream.
    let anonymous = app.client_no_redirect();
    let res = anonymous
        .get(app.url("/agent/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // Signing out ends the stream at its next check of the session; stopping the server
    // ends it at once (the graceful stop would otherwise wait for it forever).
    drop(his);
    app.stop().await;
    assert_eq!(hers.next().await, None, "the stream ended with the server");
}

#[tokio::test]
async fn a_stream_is_refused_to_requesters_and_the_event_page_needs_an_agent() {
    let app = TestApp::start().await;
    let c = app.client_no_redirect();
    let res = c.get(app.url("/agent/events")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        res.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/agent/login")
    );
    app.stop().await;
}

/// Signs `user` in through the sign-in form in the browser.
async fn browser_sign_in(b: &Browser, app: &TestApp, user: &str) {
    b.goto(&app.url("/agent/login")).await;
    b.type_into("#username", user).await;
    b.type_into("#password", PASSWORD).await;
    b.click("form button[type='submit']").await;
    eventually("signed in", async || {
        (!b.url().await.contains("/agent/login")).then_some(())
    })
    .await;
}

/// The stream is open when the page's script has its `EventSource` connected.
async fn stream_open(app: &TestApp, listeners: usize) {
    eventually("the page's event stream", async || {
        (app.app.live_listeners() >= listeners).then_some(())
    })
    .await;
}

#[tokio::test]
async fn the_open_queue_shows_a_ticket_created_through_the_api_without_a_reload() {
    let app = TestApp::start().await;
    chefin(&app).await;
    api_ticket(&app, "Erstes Ticket").await;
    let b = Browser::start().await;
    b.resize(1200, 1000).await;
    browser_sign_in(&b, &app, "chefin").await;
    let queue = app.url("/agent/queue/open");
    b.goto(&queue).await;
    stream_open(&app, 1).await;
    // A marker on the page: a reload would lose it.
    b.js("window.tesseraMarker = 1").await;
    let count = "return document.querySelector('#queue-counts [aria-current=page] .count').textContent.trim()";
    assert_eq!(b.js(count).await, json!("1"));
    let title = b.js("return document.title").await;
    assert!(title.as_str().unwrap().starts_with("(1) "), "{title}");

    let number = api_ticket(&app, "Zweites Ticket").await;
    let row = format!(
        "return !!document.querySelector('#queue-list a[href=\"/agent/tickets/{number}\"]')"
    );
    eventually("the new ticket in the list", async || {
        (b.js(&row).await == json!(true)).then_some(())
    })
    .await;
    assert_eq!(b.js(count).await, json!("2"), "the count changed");
    let title = b.js("return document.title").await;
    assert!(title.as_str().unwrap().starts_with("(2) "), "{title}");
    assert_eq!(
        b.js("return window.tesseraMarker").await,
        json!(1),
        "no reload"
    );
    assert_eq!(b.url().await, queue);
    b.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn the_ticket_page_shows_a_requesters_reply_in_place_and_keeps_what_the_agent_typed() {
    let app = TestApp::start().await;
    chefin(&app).await;
    let opened = app
        .app
        .open_ticket(tessera_core::NewTicketInput {
            email: "max@example.org".into(),
            name: "Max Müller".into(),
            help_topic_id: "1".into(),
            subject: "Plakat".into(),
            body: "Bitte ein Plakat.".into(),
            uploads: vec![],
            lang: Lang::De,
        })
        .await
        .unwrap();
    let b = Browser::start().await;
    b.resize(1200, 1000).await;
    browser_sign_in(&b, &app, "chefin").await;
    let page = app.url(&format!("/agent/tickets/{}", opened.number));
    b.goto(&page).await;
    stream_open(&app, 1).await;
    b.type_into("#reply-body", "Guten Tag, ich schaue").await;
    assert_eq!(
        b.js("return getComputedStyle(document.getElementById('live-hint')).display")
            .await,
        json!("none")
    );

    app.app
        .participant_reply(
            opened.grant,
            ReplyInput {
                body: "Noch eine Frage zum Format.".into(),
                uploads: vec![],
            },
        )
        .await
        .unwrap();
    eventually("the reply in the thread", async || {
        b.js("return document.getElementById('thread').textContent.includes('Noch eine Frage zum Format.')")
            .await
            .as_bool()
            .unwrap()
            .then_some(())
    })
    .await;
    assert_eq!(
        b.js("return document.getElementById('reply-body').value")
            .await,
        json!("Guten Tag, ich schaue"),
        "what was typed stays"
    );
    assert_eq!(
        b.js("return document.getElementById('live-hint').textContent")
            .await,
        json!("Neue Nachricht im Verlauf.")
    );
    assert_eq!(b.url().await, page);
    b.quit().await;
    app.stop().await;
}

/// The unread count on the notification list, as a person reads it.
async fn unread_text(app: &TestApp, c: &reqwest::Client) -> String {
    let page = c
        .get(app.url("/agent/notifications"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = page.find("id=\"notices-unread\">").unwrap() + "id=\"notices-unread\">".len();
    page[start..start + page[start..].find('<').unwrap()].to_owned()
}

#[tokio::test]
async fn an_assignment_and_a_mention_ring_the_bell_until_read() {
    let app = TestApp::start().await;
    let (nadine_id, _, _) = two_departments(&app).await;
    chefin(&app).await;
    let number = api_ticket(&app, "Pressefoto").await;
    let chefin = sign_in(&app, "chefin", PASSWORD).await;
    let nadine = sign_in(&app, "nadine", PASSWORD).await;
    let mut hers = Events::open(&app, &nadine).await;
    assert_eq!(hers.next().await, Some(("unread".into(), "0".into())));
    assert_eq!(
        unread_text(&app, &nadine).await,
        "0 ungelesene Benachrichtigungen"
    );

    action(
        &app,
        &chefin,
        &number,
        &[("do", "assign"), ("agent", &nadine_id.0.to_string())],
    )
    .await;
    assert_eq!(
        hers.next_ticket().await,
        json!({"number": number, "kind": "update"})
    );
    assert_eq!(hers.next().await, Some(("unread".into(), "1".into())));
    assert_eq!(
        unread_text(&app, &nadine).await,
        "1 ungelesene Benachrichtigung"
    );
    let list = nadine
        .get(app.url("/agent/notifications"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("Chefin hat Ihnen das Ticket zugewiesen."),
        "{list}"
    );
    assert!(list.contains("Pressefoto"));

    // Marking it read (as the list's button does).
    let id = app
        .scalar("SELECT MAX(notification_id) FROM notification")
        .await
        .to_string();
    let token = csrf(&nadine, &app.url("/agent/notifications")).await;
    let res = nadine
        .post(app.url("/agent/notifications/read"))
        .form(&[("csrf", token.as_str()), ("id", id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        unread_text(&app, &nadine).await,
        "0 ungelesene Benachrichtigungen"
    );
    // Another agent cannot mark it (or see it).
    let ingo = sign_in(&app, "ingo", PASSWORD).await;
    let token = csrf(&ingo, &app.url("/agent/notifications")).await;
    ingo.post(app.url("/agent/notifications/read"))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    let theirs = ingo
        .get(app.url("/agent/notifications"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!theirs.contains("Pressefoto"));

    // A mention in a note; Ingo (who cannot see the ticket) is not told of it.
    let page = app.url(&format!("/agent/tickets/{number}"));
    let token = csrf(&chefin, &page).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", token)
        .text("note", "@nadine bitte das Foto prüfen, @ingo auch");
    let res = chefin
        .post(app.url(&format!("/agent/tickets/{number}/note")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        hers.next_ticket().await,
        json!({"number": number, "kind": "entry"})
    );
    assert_eq!(hers.next().await, Some(("unread".into(), "1".into())));
    let list = nadine
        .get(app.url("/agent/notifications"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("Chefin hat Sie erwähnt."), "{list}");
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM notification n JOIN agent a ON a.agent_id = n.agent_id
             WHERE a.username = 'ingo'"
        )
        .await,
        0
    );

    // Mark all read, as a script does it (JSON answer with the count).
    let token = csrf(&nadine, &app.url("/agent/notifications")).await;
    let res: Value = nadine
        .post(app.url("/agent/notifications/read"))
        .header(header::ACCEPT, "application/json")
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(res, json!({"unread": 0}));
    app.stop().await;
}

#[tokio::test]
async fn an_agent_who_turns_message_mail_off_gets_the_bell_but_no_mail() {
    let app = TestApp::start().await;
    let (nadine_id, _, _) = two_departments(&app).await;
    chefin(&app).await;
    let nadine = sign_in(&app, "nadine", PASSWORD).await;
    let page = app.url("/agent/profile/notifications");
    let form = nadine
        .get(&page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        form.contains("name=\"message\" value=\"both\" checked"),
        "{form}"
    );
    // A channel a kind does not offer is refused with the form again.
    let token = csrf(&nadine, &page).await;
    let res = nadine
        .post(&page)
        .form(&[("csrf", token.as_str()), ("mention", "mail")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = nadine
        .post(&page)
        .form(&[("csrf", token.as_str()), ("message", "app")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.url().as_str().ends_with("saved=1"));
    // A stale token changes nothing.
    let res = nadine
        .post(&page)
        .form(&[("csrf", "0".repeat(32).as_str()), ("message", "off")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let opened = app
        .app
        .open_ticket(tessera_core::NewTicketInput {
            email: "max@example.org".into(),
            name: "Max Müller".into(),
            help_topic_id: "1".into(),
            subject: "Plakat".into(),
            body: "Bitte.".into(),
            uploads: vec![],
            lang: Lang::De,
        })
        .await
        .unwrap();
    let chefin = sign_in(&app, "chefin", PASSWORD).await;
    action(
        &app,
        &chefin,
        &opened.number,
        &[("do", "assign"), ("agent", &nadine_id.0.to_string())],
    )
    .await;
    let alerts = |kind: &'static str| {
        let app = &app;
        async move {
            app.scalar(&format!(
                "SELECT COUNT(*) FROM outbox_mail WHERE recipients LIKE '%nadine@%' AND kind = '{kind}'"
            ))
            .await
        }
    };
    let before = alerts("alert").await;
    assert!(before >= 1, "the assignment still mails her");
    app.app
        .participant_reply(
            opened.grant,
            ReplyInput {
                body: "Noch etwas.".into(),
                uploads: vec![],
            },
        )
        .await
        .unwrap();
    assert_eq!(alerts("alert").await, before, "no mail for the message");
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM notification WHERE agent_id = {} AND kind = 'message'",
            nadine_id.0
        ))
        .await,
        1,
        "but the bell"
    );
    app.stop().await;
}
