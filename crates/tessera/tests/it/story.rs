//! The seed's whole story in a real browser, once in German and once in English: a requester
//! opens a ticket on the portal with a dropped file, gets the receipt and the mail with the
//! access link (real SMTP), follows it and replies with a file; agent A claims, types a reply,
//! inserts a canned response into it, sends, assigns to agent B and adds a collaborator; agent B
//! (a second browser session) finds it in "Meine Tickets", writes an internal note, replies and
//! closes. Every page visited is checked with axe-core at phone (375 px) and desktop (1280 px)
//! width: no serious or critical violation, and no page wider than the phone's window.

use serde_json::json;
use tessera_core::{Actor, NewAgent};
use tessera_domain::{AgentId, DepartmentId, Lang, Role};
use tessera_i18n::t;

use crate::{
    admin::{PASSWORD, chefin, post_form, sign_in},
    browser::Browser,
    support::{Mail, SmtpServer, TestApp, eventually},
};

/// A phone and a desktop, in CSS pixels.
const WIDTHS: [u32; 2] = [375, 1280];

const REQUESTER: &str = "max@example.org";
const COLLABORATOR: &str = "leitung@example.org";

/// What the people of the story write, in their language.
struct Words {
    lang: Lang,
    code: &'static str,
    name: &'static str,
    subject: &'static str,
    body: &'static str,
    file: &'static str,
    requester_reply: &'static str,
    requester_file: &'static str,
    canned_title: &'static str,
    canned_body: &'static str,
    canned_filled: fn(&str) -> String,
    typed: &'static str,
    note: &'static str,
    b_reply: &'static str,
    collaborator_name: &'static str,
}

const GERMAN: Words = Words {
    lang: Lang::De,
    code: "de",
    name: "Max Müller",
    subject: "Nikolausschwimmen",
    body: "Plakat, Flyer und Facebook-Veranstaltung bitte.",
    file: "Skizze.pdf",
    requester_reply: "Hier noch das Logo des Vereins.",
    requester_file: "Logo Verein.png",
    canned_title: "Danke",
    canned_body: "Danke für Ticket {number}, {name}. Wir kümmern uns darum.",
    canned_filled: |n| format!("Danke für Ticket {n}, Max Müller. Wir kümmern uns darum."),
    typed: "Guten Tag Herr Müller,",
    note: "Event-Link intern prüfen, bevor er rausgeht",
    b_reply: "Die Facebook-Veranstaltung ist online.",
    collaborator_name: "Leitung",
};

const ENGLISH: Words = Words {
    lang: Lang::En,
    code: "en",
    name: "Max Miller",
    subject: "St Nicholas swim",
    body: "A poster, a flyer and a Facebook event, please.",
    file: "Sketch.pdf",
    requester_reply: "Here is the club's logo as well.",
    requester_file: "Club logo.png",
    canned_title: "Thanks",
    canned_body: "Thank you for ticket {number}, {name}. We are on it.",
    canned_filled: |n| format!("Thank you for ticket {n}, Max Miller. We are on it."),
    typed: "Hello Mr Miller,",
    note: "Check the event link internally before it goes out",
    b_reply: "The Facebook event is online.",
    collaborator_name: "Management",
};

/// Everything axe found on the pages of one story, by page and width, and any page wider than
/// the window (a phone must never scroll sideways).
#[derive(Default)]
struct Axe {
    found: Vec<String>,
}

impl Axe {
    /// Checks the page shown in `b` at a phone's and a desktop's width (leaving it at the
    /// desktop's): axe's serious and critical violations, and whether the page is wider than
    /// the window.
    async fn check(&mut self, b: &Browser, page: &str) {
        for w in WIDTHS {
            b.set_width(w).await;
            let sideways = b
                .js("const d = document.documentElement; return d.scrollWidth > d.clientWidth")
                .await;
            if sideways == json!(true) {
                self.found
                    .push(format!("{page} at {w} px scrolls sideways"));
            }
            for v in b.axe().await {
                self.found.push(format!("{page} at {w} px: {v:#}"));
            }
        }
    }

    fn assert_clean(&self) {
        assert!(
            self.found.is_empty(),
            "serious or critical violations (axe-core), or pages wider than the window:\n{}",
            self.found.join("\n")
        );
    }
}

/// The seed: agents A (Nadine) and B (Moritz) in the first department, a canned response.
struct Seed {
    app: TestApp,
    moritz: AgentId,
}

async fn seed(smtp: &SmtpServer, w: &Words) -> Seed {
    let url = smtp.url();
    let app = TestApp::start_with(Box::new(move |c| c.smtp_url = Some(url))).await;
    let agent = async |username: &str, name: &str| {
        let id = app
            .app
            .create_agent(
                Actor::Cli,
                NewAgent {
                    username: username.into(),
                    email: format!("{username}@tessera.test"),
                    display_name: name.into(),
                    password: PASSWORD.into(),
                    is_admin: false,
                    lang: w.lang,
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
    };
    agent("nadine", "Nadine S").await;
    let moritz = agent("moritz", "Moritz K").await;
    chefin(&app).await;
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    post_form(
        &admin,
        &app,
        "/agent/admin/canned",
        &[
            ("title", w.canned_title),
            ("department_id", "1"),
            ("is_active", "1"),
            ("body", w.canned_body),
        ],
    )
    .await;
    Seed { app, moritz }
}

/// Drops files onto the drop zone of the form around `input` the way a browser does (a drop
/// event carrying a DataTransfer) and waits until the zone lists them.
async fn drop_files(b: &Browser, input: &str, files: &[(&str, usize)]) {
    let list = files
        .iter()
        .map(|(name, size)| {
            format!("dt.items.add(new File([new Uint8Array({size})], {name:?}, {{type: 'application/octet-stream'}}));")
        })
        .collect::<String>();
    b.js(&format!(
        "const dt = new DataTransfer(); {list}
         const zone = document.querySelector('{input}').closest('.dropzone').querySelector('.dropzone-label');
         for (const t of ['dragenter', 'dragover', 'drop'])
           zone.dispatchEvent(new DragEvent(t, {{dataTransfer: dt, bubbles: true, cancelable: true}}));"
    ))
    .await;
    let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        b.js(&format!(
            "return [...document.querySelector('{input}').closest('.dropzone')
                .querySelectorAll('.file-list .file-name')].map(e => e.textContent)"
        ))
        .await,
        json!(names)
    );
}

/// Switches the page's language with the switch in the header unless it is shown in `w`'s.
async fn speak(b: &Browser, w: &Words) {
    if b.js("return document.documentElement.lang").await != json!(w.code) {
        b.click(&format!(".lang-switch a[lang='{}']", w.code)).await;
        eventually("the page in the chosen language", async || {
            (b.js("return document.documentElement.lang").await == json!(w.code)).then_some(())
        })
        .await;
    }
}

/// Waits until the browser shows a URL containing `part`.
async fn landed(b: &Browser, part: &str) -> String {
    eventually(&format!("a page at …{part}…"), async || {
        let u = b.url().await;
        u.contains(part).then_some(u)
    })
    .await
}

/// The visible text of the page.
async fn text(b: &Browser) -> String {
    b.js("return document.body.innerText")
        .await
        .as_str()
        .unwrap()
        .to_owned()
}

/// An agent signs in through the sign-in page (checked with axe) in `w`'s language.
async fn agent_signs_in(app: &TestApp, axe: &mut Axe, w: &Words, user: &str) -> Browser {
    let b = Browser::start().await;
    b.set_width(1280).await;
    b.goto(&app.url("/agent/login")).await;
    speak(&b, w).await;
    axe.check(&b, "agent sign-in").await;
    b.type_into("#username", user).await;
    b.type_into("#password", PASSWORD).await;
    b.click("form[action='/agent/login'] button[type='submit']")
        .await;
    landed(&b, "/agent/queue/").await;
    b
}

/// Clicks the submit button of the form that holds `control`.
async fn submit_form_of(b: &Browser, control: &str) {
    b.click_visible(&format!("form:has({control}) button[type='submit']"))
        .await;
}

/// Marks the page, so that a later check can tell it was never reloaded.
async fn mark(b: &Browser) {
    b.js("window.storyNoReload = true").await;
}

/// Waits until the queue `tab`, left open, lists `number` and counts `count` in its tab and
/// in the window's title, without a reload.
async fn queue_shows_live(b: &Browser, tab: &str, number: &str, count: u32) {
    eventually(&format!("#{number} appearing live in {tab}"), async || {
        let shown = b
            .js(&format!(
                "const c = document.querySelector(\"#queue-counts a[href='/agent/queue/{tab}'] .count\");
                 return window.storyNoReload === true
                   && document.querySelector(\"#queue-list a[href='/agent/tickets/{number}']\") !== null
                   && c !== null && c.textContent.trim() === '{count}'
                   && document.title.startsWith('({count})')"
            ))
            .await;
        (shown == json!(true)).then_some(())
    })
    .await;
}

/// Waits until `text` appears in the thread of the ticket page left open, without a reload.
async fn thread_shows_live(b: &Browser, text: &str) {
    eventually(
        &format!("{text:?} appearing live in the thread"),
        async || {
            let shown = b
                .js(&format!(
                    "return window.storyNoReload === true
                   && document.getElementById('thread').innerText.includes({text:?})"
                ))
                .await;
            (shown == json!(true)).then_some(())
        },
    )
    .await;
}

/// Waits until a mail to `addr` arrives whose text holds every one of `parts`.
async fn mail_to(smtp: &SmtpServer, addr: &str, parts: &[&str]) -> Mail {
    eventually(&format!("a mail to {addr} with {parts:?}"), async || {
        smtp.messages()
            .iter()
            .map(|r| Mail::parse(r))
            .find(|m| m.to.iter().any(|t| t == addr) && parts.iter().all(|p| m.text.contains(p)))
    })
    .await
}

/// The whole story in `w`'s language.
async fn story(w: &Words) {
    let smtp = SmtpServer::start();
    let Seed { app, moritz } = seed(&smtp, w).await;
    let mut axe = Axe::default();

    // Agent A is signed in and looks at the open queue; agent B, in a browser of their own,
    // at "Meine Tickets". Both are empty.
    let a = agent_signs_in(&app, &mut axe, w, "nadine").await;
    axe.check(&a, "agent queue (open, empty)").await;
    mark(&a).await;
    let b = agent_signs_in(&app, &mut axe, w, "moritz").await;
    b.click_visible("a[href='/agent/queue/mine']").await;
    landed(&b, "/agent/queue/mine").await;
    assert!(text(&b).await.contains(&t(w.lang, "queue-mine")));
    axe.check(&b, "agent queue (mine, empty)").await;
    mark(&b).await;

    // The requester opens a ticket on the portal, dropping a file onto the form.
    let max = Browser::start().await;
    max.set_width(1280).await;
    max.goto(&app.url("/")).await;
    speak(&max, w).await;
    axe.check(&max, "portal home").await;
    max.click_visible("a.action-card[href='/open']").await;
    landed(&max, "/open").await;
    axe.check(&max, "portal new ticket").await;
    max.type_into("#email", REQUESTER).await;
    max.type_into("#name", w.name).await;
    max.click("#help_topic_id option:nth-child(2)").await;
    max.type_into("#subject", w.subject).await;
    max.type_into("#body", w.body).await;
    drop_files(&max, "#attachments", &[(w.file, 1536)]).await;
    max.click_visible("button[type=submit].primary").await;
    let receipt = landed(&max, "created=1").await;
    let number = receipt
        .split("/tickets/")
        .nth(1)
        .and_then(|r| r.split('?').next())
        .unwrap()
        .to_owned();
    let page = text(&max).await;
    assert!(
        page.contains(&tessera_i18n::t_args(
            w.lang,
            "receipt-title",
            &[("number", &number)]
        )),
        "{page}"
    );
    assert!(page.contains(w.file), "the receipt lists the file");
    axe.check(&max, "portal receipt").await;

    // The mail with the access link arrives through SMTP; the requester follows it …
    let receipt_mail = mail_to(&smtp, REQUESTER, &["/access/", &number]).await;
    max.goto(&receipt_mail.access_link()).await;
    landed(&max, &format!("/tickets/{number}")).await;
    assert!(text(&max).await.contains(w.body));
    axe.check(&max, "requester ticket page").await;

    // … and replies with a file.
    max.type_into("#body", w.requester_reply).await;
    drop_files(&max, "#attachments", &[(w.requester_file, 2048)]).await;
    max.click_visible("form[action$='/reply'] button[type=submit]")
        .await;
    landed(&max, "replied=1").await;
    let page = text(&max).await;
    assert!(page.contains(&t(w.lang, "reply-saved")));
    assert!(page.contains(w.requester_reply) && page.contains(w.requester_file));
    axe.check(&max, "requester ticket page after a reply").await;

    // A finds the ticket in the open queue and claims it.
    // A's open queue, left open, shows it without a reload.
    queue_shows_live(&a, "open", &number, 1).await;
    axe.check(&a, "agent queue (open)").await;
    a.click_visible(&format!("a[href='/agent/tickets/{number}']"))
        .await;
    landed(&a, &format!("/agent/tickets/{number}")).await;
    let page = text(&a).await;
    assert!(page.contains(w.requester_reply) && page.contains(w.requester_file));
    axe.check(&a, "agent ticket page").await;
    a.click_visible("button[name='do'][value='claim']").await;
    landed(&a, "done=claim").await;

    // A types a reply, inserts the canned response after the typed text and sends it.
    a.type_into("#reply-body", w.typed).await;
    let nth = a
        .js(&format!(
            "return [...document.querySelectorAll('#canned option')].findIndex(o => o.textContent === {:?}) + 1",
            w.canned_title
        ))
        .await;
    a.click(&format!("#canned option:nth-child({nth})")).await;
    a.click_visible(".canned-form button[type='submit']").await;
    let canned = (w.canned_filled)(&number);
    let reply = format!("{}\n\n{canned}", w.typed);
    assert_eq!(
        a.js("return document.getElementById('reply-body').value")
            .await,
        json!(reply),
        "the canned text follows what A typed"
    );
    a.click_visible("form[action$='/reply'] button[type='submit'].primary")
        .await;
    landed(&a, "done=reply").await;
    assert!(text(&a).await.contains(&canned));

    // A assigns the ticket to B and adds a collaborator.
    a.click(&format!("#assign-agent option[value='{}']", moritz.0))
        .await;
    submit_form_of(&a, "#assign-agent").await;
    landed(&a, "done=assign").await;
    a.type_into("#collab-email", COLLABORATOR).await;
    a.type_into("#collab-name", w.collaborator_name).await;
    submit_form_of(&a, "#collab-email").await;
    landed(&a, "done=collaborator-add").await;
    mark(&a).await;
    assert!(text(&a).await.contains(COLLABORATOR));
    axe.check(&a, "agent ticket page after assigning").await;

    // B finds it in "Meine Tickets".
    // B's "Meine Tickets", left open all along, shows it without a reload.
    queue_shows_live(&b, "mine", &number, 1).await;
    axe.check(&b, "agent queue (mine)").await;
    b.click_visible(&format!("a[href='/agent/tickets/{number}']"))
        .await;
    landed(&b, &format!("/agent/tickets/{number}")).await;

    // B writes an internal note, then replies and closes the ticket.
    b.type_into("#note-body", w.note).await;
    b.click_visible("form.note-form button[type='submit']")
        .await;
    landed(&b, "done=note").await;
    assert!(text(&b).await.contains(w.note));
    axe.check(&b, "agent ticket page with a note").await;
    b.type_into("#reply-body", w.b_reply).await;
    b.click("#reply-status option[value='closed']").await;
    b.click_visible("form[action$='/reply'] button[type='submit'].primary")
        .await;
    landed(&b, "done=reply").await;
    // A, still on the ticket page, sees B's reply appear in place.
    thread_shows_live(&a, w.b_reply).await;
    assert_eq!(
        b.js("return document.querySelector('.ticket-header .status-closed') !== null")
            .await,
        json!(true),
        "the ticket is closed"
    );
    axe.check(&b, "agent ticket page, closed").await;

    // The requester's page shows every public step, never the note.
    max.goto(&app.url(&format!("/tickets/{number}"))).await;
    let page = text(&max).await;
    for public in [w.body, w.requester_reply, &canned, w.b_reply] {
        assert!(page.contains(public), "the requester sees {public:?}");
    }
    assert!(!page.contains(w.note), "the requester never sees the note");
    // Times read in the installation's zone, never in UTC.
    assert!(!page.contains("UTC") && !text(&a).await.contains("UTC"));
    assert!(page.contains(&t(w.lang, "status-closed")));
    axe.check(&max, "requester ticket page, closed").await;
    max.click_visible("footer a[href='/tickets']").await;
    landed(&max, "/tickets").await;
    assert!(text(&max).await.contains(w.subject));
    axe.check(&max, "requester's tickets").await;

    // The requester and the collaborator got each public step by mail; B was told of the
    // assignment.
    mail_to(&smtp, REQUESTER, &[w.typed, &canned]).await;
    // B's reply closed the ticket: one mail says both, to the requester and to the
    // collaborator, worded for what each of them is.
    let closed = t(w.lang, "notice-change-closed");
    let to_requester = mail_to(&smtp, REQUESTER, &[w.b_reply, &closed]).await;
    let welcome = mail_to(&smtp, COLLABORATOR, &["/access/", &number]).await;
    // The collaborator was added by an agent, so they read the installation's language.
    let closed_de = t(Lang::De, "notice-change-closed");
    let to_collaborator = mail_to(&smtp, COLLABORATOR, &[w.b_reply, &closed_de]).await;
    if w.lang == Lang::De {
        assert!(
            to_requester.text.contains("Ihr Ticket"),
            "{}",
            to_requester.text
        );
        assert!(
            !to_collaborator.text.contains("Ihr Ticket"),
            "{}",
            to_collaborator.text
        );
    }
    mail_to(&smtp, "moritz@tessera.test", &[&number]).await;
    // The collaborator's own link opens the ticket, in a browser of their own.
    let lead = Browser::start().await;
    lead.goto(&welcome.access_link()).await;
    landed(&lead, &format!("/tickets/{number}")).await;
    assert!(text(&lead).await.contains(w.b_reply));
    // Nobody got the note: B's reply went out last, after everything queued before it.
    let mails: Vec<Mail> = smtp.messages().iter().map(|r| Mail::parse(r)).collect();
    assert!(
        mails
            .iter()
            .all(|m| !m.text.contains(w.note) && !m.html.contains(w.note)),
        "nobody receives the note"
    );
    axe.assert_clean();

    for browser in [&max, &a, &b, &lead] {
        browser.quit().await;
    }
    app.stop().await;
}

#[tokio::test]
async fn the_whole_story_in_german_in_a_real_browser() {
    story(&GERMAN).await;
}

#[tokio::test]
async fn the_whole_story_in_english_in_a_real_browser() {
    story(&ENGLISH).await;
}

/// The checks are not vacuous: axe-core finds a missing alternative text and an unlabelled
/// field (and only serious or critical findings come back), and a page wider than a phone is
/// caught at the phone's width only.
#[tokio::test]
async fn the_page_checks_catch_missing_labels_and_sideways_scrolling() {
    let b = Browser::start().await;
    b.goto(
        "data:text/html,<!doctype html><html lang=en><title>t</title><main>\
         <img src=a.png><input type=text id=q><h3>skipped heading levels</h3>\
         <div style='width:600px'>wide</div></main></html>",
    )
    .await;
    let found = b.axe().await;
    let rules: Vec<&str> = found.iter().filter_map(|v| v["rule"].as_str()).collect();
    assert_eq!(rules, ["image-alt", "label"], "{found:#?}");
    let mut axe = Axe::default();
    axe.check(&b, "test page").await;
    let sideways: Vec<&String> = axe
        .found
        .iter()
        .filter(|f| f.contains("sideways"))
        .collect();
    assert_eq!(sideways, ["test page at 375 px scrolls sideways"]);
    assert_eq!(
        axe.found.len(),
        5,
        "two rules at each width, and sideways once: {:#?}",
        axe.found
    );
    b.quit().await;
}

/// The pages the stories do not pass through: the status check, forms answered with errors, a
/// page that is not there, the agent's own pages and every page of the administration, each at
/// a phone's and a desktop's width (the same checks as the stories').
#[tokio::test]
async fn axe_finds_nothing_serious_on_the_other_pages() {
    let smtp = SmtpServer::start();
    let Seed { app, .. } = seed(&smtp, &GERMAN).await;
    let mut axe = Axe::default();
    let b = Browser::start().await;
    b.set_width(1280).await;

    b.goto(&app.url("/status")).await;
    axe.check(&b, "status check").await;
    b.type_into("#number", "123456").await;
    b.type_into("#email", REQUESTER).await;
    b.click("form[action='/status'] button[type=submit]").await;
    eventually("the status check's answer", async || {
        (b.js("return document.querySelector('.alert') !== null")
            .await
            == json!(true))
        .then_some(())
    })
    .await;
    axe.check(&b, "status check answered").await;
    b.goto(&app.url("/open")).await;
    b.click("button[type=submit].primary").await;
    eventually("the form with its errors", async || {
        (b.js("return document.querySelectorAll('[aria-invalid=true]').length > 0")
            .await
            == json!(true))
        .then_some(())
    })
    .await;
    axe.check(&b, "new ticket with errors").await;
    b.goto(&app.url("/tickets/999999")).await;
    axe.check(&b, "a ticket that is not there").await;

    b.goto(&app.url("/agent/login")).await;
    b.type_into("#username", "chefin").await;
    b.type_into("#password", "wrong password").await;
    b.click("form[action='/agent/login'] button[type='submit']")
        .await;
    eventually("the failed sign-in", async || {
        (b.js("return document.querySelector('.alert.error') !== null")
            .await
            == json!(true))
        .then_some(())
    })
    .await;
    axe.check(&b, "failed sign-in").await;
    b.js("document.getElementById('username').value = ''").await;
    b.type_into("#username", "chefin").await;
    b.type_into("#password", PASSWORD).await;
    b.click("form[action='/agent/login'] button[type='submit']")
        .await;
    landed(&b, "/agent/queue/").await;
    for path in [
        "/agent/queue/all?q=Plakat",
        "/agent/password",
        "/agent/profile",
        "/agent/admin",
        "/agent/admin/agents",
        "/agent/admin/departments",
        "/agent/admin/teams",
        "/agent/admin/topics",
        "/agent/admin/topics/1/fields",
        "/agent/admin/sla",
        "/agent/admin/canned",
        "/agent/admin/settings",
        "/agent/admin/settings/intake",
        "/agent/admin/settings/mail",
        "/agent/admin/mailboxes",
        "/agent/admin/api-keys",
        "/agent/admin/webhooks",
        "/agent/admin/audit",
        "/agent/admin/mail-in",
        "/agent/admin/outbox",
    ] {
        b.goto(&app.url(path)).await;
        assert_eq!(
            b.js("return document.querySelector('h1') !== null").await,
            json!(true),
            "{path} shows a page"
        );
        axe.check(&b, path).await;
    }
    b.goto(&app.url("/agent/admin/agents")).await;
    b.click("a[href^='/agent/admin/agents/']").await;
    landed(&b, "/agent/admin/agents/").await;
    axe.check(&b, "an agent's page").await;
    axe.assert_clean();
    b.quit().await;
    app.stop().await;
}
