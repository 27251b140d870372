//! Everyone involved is told, in words for who they are (issue 23): requester and
//! collaborator, assignee and team member; status changes from the agent UI reach the
//! participants; several changes within the notice window make one mail; the receipt is a
//! well-formed HTML mail with its button before the signature, its files, and "just reply"
//! only when mail comes in. Through a real SMTP server (aiosmtpd).

use reqwest::StatusCode;
use tessera_core::{Actor, NewAgent};
use tessera_domain::{AgentId, DepartmentId, Lang, Role, TeamId};

use crate::{
    portal::{MAX, open},
    support::{Mail, SmtpServer, TestApp, Tweak, csrf, eventually, ticket_form},
};

const PASSWORD: &str = "ein sehr sicheres Passwort 42";

/// The seed's people: Nadine S. and Moritz K. in the press department, Moritz and Vera in
/// the team Social Media; Max opens tickets.
struct World {
    app: TestApp,
    moritz: AgentId,
    social: TeamId,
}

impl World {
    async fn new(smtp: &SmtpServer, merge_secs: i64) -> World {
        let url = smtp.url();
        let tweak: Tweak = Box::new(move |c| {
            c.smtp_url = Some(url);
            c.core.notice_merge_secs = merge_secs;
        });
        let app = TestApp::start_with(tweak).await;
        let core = &app.app;
        let agent = |u: &str, name: &str| NewAgent {
            username: u.into(),
            email: format!("{u}@tessera.test"),
            display_name: name.into(),
            password: PASSWORD.into(),
            is_admin: false,
            lang: Lang::De,
            one_time_password: false,
        };
        let press = DepartmentId(1);
        let mut ids = Vec::new();
        for (u, name) in [
            ("nadine", "Nadine S."),
            ("moritz", "Moritz K."),
            ("vera", "Vera V."),
        ] {
            let id = core.create_agent(Actor::Cli, agent(u, name)).await.unwrap();
            core.set_department_role(Actor::Cli, id, press, Role::Agent)
                .await
                .unwrap();
            ids.push(id);
        }
        let social = core
            .create_team(Actor::Cli, "Social Media", &[ids[1], ids[2]])
            .await
            .unwrap();
        World {
            app,
            moritz: ids[1],
            social,
        }
    }

    async fn login(&self, user: &str) -> reqwest::Client {
        let c = self.app.client();
        let token = csrf(&c, &self.app.url("/agent/login")).await;
        let res = c
            .post(self.app.url("/agent/login"))
            .form(&[
                ("csrf", token.as_str()),
                ("username", user),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert!(res.url().path().starts_with("/agent/queue/"), "{user}");
        c
    }

    /// The first administrator, signed in.
    async fn login_admin(&self) -> reqwest::Client {
        self.app
            .exec("UPDATE agent SET must_change_password = FALSE WHERE username = 'admin'")
            .await;
        let c = self.app.client();
        let token = csrf(&c, &self.app.url("/agent/login")).await;
        let res = c
            .post(self.app.url("/agent/login"))
            .form(&[
                ("csrf", token.as_str()),
                ("username", "admin"),
                ("password", self.app.admin_password.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert!(res.url().path().starts_with("/agent/queue/"));
        c
    }

    /// Max opens a ticket on the portal; its number.
    async fn ticket(&self) -> String {
        let (res, _) = open(&self.app, &self.app.client(), MAX, &[]).await;
        crate::portal::number_from(&crate::portal::final_url(&res))
    }

    /// One of the ticket page's small forms (sidebar actions).
    async fn act(&self, c: &reqwest::Client, number: &str, fields: &[(&str, &str)]) {
        let url = self.app.url(&format!("/agent/tickets/{number}"));
        let token = csrf(c, &url).await;
        let mut form = vec![("csrf", token.as_str())];
        form.extend_from_slice(fields);
        let res = c
            .post(format!("{url}/action"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{fields:?}");
    }

    async fn post(&self, c: &reqwest::Client, number: &str, path: &str, fields: &[(&str, &str)]) {
        let url = self.app.url(&format!("/agent/tickets/{number}"));
        let page = c.get(&url).send().await.unwrap().text().await.unwrap();
        let token = csrf(c, &url).await;
        let seen = page
            .split("name=\"seen\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("0")
            .to_owned();
        let mut all = vec![("seen", seen.as_str())];
        all.extend_from_slice(fields);
        let res = c
            .post(format!("{url}/{path}"))
            .multipart(ticket_form(&token, &all, &[]))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path} {fields:?}");
    }

    async fn add_collaborator(&self, c: &reqwest::Client, number: &str) {
        self.act(
            c,
            number,
            &[
                ("do", "collaborator-add"),
                ("email", "leitung@example.org"),
                ("name", "Lea Leitung"),
            ],
        )
        .await;
    }
}

fn to<'a>(mails: &'a [Mail], addr: &str) -> Vec<&'a Mail> {
    mails
        .iter()
        .filter(|m| m.to.iter().any(|t| t == addr))
        .collect()
}

/// The one mail among `mails` whose text contains `what`.
fn find_one<'a>(mails: &[&'a Mail], what: &str) -> &'a Mail {
    let found: Vec<&&Mail> = mails.iter().filter(|m| m.text.contains(what)).collect();
    assert_eq!(found.len(), 1, "{what}: {mails:#?}");
    found[0]
}

/// No name ending in "." is followed by the sentence's own period, in any part.
fn assert_no_double_period(mails: &[Mail]) {
    for m in mails {
        for part in [&m.subject, &m.text, &m.html] {
            assert!(
                !part.contains("S.."),
                "double period in {:?}: {part}",
                m.subject
            );
        }
    }
}

#[tokio::test]
async fn collaborators_and_team_members_are_addressed_as_what_they_are() {
    let smtp = SmtpServer::start();
    let w = World::new(&smtp, 0).await;
    let nadine = w.login("nadine").await;
    let n = w.ticket().await;
    w.add_collaborator(&nadine, &n).await;
    // To the team: its members are told it is their team's, the participants nothing.
    w.act(
        &nadine,
        &n,
        &[("do", "assign"), ("team", &w.social.0.to_string())],
    )
    .await;
    // Nadine takes it herself: the participants hear that a person is on it.
    w.act(&nadine, &n, &[("do", "claim")]).await;
    w.post(
        &nadine,
        &n,
        "reply",
        &[("body", "Der Entwurf kommt morgen.")],
    )
    .await;
    let mails = w.app.delivered(&smtp).await;

    for member in ["moritz@tessera.test", "vera@tessera.test"] {
        let alerts: Vec<_> = to(&mails, member)
            .into_iter()
            .filter(|m| !m.subject.starts_with("Neues Ticket"))
            .collect();
        assert_eq!(alerts.len(), 1, "{member}: {alerts:#?}");
        assert!(
            alerts[0]
                .subject
                .starts_with("Ihrem Team Social Media zugewiesen"),
            "{}",
            alerts[0].subject
        );
        assert!(
            !alerts[0].subject.contains("Ihnen") && !alerts[0].text.contains("hat Ihnen"),
            "a team's ticket is not 'assigned to you': {}",
            alerts[0].text
        );
        assert!(
            alerts[0]
                .text
                .contains("Ihrem Team Social Media zugewiesen.")
        );
    }

    let max = to(&mails, "max@example.org");
    let texts: Vec<&str> = max.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(max.len(), 3, "receipt, claim, reply: {texts:#?}");
    assert!(
        texts.iter().all(|t| !t.contains("Social Media")),
        "a team transfer is internal: {texts:#?}"
    );
    // (The SMTP server's mailbox does not keep the order of arrival.)
    let find = find_one;
    let claim = find(&max, "kümmert sich jetzt darum");
    assert!(
        claim.text.contains("es gibt Neues zu Ihrem Ticket"),
        "{}",
        claim.text
    );
    assert!(claim.text.contains("• Nadine S. kümmert sich jetzt darum."));
    find(&max, "Nadine S. hat auf Ihr Ticket");

    let lea = to(&mails, "leitung@example.org");
    assert_eq!(lea.len(), 3, "welcome, claim, reply: {lea:#?}");
    for m in &lea {
        assert!(
            !m.text.contains("Ihr Ticket") && !m.text.contains("Ihrem Ticket"),
            "{}",
            m.text
        );
    }
    find(&lea, "hat Sie zum Ticket");
    let notice = find(
        &lea,
        "es gibt Neues zu einem Ticket, an dem Sie beteiligt sind",
    );
    assert!(notice.text.contains("von Max Müller."), "{}", notice.text);
    assert!(
        notice
            .text
            .contains("• Nadine S. kümmert sich jetzt darum.")
    );
    let reply = find(
        &lea,
        "Nadine S. hat auf ein Ticket geantwortet, an dem Sie beteiligt sind",
    );
    assert!(reply.text.contains("Der Entwurf kommt morgen."));
    assert_no_double_period(&mails);

    // A personal assignment says "assigned to you", in the assignee's words.
    w.act(
        &nadine,
        &n,
        &[("do", "assign"), ("agent", &w.moritz.0.to_string())],
    )
    .await;
    let mails = w.app.delivered(&smtp).await;
    let moritz: Vec<_> = to(&mails, "moritz@tessera.test")
        .into_iter()
        .filter(|m| !m.subject.starts_with("Neues Ticket"))
        .collect();
    assert_eq!(moritz.len(), 2, "{moritz:#?}");
    let personal = find(&moritz, "Nadine S. hat Ihnen das Ticket");
    assert!(
        personal.subject.starts_with("Ihnen zugewiesen"),
        "{}",
        personal.subject
    );
    assert!(!personal.text.contains("Team"), "{}", personal.text);
    assert_no_double_period(&mails);
    w.app.stop().await;
}

#[tokio::test]
async fn status_changes_from_the_sidebar_reach_requester_and_collaborator_but_not_the_note() {
    let smtp = SmtpServer::start();
    let w = World::new(&smtp, 0).await;
    let nadine = w.login("nadine").await;
    let n = w.ticket().await;
    w.add_collaborator(&nadine, &n).await;
    w.post(
        &nadine,
        &n,
        "note",
        &[("note", "Nur intern: Budget von 300 Euro.")],
    )
    .await;
    for status in ["resolved", "closed", "open"] {
        w.act(&nadine, &n, &[("do", "status"), ("status", status)])
            .await;
    }
    let mails = w.app.delivered(&smtp).await;
    for (who, first) in [("max@example.org", 1), ("leitung@example.org", 1)] {
        // First the receipt or the welcome, then the three notices.
        let got = to(&mails, who);
        let texts: Vec<&str> = got.iter().map(|m| m.text.as_str()).collect();
        // (The SMTP server's mailbox does not keep the order of arrival.)
        assert_eq!(got.len(), first + 3, "{who}: {texts:#?}");
        for line in [
            "• Das Ticket ist jetzt als erledigt markiert.",
            "• Das Ticket ist jetzt geschlossen.",
            "• Das Ticket ist wieder geöffnet.",
        ] {
            assert_eq!(
                texts.iter().filter(|t| t.contains(line)).count(),
                1,
                "{who}: {line} in {texts:#?}"
            );
        }
    }
    assert!(
        mails
            .iter()
            .all(|m| !m.text.contains("Budget") && !m.html.contains("Budget")),
        "nobody outside is told of the note"
    );

    // Reply and close: one mail to each that says both.
    let before: std::collections::HashSet<String> =
        mails.iter().map(|m| m.message_id.clone()).collect();
    w.post(
        &nadine,
        &n,
        "reply",
        &[("body", "Alles erledigt, danke!"), ("status", "closed")],
    )
    .await;
    let mails = w.app.delivered(&smtp).await;
    let new: Vec<Mail> = mails
        .iter()
        .filter(|m| !before.contains(&m.message_id))
        .cloned()
        .collect();
    let new = &new[..];
    for who in ["max@example.org", "leitung@example.org"] {
        let got = to(new, who);
        assert_eq!(got.len(), 1, "{who}: {got:#?}");
        assert!(got[0].text.contains("Alles erledigt, danke!"));
        assert!(
            got[0]
                .text
                .contains("Außerdem:\n• Das Ticket ist jetzt geschlossen."),
            "{}",
            got[0].text
        );
    }
    assert_no_double_period(&mails);
    w.app.stop().await;
}

/// The outbox rows waiting as notices: (id, recipient).
async fn waiting(app: &TestApp) -> Vec<(i64, String)> {
    let mut c = app.app.db().conn().await.unwrap();
    let rows = c
        .h()
        .outbox_page(&tessera_store::OutboxFilter::default(), 100)
        .await
        .unwrap();
    drop(c);
    let mut out = Vec::new();
    for r in rows.into_iter().filter(|r| r.status == "pending") {
        let key = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM outbox_mail WHERE outbox_mail_id = {} AND merge_key IS NOT NULL",
                r.outbox_mail_id
            ))
            .await;
        if key == 1 {
            out.push((r.outbox_mail_id, r.recipients));
        }
    }
    out
}

#[tokio::test]
async fn several_changes_by_an_agent_within_the_window_make_one_mail() {
    let smtp = SmtpServer::start();
    // A window no test waits out: the notice goes when an administrator says "retry now".
    let w = World::new(&smtp, 3600).await;
    let nadine = w.login("nadine").await;
    let n = w.ticket().await;
    w.add_collaborator(&nadine, &n).await;
    // Claim, team, agent, status: four changes within a minute.
    w.act(&nadine, &n, &[("do", "claim")]).await;
    w.act(
        &nadine,
        &n,
        &[("do", "assign"), ("team", &w.social.0.to_string())],
    )
    .await;
    w.act(
        &nadine,
        &n,
        &[
            ("do", "assign"),
            ("agent", &w.moritz.0.to_string()),
            ("team", &w.social.0.to_string()),
        ],
    )
    .await;
    w.act(&nadine, &n, &[("do", "status"), ("status", "resolved")])
        .await;
    // Everything else went: receipt, welcome, alerts. The notices wait, one per person.
    let sent_before = eventually("the mail that does not wait", async || {
        let sent = w.app.count("outbox_mail WHERE status = 'sent'").await;
        let pending = w.app.count("outbox_mail WHERE status = 'pending'").await;
        (pending == 2 && smtp.messages().len() as i64 == sent).then_some(sent as usize)
    })
    .await;
    let notices = waiting(&w.app).await;
    let mut recipients: Vec<&str> = notices.iter().map(|(_, r)| r.as_str()).collect();
    recipients.sort();
    assert_eq!(recipients, ["leitung@example.org", "max@example.org"]);
    // The administrators' outbox says why they wait, and until when.
    let admin = w.login_admin().await;
    let page = admin
        .get(w.app.url("/agent/admin/outbox"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        page.matches("auf weitere Änderungen, die in dieselbe E-Mail kommen")
            .count(),
        2,
        "{page}"
    );
    assert!(
        to(
            &smtp
                .messages()
                .iter()
                .map(|r| Mail::parse(r))
                .collect::<Vec<_>>(),
            "max@example.org"
        )
        .len()
            == 1,
        "only the receipt so far"
    );
    // Released now (as the window ending would): one mail each, telling all of it.
    for (id, _) in &notices {
        w.app.app.retry_mail_now(Actor::Cli, *id).await.unwrap();
    }
    let mails = w.app.delivered(&smtp).await;
    assert_eq!(mails.len(), sent_before + 2);
    for who in ["max@example.org", "leitung@example.org"] {
        let got = to(&mails, who);
        let last = find_one(&got, "kümmert sich jetzt darum");
        assert!(
            last.text.contains("• Moritz K. kümmert sich jetzt darum."),
            "{}",
            last.text
        );
        assert!(
            last.text
                .contains("• Das Ticket ist jetzt als erledigt markiert.")
        );
        assert!(
            !last.text.contains("Nadine S. kümmert"),
            "the latest agent only"
        );
        assert!(!last.text.contains("Social Media"), "teams are internal");
    }

    // A reply within the window is not delayed: it takes the waiting notice along.
    let m = w.ticket().await;
    w.act(&nadine, &m, &[("do", "claim")]).await;
    assert_eq!(waiting(&w.app).await.len(), 1);
    w.post(&nadine, &m, "reply", &[("body", "Wir sind dran.")])
        .await;
    let mails = w.app.delivered(&smtp).await;
    assert!(
        waiting(&w.app).await.is_empty(),
        "the notice went with the reply"
    );
    let reply = mails
        .iter()
        .find(|x| x.text.contains("Wir sind dran."))
        .unwrap();
    assert!(
        reply
            .text
            .contains("Außerdem:\n• Nadine S. kümmert sich jetzt darum."),
        "{}",
        reply.text
    );
    assert_eq!(
        mails
            .iter()
            .filter(|x| x.subject.contains(&m) && x.to == vec!["max@example.org"])
            .count(),
        2,
        "receipt and reply"
    );

    // Claimed and given back within the window: nobody is told someone took care of it.
    let g = w.ticket().await;
    w.act(&nadine, &g, &[("do", "claim")]).await;
    assert_eq!(waiting(&w.app).await.len(), 1);
    w.act(&nadine, &g, &[("do", "release")]).await;
    assert!(waiting(&w.app).await.is_empty());

    // Closed and reopened within the window: nothing is left to tell.
    let k = w.ticket().await;
    w.act(&nadine, &k, &[("do", "status"), ("status", "closed")])
        .await;
    assert_eq!(waiting(&w.app).await.len(), 1);
    w.act(&nadine, &k, &[("do", "status"), ("status", "open")])
        .await;
    assert!(waiting(&w.app).await.is_empty());
    w.app.stop().await;
}

/// The tags of an HTML text, as (name, closing?).
fn tags(html: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        let end = rest[i..].find('>').expect("every tag closes") + i;
        let tag = &rest[i + 1..end];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
            .collect();
        out.push((name.to_ascii_lowercase(), tag.starts_with('/')));
        rest = &rest[end + 1..];
    }
    out
}

/// The text of an HTML document outside its tags.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in html.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

async fn receipt(mail_in: bool) -> Mail {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = TestApp::start_with(Box::new(move |c| {
        c.smtp_url = Some(url);
        c.core.mail_in = mail_in;
    }))
    .await;
    let _ = open(
        &app,
        &app.client(),
        MAX,
        &[
            ("Skizze.pdf", b"%PDF-1.4 ...".repeat(200)),
            ("Notiz.txt", b"Hallo Welt!\n".to_vec()),
        ],
    )
    .await;
    let mut mails = app.delivered(&smtp).await;
    app.stop().await;
    mails.retain(|m| m.to == vec!["max@example.org"]);
    assert_eq!(mails.len(), 1);
    mails.remove(0)
}

#[tokio::test]
async fn the_receipt_is_well_formed_with_its_button_before_the_signature_and_its_files() {
    let m = receipt(false).await;
    let html = &m.html;
    // Well-formed: a document with language, charset and title, every element closed.
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("<html lang=\"de\">") && html.contains("<meta charset=\"utf-8\">"));
    let mut open_tags: Vec<String> = Vec::new();
    for (name, closing) in tags(html) {
        if ["br", "meta", "!doctype"].contains(&name.as_str()) {
            continue;
        }
        if closing {
            assert_eq!(open_tags.pop(), Some(name), "{html}");
        } else {
            open_tags.push(name);
        }
    }
    assert!(open_tags.is_empty(), "{html}");
    // The link is a button (an <a>), before the signature, and no URL is shown as text.
    let link = m.access_link();
    let button = html
        .find(&format!("<a href=\"{link}\""))
        .expect("the access link is an <a>");
    let signature = html.find("Ihr Team von").expect("the signature");
    assert!(button < signature, "{html}");
    assert!(!text_of(html).contains("http"), "a raw URL in {html}");
    // The text part keeps the URL.
    assert!(m.text.contains(&link));
    // The files received, with their sizes, in both parts.
    assert!(
        m.text.contains(
            "Diese Anhänge haben wir erhalten:\n• Skizze.pdf (2,3 KB)\n• Notiz.txt (12 B)"
        ),
        "{}",
        m.text
    );
    assert!(
        html.contains("<li>Skizze.pdf (2,3 KB)</li><li>Notiz.txt (12 B)</li>"),
        "{html}"
    );
    // No inbound mail configured: no promise that replying by mail works.
    assert!(!m.text.contains("auf diese E-Mail antworten"), "{}", m.text);

    let m = receipt(true).await;
    assert!(
        m.text
            .contains("Sie können auch einfach auf diese E-Mail antworten.")
    );
    assert!(
        m.html
            .contains("Sie können auch einfach auf diese E-Mail antworten.")
    );
}

/// A waiting notice is a row of the database, nothing in a node's memory: a change on
/// another node, or after a restart, merges into it all the same.
#[tokio::test]
async fn a_waiting_notice_is_merged_from_any_node_and_after_a_restart() {
    let smtp = SmtpServer::start();
    let mut w = World::new(&smtp, 3600).await;
    let nadine = w.login("nadine").await;
    let n = w.ticket().await;
    w.act(&nadine, &n, &[("do", "claim")]).await;
    assert_eq!(waiting(&w.app).await.len(), 1);

    // Node two, on the same database, resolves the ticket.
    let two = w.app.second_node().await;
    let (_, cookie) = two
        .sign_in("moritz", PASSWORD, None, "127.0.0.1")
        .await
        .unwrap();
    let s = two.session(&cookie).await.unwrap().expect("session");
    let moritz = two.session_agent(&s).await.unwrap().expect("moritz");
    two.change_status(moritz.worker(), &n, tessera_domain::TicketStatus::Resolved)
        .await
        .unwrap();
    assert_eq!(waiting(&w.app).await.len(), 1, "merged, not added");

    // After a restart, one more change still finds it.
    w.app.restart().await;
    let nadine = w.login("nadine").await;
    w.act(
        &nadine,
        &n,
        &[("do", "assign"), ("agent", &w.moritz.0.to_string())],
    )
    .await;
    let notices = waiting(&w.app).await;
    assert_eq!(notices.len(), 1, "still one");
    w.app
        .app
        .retry_mail_now(Actor::Cli, notices[0].0)
        .await
        .unwrap();
    let mails = w.app.delivered(&smtp).await;
    let max = to(&mails, "max@example.org");
    assert_eq!(max.len(), 2, "receipt and one notice: {max:#?}");
    let notice = find_one(&max, "es gibt Neues");
    assert!(
        notice
            .text
            .contains("• Moritz K. kümmert sich jetzt darum.")
    );
    assert!(
        notice
            .text
            .contains("• Das Ticket ist jetzt als erledigt markiert.")
    );
    w.app.stop().await;
}

/// Whoever opened a ticket by mail evidently can reply by mail, whatever is configured.
#[tokio::test]
async fn a_ticket_opened_by_mail_is_told_it_may_simply_reply() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = TestApp::start_with(Box::new(move |c| c.smtp_url = Some(url))).await;
    crate::support::ingest(
        &app,
        &crate::support::eml(
            "From: Erika Muster <erika@example.org>\n\
             To: helpdesk@tessera.test\n\
             Subject: Drucker im Flur\n\
             Message-ID: <drucker-1@example.org>\n\
             Date: Mon, 7 Dec 2026 09:00:00 +0100\n\
             Content-Type: text/plain; charset=utf-8\n\
             \n\
             Der Drucker zieht kein Papier ein.\n",
        ),
    )
    .await;
    let mails = app.delivered(&smtp).await;
    let receipt = mails
        .iter()
        .find(|m| m.to == vec!["erika@example.org"])
        .expect("the receipt");
    assert!(
        receipt
            .text
            .contains("Sie können auch einfach auf diese E-Mail antworten."),
        "{}",
        receipt.text
    );
    app.stop().await;
}

/// When the window ends, the mail worker sends the waiting notice by itself.
#[tokio::test]
async fn a_waiting_notice_goes_by_itself_when_its_window_ends() {
    let smtp = SmtpServer::start();
    let w = World::new(&smtp, 1).await;
    let nadine = w.login("nadine").await;
    let n = w.ticket().await;
    w.act(&nadine, &n, &[("do", "claim")]).await;
    let mails = eventually("the notice after its window", async || {
        let mails: Vec<Mail> = smtp.messages().iter().map(|r| Mail::parse(r)).collect();
        to(&mails, "max@example.org")
            .iter()
            .any(|m| m.text.contains("• Nadine S. kümmert sich jetzt darum."))
            .then_some(mails)
    })
    .await;
    assert_eq!(to(&mails, "max@example.org").len(), 2, "receipt and notice");
    w.app.stop().await;
}
