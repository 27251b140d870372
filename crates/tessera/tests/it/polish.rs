//! Issue 23's first start, requesters and polish: the first administrator is alerted of
//! the first ticket once they gave their own address, the install checklist, invitations
//! shown as such, the status check instead of a 404, the mailed link to all of one's
//! tickets, the favicon, compression, topic descriptions and plural forms.

use reqwest::{StatusCode, header};

use crate::admin::{PASSWORD, chefin, post_form, sign_in};
use crate::portal::{MAX, final_url, number_from, open};
use crate::support::{Mail, SmtpServer, TestApp, eml, eventually, ingest};

/// Starts Tessera delivering to a real SMTP server.
async fn with_smtp(smtp: &SmtpServer) -> TestApp {
    let url = smtp.url();
    TestApp::start_with(Box::new(move |c| c.smtp_url = Some(url))).await
}

/// The one link in a mail whose path starts with `path`.
fn link(m: &Mail, path: &str) -> String {
    m.text
        .split_whitespace()
        .find(|w| w.contains(path))
        .unwrap_or_else(|| panic!("a {path} link in {:?}", m.text))
        .to_owned()
}

/// Whether a checklist item is shown as done.
fn item(page: &str, key: &str) -> Option<bool> {
    let marker = format!("data-item=\"{key}\"");
    let at = page.find(&marker)?;
    let before = &page[..at];
    let class = &before[before.rfind("class=\"checklist-item")?..];
    Some(class.contains(" done\""))
}

#[tokio::test]
async fn a_fresh_installation_alerts_its_first_administrator_once_they_give_their_address() {
    let smtp = SmtpServer::start();
    let app = with_smtp(&smtp).await;
    // The seed made the administrator the seeded department's manager.
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM agent_department m JOIN agent a ON a.agent_id = m.agent_id
             WHERE a.username = 'admin' AND m.role = 'manager'"
        )
        .await,
        1
    );
    // Until they give their own address, nobody is alerted at the sender's address.
    let requester = app.client();
    let (res, _) = open(&app, &requester, MAX, &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let first = app.delivered(&smtp).await;
    assert_eq!(first.len(), 1, "the requester's receipt only");
    assert_eq!(first[0].to, vec!["max@example.org"]);

    // The first sign-in asks for a new password and their own address.
    let admin = sign_in(&app, "admin", &app.admin_password).await;
    let page = admin.get(app.url("/agent/password")).send().await.unwrap();
    assert_eq!(page.url().path(), "/agent/password");
    let page = page.text().await.unwrap();
    assert!(page.contains("Ihre eigene E-Mail-Adresse") && page.contains("name=\"email\""));
    let new = "ein langes neues Passwort";
    let try_address = async |email: &str| {
        post_form(
            &admin,
            &app,
            "/agent/password",
            &[
                ("current", app.admin_password.as_str()),
                ("new", new),
                ("repeat", new),
                ("email", email),
            ],
        )
        .await
    };
    // The sender's address (any case) is refused with a clear message, and so is one that
    // reaches nobody outside; the password is not changed meanwhile.
    for (email, says) in [
        ("helpdesk@tessera.test", "Absenderadresse des Helpdesks"),
        ("HelpDesk@Tessera.test", "Absenderadresse des Helpdesks"),
        ("admin@localhost.localdomain", "von außen nicht erreichbar"),
        ("kein Name", "E-Mail-Adresse"),
    ] {
        let res = try_address(email).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{email}");
        let page = res.text().await.unwrap();
        assert!(
            page.contains("id=\"email-error\"") && page.contains(says),
            "{email}: {page}"
        );
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM agent WHERE username = 'admin' AND must_change_password")
            .await,
        1
    );
    let res = try_address("anna@drk-hamburg.de").await;
    assert_eq!(res.url().path(), "/agent/queue/open");
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM agent WHERE username = 'admin' AND email = 'anna@drk-hamburg.de'
             AND NOT must_change_password"
        )
        .await,
        1
    );
    // Once asked, never again.
    let page = admin.get(app.url("/agent/password")).send().await.unwrap();
    assert!(!page.text().await.unwrap().contains("name=\"email\""));

    // The next portal ticket alerts the administrator at their own address.
    let (res, _) = open(&app, &app.client(), MAX, &[]).await;
    let number = number_from(&final_url(&res));
    let mails = eventually("the administrator's alert", async || {
        let m = app.delivered(&smtp).await;
        m.iter()
            .any(|m| m.to == vec!["anna@drk-hamburg.de"])
            .then_some(m)
    })
    .await;
    let alert = mails
        .iter()
        .find(|m| m.to == vec!["anna@drk-hamburg.de"])
        .unwrap();
    assert!(alert.subject.contains(&number), "{}", alert.subject);
    assert!(
        !mails.iter().any(|m| m.to == vec!["helpdesk@tessera.test"]),
        "the sender's own address is never alerted"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_install_checklist_shows_what_is_left_to_set() {
    let app = TestApp::start().await;
    chefin(&app).await;
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    let page = admin
        .get(app.url("/agent/admin"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"install-checklist\""), "{page}");
    assert_eq!(item(&page, "org-name"), Some(false));
    assert_eq!(item(&page, "sender"), Some(true), "helpdesk@tessera.test");
    assert_eq!(
        item(&page, "delivery"),
        Some(false),
        "no SMTP, files not chosen"
    );
    assert_eq!(
        item(&page, "agent-address"),
        Some(true),
        "chefin@tessera.test"
    );
    assert_eq!(item(&page, "inbound"), Some(false));
    assert!(page.contains("href=\"/agent/admin/mailboxes\""));
    assert_eq!(
        item(&page, "time-zone"),
        Some(false),
        "Europe/Berlin is a guess"
    );
    assert!(page.contains("2 von 6 erledigt"), "{page}");

    // The organisation's name and mail as files, saved as their pages save them; a first
    // mail in.
    let settings = app.app.settings();
    app.app
        .save_portal_settings(
            tessera_core::Actor::Cli,
            tessera_core::PortalForm {
                org_name: "DRK Kreisverband".into(),
                default_lang: "de".into(),
                number_format: settings.number_format.as_str().to_owned(),
                max_mb: "8".into(),
                status_mode: "open".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    app.app
        .save_mail_settings(
            tessera_core::Actor::Cli,
            tessera_core::MailForm {
                mail_from: "helpdesk@tessera.test".into(),
                mail_from_name: "Helpdesk".into(),
                delivery: "files".into(),
                mail_auth: "off".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    ingest(
        &app,
        &eml(
            "From: Max <max@example.org>\nTo: helpdesk@tessera.test\nSubject: Hallo\n\
              Message-ID: <m1@example.org>\n\nEine Frage.",
        ),
    )
    .await;
    let res = admin.get(app.url("/agent/admin")).send().await.unwrap();
    let page = res.text().await.unwrap();
    assert!(
        !page.contains("id=\"install-checklist\""),
        "everything done: no checklist: {page}"
    );
    app.stop().await;
}

#[tokio::test]
async fn invited_agents_show_as_invited_until_they_accept_and_can_be_invited_again() {
    let smtp = SmtpServer::start();
    let app = with_smtp(&smtp).await;
    chefin(&app).await;
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    post_form(
        &admin,
        &app,
        "/agent/admin/agents",
        &[
            ("username", "moritz"),
            ("display_name", "Moritz K."),
            ("email", "moritz@example.org"),
            ("lang", "de"),
        ],
    )
    .await;
    let list = admin
        .get(app.url("/agent/admin/agents"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let row = &list[list.find("Moritz K.").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains(">eingeladen<") && !row.contains("aktiv"),
        "{row}"
    );
    assert!(row.contains("value=\"resend\""));
    let first = app.delivered(&smtp).await;
    let first_link = link(first.last().unwrap(), "/agent/set-password/");

    // Sent again: a new link; the first one no longer works.
    let id = app
        .scalar("SELECT agent_id FROM agent WHERE username = 'moritz'")
        .await;
    let res = post_form(
        &admin,
        &app,
        &format!("/agent/admin/agents/{id}"),
        &[("do", "resend")],
    )
    .await;
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Die Einladung ist erneut verschickt")
    );
    let mails = eventually("the second invitation", async || {
        let m = app.delivered(&smtp).await;
        (m.len() == first.len() + 1).then_some(m)
    })
    .await;
    let second = mails.last().unwrap();
    assert_eq!(second.to, vec!["moritz@example.org"]);
    let second_link = link(second, "/agent/set-password/");
    assert_ne!(first_link, second_link);
    let anon = app.client();
    assert_eq!(
        anon.get(&first_link).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let token = crate::support::csrf(&anon, &second_link).await;
    let pw = "Moritz waehlt sein Passwort";
    anon.post(&second_link)
        .form(&[("csrf", token.as_str()), ("new", pw), ("repeat", pw)])
        .send()
        .await
        .unwrap();
    let list = admin
        .get(app.url("/agent/admin/agents"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let row = &list[list.find("Moritz K.").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("aktiv") && !row.contains("eingeladen"),
        "{row}"
    );
    // An accepted invitation is not sent again.
    let res = post_form(
        &admin,
        &app,
        &format!("/agent/admin/agents/{id}"),
        &[("do", "resend")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}

#[tokio::test]
async fn a_ticket_page_without_access_offers_the_status_check_whether_the_ticket_exists() {
    let app = TestApp::start().await;
    let (res, _) = open(&app, &app.client(), MAX, &[]).await;
    let number = number_from(&final_url(&res));
    let fresh = app.client();
    let shown = |page: String, n: &str| page.replace(n, "N");
    let res = fresh
        .get(app.url(&format!("/tickets/{number}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let real = res.text().await.unwrap();
    assert!(real.contains("id=\"ticket-access-ended\"") && real.contains("action=\"/status\""));
    assert!(
        real.contains(&format!("value=\"{number}\"")),
        "the number filled in"
    );
    assert!(
        !real.contains("Plakat für das Nikolausschwimmen"),
        "nothing of the ticket"
    );
    let res = fresh
        .get(app.url("/tickets/99999999"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let missing = res.text().await.unwrap();
    // The same page but for the number (and the form's token).
    let strip = |p: String| {
        let i = p.find("name=\"csrf\" value=\"").unwrap();
        format!("{}{}", &p[..i], &p[i + 60..])
    };
    assert_eq!(
        strip(shown(real, &number)),
        strip(shown(missing, "99999999"))
    );
    app.stop().await;
}

#[tokio::test]
async fn a_mailed_link_lists_every_ticket_of_the_address_once() {
    let smtp = SmtpServer::start();
    let app = with_smtp(&smtp).await;
    let (a, _) = open(&app, &app.client(), MAX, &[]).await;
    let first = number_from(&final_url(&a));
    let mut other = MAX.to_vec();
    other[2] = ("subject", "Flyer für den Sommer");
    let (b, _) = open(&app, &app.client(), &other, &[]).await;
    let second = number_from(&final_url(&b));
    // Someone else's ticket on which Max collaborates, and one he has nothing to do with.
    let mut elses = MAX.to_vec();
    elses[0] = ("email", "moritz@example.org");
    elses[2] = ("subject", "Facebook-Veranstaltung");
    let (c, _) = open(&app, &app.client(), &elses, &[]).await;
    let third = number_from(&final_url(&c));
    elses[2] = ("subject", "Ganz anderes Thema");
    let (d, _) = open(&app, &app.client(), &elses, &[]).await;
    let fourth = number_from(&final_url(&d));
    let nadine = crate::admin::agent(&app, "nadine", "Nadine S.", true).await;
    let (nadine, _) = app
        .app
        .agent_for_admin(tessera_core::Actor::Cli, nadine)
        .await
        .unwrap();
    app.app
        .add_collaborator(
            tessera_core::Worker::test_session(&nadine),
            &third,
            "max@example.org",
            "Max Müller",
        )
        .await
        .unwrap();
    let before = app.delivered(&smtp).await.len();

    // An unknown address gets the same answer and no mail; a known one gets a link.
    let ask = async |c: &reqwest::Client, email: &str| {
        let token = crate::support::csrf(c, &app.url("/tickets")).await;
        c.post(app.url("/tickets/link"))
            .form(&[("csrf", token.as_str()), ("email", email)])
            .send()
            .await
            .unwrap()
    };
    let browser = app.client();
    let unknown = ask(&browser, "niemand@example.org").await;
    assert_eq!(unknown.url().path(), "/tickets");
    let unknown = unknown.text().await.unwrap();
    let known = ask(&browser, "Max@Example.org").await.text().await.unwrap();
    assert!(known.contains("id=\"my-tickets-sent\""));
    let strip = |p: &str| {
        let i = p.find("name=\"csrf\" value=\"").unwrap();
        format!("{}{}", &p[..i], &p[i + 60..])
    };
    assert_eq!(strip(&unknown), strip(&known), "the same answer");
    let mails = eventually("the link", async || {
        let m = app.delivered(&smtp).await;
        (m.len() == before + 1).then_some(m)
    })
    .await;
    let mail = mails
        .iter()
        .find(|m| m.text.contains("/my-tickets/"))
        .expect("the link's mail");
    assert_eq!(mail.to, vec!["max@example.org"]);
    let url = link(mail, "/my-tickets/");

    // The link opens a list of both his tickets and the one he collaborates on.
    let res = browser.get(&url).send().await.unwrap();
    assert_eq!(res.url().path(), "/tickets");
    let page = res.text().await.unwrap();
    for n in [&first, &second, &third] {
        assert!(
            page.contains(&format!("href=\"/tickets/{n}\"")),
            "{n}: {page}"
        );
    }
    assert!(!page.contains(&format!("href=\"/tickets/{fourth}\"")));
    let row = &page[page.find(&format!("href=\"/tickets/{third}\"")).unwrap()..];
    let row = &row[..row.find("</li>").unwrap()];
    assert!(row.contains("beteiligt"), "marked: {row}");
    // Each opens; the ticket nobody gave him does not.
    let res = browser
        .get(app.url(&format!("/tickets/{second}")))
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("Flyer für den Sommer"));
    let res = browser
        .get(app.url(&format!("/tickets/{fourth}")))
        .send()
        .await
        .unwrap();
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("id=\"ticket-access-ended\"")
    );
    // Used once.
    assert_eq!(
        app.client().get(&url).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // An expired link is refused.
    ask(&app.client(), "max@example.org").await;
    let mails = eventually("another link", async || {
        let m = app.delivered(&smtp).await;
        (m.len() == before + 2).then_some(m)
    })
    .await;
    let url = mails
        .iter()
        .map(|m| m.text.clone())
        .filter(|t| t.contains("/my-tickets/"))
        .map(|t| {
            t.split_whitespace()
                .find(|w| w.contains("/my-tickets/"))
                .unwrap()
                .to_owned()
        })
        .find(|u| *u != url)
        .expect("a second link");
    app.exec("UPDATE contact_link SET expires_at = 0").await;
    assert_eq!(
        app.client().get(&url).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // An address that is none is refused on the field.
    let res = ask(&app.client(), "kein name").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("id=\"link-email-error\"")
    );
    app.stop().await;
}

#[tokio::test]
async fn favicon_compression_topic_descriptions_and_plural_forms() {
    let app = TestApp::start().await;
    let c = app.client();
    for path in ["/favicon.ico", "/static/favicon.svg"] {
        let res = c.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.headers()[header::CONTENT_TYPE], "image/svg+xml");
        assert!(
            res.headers()[header::CACHE_CONTROL]
                .to_str()
                .unwrap()
                .contains("max-age=")
        );
    }
    let home = c.get(app.url("/")).send().await.unwrap();
    assert!(home.headers().get(header::CONTENT_ENCODING).is_none());
    let plain = home.text().await.unwrap();
    assert!(plain.contains("rel=\"icon\" href=\"/static/favicon.svg?v="));

    // Compressed as asked; styles and scripts too; never a download.
    for (path, ct) in [
        ("/", "text/html"),
        ("/open", "text/html"),
        ("/static/app.css", "text/css"),
        ("/static/app.js", "text/javascript"),
    ] {
        for enc in ["gzip", "br"] {
            let res = c
                .get(app.url(path))
                .header(header::ACCEPT_ENCODING, enc)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            assert_eq!(res.headers()[header::CONTENT_ENCODING], enc, "{path}");
            assert!(
                res.headers()[header::CONTENT_TYPE]
                    .to_str()
                    .unwrap()
                    .starts_with(ct)
            );
            let bytes = res.bytes().await.unwrap();
            if enc == "gzip" {
                assert_eq!(&bytes[..2], &[0x1f, 0x8b], "{path}: gzip");
            }
            if path == "/" {
                assert!(bytes.len() < plain.len(), "{path} {enc}");
            }
        }
    }

    // A topic's description, saved by an administrator, is shown on the new-ticket form.
    chefin(&app).await;
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    let edit = "/agent/admin/topics/1";
    let form = admin
        .get(app.url(edit))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("name=\"description_de\""));
    let value = |name: &str| {
        let m = format!("name=\"{name}\" value=\"");
        let i = form.find(&m).map(|i| i + m.len()).unwrap_or(0);
        form[i..form[i..].find('"').map(|j| i + j).unwrap_or(i)].to_owned()
    };
    let (de, en, dept) = (value("name_de"), value("name_en"), "1".to_owned());
    let too_long = "x".repeat(501);
    let res = post_form(
        &admin,
        &app,
        edit,
        &[
            ("name_de", &de),
            ("name_en", &en),
            ("department_id", &dept),
            ("default_priority", "normal"),
            ("sort_order", "0"),
            ("is_public", "1"),
            ("is_active", "1"),
            ("description_de", &too_long),
            ("description_en", ""),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = post_form(
        &admin,
        &app,
        edit,
        &[
            ("name_de", &de),
            ("name_en", &en),
            ("department_id", &dept),
            ("default_priority", "normal"),
            ("sort_order", "0"),
            ("is_public", "1"),
            ("is_active", "1"),
            (
                "description_de",
                "Fragen aller Art, wenn nichts anderes passt.",
            ),
            ("description_en", "Any question that fits nowhere else."),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let saved = res.text().await.unwrap();
    assert!(saved.contains("Fragen aller Art"), "{saved}");
    let open_de = c
        .get(app.url("/open"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        open_de.contains("Fragen aller Art, wenn nichts anderes passt."),
        "{}",
        &open_de[open_de.find("help_topic_id").unwrap()..][..1500]
    );
    assert!(open_de.contains("aria-describedby=\"topic-descriptions\""));

    // The file picker counts in the right plural form (the script picks `…-one` for 1).
    assert!(open_de.contains("data-msg-total=\"{count} Dateien, zusammen {size}\""));
    assert!(open_de.contains("data-msg-total-one=\"{count} Datei, zusammen {size}\""));
    assert!(!open_de.contains("Datei(en)"));
    app.stop().await;
}

#[tokio::test]
async fn the_file_picker_counts_one_file_and_two_files_in_a_real_browser() {
    let app = TestApp::start().await;
    let b = crate::browser::Browser::start().await;
    let drop = |n: usize| {
        format!(
            "const dt = new DataTransfer();
             for (let i = 0; i < {n}; i++) dt.items.add(new File(['x'.repeat(1024)], 'Skizze' + i + '.pdf'));
             const zone = document.querySelector('.dropzone-label');
             zone.dispatchEvent(new DragEvent('drop', {{dataTransfer: dt, bubbles: true, cancelable: true}}));
             return document.querySelector('.dropzone-status').textContent;"
        )
    };
    for (n, says) in [(1, "1 Datei, zusammen"), (2, "2 Dateien, zusammen")] {
        b.goto(&app.url("/open")).await;
        let status = b.js(&drop(n)).await;
        let status = status.as_str().unwrap_or_default().replace('\u{a0}', " ");
        assert!(status.contains(says), "{n}: {status}");
        assert!(!status.contains("(en)"), "{status}");
    }
    b.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn all_my_tickets_are_listed_page_by_page_without_gaps_or_repeats() {
    let app = TestApp::start().await;
    let per_page = tessera_core::MY_TICKETS_PAGE as usize;
    let mut numbers = Vec::new();
    for i in 0..per_page + 3 {
        let opened = app
            .app
            .open_ticket(tessera_core::NewTicketInput {
                email: "max@example.org".into(),
                name: "Max".into(),
                help_topic_id: "1".into(),
                subject: format!("Anfrage {i}"),
                body: "Bitte.".into(),
                uploads: vec![],
                lang: tessera_domain::Lang::De,
            })
            .await
            .unwrap();
        numbers.push(opened.number);
    }
    // All in the same microsecond or not, the keyset (changed, key) pages through them.
    app.exec("UPDATE ticket SET updated_at = 1000").await;
    let c = app.client();
    let token = crate::support::csrf(&c, &app.url("/tickets")).await;
    c.post(app.url("/tickets/link"))
        .form(&[("csrf", token.as_str()), ("email", "max@example.org")])
        .send()
        .await
        .unwrap();
    // Mail goes to files here: the link is in the one written.
    let url = eventually("the link's mail file", async || {
        let dir = app.data_dir.join("mail-out");
        let entries = std::fs::read_dir(&dir).ok()?;
        entries.filter_map(|e| e.ok()).find_map(|e| {
            let raw = std::fs::read(e.path()).ok()?;
            let m = Mail::parse(&raw);
            m.text
                .contains("/my-tickets/")
                .then(|| link(&m, "/my-tickets/"))
        })
    })
    .await;
    let mut page = c.get(&url).send().await.unwrap().text().await.unwrap();
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        pages += 1;
        let list = &page[page.find("id=\"verified-tickets\"").unwrap()..];
        let list = &list[..list.find("</section>").unwrap()];
        for n in &numbers {
            if list.contains(&format!("href=\"/tickets/{n}\"")) {
                seen.push(n.clone());
            }
        }
        let Some(at) = list.find("rel=\"next\" href=\"") else {
            break;
        };
        let next = &list[at + "rel=\"next\" href=\"".len()..];
        let next = next[..next.find('"').unwrap()].replace("&amp;", "&");
        page = c
            .get(app.url(&next))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
    }
    assert_eq!(pages, 2);
    seen.sort();
    let mut all = numbers.clone();
    all.sort();
    assert_eq!(seen, all, "every ticket once");
    app.stop().await;
}
