//! Agents open tickets for requesters (a phone call, a visit) and the reply composer: Cc and
//! Bcc of one reply through real SMTP, the preview through the thread's own renderer,
//! canned placeholders, and in Chromium the toolbar, the draft kept over a reload and a
//! pasted image sent as an attachment.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera_domain::{DepartmentId, Lang, Role};

use crate::admin::{PASSWORD, agent, post_form, sign_in};
use crate::browser::Browser;
use crate::support::{Mail, SmtpServer, TestApp, csrf, eventually, ticket_form};

/// The seed's press department (id 1, with help topic 1) with Nadine working there, and
/// Ingo in IT only.
struct Desk {
    app: TestApp,
}

impl Desk {
    async fn start(smtp: Option<&SmtpServer>) -> Desk {
        let url = smtp.map(|s| s.url());
        let app = TestApp::start_with(Box::new(move |c| c.smtp_url = url)).await;
        let core = &app.app;
        let nadine = agent(&app, "nadine", "Nadine S.", false).await;
        let moritz = agent(&app, "moritz", "Moritz K.", false).await;
        let ingo = agent(&app, "ingo", "Ingo IT", false).await;
        let vera = agent(&app, "vera", "Vera V.", false).await;
        let it = core
            .create_department(tessera_core::Actor::Cli, "IT", "it@tessera.test")
            .await
            .unwrap();
        for (a, d, r) in [
            (nadine, DepartmentId(1), Role::Agent),
            (moritz, DepartmentId(1), Role::Agent),
            (vera, DepartmentId(1), Role::View),
            (ingo, it, Role::Agent),
        ] {
            core.set_department_role(tessera_core::Actor::Cli, a, d, r)
                .await
                .unwrap();
        }
        Desk { app }
    }

    /// Posts the new-ticket form as `c`; `fields` over a valid phone ticket for Erika.
    async fn open(
        &self,
        c: &reqwest::Client,
        fields: &[(&str, &str)],
        files: &[(&str, Vec<u8>)],
    ) -> reqwest::Response {
        let token = csrf(c, &self.app.url("/agent/tickets/new")).await;
        let mut all: Vec<(&str, &str)> = vec![
            ("email", "erika@example.org"),
            ("name", "Erika Mustermann"),
            ("lang", "de"),
            ("help_topic_id", "1"),
            ("department_id", ""),
            ("assignee", ""),
            ("channel", "phone"),
            ("first", "reply"),
            ("subject", "Plakat für den Blutspendetermin"),
            (
                "body",
                "Guten Tag, wie telefonisch besprochen: **Entwurf** folgt.",
            ),
            ("mail", "1"),
        ];
        for (k, v) in fields {
            match all.iter_mut().find(|(key, _)| key == k) {
                Some(slot) => slot.1 = v,
                None => all.push((k, v)),
            }
        }
        all.retain(|(_, v)| *v != "<absent>");
        c.post(self.app.url("/agent/tickets/new"))
            .multipart(ticket_form(&token, &all, files))
            .send()
            .await
            .unwrap()
    }

    async fn page(&self, c: &reqwest::Client, path: &str) -> (StatusCode, String) {
        let res = c.get(self.app.url(path)).send().await.unwrap();
        (res.status(), res.text().await.unwrap())
    }
}

/// The ticket number in an agent ticket page's address.
fn number_of(url: &reqwest::Url) -> String {
    url.path()
        .strip_prefix("/agent/tickets/")
        .unwrap_or_else(|| panic!("not a ticket page: {url}"))
        .to_owned()
}

/// The mails whose envelope names `to`, once there are `n` of them.
async fn mails_to(smtp: &SmtpServer, to: &str, n: usize) -> Vec<(Mail, String)> {
    eventually(&format!("{n} mails to {to}"), async || {
        let found: Vec<(Mail, String)> = smtp
            .messages()
            .iter()
            .map(|raw| (Mail::parse(raw), String::from_utf8_lossy(raw).into_owned()))
            .filter(|(m, _)| m.rcpt_to.contains(to))
            .collect();
        (found.len() >= n).then_some(found)
    })
    .await
}

#[tokio::test]
async fn an_agent_opens_a_phone_ticket_for_a_new_contact_who_gets_the_reply_and_a_link() {
    let smtp = SmtpServer::start();
    let desk = Desk::start(Some(&smtp)).await;
    let nadine = sign_in(&desk.app, "nadine", PASSWORD).await;

    // The queue pages lead to the form.
    let (_, queue) = desk.page(&nadine, "/agent/queue/open").await;
    assert!(queue.contains("href=\"/agent/tickets/new\""), "{queue}");
    let (status, form) = desk.page(&nadine, "/agent/tickets/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains("name=\"mail\" value=\"1\" checked"),
        "mail on by default"
    );

    let res = desk
        .open(&nadine, &[], &[("Skizze.txt", b"Plakat, A3".to_vec())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let number = number_of(res.url());
    assert_eq!(res.url().query(), Some("done=opened-for"));
    let page = res.text().await.unwrap();
    assert!(page.contains("Das Ticket ist eröffnet."), "{page}");
    assert!(
        page.contains("hat das Ticket für Erika Mustermann &#60;erika@example.org&#62; eröffnet (Anfrage per Telefon)"),
        "the thread says who opened it for whom: {page}"
    );
    assert!(
        page.contains("<strong>Entwurf</strong>"),
        "the reply is Markdown"
    );
    assert!(page.contains("Skizze.txt"), "the file is the reply's");

    // The first entry is Nadine's public reply, the contact is new, the ticket answered.
    assert_eq!(
        desk.app
            .scalar(&format!(
                "SELECT COUNT(*) FROM thread_entry e JOIN ticket t ON t.ticket_id = e.ticket_id
                 JOIN agent a ON a.agent_id = e.author_agent_id
                 WHERE t.number = '{number}' AND e.kind = 'reply' AND a.username = 'nadine'
                   AND t.is_answered AND t.source = 'phone'"
            ))
            .await,
        1
    );
    assert_eq!(
        desk.app
            .scalar("SELECT COUNT(*) FROM contact WHERE email = 'erika@example.org'")
            .await,
        1
    );

    // Erika gets the reply with her access link; the link opens the ticket with the reply.
    let mails = mails_to(&smtp, "erika@example.org", 1).await;
    let (mail, _) = &mails[0];
    assert_eq!(
        mail.subject,
        format!("[#{number}] Plakat für den Blutspendetermin")
    );
    assert!(
        mail.text.contains("Nadine S. hat für Sie das Ticket"),
        "{}",
        mail.text
    );
    assert!(
        mail.text.contains("wie telefonisch besprochen"),
        "{}",
        mail.text
    );
    let link = mail.access_link();
    let requester = desk.app.client();
    let res = requester.get(&link).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let portal = res.text().await.unwrap();
    assert!(portal.contains("wie telefonisch besprochen"), "{portal}");
    assert!(portal.contains("Skizze.txt"));

    // Moritz (same department) hears of the new ticket; Nadine, who opened it, does not.
    let alerts = mails_to(&smtp, "moritz@tessera.test", 1).await;
    assert!(alerts[0].0.text.contains(&number) || alerts[0].0.subject.contains(&number));
    assert!(
        smtp.messages()
            .iter()
            .all(|raw| !Mail::parse(raw).rcpt_to.contains("nadine@tessera.test")),
        "the opener is not alerted about her own ticket"
    );
    desk.app.stop().await;
}

#[tokio::test]
async fn a_ticket_opened_with_a_note_and_no_mail_tells_the_requester_nothing() {
    let desk = Desk::start(None).await;
    let nadine = sign_in(&desk.app, "nadine", PASSWORD).await;
    // An existing contact is found as one types, and keeps their name.
    let known = desk
        .app
        .app
        .open_ticket(tessera_core::NewTicketInput {
            email: "max@example.org".into(),
            name: "Max Müller".into(),
            help_topic_id: "1".into(),
            subject: "Erstes".into(),
            body: "Hallo".into(),
            uploads: vec![],
            lang: Lang::De,
        })
        .await
        .unwrap();
    let hits: Value = nadine
        .get(desk.app.url("/agent/contacts?q=m%C3%BCll"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        hits,
        json!([{"name": "Max Müller", "email": "max@example.org"}])
    );
    let short: Value = nadine
        .get(desk.app.url("/agent/contacts?q=m"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(short, json!([]), "one letter finds nobody");
    let like: Value = nadine
        .get(desk.app.url("/agent/contacts?q=%25"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(like, json!([]), "% is a character, not a wildcard");

    let before = desk.app.count("outbox_mail").await;
    let res = desk
        .open(
            &nadine,
            &[
                ("email", "max@example.org"),
                ("name", "Irgendwer"),
                ("first", "note"),
                ("channel", "walk_in"),
                ("assignee", "<absent>"),
                ("mail", "<absent>"),
                ("body", "War am Empfang, will *nicht* angeschrieben werden."),
            ],
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let number = number_of(res.url());
    assert_ne!(number, known.number);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Max Müller"),
        "an existing contact keeps the name"
    );
    assert!(page.contains("(Anfrage vor Ort)"));
    assert_eq!(
        desk.app
            .scalar(&format!(
                "SELECT COUNT(*) FROM thread_entry e JOIN ticket t ON t.ticket_id = e.ticket_id
                 WHERE t.number = '{number}' AND e.kind = 'note' AND e.author_agent_id IS NOT NULL
                   AND NOT t.is_answered"
            ))
            .await,
        1
    );
    assert_eq!(
        desk.app
            .scalar(&format!(
                "SELECT COUNT(*) FROM outbox_mail WHERE recipients LIKE '%max@example.org%'
                 AND outbox_mail_id > {before}"
            ))
            .await,
        0,
        "no mail to the requester"
    );
    desk.app.stop().await;
}

#[tokio::test]
async fn agents_open_tickets_only_where_they_work() {
    let desk = Desk::start(None).await;
    let ingo = sign_in(&desk.app, "ingo", PASSWORD).await;
    // The press topic's department, chosen or by default, is not Ingo's.
    for dep in ["1", ""] {
        let res = desk.open(&ingo, &[("department_id", dep)], &[]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "department {dep:?}");
    }
    let (_, form) = desk.page(&ingo, "/agent/tickets/new").await;
    let departments = form
        .split("id=\"nt-department\"")
        .nth(1)
        .and_then(|s| s.split("</select>").next())
        .unwrap();
    assert!(
        !departments.contains("<option value=\"1\"") && departments.contains(">IT</option>"),
        "Ingo is offered only his own department: {departments}"
    );
    // A view-only role opens nothing and looks up nobody.
    let vera = sign_in(&desk.app, "vera", PASSWORD).await;
    let (status, _) = desk.page(&vera, "/agent/tickets/new").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let res = vera
        .get(desk.app.url("/agent/contacts?q=max"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Nobody signed in gets the sign-in page, not contacts.
    let res = desk
        .app
        .client_no_redirect()
        .get(desk.app.url("/agent/contacts?q=max"))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection());
    assert_eq!(desk.app.count("ticket").await, 0);
    desk.app.stop().await;
}

#[tokio::test]
async fn a_refused_new_ticket_comes_back_with_everything_typed() {
    let desk = Desk::start(None).await;
    let nadine = sign_in(&desk.app, "nadine", PASSWORD).await;
    let res = desk
        .open(
            &nadine,
            &[
                ("email", "erika@"),
                ("subject", ""),
                ("channel", "brieftaube"),
                ("assignee", "agent-999"),
                ("first", "note"),
                ("mail", "<absent>"),
                ("body", "Text <b>bleibt</b> stehen"),
            ],
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    for expected in [
        "value=\"erika@\"",
        "value=\"Erika Mustermann\"",
        "Text &#60;b&#62;bleibt&#60;/b&#62; stehen</textarea>",
        "id=\"nt-first-note\" name=\"first\" value=\"note\" checked",
        "Bitte geben Sie eine gültige E-Mail-Adresse ein",
        "Bitte füllen Sie dieses Feld aus.",
        "Bitte wählen Sie, wie die Anfrage eingegangen ist.",
    ] {
        assert!(page.contains(expected), "{expected}: {page}");
    }
    assert!(
        !page.contains("name=\"mail\" value=\"1\" checked"),
        "the mail stays off as chosen"
    );
    assert_eq!(desk.app.count("ticket").await, 0);
    desk.app.stop().await;
}

#[tokio::test]
async fn a_reply_with_cc_and_bcc_reaches_them_without_the_access_link() {
    let smtp = SmtpServer::start();
    let desk = Desk::start(Some(&smtp)).await;
    let nadine = sign_in(&desk.app, "nadine", PASSWORD).await;
    let number = desk
        .app
        .app
        .open_ticket(tessera_core::NewTicketInput {
            email: "max@example.org".into(),
            name: "Max Müller".into(),
            help_topic_id: "1".into(),
            subject: "Flyer".into(),
            body: "Bitte einen Flyer.".into(),
            uploads: vec![],
            lang: Lang::De,
        })
        .await
        .unwrap()
        .number;
    let path = format!("/agent/tickets/{number}");
    let reply = |cc: &'static str, bcc: &'static str| {
        let (nadine, app, path) = (&nadine, &desk.app, path.clone());
        async move {
            let token = csrf(nadine, &app.url(&path)).await;
            nadine
                .post(app.url(&format!("{path}/reply")))
                .multipart(ticket_form(
                    &token,
                    &[
                        ("body", "Der Entwurf hängt an."),
                        ("seen", "999999999"),
                        ("cc", cc),
                        ("bcc", bcc),
                    ],
                    &[],
                ))
                .send()
                .await
                .unwrap()
        }
    };

    // A bad address: the form again with what was typed, nothing sent.
    let res = reply("grafik@example.org, kein-at", "").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("value=\"grafik@example.org, kein-at\""));
    assert!(page.contains("Bitte geben Sie gültige E-Mail-Adressen ein"));
    let res = reply(
        "a@example.org b@example.org c@example.org",
        "d@example.org; e@example.org f@example.org",
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "at most 5");

    let res = reply(
        "grafik@example.org; Presse@Example.org",
        "chefin@example.org",
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.url().query(), Some("done=reply"));

    // One copy: Cc names the cc addresses, nobody's header names the Bcc, the envelope
    // carries all three; it holds the text and no access link.
    let copies = mails_to(&smtp, "grafik@example.org", 1).await;
    assert_eq!(copies.len(), 1);
    let (copy, raw) = &copies[0];
    assert!(
        copy.rcpt_to.contains("Presse@example.org"),
        "{}",
        copy.rcpt_to
    );
    assert!(
        copy.rcpt_to.contains("chefin@example.org"),
        "{}",
        copy.rcpt_to
    );
    assert!(
        !copy.rcpt_to.contains("max@example.org"),
        "Max gets his own mail"
    );
    assert!(
        raw.contains("Cc: grafik@example.org, Presse@example.org"),
        "{raw}"
    );
    let headers = raw.split("\r\n\r\n").next().unwrap_or(raw);
    assert!(
        !headers.lines().any(|l| l.starts_with("Bcc")
            || (l.contains("chefin@example.org") && !l.starts_with("X-RcptTo"))),
        "the Bcc address is in no header: {headers}"
    );
    assert_eq!(copy.to, vec!["max@example.org".to_owned()]);
    assert!(copy.text.contains("Der Entwurf hängt an."));
    assert!(!copy.text.contains("/access/"), "a copy grants no access");
    // Max gets his reply with his own link, as always.
    let his = mails_to(&smtp, "max@example.org", 2).await;
    assert!(
        his.iter()
            .any(|(m, _)| m.text.contains("Der Entwurf hängt an.") && m.text.contains("/access/"))
    );

    // The agents see on the thread who got a copy; the requester does not.
    let (_, page) = desk.page(&nadine, &path).await;
    assert!(
        page.contains("Cc: grafik@example.org, ") && page.contains("Bcc: chefin@example.org"),
        "{page}"
    );
    let link = his
        .iter()
        .find_map(|(m, _)| m.text.contains("/access/").then(|| m.access_link()))
        .unwrap();
    let portal = desk
        .app
        .client()
        .get(&link)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(portal.contains("Der Entwurf hängt an."));
    assert!(
        !portal.contains("chefin@example.org"),
        "Bcc stays among agents"
    );
    desk.app.stop().await;
}

#[tokio::test]
async fn the_preview_renders_like_the_thread_and_escapes_html() {
    let desk = Desk::start(None).await;
    let nadine = sign_in(&desk.app, "nadine", PASSWORD).await;
    let token = csrf(&nadine, &desk.app.url("/agent/tickets/new")).await;
    let body =
        "**fett** und _schräg_\n\n- eins\n\n<script>alert(1)</script><img src=x onerror=alert(2)>";
    let res = nadine
        .post(desk.app.url("/agent/preview"))
        .form(&[("csrf", token.as_str()), ("body", body)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = res.text().await.unwrap();
    assert!(html.contains("<strong>fett</strong>"), "{html}");
    assert!(html.contains("<em>schräg</em>"), "{html}");
    assert!(html.contains("<li>eins</li>"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "shown as typed: {html}"
    );

    // Without the form's token nothing is rendered; without a session neither.
    let res = nadine
        .post(desk.app.url("/agent/preview"))
        .form(&[("csrf", "falsch"), ("body", "**x**")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!res.text().await.unwrap().contains("<strong>"));
    let res = desk
        .app
        .client_no_redirect()
        .post(desk.app.url("/agent/preview"))
        .form(&[("csrf", token.as_str()), ("body", "**x**")])
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), StatusCode::OK);
    desk.app.stop().await;
}

#[tokio::test]
async fn canned_responses_fill_their_placeholders() {
    let desk = Desk::start(None).await;
    crate::admin::chefin(&desk.app).await;
    let admin = sign_in(&desk.app, "chefin", PASSWORD).await;
    post_form(
        &admin,
        &desk.app,
        "/agent/admin/canned",
        &[
            ("title", "Eingang"),
            ("department_id", "1"),
            ("is_active", "1"),
            (
                "body",
                "Hallo {{requester.name}}, Ihr Ticket {{ticket.number}} ({{ticket.subject}}) hat {{agent.name}}. {{unbekannt}} {name}",
            ),
        ],
    )
    .await;
    let number = desk
        .app
        .app
        .open_ticket(tessera_core::NewTicketInput {
            email: "max@example.org".into(),
            name: "Max Müller".into(),
            help_topic_id: "1".into(),
            subject: "Plakat {{agent.name}}".into(),
            body: "Hallo".into(),
            uploads: vec![],
            lang: Lang::De,
        })
        .await
        .unwrap()
        .number;
    let nadine = sign_in(&desk.app, "nadine", PASSWORD).await;
    let expected = format!(
        "Hallo Max Müller, Ihr Ticket {number} (Plakat {{{{agent.name}}}}) hat Nadine S.. {{{{unbekannt}}}} Max Müller"
    );
    // For the script (inserted at the cursor) and without it (the reply box filled).
    let (_, page) = desk
        .page(&nadine, &format!("/agent/tickets/{number}"))
        .await;
    let id = page
        .split("<option value=\"")
        .find_map(|s| {
            s.contains("Eingang")
                .then(|| s.split('"').next().unwrap().to_owned())
        })
        .expect("the canned response is offered");
    let escaped = expected.replace('{', "&#123;").replace('}', "&#125;");
    assert!(
        page.contains(&format!("data-text=\"{expected}\""))
            || page.contains(&format!("data-text=\"{escaped}\"")),
        "{page}"
    );
    let (_, page) = desk
        .page(&nadine, &format!("/agent/tickets/{number}?canned={id}"))
        .await;
    assert!(
        page.contains(&format!("{expected}</textarea>"))
            || page.contains(&format!("{escaped}</textarea>")),
        "{page}"
    );
    desk.app.stop().await;
}

/// Chromium signed in as Nadine on a fresh ticket's page; the ticket's number.
async fn nadine_on_a_ticket(desk: &Desk) -> (Browser, String) {
    let number = desk
        .app
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
    let b = Browser::start().await;
    b.resize(1200, 1000).await;
    b.goto(&desk.app.url("/agent/login")).await;
    b.keys("#username", "nadine").await;
    b.keys("#password", PASSWORD).await;
    b.click("form button[type='submit']").await;
    eventually("signed in", async || {
        b.url().await.contains("/agent/queue/").then_some(())
    })
    .await;
    b.goto(&desk.app.url(&format!("/agent/tickets/{number}")))
        .await;
    (b, number)
}

const VALUE: &str = "return document.getElementById('reply-body').value";

#[tokio::test]
async fn the_toolbar_and_its_shortcuts_wrap_the_selection() {
    let desk = Desk::start(None).await;
    let (b, _) = nadine_on_a_ticket(&desk).await;
    assert_eq!(b.js(crate::browser::UNLABELLED).await, json!([]));
    b.keys("#reply-body", "Hallo Welt").await;
    b.js("document.getElementById('reply-body').setSelectionRange(6, 10)")
        .await;
    b.click("#reply-form [data-md='bold']").await;
    assert_eq!(b.js(VALUE).await, json!("Hallo **Welt**"));
    assert_eq!(
        b.js("const t = document.getElementById('reply-body'); return t.value.slice(t.selectionStart, t.selectionEnd)").await,
        json!("Welt"),
        "the word stays selected"
    );
    b.js("document.getElementById('reply-body').setSelectionRange(0, 5)")
        .await;
    // Ctrl+I (WebDriver: Control held until the NULL key).
    b.keys("#reply-body", "\u{E009}i\u{E000}").await;
    assert_eq!(b.js(VALUE).await, json!("_Hallo_ **Welt**"));
    b.js("document.getElementById('reply-body').setSelectionRange(0, 0)")
        .await;
    b.click("#reply-form [data-md='quote']").await;
    assert_eq!(b.js(VALUE).await, json!("> _Hallo_ **Welt**"));
    b.js("document.getElementById('reply-form').scrollIntoView()")
        .await;
    b.screenshot("reply-composer").await;

    // The preview is the server's rendering of exactly this text.
    b.click("#reply-body-tab-preview").await;
    let html = eventually("the preview", async || {
        let h = b
            .js("return document.getElementById('reply-body-preview').innerHTML")
            .await;
        h.as_str()
            .filter(|h| h.contains("<strong>"))
            .map(str::to_owned)
    })
    .await;
    assert!(
        html.contains("<blockquote>") && html.contains("<em>Hallo</em>"),
        "{html}"
    );
    assert_eq!(
        b.js("return document.getElementById('reply-body').hidden")
            .await,
        json!(true)
    );
    b.click("#reply-body-tab-write").await;
    assert_eq!(b.js(VALUE).await, json!("> _Hallo_ **Welt**"));
    b.quit().await;
    desk.app.stop().await;
}

#[tokio::test]
async fn a_draft_survives_a_reload_and_goes_once_sent() {
    let desk = Desk::start(None).await;
    let (b, number) = nadine_on_a_ticket(&desk).await;
    let url = desk.app.url(&format!("/agent/tickets/{number}"));
    b.keys("#reply-body", "Halb fertige Antwort").await;
    b.goto(&url).await;
    assert_eq!(b.js(VALUE).await, json!("Halb fertige Antwort"));
    assert!(
        b.source().await.contains("Entwurf wurde wiederhergestellt"),
        "the agent is told"
    );
    // Sending clears it: the page comes back empty, and stays so on reload.
    b.keys("#reply-body", ", jetzt fertig.").await;
    b.click("#reply-form button[type='submit']").await;
    eventually("the reply was sent", async || {
        b.url().await.contains("done=reply").then_some(())
    })
    .await;
    assert_eq!(
        desk.app
            .scalar("SELECT COUNT(*) FROM thread_entry WHERE kind = 'reply' AND body = 'Halb fertige Antwort, jetzt fertig.'")
            .await,
        1
    );
    assert_eq!(b.js(VALUE).await, json!(""));
    b.goto(&url).await;
    assert_eq!(b.js(VALUE).await, json!(""));
    // The note has a draft of its own, kept while the reply is sent.
    b.keys("#note-body", "Notiz im Entwurf").await;
    b.goto(&url).await;
    assert_eq!(
        b.js("return document.getElementById('note-body').value")
            .await,
        json!("Notiz im Entwurf")
    );
    assert_eq!(b.js(VALUE).await, json!(""));
    // A new draft after the send is kept again.
    b.keys("#reply-body", "Nachtrag").await;
    b.goto(&url).await;
    assert_eq!(b.js(VALUE).await, json!("Nachtrag"));
    b.quit().await;
    desk.app.stop().await;
}

/// A 1×1 PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

#[tokio::test]
async fn pasted_and_dropped_images_are_sent_as_attachments_of_the_reply() {
    let desk = Desk::start(None).await;
    let (b, number) = nadine_on_a_ticket(&desk).await;
    b.keys("#reply-body", "Screenshot anbei.").await;
    b.js(&format!(
        "const bytes = Uint8Array.from(atob('{PNG}'), c => c.charCodeAt(0));
         const box = document.getElementById('reply-body');
         const pasted = new DataTransfer();
         pasted.items.add(new File([bytes], 'image.png', {{type: 'image/png'}}));
         box.dispatchEvent(new ClipboardEvent('paste', {{clipboardData: pasted, bubbles: true, cancelable: true}}));
         const dropped = new DataTransfer();
         dropped.items.add(new File([bytes], 'Entwurf.png', {{type: 'image/png'}}));
         box.dispatchEvent(new DragEvent('drop', {{dataTransfer: dropped, bubbles: true, cancelable: true}}));"
    ))
    .await;
    let listed = b
        .js("return [...document.querySelectorAll('#reply-form .file-list .file-name')].map(e => e.textContent)")
        .await;
    let names: Vec<String> = serde_json::from_value(listed).unwrap();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names[0].starts_with("bild-") && names[0].ends_with(".png"),
        "{names:?}"
    );
    assert_eq!(names[1], "Entwurf.png");
    assert_eq!(
        b.js("return document.getElementById('reply-body').value")
            .await,
        json!("Screenshot anbei."),
        "the text is untouched"
    );
    b.click("#reply-form button[type='submit']").await;
    eventually("the reply was sent", async || {
        b.url().await.contains("done=reply").then_some(())
    })
    .await;
    assert_eq!(
        desk.app
            .scalar(&format!(
                "SELECT COUNT(*) FROM attachment a JOIN thread_entry e ON e.thread_entry_id = a.thread_entry_id
                 JOIN ticket t ON t.ticket_id = a.ticket_id
                 WHERE t.number = '{number}' AND e.kind = 'reply' AND a.content_type = 'image/png'
                   AND (a.filename LIKE 'bild-%.png' OR a.filename = 'Entwurf.png')"
            ))
            .await,
        2
    );
    b.quit().await;
    desk.app.stop().await;
}

#[tokio::test]
async fn on_a_phone_an_agent_picks_a_known_contact_and_opens_a_ticket() {
    let desk = Desk::start(None).await;
    let (b, _) = nadine_on_a_ticket(&desk).await; // Max Müller is a known contact now
    b.resize(375, 800).await;
    b.goto(&desk.app.url("/agent/queue/open")).await;
    b.click("a[href='/agent/tickets/new']").await;
    eventually("the new-ticket page", async || {
        b.url().await.ends_with("/agent/tickets/new").then_some(())
    })
    .await;
    assert_eq!(b.js(crate::browser::UNLABELLED).await, json!([]));
    b.keys("#nt-name", "müll").await;
    eventually("a suggestion", async || {
        let n = b
            .js("return document.querySelectorAll('#nt-suggestions .contact-pick').length")
            .await;
        (n == json!(1)).then_some(())
    })
    .await;
    b.click("#nt-suggestions .contact-pick").await;
    assert_eq!(
        b.js("return [document.getElementById('nt-email').value, document.getElementById('nt-name').value]").await,
        json!(["max@example.org", "Max Müller"])
    );
    b.click("#nt-topic option:nth-child(2)").await;
    b.keys("#nt-subject", "Anruf wegen Flyer").await;
    b.keys("#nt-body", "Max ruft an: der Flyer soll ").await;
    b.click("#new-ticket-form [data-md='bold']").await;
    assert_eq!(
        b.js("return document.documentElement.scrollWidth > window.innerWidth")
            .await,
        json!(false),
        "nothing scrolls sideways at 375 px"
    );
    b.screenshot("new-ticket-phone").await;
    b.click("#new-ticket-form button[type='submit']").await;
    let url = eventually("the new ticket's page", async || {
        let u = b.url().await;
        u.contains("done=opened-for").then_some(u)
    })
    .await;
    let number = url
        .split("/agent/tickets/")
        .nth(1)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        desk.app
            .scalar(&format!(
                "SELECT COUNT(*) FROM thread_entry e JOIN ticket t ON t.ticket_id = e.ticket_id
                 WHERE t.number = '{number}' AND e.kind = 'reply'
                   AND e.body = 'Max ruft an: der Flyer soll ****'"
            ))
            .await,
        1
    );
    b.quit().await;
    desk.app.stop().await;
}

#[tokio::test]
async fn typing_finds_a_canned_response_and_enter_inserts_it_filled_in() {
    let desk = Desk::start(None).await;
    crate::admin::chefin(&desk.app).await;
    let admin = sign_in(&desk.app, "chefin", PASSWORD).await;
    for (title, body) in [
        ("Danke", "Danke, {{requester.name}}!"),
        (
            "Plakat fertig",
            "Das Plakat zu Ticket {{ticket.number}} ist fertig. {{agent.name}}",
        ),
    ] {
        post_form(
            &admin,
            &desk.app,
            "/agent/admin/canned",
            &[
                ("title", title),
                ("department_id", "1"),
                ("is_active", "1"),
                ("body", body),
            ],
        )
        .await;
    }
    let (b, number) = nadine_on_a_ticket(&desk).await;
    b.keys("#reply-body", "Hallo,").await;
    b.keys("#canned-filter", "plakat").await;
    assert_eq!(
        b.js("return [...document.querySelectorAll('#canned option')].filter(o => !o.hidden).map(o => o.text)")
            .await,
        json!(["Plakat fertig"])
    );
    b.keys("#canned-filter", "\u{E007}").await; // Enter
    assert_eq!(
        b.js(VALUE).await,
        json!(format!(
            "Hallo,\n\nDas Plakat zu Ticket {number} ist fertig. Nadine S."
        ))
    );
    assert_eq!(
        b.url().await,
        desk.app.url(&format!("/agent/tickets/{number}")),
        "nothing was reloaded"
    );
    b.quit().await;
    desk.app.stop().await;
}
