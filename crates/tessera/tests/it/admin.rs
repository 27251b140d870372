//! Administrators manage agents in the browser: invite by email, edit roles, disable,
//! reset passwords; everything lands in the audit log.

use reqwest::{StatusCode, header};
use tessera_core::NewAgent;
use tessera_domain::Lang;

use crate::support::{Mail, SmtpServer, TestApp, csrf};

const PASSWORD: &str = "ein langes geheimes Passwort";

async fn sign_in(app: &TestApp, user: &str, password: &str) -> reqwest::Client {
    let c = app.client();
    let token = csrf(&c, &app.url("/agent/login")).await;
    c.post(app.url("/agent/login"))
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

async fn post_form(
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
    app.app
        .create_agent(NewAgent {
            username: "chefin".into(),
            email: "chefin@tessera.test".into(),
            display_name: "Chefin".into(),
            password: PASSWORD.into(),
            is_admin: true,
            lang: Lang::De,
            one_time_password: false,
        })
        .await
        .unwrap();
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
    for action in [
        "agent-invite",
        "agent-update",
        "agent-disable",
        "agent-enable",
        "agent-reset-password",
        "agent-set-password",
    ] {
        assert!(audit.contains(&format!("<td>{action}</td>")), "{action}");
    }
    assert!(audit.contains("Nadine S. &#60;nadine@example.org&#62; admin=false lang=de departments=1:agent → Nadine Schulz"));
    app.stop().await;
}
