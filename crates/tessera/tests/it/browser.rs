//! The portal in a real browser: Debian's Chromium driven over WebDriver (chromedriver).
//! A few raw WebDriver calls are all we need, so no client crate is pulled in.

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use crate::support::{PATIENCE, SmtpServer, TestApp, eventually};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A headless Chromium session over WebDriver (also used by the mail views' test).
pub(crate) struct Browser {
    http: reqwest::Client,
    base: String,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub(crate) async fn start() -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let exe =
            std::env::var("TESSERA_TEST_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let driver = Command::new(&exe)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver must be installed (Debian: chromium-driver; the test script installs it)");
        let http = reqwest::Client::builder()
            .timeout(PATIENCE)
            .build()
            .unwrap();
        let root = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while http.get(format!("{root}/status")).send().await.is_err() {
            assert!(started.elapsed() < PATIENCE, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let chromium =
            std::env::var("TESSERA_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--disable-quic", "--no-first-run", "--lang=de-DE",
                         format!("--user-data-dir={}", profile.path().display())],
                "prefs": {"intl.accept_languages": "de-DE,de"}
            }
        }}});
        let res: Value = http
            .post(format!("{root}/session"))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = res["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {res}"))
            .to_owned();
        Browser {
            http,
            base: format!("{root}/session/{id}"),
            driver,
            _profile: profile,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let req = self.http.request(method, format!("{}{path}", self.base));
        let req = if body.is_null() { req } else { req.json(&body) };
        let res: Value = req.send().await.unwrap().json().await.unwrap();
        if let Some(err) = res["value"].get("error") {
            panic!("WebDriver {path}: {err} {}", res["value"]["message"]);
        }
        res["value"].clone()
    }

    pub(crate) async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", json!({"url": url}))
            .await;
    }

    pub(crate) async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", Value::Null)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub(crate) async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", Value::Null)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub(crate) async fn find(&self, css: &str) -> String {
        let v = self
            .call(
                reqwest::Method::POST,
                "/element",
                json!({"using": "css selector", "value": css}),
            )
            .await;
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_owned()
    }

    async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{el}/value"),
            json!({"text": text}),
        )
        .await;
    }

    /// Types `text` into the element `css` finds, as a person at the keyboard.
    pub(crate) async fn type_text(&self, css: &str, text: &str) {
        self.type_into(css, text).await;
    }

    pub(crate) async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{el}/click"),
            json!({}),
        )
        .await;
    }

    pub(crate) async fn js(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            json!({"script": script, "args": []}),
        )
        .await
    }

    pub(crate) async fn resize(&self, width: u32, height: u32) {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            json!({"width": width, "height": height}),
        )
        .await;
    }

    /// Ends the browser session (chromedriver closes Chromium).
    pub(crate) async fn quit(&self) {
        let _ = self.http.delete(&self.base).send().await;
    }

    /// Saves a screenshot when `TESSERA_SCREENSHOTS` names a folder (for looking at the UI).
    pub(crate) async fn screenshot(&self, name: &str) {
        if let Ok(dir) = std::env::var("TESSERA_SCREENSHOTS") {
            use base64::Engine;
            let png = self
                .call(reqwest::Method::GET, "/screenshot", Value::Null)
                .await;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(png.as_str().unwrap())
                .unwrap();
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(format!("{dir}/{name}.png"), bytes).unwrap();
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Every visible form control has a label (many requesters use screen readers or zoom).
pub(crate) const UNLABELLED: &str =
    "return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter(e => e.labels.length === 0).map(e => e.name)";

#[tokio::test]
async fn a_requester_opens_a_ticket_with_two_dropped_files_in_a_real_browser() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = TestApp::start_with(Box::new(move |c| c.smtp_url = Some(url))).await;
    let b = Browser::start().await;
    b.resize(1200, 1000).await;
    b.goto(&app.url("/")).await;
    b.screenshot("home").await;
    b.click("a.action-card[href='/open']").await;
    assert!(b.url().await.ends_with("/open"));
    assert_eq!(b.js(UNLABELLED).await, json!([]));

    b.type_into("#email", "max@example.org").await;
    b.type_into("#name", "Max Müller").await;
    b.click("#help_topic_id option:nth-child(2)").await;
    b.type_into("#subject", "Plakat für das Nikolausschwimmen")
        .await;
    b.type_into("#body", "Bitte ein Plakat und einen Flyer.")
        .await;
    // Drop two files onto the drop zone the way a browser does: a drop event with a DataTransfer.
    b.js("const dt = new DataTransfer();
          dt.items.add(new File([new Uint8Array(1536)], 'Skizze.pdf', {type: 'application/pdf'}));
          dt.items.add(new File(['Entwurf'], 'Text für Flyer.docx'));
          const zone = document.querySelector('.dropzone-label');
          for (const t of ['dragenter', 'dragover', 'drop'])
            zone.dispatchEvent(new DragEvent(t, {dataTransfer: dt, bubbles: true, cancelable: true}));")
        .await;
    let listed = b.js("return [...document.querySelectorAll('.file-list .file-name')].map(e => e.textContent)").await;
    assert_eq!(listed, json!(["Skizze.pdf", "Text für Flyer.docx"]));
    assert_eq!(
        b.js("return document.querySelector('#attachments').files.length")
            .await,
        json!(2)
    );
    b.screenshot("open-filled").await;
    b.click("button[type=submit].primary").await;

    let receipt = eventually("the receipt page", async || {
        let u = b.url().await;
        u.contains("created=1").then_some(u)
    })
    .await;
    let number = receipt
        .split("/tickets/")
        .nth(1)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let page = b.source().await;
    assert!(page.contains(&format!("Ihr Ticket #{number} wurde eröffnet")));
    assert!(page.contains("Skizze.pdf") && page.contains("1,5 KB"));
    assert!(page.contains("Text für Flyer.docx"));
    b.screenshot("receipt").await;
    b.resize(390, 844).await;
    b.screenshot("receipt-phone").await;
    let overflow = b
        .js("return document.documentElement.scrollWidth > window.innerWidth")
        .await;
    assert_eq!(overflow, json!(false), "no horizontal scrolling on a phone");

    // The emailed link opens the ticket in the same browser.
    let mail = &smtp.wait_for(1).await[0];
    b.goto(&mail.access_link()).await;
    assert!(b.url().await.ends_with(&format!("/tickets/{number}")));
    b.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn the_browser_refuses_too_large_files_before_uploading() {
    let app = TestApp::start_with(Box::new(|c| c.core.attachment_max_total = 1024)).await;
    let b = Browser::start().await;
    b.goto(&app.url("/open")).await;
    b.js("const dt = new DataTransfer();
          dt.items.add(new File([new Uint8Array(4096)], 'gross.pdf'));
          const zone = document.querySelector('.dropzone-label');
          zone.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));")
        .await;
    let status = b.js("const s = document.querySelector('.dropzone-status'); return [s.className, s.textContent]").await;
    assert!(status[0].as_str().unwrap().contains("is-error"), "{status}");
    assert!(
        status[1]
            .as_str()
            .unwrap()
            .replace('\u{a0}', " ")
            .contains("1,0 KB"),
        "{status}"
    );
    b.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn the_chosen_topics_custom_fields_appear_and_are_submitted() {
    use tessera_domain::{HelpTopicId, field::FieldDraft};
    let app = TestApp::start().await;
    let define = async |topic: i64, key: &str, label: &str, kind: &str, required: bool| {
        app.app
            .save_topic_field(
                tessera_core::Actor::Cli,
                HelpTopicId(topic),
                None,
                FieldDraft {
                    key: key.into(),
                    kind: kind.into(),
                    label_de: label.into(),
                    label_en: label.into(),
                    help_de: format!("Hilfe zu {label}"),
                    options: "Plakat\nFlyer\nFacebook".into(),
                    is_required: required,
                    is_active: true,
                    ..FieldDraft::default()
                },
            )
            .await
            .unwrap()
    };
    let venue = define(1, "venue", "Veranstaltungsort", "short_text", true).await;
    // One optional field of every other kind, so that each control's label is checked.
    for (key, kind) in [
        ("details", "long_text"),
        ("medium", "choice"),
        ("channels", "multi_choice"),
        ("photos", "checkbox"),
        ("event_date", "date"),
    ] {
        define(1, key, key, kind, false).await;
    }
    let budget = define(2, "budget", "Budget", "short_text", true).await;
    let b = Browser::start().await;
    b.goto(&app.url("/open")).await;
    assert_eq!(b.js(UNLABELLED).await, json!([]));
    let shown = async || {
        b.js(
            "return [...document.querySelectorAll('[data-topic-fields]')]
                .filter(f => !f.hidden && !f.disabled).map(f => f.dataset.topicFields)",
        )
        .await
    };
    assert_eq!(shown().await, json!([]), "no topic chosen, no fields");

    b.type_into("#email", "max@example.org").await;
    b.type_into("#name", "Max Müller").await;
    b.click("#help_topic_id option[value='1']").await;
    eventually("the first topic's fields", async || {
        (shown().await == json!(["1"])).then_some(())
    })
    .await;
    let visible = format!(
        "return [document.getElementById('cf-{venue}').checkVisibility(),
                 document.getElementById('cf-{budget}').checkVisibility()]"
    );
    assert_eq!(b.js(&visible).await, json!([true, false]));
    // Switching topics swaps the fieldsets.
    b.click("#help_topic_id option[value='2']").await;
    eventually("the second topic's fields", async || {
        (shown().await == json!(["2"])).then_some(())
    })
    .await;
    b.click("#help_topic_id option[value='1']").await;
    eventually("the first topic's fields again", async || {
        (shown().await == json!(["1"])).then_some(())
    })
    .await;
    b.type_into(&format!("#cf-{venue}"), "Freibad Annen").await;
    b.type_into("#subject", "Plakat").await;
    b.type_into("#body", "Bitte ein Plakat.").await;
    b.resize(900, 2600).await;
    b.screenshot("open-custom-fields").await;
    b.click("button[type=submit].primary").await;
    eventually("the receipt page", async || {
        b.url().await.contains("created=1").then_some(())
    })
    .await;
    let page = b.source().await;
    assert!(page.contains("<dt>Veranstaltungsort</dt><dd>Freibad Annen</dd>"));
    // The hidden topic's required field was not submitted and did not block anything.
    assert!(!page.contains("Budget"));
    b.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn a_canned_response_goes_in_at_the_cursor_and_keeps_what_the_agent_typed() {
    use crate::admin::{PASSWORD, chefin, post_form, sign_in};
    let app = TestApp::start().await;
    chefin(&app).await;
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    post_form(
        &admin,
        &app,
        "/agent/admin/canned",
        &[
            ("title", "Danke"),
            ("department_id", "1"),
            ("is_active", "1"),
            ("body", "Danke für Ticket {number}, {name}."),
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
            lang: tessera_domain::Lang::De,
        })
        .await
        .unwrap()
        .number;

    let b = Browser::start().await;
    b.resize(1200, 1000).await;
    b.goto(&app.url("/agent/login")).await;
    b.type_into("#username", "chefin").await;
    b.type_into("#password", PASSWORD).await;
    b.click("form button[type='submit']").await;
    let ticket = app.url(&format!("/agent/tickets/{number}"));
    b.goto(&ticket).await;
    b.type_into("#reply-body", "Guten Tag,").await;
    b.click(".canned-form button[type='submit']").await;
    let value = b
        .js("return document.getElementById('reply-body').value")
        .await;
    assert_eq!(
        value,
        json!(format!(
            "Guten Tag,\n\nDanke für Ticket {number}, Max Müller."
        )),
        "the typed text stays and the canned text follows it"
    );
    assert_eq!(b.url().await, ticket, "nothing was reloaded");
    assert_eq!(
        b.js("return document.activeElement.id").await,
        json!("reply-body"),
        "the agent types on where the text ends"
    );
    b.quit().await;
    app.stop().await;
}
