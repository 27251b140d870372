//! Who may do what is decided by core: a read key, a view-only agent and an agent of another
//! department are refused by the use cases themselves (called directly, as every front end
//! calls them) and so at every entry point (the agent UI's forms, the REST API); limits such
//! as the transfer comment's hold for every entry point; queue counts are each agent's own.

use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tessera_core::{
    Actor, AgentReply, ApiCaller, ApiKeyForm, BulkAction, CoreError, MAX_BODY, MAX_SEARCH, Reader,
    StateChange, Worker,
};
use tessera_domain::{
    Agent, AgentId, ContactId, DepartmentId, Priority, Queue, QueueQuery, Role, Sort, TicketStatus,
};

use crate::admin::{PASSWORD, agent, sign_in};
use crate::support::{TestApp, csrf, ticket_form};

/// The press department with a working agent, a view-only member and an administrator; IT
/// with an agent of its own; keys for them.
struct World {
    app: TestApp,
    it: DepartmentId,
    nadine: Agent,
    vera: Agent,
    ingo: Agent,
    chefin: Agent,
    /// Nadine's read key.
    read: String,
    /// Nadine's write key.
    write: String,
    /// Vera's write key (her agent may only view).
    vera_write: String,
    /// Ingo's write key (IT only).
    ingo_write: String,
    /// The administrator's write key, to look without changing anything.
    admin: String,
    /// A create-only key.
    create: String,
    http: reqwest::Client,
}

/// A ticket with a collaborator and an attachment.
struct Fixture {
    number: String,
    collaborator: ContactId,
    attachment: i64,
}

async fn key(app: &TestApp, scope: &str, user: &str) -> String {
    app.app
        .create_api_key(
            Actor::Cli,
            &ApiKeyForm {
                name: format!("{scope} {user}"),
                scope: scope.into(),
                agent: user.into(),
                allowed_ips: String::new(),
                rate_per_minute: "100000".into(),
            },
        )
        .await
        .unwrap()
        .1
}

async fn as_agent(app: &TestApp, id: AgentId) -> Agent {
    let mut c = app.app.db().conn().await.unwrap();
    c.h().agent(id).await.unwrap().unwrap()
}

impl World {
    async fn new() -> World {
        let app = TestApp::start_with(Box::new(|c| {
            c.core.allowed_extensions = vec!["txt".into()];
        }))
        .await;
        let core = &app.app;
        let press = DepartmentId(1);
        let it = core
            .create_department(Actor::Cli, "IT", "it@tessera.test")
            .await
            .unwrap();
        let nadine = agent(&app, "nadine", "Nadine S.", false).await;
        let vera = agent(&app, "vera", "Vera V.", false).await;
        let ingo = agent(&app, "ingo", "Ingo IT", false).await;
        let chefin = agent(&app, "chefin", "Chefin", true).await;
        core.set_department_role(Actor::Cli, nadine, press, Role::Agent)
            .await
            .unwrap();
        core.set_department_role(Actor::Cli, vera, press, Role::View)
            .await
            .unwrap();
        core.set_department_role(Actor::Cli, ingo, it, Role::Agent)
            .await
            .unwrap();
        World {
            it,
            nadine: as_agent(&app, nadine).await,
            vera: as_agent(&app, vera).await,
            ingo: as_agent(&app, ingo).await,
            chefin: as_agent(&app, chefin).await,
            read: key(&app, "read", "nadine").await,
            write: key(&app, "write", "nadine").await,
            vera_write: key(&app, "write", "vera").await,
            ingo_write: key(&app, "write", "ingo").await,
            admin: key(&app, "write", "chefin").await,
            create: key(&app, "create", "").await,
            app,
            http: reqwest::Client::new(),
        }
    }

    async fn call(
        &self,
        method: Method,
        key: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut r = self
            .http
            .request(method, self.app.url(path))
            .header("X-API-Key", key);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let res = r.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        let v = serde_json::from_str(&text).unwrap_or(Value::Null);
        (status, v)
    }

    /// A ticket in press with a collaborator and an attached file, made through the API.
    async fn ticket(&self, subject: &str) -> Fixture {
        let (s, v) = self
            .call(
                Method::POST,
                &self.create,
                "/api/v1/tickets",
                Some(json!({
                    "name": "Max Müller",
                    "email": "max@example.org",
                    "subject": subject,
                    "message": "Bitte ein Plakat.",
                })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let number = v["number"].as_str().unwrap().to_owned();
        let t = format!("/api/v1/tickets/{number}");
        let data = base64::engine::general_purpose::STANDARD.encode(b"Entwurf");
        let (s, v) = self
            .call(
                Method::POST,
                &self.write,
                &format!("{t}/notes"),
                Some(json!({"body": "Anbei", "attachments": [{"name": "a.txt", "data": data}]})),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
        let (s, v) = self
            .call(
                Method::POST,
                &self.write,
                &format!("{t}/collaborators"),
                Some(json!({"email": "kollege@example.org"})),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
        let d = self.detail(&number).await;
        let attachment = d["thread"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|e| e["attachments"].as_array().unwrap())
            .map(|a| a["id"].as_i64().unwrap())
            .next()
            .unwrap();
        Fixture {
            collaborator: ContactId(d["collaborators"][0]["id"].as_i64().unwrap()),
            attachment,
            number,
        }
    }

    /// The ticket as the administrator reads it through the API (which records nothing).
    async fn detail(&self, number: &str) -> Value {
        let (s, v) = self
            .call(
                Method::GET,
                &self.admin,
                &format!("/api/v1/tickets/{number}"),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }

    /// Everything an action could have changed: the ticket, and the mail, webhooks and
    /// entries of every ticket.
    async fn state(&self, number: &str) -> String {
        let mut counts = Vec::new();
        for table in [
            "thread_entry",
            "ticket_collaborator",
            "access_token",
            "outbox_mail",
            "webhook_delivery",
            "attachment",
            "ticket",
        ] {
            counts.push(self.app.count(table).await);
        }
        format!("{} {counts:?}", self.detail(number).await)
    }

    /// A browser signed in as `user`.
    async fn browser(&self, user: &str) -> reqwest::Client {
        sign_in(&self.app, user, PASSWORD).await
    }

    /// A browser signed in as `user` that shows redirects instead of following them.
    async fn no_follow(&self, user: &str) -> reqwest::Client {
        let c = self.app.client_no_redirect();
        let res = crate::admin::post_sign_in(&self.app, &c, user, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{user} signs in");
        c
    }
}

/// Tries every change an agent can make to a ticket, in an order in which each would work
/// for an agent allowed to (the transfer last: it takes the ticket away).
async fn every_change(
    w: &World,
    who: Worker<'_>,
    f: &Fixture,
) -> Vec<(&'static str, Result<(), CoreError>)> {
    let app = &w.app.app;
    let n = f.number.as_str();
    let reply = AgentReply {
        body: "Hallo".into(),
        uploads: vec![],
        status: None,
        seen_entry: 0,
        confirm_stale: true,
        append_signature: false,
    };
    vec![
        ("reply", app.agent_reply(who, n, reply).await),
        ("note", app.note(who, n, "Notiz", vec![], false).await),
        ("assign", app.assign(who, n, Some(w.nadine.id), None).await),
        ("claim", app.claim(who, n).await),
        ("release", app.release(who, n).await),
        (
            "status",
            app.change_status(who, n, TicketStatus::Resolved).await,
        ),
        (
            "priority",
            app.change_priority(who, n, Priority::High).await,
        ),
        ("due", app.change_due(who, n, "2031-01-31").await),
        (
            "state",
            app.change_state(
                who,
                n,
                &StateChange {
                    status: TicketStatus::Closed,
                    priority: Priority::High,
                    due: "2031-01-31",
                },
            )
            .await,
        ),
        (
            "collaborator-add",
            app.add_collaborator(who, n, "neu@example.org", "").await,
        ),
        (
            "revoke-access",
            app.revoke_access(who, n, f.collaborator).await,
        ),
        (
            "collaborator-remove",
            app.remove_collaborator(who, n, f.collaborator).await,
        ),
        (
            "transfer",
            app.transfer(who, n, w.it, "Drucker-Sache").await,
        ),
    ]
}

fn refused(results: &[(&'static str, Result<(), CoreError>)], forbidden: bool) {
    for (what, r) in results {
        let ok = match r {
            Err(CoreError::Forbidden) => forbidden,
            Err(CoreError::NotFound) => !forbidden,
            _ => false,
        };
        assert!(ok, "{what}: {r:?}");
    }
}

async fn caller(w: &World, key: &str) -> ApiCaller {
    w.app
        .app
        .authenticate_api_key(key, "127.0.0.1".parse().unwrap())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn core_refuses_read_keys_view_only_agents_and_other_departments() {
    let w = World::new().await;
    let app = &w.app.app;
    let f = w.ticket("Plakat").await;
    let before = w.state(&f.number).await;

    // A read key reads as its agent, but core hands out nothing to change or open with.
    let read = caller(&w, &w.read).await;
    assert!(matches!(read.worker(), Err(CoreError::Forbidden)));
    assert!(matches!(read.opener(), Err(CoreError::Forbidden)));
    let reader = read.reader().unwrap();
    assert_eq!(
        app.agent_ticket(reader, &f.number)
            .await
            .unwrap()
            .ticket
            .number,
        f.number
    );
    // A create key reads nothing and acts as nobody.
    let create = caller(&w, &w.create).await;
    assert!(matches!(create.reader(), Err(CoreError::Forbidden)));
    assert!(matches!(create.worker(), Err(CoreError::Forbidden)));
    assert!(create.opener().is_ok());

    // A view-only member sees the ticket but every change is refused: 403 material.
    let vera = Worker::test_session(&w.vera);
    let seen = app.agent_ticket(vera.reader(), &f.number).await.unwrap();
    assert!(!seen.can_work);
    refused(&every_change(&w, vera, &f).await, true);
    // The same agent through a write key: core decides the same.
    let vera_key = caller(&w, &w.vera_write).await;
    refused(
        &every_change(&w, vera_key.worker().unwrap(), &f).await,
        true,
    );
    assert_eq!(
        app.bulk(vera, std::slice::from_ref(&f.number), BulkAction::Close)
            .await
            .unwrap(),
        0
    );

    // An agent of another department: the ticket does not exist for them, for reading too.
    let ingo = Worker::test_session(&w.ingo);
    refused(&every_change(&w, ingo, &f).await, false);
    let ingo_key = caller(&w, &w.ingo_write).await;
    refused(
        &every_change(&w, ingo_key.worker().unwrap(), &f).await,
        false,
    );
    assert_eq!(
        app.bulk(ingo, std::slice::from_ref(&f.number), BulkAction::Close)
            .await
            .unwrap(),
        0
    );
    let r: Reader<'_> = ingo.reader();
    assert!(matches!(
        app.agent_ticket(r, &f.number).await,
        Err(CoreError::NotFound)
    ));
    assert!(matches!(
        app.agent_view(r, &f.number).await,
        Err(CoreError::NotFound)
    ));
    assert!(matches!(
        app.presence(r, &f.number).await,
        Err(CoreError::NotFound)
    ));
    assert!(matches!(
        app.agent_attachment(r, f.attachment).await,
        Err(CoreError::NotFound)
    ));
    assert!(!app.agent_can_see(r, &f.number).await.unwrap());
    let all = QueueQuery {
        queue: Queue::All,
        sort: Sort::Updated,
        descending: true,
        department: None,
        topic: None,
        assignee: None,
        status: None,
        field_value: None,
        after: None,
        limit: 50,
    };
    assert!(app.queue(r, &all).await.unwrap().0.is_empty());
    assert!(
        app.search(r, &all, "Plakat", None)
            .await
            .unwrap()
            .hits
            .is_empty()
    );
    // Nadine's read key does see and find it: the refusals above are about who asks.
    assert_eq!(app.queue(reader, &all).await.unwrap().0.len(), 1);
    assert_eq!(
        app.search(reader, &all, "Plakat", None)
            .await
            .unwrap()
            .hits
            .len(),
        1
    );
    assert!(app.agent_attachment(reader, f.attachment).await.is_ok());

    assert_eq!(w.state(&f.number).await, before, "nothing changed");

    // The same changes by an agent who may: every one works (so the refusals above are
    // the permissions, not the inputs).
    let write = caller(&w, &w.write).await;
    for (what, r) in every_change(&w, write.worker().unwrap(), &f).await {
        assert!(r.is_ok(), "{what}: {r:?}");
    }
    assert_eq!(w.detail(&f.number).await["department"]["name"], "IT");
    w.app.stop().await;
}

/// Every change of the REST API, as `(method, path under the ticket, body)`.
fn api_changes(f: &Fixture, it: DepartmentId, nadine: AgentId) -> Vec<(Method, String, Value)> {
    let c = f.collaborator.0;
    vec![
        (Method::POST, "replies".into(), json!({"body": "Hallo"})),
        (Method::POST, "notes".into(), json!({"body": "Notiz"})),
        (Method::POST, "assign".into(), json!({"agent_id": nadine.0})),
        (Method::POST, "claim".into(), Value::Null),
        (Method::POST, "release".into(), Value::Null),
        (Method::POST, "status".into(), json!({"status": "closed"})),
        (Method::POST, "priority".into(), json!({"priority": "high"})),
        (Method::POST, "due".into(), json!({"due": "2031-01-31"})),
        (
            Method::POST,
            "collaborators".into(),
            json!({"email": "neu@example.org"}),
        ),
        (Method::DELETE, format!("collaborators/{c}"), Value::Null),
        // Last: it takes the ticket out of Nadine's sight.
        (
            Method::POST,
            "transfer".into(),
            json!({"department_id": it.0, "comment": "weiter"}),
        ),
    ]
}

#[tokio::test]
async fn the_rest_api_refuses_read_keys_view_only_agents_and_other_departments() {
    let w = World::new().await;
    let f = w.ticket("Plakat").await;
    let before = w.state(&f.number).await;
    let t = format!("/api/v1/tickets/{}", f.number);
    for (key, status, who) in [
        (&w.read, StatusCode::FORBIDDEN, "read key"),
        (&w.vera_write, StatusCode::FORBIDDEN, "view-only agent"),
        (&w.ingo_write, StatusCode::NOT_FOUND, "other department"),
    ] {
        for (method, path, body) in api_changes(&f, w.it, w.nadine.id) {
            let body = (!body.is_null()).then_some(body);
            let (s, p) = w
                .call(method.clone(), key, &format!("{t}/{path}"), body)
                .await;
            assert_eq!(s, status, "{who}: {method} {path}: {p}");
            assert_eq!(p["status"], status.as_u16(), "{who}: {path}: a problem");
        }
    }
    // A read key opens no ticket either.
    let (s, p) = w
        .call(
            Method::POST,
            &w.read,
            "/api/v1/tickets",
            Some(json!({"name": "A", "email": "a@example.org", "subject": "S", "message": "M"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
    assert_eq!(p["code"], "forbidden");
    assert_eq!(w.state(&f.number).await, before, "nothing changed");
    // The write key of an agent who may: the same calls work.
    for (method, path, body) in api_changes(&f, w.it, w.nadine.id) {
        let body = (!body.is_null()).then_some(body);
        let (s, p) = w
            .call(method.clone(), &w.write, &format!("{t}/{path}"), body)
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{method} {path}: {p}");
    }
    w.app.stop().await;
}

/// Posts one of the ticket page's small forms without following the answer.
async fn act(
    w: &World,
    c: &reqwest::Client,
    number: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let token = csrf(c, &w.app.url("/agent/queue/open")).await;
    let mut form = vec![("csrf", token.as_str())];
    form.extend_from_slice(fields);
    c.post(w.app.url(&format!("/agent/tickets/{number}/action")))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// Every form of the ticket page, as `(what, fields)`.
fn ui_changes(
    f: &Fixture,
    it: DepartmentId,
    nadine: AgentId,
) -> Vec<(&'static str, Vec<(String, String)>)> {
    let s = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let c = f.collaborator.0.to_string();
    vec![
        (
            "assign",
            s(&[("do", "assign"), ("agent", &nadine.0.to_string())]),
        ),
        ("claim", s(&[("do", "claim")])),
        ("release", s(&[("do", "release")])),
        (
            "transfer",
            s(&[
                ("do", "transfer"),
                ("department", &it.0.to_string()),
                ("comment", "x"),
            ]),
        ),
        ("status", s(&[("do", "status"), ("status", "closed")])),
        ("priority", s(&[("do", "priority"), ("priority", "high")])),
        ("due", s(&[("do", "due"), ("due", "2031-01-31")])),
        (
            "collaborator-add",
            s(&[("do", "collaborator-add"), ("email", "neu@example.org")]),
        ),
        (
            "state",
            s(&[
                ("do", "state"),
                ("status", "closed"),
                ("priority", "high"),
                ("due", "2031-01-31"),
            ]),
        ),
        (
            "revoke-access: the question first",
            s(&[("do", "revoke-access"), ("contact", &c)]),
        ),
        (
            "revoke-access",
            s(&[("do", "revoke-access"), ("contact", &c), ("confirm", "1")]),
        ),
        (
            "collaborator-remove",
            s(&[("do", "collaborator-remove"), ("contact", &c)]),
        ),
    ]
}

#[tokio::test]
async fn the_agent_ui_refuses_view_only_agents_and_other_departments() {
    let w = World::new().await;
    let f = w.ticket("Plakat").await;
    let before = w.state(&f.number).await;
    let url = w.app.url(&format!("/agent/tickets/{}", f.number));
    for (user, refused_with) in [
        ("vera", StatusCode::SEE_OTHER),
        ("ingo", StatusCode::NOT_FOUND),
    ] {
        let c = w.no_follow(user).await;
        for (what, fields) in ui_changes(&f, w.it, w.nadine.id) {
            let fields: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let res = act(&w, &c, &f.number, &fields).await;
            assert_eq!(res.status(), refused_with, "{user}: {what}");
            if refused_with == StatusCode::SEE_OTHER {
                let to = res.headers()["location"].to_str().unwrap().to_owned();
                assert!(
                    to.ends_with("?error=error-not-allowed"),
                    "{user}: {what}: {to}"
                );
            }
        }
        for (path, field) in [("reply", "body"), ("note", "note")] {
            let token = csrf(&c, &w.app.url("/agent/queue/open")).await;
            let res = c
                .post(format!("{url}/{path}"))
                .multipart(ticket_form(
                    &token,
                    &[(field, "Hallo"), ("confirm", "1")],
                    &[],
                ))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), refused_with, "{user}: {path}");
        }
        let token = csrf(&c, &w.app.url("/agent/queue/open")).await;
        let res = c
            .post(w.app.url("/agent/bulk"))
            .form(&[
                ("csrf", token.as_str()),
                ("t", f.number.as_str()),
                ("action", "close"),
                ("back", "/agent/queue/open"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{user}: bulk");
        // Downloading the file: the viewer may, the other department may not.
        let res = c
            .get(
                w.app
                    .url(&format!("/agent/attachments/{}/a.txt", f.attachment)),
            )
            .send()
            .await
            .unwrap();
        let expected = if user == "vera" {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(res.status(), expected, "{user}: download");
    }
    assert_eq!(w.state(&f.number).await, before, "nothing changed");
    w.app.stop().await;
}

#[tokio::test]
async fn a_transfer_comment_too_long_is_refused_at_the_field_everywhere() {
    let w = World::new().await;
    let f = w.ticket("Plakat").await;
    let before = w.state(&f.number).await;
    let long = "x".repeat(MAX_BODY + 1);
    // The agent UI: the page again, the error at the comment, the text kept.
    let c = w.browser("nadine").await;
    let res = act(
        &w,
        &c,
        &f.number,
        &[
            ("do", "transfer"),
            ("department", &w.it.0.to_string()),
            ("comment", &long),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    let error = page
        .split("id=\"transfer-comment-error\">")
        .nth(1)
        .expect("an error at the comment")
        .split('<')
        .next()
        .unwrap();
    assert_eq!(error, "Dieser Text ist zu lang.");
    assert!(page.contains(&long), "the comment is kept");
    // The REST API: a problem naming the field.
    let (s, p) = w
        .call(
            Method::POST,
            &w.write,
            &format!("/api/v1/tickets/{}/transfer", f.number),
            Some(json!({"department_id": w.it.0, "comment": long})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["field"], "comment", "{p}");
    // Core itself, for any other front end.
    let r = w
        .app
        .app
        .transfer(Worker::test_session(&w.nadine), &f.number, w.it, &long)
        .await;
    match r {
        Err(CoreError::Invalid(p)) => assert_eq!(p.for_field("comment"), Some("error-too-long")),
        r => panic!("{r:?}"),
    }
    assert_eq!(w.state(&f.number).await, before, "nothing changed");
    // At the limit it goes through.
    let ok = "x".repeat(MAX_BODY);
    let res = act(
        &w,
        &c,
        &f.number,
        &[
            ("do", "transfer"),
            ("department", &w.it.0.to_string()),
            ("comment", &ok),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(w.detail(&f.number).await["department"]["name"], "IT");
    w.app.stop().await;
}

#[tokio::test]
async fn administrators_each_count_their_own_tickets() {
    let w = World::new().await;
    let app = &w.app.app;
    let zweite = as_agent(&w.app, agent(&w.app, "zweite", "Zweite", true).await).await;
    let mine = Queue::ALL.iter().position(|q| *q == Queue::Mine).unwrap();
    let teams = Queue::ALL
        .iter()
        .position(|q| *q == Queue::MyTeams)
        .unwrap();
    for subject in ["Eins", "Zwei", "Drei"] {
        let f = w.ticket(subject).await;
        let to = if subject == "Drei" {
            &zweite
        } else {
            &w.chefin
        };
        app.assign(
            Worker::test_session(&w.chefin),
            &f.number,
            Some(to.id),
            None,
        )
        .await
        .unwrap();
    }
    let team = app
        .create_team(Actor::Cli, "Grafik", &[zweite.id])
        .await
        .unwrap();
    let zweite = as_agent(&w.app, zweite.id).await;
    let g = w.ticket("Vier").await;
    app.assign(Worker::test_session(&w.chefin), &g.number, None, Some(team))
        .await
        .unwrap();
    // One after the other, with nothing changing between: each sees their own.
    let chefin = app
        .queue_counts(Worker::test_session(&w.chefin).reader())
        .await
        .unwrap();
    let other = app
        .queue_counts(Worker::test_session(&zweite).reader())
        .await
        .unwrap();
    let again = app
        .queue_counts(Worker::test_session(&w.chefin).reader())
        .await
        .unwrap();
    assert_eq!((chefin[mine], chefin[teams]), (2, 0));
    assert_eq!((other[mine], other[teams]), (1, 1));
    assert_eq!(again, chefin);
    // Everything else is the same for both: they see every ticket.
    let all = Queue::ALL.iter().position(|q| *q == Queue::All).unwrap();
    assert_eq!((chefin[all], other[all]), (4, 4));
    // Over HTTP, the tabs say the same.
    for (user, expected) in [("chefin", 2), ("zweite", 1)] {
        let c = w.browser(user).await;
        let page = c
            .get(w.app.url("/agent/queue/open"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let tab = page
            .split("<li><a href=\"/agent/queue/mine\"")
            .nth(1)
            .unwrap()
            .split("<span class=\"count\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .trim()
            .to_owned();
        assert_eq!(tab, expected.to_string(), "{user}");
    }
    let _ = (w.vera.id, w.ingo.id);
    w.app.stop().await;
}

#[tokio::test]
async fn search_and_filter_limits_hold_for_every_entry_point() {
    let w = World::new().await;
    let f = w.ticket("Plakat").await;
    let long = "Plakat".repeat(MAX_SEARCH / 6 + 1);
    assert!(long.chars().count() > MAX_SEARCH);
    let c = w.browser("nadine").await;
    for field in ["q", "field_value"] {
        // The agent UI: the queue again, the error at the field, the text kept.
        let res = c
            .get(w.app.url("/agent/queue/all"))
            .query(&[(field, long.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let page = res.text().await.unwrap();
        let error = page
            .split(&format!("id=\"f-{field}-error\">"))
            .nth(1)
            .unwrap_or_else(|| panic!("an error at {field}"))
            .split('<')
            .next()
            .unwrap();
        assert_eq!(error, "Dieser Text ist zu lang.");
        assert!(page.contains(&long), "{field}: the text is kept");
        // The REST API: a problem naming the field.
        let (s, p) = w
            .call(
                Method::GET,
                &w.read,
                &format!("/api/v1/tickets?{field}={long}"),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert_eq!(p["errors"][0]["field"], field, "{p}");
    }
    // Core itself.
    let r = Worker::test_session(&w.nadine).reader();
    let mut q = QueueQuery {
        queue: Queue::All,
        sort: Sort::Updated,
        descending: true,
        department: None,
        topic: None,
        assignee: None,
        status: None,
        field_value: None,
        after: None,
        limit: 50,
    };
    match w.app.app.search(r, &q, &long, None).await {
        Err(CoreError::Invalid(p)) => assert_eq!(p.for_field("q"), Some("error-too-long")),
        r => panic!("{r:?}"),
    }
    q.field_value = Some(long.clone());
    match w.app.app.queue(r, &q).await {
        Err(CoreError::Invalid(p)) => {
            assert_eq!(p.for_field("field_value"), Some("error-too-long"))
        }
        r => panic!("{:?}", r.map(|x| x.1)),
    }
    // At the limit, both work and find the ticket.
    let at = &long[..MAX_SEARCH];
    let found = c
        .get(w.app.url("/agent/queue/all"))
        .query(&[("q", "Plakat")])
        .send()
        .await
        .unwrap();
    assert_eq!(found.status(), StatusCode::OK);
    assert!(found.text().await.unwrap().contains(&f.number));
    let res = c
        .get(w.app.url("/agent/queue/all"))
        .query(&[("q", at)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    w.app.stop().await;
}

#[tokio::test]
async fn a_reply_with_a_nul_character_is_refused_at_the_field_in_the_agent_ui() {
    let w = World::new().await;
    let f = w.ticket("Plakat").await;
    let before = w.state(&f.number).await;
    let c = w.browser("nadine").await;
    let url = w.app.url(&format!("/agent/tickets/{}", f.number));
    let token = csrf(&c, &url).await;
    let res = c
        .post(format!("{url}/reply"))
        .multipart(ticket_form(
            &token,
            &[("body", "Hallo\0Welt"), ("confirm", "1")],
            &[],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    let error = page
        .split("id=\"reply-body-error\">")
        .nth(1)
        .expect("an error at the text")
        .split('<')
        .next()
        .unwrap();
    assert_eq!(error, "Dieser Text enthält unzulässige Steuerzeichen.");
    assert_eq!(w.state(&f.number).await, before, "nothing changed");
    w.app.stop().await;
}
