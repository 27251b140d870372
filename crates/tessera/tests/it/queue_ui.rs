//! The queue list and the ticket page's tools (issue 23): sortable headers, previous / next
//! pages with their count, page sizes, saved views, the one-save state form, the question
//! before revoking access; in Chromium: the phone layout at 375 px, select-all and the
//! keyboard shortcuts.

use reqwest::StatusCode;
use serde_json::json;
use tessera_core::NewTicketInput;
use tessera_domain::Lang;

use crate::admin::{PASSWORD, agent, chefin, sign_in};
use crate::browser::Browser;
use crate::support::{TestApp, csrf, eventually};

/// Opens a ticket as a requester would through the portal.
async fn ticket(app: &TestApp, i: usize, subject: &str) -> String {
    app.app
        .open_ticket(NewTicketInput {
            email: format!("q{i}@example.org"),
            name: format!("Person {i}"),
            help_topic_id: "1".into(),
            subject: subject.into(),
            body: "Bitte.".into(),
            uploads: vec![],
            lang: Lang::De,
        })
        .await
        .unwrap()
        .number
}

async fn page(c: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let res = c.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.unwrap()
}

/// The ticket numbers of a queue page, in order.
fn numbers_in(page: &str) -> Vec<String> {
    page.split("name=\"t\" value=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .collect()
}

/// The address of the link marked `rel`, as the browser reads it.
fn rel_link(page: &str, rel: &str) -> Option<String> {
    let marker = format!("rel=\"{rel}\"");
    let before = page.split(&marker).next()?;
    page.contains(&marker).then(|| {
        unescape(
            before
                .rsplit("href=\"")
                .next()
                .unwrap()
                .split('"')
                .next()
                .unwrap(),
        )
    })
}

/// The table's head.
fn thead(page: &str) -> &str {
    page.split("<thead>")
        .nth(1)
        .unwrap()
        .split("</thead>")
        .next()
        .unwrap()
}

/// The link of a column header (`col-number`, `col-priority`, …).
fn head_link(page: &str, class: &str) -> String {
    let head = page
        .split("<thead>")
        .nth(1)
        .unwrap()
        .split("</thead>")
        .next()
        .unwrap();
    let th = head.split(&format!("class=\"{class}\"")).nth(1).unwrap();
    let th = th.split("</th>").next().unwrap();
    unescape(
        th.split("href=\"")
            .nth(1)
            .expect("a sortable header")
            .split('"')
            .next()
            .unwrap(),
    )
}

/// `aria-sort` of a column header, if it has one.
fn head_sort(page: &str, class: &str) -> Option<String> {
    let head = page
        .split("<thead>")
        .nth(1)
        .unwrap()
        .split("</thead>")
        .next()
        .unwrap();
    let th = head.split(&format!("class=\"{class}\"")).nth(1).unwrap();
    let th = th.split('>').next().unwrap();
    th.split("aria-sort=\"")
        .nth(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
}

fn unescape(s: &str) -> String {
    s.replace("&#38;", "&").replace("&amp;", "&")
}

/// The pager's "Seite 2 von 3".
fn page_label(page: &str) -> String {
    page.split("class=\"pager-page\" id=\"pager-page\">")
        .nth(1)
        .expect("the pager says which page")
        .split('<')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn sort_headers_link_to_their_order_and_back() {
    let app = TestApp::start().await;
    chefin(&app).await;
    let c = sign_in(&app, "chefin", PASSWORD).await;
    let mut numbers = Vec::new();
    for (i, rank) in [2, 4, 1, 3, 2].into_iter().enumerate() {
        let n = ticket(&app, i, &format!("Sortiert {i}")).await;
        app.exec(&format!(
            "UPDATE ticket SET priority_rank = {rank} WHERE number = '{n}'"
        ))
        .await;
        numbers.push((n, rank));
    }
    let first = page(&c, &app, "/agent/queue/open").await;
    assert_eq!(
        head_sort(&first, "col-activity").as_deref(),
        Some("descending")
    );
    assert_eq!(head_sort(&first, "col-number"), None);
    assert!(
        !thead(&first).contains("class=\"col-subject\"><a"),
        "the subject does not sort"
    );

    // Number: largest first (as every order but the due date), then the other way.
    let by_number = page(&c, &app, &head_link(&first, "col-number")).await;
    let mut expected: Vec<String> = numbers.iter().map(|(n, _)| n.clone()).collect();
    expected.sort();
    expected.reverse();
    assert_eq!(numbers_in(&by_number), expected);
    assert_eq!(
        head_sort(&by_number, "col-number").as_deref(),
        Some("descending")
    );
    assert_eq!(head_sort(&by_number, "col-activity"), None);
    let ascending = page(&c, &app, &head_link(&by_number, "col-number")).await;
    expected.reverse();
    assert_eq!(numbers_in(&ascending), expected);
    assert_eq!(
        head_sort(&ascending, "col-number").as_deref(),
        Some("ascending")
    );

    // Priority: emergency first; equal ranks newest first.
    let by_priority = page(&c, &app, &head_link(&ascending, "col-priority")).await;
    // Equal ranks: the later ticket (larger id) first, as the queue reads its index.
    let mut ranked: Vec<(usize, &(String, i32))> = numbers.iter().enumerate().collect();
    ranked.sort_by(|a, b| (b.1).1.cmp(&(a.1).1).then(b.0.cmp(&a.0)));
    let ranked: Vec<String> = ranked.into_iter().map(|(_, (n, _))| n.clone()).collect();
    assert_eq!(numbers_in(&by_priority), ranked);
    // A filter stays when the order changes.
    let filtered = page(&c, &app, "/agent/queue/open?department=1").await;
    assert!(head_link(&filtered, "col-due").contains("department=1"));
    app.stop().await;
}

#[tokio::test]
async fn previous_and_next_walk_forward_and_back_to_the_same_rows() {
    let app = TestApp::start().await;
    chefin(&app).await;
    let c = sign_in(&app, "chefin", PASSWORD).await;
    for i in 0..60 {
        ticket(&app, i, &format!("Seite {i}")).await;
    }
    // 60 tickets, 25 a page: three pages, walked forward …
    let mut pages = vec![page(&c, &app, "/agent/queue/open?size=25").await];
    while let Some(next) = rel_link(pages.last().unwrap(), "next") {
        assert!(next.contains("size=25"), "the size stays: {next}");
        pages.push(page(&c, &app, &next).await);
        assert!(pages.len() <= 3, "paging does not end");
    }
    let rows: Vec<Vec<String>> = pages.iter().map(|p| numbers_in(p)).collect();
    assert_eq!(rows.iter().map(Vec::len).collect::<Vec<_>>(), [25, 25, 10]);
    let mut all: Vec<String> = rows.concat();
    all.dedup();
    assert_eq!(all.len(), 60, "every ticket once");
    for (i, p) in pages.iter().enumerate() {
        assert_eq!(page_label(p), format!("Seite {} von 3", i + 1));
    }
    assert_eq!(
        rel_link(&pages[0], "prev"),
        None,
        "nothing before the first page"
    );
    // … and back, through the backward cursor, to the same rows.
    let back = rel_link(&pages[2], "prev").unwrap();
    assert!(back.contains("before="), "{back}");
    let second = page(&c, &app, &back).await;
    assert_eq!(numbers_in(&second), rows[1]);
    assert_eq!(page_label(&second), "Seite 2 von 3");
    let first = page(&c, &app, &rel_link(&second, "prev").unwrap()).await;
    assert_eq!(numbers_in(&first), rows[0]);
    assert_eq!(page_label(&first), "Seite 1 von 3");
    // A cursor before the first row (tickets moved meanwhile) shows the first page.
    let stale = back.replace(
        back.split("before=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap(),
        &format!("{}_{}", i64::MAX, i64::MAX),
    );
    let again = page(&c, &app, &stale).await;
    assert_eq!(numbers_in(&again), rows[0]);
    assert_eq!(rel_link(&again, "prev"), None);
    // The next page from a page reached backwards is the one it came from.
    let third = page(&c, &app, &rel_link(&second, "next").unwrap()).await;
    assert_eq!(numbers_in(&third), rows[2]);

    // The default size is 50; 100 holds them all.
    let fifty = page(&c, &app, "/agent/queue/open").await;
    assert_eq!(numbers_in(&fifty).len(), 50);
    assert_eq!(page_label(&fifty), "Seite 1 von 2");
    let hundred = page(&c, &app, "/agent/queue/open?size=100").await;
    assert_eq!(numbers_in(&hundred).len(), 60);
    assert_eq!(page_label(&hundred), "Seite 1 von 1");
    assert_eq!(rel_link(&hundred, "next"), None);
    assert!(hundred.contains("aria-current=\"true\" aria-label=\"100 pro Seite\""));
    // Another size is refused quietly: the default.
    let odd = page(&c, &app, "/agent/queue/open?size=100000").await;
    assert_eq!(numbers_in(&odd).len(), 50);
    // A filter narrows the queue; the tally counts the queue, so the page has no total.
    let filtered = page(&c, &app, "/agent/queue/open?department=1&size=25").await;
    assert_eq!(page_label(&filtered), "Seite 1");
    app.stop().await;
}

/// Walks a queue's pages forward by "next", then back by "previous" from the last one: the
/// same rows, page by page.
async fn walk_both_ways(c: &reqwest::Client, app: &TestApp, first: &str) -> Vec<Vec<String>> {
    let mut forward = vec![page(c, app, first).await];
    while let Some(next) = rel_link(forward.last().unwrap(), "next") {
        forward.push(page(c, app, &next).await);
        assert!(forward.len() <= 10, "paging does not end: {first}");
    }
    let rows: Vec<Vec<String>> = forward.iter().map(|p| numbers_in(p)).collect();
    let mut back = vec![rows.last().unwrap().clone()];
    let mut at = forward.last().unwrap().clone();
    while let Some(prev) = rel_link(&at, "prev") {
        at = page(c, app, &prev).await;
        back.push(numbers_in(&at));
        assert!(back.len() <= 10, "paging back does not end: {first}");
    }
    back.reverse();
    assert_eq!(back, rows, "{first}: back through the same pages");
    rows
}

#[tokio::test]
async fn every_order_pages_back_through_the_rows_it_paged_forward() {
    let app = TestApp::start().await;
    chefin(&app).await;
    let c = sign_in(&app, "chefin", PASSWORD).await;
    // Few distinct priorities and due dates, most tickets without one: pages break in the
    // middle of runs of equal keys, where the ticket id decides, both ways.
    for i in 0..110i64 {
        let n = ticket(&app, i as usize, &format!("Reihe {i}")).await;
        let rank = [3, 2, 2, 1, 4][(i % 5) as usize];
        let due = if i % 4 == 0 {
            (1_900_000_000_000_000 + (i % 3) * 3_600_000_000).to_string()
        } else {
            "NULL".into()
        };
        app.exec(&format!(
            "UPDATE ticket SET priority_rank = {rank}, due_at = {due} WHERE number = '{n}'"
        ))
        .await;
    }
    for sort in ["updated", "number", "due", "priority"] {
        for dir in ["asc", "desc"] {
            let rows = walk_both_ways(
                &c,
                &app,
                &format!("/agent/queue/open?size=25&sort={sort}&dir={dir}"),
            )
            .await;
            let mut all = rows.concat();
            assert_eq!(all.len(), 110, "{sort} {dir}: every ticket");
            all.sort();
            all.dedup();
            assert_eq!(all.len(), 110, "{sort} {dir}: each once");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn saved_views_are_saved_listed_used_and_deleted_by_their_owner_only() {
    let app = TestApp::start().await;
    chefin(&app).await;
    agent(&app, "nadine", "Nadine S.", false).await;
    agent(&app, "moritz", "Moritz K.", false).await;
    let chefin = sign_in(&app, "chefin", PASSWORD).await;
    let nadine = sign_in(&app, "nadine", PASSWORD).await;
    let moritz = sign_in(&app, "moritz", PASSWORD).await;

    let save = |c: &reqwest::Client,
                name: &'static str,
                queue: &'static str,
                query: &'static str,
                shared: bool| {
        let c = c.clone();
        let app_url = app.url("/agent/views");
        let form_url = app.url(&format!("/agent/queue/{queue}"));
        async move {
            let token = csrf(&c, &form_url).await;
            let mut fields = vec![
                ("csrf", token),
                ("name", name.to_owned()),
                ("queue", queue.to_owned()),
                ("query", query.to_owned()),
            ];
            if shared {
                fields.push(("shared", "1".to_owned()));
            }
            c.post(app_url).form(&fields).send().await.unwrap()
        }
    };
    // An administrator shares a view; only what makes a view is kept of the query.
    let res = save(
        &chefin,
        "Alle Dringenden",
        "all",
        "sort=priority&status=open&after=5_5&page=2&x=1",
        true,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.url().as_str(),
        app.url("/agent/queue/all?sort=priority&status=open&done=view-saved")
    );
    let shown = res.text().await.unwrap();
    assert!(shown.contains("Die Ansicht wurde gespeichert."));
    assert!(
        shown.contains("aria-current=\"page\">Alle Dringenden</a>"),
        "the view shown is marked"
    );

    // An agent saves their own; sharing is for administrators, a name is needed.
    let res = save(&nadine, "Nach Nummer", "open", "sort=number&dir=asc", false).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = save(&nadine, "Für alle", "open", "", true).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Nur Administrierende können Ansichten mit allen teilen.")
    );
    let res = save(&nadine, "  ", "open", "", false).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("id=\"view-name-error\">Bitte füllen Sie dieses Feld aus."),
        "the form again, with the error at the name"
    );

    // Nadine sees her own and the shared view; Moritz only the shared one.
    let list = page(&nadine, &app, "/agent/queue/open").await;
    assert!(list.contains("href=\"/agent/queue/open?sort=number&#38;dir=asc\">Nach Nummer</a>"));
    assert!(list.contains(">Alle Dringenden</a> <span class=\"badge\">geteilt</span>"));
    let theirs = page(&moritz, &app, "/agent/queue/open").await;
    assert!(theirs.contains(">Alle Dringenden</a>"));
    assert!(!theirs.contains("Nach Nummer"));

    // Using a view is following its link: the page shows it as the current one.
    let used = page(&nadine, &app, "/agent/queue/open?sort=number&dir=asc").await;
    assert!(used.contains("aria-current=\"page\">Nach Nummer</a>"));

    // The shared view is not Nadine's to delete (no button, and a post is refused).
    let entry = |name: &str| {
        list.split(&format!(">{name}</a>"))
            .nth(1)
            .unwrap()
            .split("</li>")
            .next()
            .unwrap()
            .to_owned()
    };
    assert!(!entry("Alle Dringenden").contains("/delete"));
    let own: i64 = entry("Nach Nummer")
        .split("/agent/views/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let shared_id = app
        .scalar("SELECT saved_view_id FROM saved_view WHERE is_shared")
        .await;
    let token = csrf(&nadine, &app.url("/agent/queue/open")).await;
    let res = nadine
        .post(app.url(&format!("/agent/views/{shared_id}/delete")))
        .form(&[("csrf", token.as_str()), ("back", "/agent/queue/open")])
        .send()
        .await
        .unwrap();
    assert!(
        res.url().as_str().ends_with("error=view-error-not-yours"),
        "{}",
        res.url()
    );
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("nur wer sie gespeichert hat, kann sie löschen")
    );
    assert_eq!(app.count("saved_view").await, 2);
    // Her own she deletes.
    let res = nadine
        .post(app.url(&format!("/agent/views/{own}/delete")))
        .form(&[("csrf", token.as_str()), ("back", "/agent/queue/open")])
        .send()
        .await
        .unwrap();
    let after = res.text().await.unwrap();
    assert!(after.contains("Die Ansicht wurde gelöscht."));
    assert!(!after.contains("Nach Nummer"));
    assert!(after.contains(">Alle Dringenden</a>"));
    // A stale form token deletes nothing.
    let res = chefin
        .post(app.url(&format!("/agent/views/{shared_id}/delete")))
        .form(&[
            ("csrf", "x".repeat(32).as_str()),
            ("back", "/agent/queue/all"),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.url().as_str().ends_with("error=error-csrf"));
    assert_eq!(app.count("saved_view").await, 1);
    app.stop().await;
}

/// Thread events of a ticket.
async fn events(app: &TestApp, number: &str) -> i64 {
    app.scalar(&format!(
        "SELECT COUNT(*) FROM thread_entry e JOIN ticket t ON t.ticket_id = e.ticket_id
         WHERE t.number = '{number}' AND e.kind = 'event'"
    ))
    .await
}

/// Posts one of the ticket page's small forms as `c`; the page it lands on.
async fn act(
    app: &TestApp,
    c: &reqwest::Client,
    number: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let url = app.url(&format!("/agent/tickets/{number}"));
    let token = csrf(c, &url).await;
    let mut form = vec![("csrf", token.as_str())];
    form.extend_from_slice(fields);
    c.post(format!("{url}/action"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn one_save_changes_status_priority_and_due_date_with_an_event_each() {
    let app = TestApp::start().await;
    chefin(&app).await;
    let c = sign_in(&app, "chefin", PASSWORD).await;
    let n = ticket(&app, 1, "Plakat").await;
    let ticket_page = page(&c, &app, &format!("/agent/tickets/{n}")).await;
    assert_eq!(
        ticket_page.matches("name=\"do\" value=\"state\"").count(),
        1,
        "one form"
    );
    assert!(
        !ticket_page.contains("name=\"do\" value=\"priority\""),
        "no form of its own"
    );
    let before = events(&app, &n).await;
    let state = [
        ("do", "state"),
        ("status", "resolved"),
        ("priority", "high"),
        ("due", "2031-01-31"),
    ];
    let res = act(&app, &c, &n, &state).await;
    assert_eq!(res.status(), StatusCode::OK);
    let shown = res.text().await.unwrap();
    assert!(shown.contains("Status, Priorität und Fälligkeit wurden gespeichert."));
    assert!(
        shown.contains("hat den Status von „Offen“ auf „Erledigt“ geändert"),
        "status event"
    );
    assert!(
        shown.contains("hat die Priorität von „Normal“ auf „Hoch“ geändert"),
        "priority event"
    );
    assert!(
        shown.contains("hat die Fälligkeit gesetzt: 2031-01-31"),
        "due event"
    );
    assert_eq!(events(&app, &n).await, before + 3);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM ticket WHERE number = '{n}' AND status = 'resolved'
             AND priority = 'high' AND due_at IS NOT NULL"
        ))
        .await,
        1
    );
    // The same values again change nothing and record nothing; one value, one event.
    act(&app, &c, &n, &state).await;
    assert_eq!(events(&app, &n).await, before + 3);
    act(
        &app,
        &c,
        &n,
        &[
            ("do", "state"),
            ("status", "resolved"),
            ("priority", "low"),
            ("due", "2031-01-31"),
        ],
    )
    .await;
    assert_eq!(events(&app, &n).await, before + 4);
    // A bad date changes nothing at all, not even what was valid.
    let res = act(
        &app,
        &c,
        &n,
        &[
            ("do", "state"),
            ("status", "open"),
            ("priority", "low"),
            ("due", "31.01."),
        ],
    )
    .await;
    assert!(
        res.url().as_str().ends_with("error=error-date"),
        "{}",
        res.url()
    );
    assert_eq!(events(&app, &n).await, before + 4);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM ticket WHERE number = '{n}' AND status = 'resolved'"
        ))
        .await,
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn revoking_access_links_asks_first() {
    let app = TestApp::start().await;
    chefin(&app).await;
    let c = sign_in(&app, "chefin", PASSWORD).await;
    let n = ticket(&app, 1, "Plakat").await;
    let contact = app
        .scalar(&format!(
            "SELECT requester_id FROM ticket WHERE number = '{n}'"
        ))
        .await
        .to_string();
    let ticket_page = page(&c, &app, &format!("/agent/tickets/{n}")).await;
    assert!(ticket_page.contains("class=\"button small danger\">Zugangslinks sperren</button>"));
    assert!(ticket_page.contains("<dialog class=\"confirm-dialog\" id=\"revoke-dialog\""));
    let before = events(&app, &n).await;
    // Without script: a page asks, nothing is revoked yet.
    let res = act(
        &app,
        &c,
        &n,
        &[("do", "revoke-access"), ("contact", &contact)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let question = res.text().await.unwrap();
    assert!(question.contains("<h1>Zugangslinks sperren?</h1>"));
    assert!(question.contains(
        "Alle Zugangslinks von Person 1 zu diesem Ticket funktionieren danach nicht mehr"
    ));
    assert!(question.contains("name=\"confirm\" value=\"1\""));
    assert_eq!(
        events(&app, &n).await,
        before,
        "nothing revoked before the answer"
    );
    // Someone not on the ticket is not asked about.
    let res = act(
        &app,
        &c,
        &n,
        &[("do", "revoke-access"), ("contact", "999999")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Confirmed: revoked.
    let res = act(
        &app,
        &c,
        &n,
        &[
            ("do", "revoke-access"),
            ("contact", &contact),
            ("confirm", "1"),
        ],
    )
    .await;
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("hat die Zugangslinks von q1@example.org gesperrt")
    );
    assert_eq!(events(&app, &n).await, before + 1);
    app.stop().await;
}

/// A browser signed in as the administrator.
async fn browser_signed_in(app: &TestApp) -> Browser {
    let b = Browser::start().await;
    b.goto(&app.url("/agent/login")).await;
    b.type_into("#username", "chefin").await;
    b.type_into("#password", PASSWORD).await;
    b.click("form button[type='submit']").await;
    eventually("signed in", async || {
        b.url().await.contains("/agent/queue/").then_some(())
    })
    .await;
    b
}

#[tokio::test]
async fn on_a_phone_the_queue_is_cards_and_nothing_scrolls_sideways() {
    let app = TestApp::start().await;
    chefin(&app).await;
    let long = "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichenhalterung";
    let mut numbers = Vec::new();
    for i in 0..3 {
        numbers.push(
            ticket(
                &app,
                i,
                &format!("{long} {i} mit einem langen Betreff, der umbrechen muss"),
            )
            .await,
        );
    }
    let b = browser_signed_in(&app).await;
    b.resize(375, 800).await;
    let width = "return [document.documentElement.scrollWidth, window.innerWidth]";
    for path in [
        "/agent/queue/open",
        "/agent/queue/all?department=1",
        &format!("/agent/tickets/{}", numbers[0]),
        "/agent/admin",
        "/agent/admin/agents",
        "/agent/admin/audit",
        "/agent/admin/mail-in",
        "/agent/admin/mailboxes",
        "/agent/admin/outbox",
        "/agent/admin/settings",
        "/agent/admin/settings/mail",
        "/agent/admin/webhooks",
        "/agent/password",
    ] {
        b.goto(&app.url(path)).await;
        let w = b.js(width).await;
        assert!(
            w[1].as_i64().unwrap() <= 375,
            "{path}: the window is a phone's: {w}"
        );
        assert!(
            w[0].as_i64().unwrap() <= w[1].as_i64().unwrap(),
            "{path}: nothing scrolls sideways: {w}"
        );
        assert!(w[0].as_i64().unwrap() <= 375, "{path}: {w}");
        b.screenshot(&format!("phone-{}", path.replace('/', "_")))
            .await;
    }
    // The queue: cards, not a table's rows.
    b.goto(&app.url("/agent/queue/open")).await;
    assert_eq!(
        b.js("return getComputedStyle(document.querySelector('#queue-list tbody tr')).display")
            .await,
        json!("grid")
    );
    b.js("document.getElementById('queue-list').scrollIntoView()")
        .await;
    b.screenshot("phone-queue-cards").await;
    // The header: the agent links fold behind "Menü".
    assert_eq!(
        b.js("return getComputedStyle(document.getElementById('agent-nav')).display")
            .await,
        json!("none")
    );
    b.click(".menu-toggle").await;
    assert_eq!(
        b.js("return getComputedStyle(document.getElementById('agent-nav')).display")
            .await,
        json!("flex")
    );
    // The ticket: claim, assignment and state before the thread.
    b.goto(&app.url(&format!("/agent/tickets/{}", numbers[0])))
        .await;
    let above = b
        .js(
            "const t = document.querySelector('.thread').getBoundingClientRect().top;
             return ['[data-shortcut=claim]', '#assign-agent', '#set-status', '#set-due']
               .map(s => document.querySelector(s).getBoundingClientRect().top < t)",
        )
        .await;
    assert_eq!(above, json!([true, true, true, true]));
    b.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn select_all_and_the_keyboard_shortcuts_work_in_a_browser() {
    let app = TestApp::start().await;
    chefin(&app).await;
    let mut numbers = Vec::new();
    for i in 0..3 {
        numbers.push(ticket(&app, i, &format!("Taste {i}")).await);
    }
    let b = browser_signed_in(&app).await;
    b.resize(1280, 900).await;
    b.goto(&app.url("/agent/queue/open")).await;
    b.screenshot("desktop-queue").await;
    let unlabelled =
        "return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
        .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.name)";
    assert_eq!(
        b.js(unlabelled).await,
        json!([]),
        "every control of the queue is labelled"
    );
    let ticked = "return [...document.querySelectorAll('#queue-list tbody input[name=t]')].map(b => b.checked)";
    assert_eq!(b.js(ticked).await, json!([false, false, false]));
    b.click("[data-select-all]").await;
    assert_eq!(b.js(ticked).await, json!([true, true, true]));
    b.click("[data-select-all]").await;
    assert_eq!(b.js(ticked).await, json!([false, false, false]));

    // ? opens the help, Escape closes it.
    b.press("?").await;
    assert_eq!(
        b.js("return document.getElementById('shortcuts').open")
            .await,
        json!(true)
    );
    let help = b
        .js("return document.getElementById('shortcuts').innerText")
        .await;
    assert!(
        help.as_str().unwrap().contains("Markiertes Ticket öffnen"),
        "{help}"
    );
    b.press("\u{E00C}").await;
    assert_eq!(
        b.js("return document.getElementById('shortcuts').open")
            .await,
        json!(false)
    );

    // / goes to the search; typing there is typing, not a shortcut.
    b.press("/").await;
    assert_eq!(b.js("return document.activeElement.id").await, json!("f-q"));
    b.press("jk").await;
    assert_eq!(
        b.js("return document.getElementById('f-q').value").await,
        json!("jk")
    );
    b.press("\u{E00C}").await;
    assert_eq!(
        b.js("return document.activeElement.id").await,
        json!(""),
        "Esc leaves the field"
    );

    // j j k marks the first row again (newest first: the last ticket opened); Enter opens it.
    b.press("jjk").await;
    let marked = b
        .js("return [...document.querySelectorAll('#queue-list tbody tr')].findIndex(r => r.classList.contains('is-current'))")
        .await;
    assert_eq!(marked, json!(0));
    b.press("j\u{E007}").await;
    let second = app.url(&format!("/agent/tickets/{}", numbers[1]));
    eventually("Enter opens the marked ticket", async || {
        (b.url().await == second).then_some(())
    })
    .await;

    b.screenshot("desktop-ticket").await;
    assert_eq!(
        b.js(unlabelled).await,
        json!([]),
        "every control of the ticket page is labelled"
    );
    // On the ticket: r writes a reply, c claims it.
    b.press("r").await;
    assert_eq!(
        b.js("return document.activeElement.name").await,
        json!("body")
    );
    b.press("\u{E00C}c").await;
    eventually("c claims the ticket", async || {
        b.source()
            .await
            .contains("Sie haben das Ticket übernommen.")
            .then_some(())
    })
    .await;
    b.quit().await;
    app.stop().await;
}
