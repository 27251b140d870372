//! Service levels count business hours in their own time zone.

use reqwest::StatusCode;
use tessera_core::NewAgent;
use tessera_domain::{AgentId, Lang};

use crate::{
    admin::{post_form, sign_in},
    support::TestApp,
};

const PASSWORD: &str = "ein langes geheimes Passwort";

async fn agent(app: &TestApp, username: &str, name: &str, admin: bool) -> AgentId {
    app.app
        .create_agent(NewAgent {
            username: username.into(),
            email: format!("{username}@tessera.test"),
            display_name: name.into(),
            password: PASSWORD.into(),
            is_admin: admin,
            lang: Lang::De,
            one_time_password: false,
        })
        .await
        .unwrap()
}

async fn page(app: &TestApp, c: &reqwest::Client, path: &str) -> (StatusCode, String) {
    let res = c.get(app.url(path)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

#[tokio::test]
async fn a_service_level_keeps_its_time_zone() {
    let app = TestApp::start().await;
    agent(&app, "chefin", "Chefin", true).await;
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    // New plans start in Berlin, and common zones are offered.
    let (_, form) = page(&app, &admin, "/agent/admin/sla").await;
    assert!(form.contains("name=\"timezone\" value=\"Europe/Berlin\""));
    assert!(form.contains("list=\"f-timezone-list\""));
    assert!(form.contains("<option value=\"Asia/Dubai\">"));
    assert!(
        !form.contains("(UTC; leer"),
        "hours are no longer labelled UTC"
    );

    let plan = |zone: &'static str, name: &'static str| {
        vec![
            ("name", name),
            ("grace_hours", "2"),
            ("schedule", "Mo-Fr 08:00-17:00"),
            ("timezone", zone),
            ("is_active", "1"),
        ]
    };
    let res = post_form(
        &admin,
        &app,
        "/agent/admin/sla",
        &plan("Europe/Bielefeld", "Büro"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("id=\"f-timezone-error\">Diese Zeitzone ist unbekannt."),
        "{body}"
    );
    assert!(
        body.contains("value=\"Europe/Bielefeld\""),
        "what was typed stays"
    );
    assert_eq!(app.count("sla_plan").await, 0);

    let res = post_form(
        &admin,
        &app,
        "/agent/admin/sla",
        &plan("europe/berlin", "Büro"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.url().path().starts_with("/agent/admin/sla/"),
        "{}",
        res.url()
    );
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("name=\"timezone\" value=\"Europe/Berlin\"")
    );
    assert_eq!(
        app.count("sla_plan WHERE timezone = 'Europe/Berlin'").await,
        1,
        "stored by its proper name"
    );
    let (_, list) = page(&app, &admin, "/agent/admin/sla").await;
    assert!(list.contains("<td>Europe/Berlin</td>"));
    // A form without the field (as before zones) means UTC.
    post_form(
        &admin,
        &app,
        "/agent/admin/sla",
        &[
            ("name", "Alt"),
            ("grace_hours", "2"),
            ("schedule", "Mo-Fr 08:00-17:00"),
        ],
    )
    .await;
    assert_eq!(app.count("sla_plan WHERE timezone = 'UTC'").await, 1);
    let (_, audit) = page(&app, &admin, "/agent/admin/audit?action=sla-create").await;
    assert!(audit.contains("tz=Europe/Berlin"));
    app.stop().await;
}
