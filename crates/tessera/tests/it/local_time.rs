//! Local time, the agent profile and the audit log in people's words (issue 23): requesters
//! read the installation's time, each agent their own zone; the profile refuses bad input
//! with the form again; "out of office" stops automatic assignment; the signature goes
//! under public replies only.

use reqwest::StatusCode;
use tessera_core::{Actor, NewAgent};
use tessera_domain::{AgentId, DepartmentId, Lang, Role};

use crate::{
    portal::{MAX, final_url, number_from, open},
    support::{TestApp, csrf},
};

const PASSWORD: &str = "ein langes geheimes Passwort";

/// 2026-03-07 09:05:00 UTC: 10:05 in Berlin (CET), 13:05 in Dubai.
const WRITTEN_AT: i64 = 1_772_874_300_000_000;

/// An agent of the first department (an administrator when `admin`).
async fn agent(app: &TestApp, username: &str, name: &str, admin: bool) -> AgentId {
    let id = app
        .app
        .create_agent(
            Actor::Cli,
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
        .unwrap();
    app.app
        .set_department_role(Actor::Cli, id, DepartmentId(1), Role::Agent)
        .await
        .unwrap();
    id
}

/// A browser signed in as `user`.
async fn login(app: &TestApp, user: &str) -> reqwest::Client {
    let c = app.client();
    let token = csrf(&c, &app.url("/agent/login")).await;
    let res = c
        .post(app.url("/agent/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("username", user),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{user} signs in");
    c
}

async fn get(app: &TestApp, c: &reqwest::Client, path: &str) -> String {
    let res = c.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.unwrap()
}

/// Posts the profile form: the agent's current values with `changes` over them.
async fn save_profile(
    app: &TestApp,
    c: &reqwest::Client,
    changes: &[(&str, &str)],
) -> (StatusCode, String) {
    let page = get(app, c, "/agent/profile").await;
    let token = csrf(c, &app.url("/agent/profile")).await;
    let value = |name: &str| -> String {
        let marker = format!("name=\"{name}\" value=\"");
        page.find(&marker)
            .map(|i| {
                let rest = &page[i + marker.len()..];
                rest[..rest.find('"').unwrap()].to_owned()
            })
            .unwrap_or_default()
    };
    let mut form: Vec<(String, String)> = vec![
        ("csrf".into(), token),
        ("display_name".into(), value("display_name")),
        ("email".into(), value("email")),
        ("lang".into(), "de".into()),
        ("time_zone".into(), String::new()),
    ];
    for (k, v) in changes {
        form.retain(|(name, _)| name != k);
        form.push((k.to_string(), v.to_string()));
    }
    let res = c
        .post(app.url("/agent/profile"))
        .form(&form)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

/// Moves a ticket and its thread to `WRITTEN_AT`.
async fn written_at_known_time(app: &TestApp, number: &str) {
    app.exec(&format!(
        "UPDATE thread_entry SET created_at = {WRITTEN_AT} WHERE ticket_id =
           (SELECT ticket_id FROM ticket WHERE number = '{number}')"
    ))
    .await;
    app.exec(&format!(
        "UPDATE ticket SET created_at = {WRITTEN_AT}, updated_at = {WRITTEN_AT}
         WHERE number = '{number}'"
    ))
    .await;
}

/// Posts a reply or note form of the ticket page at `ticket`.
async fn post(
    app: &TestApp,
    c: &reqwest::Client,
    ticket: &str,
    what: &str,
    fields: Vec<(&'static str, String)>,
) {
    let token = csrf(c, &app.url(ticket)).await;
    let mut form = reqwest::multipart::Form::new()
        .text("csrf", token)
        .text("seen", "0")
        .text("confirm", "1");
    for (k, v) in fields {
        form = form.text(k, v);
    }
    let path = format!("{ticket}/{what}");
    let res = c.post(app.url(&path)).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
}

#[tokio::test]
async fn requesters_read_the_installations_time_and_agents_their_own_zone() {
    let app = TestApp::start().await;
    let requester = app.client();
    let (answer, _) = open(&app, &requester, MAX, &[]).await;
    let number = number_from(&final_url(&answer));
    written_at_known_time(&app, &number).await;

    // The requester: Berlin, the installation's zone by default; no UTC anywhere.
    let page = get(&app, &requester, &format!("/tickets/{number}")).await;
    assert!(page.contains("title=\"07.03.2026 10:05 CET\""), "{page}");
    assert!(page.contains("datetime=\"2026-03-07T09:05:00+00:00\""));
    assert!(!page.contains("UTC"), "{page}");

    // Moritz works from Dubai: he sets his zone, and the next page reads it.
    agent(&app, "moritz", "Moritz K.", false).await;
    let moritz = login(&app, "moritz").await;
    let ticket = format!("/agent/tickets/{number}");
    let before = get(&app, &moritz, &ticket).await;
    assert!(before.contains("07.03.2026 10:05 CET"), "{before}");
    let (status, saved) = save_profile(&app, &moritz, &[("time_zone", "Asia/Dubai")]).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert!(saved.contains("Ihr Profil wurde gespeichert."), "{saved}");
    let after = get(&app, &moritz, &ticket).await;
    assert!(after.contains("07.03.2026 13:05 Asia/Dubai"), "{after}");
    assert!(!after.contains("10:05 CET"), "{after}");
    let queue = get(&app, &moritz, "/agent/queue/open").await;
    assert!(
        queue.contains("title=\"07.03.2026 13:05 Asia/Dubai\""),
        "{queue}"
    );

    // The requester still reads Berlin time; an administrator's zone for the installation
    // moves them (and agents without a zone of their own).
    let page = get(&app, &requester, &format!("/tickets/{number}")).await;
    assert!(page.contains("07.03.2026 10:05 CET"));
    app.exec(
        "INSERT INTO setting (key, value, updated_at) VALUES ('cfg.time_zone', 'Europe/London', 0)",
    )
    .await;
    app.app.reload_settings().await.unwrap();
    let page = get(&app, &requester, &format!("/tickets/{number}")).await;
    assert!(page.contains("07.03.2026 09:05 GMT"), "{page}");
    let after = get(&app, &moritz, &ticket).await;
    assert!(after.contains("07.03.2026 13:05 Asia/Dubai"));
}

#[tokio::test]
async fn the_audit_log_reads_in_the_readers_language_and_time() {
    let app = TestApp::start().await;
    agent(&app, "ada", "Ada Admin", true).await;
    // Someone fails to sign in, Ada signs in and changes her profile.
    let stranger = app.client();
    let token = csrf(&stranger, &app.url("/agent/login")).await;
    stranger
        .post(app.url("/agent/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("username", "ada"),
            ("password", "falsch"),
        ])
        .send()
        .await
        .unwrap();
    let ada = login(&app, "ada").await;
    let (status, _) = save_profile(
        &app,
        &ada,
        &[
            ("time_zone", "Asia/Dubai"),
            ("away", "1"),
            ("signature", "Ada"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let page = get(&app, &ada, "/agent/admin/audit").await;
    for words in [
        "Anmeldung",
        "Fehlgeschlagene Anmeldung",
        "Unbekannt (nicht angemeldet)",
        "Eigenes Profil geändert",
        "Ada Admin (ada)",
        "Zeitzone: Asia/Dubai",
        "abwesend: ja",
        "Sprache: de",
    ] {
        assert!(page.contains(words), "{words}: {page}");
    }
    for raw in [
        ">sign-in<",
        ">sign-in-failed<",
        ">anonymous<",
        "away=true",
        "zone=",
    ] {
        assert!(!page.contains(raw), "{raw}: {page}");
    }
    // Ada reads her own zone there too; the filter offers the actions in words.
    assert!(page.contains("Asia/Dubai\">"), "{page}");
    assert!(page.contains("<option value=\"sign-in\">Anmeldung</option>"));
    assert!(page.contains("class=\"audit-table\""));
    let english = get(&app, &ada, "/lang/en?next=/agent/admin/audit").await;
    assert!(english.contains("Own profile changed"), "{english}");
    assert!(english.contains("Unknown (not signed in)"));
}

#[tokio::test]
async fn the_profile_refuses_bad_input_with_the_form_again() {
    let app = TestApp::start().await;
    agent(&app, "nadine", "Nadine S.", false).await;
    agent(&app, "moritz", "Moritz K.", false).await;
    let nadine = login(&app, "nadine").await;
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("email", "nadine-at-example")],
            "Bitte geben Sie eine gültige E-Mail-Adresse ein",
        ),
        (
            &[("email", "Moritz@Tessera.test")],
            "Diese E-Mail-Adresse gehört schon zu einem anderen Konto.",
        ),
        (
            &[("time_zone", "Mars/Olympus")],
            "Diese Zeitzone ist unbekannt.",
        ),
        (&[("display_name", "  ")], "id=\"display_name-error\""),
        (
            &[("csrf", "0123456789abcdef0123456789abcdef")],
            "alert error",
        ),
    ];
    for (changes, message) in cases {
        let (status, page) = save_profile(&app, &nadine, changes).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{changes:?}");
        assert!(page.contains(message), "{changes:?}: {page}");
        // The form comes again with what was typed.
        let typed = changes[0].1.trim();
        if changes[0].0 != "csrf" && !typed.is_empty() {
            assert!(page.contains(typed), "{changes:?}");
        }
    }
    let long = "x".repeat(tessera_core::MAX_SIGNATURE + 1);
    let (status, page) = save_profile(&app, &nadine, &[("signature", &long)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"signature-error\""), "{page}");
    // Nothing of it was stored.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM agent WHERE username = 'nadine' AND email = 'nadine@tessera.test' AND time_zone IS NULL AND signature = ''")
            .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'agent-profile'")
            .await,
        0
    );
    // A good change is kept; a new address signs in as well.
    let (status, _) = save_profile(
        &app,
        &nadine,
        &[
            ("email", "nadine.s@example.org"),
            ("display_name", "Nadine Schulz"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let page = get(&app, &nadine, "/agent/profile").await;
    assert!(page.contains("value=\"nadine.s@example.org\""));
    assert!(page.contains("Nadine Schulz"));
    login(&app, "nadine.s@example.org").await;
}

#[tokio::test]
async fn an_agent_out_of_office_gets_no_automatic_assignment_and_is_marked_away() {
    let app = TestApp::start().await;
    let moritz = agent(&app, "moritz", "Moritz K.", false).await;
    agent(&app, "nadine", "Nadine S.", false).await;
    app.exec(&format!(
        "UPDATE help_topic SET auto_agent_id = {}",
        moritz.0
    ))
    .await;
    let assignee = |number: String| {
        let app = &app;
        async move {
            app.scalar(&format!(
                "SELECT COALESCE(assignee_agent_id, 0) FROM ticket WHERE number = '{number}'"
            ))
            .await
        }
    };
    let requester = app.client();
    let (first, _) = open(&app, &requester, MAX, &[]).await;
    assert_eq!(assignee(number_from(&final_url(&first))).await, moritz.0);

    let m = login(&app, "moritz").await;
    let (status, _) = save_profile(&app, &m, &[("away", "1")]).await;
    assert_eq!(status, StatusCode::OK);
    let (second, _) = open(&app, &requester, MAX, &[]).await;
    let second = number_from(&final_url(&second));
    assert_eq!(
        assignee(second.clone()).await,
        0,
        "nobody while Moritz is away"
    );

    // The assign list marks him.
    let nadine = login(&app, "nadine").await;
    let page = get(&app, &nadine, &format!("/agent/tickets/{second}")).await;
    assert!(page.contains(">Moritz K. (abwesend)</option>"), "{page}");

    // Back: assigned again, and no longer marked.
    let (status, _) = save_profile(&app, &m, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let (third, _) = open(&app, &requester, MAX, &[]).await;
    assert_eq!(assignee(number_from(&final_url(&third))).await, moritz.0);
    let page = get(&app, &nadine, &format!("/agent/tickets/{second}")).await;
    assert!(page.contains(">Moritz K.</option>"), "{page}");
}

#[tokio::test]
async fn the_signature_goes_under_public_replies_when_asked_and_never_under_notes() {
    let app = TestApp::start().await;
    agent(&app, "nadine", "Nadine S.", false).await;
    let requester = app.client();
    let (answer, _) = open(&app, &requester, MAX, &[]).await;
    let number = number_from(&final_url(&answer));
    let nadine = login(&app, "nadine").await;
    let ticket = format!("/agent/tickets/{number}");
    // Without a signature the reply form offers none.
    assert!(
        !get(&app, &nadine, &ticket)
            .await
            .contains("reply-signature")
    );
    let (status, _) =
        save_profile(&app, &nadine, &[("signature", "Nadine S.\nPressestelle")]).await;
    assert_eq!(status, StatusCode::OK);
    let page = get(&app, &nadine, &ticket).await;
    assert!(
        page.contains("id=\"reply-signature\" name=\"signature\" value=\"1\" checked"),
        "{page}"
    );

    post(
        &app,
        &nadine,
        &ticket,
        "reply",
        vec![
            ("body", "Das Plakat kommt.".into()),
            ("signature", "1".into()),
        ],
    )
    .await;
    post(
        &app,
        &nadine,
        &ticket,
        "reply",
        vec![("body", "Noch eine Frage.".into())],
    )
    .await;
    // A note never carries it, even when the box is sent along.
    post(
        &app,
        &nadine,
        &ticket,
        "note",
        vec![
            ("note", "Intern: Plakat bestellt.".into()),
            ("signature", "1".into()),
        ],
    )
    .await;
    let bodies = |kind: &str| {
        let kind = kind.to_owned();
        let app = &app;
        async move {
            app.scalar(&format!(
                "SELECT COUNT(*) FROM thread_entry WHERE kind = '{kind}'
                   AND body LIKE '%-- %Nadine S.%Pressestelle%'"
            ))
            .await
        }
    };
    assert_eq!(bodies("reply").await, 1, "only the reply that asked for it");
    assert_eq!(bodies("note").await, 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM thread_entry WHERE kind = 'note' AND body = 'Intern: Plakat bestellt.'")
            .await,
        1
    );
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM thread_entry WHERE kind = 'reply' AND body = 'Noch eine Frage.'"
        )
        .await,
        1
    );
    // The requester reads it under the reply.
    let page = get(&app, &requester, &format!("/tickets/{number}")).await;
    assert!(page.contains("Pressestelle"), "{page}");
}

/// The audit log in Chromium: on a desktop each date and address stays on one line; on a
/// phone the rows stack and nothing scrolls sideways.
#[tokio::test]
async fn the_audit_log_keeps_dates_and_addresses_whole_on_desktop_and_phone() {
    use serde_json::json;
    let app = TestApp::start().await;
    agent(&app, "ada", "Ada Admin", true).await;
    for _ in 0..3 {
        // Failed sign-ins: long targets and addresses in the log.
        let c = app.client();
        let token = csrf(&c, &app.url("/agent/login")).await;
        c.post(app.url("/agent/login"))
            .form(&[
                ("csrf", token.as_str()),
                (
                    "username",
                    "jemand.mit.einem.sehr.langen.namen@beispiel.example.org",
                ),
                ("password", "falsch"),
            ])
            .send()
            .await
            .unwrap();
    }
    let b = crate::browser::Browser::start().await;
    b.resize(1200, 900).await;
    b.goto(&app.url("/agent/login")).await;
    b.js(&format!(
        "document.getElementById('username').value = 'ada';
         document.getElementById('password').value = '{PASSWORD}';"
    ))
    .await;
    b.click("form button[type='submit']").await;
    crate::support::eventually("signed in", async || {
        b.url().await.contains("/agent/queue/").then_some(())
    })
    .await;
    b.goto(&app.url("/agent/admin/audit")).await;
    let one_line = "return [...document.querySelectorAll('.audit-when time, .audit-ip')]
        .filter(e => e.textContent.trim() !== '')
        .map(e => { const r = document.createRange(); r.selectNodeContents(e);
                    return r.getClientRects().length; })";
    let lines = b.js(one_line).await;
    let lines = lines.as_array().unwrap();
    assert!(lines.len() >= 4, "{lines:?}");
    assert!(
        lines.iter().all(|n| *n == json!(1)),
        "one line each: {lines:?}"
    );
    let title = b
        .js("return document.querySelector('.audit-when time').getAttribute('title')")
        .await;
    assert!(
        title.as_str().unwrap().ends_with(" CET") || title.as_str().unwrap().ends_with(" CEST")
    );
    b.screenshot("audit").await;

    b.resize(375, 800).await;
    let overflow = b
        .js("return document.documentElement.scrollWidth > window.innerWidth")
        .await;
    assert_eq!(overflow, json!(false), "no horizontal scrolling on a phone");
    let lines = b.js(one_line).await;
    assert!(
        lines.as_array().unwrap().iter().all(|n| *n == json!(1)),
        "one line each on a phone too: {lines:?}"
    );
    let stacked = b
        .js("return getComputedStyle(document.querySelector('.audit-table td')).display")
        .await;
    assert_eq!(stacked, json!("grid"), "rows stack as label and value");
    b.screenshot("audit-phone").await;
    b.quit().await;
}
