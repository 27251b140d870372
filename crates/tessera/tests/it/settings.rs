//! Administrators change portal and email settings in the browser; each takes effect at once,
//! is audited, and the SMTP password never comes back out.

use reqwest::{StatusCode, multipart};

use crate::{
    admin::{PASSWORD, chefin, post_form, sign_in},
    portal::{MAX, final_url, open},
    support::{SmtpServer, TestApp, csrf},
};

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

const PORTAL: &[(&str, &str)] = &[
    ("org_name", "DRK Kreisverband"),
    (
        "intro_de",
        "Willkommen beim **Aufgaben-System**.\n<script>alert(1)</script>",
    ),
    ("intro_en", "Welcome to the task system."),
    ("default_lang", "de"),
    ("number_format", "DRK-####"),
    ("max_mb", "1"),
    ("allowed_types", "pdf, .PNG"),
    ("status_mode", "open"),
];

/// Posts the portal settings form (multipart, for the logo).
async fn save_portal(
    c: &reqwest::Client,
    app: &TestApp,
    fields: &[(&str, &str)],
    logo: Option<(&str, Vec<u8>)>,
) -> (StatusCode, String) {
    let token = csrf(c, &app.url("/agent/admin/settings")).await;
    let mut form = multipart::Form::new().text("csrf", token);
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some((name, bytes)) = logo {
        form = form.part(
            "logo",
            multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    }
    let res = c
        .post(app.url("/agent/admin/settings"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

fn with<'a>(base: &[(&'a str, &'a str)], key: &'a str, value: &'a str) -> Vec<(&'a str, &'a str)> {
    base.iter()
        .map(|(k, v)| (*k, if *k == key { value } else { *v }))
        .collect()
}

async fn text(c: &reqwest::Client, url: &str) -> String {
    c.get(url).send().await.unwrap().text().await.unwrap()
}

#[tokio::test]
async fn portal_settings_take_effect_at_once() {
    let app = TestApp::start().await;
    chefin(&app).await;
    let admin = sign_in(&app, "chefin", PASSWORD).await;

    // The top bar has one administration link; its page leads to every administration page.
    let overview = text(&admin, &app.url("/agent/admin")).await;
    for page in [
        "agents",
        "departments",
        "teams",
        "topics",
        "sla",
        "canned",
        "settings",
        "settings/mail",
        "mailboxes",
        "mail-in",
        "audit",
    ] {
        assert!(
            overview.contains(&format!("href=\"/agent/admin/{page}\"")),
            "{page}"
        );
    }

    // Refused values come back next to their fields and change nothing.
    let bad = with(PORTAL, "number_format", "##");
    let bad = with(&bad, "max_mb", "500");
    let (status, page) =
        save_portal(&admin, &app, &bad, Some(("logo.svg", b"<svg/>".to_vec()))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("mindestens vier #"), "{page}");
    assert!(page.contains("höchstens 100"), "{page}");
    assert!(page.contains("PNG-, JPEG-, GIF- oder WebP-Bild"), "{page}");
    assert!(
        page.contains("value=\"DRK Kreisverband\""),
        "typed values are kept"
    );
    let home = text(&app.client(), &app.url("/")).await;
    assert!(!home.contains("DRK Kreisverband"));

    // The installation's time zone is an IANA name, or the form comes again (issue 23).
    let page = text(&admin, &app.url("/agent/admin/settings")).await;
    assert!(page.contains("value=\"Europe/Berlin\""), "the default zone");
    let mut zoned = PORTAL.to_vec();
    zoned.push(("time_zone", "Mitteleuropa"));
    let (status, page) = save_portal(&admin, &app, &zoned, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Diese Zeitzone ist unbekannt."), "{page}");
    assert!(page.contains("value=\"Mitteleuropa\""), "{page}");
    assert_eq!(app.app.settings().time_zone.name(), "Europe/Berlin");

    let (status, _) = save_portal(&admin, &app, PORTAL, Some(("logo.png", PNG.to_vec()))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.app.settings().time_zone.name(),
        "Europe/Berlin",
        "a form without the field keeps the zone"
    );
    let mut zoned = PORTAL.to_vec();
    zoned.push(("time_zone", "Asia/Dubai"));
    let (status, _) = save_portal(&admin, &app, &zoned, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.app.settings().time_zone.name(), "Asia/Dubai");
    let page = text(&admin, &app.url("/agent/admin/settings")).await;
    assert!(page.contains("value=\"DRK-####\""), "{page}");
    assert!(page.contains("value=\"pdf, png\""), "types are normalised");

    // Name, welcome text (rendered, typed HTML shown as text) and logo on the portal.
    let visitor = app.client();
    let home = text(&visitor, &app.url("/")).await;
    assert!(home.contains("DRK Kreisverband"));
    assert!(home.contains("<strong>Aufgaben-System</strong>"), "{home}");
    assert!(home.contains("&lt;script&gt;") && !home.contains("<script>alert"));
    let logo_src = home
        .split("class=\"brand-logo\" src=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the header shows the logo")
        .to_owned();
    let logo = visitor.get(app.url(&logo_src)).send().await.unwrap();
    assert_eq!(logo.headers()["content-type"], "image/png");
    assert_eq!(logo.bytes().await.unwrap().as_ref(), PNG);
    let en = text(&app.client(), &app.url("/lang/en?next=/")).await;
    assert!(en.contains("Welcome to the task system."));

    // New tickets follow the number format and the attachment rules.
    let (res, _) = open(&app, &visitor, MAX, &[("plan.pdf", b"%PDF-1.4".to_vec())]).await;
    let number = final_url(&res)
        .split("/tickets/")
        .nth(1)
        .and_then(|r| r.split('?').next())
        .unwrap()
        .to_owned();
    assert!(
        number.starts_with("DRK-") && number.len() == 8,
        "number {number}"
    );
    let (res, body) = open(&app, &visitor, MAX, &[("tool.exe", b"MZ".to_vec())]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Dateityp"), "{body}");
    let big = vec![b'x'; 1024 * 1024 + 1];
    let (res, _) = open(&app, &visitor, MAX, &[("big.pdf", big)]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("ticket").await, 1);
    let open_page = text(&visitor, &app.url("/open")).await;
    assert!(
        open_page.contains("1 MB") || open_page.contains("1,0 MB"),
        "the form states the limit"
    );

    // The change is audited with before and after.
    let audit = text(
        &admin,
        &app.url("/agent/admin/audit?action=settings-portal-update"),
    )
    .await;
    assert!(
        audit.contains("Ticketnummern: ######") && audit.contains("Ticketnummern: DRK-####"),
        "{audit}"
    );

    // Removing the logo takes it off the pages.
    let mut fields = PORTAL.to_vec();
    fields.push(("remove_logo", "1"));
    save_portal(&admin, &app, &fields, None).await;
    let home = text(&visitor, &app.url("/")).await;
    assert!(!home.contains("brand-logo"));
    assert_eq!(
        visitor
            .get(app.url(&logo_src))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}

#[tokio::test]
async fn check_status_can_mail_a_fresh_link_instead() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = TestApp::start_with(Box::new(move |c| c.smtp_url = Some(url))).await;
    chefin(&app).await;
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    let (status, _) = save_portal(&admin, &app, &with(PORTAL, "status_mode", "mail"), None).await;
    assert_eq!(status, StatusCode::OK);
    let (res, _) = open(&app, &app.client(), MAX, &[]).await;
    let number = final_url(&res)
        .split("/tickets/")
        .nth(1)
        .and_then(|r| r.split('?').next())
        .unwrap()
        .to_owned();
    smtp.wait_for(1).await;

    let check = async |email: &str| {
        let c = app.client();
        let token = csrf(&c, &app.url("/status")).await;
        let res = c
            .post(app.url("/status"))
            .form(&[
                ("csrf", token.as_str()),
                ("number", &number),
                ("email", email),
            ])
            .send()
            .await
            .unwrap();
        (res.url().path().to_owned(), res.text().await.unwrap())
    };
    // A wrong address and the right one get the same page; neither opens the ticket.
    let (path_wrong, wrong) = check("someone@example.org").await;
    let (path_right, right) = check("MAX@example.org").await;
    assert_eq!(path_wrong, "/status");
    assert_eq!(path_right, "/status");
    assert_eq!(
        wrong.replace(char::is_whitespace, "").len(),
        right.replace(char::is_whitespace, "").len()
    );
    assert!(right.contains("einen Link zu Ihrem Ticket"), "{right}");

    // Only the participant's mailbox gets a link, and it opens the ticket.
    let mails = app.delivered(&smtp).await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    let link_mail = mails
        .iter()
        .find(|m| m.subject.contains("Ihr Link zum Ticket"))
        .expect("a link mail");
    assert_eq!(link_mail.to, vec!["max@example.org".to_owned()]);
    let reader = app.client();
    let page = reader.get(link_mail.access_link()).send().await.unwrap();
    assert_eq!(page.url().path(), format!("/tickets/{number}"));
    assert!(page.text().await.unwrap().contains("Nikolausschwimmen"));
    app.stop().await;
}

#[tokio::test]
async fn mail_settings_switch_delivery_test_mail_and_keep_the_password_secret() {
    let smtp = SmtpServer::start();
    // Starts without SMTP: mail goes to files.
    let app = TestApp::start().await;
    chefin(&app).await;
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    let page = text(&admin, &app.url("/agent/admin/settings/mail")).await;
    assert!(page.contains("id=\"delivery-files\" name=\"delivery\" value=\"files\" checked"));

    // A server that is not there: a clear error, nothing saved.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port().to_string();
    drop(closed);
    let fields = |port: &str, action: &str| -> Vec<(String, String)> {
        [
            ("mail_from", "aufgaben@drk.test"),
            ("mail_from_name", "DRK Aufgaben"),
            ("delivery", "smtp"),
            ("host", "127.0.0.1"),
            ("port", port),
            ("tls", "none"),
            ("username", ""),
            ("password", ""),
            ("test_to", "chefin@tessera.test"),
            ("action", action),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    };
    let post = async |f: Vec<(String, String)>| {
        let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let res = post_form(&admin, &app, "/agent/admin/settings/mail", &refs).await;
        (
            res.status(),
            res.url().to_string(),
            res.text().await.unwrap(),
        )
    };
    let (_, _, page) = post(fields(&closed_port, "test")).await;
    assert!(page.contains("Keine Verbindung zum SMTP-Server"), "{page}");
    assert!(
        page.contains("value=\"127.0.0.1\""),
        "the form keeps what was typed"
    );

    // The real server: the test mail arrives at once, before anything is saved.
    let port = smtp.port.to_string();
    let (_, _, page) = post(fields(&port, "test")).await;
    assert!(page.contains("wurde vom Server angenommen"), "{page}");
    let test = smtp.wait_for(1).await;
    assert!(test[0].subject.contains("Test-E-Mail"));
    assert_eq!(test[0].from, "aufgaben@drk.test");

    // Saved, the worker delivers through it from now on (no restart).
    let (_, url, _) = post(fields(&port, "save")).await;
    assert!(url.ends_with("done=saved"), "{url}");
    open(&app, &app.client(), MAX, &[]).await;
    let mails = smtp.wait_for(2).await;
    assert!(
        mails
            .iter()
            .any(|m| m.subject.contains("Nikolausschwimmen")),
        "{mails:?}"
    );
    assert!(
        !app.data_dir.join("mail-out").exists()
            || std::fs::read_dir(app.data_dir.join("mail-out"))
                .unwrap()
                .count()
                == 0,
        "nothing went to files"
    );

    // A password is stored, but never shown, logged in the audit log or sent back.
    let mut with_pw = fields(&port, "save");
    for (k, v) in with_pw.iter_mut() {
        match k.as_str() {
            "username" => *v = "aufgaben".into(),
            "password" => *v = "streng-geheim-42".into(),
            _ => {}
        }
    }
    post(with_pw.clone()).await;
    let page = text(&admin, &app.url("/agent/admin/settings/mail")).await;
    assert!(page.contains("Ein Passwort ist gespeichert"));
    assert!(!page.contains("streng-geheim-42"));
    let audit = text(
        &admin,
        &app.url("/agent/admin/audit?action=settings-mail-update"),
    )
    .await;
    assert!(
        audit.contains("Passwort: gesetzt") && !audit.contains("streng-geheim-42"),
        "{audit}"
    );
    assert_eq!(
        app.app
            .settings()
            .smtp
            .as_ref()
            .map(|s| s.password.as_str()),
        Some("streng-geheim-42")
    );
    // Saving again with the password field empty keeps it; an error page does not echo it.
    let mut keep = with_pw.clone();
    for (k, v) in keep.iter_mut() {
        if k == "password" {
            v.clear();
        }
    }
    post(keep).await;
    assert_eq!(
        app.app
            .settings()
            .smtp
            .as_ref()
            .map(|s| s.password.as_str()),
        Some("streng-geheim-42")
    );
    let mut bad = with_pw;
    for (k, v) in bad.iter_mut() {
        if k == "port" {
            *v = "99999".into();
        }
    }
    let (status, _, page) = post(bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Port zwischen 1 und 65535"));
    assert!(!page.contains("streng-geheim-42"));
    app.stop().await;
}

#[tokio::test]
async fn settings_pages_are_for_administrators_only() {
    let app = TestApp::start().await;
    crate::admin::agent(&app, "nadine", "Nadine", false).await;
    let agent = sign_in(&app, "nadine", PASSWORD).await;
    let queue = text(&agent, &app.url("/agent/queue/open")).await;
    assert!(
        !queue.contains("href=\"/agent/admin\""),
        "no administration link"
    );
    for path in [
        "/agent/admin",
        "/agent/admin/settings",
        "/agent/admin/settings/mail",
    ] {
        let res = agent.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let token = csrf(&agent, &app.url("/agent/queue/open")).await;
    let res = agent
        .post(app.url("/agent/admin/settings/mail"))
        .form(&[
            ("csrf", token.as_str()),
            ("delivery", "files"),
            ("mail_from", "x@y.z"),
            ("mail_from_name", "X"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("setting WHERE key LIKE 'cfg.%'").await, 0);
    app.stop().await;
}
