//! Email in: raw messages in the shapes real clients write become the right tickets,
//! entries and mail — replies by reference and by subject tag, new tickets per department,
//! robots and bounces left unanswered, duplicates and broken messages — and the MTA pipe
//! command with its exit codes.

use std::{
    io::Write,
    process::{Command, Stdio},
};

use tessera_core::{IngestOutcome, MailSource};
use tessera_domain::{Agent, AgentId, EntryKind, Role};

use crate::support::{Mail, SmtpServer, TestApp, TestDb, eml, ingest};

/// One text value from the database.
async fn text(app: &TestApp, sql: &str) -> String {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match app.app.db() {
        tessera_store::Db::Sqlite(d) => sqlx::query_scalar(sql).fetch_one(&d.pool).await.unwrap(),
        tessera_store::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

fn opened(o: &IngestOutcome) -> (String, bool) {
    match o {
        IngestOutcome::Opened {
            number, confirmed, ..
        } => (number.clone(), *confirmed),
        other => panic!("expected a new ticket, got {other:?}"),
    }
}

fn added(o: &IngestOutcome) -> (String, EntryKind) {
    match o {
        IngestOutcome::Added { number, kind, .. } => (number.clone(), *kind),
        other => panic!("expected an entry on a ticket, got {other:?}"),
    }
}

fn to(mails: &[Mail], addr: &str) -> Vec<Mail> {
    mails
        .iter()
        .filter(|m| m.to.iter().any(|t| t == addr))
        .cloned()
        .collect()
}

/// Tessera with a real SMTP server and Nadine, an agent of the first department.
async fn with_nadine(smtp: &SmtpServer) -> (TestApp, Agent) {
    let url = smtp.url();
    let app = TestApp::start_with(Box::new(move |c| c.smtp_url = Some(url))).await;
    let id = crate::admin::agent(&app, "nadine", "Nadine S.", false).await;
    app.app
        .set_department_role(
            tessera_core::Actor::Cli,
            id,
            tessera_domain::DepartmentId(1),
            Role::Agent,
        )
        .await
        .unwrap();
    let agent = agent(&app, id).await;
    (app, agent)
}

async fn agent(app: &TestApp, id: AgentId) -> Agent {
    let mut c = app.app.db().conn().await.unwrap();
    c.h().agent(id).await.unwrap().unwrap()
}

/// Thunderbird, German, quoted-printable UTF-8, format=flowed.
const THUNDERBIRD_NEW: &str = "Return-Path: <max@example.org>
Delivered-To: helpdesk@tessera.test
Message-ID: <b7c1e0a2-5d7e-4a54-9d0b-2f1c7f9e8a11@example.org>
Date: Tue, 1 Dec 2026 09:58:12 +0100
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Content-Language: de-DE
To: helpdesk@tessera.test
From: =?UTF-8?Q?Max_M=C3=BCller?= <max@example.org>
Subject: =?UTF-8?Q?Plakat_f=C3=BCr_das_Nikolausschwimmen?=
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: quoted-printable

Hallo zusammen,

wir br=C3=A4uchten ein Plakat f=C3=BCr das Nikolausschwimmen am 6.12.=20
Geht das bis n=C3=A4chste Woche?

Viele Gr=C3=BC=C3=9Fe
Max M=C3=BCller

--=20
DLRG Ortsgruppe Musterstadt
";

/// Outlook answering in German: "AW:", windows-1252, the original below "Von:/Gesendet:".
fn outlook_reply(in_reply_to: &str, number: &str) -> Vec<u8> {
    eml(&format!(
        "Received: from mail.example.org by mx.tessera.test
From: =?iso-8859-1?Q?M=FCller=2C_Max?= <max@example.org>
To: Support <helpdesk@tessera.test>
Subject: AW: [#{number}] Plakat =?iso-8859-1?Q?f=FCr?= das Nikolausschwimmen
Thread-Topic: [#{number}] Plakat =?iso-8859-1?Q?f=FCr?= das Nikolausschwimmen
Thread-Index: AdrE3kXk2QzQ5nq9Tq6v5s0m0f0a2w==
Date: Tue, 1 Dec 2026 10:15:03 +0000
Message-ID: <AM0PR07MB6178A1B2C3D4E5F6@AM0PR07MB6178.eurprd07.prod.outlook.com>
In-Reply-To: <{in_reply_to}>
References: <{in_reply_to}>
Accept-Language: de-DE, en-US
Content-Language: de-DE
X-MS-Has-Attach:
X-Mailer: Microsoft Outlook 16.0
Content-Type: text/plain; charset=\"windows-1252\"
Content-Transfer-Encoding: quoted-printable
MIME-Version: 1.0

Danke! K=F6nnen wir das Motiv mit dem Rettungsschwimmer nehmen? Gr=FC=DFe

Von: Support <helpdesk@tessera.test>
Gesendet: Dienstag, 1. Dezember 2026 10:01
An: Max M=FCller <max@example.org>
Betreff: [#{number}] Plakat f=FCr das Nikolausschwimmen

Hallo Max M=FCller,
vielen Dank f=FCr Ihre Anfrage.
"
    ))
}

#[tokio::test]
async fn a_reply_to_the_confirmation_lands_in_its_ticket_and_alerts_the_assignee() {
    let smtp = SmtpServer::start();
    let (app, nadine) = with_nadine(&smtp).await;
    let (number, confirmed) = opened(&ingest(&app, &eml(THUNDERBIRD_NEW)).await);
    assert!(confirmed);
    app.app
        .claim(tessera_core::Worker::test_session(&nadine), &number)
        .await
        .unwrap();
    let mails = app.delivered(&smtp).await;
    let confirmation = to(&mails, "max@example.org")
        .into_iter()
        .find(|m| m.subject.starts_with(&format!("[#{number}]")))
        .expect("the requester is confirmed");
    assert_eq!(
        confirmation.subject,
        format!("[#{number}] Plakat für das Nikolausschwimmen")
    );
    // What the requester wrote now is the entry; the signature is folded away, not lost.
    assert_eq!(
        app.count(
            "thread_entry WHERE kind = 'message' AND body LIKE '%Plakat für das Nikolausschwimmen%' \
             AND body NOT LIKE '%DLRG Ortsgruppe%' AND quoted LIKE '%DLRG Ortsgruppe%'"
        )
        .await,
        1
    );

    let reply = outlook_reply(&confirmation.message_id, &number);
    let (n, kind) = added(&ingest(&app, &reply).await);
    assert_eq!((n.as_str(), kind), (number.as_str(), EntryKind::Message));
    assert_eq!(app.count("ticket").await, 1);
    assert_eq!(
        app.count(
            "thread_entry WHERE kind = 'message' AND body = 'Danke! Können wir das Motiv mit dem \
             Rettungsschwimmer nehmen? Grüße' AND quoted LIKE 'Von: Support%'"
        )
        .await,
        1
    );
    let mails = app.delivered(&smtp).await;
    // (Maildir file names do not sort by arrival: mails are told apart by what they say.)
    let alert: Vec<Mail> = to(&mails, "nadine@tessera.test")
        .into_iter()
        .filter(|m| m.subject.starts_with("Neue Nachricht"))
        .collect();
    assert_eq!(alert.len(), 1, "{alert:?}");
    assert!(alert[0].text.contains("Rettungsschwimmer"));
    assert!(
        !alert[0].text.contains("Gesendet:"),
        "the quote is not alerted"
    );
    // The requester hears nothing about their own message.
    assert!(
        !to(&mails, "max@example.org")
            .iter()
            .any(|m| m.text.contains("Rettungsschwimmer"))
    );
    assert_eq!(
        app.count("inbound_message WHERE status = 'done' AND ticket_id IS NOT NULL")
            .await,
        2
    );
    app.stop().await;
}

#[tokio::test]
async fn a_subject_tag_counts_for_the_requester_and_not_for_a_stranger() {
    let app = TestApp::start().await;
    let (number, _) = opened(&ingest(&app, &eml(THUNDERBIRD_NEW)).await);
    // Gmail, English, no references at all: only the tag says which ticket.
    let from_max = eml(&format!(
        "MIME-Version: 1.0
Date: Tue, 1 Dec 2026 11:02:44 +0100
Message-ID: <CAH4kq+Zx2wN9PpQe@mail.gmail.com>
Subject: Re: [#{number}] Plakat
From: Max Mueller <MAX@example.org>
To: helpdesk@tessera.test
Content-Type: multipart/alternative; boundary=\"000000000000a1b2c3\"

--000000000000a1b2c3
Content-Type: text/plain; charset=\"UTF-8\"

One more thing: the pool opens at 9.

On Tue, Dec 1, 2026 at 10:01 AM Support <helpdesk@tessera.test> wrote:
> Hello Max,

--000000000000a1b2c3
Content-Type: text/html; charset=\"UTF-8\"

<div dir=\"ltr\">One more thing: the pool opens at 9.</div>

--000000000000a1b2c3--
"
    ));
    let (n, kind) = added(&ingest(&app, &from_max).await);
    assert_eq!((n.as_str(), kind), (number.as_str(), EntryKind::Message));
    assert_eq!(
        app.count(
            "thread_entry WHERE body = 'One more thing: the pool opens at 9.' \
             AND original_html LIKE '%<div dir=\"ltr\">%'"
        )
        .await,
        1
    );
    // Someone else with the same subject opens a ticket of their own.
    let stranger = String::from_utf8(from_max)
        .unwrap()
        .replace("Max Mueller <MAX@example.org>", "Eve <eve@example.net>")
        .replace("CAH4kq+Zx2wN9PpQe", "CAH4kq+other");
    let (other, _) = opened(&ingest(&app, stranger.as_bytes()).await);
    assert_ne!(other, number);
    assert_eq!(app.count("ticket").await, 2);
    assert_eq!(
        app.count(&format!(
            "thread_entry e JOIN ticket t ON t.ticket_id = e.ticket_id \
             WHERE t.number = '{number}' AND e.kind = 'message'"
        ))
        .await,
        2,
        "Eve's text did not enter Max's ticket"
    );
    // Even a real reference does not let a stranger in: it can be copied from a forward.
    let mid = text(
        &app,
        "SELECT message_id FROM outbox_mail WHERE recipients = 'max@example.org'",
    )
    .await;
    let forwarded = stranger.replace("CAH4kq+other", "CAH4kq+third").replace(
        "Subject: Re:",
        &format!("In-Reply-To: <{mid}>\nSubject: Re:"),
    );
    opened(&ingest(&app, &eml(&forwarded)).await);
    assert_eq!(app.count("ticket").await, 3);
    app.stop().await;
}

#[tokio::test]
async fn new_mail_opens_a_ticket_in_the_department_written_to_and_is_confirmed() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = TestApp::start_with(Box::new(move |c| c.smtp_url = Some(url))).await;
    let it = app
        .app
        .create_department(tessera_core::Actor::Cli, "IT", "it@tessera.test")
        .await
        .unwrap();
    {
        let mut c = app.app.db().begin().await.unwrap();
        c.h()
            .insert_help_topic("Passwort vergessen", "Forgot password", it, 0)
            .await
            .unwrap();
        c.commit().await.unwrap();
    }
    // Apple Mail, to the IT address in Cc.
    let raw = eml("From: Jürgen Schmidt <j.schmidt@example.de>
Content-Type: text/plain;
\tcharset=utf-8
Content-Transfer-Encoding: quoted-printable
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.600.62\\))
Subject: Kein Zugang zum Intranet
Message-Id: <6C1F0D1E-2B6A-4C43-9E59-3C1A0C6E2F3B@example.de>
Date: Tue, 1 Dec 2026 12:30:00 +0100
To: Vorstand <vorstand@example.de>
Cc: it@tessera.test
X-Mailer: Apple Mail (2.3774.600.62)

Seit heute Morgen komme ich nicht mehr ins Intranet.=20

Von meinem iPhone gesendet");
    let (number, confirmed) = opened(&ingest(&app, &raw).await);
    assert!(confirmed);
    assert_eq!(
        app.count(&format!(
            "ticket t JOIN department d ON d.department_id = t.department_id \
             JOIN help_topic h ON h.help_topic_id = t.help_topic_id \
             WHERE t.number = '{number}' AND d.name = 'IT' AND t.source = 'email' \
             AND h.name_en = 'Forgot password' AND t.subject = 'Kein Zugang zum Intranet'"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count("contact WHERE email = 'j.schmidt@example.de' AND name = 'Jürgen Schmidt'")
            .await,
        1
    );
    let mails = smtp.wait_for(1).await;
    let mine = to(&mails, "j.schmidt@example.de");
    assert_eq!(mine.len(), 1);
    assert_eq!(
        mine[0].subject,
        format!("[#{number}] Kein Zugang zum Intranet")
    );
    assert_eq!(mine[0].from, "it@tessera.test");
    assert_eq!(mine[0].auto_submitted.as_deref(), Some("auto-generated"));
    // The sender is not verified: the confirmation repeats the subject only (issue 21).
    assert!(!mine[0].text.contains("Seit heute Morgen"));
    assert!(!mine[0].text.contains("iPhone"));
    // The confirmation is threaded under the mail it confirms.
    assert!(
        smtp.messages().iter().any(|r| String::from_utf8_lossy(r)
            .contains("In-Reply-To: <6C1F0D1E-2B6A-4C43-9E59-3C1A0C6E2F3B@example.de>")),
        "threaded"
    );
    app.stop().await;
}

#[tokio::test]
async fn robots_get_no_confirmation_and_nobody_gets_more_than_the_daily_cap() {
    let app = TestApp::start().await;
    let ooo = eml("From: Petra Vogel <p.vogel@example.com>
To: helpdesk@tessera.test
Subject: Automatische Antwort: Dienstplan
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
Message-ID: <ooo-1@example.com>
Content-Type: text/plain; charset=utf-8

Ich bin bis zum 4.12. nicht im Büro.");
    let (_, confirmed) = opened(&ingest(&app, &ooo).await);
    assert!(!confirmed);
    assert_eq!(
        app.count("outbox_mail WHERE recipients = 'p.vogel@example.com'")
            .await,
        0
    );
    // A list mail opens a ticket but is not answered either.
    let list = eml("From: news@verband.example
To: helpdesk@tessera.test
Subject: Newsletter Dezember
List-Id: <news.verband.example>
Precedence: list
Message-ID: <news-12@verband.example>

Neues aus dem Verband.");
    assert!(!opened(&ingest(&app, &list).await).1);
    // A sender writing again and again gets at most the cap of confirmations a day.
    let cap = tessera_core::AUTO_REPLY_CAP;
    for i in 0..cap + 2 {
        let raw = eml(&format!(
            "From: viel@example.org\nTo: helpdesk@tessera.test\nSubject: Frage {i}\n\
             Message-ID: <frage-{i}@example.org>\n\nNoch eine Frage ({i})."
        ));
        let (_, confirmed) = opened(&ingest(&app, &raw).await);
        assert_eq!(confirmed, i < cap, "message {i}");
    }
    assert_eq!(
        app.count("outbox_mail WHERE recipients = 'viel@example.org'")
            .await,
        cap
    );
    app.stop().await;
}

#[tokio::test]
async fn a_bounce_is_recorded_on_its_ticket_and_answered_by_nothing() {
    let app = TestApp::start().await;
    let (number, _) = opened(&ingest(&app, &eml(THUNDERBIRD_NEW)).await);
    let mid = text(
        &app,
        "SELECT message_id FROM outbox_mail WHERE recipients = 'max@example.org'",
    )
    .await;
    let outbox = app.count("outbox_mail").await;
    // Postfix's delivery status notification, the original's headers inside.
    let bounce = eml(&format!(
        "Return-Path: <>
From: MAILER-DAEMON@mx.example.org (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: helpdesk@tessera.test
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary=\"4A1B2C3D.1733047200/mx.example.org\"
Message-Id: <20261201100000.4A1B2C3D@mx.example.org>

--4A1B2C3D.1733047200/mx.example.org
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.org.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<max@example.org>: host mx.example.org said: 550 5.1.1 User unknown

--4A1B2C3D.1733047200/mx.example.org
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org
Arrival-Date: Tue,  1 Dec 2026 10:00:00 +0100 (CET)

Final-Recipient: rfc822; max@example.org
Original-Recipient: rfc822;max@example.org
Action: failed
Status: 5.1.1

--4A1B2C3D.1733047200/mx.example.org
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Tessera - Support <helpdesk@tessera.test>
To: Max Mueller <max@example.org>
Subject: [#{number}] Plakat
Message-ID: <{mid}>

--4A1B2C3D.1733047200/mx.example.org--
"
    ));
    match ingest(&app, &bounce).await {
        IngestOutcome::Bounced { .. } => {}
        other => panic!("expected a recorded bounce, got {other:?}"),
    }
    assert_eq!(
        app.count(&format!(
            "thread_entry e JOIN ticket t ON t.ticket_id = e.ticket_id \
             WHERE t.number = '{number}' AND e.kind = 'event' \
             AND e.body LIKE 'event-mail-bounced%max@example.org'"
        ))
        .await,
        1
    );
    assert_eq!(app.count("outbox_mail").await, outbox, "nothing answers it");
    assert_eq!(app.count("ticket").await, 1);
    // A bounce for nothing we know is kept and ignored.
    let unknown = String::from_utf8(bounce)
        .unwrap()
        .replace(&mid, "someone-else@example.org")
        .replace("4A1B2C3D@mx", "5B2C3D4E@mx");
    assert!(matches!(
        ingest(&app, unknown.as_bytes()).await,
        IngestOutcome::Ignored { .. }
    ));
    assert_eq!(app.count("ticket").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn the_same_message_twice_is_stored_once_and_a_broken_one_does_not_hold_up_the_next() {
    let app = TestApp::start().await;
    let raw = eml(THUNDERBIRD_NEW);
    opened(&ingest(&app, &raw).await);
    assert!(matches!(
        ingest(&app, &raw).await,
        IngestOutcome::Duplicate { .. }
    ));
    // The same bytes fetched from a mailbox later are known by their hash.
    let imap = MailSource::Imap {
        mailbox: "helpdesk@imap.tessera.test/INBOX".into(),
        uid_validity: 1_733_000_000,
        uid: 17,
    };
    assert!(matches!(
        app.app.ingest_mail(&raw, imap.clone()).await.unwrap(),
        IngestOutcome::Duplicate { .. }
    ));
    // The same mailbox UID fetched twice is one message, even if the bytes differ (a
    // server that rewrote a header).
    let other = eml("From: a@example.org\nTo: helpdesk@tessera.test\nSubject: A\n\nErste.");
    opened(&app.app.ingest_mail(&other, imap.clone()).await.unwrap());
    let rewritten = eml(
        "X-Spam-Score: 0.1\nFrom: a@example.org\nTo: helpdesk@tessera.test\nSubject: A\n\nErste.",
    );
    assert!(matches!(
        app.app.ingest_mail(&rewritten, imap).await.unwrap(),
        IngestOutcome::Duplicate { .. }
    ));
    // One mail to two addresses of Tessera, piped once per address: the copies differ in
    // their trace headers, not in their Message-ID.
    let copy = String::from_utf8(raw.clone()).unwrap().replace(
        "Delivered-To: helpdesk@tessera.test",
        "Delivered-To: it@tessera.test\r\nReceived: from mx2.tessera.test",
    );
    assert!(matches!(
        ingest(&app, copy.as_bytes()).await,
        IngestOutcome::Duplicate { .. }
    ));
    assert_eq!(app.count("inbound_message").await, 3);
    assert_eq!(
        app.count(
            "inbound_message WHERE status = 'ignored' AND error LIKE '@mail-in-reason-copy%'"
        )
        .await,
        1
    );
    assert_eq!(app.count("ticket").await, 2);
    assert_eq!(
        app.count("outbox_mail WHERE recipients = 'max@example.org'")
            .await,
        1
    );

    // Bytes that are no message at all are quarantined raw, and the next mail goes on.
    let broken = b"\x00\x01\x02 garbage \xff\xfe".to_vec();
    match ingest(&app, &broken).await {
        IngestOutcome::Quarantined { error, .. } => assert!(!error.is_empty()),
        other => panic!("expected quarantine, got {other:?}"),
    }
    let no_sender = eml("To: helpdesk@tessera.test\nSubject: Wer bin ich\n\nOhne Absender.");
    assert!(matches!(
        ingest(&app, &no_sender).await,
        IngestOutcome::Quarantined { .. }
    ));
    assert_eq!(
        app.count("inbound_message WHERE status = 'quarantined' AND error IS NOT NULL")
            .await,
        2
    );
    let next = eml("From: b@example.org\nTo: helpdesk@tessera.test\nSubject: B\n\nZweite.");
    opened(&ingest(&app, &next).await);
    assert_eq!(app.count("ticket").await, 3);
    // Mail from Tessera's own address is kept and ignored, never answered.
    let own = eml("From: helpdesk@tessera.test\nTo: helpdesk@tessera.test\nSubject: x\n\nLoop?");
    assert!(matches!(
        ingest(&app, &own).await,
        IngestOutcome::Ignored { .. }
    ));
    assert_eq!(app.count("ticket").await, 3);
    app.stop().await;
}

#[tokio::test]
async fn an_agent_answering_by_email_writes_a_reply_that_reaches_the_requester() {
    let smtp = SmtpServer::start();
    let (app, nadine) = with_nadine(&smtp).await;
    let (number, _) = opened(&ingest(&app, &eml(THUNDERBIRD_NEW)).await);
    let mails = app.delivered(&smtp).await;
    let alert = to(&mails, "nadine@tessera.test")
        .into_iter()
        .find(|m| m.subject.starts_with("Neues Ticket"))
        .expect("Nadine is alerted of the new ticket");
    // Nadine answers the alert from Thunderbird.
    let answer = eml(&format!(
        "Message-ID: <9d8c7b6a-1111-2222-3333-444455556666@tessera.test>
Date: Tue, 1 Dec 2026 10:30:00 +0100
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: Re: {subject}
To: helpdesk@tessera.test
References: <{mid}>
In-Reply-To: <{mid}>
From: Nadine S. <Nadine@tessera.test>
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: quoted-printable

Hallo Herr M=C3=BCller, das Plakat ist bis Donnerstag fertig.

Am 01.12.26 um 10:00 schrieb Tessera:
> Neues Ticket
",
        subject = alert.subject,
        mid = alert.message_id
    ));
    // Someone who writes Nadine's address into From, answering the confirmation Max got,
    // is no agent: the mail becomes a ticket of its own, not a reply in Nadine's name.
    let confirmation = to(&mails, "max@example.org")
        .into_iter()
        .next()
        .expect("Max's confirmation");
    let forged = String::from_utf8(answer.clone())
        .unwrap()
        .replace(&alert.message_id, &confirmation.message_id)
        .replace("9d8c7b6a-1111", "forged-1111");
    assert!(
        matches!(
            ingest(&app, forged.as_bytes()).await,
            IngestOutcome::Opened { .. }
        ),
        "a forged agent reply opens a ticket of its own"
    );
    let (n, kind) = added(&ingest(&app, &answer).await);
    assert_eq!((n.as_str(), kind), (number.as_str(), EntryKind::Reply));
    assert_eq!(
        app.count(&format!(
            "ticket t JOIN agent a ON a.agent_id = t.assignee_agent_id \
             WHERE t.number = '{number}' AND a.username = 'nadine' AND t.is_answered"
        ))
        .await,
        1,
        "the reply claims the unassigned ticket, as in the agent area"
    );
    let mails = app.delivered(&smtp).await;
    let to_max = to(&mails, "max@example.org");
    assert_eq!(to_max.len(), 2, "the confirmation and the reply");
    let reply: Vec<Mail> = to_max
        .into_iter()
        .filter(|m| m.text.contains("Nadine S."))
        .collect();
    assert_eq!(reply.len(), 1, "{reply:?}");
    assert!(
        reply[0]
            .text
            .contains("das Plakat ist bis Donnerstag fertig")
    );
    assert!(!reply[0].text.contains("schrieb Tessera"));
    assert!(
        reply[0].text.contains("/access/"),
        "with the requester's link"
    );

    // Nadine's out-of-office answer to the next alert is a note, never a reply to Max.
    let ooo = String::from_utf8(answer)
        .unwrap()
        .replace(
            "User-Agent: Mozilla Thunderbird",
            "Auto-Submitted: auto-replied",
        )
        .replace("9d8c7b6a-1111", "9d8c7b6a-2222")
        .replace(
            "Hallo Herr M=C3=BCller, das Plakat ist bis Donnerstag fertig.",
            "Ich bin bis Montag nicht im B=C3=BCro.",
        );
    let (_, kind) = added(&ingest(&app, ooo.as_bytes()).await);
    assert_eq!(kind, EntryKind::Note);

    // A collaborator answers from their own mail client: the tag is enough for them.
    app.app
        .add_collaborator(
            tessera_core::Worker::test_session(&nadine),
            &number,
            "moritz@example.org",
            "Moritz K.",
        )
        .await
        .unwrap();
    let moritz = eml(&format!(
        "From: Moritz K. <moritz@example.org>\nTo: helpdesk@tessera.test\n\
         Subject: Re: [#{number}] Plakat\nMessage-ID: <m1@example.org>\n\n\
         Ich helfe beim Aufhaengen."
    ));
    let (_, kind) = added(&ingest(&app, &moritz).await);
    assert_eq!(kind, EntryKind::Message);
    let mails = app.delivered(&smtp).await;
    assert!(
        !to(&mails, "max@example.org")
            .iter()
            .any(|m| m.text.contains("nicht im")),
        "the out-of-office answer reached nobody"
    );
    assert_eq!(
        app.count(&format!(
            "thread_entry e JOIN ticket t ON t.ticket_id = e.ticket_id WHERE t.number = '{number}' \
             AND ((e.kind = 'note' AND e.body LIKE 'Ich bin bis Montag%') \
               OR (e.kind = 'message' AND e.body LIKE 'Ich helfe%'))"
        ))
        .await,
        2
    );
    app.stop().await;
}

#[tokio::test]
async fn an_oversized_attachment_is_dropped_with_a_note_and_the_text_kept() {
    let app = TestApp::start_with(Box::new(|c| c.core.attachment_max_total = 4000)).await;
    let small = "Datum;Schicht\n06.12.;Frueh\n";
    let big = "A".repeat(6000);
    let b64 = |s: &str| {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(s)
    };
    let raw = eml(&format!(
        "From: Max <max@example.org>
To: helpdesk@tessera.test
Subject: Dienstplan und Foto
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=\"----=_Part_1\"

------=_Part_1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Anbei der Dienstplan und das Foto für den Aushang.
------=_Part_1
Content-Type: text/csv; name=\"dienstplan.csv\"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename=\"dienstplan.csv\"

{}
------=_Part_1
Content-Type: image/jpeg; name=\"Foto Aushang.jpg\"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename=\"Foto Aushang.jpg\"

{}
------=_Part_1--
",
        b64(small),
        b64(&big)
    ));
    let (number, _) = opened(&ingest(&app, &raw).await);
    assert_eq!(
        app.count("attachment WHERE filename = 'dienstplan.csv' AND content_type = 'text/csv'")
            .await,
        1
    );
    assert_eq!(
        app.count("attachment").await,
        1,
        "the big photo is not kept"
    );
    let body = text(
        &app,
        &format!(
            "SELECT e.body FROM thread_entry e JOIN ticket t ON t.ticket_id = e.ticket_id \
             WHERE t.number = '{number}' AND e.kind = 'message'"
        ),
    )
    .await;
    assert!(
        body.starts_with("Anbei der Dienstplan und das Foto für den Aushang."),
        "{body}"
    );
    assert!(
        body.contains("„Foto Aushang.jpg“ wurde nicht übernommen"),
        "{body}"
    );
    app.stop().await;
}

fn tessera(data: &std::path::Path, db: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tessera"));
    c.arg("--data-dir")
        .arg(data)
        .args(["--database-url", db])
        .env("TESSERA_LOG", "warn");
    c
}

/// Runs `tessera mail ingest` with `input` on standard input.
fn pipe(data: &std::path::Path, db: &str, input: &[u8]) -> (i32, String) {
    let mut child = tessera(data, db)
        .args(["mail", "ingest"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_mta_pipe_stores_mail_and_asks_for_a_retry_when_it_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path()).await;
    let raw = eml(THUNDERBIRD_NEW);
    let (code, stderr) = pipe(dir.path(), &db.url, &raw);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("stored: new ticket"), "{stderr}");
    let (code, stderr) = pipe(dir.path(), &db.url, &raw);
    assert_eq!(code, 0, "a duplicate is safe too: {stderr}");
    assert!(stderr.contains("duplicate"), "{stderr}");
    let (code, _) = pipe(dir.path(), &db.url, b"");
    assert_eq!(code, 65, "empty input is unusable data");
    let (code, stderr) = pipe(dir.path(), &db.url, b"\x00\x01 not mail");
    assert_eq!(code, 0, "quarantined is stored: {stderr}");
    assert!(stderr.contains("quarantined"), "{stderr}");
    {
        let store = tessera_store::Db::connect(&db.url).await.unwrap();
        let mut c = store.conn().await.unwrap();
        assert_eq!(c.h().ticket_count().await.unwrap(), 1);
        drop(c);
        store.close().await;
    }
    // No database: the MTA keeps the message and tries again later.
    let nowhere = format!(
        "sqlite:{}",
        dir.path().join("missing/folder/tessera.db").display()
    );
    let (code, stderr) = pipe(dir.path(), &nowhere, &raw);
    assert_eq!(code, 75, "{stderr}");
    assert!(stderr.contains("temporary failure"), "{stderr}");
    // A PostgreSQL server that does not answer (after the pool's wait of 10 seconds).
    let (code, stderr) = pipe(dir.path(), "postgres://tessera@127.0.0.1:1/tessera", &raw);
    assert_eq!(code, 75, "{stderr}");
    assert!(!stderr.contains("password"), "{stderr}");
    db.drop_db().await;
}

#[tokio::test]
async fn a_message_kept_before_a_crash_is_finished_once() {
    let app = TestApp::start().await;
    // As a crash leaves it: the raw message committed, nothing else.
    let raw =
        eml("From: a@example.org\nTo: helpdesk@tessera.test\nSubject: Nach dem Absturz\n\nHallo.");
    {
        let mut c = app.app.db().begin().await.unwrap();
        let id = c
            .h()
            .insert_inbound(&tessera_store::NewInbound {
                source: "pipe",
                mailbox: None,
                uid_validity: None,
                uid: None,
                sha256: "0000000000000000000000000000000000000000000000000000000000000001",
                raw: &raw,
            })
            .await
            .unwrap();
        assert!(id.is_some());
        c.commit().await.unwrap();
    }
    let done = app.app.ingest_stored(10, 0).await.unwrap();
    assert_eq!(done.len(), 1);
    opened(&done[0]);
    assert!(app.app.ingest_stored(10, 0).await.unwrap().is_empty());
    assert_eq!(app.count("ticket").await, 1);

    // The MTA delivering again after a failure finishes a kept message instead of
    // calling it a duplicate.
    let again =
        eml("From: b@example.org\nTo: helpdesk@tessera.test\nSubject: Zweiter Versuch\n\nHallo.");
    opened(&ingest(&app, &again).await);
    app.exec("UPDATE inbound_message SET status = 'stored' WHERE inbound_message_id = 2")
        .await;
    app.exec("DELETE FROM outbox_mail").await;
    // (Only the row's status is rewound here; a real crash rolls the whole transaction back.)
    let second = ingest(&app, &again).await;
    opened(&second);
    assert!(matches!(
        ingest(&app, &again).await,
        IngestOutcome::Duplicate { .. }
    ));
    app.stop().await;
}

#[tokio::test]
async fn an_html_mail_keeps_its_inline_image_and_its_html() {
    let app = TestApp::start().await;
    let raw = eml("From: Max Mueller <max@example.org>
To: \"Support\" <helpdesk@tessera.test>
Subject: WG: Entwurf Flyer
Date: Tue, 1 Dec 2026 14:00:00 +0000
Message-ID: <DB9PR07MB1234567890ABCDEF@DB9PR07MB1234.eurprd07.prod.outlook.com>
Content-Language: de-DE
X-MS-Has-Attach: yes
MIME-Version: 1.0
Content-Type: multipart/related; boundary=\"_004_DB9PR07MB_\"; type=\"multipart/alternative\"

--_004_DB9PR07MB_
Content-Type: multipart/alternative; boundary=\"_000_DB9PR07MB_\"

--_000_DB9PR07MB_
Content-Type: text/plain; charset=\"iso-8859-1\"
Content-Transfer-Encoding: quoted-printable

So soll der Flyer aussehen: [cid:image001.png@01DB43A1.5F3E2C10]
Gr=FC=DFe

--_000_DB9PR07MB_
Content-Type: text/html; charset=\"iso-8859-1\"
Content-Transfer-Encoding: quoted-printable

<html><body><p>So soll der Flyer aussehen: <img src=3D\"cid:image001.png@01D=
B43A1.5F3E2C10\"></p><p>Gr=FC=DFe</p><script>alert(1)</script></body></html>

--_000_DB9PR07MB_--

--_004_DB9PR07MB_
Content-Type: image/png; name=\"image001.png\"
Content-Description: image001.png
Content-Disposition: inline; filename=\"image001.png\"; size=68
Content-ID: <image001.png@01DB43A1.5F3E2C10>
Content-Transfer-Encoding: base64

iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==

--_004_DB9PR07MB_--
");
    opened(&ingest(&app, &raw).await);
    assert_eq!(
        app.count(
            "attachment WHERE filename = 'image001.png' AND content_type = 'image/png' \
             AND content_id = 'image001.png@01DB43A1.5F3E2C10' AND size = 70"
        )
        .await,
        1
    );
    // The HTML is kept as sent, to be sanitised when it is shown; the body is the text.
    assert_eq!(
        app.count(
            "thread_entry WHERE kind = 'message' AND body LIKE 'So soll der Flyer aussehen:%Grüße' \
             AND original_html LIKE '%cid:image001.png@01DB43A1.5F3E2C10%'"
        )
        .await,
        1
    );
    app.stop().await;
}

/// The mail corpus (`tessera-mail/tests/corpus`) through the whole pipeline: what each real
/// client's message becomes in a fresh installation, and that each is kept once.
#[tokio::test]
async fn every_corpus_message_has_its_outcome() {
    // (file, outcome: "opened" with a confirmation, "quiet" opened without, or "ignored")
    const EXPECT: &[(&str, &str)] = &[
        ("apple_mail_en_inline_image.eml", "opened"),
        ("base64_utf8_emoji.eml", "opened"),
        // Its original belongs to no ticket here: kept, set aside, never answered.
        ("bounce_dsn_en.eml", "ignored"),
        ("forward_en.eml", "opened"),
        // The reply's references and tag name a ticket of another installation: a stranger
        // cannot post into tickets, so each is a new ticket.
        ("gmail_en_reply.eml", "opened"),
        ("html_only_en.eml", "opened"),
        ("legacy_latin1_de.eml", "opened"),
        ("mailing_list_en.eml", "quiet"),
        ("new_request_attachments_de.eml", "opened"),
        ("null_sender_en.eml", "quiet"),
        ("out_of_office_de.eml", "quiet"),
        ("outlook_de_reply.eml", "opened"),
        ("thunderbird_de_reply.eml", "opened"),
    ];
    let app = TestApp::start().await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tessera-mail/tests/corpus");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".eml"))
        .collect();
    files.sort();
    let listed: Vec<&str> = EXPECT.iter().map(|(f, _)| *f).collect();
    assert_eq!(files, listed, "every corpus file has its outcome");
    for (file, expected) in EXPECT {
        let raw = std::fs::read(dir.join(file)).unwrap();
        let got = match ingest(&app, &raw).await {
            IngestOutcome::Opened {
                confirmed: true, ..
            } => "opened",
            IngestOutcome::Opened {
                confirmed: false, ..
            } => "quiet",
            IngestOutcome::Ignored { .. } => "ignored",
            other => panic!("{file}: {other:?}"),
        };
        assert_eq!(got, *expected, "{file}");
    }
    // The attachments of the two messages that carry files, inline image included.
    assert_eq!(app.count("attachment").await, 3);
    assert_eq!(
        app.count("attachment WHERE content_id IS NOT NULL").await,
        1
    );
    // Each is kept once: a second delivery of the whole corpus does nothing.
    for (file, _) in EXPECT {
        let raw = std::fs::read(dir.join(file)).unwrap();
        assert!(
            matches!(ingest(&app, &raw).await, IngestOutcome::Duplicate { .. }),
            "{file}"
        );
    }
    assert_eq!(app.count("inbound_message").await, EXPECT.len() as i64);
    assert_eq!(app.count("ticket").await, 12);
    app.stop().await;
}

/// Portal tickets draw their key before their transaction (their mail names it); a ticket
/// that mail opened meanwhile may hold the key drawn next, and the portal ticket is then
/// written under another one instead of failing.
#[tokio::test]
async fn a_ticket_opened_by_mail_between_portal_tickets_takes_no_key_from_them() {
    let app = TestApp::start().await;
    let portal = |subject: &str| tessera_core::NewTicketInput {
        email: "erika@example.org".into(),
        name: "Erika".into(),
        help_topic_id: "1".into(),
        subject: subject.into(),
        body: "Der Drucker druckt nicht.".into(),
        uploads: vec![],
        lang: tessera_domain::Lang::De,
    };
    let first = app.app.open_ticket(portal("Erstes")).await.unwrap();
    let (by_mail, _) = opened(&ingest(&app, &eml(THUNDERBIRD_NEW)).await);
    let second = app.app.open_ticket(portal("Zweites")).await.unwrap();
    assert_ne!(first.ticket_id, second.ticket_id);
    assert_eq!(app.count("ticket").await, 3);
    let mail_id = app
        .scalar(&format!(
            "SELECT ticket_id FROM ticket WHERE number = '{by_mail}'"
        ))
        .await;
    assert!(mail_id != first.ticket_id.0 && mail_id != second.ticket_id.0);
    // The second portal ticket is whole under its key: subject, thread, index, mail.
    assert_eq!(
        text(
            &app,
            &format!(
                "SELECT subject FROM ticket WHERE ticket_id = {}",
                second.ticket_id.0
            )
        )
        .await,
        "Zweites"
    );
    assert_eq!(
        app.count(&format!(
            "thread_entry WHERE ticket_id = {} AND kind = 'message'",
            second.ticket_id.0
        ))
        .await,
        1
    );
    assert_eq!(
        app.count(&format!(
            "outbox_mail WHERE ticket_id = {} AND message_id LIKE 'tessera.{}.%'",
            second.ticket_id.0, second.ticket_id.0
        ))
        .await,
        1,
        "the confirmation's Message-ID names the key the ticket has"
    );
    app.stop().await;
}

/// What a new ticket got, as the database holds it: priority, its rank, assignee, whether
/// it is due, events, messages, mails, webhook deliveries, access tokens, the first event.
async fn new_ticket_facts(app: &TestApp, number: &str) -> (String, Vec<i64>, String) {
    let of = |what: &str| {
        format!("{what} WHERE ticket_id = (SELECT ticket_id FROM ticket WHERE number = '{number}')")
    };
    let priority = text(app, &of("SELECT priority FROM ticket")).await;
    let mut counts = Vec::new();
    for sql in [
        of("SELECT priority_rank FROM ticket"),
        of("SELECT COALESCE(assignee_agent_id, 0) FROM ticket"),
        of("SELECT CAST(CASE WHEN due_at IS NULL THEN 0 ELSE 1 END AS BIGINT) FROM ticket"),
        of("SELECT COUNT(*) FROM thread_entry") + " AND kind = 'event'",
        of("SELECT COUNT(*) FROM thread_entry") + " AND kind = 'message'",
        of("SELECT COUNT(*) FROM outbox_mail"),
        of("SELECT COUNT(*) FROM webhook_delivery"),
        of("SELECT COUNT(*) FROM access_token"),
    ] {
        counts.push(app.scalar(&sql).await);
    }
    let first_event = text(
        app,
        &(of("SELECT body FROM thread_entry") + " ORDER BY thread_entry_id LIMIT 1"),
    )
    .await;
    (priority, counts, first_event)
}

/// A mail opens its ticket the way the portal does — the topic's priority, its automatic
/// assignee with the event and the alert, its service level, the confirmation with an
/// access link and the webhook delivery: one composition for every way in.
#[tokio::test]
async fn a_mail_opens_a_ticket_with_what_the_portal_gives_one() {
    let app = TestApp::start().await;
    let nadine = crate::admin::agent(&app, "nadine", "Nadine S.", false).await;
    app.app
        .set_department_role(
            tessera_core::Actor::Cli,
            nadine,
            tessera_domain::DepartmentId(1),
            Role::Agent,
        )
        .await
        .unwrap();
    app.exec(
        "INSERT INTO sla_plan (name, grace_seconds, created_at, updated_at)
         VALUES ('Schnell', 3600, 0, 0)",
    )
    .await;
    app.exec(&format!(
        "UPDATE help_topic SET default_priority = 'high', auto_agent_id = {},
                sla_plan_id = (SELECT sla_plan_id FROM sla_plan WHERE name = 'Schnell')",
        nadine.0
    ))
    .await;
    app.exec(&format!(
        "INSERT INTO webhook (url, events, secret, created_at, updated_at)
         VALUES ('https://hooks.example.org/tessera', {}, 'geheim', 0, 0)",
        tessera_domain::WebhookEvent::TicketCreated.bit()
    ))
    .await;

    let (res, _) = crate::portal::open(&app, &app.client(), crate::portal::MAX, &[]).await;
    let from_portal = crate::portal::number_from(&crate::portal::final_url(&res));
    let (from_mail, confirmed) = opened(&ingest(&app, &eml(THUNDERBIRD_NEW)).await);
    assert!(confirmed);

    let portal = new_ticket_facts(&app, &from_portal).await;
    let mail = new_ticket_facts(&app, &from_mail).await;
    assert_eq!(portal, mail);
    let (priority, counts, first_event) = mail;
    assert_eq!(priority, "high");
    // Rank 3, Nadine, due; the assignment and the created event, the message; the
    // confirmation and Nadine's alert; one delivery; one access link.
    assert_eq!(counts, [3, nadine.0, 1, 2, 1, 2, 1, 1]);
    assert!(first_event.contains("Nadine S."), "{first_event}");
    // The raw message points at the ticket and its message.
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM inbound_message m
             JOIN thread_entry e ON e.thread_entry_id = m.thread_entry_id
             WHERE e.kind = 'message' AND e.ticket_id = m.ticket_id"
        )
        .await,
        1
    );
    app.stop().await;
}
