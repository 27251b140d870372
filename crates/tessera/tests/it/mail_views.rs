//! What people see of email in: the visible text with the quote folded into `<details>`,
//! the "by email" marker, the original HTML on its own page (sanitised, inline images
//! served from their attachments, for agents and for the requester of the ticket only),
//! and the administrators' view of quarantined and ignored mail with the raw download and
//! "process again".

use reqwest::{StatusCode, header};
use tessera_core::{IngestOutcome, MailSource};
use tessera_domain::{EntryKind, Role};

use crate::{
    admin::{PASSWORD, chefin, sign_in},
    browser::Browser,
    support::{SmtpServer, TestApp, csrf},
    support::{eml, ingest},
};

fn opened(o: &IngestOutcome) -> String {
    match o {
        IngestOutcome::Opened { number, .. } => number.clone(),
        other => panic!("expected a new ticket, got {other:?}"),
    }
}

/// The value of the first `attr="…"` whose value starts with `prefix` (with `&` unescaped).
fn attr_starting(page: &str, attr: &str, prefix: &str) -> Option<String> {
    let page = page.replace("&#38;", "&").replace("&amp;", "&");
    let needle = format!("{attr}=\"{prefix}");
    let start = page.find(&needle)? + attr.len() + 2;
    let end = start + page[start..].find('"')?;
    Some(page[start..end].to_owned())
}

/// Nadine, an agent (not an administrator) of the first department.
async fn nadine(app: &TestApp) -> tessera_domain::AgentId {
    let id = crate::admin::agent(app, "nadine", "Nadine S.", false).await;
    app.app
        .set_department_role(
            tessera_core::Actor::Cli,
            id,
            tessera_domain::DepartmentId(1),
            Role::Agent,
        )
        .await
        .unwrap();
    id
}

/// Presses "process again" (the token comes from any page: it is the browser's).
async fn retry(c: &reqwest::Client, app: &TestApp, id: i64) -> reqwest::Response {
    let token = csrf(c, &app.url("/agent/queue/open")).await;
    c.post(app.url(&format!("/agent/admin/mail-in/{id}/retry")))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap()
}

async fn get(c: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let res = c.get(app.url(path)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

/// The 1×1 PNG the HTML mail carries inline, decoded.
const PNG_B64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

/// Outlook-style HTML mail with an inline image, a script, a handler and a tracking pixel.
fn html_mail(from: &str, message_id: &str) -> Vec<u8> {
    eml(&format!(
        "From: {from}
To: \"Support\" <helpdesk@tessera.test>
Subject: Entwurf Flyer
Date: Tue, 1 Dec 2026 14:00:00 +0000
Message-ID: <{message_id}>
MIME-Version: 1.0
Content-Type: multipart/related; boundary=\"_rel_\"; type=\"multipart/alternative\"

--_rel_
Content-Type: multipart/alternative; boundary=\"_alt_\"

--_alt_
Content-Type: text/plain; charset=\"utf-8\"

So soll der Flyer aussehen: [cid:image001.png@01DB43A1.5F3E2C10]

--_alt_
Content-Type: text/html; charset=\"utf-8\"

<html><head><style>p {{ background: url(https://tracker.example/bg.png) }}</style></head>
<body><p onclick=\"steal()\">So soll der <b>Flyer</b> aussehen:
<img src=\"cid:image001.png@01DB43A1.5F3E2C10\" alt=\"Entwurf\"></p>
<img src=\"https://tracker.example/open.gif?u=max\" width=\"1\" height=\"1\">
<a href=\"javascript:steal()\">Klick</a> <a href=\"https://example.org/flyer\">Vorlage</a>
<script>steal()</script></body></html>

--_alt_--

--_rel_
Content-Type: image/png; name=\"image001.png\"
Content-Disposition: inline; filename=\"image001.png\"
Content-ID: <image001.png@01DB43A1.5F3E2C10>
Content-Transfer-Encoding: base64

{PNG_B64}

--_rel_--
"
    ))
}

#[tokio::test]
async fn a_reply_shows_its_text_with_the_quote_folded_away_and_marked_as_mail() {
    let app = TestApp::start().await;
    chefin(&app).await;
    let number = opened(
        &ingest(
            &app,
            &eml("From: Max Mueller <max@example.org>
To: helpdesk@tessera.test
Subject: Plakat
Message-ID: <first@example.org>

Wir brauchen ein Plakat."),
        )
        .await,
    );
    let reply = eml(&format!(
        "From: Max Mueller <max@example.org>
To: helpdesk@tessera.test
Subject: Re: [#{number}] Plakat
Message-ID: <second@example.org>

Danke, das passt so!

Am 01.12.2026 um 10:01 schrieb Support <helpdesk@tessera.test>:
> Hallo Max, anbei der erste Entwurf <v1>.
> Viele Gruesse
"
    ));
    assert!(matches!(
        ingest(&app, &reply).await,
        IngestOutcome::Added { .. }
    ));

    let admin = sign_in(&app, "chefin", PASSWORD).await;
    let (status, page) = get(&admin, &app, &format!("/agent/tickets/{number}")).await;
    assert_eq!(status, StatusCode::OK);
    // The visible text is the entry; the quote sits inside a native <details>, escaped.
    let details = page
        .find("<details class=\"entry-quoted\">")
        .expect("the quote is folded");
    let visible = page.find("Danke, das passt so!").expect("visible text");
    assert!(visible < details);
    let folded = &page[details..details + page[details..].find("</details>").unwrap()];
    assert!(folded.contains("Zitierten Text anzeigen"), "{folded}");
    assert!(
        folded.contains("&gt; Hallo Max, anbei der erste Entwurf &lt;v1&gt;.\n"),
        "{folded}"
    );
    assert!(!page[..details].contains("anbei der erste Entwurf"));
    // Both entries came by mail; neither has HTML to show.
    assert_eq!(page.matches("class=\"entry-via\">per E-Mail<").count(), 2);
    assert!(!page.contains("/original\""));
    app.stop().await;
}

/// An HTML-only reply (Apple Mail), bottom-posted: the quote first, then the answer.
#[tokio::test]
async fn an_html_reply_shows_what_was_written_and_folds_its_quote_on_both_pages() {
    let app = TestApp::start().await;
    chefin(&app).await;
    let number = opened(
        &ingest(
            &app,
            &eml("From: Ann Lee <ann@example.org>
To: helpdesk@tessera.test
Subject: Stand
Message-ID: <stand-1@example.org>

Wir brauchen einen Stand."),
        )
        .await,
    );
    let reply = eml(&format!(
        "From: Ann Lee <ann@example.org>
To: helpdesk@tessera.test
Subject: Re: [#{number}] Stand
Message-ID: <stand-2@example.org>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><body><div><br><blockquote type=\"cite\"><div>Am 01.12.2026 um 10:02 schrieb Support &lt;helpdesk@tessera.test&gt;:</div><div>Hallo Ann, der alte Entwurf steht.</div></blockquote></div><div>Perfekt, <b>danke</b>!</div></body></html>
"
    ));
    assert!(matches!(
        ingest(&app, &reply).await,
        IngestOutcome::Added { .. }
    ));
    let admin = sign_in(&app, "chefin", PASSWORD).await;

    // The thread shows the answer; the quote is folded (the text was made from the HTML).
    let (_, page) = get(&admin, &app, &format!("/agent/tickets/{number}")).await;
    let answer = page.find("Perfekt, danke!").expect("the answer is visible");
    let details = page[answer..]
        .find("<details class=\"entry-quoted\">")
        .map(|d| answer + d)
        .expect("the quote is folded");
    let folded = &page[details..details + page[details..].find("</details>").unwrap()];
    assert!(folded.contains("der alte Entwurf steht"), "{folded}");
    assert!(!page[..details].contains("der alte Entwurf steht"));

    // The original's page: the answer as HTML, the quote in a closed <details> below it.
    let original = attr_starting(&page, "href", &format!("/agent/tickets/{number}/entries/"))
        .expect("a link to the original");
    let (status, html) = get(&admin, &app, &original).await;
    assert_eq!(status, StatusCode::OK);
    let answer = html
        .find("Perfekt, <b>danke</b>!")
        .expect("the answer as HTML");
    let details = html
        .find("<details class=\"entry-quoted\">")
        .expect("the quote is folded on the original's page too");
    assert!(answer < details, "{html}");
    let folded = &html[details..details + html[details..].find("</details>").unwrap()];
    assert!(folded.contains("<blockquote>"), "{folded}");
    assert!(folded.contains("der alte Entwurf steht"), "{folded}");
    assert!(!html[..details].contains("der alte Entwurf steht"));
    app.stop().await;
}

#[tokio::test]
async fn the_original_html_is_shown_sanitised_with_its_inline_image_to_agents_and_the_requester() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = TestApp::start_with(Box::new(move |c| c.smtp_url = Some(url))).await;
    chefin(&app).await;
    let number = opened(
        &ingest(
            &app,
            &html_mail("Max Mueller <max@example.org>", "html-1@example.org"),
        )
        .await,
    );
    let other = opened(
        &ingest(
            &app,
            &html_mail("Eva Fremd <eva@example.net>", "html-2@example.net"),
        )
        .await,
    );

    // The agent's ticket page marks the mail and links its original.
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    let (_, page) = get(&admin, &app, &format!("/agent/tickets/{number}")).await;
    assert!(page.contains("per E-Mail"));
    assert!(page.contains("Original-E-Mail anzeigen (HTML)"));
    let original = attr_starting(&page, "href", &format!("/agent/tickets/{number}/entries/"))
        .expect("a link to the original");
    assert!(original.ends_with("/original"), "{original}");
    // The inline image stays an attachment of the entry.
    assert!(page.contains(">image001.png</a>"));

    let res = admin.get(app.url(&original)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("img-src 'self' data:"), "{csp}");
    let html = res.text().await.unwrap();
    assert!(
        html.contains("So soll der <b>Flyer</b> aussehen:"),
        "{html}"
    );
    for gone in [
        "steal()",
        "onclick",
        "tracker.example",
        "<style",
        "javascript:",
    ] {
        assert!(!html.contains(gone), "{gone} left in the page: {html}");
    }
    assert!(
        html.contains(
            "<a href=\"https://example.org/flyer\" rel=\"noopener noreferrer nofollow\">Vorlage</a>"
        ),
        "{html}"
    );
    let img = attr_starting(&html, "src", "/agent/attachments/").expect("the inline image");
    assert!(img.ends_with("/image001%2Epng"), "{img}");
    let bytes = admin
        .get(app.url(&img))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    use base64::Engine;
    let png = base64::engine::general_purpose::STANDARD
        .decode(PNG_B64)
        .unwrap();
    assert_eq!(bytes.as_ref(), png.as_slice());

    // The requester opens their own mail's original through their access link…
    let mails = app.delivered(&smtp).await;
    let link = mails
        .iter()
        .find(|m| m.to.iter().any(|t| t == "max@example.org"))
        .expect("a confirmation to Max")
        .access_link();
    let max = app.client();
    assert_eq!(
        max.get(&link).send().await.unwrap().status(),
        StatusCode::OK
    );
    let (_, ticket) = get(&max, &app, &format!("/tickets/{number}")).await;
    let mine = attr_starting(&ticket, "href", &format!("/tickets/{number}/entries/"))
        .expect("the requester's link to the original");
    let (status, html) = get(&max, &app, &mine).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("steal()") && !html.contains("tracker.example"));
    let img = attr_starting(&html, "src", "/attachments/").expect("the inline image");
    let res = max.get(app.url(&img)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), png.as_slice());

    // Held for an agent (as a forged reply is), neither the original nor its files reach
    // the requester, whatever URL they know; agents still see both.
    let held_entry = mine
        .trim_end_matches("/original")
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    app.exec(&format!(
        "UPDATE thread_entry SET held = TRUE WHERE thread_entry_id = {held_entry}"
    ))
    .await;
    assert_eq!(get(&max, &app, &mine).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        max.get(app.url(&img)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin.get(app.url(&original)).send().await.unwrap().status(),
        StatusCode::OK
    );
    app.exec(&format!(
        "UPDATE thread_entry SET held = FALSE WHERE thread_entry_id = {held_entry}"
    ))
    .await;

    // An agent's out-of-office answer by mail is an internal note: its original is the
    // agents' only.
    // The administrator hands the ticket to Nadine; her mail program answers the alert.
    let nadine_id = nadine(&app).await;
    let ticket_url = app.url(&format!("/agent/tickets/{number}"));
    let token = csrf(&admin, &ticket_url).await;
    let res = admin
        .post(format!("{ticket_url}/action"))
        .form(&[
            ("csrf", token.as_str()),
            ("do", "assign"),
            ("agent", &nadine_id.0.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let alert = app
        .delivered(&smtp)
        .await
        .into_iter()
        .find(|m| m.to.iter().any(|t| t == "nadine@tessera.test"))
        .expect("Nadine is alerted")
        .message_id;
    let away = eml(&format!(
        "From: Nadine S. <nadine@tessera.test>
To: helpdesk@tessera.test
Subject: Abwesend: [#{number}] Entwurf Flyer
Auto-Submitted: auto-replied
In-Reply-To: <{alert}>
Message-ID: <away-1@tessera.test>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<p>Ich bin bis Montag nicht im B&uuml;ro.</p>"
    ));
    match ingest(&app, &away).await {
        IngestOutcome::Added { kind, .. } => assert_eq!(kind, EntryKind::Note),
        other => panic!("expected a note, got {other:?}"),
    }
    let (_, page) = get(&admin, &app, &format!("/agent/tickets/{number}")).await;
    let note = page
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .filter(|u| u.ends_with("/original"))
        .nth(1)
        .expect("the note's original")
        .to_owned();
    let (status, html) = get(&admin, &app, &note).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("nicht im Büro"), "{html}");
    let entry = note
        .trim_end_matches("/original")
        .rsplit('/')
        .next()
        .unwrap();
    let path = format!("/tickets/{number}/entries/{entry}/original");
    assert_eq!(get(&max, &app, &path).await.0, StatusCode::NOT_FOUND);

    // …and not another ticket's, whichever number the URL names.
    let (_, theirs) = get(&admin, &app, &format!("/agent/tickets/{other}")).await;
    let theirs = attr_starting(&theirs, "href", &format!("/agent/tickets/{other}/entries/"))
        .expect("the other ticket's original");
    let entry = theirs
        .trim_end_matches("/original")
        .rsplit('/')
        .next()
        .unwrap();
    for path in [
        format!("/tickets/{other}/entries/{entry}/original"),
        format!("/tickets/{number}/entries/{entry}/original"),
    ] {
        assert_eq!(
            get(&max, &app, &path).await.0,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // Agents, too, reach an entry only through its own ticket.
    let wrong = format!("/agent/tickets/{number}/entries/{entry}/original");
    assert_eq!(get(&admin, &app, &wrong).await.0, StatusCode::NOT_FOUND);
    // A visitor without a session sees nothing.
    assert_eq!(
        get(&app.client(), &app, &mine).await.0,
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}

#[tokio::test]
async fn quarantined_mail_is_listed_downloadable_and_processed_again_by_administrators_only() {
    let app = TestApp::start().await;
    chefin(&app).await;
    let broken = b"\x00\x01\x02 garbage \xff\xfe\r\n".to_vec();
    let id = match ingest(&app, &broken).await {
        IngestOutcome::Quarantined {
            inbound_message_id, ..
        } => inbound_message_id,
        other => panic!("expected quarantine, got {other:?}"),
    };
    let no_sender = eml("To: helpdesk@tessera.test\nSubject: Wer bin ich\n\nOhne Absender.");
    assert!(matches!(
        ingest(&app, &no_sender).await,
        IngestOutcome::Quarantined { .. }
    ));
    let own = eml("From: helpdesk@tessera.test\nTo: helpdesk@tessera.test\nSubject: Echo\n\nx");
    assert!(matches!(
        ingest(&app, &own).await,
        IngestOutcome::Ignored { .. }
    ));

    let admin = sign_in(&app, "chefin", PASSWORD).await;
    let (_, overview) = get(&admin, &app, "/agent/admin").await;
    assert!(overview.contains("href=\"/agent/admin/mail-in\""));
    let (status, list) = get(&admin, &app, "/agent/admin/mail-in").await;
    assert_eq!(status, StatusCode::OK);
    // Newest first: the message without sender, then the unreadable one.
    let wer = list
        .find("Wer bin ich")
        .expect("the subject that could be read");
    let garbage = list
        .find(" garbage ")
        .expect("the first line of the unreadable one");
    assert!(wer < garbage);
    // Reasons are stored as keys and read in the administrator's language.
    assert!(list.contains("Die Nachricht hat keinen Absender."));
    assert!(!list.contains("@mail-in-reason"));
    assert!(list.contains(&format!("/agent/admin/mail-in/{id}/raw")));
    assert!(list.contains(&format!("/agent/admin/mail-in/{id}/retry")));
    assert!(!list.contains("Echo"));
    let (_, ignored) = get(&admin, &app, "/agent/admin/mail-in?status=ignored").await;
    assert!(ignored.contains("Echo") && ignored.contains("Von Tesseras eigener Adresse"));
    assert!(!ignored.contains("/retry\""));

    // The raw download is the exact bytes, as a download nothing renders.
    let res = admin
        .get(app.url(&format!("/agent/admin/mail-in/{id}/raw")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers().clone();
    assert_eq!(h[header::CONTENT_TYPE], "message/rfc822");
    assert!(
        h[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(
        h[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), broken.as_slice());

    // Processing it again with nothing fixed keeps it quarantined, audited.
    let res = retry(&admin, &app, id).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.url().query().unwrap_or("").contains("done=quarantined"));
    assert!(res.text().await.unwrap().contains("bleibt in Quarantäne"));
    assert_eq!(
        app.count(&format!(
            "inbound_message WHERE inbound_message_id = {id} AND status = 'quarantined' \
             AND error IS NOT NULL"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count(&format!(
            "audit_log WHERE action = 'inbound-retry' AND target = 'inbound_message {id}'"
        ))
        .await,
        1
    );
    // A retry without the form's token is not done: the list again, with the message.
    let res = admin
        .post(app.url(&format!("/agent/admin/mail-in/{id}/retry")))
        .form(&[("csrf", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.url().query().unwrap_or("").contains("error=error-csrf"));
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Das Formular war zu lange geöffnet")
    );

    // Agents who are not administrators get nothing, not even a hint.
    nadine(&app).await;
    let agent = sign_in(&app, "nadine", PASSWORD).await;
    for path in [
        "/agent/admin/mail-in".to_owned(),
        "/agent/admin/mail-in?status=ignored".to_owned(),
        format!("/agent/admin/mail-in/{id}/raw"),
    ] {
        assert_eq!(
            get(&agent, &app, &path).await.0,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let res = retry(&agent, &app, id).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("audit_log WHERE action = 'inbound-retry'").await,
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn a_message_that_works_now_ends_done_and_the_list_pages_by_key() {
    let app = TestApp::start().await;
    chefin(&app).await;
    // A message that could not be routed when it came (no department took mail) and was
    // quarantined for it, as an older version did.
    app.exec("UPDATE department SET is_active = FALSE").await;
    let raw = eml("From: Max Mueller <max@example.org>
To: helpdesk@tessera.test
Subject: Kommt das an?
Message-ID: <late@example.org>

Hallo!");
    assert!(app.app.ingest_mail(&raw, MailSource::Pipe).await.is_err());
    app.exec("UPDATE inbound_message SET status = 'quarantined', error = 'no department'")
        .await;
    let admin = sign_in(&app, "chefin", PASSWORD).await;
    // Processing it again before the cause is fixed fails outright; the message stays
    // visible in quarantine with the failure as its reason.
    let res = retry(&admin, &app, 1).await;
    assert!(
        res.url()
            .query()
            .unwrap_or("")
            .contains("error=mail-in-retry-failed")
    );
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Die erneute Verarbeitung ist fehlgeschlagen: ")
    );
    assert_eq!(
        app.count(
            "inbound_message WHERE inbound_message_id = 1 AND status = 'quarantined' \
             AND error LIKE '@mail-in-reason-retry-failed%'"
        )
        .await,
        1
    );
    app.exec("UPDATE department SET is_active = TRUE").await;

    // Fifty-one unreadable messages after it: two pages.
    for i in 0..51 {
        let broken = format!("\x00 garbage number {i:02} \x01");
        ingest(&app, broken.as_bytes()).await;
    }
    let (_, first) = get(&admin, &app, "/agent/admin/mail-in").await;
    assert!(first.contains("garbage number 50") && first.contains("garbage number 01"));
    assert!(!first.contains("garbage number 00") && !first.contains("Kommt das an?"));
    let older = attr_starting(
        &first,
        "href",
        "/agent/admin/mail-in?status=quarantined&before=",
    )
    .expect("a link to older messages");
    let (_, second) = get(&admin, &app, &older).await;
    assert!(second.contains("garbage number 00") && second.contains("Kommt das an?"));
    assert!(!second.contains("garbage number 01"));
    assert!(!second.contains("rel=\"next\""));

    let id: i64 = second
        .split("/agent/admin/mail-in/")
        .filter_map(|s| s.split('/').next()?.parse().ok())
        .min()
        .expect("the first message's id");
    let res = retry(&admin, &app, id).await;
    assert!(res.url().query().unwrap_or("").contains("done=done"));
    assert_eq!(
        app.count(&format!(
            "inbound_message WHERE inbound_message_id = {id} AND status = 'done' \
             AND error IS NULL AND ticket_id IS NOT NULL"
        ))
        .await,
        1
    );
    assert_eq!(app.count("ticket WHERE subject = 'Kommt das an?'").await, 1);
    // Done is done: a second click changes nothing.
    let res = retry(&admin, &app, id).await;
    assert!(
        res.url()
            .query()
            .unwrap_or("")
            .contains("error=mail-in-not-quarantined")
    );
    assert_eq!(app.count("ticket WHERE subject = 'Kommt das an?'").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn in_a_real_browser_the_quote_unfolds_and_the_inline_image_shows_with_nothing_remote() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = TestApp::start_with(Box::new(move |c| c.smtp_url = Some(url))).await;
    let number = opened(
        &ingest(
            &app,
            &html_mail("Max Mueller <max@example.org>", "html-1@example.org"),
        )
        .await,
    );
    let reply = eml(&format!(
        "From: Max Mueller <max@example.org>
To: helpdesk@tessera.test
Subject: Re: [#{number}] Entwurf Flyer
Message-ID: <reply-1@example.org>

Passt so, danke!

Am 01.12.2026 um 10:01 schrieb Support <helpdesk@tessera.test>:
> Hier ist der Entwurf.
"
    ));
    assert!(matches!(
        ingest(&app, &reply).await,
        IngestOutcome::Added { .. }
    ));
    let mails = app.delivered(&smtp).await;
    let link = mails
        .iter()
        .find(|m| m.to.iter().any(|t| t == "max@example.org"))
        .expect("a confirmation to Max")
        .access_link();

    let b = Browser::start().await;
    b.goto(&link).await;
    assert!(
        b.source().await.contains("Passt so, danke!"),
        "the ticket page"
    );
    // Chromium skips the content of a closed <details> (content-visibility), so ask whether
    // the quote is visible rather than measure it.
    const QUOTE: &str = "const d = document.querySelector('details.entry-quoted'); \
        const q = d.querySelector('.quoted-text'); \
        return [d.open, q.checkVisibility(), q.innerText]";
    let folded = b.js(QUOTE).await;
    assert_eq!(
        (&folded[0], &folded[1]),
        (&false.into(), &false.into()),
        "{folded}"
    );
    b.click("details.entry-quoted summary").await;
    let shown = b.js(QUOTE).await;
    b.screenshot("mail-ticket-quote-open").await;
    assert_eq!(
        (&shown[0], &shown[1]),
        (&true.into(), &true.into()),
        "{shown}"
    );
    assert!(
        shown[2]
            .as_str()
            .unwrap()
            .contains("> Hier ist der Entwurf."),
        "{shown}"
    );

    let original = b
        .js("return document.querySelector('.entry-original a').href")
        .await;
    b.goto(original.as_str().unwrap()).await;
    let seen = b
        .js(
            "const i = document.querySelector('.mail-original img[src^=\"/attachments/\"]'); \
             return [i.complete, i.naturalWidth, \
                     performance.getEntriesByType('resource').map(r => r.name)]",
        )
        .await;
    b.screenshot("mail-original").await;
    assert_eq!(seen[0], true, "{seen}");
    assert_eq!(seen[1], 1, "the inline image is shown: {seen}");
    let loaded = seen[2].as_array().unwrap();
    assert!(
        loaded
            .iter()
            .all(|u| u.as_str().unwrap().starts_with(&app.base)),
        "only Tessera's own resources load: {loaded:?}"
    );
    assert_eq!(
        b.js("return document.querySelectorAll('script:not([src]), [onclick]').length")
            .await,
        0
    );
    b.quit().await;
    app.stop().await;
}
