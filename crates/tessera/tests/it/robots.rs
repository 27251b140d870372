//! No mail loops, ever (issue 22): auto-responders answering each other through Tessera,
//! driven round after round through a real SMTP server, stop at once when either is
//! recognised and at the hard cap when none is; automatic mail never speaks for an agent,
//! never reopens a ticket, and the administrators are alerted once.

use std::collections::HashSet;

use tessera_core::{IngestOutcome, Worker};
use tessera_domain::{Agent, DepartmentId, Role, TicketStatus};

use crate::support::{Mail, SmtpServer, TestApp, Tweak, eml, ingest};

/// How an auto-responder marks its answers.
#[derive(Clone, Copy)]
enum Style {
    /// RFC 3834: `Auto-Submitted: auto-replied` and a German auto-reply subject.
    Compliant,
    /// No header, only Outlook's "Automatic reply:" subject.
    SubjectOnly,
    /// Nothing at all: "Re:" and the subject, as a person would write.
    Unmarked,
    /// No header and no subject at all: a reply no person's mail client writes.
    NoSubject,
}

/// A mailbox that answers every mail it gets, at once.
struct Responder {
    address: &'static str,
    style: Style,
}

impl Responder {
    fn answer(&self, to: &Mail, n: usize) -> Vec<u8> {
        let domain = self.address.split('@').nth(1).unwrap();
        let (subject, marker) = match self.style {
            Style::Compliant => (
                format!("Subject: Automatische Antwort: {}\n", to.subject),
                "Auto-Submitted: auto-replied\n",
            ),
            Style::SubjectOnly => (format!("Subject: Automatic reply: {}\n", to.subject), ""),
            Style::Unmarked => (format!("Subject: Re: {}\n", to.subject), ""),
            Style::NoSubject => (String::new(), ""),
        };
        eml(&format!(
            "From: {addr}\nTo: {from}\n{subject}{marker}Message-ID: <answer-{n}@{domain}>\n\
             In-Reply-To: <{mid}>\nReferences: <{mid}>\nContent-Type: text/plain; charset=utf-8\n\n\
             I am out of the office until Monday ({n}).",
            addr = self.address,
            from = to.from,
            mid = to.message_id,
        ))
    }
}

/// Tessera with a real SMTP server; Nadine (an agent of the first department, alerted of
/// new tickets) and Chefin (an administrator).
async fn start(smtp: &SmtpServer, tweak: Tweak) -> (TestApp, Agent) {
    let url = smtp.url();
    let app = TestApp::start_with(Box::new(move |c| {
        c.smtp_url = Some(url);
        tweak(c);
    }))
    .await;
    let id = crate::admin::agent(&app, "nadine", "Nadine S.", false).await;
    app.app
        .set_department_role(tessera_core::Actor::Cli, id, DepartmentId(1), Role::Agent)
        .await
        .unwrap();
    crate::admin::chefin(&app).await;
    let mut c = app.app.db().conn().await.unwrap();
    let nadine = c.h().agent(id).await.unwrap().unwrap();
    drop(c);
    (app, nadine)
}

/// Max asks for a poster: a person's mail that opens a ticket.
async fn max_opens(app: &TestApp) -> String {
    let raw = eml(
        "From: Max Mueller <max@example.org>\nTo: helpdesk@tessera.test\n\
         Subject: Plakat fuer das Nikolausschwimmen\nMessage-ID: <plakat-1@example.org>\n\n\
         Wir braeuchten ein Plakat. Geht das bis naechste Woche?",
    );
    match ingest(app, &raw).await {
        IngestOutcome::Opened {
            number, confirmed, ..
        } => {
            assert!(confirmed);
            number
        }
        other => panic!("expected a new ticket, got {other:?}"),
    }
}

/// Hands every mail Tessera sent to a responder's address to that responder and files its
/// answer through `ingest_mail`, round after round, until Tessera sends nothing new;
/// returns how many rounds brought answers. Fails past `max_rounds`.
async fn run(
    app: &TestApp,
    smtp: &SmtpServer,
    responders: &[Responder],
    max_rounds: usize,
) -> usize {
    let mut seen = HashSet::new();
    let mut rounds = 0;
    let mut n = 0;
    loop {
        let mut answers = Vec::new();
        for mail in app.delivered(smtp).await {
            if !seen.insert(mail.message_id.clone()) {
                continue;
            }
            for r in responders {
                if mail.to.iter().any(|t| t == r.address) {
                    n += 1;
                    answers.push(r.answer(&mail, n));
                }
            }
        }
        if answers.is_empty() {
            return rounds;
        }
        rounds += 1;
        assert!(
            rounds <= max_rounds,
            "the loop still runs after {rounds} rounds"
        );
        for a in answers {
            ingest(app, &a).await;
        }
    }
}

fn to(mails: &[Mail], addr: &str) -> usize {
    mails
        .iter()
        .filter(|m| m.to.iter().any(|t| t == addr))
        .count()
}

/// The administrators' loop alerts (Chefin reads German).
fn loop_alerts(mails: &[Mail]) -> Vec<&Mail> {
    mails
        .iter()
        .filter(|m| {
            m.to.iter().any(|t| t == "chefin@tessera.test")
                && m.subject.contains("Mail-Schleife angehalten")
        })
        .collect()
}

/// The ticket's status, whether it is answered, and whether anyone is assigned.
async fn state(app: &TestApp, number: &str) -> (String, i64, i64) {
    let q =
        |col: &str| format!("SELECT CAST({col} AS BIGINT) FROM ticket WHERE number = '{number}'");
    let status = match app.app.db() {
        tessera_store::Db::Sqlite(d) => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT status FROM ticket WHERE number = '{number}'"
        )))
        .fetch_one(&d.pool)
        .await
        .unwrap(),
        tessera_store::Db::Postgres(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT status FROM ticket WHERE number = '{number}'"
        )))
        .fetch_one(p)
        .await
        .unwrap(),
    };
    (
        status,
        app.scalar(&q("CASE WHEN is_answered THEN 1 ELSE 0 END"))
            .await,
        app.scalar(&q("CASE WHEN assignee_agent_id IS NULL THEN 0 ELSE 1 END"))
            .await,
    )
}

#[tokio::test]
async fn two_auto_responders_stop_at_once_and_never_speak_for_the_absent_agent() {
    absent_agent(Style::SubjectOnly).await;
}

#[tokio::test]
async fn an_agents_auto_reply_without_a_subject_is_a_note_too() {
    absent_agent(Style::NoSubject).await;
}

/// Max's mailbox answers compliantly; Nadine's is not compliant and answers in `style`.
async fn absent_agent(style: Style) {
    let smtp = SmtpServer::start();
    let (app, nadine) = start(&smtp, Box::new(|_| {})).await;
    let number = max_opens(&app).await;
    let responders = [
        Responder {
            address: "max@example.org",
            style: Style::Compliant,
        },
        Responder {
            address: "nadine@tessera.test",
            style,
        },
    ];
    let rounds = run(&app, &smtp, &responders, 5).await;
    eprintln!("marked loop: {rounds} round(s)");
    assert_eq!(
        rounds, 1,
        "each robot answered once and nothing more went out"
    );
    let mails = app.delivered(&smtp).await;
    assert_eq!(to(&mails, "max@example.org"), 1, "only the confirmation");
    assert_eq!(
        to(&mails, "nadine@tessera.test"),
        1,
        "only the new-ticket alert"
    );
    assert!(loop_alerts(&mails).is_empty(), "no cap was reached");
    // Nadine's robot neither claimed nor answered the ticket: its answer is a labelled note.
    assert_eq!(state(&app, &number).await, ("open".into(), 0, 0));
    let entries = |kind: &str, automatic: bool| {
        format!(
            "thread_entry e JOIN ticket t ON t.ticket_id = e.ticket_id \
             WHERE t.number = '{number}' AND e.kind = '{kind}' AND e.automatic IS {} NULL",
            if automatic { "NOT" } else { "" }
        )
    };
    assert_eq!(app.count(&entries("note", true)).await, 1);
    assert_eq!(app.count(&entries("reply", false)).await, 0);
    assert_eq!(app.count(&entries("reply", true)).await, 0);
    assert_eq!(app.count(&entries("message", true)).await, 1);
    assert_eq!(app.count(&entries("message", false)).await, 1);
    // Agents see what a robot wrote, labelled as such.
    let page = crate::admin::sign_in(&app, "nadine", crate::admin::PASSWORD)
        .await
        .get(app.url(&format!("/agent/tickets/{number}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        page.matches("<span class=\"entry-via entry-automatic\">automatische Antwort</span>")
            .count(),
        2,
        "the note and the requester's auto-reply are labelled"
    );

    // On a closed ticket, an auto-reply (here marked only by `X-Autoreply`) is kept and
    // changes nothing; a person's message reopens it.
    let nadine_session = Worker::test_session(&nadine);
    app.app
        .change_status(nadine_session, &number, TicketStatus::Closed)
        .await
        .unwrap();
    let before = app.count("outbox_mail").await;
    let confirmation = app
        .delivered(&smtp)
        .await
        .into_iter()
        .find(|m| m.to.iter().any(|t| t == "max@example.org"))
        .unwrap();
    let answer = |extra: &str, id: &str, text: &str| {
        eml(&format!(
            "From: max@example.org\nTo: helpdesk@tessera.test\nSubject: Re: {}\n{extra}\
             Message-ID: <{id}@example.org>\nIn-Reply-To: <{mid}>\n\n{text}",
            confirmation.subject,
            mid = confirmation.message_id
        ))
    };
    let ooo = answer("X-Autoreply: yes\n", "closed-1", "Bin im Urlaub.");
    assert!(matches!(
        ingest(&app, &ooo).await,
        IngestOutcome::Added { .. }
    ));
    assert_eq!(state(&app, &number).await.0, "closed");
    assert_eq!(app.count("outbox_mail").await, before, "nothing went out");
    let person = answer("", "closed-2", "Doch noch eine Frage.");
    ingest(&app, &person).await;
    assert_eq!(state(&app, &number).await.0, "open", "a person reopens it");
    app.stop().await;
}

#[tokio::test]
async fn a_loop_no_marker_gives_away_is_stopped_by_the_hard_cap() {
    let smtp = SmtpServer::start();
    // Only the ticket's cap (at its default) is under test here.
    let (app, _) = start(&smtp, Box::new(|c| c.core.loop_cap_per_address = 10_000)).await;
    let cap = tessera_core::LOOP_CAP_PER_TICKET;
    assert_eq!(app.app.config().loop_cap_per_ticket, cap);
    let number = max_opens(&app).await;
    let responders = [
        Responder {
            address: "max@example.org",
            style: Style::Unmarked,
        },
        Responder {
            address: "nadine@tessera.test",
            style: Style::Unmarked,
        },
    ];
    let rounds = run(&app, &smtp, &responders, cap as usize + 2).await;
    let by_mail = format!(
        "thread_entry e JOIN ticket t ON t.ticket_id = e.ticket_id \
         JOIN inbound_message im ON im.thread_entry_id = e.thread_entry_id \
         WHERE t.number = '{number}'"
    );
    // The first is Max's request; every answer after it joined the ticket.
    let joined = app.count(&by_mail).await - 1;
    eprintln!("unmarked loop: {joined} answers in {rounds} rounds, cap {cap}");
    assert!(
        joined > cap && joined <= cap + 2,
        "the loop ran until the cap stopped it: {joined} answers in {rounds} rounds"
    );
    // Nothing was lost: every answer is on the ticket; those past the cap are labelled.
    assert_eq!(app.count("inbound_message WHERE status <> 'done'").await, 0);
    assert_eq!(
        app.count(&format!("{by_mail} AND e.automatic IS NOT NULL"))
            .await,
        joined - cap
    );
    let mails = app.delivered(&smtp).await;
    let alerts = loop_alerts(&mails);
    assert_eq!(alerts.len(), 1, "one alert: {alerts:?}");
    assert!(alerts[0].subject.contains(&number), "{}", alerts[0].subject);
    assert!(alerts[0].text.contains(&format!("/agent/tickets/{number}")));
    // More answers this hour still send nothing, and alert nobody again.
    let before = app.count("outbox_mail").await;
    let more = Responder {
        address: "max@example.org",
        style: Style::Unmarked,
    };
    let last = mails
        .iter()
        .find(|m| m.to.iter().any(|t| t == "max@example.org"))
        .unwrap();
    ingest(&app, &more.answer(last, 1000)).await;
    assert_eq!(app.count("outbox_mail").await, before);
    app.stop().await;
}

#[tokio::test]
async fn a_sender_past_its_hourly_cap_opens_tickets_that_send_nothing_on_any_node() {
    let smtp = SmtpServer::start();
    let (app, _) = start(&smtp, Box::new(|c| c.core.loop_cap_per_address = 3)).await;
    // Another helpdesk, unmarked, opening a ticket with every mail — taken in by two nodes
    // in turn: the count is the database's, not a node's.
    let other = app.second_node().await;
    for i in 0..5 {
        let raw = eml(&format!(
            "From: support@other-desk.example\nTo: helpdesk@tessera.test\n\
             Subject: Ticket {i} received\nMessage-ID: <desk-{i}@other-desk.example>\n\n\
             We have received your request."
        ));
        let outcome = if i % 2 == 0 {
            ingest(&app, &raw).await
        } else {
            other
                .ingest_mail(&raw, tessera_core::MailSource::Pipe)
                .await
                .unwrap()
        };
        match outcome {
            IngestOutcome::Opened { confirmed, .. } => assert_eq!(confirmed, i < 3, "mail {i}"),
            other => panic!("expected a new ticket, got {other:?}"),
        }
    }
    let mails = app.delivered(&smtp).await;
    assert_eq!(to(&mails, "support@other-desk.example"), 3);
    assert_eq!(
        to(&mails, "nadine@tessera.test"),
        3,
        "no alerts past the cap"
    );
    let alerts = loop_alerts(&mails);
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(alerts[0].subject.contains("support@other-desk.example"));
    assert_eq!(app.count("ticket").await, 5, "nothing is lost");
    assert_eq!(
        app.count("thread_entry WHERE automatic IS NOT NULL").await,
        2
    );
    app.stop().await;
}

#[tokio::test]
async fn a_read_receipt_lands_quietly_on_its_ticket_and_a_stray_one_is_set_aside() {
    let smtp = SmtpServer::start();
    let (app, _) = start(&smtp, Box::new(|_| {})).await;
    let number = max_opens(&app).await;
    let mails = app.delivered(&smtp).await;
    let confirmation = mails
        .iter()
        .find(|m| m.to.iter().any(|t| t == "max@example.org"))
        .unwrap();
    // Thunderbird's receipt names the original only in its report part.
    let receipt = |original: &str, id: &str| {
        eml(&format!(
            "From: max@example.org\nTo: helpdesk@tessera.test\nSubject: Gelesen: Plakat\n\
             Message-ID: <{id}@example.org>\nMIME-Version: 1.0\n\
             Content-Type: multipart/report; report-type=disposition-notification; boundary=\"r\"\n\n\
             --r\nContent-Type: text/plain; charset=utf-8\n\nDie Nachricht wurde angezeigt.\n\
             --r\nContent-Type: message/disposition-notification\n\n\
             Final-Recipient: rfc822; max@example.org\nOriginal-Message-ID: <{original}>\n\
             Disposition: manual-action/MDN-sent-manually; displayed\n--r--\n"
        ))
    };
    let before = app.count("outbox_mail").await;
    let outcome = ingest(&app, &receipt(&confirmation.message_id, "mdn-1")).await;
    assert!(
        matches!(&outcome, IngestOutcome::Added { number: n, .. } if *n == number),
        "{outcome:?}"
    );
    assert_eq!(
        app.count("thread_entry WHERE automatic IS NOT NULL AND body LIKE 'Die Nachricht%'")
            .await,
        1
    );
    assert_eq!(app.count("outbox_mail").await, before, "nobody is told");
    let stray = ingest(&app, &receipt("somewhere@else.example", "mdn-2")).await;
    assert!(matches!(stray, IngestOutcome::Ignored { .. }), "{stray:?}");
    assert_eq!(app.count("ticket").await, 1);
    app.stop().await;
}
