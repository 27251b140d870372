//! Custom form fields of help topics: administrators define them, requesters answer them on
//! the portal, agents see the answers on the ticket and find tickets by them.

use reqwest::StatusCode;

use crate::{
    admin::{PASSWORD, post_form},
    support::{Mail, TestApp, csrf, ticket_form},
};

/// The seed's first help topic ("Allgemeine Anfrage") and second one.
const TOPIC: &str = "1";
const OTHER_TOPIC: &str = "2";

async fn agent(app: &TestApp, user: &str, admin: bool) {
    crate::admin::agent(app, user, user, admin).await;
}

async fn sign_in(app: &TestApp, user: &str) -> reqwest::Client {
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
    assert!(
        res.url().path().starts_with("/agent/queue"),
        "{}",
        res.url()
    );
    c
}

async fn text(res: reqwest::Response) -> (StatusCode, String, String) {
    let status = res.status();
    let url = res.url().to_string();
    (status, url, res.text().await.unwrap())
}

/// Form fields as (name, value).
type Pairs<'a> = &'a [(&'a str, &'a str)];

/// Creates a field on a topic through the admin page; returns its id.
async fn create_field(
    admin: &reqwest::Client,
    app: &TestApp,
    topic: &str,
    fields: &[(&str, &str)],
) -> String {
    let path = format!("/agent/admin/topics/{topic}/fields");
    let (status, url, page) = text(post_form(admin, app, &path, fields).await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Die Änderungen sind gespeichert."));
    let id = url
        .split("/fields/")
        .nth(1)
        .and_then(|r| r.split('?').next())
        .unwrap_or_else(|| panic!("redirected to the new field, not {url}"));
    id.to_owned()
}

/// The ids of the fields `define_fields` creates.
struct Ids {
    venue: String,
    details: String,
    medium: String,
    channels: String,
    photos: String,
    date: String,
    budget: String,
}

/// One field of every kind on the first topic, and a required one on the second.
async fn define_fields(admin: &reqwest::Client, app: &TestApp) -> Ids {
    let field = |key: &'static str, kind: &'static str, de: &'static str, required: bool| {
        let mut v = vec![
            ("key", key),
            ("kind", kind),
            ("label_de", de),
            ("label_en", de),
            ("is_active", "1"),
        ];
        if required {
            v.push(("is_required", "1"));
        }
        v
    };
    let mut venue = field("venue", "short_text", "Veranstaltungsort", true);
    venue.push(("help_de", "Wo findet die Veranstaltung statt?"));
    let mut medium = field("medium", "choice", "Werbemittel", true);
    medium.push(("options", "Plakat\r\nFlyer"));
    let mut channels = field("channels", "multi_choice", "Kanäle", false);
    channels.push(("options", "Facebook\nInstagram\nWebsite"));
    Ids {
        venue: create_field(admin, app, TOPIC, &venue).await,
        details: create_field(
            admin,
            app,
            TOPIC,
            &field("details", "long_text", "Weitere Wünsche", false),
        )
        .await,
        medium: create_field(admin, app, TOPIC, &medium).await,
        channels: create_field(admin, app, TOPIC, &channels).await,
        photos: create_field(
            admin,
            app,
            TOPIC,
            &field("photos", "checkbox", "Fotos erlaubt", false),
        )
        .await,
        date: create_field(
            admin,
            app,
            TOPIC,
            &field("event_date", "date", "Datum der Veranstaltung", true),
        )
        .await,
        budget: create_field(
            admin,
            app,
            OTHER_TOPIC,
            &field("budget", "short_text", "Budget", true),
        )
        .await,
    }
}

#[tokio::test]
async fn administrators_define_fields_of_every_kind_and_others_may_not() {
    let app = TestApp::start().await;
    agent(&app, "chefin", true).await;
    agent(&app, "nadine", false).await;
    let admin = sign_in(&app, "chefin").await;

    // The topic's edit page leads to its fields.
    let topic_page = admin
        .get(app.url("/agent/admin/topics/1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(topic_page.contains("href=\"/agent/admin/topics/1/fields\""));

    let ids = define_fields(&admin, &app).await;
    assert_eq!(app.count("topic_field").await, 7);
    assert_eq!(
        app.count("audit_log WHERE action = 'topic-field-create' AND actor = 'chefin'")
            .await,
        7
    );
    let (_, _, list) = text(
        admin
            .get(app.url("/agent/admin/topics/1/fields"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    for label in [
        "Veranstaltungsort",
        "Weitere Wünsche",
        "Werbemittel",
        "Kanäle",
        "Fotos erlaubt",
        "Datum der Veranstaltung",
    ] {
        assert!(list.contains(label), "{label} listed");
    }
    assert!(!list.contains("Budget"), "only this topic's fields");
    assert!(list.contains(&format!(
        "href=\"/agent/admin/topics/1/fields/{}\"",
        ids.venue
    )));

    // Refused definitions come back with the error next to the field, nothing stored.
    let cases: &[(Pairs, &str, &str)] = &[
        (
            &[
                ("key", "venue"),
                ("kind", "date"),
                ("label_de", "A"),
                ("label_en", "A"),
            ],
            "key",
            "Dieses Hilfethema hat schon ein Feld mit diesem Maschinennamen.",
        ),
        (
            &[
                ("key", "Event Date"),
                ("kind", "date"),
                ("label_de", "A"),
                ("label_en", "A"),
            ],
            "key",
            "Bitte nur Kleinbuchstaben, Ziffern und Unterstrich verwenden",
        ),
        (
            &[
                ("key", "medium2"),
                ("kind", "choice"),
                ("label_de", "A"),
                ("label_en", "A"),
            ],
            "options",
            "Bitte geben Sie mindestens eine Option an",
        ),
        (
            &[
                ("key", "x"),
                ("kind", "number"),
                ("label_de", "A"),
                ("label_en", "A"),
            ],
            "kind",
            "Bitte wählen Sie eine Art.",
        ),
        (
            &[
                ("key", "x"),
                ("kind", "date"),
                ("label_de", ""),
                ("label_en", "A"),
            ],
            "label_de",
            "Bitte füllen Sie dieses Feld aus.",
        ),
    ];
    for (form, field, message) in cases {
        let (status, _, page) =
            text(post_form(&admin, &app, "/agent/admin/topics/1/fields", form).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{form:?}");
        assert!(
            page.contains(&format!("id=\"f-{field}-error\">{message}")),
            "{form:?}: {page}"
        );
        assert!(page.contains("aria-invalid=\"true\""));
    }
    assert_eq!(app.count("topic_field").await, 7);

    // A change keeps machine name and kind, and is audited with before and after.
    let path = format!("/agent/admin/topics/1/fields/{}", ids.medium);
    let (status, _, page) = text(
        post_form(
            &admin,
            &app,
            &path,
            &[
                ("key", "renamed"),
                ("kind", "date"),
                ("label_de", "Werbemittel"),
                ("label_en", "Promotion"),
                ("options", "Plakat\nFlyer\nBanner"),
                ("is_required", "1"),
                ("is_active", "1"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<code>medium</code>") && page.contains("Banner"));
    assert_eq!(
        app.count(
            "audit_log WHERE action = 'topic-field-update' AND target LIKE '%/medium'
             AND before_value LIKE '%Plakat|Flyer\"%' AND after_value LIKE '%Plakat|Flyer|Banner%'"
        )
        .await,
        1
    );
    // A field of another topic is not reachable under this one.
    let res = admin
        .get(app.url(&format!("/agent/admin/topics/1/fields/{}", ids.budget)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Agents who are not administrators get "not found", for reading and for writing.
    let nadine = sign_in(&app, "nadine").await;
    for path in [
        "/agent/admin/topics/1/fields".to_owned(),
        format!("/agent/admin/topics/1/fields/{}", ids.venue),
    ] {
        let res = nadine.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let token = csrf(&nadine, &app.url("/agent/queue/open")).await;
    let res = nadine
        .post(app.url("/agent/admin/topics/1/fields"))
        .form(&[
            ("csrf", token.as_str()),
            ("key", "sneaky"),
            ("kind", "date"),
            ("label_de", "A"),
            ("label_en", "A"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("topic_field").await, 7);
    app.stop().await;
}

/// Submits the portal form with `topic` and the usual contact fields plus `extra`.
async fn submit(
    app: &TestApp,
    client: &reqwest::Client,
    topic: &str,
    subject: &str,
    extra: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let token = csrf(client, &app.url("/open")).await;
    let mut all: Vec<(&str, &str)> = vec![
        ("email", "max@example.org"),
        ("name", "Max Müller"),
        ("help_topic_id", topic),
        ("subject", subject),
        ("body", "Bitte ein Plakat."),
    ];
    all.extend_from_slice(extra);
    text(
        client
            .post(app.url("/open"))
            .multipart(ticket_form(&token, &all, &[]))
            .send()
            .await
            .unwrap(),
    )
    .await
}

fn number_from(url: &str) -> String {
    url.split("/tickets/")
        .nth(1)
        .and_then(|r| r.split('?').next())
        .unwrap_or_else(|| panic!("a ticket page, not {url}"))
        .to_owned()
}

#[tokio::test]
async fn requesters_answer_a_topics_fields_and_agents_see_and_find_them() {
    let app = TestApp::start().await;
    agent(&app, "chefin", true).await;
    let admin = sign_in(&app, "chefin").await;
    let ids = define_fields(&admin, &app).await;
    let cf = |id: &str| format!("cf-{id}");
    let (venue, details, medium, channels, photos, date) = (
        cf(&ids.venue),
        cf(&ids.details),
        cf(&ids.medium),
        cf(&ids.channels),
        cf(&ids.photos),
        cf(&ids.date),
    );
    let requester = app.client();

    // Without a chosen topic every topic's fields are hidden and disabled.
    let form = requester
        .get(app.url("/open"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("data-topic-fields=\"1\" hidden disabled"));
    assert!(form.contains("data-topic-fields=\"2\" hidden disabled"));
    assert!(
        !form.contains("data-topic-fields=\"3\""),
        "no fields, no fieldset"
    );
    assert!(form.contains(&format!(
        "<input type=\"date\" id=\"{date}\" name=\"{date}\""
    )));
    assert!(form.contains(&format!("aria-describedby=\"{venue}-hint\"")));
    assert!(form.contains(&format!(
        "<p class=\"hint\" id=\"{venue}-hint\">Wo findet die Veranstaltung statt?</p>"
    )));
    assert!(form.contains("<legend class=\"label\">Kanäle</legend>"));

    // A required field left empty blocks the submission; the chosen topic's fieldset comes
    // back visible with the error and every value kept, the other topic's stays hidden.
    let tickets = app.count("ticket").await;
    let channel0 = format!("{channels}-0");
    let (status, _, page) = submit(
        &app,
        &requester,
        TOPIC,
        "Plakat",
        &[
            (&medium, "Flyer"),
            (&channel0, "Facebook"),
            (&photos, "1"),
            (&date, "2026-12-06"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(&format!(
        "id=\"{venue}-error\">Bitte füllen Sie dieses Feld aus.</p>"
    )));
    assert!(page.contains(&format!(
        "aria-describedby=\"{venue}-hint {venue}-error\" aria-invalid=\"true\""
    )));
    assert!(page.contains("data-topic-fields=\"1\">"));
    assert!(page.contains("data-topic-fields=\"2\" hidden disabled"));
    assert!(page.contains("<option value=\"Flyer\" selected>"));
    assert!(page.contains(&format!("name=\"{channel0}\" value=\"Facebook\" checked")));
    assert!(page.contains(&format!("name=\"{photos}\" value=\"1\" checked")));
    assert!(page.contains("value=\"2026-12-06\""));
    // The other topic's required field does not count for this topic.
    assert!(!page.contains(&format!("id=\"cf-{}-error\"", ids.budget)));

    // Answers that are not among the options, or no real day, are refused too.
    for (name, value, message) in [
        (
            &medium,
            "Radio",
            "Bitte wählen Sie eine der angebotenen Optionen.",
        ),
        (
            &date,
            "2026-02-30",
            "Bitte geben Sie ein gültiges Datum ein",
        ),
        (
            &channel0,
            "Zeitung",
            "Bitte wählen Sie eine der angebotenen Optionen.",
        ),
    ] {
        let mut extra = vec![
            (venue.as_str(), "Freibad Annen"),
            (medium.as_str(), "Flyer"),
            (date.as_str(), "2026-12-06"),
        ];
        extra.retain(|(k, _)| *k != name.as_str());
        extra.push((name.as_str(), value));
        let (status, _, page) = submit(&app, &requester, TOPIC, "Plakat", &extra).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}={value}");
        let error_of = if *name == channel0 { &channels } else { name };
        assert!(
            page.contains(&format!("id=\"{error_of}-error\">{message}")),
            "{name}={value}"
        );
    }
    assert_eq!(app.count("ticket").await, tickets, "nothing stored");
    assert_eq!(app.count("ticket_field_value").await, 0);

    // A valid submission stores the answers with the ticket.
    let channel2 = format!("{channels}-2");
    let (status, url, receipt) = submit(
        &app,
        &requester,
        TOPIC,
        "Plakat fürs Nikolausschwimmen",
        &[
            (&venue, "Freibad Annen"),
            (&details, "Zeile eins\n<b>Zeile</b> zwei"),
            (&medium, "Flyer"),
            (&channel2, "Website"),
            (&channel0, "Facebook"),
            (&photos, "1"),
            (&date, "2026-12-06"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    assert!(url.contains("created=1"));
    let first = number_from(&url);
    assert_eq!(app.count("ticket").await, tickets + 1);
    assert_eq!(app.count("ticket_field_value").await, 6);
    let shown = [
        "<dt>Veranstaltungsort</dt><dd>Freibad Annen</dd>",
        "<dt>Weitere Wünsche</dt><dd>Zeile eins<br>&#60;b&#62;Zeile&#60;/b&#62; zwei</dd>",
        "<dt>Werbemittel</dt><dd>Flyer</dd>",
        "<dt>Kanäle</dt><dd>Facebook, Website</dd>",
        "<dt>Fotos erlaubt</dt><dd>ja</dd>",
        "<dt>Datum der Veranstaltung</dt><dd>06.12.2026</dd>",
    ];
    for s in shown {
        assert!(receipt.contains(s), "receipt shows {s}");
    }
    let agent_page = admin
        .get(app.url(&format!("/agent/tickets/{first}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for s in shown {
        assert!(agent_page.contains(s), "agent page shows {s}");
    }

    // The confirmation mail repeats no unverified answer, only the subject (issue 21).
    let mail = tessera_test_mail(&app).await;
    assert!(!mail.contains("Freibad Annen"), "{mail}");

    // A second ticket, elsewhere.
    let (status, url, _) = submit(
        &app,
        &requester,
        TOPIC,
        "Flyer fürs Hallenbad",
        &[
            (&venue, "Hallenbad Mitte"),
            (&medium, "Plakat"),
            (&date, "2027-01-15"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let second = number_from(&url);
    let receipt = requester
        .get(app.url(&format!("/tickets/{second}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !receipt.contains("Weitere Wünsche"),
        "unanswered fields are not shown"
    );

    // The queue finds tickets by an answer, in any case, combined with other filters.
    let queue = async |query: &str| {
        admin
            .get(app.url(&format!("/agent/queue/all?{query}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    let link = |n: &str| format!("href=\"/agent/tickets/{n}\"");
    let page = queue("field_value=FREIBAD").await;
    assert!(page.contains(&link(&first)) && !page.contains(&link(&second)));
    assert!(page.contains("id=\"f-field_value\" name=\"field_value\" value=\"FREIBAD\""));
    let page = queue("field_value=bad").await;
    assert!(page.contains(&link(&first)) && page.contains(&link(&second)));
    let page = queue("field_value=bad&topic=2").await;
    assert!(!page.contains(&link(&first)) && !page.contains(&link(&second)));
    // `%` and `_` are literal characters, not wildcards.
    for literal in ["%25", "_"] {
        let page = queue(&format!("field_value={literal}")).await;
        assert!(!page.contains(&link(&first)) && !page.contains(&link(&second)));
    }

    // Deactivated and relabelled, the field leaves the form but old tickets keep the answer.
    let (status, _, _) = text(
        post_form(
            &admin,
            &app,
            &format!("/agent/admin/topics/1/fields/{}", ids.venue),
            &[
                ("label_de", "Ort"),
                ("label_en", "Venue"),
                ("is_required", "1"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let form = requester
        .get(app.url("/open"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!form.contains(&format!("name=\"{venue}\"")));
    let receipt = requester
        .get(app.url(&format!("/tickets/{first}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(receipt.contains("<dt>Ort</dt><dd>Freibad Annen</dd>"));
    let (status, _, page) = submit(
        &app,
        &requester,
        TOPIC,
        "Ohne Ort",
        &[(&medium, "Plakat"), (&date, "2027-01-15")],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "an inactive field is not required: {page}"
    );
    assert!(!page.contains("Freibad"));
    app.stop().await;
}

/// The text of the first mail queued to the requester.
async fn tessera_test_mail(app: &TestApp) -> String {
    let sql = sqlx::AssertSqlSafe(
        "SELECT r.raw FROM outbox_mail o JOIN outbox_mail_raw r USING (outbox_mail_id)
          WHERE o.recipients LIKE '%max@example.org%' ORDER BY o.outbox_mail_id LIMIT 1"
            .to_owned(),
    );
    let raw: Vec<u8> = match app.app.db() {
        tessera_store::Db::Sqlite(d) => sqlx::query_scalar(sql).fetch_one(&d.pool).await.unwrap(),
        tessera_store::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    };
    Mail::parse(&raw).text
}
