//! Administrators manage agents in the browser: invite by email, edit roles, disable,
//! reset passwords; everything lands in the audit log.

use reqwest::{StatusCode, header};
use tessera_core::NewAgent;
use tessera_domain::Lang;

use crate::support::{Mail, SmtpServer, TestApp, csrf};

pub(crate) const PASSWORD: &str = "ein langes geheimes Passwort";

/// An agent `username@tessera.test` with the password `PASSWORD`.
pub(crate) async fn agent(
    app: &TestApp,
    username: &str,
    name: &str,
    admin: bool,
) -> tessera_domain::AgentId {
    app.app
        .create_agent(
            tessera_core::Actor::Cli,
            NewAgent {
                username: username.into(),
                email: format!("{username}@tessera.test"),
                display_name: name.into(),
                password: PASSWORD.into(),
                is_admin: admin,
                lang: Lang::De,
                one_time_password: false,
            },
        )
        .await
        .unwrap()
}

/// Creates the administrator "chefin" (password `PASSWORD`).
pub(crate) async fn chefin(app: &TestApp) -> tessera_domain::AgentId {
    agent(app, "chefin", "Chefin", true).await
}

pub(crate) async fn sign_in(app: &TestApp, user: &str, password: &str) -> reqwest::Client {
    let c = app.client();
    post_sign_in(app, &c, user, password).await;
    c
}

/// Posts the sign-in form with `c` (which keeps the session cookie) and hands back the answer.
pub(crate) async fn post_sign_in(
    app: &TestApp,
    c: &reqwest::Client,
    user: &str,
    password: &str,
) -> reqwest::Response {
    let token = csrf(c, &app.url("/agent/login")).await;
    c.post(app.url("/agent/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("username", user),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
}

pub(crate) async fn post_form(
    c: &reqwest::Client,
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let token = csrf(c, &app.url(path)).await;
    let mut all = vec![("csrf", token.as_str())];
    all.extend_from_slice(fields);
    let body: String = all
        .iter()
        .map(|(k, v)| format!("{k}={}", percent(v)))
        .collect::<Vec<_>>()
        .join("&");
    c.post(app.url(path))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
}

fn percent(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn link_in(m: &Mail) -> String {
    m.text
        .split_whitespace()
        .find(|w| w.contains("/agent/set-password/"))
        .expect("a set-password link")
        .to_owned()
}

async fn set_password(app: &TestApp, link: &str, new: &str) -> reqwest::Response {
    let c = app.client();
    let page = c.get(link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let token = csrf(&c, link).await;
    c.post(link)
        .form(&[("csrf", token.as_str()), ("new", new), ("repeat", new)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn administrators_invite_edit_disable_and_reset_agents() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = TestApp::start_with(Box::new(move |c| c.smtp_url = Some(url))).await;
    chefin(&app).await;
    let admin = sign_in(&app, "chefin", PASSWORD).await;

    // Invite Nadine into the first department as an agent.
    let res = post_form(
        &admin,
        &app,
        "/agent/admin/agents",
        &[
            ("username", "nadine"),
            ("display_name", "Nadine S."),
            ("email", "nadine@example.org"),
            ("lang", "de"),
            ("dept-1", "agent"),
        ],
    )
    .await;
    assert_eq!(res.url().path(), "/agent/admin/agents");
    let page = res.text().await.unwrap();
    assert!(page.contains("Die Einladung ist verschickt.") && page.contains("Nadine S."));
    // The same user name again is refused next to the field.
    let res = post_form(
        &admin,
        &app,
        "/agent/admin/agents",
        &[
            ("username", "nadine"),
            ("display_name", "Doppelt"),
            ("email", "other@example.org"),
            ("lang", "de"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("id=\"username-error\">Dieser Benutzername ist schon vergeben.")
    );

    // The invitation mail's link lets her choose a password, once.
    let mails = app.delivered(&smtp).await;
    let invite = mails
        .iter()
        .find(|m| m.to == vec!["nadine@example.org"])
        .expect("invitation");
    assert!(invite.subject.contains("Ihr Zugang zu"));
    let link = link_in(invite);
    let res = set_password(&app, &link, "kurz").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = set_password(&app, &link, "Nadines eigenes Passwort").await;
    assert!(res.url().as_str().contains("/agent/login?done=password"));
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Ihr Passwort ist gespeichert.")
    );
    assert_eq!(
        app.client().get(&link).send().await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "used once"
    );
    let nadine = sign_in(&app, "nadine", "Nadines eigenes Passwort").await;
    assert_eq!(
        nadine
            .get(app.url("/agent/queue/open"))
            .send()
            .await
            .unwrap()
            .url()
            .path(),
        "/agent/queue/open"
    );
    // Not an administrator: the administration does not exist for her.
    assert_eq!(
        nadine
            .get(app.url("/agent/admin/agents"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    // Made view-only, she can read but not act.
    let id = {
        let mut c = app.app.db().conn().await.unwrap();
        c.h()
            .agent_id_by_username("nadine")
            .await
            .unwrap()
            .unwrap()
            .0
    };
    let edit = format!("/agent/admin/agents/{id}");
    let res = post_form(
        &admin,
        &app,
        &edit,
        &[
            ("do", "save"),
            ("display_name", "Nadine Schulz"),
            ("email", "nadine@example.org"),
            ("lang", "en"),
            ("dept-1", "view"),
        ],
    )
    .await;
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Die Änderungen sind gespeichert.")
    );
    let me = {
        let mut c = app.app.db().conn().await.unwrap();
        c.h()
            .agent(tessera_domain::AgentId(id))
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!(me.display_name, "Nadine Schulz");
    assert_eq!(me.lang, Lang::En);
    assert_eq!(
        me.departments,
        vec![(tessera_domain::DepartmentId(1), tessera_domain::Role::View)]
    );

    // Disabled: her next request is refused; enabled again, she signs in.
    let res = post_form(&admin, &app, &edit, &[("do", "disable")]).await;
    assert!(res.text().await.unwrap().contains("Das Konto ist gesperrt"));
    assert_eq!(
        nadine
            .get(app.url("/agent/queue/open"))
            .send()
            .await
            .unwrap()
            .url()
            .path(),
        "/agent/login"
    );
    post_form(&admin, &app, &edit, &[("do", "enable")]).await;
    let nadine = sign_in(&app, "nadine", "Nadines eigenes Passwort").await;
    assert_eq!(
        nadine
            .get(app.url("/agent/queue/open"))
            .send()
            .await
            .unwrap()
            .url()
            .path(),
        "/agent/queue/open"
    );
    // A reset ends her session and mails a fresh link.
    post_form(&admin, &app, &edit, &[("do", "reset")]).await;
    assert_eq!(
        nadine
            .get(app.url("/agent/queue/open"))
            .send()
            .await
            .unwrap()
            .url()
            .path(),
        "/agent/login"
    );
    let mails = app.delivered(&smtp).await;
    let reset = mails
        .iter()
        .find(|m| m.subject.starts_with("New password for"))
        .expect("reset mail in English now");
    let res = set_password(&app, &link_in(reset), "noch ein neues Passwort").await;
    assert!(res.url().as_str().contains("done=password"));
    // An administrator cannot lock themselves out.
    let chefin_id = {
        let mut c = app.app.db().conn().await.unwrap();
        c.h()
            .agent_id_by_username("chefin")
            .await
            .unwrap()
            .unwrap()
            .0
    };
    let res = post_form(
        &admin,
        &app,
        &format!("/agent/admin/agents/{chefin_id}"),
        &[("do", "disable")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Sie können sich nicht selbst sperren.")
    );

    let audit = admin
        .get(app.url("/agent/admin/audit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Each action in the reader's words (issue 23), the changes' keys too.
    for action in [
        "Mitarbeitende eingeladen",
        "Mitarbeitende geändert",
        "Konto deaktiviert",
        "Konto aktiviert",
        "Passwort zurückgesetzt",
        "Passwort gesetzt",
    ] {
        assert!(audit.contains(&format!("\">{action}</td>")), "{action}");
    }
    assert!(audit.contains("Nadine S. &#60;nadine@example.org&#62; Administration: nein Sprache: de Abteilungen: 1:agent → Nadine Schulz"), "{audit}");
    app.stop().await;
}

#[tokio::test]
async fn administrators_manage_departments_teams_and_help_topics() {
    let app = TestApp::start().await;
    for (user, admin) in [("chefin", true), ("nadine", false)] {
        agent(&app, user, user, admin).await;
    }
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    // A department, and the same name again.
    let res = post_form(
        &admin,
        &app,
        "/agent/admin/departments",
        &[
            ("name", "IT"),
            ("email", "it@example.org"),
            ("is_active", "1"),
        ],
    )
    .await;
    assert!(
        res.url().path().starts_with("/agent/admin/departments/"),
        "{}",
        res.url()
    );
    let it_id: i64 = res
        .url()
        .path()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let res = post_form(
        &admin,
        &app,
        "/agent/admin/departments",
        &[("name", "IT"), ("email", "x@example.org")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Dieser Name ist schon vergeben.")
    );
    let res = post_form(
        &admin,
        &app,
        "/agent/admin/departments",
        &[("name", "Leer"), ("email", "keine-adresse")],
    )
    .await;
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("id=\"f-email-error\">Bitte geben Sie eine gültige E-Mail-Adresse ein")
    );
    let departments = admin
        .get(app.url("/agent/admin/departments"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(departments.contains("it@example.org"));

    // A team with two members, one of them lead.
    let ids = {
        let mut c = app.app.db().conn().await.unwrap();
        let mut h = c.h();
        (
            h.agent_id_by_username("chefin").await.unwrap().unwrap().0,
            h.agent_id_by_username("nadine").await.unwrap().unwrap().0,
        )
    };
    let res = post_form(
        &admin,
        &app,
        "/agent/admin/teams",
        &[
            ("name", "Grafik"),
            ("member", &ids.0.to_string()),
            ("member", &ids.1.to_string()),
            ("lead", &ids.1.to_string()),
            ("is_active", "1"),
        ],
    )
    .await;
    assert!(res.url().path().starts_with("/agent/admin/teams/"));
    let teams = app.app.teams_admin(tessera_core::Actor::Cli).await.unwrap();
    assert_eq!(teams.len(), 1);
    assert_eq!(teams[0].members, vec![(ids.0, false), (ids.1, true)]);
    assert!(
        admin
            .get(app.url("/agent/admin/teams"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("nadine ★")
    );

    // A public topic in IT shows on the portal; deactivated, it no longer does.
    let res = post_form(
        &admin,
        &app,
        "/agent/admin/topics",
        &[
            ("name_de", "Spendenquittung"),
            ("name_en", "Donation receipt"),
            ("department_id", &it_id.to_string()),
            ("sort_order", "5"),
            ("is_public", "1"),
            ("is_active", "1"),
        ],
    )
    .await;
    let topic_path = res.url().path().to_owned();
    assert!(topic_path.starts_with("/agent/admin/topics/"));
    let portal = app
        .client()
        .get(app.url("/open"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Order 5 sits between the seeded topics' 0 and 10.
    let at = |t: &str| portal.find(t).unwrap_or_else(|| panic!("{t} offered"));
    assert!(
        at("Allgemeine Anfrage") < at("Spendenquittung")
            && at("Spendenquittung") < at("Idee einbringen")
    );
    post_form(
        &admin,
        &app,
        &topic_path,
        &[
            ("name_de", "Spendenquittung"),
            ("name_en", "Donation receipt"),
            ("department_id", &it_id.to_string()),
            ("sort_order", "5"),
            ("is_public", "1"),
        ],
    )
    .await;
    let portal = app
        .client()
        .get(app.url("/open"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!portal.contains("Spendenquittung"));
    assert_eq!(app.count("help_topic").await, 4, "deactivated, not deleted");

    // Agents who are not administrators find none of this.
    let nadine = sign_in(&app, "nadine", PASSWORD).await;
    for path in [
        "/agent/admin/departments",
        "/agent/admin/teams",
        "/agent/admin/topics",
        "/agent/admin/agents",
    ] {
        assert_eq!(
            nadine.get(app.url(path)).send().await.unwrap().status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let audit = admin
        .get(app.url("/agent/admin/audit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for action in [
        "Abteilung angelegt",
        "Team angelegt",
        "Hilfethema angelegt",
        "Hilfethema geändert",
    ] {
        assert!(audit.contains(&format!("\">{action}</td>")), "{action}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_service_level_gives_tickets_a_due_date_and_overdue_ones_are_alerted() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = TestApp::start_with(Box::new(move |c| c.smtp_url = Some(url))).await;
    let lead = chefin(&app).await;
    app.app
        .set_department_role(
            tessera_core::Actor::Cli,
            lead,
            tessera_domain::DepartmentId(1),
            tessera_domain::Role::Manager,
        )
        .await
        .unwrap();
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    let res = post_form(
        &admin,
        &app,
        "/agent/admin/sla",
        &[
            ("name", "Kaputt"),
            ("grace_hours", "2"),
            ("schedule", "Mo-Fr 17:00-08:00"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Bitte schreiben Sie die Arbeitszeit wie")
    );
    // A few seconds of grace, around the clock, so that the test sees it run out.
    let res = post_form(
        &admin,
        &app,
        "/agent/admin/sla",
        &[
            ("name", "Sofort"),
            ("grace_hours", "0,001"),
            ("schedule", ""),
            ("is_active", "1"),
        ],
    )
    .await;
    let sla_id = res.url().path().rsplit('/').next().unwrap().to_owned();
    assert!(res.text().await.unwrap().contains("Sofort"));
    post_form(
        &admin,
        &app,
        "/agent/admin/topics/1",
        &[
            ("name_de", "Allgemeine Anfrage"),
            ("name_en", "General inquiry"),
            ("department_id", "1"),
            ("sla_plan_id", &sla_id),
            ("sort_order", "0"),
            ("is_public", "1"),
            ("is_active", "1"),
        ],
    )
    .await;
    let number = {
        let opened = app
            .app
            .open_ticket(tessera_core::NewTicketInput {
                email: "max@example.org".into(),
                name: "Max".into(),
                help_topic_id: "1".into(),
                subject: "Eilt".into(),
                body: "Bitte schnell.".into(),
                uploads: vec![],
                lang: Lang::De,
            })
            .await
            .unwrap();
        opened.number
    };
    assert_eq!(
        app.count("help_topic WHERE help_topic_id = 1 AND sla_plan_id IS NOT NULL")
            .await,
        1
    );
    assert_eq!(
        app.count("ticket WHERE due_at IS NOT NULL AND due_at - created_at = 4000000")
            .await,
        1,
        "3.6 s of grace, kept to the second"
    );
    let mails = crate::support::eventually("the overdue alert", async || {
        let m = app.delivered(&smtp).await;
        m.iter()
            .any(|m| m.subject.starts_with("Überfällig"))
            .then_some(m)
    })
    .await;
    let alert = mails
        .iter()
        .find(|m| m.subject.starts_with("Überfällig"))
        .unwrap();
    assert_eq!(
        alert.to,
        vec!["chefin@tessera.test"],
        "unassigned: the department's managers"
    );
    assert!(alert.subject.contains(&number));
    let overdue = admin
        .get(app.url("/agent/queue/overdue"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(overdue.contains(&format!("value=\"{number}\"")));
    app.stop().await;
}

#[tokio::test]
async fn canned_responses_fill_the_reply_box_with_the_tickets_details() {
    let app = TestApp::start().await;
    chefin(&app).await;
    let it = app
        .app
        .create_department(tessera_core::Actor::Cli, "IT", "it@example.org")
        .await
        .unwrap();
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    let res = post_form(
        &admin,
        &app,
        "/agent/admin/canned",
        &[
            ("title", "Danke"),
            ("department_id", ""),
            ("body", ""),
            ("is_active", "1"),
        ],
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a text is required"
    );
    post_form(
        &admin,
        &app,
        "/agent/admin/canned",
        &[
            ("title", "Danke"),
            ("department_id", "1"),
            ("is_active", "1"),
            (
                "body",
                "Hallo {name}, danke für Ticket {number} ({subject}). Viele Grüße, {agent}",
            ),
        ],
    )
    .await;
    post_form(
        &admin,
        &app,
        "/agent/admin/canned",
        &[
            ("title", "Nur IT"),
            ("department_id", &it.0.to_string()),
            ("body", "IT-Text"),
            ("is_active", "1"),
        ],
    )
    .await;
    let number = app
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
        .unwrap()
        .number;
    let page = admin
        .get(app.url(&format!("/agent/tickets/{number}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(">Danke</option>"));
    assert!(
        !page.contains("Nur IT"),
        "another department's text is not offered"
    );
    let id = page
        .split("<option value=\"")
        .find(|o| o.contains(">Danke<"))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let page = admin
        .get(app.url(&format!("/agent/tickets/{number}?canned={id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!(
        ">Hallo Max Müller, danke für Ticket {number} (Plakat). Viele Grüße, Chefin</textarea>"
    )));
    app.stop().await;
}

#[tokio::test]
async fn a_help_topic_sets_priority_and_assigns_its_new_tickets() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = TestApp::start_with(Box::new(move |c| c.smtp_url = Some(url))).await;
    chefin(&app).await;
    let moritz = agent(&app, "moritz", "Moritz", false).await;
    app.app
        .set_department_role(
            tessera_core::Actor::Cli,
            moritz,
            tessera_domain::DepartmentId(1),
            tessera_domain::Role::Agent,
        )
        .await
        .unwrap();
    let team = app
        .app
        .create_team(tessera_core::Actor::Cli, "Social Media", &[moritz])
        .await
        .unwrap();
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    let res = post_form(
        &admin,
        &app,
        "/agent/admin/topics/2",
        &[
            ("name_de", "Idee einbringen"),
            ("name_en", "Submit an idea"),
            ("department_id", "1"),
            ("default_priority", "high"),
            ("auto_team_id", &team.0.to_string()),
            ("sort_order", "10"),
            ("is_public", "1"),
            ("is_active", "1"),
        ],
    )
    .await;
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Die Änderungen sind gespeichert.")
    );
    let number = app
        .app
        .open_ticket(tessera_core::NewTicketInput {
            email: "max@example.org".into(),
            name: "Max".into(),
            help_topic_id: "2".into(),
            subject: "Newsletter".into(),
            body: "Eine Idee.".into(),
            uploads: vec![],
            lang: Lang::De,
        })
        .await
        .unwrap()
        .number;
    assert_eq!(
        app.count(&format!("ticket WHERE number = '{number}' AND priority = 'high' AND priority_rank = 3 AND assignee_team_id = {}", team.0)).await,
        1
    );
    let page = admin
        .get(app.url(&format!("/agent/tickets/{number}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("hat zugewiesen an:  Social Media"),
        "the assignment is in the thread"
    );
    let mails = app.delivered(&smtp).await;
    let his: Vec<_> = mails
        .iter()
        .filter(|m| m.to == vec!["moritz@tessera.test"])
        .collect();
    assert_eq!(
        his.len(),
        1,
        "one alert, as his team's ticket: {:?}",
        his.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    assert!(
        his[0]
            .subject
            .starts_with("Ihrem Team Social Media zugewiesen"),
        "a team's ticket is not 'assigned to you': {}",
        his[0].subject
    );
    app.stop().await;
}

/// Creating an agent and its audit record are one transaction: when the audit record
/// cannot be written, no agent is left behind; when it can, both are there. An agent who is
/// not an administrator is refused by core itself, whatever page or command asks.
#[tokio::test]
async fn an_agent_is_created_with_its_audit_record_or_not_at_all() {
    let app = TestApp::start().await;
    let new = |username: &str| NewAgent {
        username: username.into(),
        email: format!("{username}@tessera.test"),
        display_name: username.into(),
        password: PASSWORD.into(),
        is_admin: false,
        lang: Lang::De,
        one_time_password: true,
    };
    let agents = app.count("agent").await;
    let audits = app.count("audit_log WHERE action = 'agent-create'").await;

    let plain = agent(&app, "plain", "Plain", false).await;
    let (plain, _) = app
        .app
        .agent_for_admin(tessera_core::Actor::Cli, plain)
        .await
        .unwrap();
    let plain = tessera_core::SignedIn::test_session(plain);
    let refused = app
        .app
        .create_agent(tessera_core::Actor::Agent(&plain), new("sneaky"))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, tessera_core::CoreError::Forbidden),
        "{refused}"
    );
    assert_eq!(app.count("agent WHERE username = 'sneaky'").await, 0);
    for refused in [
        app.app
            .create_department(
                tessera_core::Actor::Agent(&plain),
                "Geheim",
                "g@tessera.test",
            )
            .await
            .map(|_| ()),
        app.app
            .create_team(tessera_core::Actor::Agent(&plain), "Geheim", &[plain.id])
            .await
            .map(|_| ()),
        app.app
            .set_department_role(
                tessera_core::Actor::Agent(&plain),
                plain.id,
                tessera_domain::DepartmentId(1),
                tessera_domain::Role::Manager,
            )
            .await,
        app.app
            .set_department_alerts(
                tessera_core::Actor::Agent(&plain),
                tessera_domain::DepartmentId(1),
                false,
            )
            .await,
    ] {
        assert!(matches!(refused, Err(tessera_core::CoreError::Forbidden)));
    }
    assert_eq!(
        app.count(
            "agent_department WHERE role = 'manager'
             AND agent_id <> (SELECT agent_id FROM agent WHERE username = 'admin')"
        )
        .await,
        0,
        "no manager but the seed's administrator"
    );

    // The audit log refuses every record for a moment.
    if app.app.db().backend() == tessera_store::Backend::Sqlite {
        app.exec(
            "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log \
             BEGIN SELECT RAISE(ABORT, 'no audit'); END",
        )
        .await;
    } else {
        app.exec(
            "CREATE FUNCTION no_audit() RETURNS trigger LANGUAGE plpgsql \
             AS $$ BEGIN RAISE EXCEPTION 'no audit'; END $$",
        )
        .await;
        app.exec(
            "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log \
             FOR EACH ROW EXECUTE FUNCTION no_audit()",
        )
        .await;
    }
    assert!(
        app.app
            .create_agent(tessera_core::Actor::Cli, new("unaudited"))
            .await
            .is_err()
    );
    assert_eq!(
        app.count("agent WHERE username = 'unaudited'").await,
        0,
        "no agent without its audit record"
    );
    app.exec(
        if app.app.db().backend() == tessera_store::Backend::Sqlite {
            "DROP TRIGGER no_audit"
        } else {
            "DROP TRIGGER no_audit ON audit_log"
        },
    )
    .await;

    app.app
        .create_agent(tessera_core::Actor::Cli, new("audited"))
        .await
        .unwrap();
    assert_eq!(app.count("agent").await, agents + 2, "plain and audited");
    assert_eq!(
        app.count("audit_log WHERE action = 'agent-create'").await,
        audits + 2
    );
    assert_eq!(
        app.count(
            "audit_log WHERE action = 'agent-create' AND target = 'audited' AND actor = 'cli'"
        )
        .await,
        1
    );
    app.stop().await;
}
