//! Administrators manage a department's members and managers from the department, and
//! service levels count business hours in their own time zone.

use reqwest::StatusCode;
use tessera_core::NewTicketInput;
use tessera_domain::Lang;

use crate::{
    admin::{PASSWORD, agent, post_form, sign_in},
    support::{TestApp, csrf, ticket_form},
};

const MEMBERS: &str = "/agent/admin/departments/1/members";

/// A ticket in the first department (the seeded topics route there).
async fn ticket(app: &TestApp, subject: &str) -> String {
    app.app
        .open_ticket(NewTicketInput {
            email: "max@example.org".into(),
            name: "Max Müller".into(),
            help_topic_id: "1".into(),
            subject: subject.into(),
            body: "Bitte ein Plakat.".into(),
            uploads: vec![],
            lang: Lang::De,
        })
        .await
        .unwrap()
        .number
}

async fn page(app: &TestApp, c: &reqwest::Client, path: &str) -> (StatusCode, String) {
    let res = c.get(app.url(path)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

/// Ticket numbers listed in a queue page.
async fn queue(app: &TestApp, c: &reqwest::Client) -> Vec<String> {
    let (status, page) = page(app, c, "/agent/queue/all").await;
    assert_eq!(status, StatusCode::OK);
    page.split("name=\"t\" value=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .collect()
}

/// The role selected for department 1 on an agent's own edit page.
fn role_on_agent_page(page: &str) -> Option<String> {
    let select = page
        .split("id=\"dept-1\"")
        .nth(1)?
        .split("</select>")
        .next()?;
    let before = select.split("\" selected").next()?;
    before.rsplit("value=\"").next().map(str::to_owned)
}

/// The audit log's change column ("before → after") for one action.
async fn audited(app: &TestApp, admin: &reqwest::Client, action: &str) -> Vec<String> {
    let (_, log) = page(app, admin, &format!("/agent/admin/audit?action={action}")).await;
    log.split("<tr>")
        .skip(2)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|c| {
                    let c = c.split_once('>').map(|(_, rest)| rest).unwrap_or("");
                    c.split("</td>").next().unwrap_or("").to_owned()
                })
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect()
}

#[tokio::test]
async fn administrators_manage_a_departments_members_and_managers() {
    let app = TestApp::start().await;
    agent(&app, "chefin", "Chefin", true).await;
    let nadine = agent(&app, "nadine", "Nadine S.", false).await;
    let moritz = agent(&app, "moritz", "Moritz K.", false).await;
    let poster = ticket(&app, "Plakat").await;
    // The seed's administrator manages the seeded department; here it starts empty.
    app.exec(
        "DELETE FROM agent_department
         WHERE agent_id = (SELECT agent_id FROM agent WHERE username = 'admin')",
    )
    .await;
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    let her = sign_in(&app, "nadine", PASSWORD).await;
    assert!(queue(&app, &her).await.is_empty(), "not a member yet");

    // The department's page leads to its members; she is offered to be added.
    let (_, dept) = page(&app, &admin, "/agent/admin/departments/1").await;
    assert!(dept.contains(&format!("href=\"{MEMBERS}\"")));
    let (status, members) = page(&app, &admin, MEMBERS).await;
    assert_eq!(status, StatusCode::OK);
    assert!(members.contains("Diese Abteilung hat noch keine Mitglieder."));
    assert!(members.contains(&format!(
        "<option value=\"{}\">Nadine S. (nadine)",
        nadine.0
    )));
    assert!(members.contains("<label for=\"agent\">"));

    // Nobody chosen: the error stands next to the field.
    let res = post_form(
        &admin,
        &app,
        MEMBERS,
        &[("do", "add"), ("agent", ""), ("role", "agent")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("id=\"agent-error\">Bitte wählen Sie eine aktive Person aus.")
    );

    // Added as agent: she sees and works the department's tickets, as the agent page says.
    let res = post_form(
        &admin,
        &app,
        MEMBERS,
        &[
            ("do", "add"),
            ("agent", &nadine.0.to_string()),
            ("role", "agent"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.url().query(), Some("done=add"));
    let members = res.text().await.unwrap();
    assert!(members.contains("Die Person ist jetzt Mitglied der Abteilung."));
    assert!(members.contains("<label for=\"role-"));
    assert!(
        !members.contains(&format!("<option value=\"{}\">", nadine.0)),
        "no longer offered"
    );
    assert_eq!(queue(&app, &her).await, vec![poster.clone()]);
    let agent_page = format!("/agent/admin/agents/{}", nadine.0);
    let (_, edit) = page(&app, &admin, &agent_page).await;
    assert_eq!(role_on_agent_page(&edit).as_deref(), Some("agent"));

    // View only: she still sees the ticket but her reply is refused.
    post_form(
        &admin,
        &app,
        MEMBERS,
        &[
            ("do", "role"),
            ("agent", &nadine.0.to_string()),
            ("role", "view"),
        ],
    )
    .await;
    assert_eq!(queue(&app, &her).await, vec![poster.clone()]);
    let (_, edit) = page(&app, &admin, &agent_page).await;
    assert_eq!(role_on_agent_page(&edit).as_deref(), Some("view"));
    let ticket_url = app.url(&format!("/agent/tickets/{poster}"));
    let token = csrf(&her, &ticket_url).await;
    let refused = her
        .post(format!("{ticket_url}/reply"))
        .multipart(ticket_form(
            &token,
            &[("body", "Erledigt."), ("seen", "0")],
            &[],
        ))
        .send()
        .await
        .unwrap();
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Dafür fehlt Ihnen die Berechtigung.")
    );
    assert_eq!(app.count("thread_entry WHERE kind = 'reply'").await, 0);

    // Manager: listed first and marked, before Moritz whose name sorts earlier.
    post_form(
        &admin,
        &app,
        MEMBERS,
        &[
            ("do", "add"),
            ("agent", &moritz.0.to_string()),
            ("role", "agent"),
        ],
    )
    .await;
    let res = post_form(
        &admin,
        &app,
        MEMBERS,
        &[
            ("do", "role"),
            ("agent", &nadine.0.to_string()),
            ("role", "manager"),
        ],
    )
    .await;
    assert_eq!(res.url().query(), Some("done=role"));
    let members = res.text().await.unwrap();
    let at = |t: &str| members.find(t).unwrap_or_else(|| panic!("{t} listed"));
    assert!(
        at("Nadine S.</a> <span class=\"badge priority-high\">Leitung</span>")
            < at("Moritz K.</a>")
    );
    let (_, departments) = page(&app, &admin, "/agent/admin/departments").await;
    assert!(departments.contains("<th scope=\"col\">Leitung</th>"));
    assert!(departments.contains("<td>Nadine S.</td>"), "manager column");

    // Removed: the department's tickets leave her queue; one assigned to her stays.
    let mine = ticket(&app, "Flyer").await;
    let mine_url = app.url(&format!("/agent/tickets/{mine}"));
    let token = csrf(&admin, &mine_url).await;
    admin
        .post(format!("{mine_url}/action"))
        .form(&[
            ("csrf", token.as_str()),
            ("do", "assign"),
            ("agent", &nadine.0.to_string()),
        ])
        .send()
        .await
        .unwrap();
    let res = post_form(
        &admin,
        &app,
        MEMBERS,
        &[("do", "remove"), ("agent", &nadine.0.to_string())],
    )
    .await;
    assert_eq!(res.url().query(), Some("done=remove"));
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Die Person ist nicht mehr Mitglied der Abteilung.")
    );
    assert_eq!(queue(&app, &her).await, vec![mine.clone()]);
    assert_eq!(
        page(&app, &her, &format!("/agent/tickets/{poster}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (_, edit) = page(&app, &admin, &agent_page).await;
    assert_eq!(
        role_on_agent_page(&edit).as_deref(),
        Some(""),
        "not a member"
    );
    // A second click changes nothing and records nothing.
    post_form(
        &admin,
        &app,
        MEMBERS,
        &[("do", "remove"), ("agent", &nadine.0.to_string())],
    )
    .await;

    // Every change is audited with the role before and after.
    let department = {
        let mut c = app.app.db().conn().await.unwrap();
        c.h()
            .department_name(tessera_domain::DepartmentId(1))
            .await
            .unwrap()
    };
    let target = format!("{department}: nadine");
    let add = audited(&app, &admin, "department-member-add").await;
    assert!(
        add.iter().any(|r| r.contains(&format!(
            "Chefin (chefin) | Mitglied aufgenommen | {target} | Bearbeiten"
        ))),
        "{add:?}"
    );
    let role = audited(&app, &admin, "department-member-role").await;
    assert_eq!(role.len(), 2, "{role:?}");
    assert!(
        role[0].contains(&format!("{target} | Nur lesen → Leitung")),
        "{role:?}"
    );
    assert!(
        role[1].contains(&format!("{target} | Bearbeiten → Nur lesen")),
        "{role:?}"
    );
    let remove = audited(&app, &admin, "department-member-remove").await;
    assert_eq!(remove.len(), 1, "{remove:?}");
    assert!(
        remove[0].contains(&format!("{target} | Leitung")),
        "{remove:?}"
    );

    // Others find no such page; a post without the form's token is shown again.
    assert_eq!(page(&app, &her, MEMBERS).await.0, StatusCode::NOT_FOUND);
    let token = csrf(&her, &app.url("/agent/queue/open")).await;
    let res = her
        .post(app.url(MEMBERS))
        .form(&[
            ("csrf", token.as_str()),
            ("do", "add"),
            ("agent", &nadine.0.to_string()),
            ("role", "manager"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = admin
        .post(app.url(MEMBERS))
        .form(&[
            ("csrf", "x"),
            ("do", "add"),
            ("agent", &nadine.0.to_string()),
            ("role", "manager"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Das Formular war zu lange geöffnet")
    );
    assert_eq!(app.count("agent_department").await, 1, "only Moritz");
    assert_eq!(
        page(&app, &admin, "/agent/admin/departments/999/members")
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}

#[tokio::test]
async fn saving_an_agent_keeps_their_membership_of_an_inactive_department() {
    let app = TestApp::start().await;
    agent(&app, "chefin", "Chefin", true).await;
    let nadine = agent(&app, "nadine", "Nadine S.", false).await;
    let old = app
        .app
        .create_department(tessera_core::Actor::Cli, "Archiv", "archiv@tessera.test")
        .await
        .unwrap();
    app.exec(&format!(
        "UPDATE department SET is_active = FALSE WHERE department_id = {}",
        old.0
    ))
    .await;
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    let members = format!("/agent/admin/departments/{}/members", old.0);
    let res = post_form(
        &admin,
        &app,
        &members,
        &[
            ("do", "add"),
            ("agent", &nadine.0.to_string()),
            ("role", "view"),
        ],
    )
    .await;
    assert_eq!(res.url().query(), Some("done=add"));
    // The agent form offers active departments only; saving it must not drop the other.
    let res = post_form(
        &admin,
        &app,
        &format!("/agent/admin/agents/{}", nadine.0),
        &[
            ("display_name", "Nadine Schulz"),
            ("email", "nadine@tessera.test"),
            ("lang", "de"),
            ("dept-1", "agent"),
        ],
    )
    .await;
    assert_eq!(res.url().query(), Some("done=agent-update"));
    assert_eq!(
        app.count(&format!(
            "agent_department WHERE department_id = {} AND role = 'view'",
            old.0
        ))
        .await,
        1
    );
    assert_eq!(
        app.count("agent_department WHERE department_id = 1 AND role = 'agent'")
            .await,
        1
    );
    let (_, list) = page(&app, &admin, &members).await;
    assert!(list.contains("Nadine Schulz"));
    app.stop().await;
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
    assert!(audit.contains("Zeitzone: Europe/Berlin"), "{audit}");
    app.stop().await;
}
