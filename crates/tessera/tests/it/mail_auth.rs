//! Mail authenticity (issue 21, finding 7): incoming mail is checked for DKIM, SPF and
//! DMARC against a real DNS server on loopback (dnslib) serving the records each test
//! publishes; a forged `From:` of a known requester does not land silently in their ticket,
//! while their authenticated replies thread as before.

use base64::Engine;
use tessera_core::{IngestOutcome, MailAuthPolicy, Worker};
use tessera_domain::{EntryKind, TicketId};
use tessera_mail::auth::{Authenticator, DkimKey, Outcome};

use crate::support::{DnsServer, TestApp, eml, ingest};

/// The requester's domain in every test here.
const DOMAIN: &str = "requester.test";
/// Its outgoing mail server: the address SPF allows.
const GOOD_IP: &str = "192.0.2.7";
/// Anyone else on the internet.
const EVIL_IP: &str = "203.0.113.9";

/// A fresh Ed25519 key as PKCS#8 PEM (what `openssl genpkey -algorithm ed25519` writes).
pub(crate) fn ed25519_pem() -> String {
    let der = mail_auth::common::crypto::Ed25519Key::generate_pkcs8().unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    format!("-----BEGIN PRIVATE KEY-----\n{b64}\n-----END PRIVATE KEY-----\n")
}

/// The records of a domain that does everything right: DKIM key, SPF and DMARC `p=reject`.
fn records(key: &DkimKey) -> Vec<(String, String)> {
    vec![
        (
            format!("sel._domainkey.{DOMAIN}"),
            key.dns_record().to_owned(),
        ),
        (DOMAIN.into(), format!("v=spf1 ip4:{GOOD_IP} -all")),
        (format!("_dmarc.{DOMAIN}"), "v=DMARC1; p=reject".into()),
    ]
}

fn dns(records: &[(String, String)]) -> DnsServer {
    let r: Vec<(&str, &str)> = records
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    DnsServer::start(&r)
}

/// What the organisation's MTA writes on top when it takes a message from `ip`.
fn delivered(ip: &str, helo: &str, mail_from: &str, message: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "Return-Path: <{mail_from}>\r\n\
         Received: from {helo} ({helo} [{ip}])\r\n\tby mx.tessera.test (Postfix) with ESMTPS id 4Q; \
         Tue, 1 Dec 2026 10:00:01 +0100\r\n"
    )
    .into_bytes();
    out.extend_from_slice(message);
    out
}

/// A message from Max of the requester's domain.
fn message(id: &str, subject: &str, body: &str) -> Vec<u8> {
    eml(&format!(
        "From: Max Mueller <max@{DOMAIN}>\n\
         To: helpdesk@tessera.test\n\
         Subject: {subject}\n\
         Date: Tue, 1 Dec 2026 10:00:00 +0100\n\
         Message-ID: <{id}@{DOMAIN}>\n\
         MIME-Version: 1.0\n\
         Content-Type: text/plain; charset=utf-8\n\n\
         {body}\n"
    ))
}

async fn app_with(dns: &DnsServer, policy: MailAuthPolicy) -> TestApp {
    let addr = dns.addr;
    TestApp::start_with(Box::new(move |c| {
        c.core.mail_auth = policy;
        c.core.mail_auth_nameserver = Some(addr);
    }))
    .await
}

async fn ticket_id(app: &TestApp, number: &str) -> TicketId {
    TicketId(
        app.scalar(&format!(
            "SELECT ticket_id FROM ticket WHERE number = '{number}'"
        ))
        .await,
    )
}

/// The bodies the requester sees on the portal.
async fn requester_sees(app: &TestApp, t: TicketId) -> Vec<String> {
    let mut c = app.app.db().conn().await.unwrap();
    c.h()
        .public_thread(t, None)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.body)
        .collect()
}

#[tokio::test]
async fn dkim_spf_and_dmarc_pass_and_fail_against_a_real_dns_server() {
    let key = DkimKey::from_pem(&ed25519_pem(), DOMAIN, "sel").unwrap();
    let mut server = dns(&records(&key));
    let auth = Authenticator::new(Some(server.addr)).unwrap();
    let plain = message("a1", "Hallo", "Text");
    let signed = key.sign(&plain).unwrap();

    // Signed by the domain: passes, even from an address SPF does not allow.
    let v = auth
        .check(&delivered(
            EVIL_IP,
            "x.evil.test",
            "max@requester.test",
            &signed,
        ))
        .await;
    assert_eq!(v.outcome, Outcome::Pass, "{v:?}");
    assert!(v.summary.contains("dkim=pass"), "{v:?}");
    // Unsigned, but from the domain's own server: SPF passes, aligned.
    let v = auth
        .check(&delivered(
            GOOD_IP,
            "mail.requester.test",
            "max@requester.test",
            &plain,
        ))
        .await;
    assert_eq!(v.outcome, Outcome::Pass, "{v:?}");
    assert!(v.summary.contains("spf=pass"), "{v:?}");
    // Unsigned from elsewhere: DMARC fails.
    let v = auth
        .check(&delivered(
            EVIL_IP,
            "x.evil.test",
            "max@requester.test",
            &plain,
        ))
        .await;
    assert_eq!(v.outcome, Outcome::Fail, "{v:?}");
    assert_eq!(v.summary, "dkim=none spf=fail dmarc=fail");
    // A signature over a changed body does not count.
    let tampered = String::from_utf8(signed.clone())
        .unwrap()
        .replace("Text", "Bitte das Geld an IBAN DE00 überweisen");
    let v = auth
        .check(&delivered(
            EVIL_IP,
            "x.evil.test",
            "max@requester.test",
            tampered.as_bytes(),
        ))
        .await;
    assert_eq!(v.outcome, Outcome::Fail, "{v:?}");
    // SPF passing for the attacker's own envelope domain is not aligned with From.
    server.publish(&[
        ("evil.test", &format!("v=spf1 ip4:{EVIL_IP} -all")),
        (&format!("_dmarc.{DOMAIN}"), "v=DMARC1; p=none"),
    ]);
    // A fresh resolver: the last one keeps what it was told (for a second).
    let auth = Authenticator::new(Some(server.addr)).unwrap();
    let v = auth
        .check(&delivered(
            EVIL_IP,
            "x.evil.test",
            "bounce@evil.test",
            &plain,
        ))
        .await;
    assert_eq!(
        v.outcome,
        Outcome::Fail,
        "p=none proves nothing either: {v:?}"
    );
    // No DMARC record at all: an aligned pass is still needed (here none: the key is gone).
    server.publish(&[(DOMAIN, "v=spf1 -all")]);
    let auth = Authenticator::new(Some(server.addr)).unwrap();
    let v = auth
        .check(&delivered(
            EVIL_IP,
            "x.evil.test",
            "max@requester.test",
            &signed,
        ))
        .await;
    assert_eq!(v.outcome, Outcome::Fail, "{v:?}");
    assert!(v.summary.ends_with("dmarc=none"), "{v:?}");
}

#[tokio::test]
async fn a_forged_reply_of_a_known_requester_is_held_until_an_agent_accepts_it() {
    let key = DkimKey::from_pem(&ed25519_pem(), DOMAIN, "sel").unwrap();
    let server = dns(&records(&key));
    let app = app_with(&server, MailAuthPolicy::Hold).await;
    // Max opens a ticket by mail (a new ticket reaches nobody else's thread: not checked).
    let first = delivered(
        GOOD_IP,
        "mail.requester.test",
        "max@requester.test",
        &message("m1", "Plakat", "Bitte ein Plakat drucken."),
    );
    let number = match ingest(&app, &first).await {
        IngestOutcome::Opened { number, .. } => number,
        other => panic!("expected a new ticket, got {other:?}"),
    };
    let t = ticket_id(&app, &number).await;

    // Eve writes as Max, from her own server, with the ticket's tag: not appended silently.
    let forged = delivered(
        EVIL_IP,
        "x.evil.test",
        "max@requester.test",
        &message(
            "f1",
            &format!("Re: [#{number}] Plakat"),
            "Neue Bankverbindung: bitte an IBAN DE00 zahlen.",
        ),
    );
    match ingest(&app, &forged).await {
        IngestOutcome::Held { number: n, .. } => assert_eq!(n, number),
        other => panic!("expected the forged reply to be held, got {other:?}"),
    }
    assert_eq!(
        app.count(
            "thread_entry WHERE held AND body LIKE 'Neue Bankverbindung%' \
             AND auth_warning LIKE '%dmarc=fail%'"
        )
        .await,
        1
    );
    assert!(
        !requester_sees(&app, t)
            .await
            .iter()
            .any(|b| b.contains("Bankverbindung")),
        "the requester does not see a held message"
    );
    assert_eq!(
        app.count("webhook_delivery").await,
        0,
        "a held message tells no program"
    );

    // The agent sees it with the warning and a way to accept it.
    let chefin = crate::admin::chefin(&app).await;
    let c = crate::admin::sign_in(&app, "chefin", crate::admin::PASSWORD).await;
    let url = app.url(&format!("/agent/tickets/{number}"));
    let page = c.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("mail-auth-warning"), "{page}");
    assert!(page.contains("max@requester.test"));
    assert!(page.contains("dkim=none spf=fail dmarc=fail"));
    assert!(page.contains("value=\"accept-mail\""));

    // Max's real replies thread as before: signed (from anywhere), or from his server.
    let signed = delivered(
        EVIL_IP,
        "relay.example.net",
        "max@requester.test",
        &key.sign(&message(
            "r1",
            &format!("Re: [#{number}] Plakat"),
            "Gerne in A2.",
        ))
        .unwrap(),
    );
    match ingest(&app, &signed).await {
        IngestOutcome::Added {
            number: n, kind, ..
        } => {
            assert_eq!((n.as_str(), kind), (number.as_str(), EntryKind::Message))
        }
        other => panic!("expected Max's signed reply on his ticket, got {other:?}"),
    }
    let by_spf = delivered(
        GOOD_IP,
        "mail.requester.test",
        "max@requester.test",
        &message("r2", &format!("Re: [#{number}] Plakat"), "Und farbig."),
    );
    assert!(matches!(
        ingest(&app, &by_spf).await,
        IngestOutcome::Added { .. }
    ));
    let seen = requester_sees(&app, t).await;
    assert!(seen.iter().any(|b| b == "Gerne in A2."), "{seen:?}");
    assert!(seen.iter().any(|b| b == "Und farbig."), "{seen:?}");

    // The agent accepts the held message: now it is part of the conversation.
    let entry = app
        .scalar("SELECT thread_entry_id FROM thread_entry WHERE held")
        .await;
    let token = crate::support::csrf(&c, &url).await;
    let r = c
        .post(app.url(&format!("/agent/tickets/{number}/action")))
        .form(&[
            ("csrf", token.as_str()),
            ("do", "accept-mail"),
            ("entry", &entry.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(app.count("thread_entry WHERE held").await, 0);
    assert!(
        requester_sees(&app, t)
            .await
            .iter()
            .any(|b| b.contains("Bankverbindung"))
    );
    // Accepting twice is refused with a message, not a 500.
    let agent = {
        let mut conn = app.app.db().conn().await.unwrap();
        conn.h().agent(chefin).await.unwrap().unwrap()
    };
    let again = app
        .app
        .accept_held_mail(
            Worker::test_session(&agent),
            &number,
            tessera_domain::ThreadEntryId(entry),
        )
        .await;
    assert!(
        matches!(again, Err(tessera_core::CoreError::Invalid(_))),
        "{again:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_forged_reply_can_open_a_separate_ticket_with_a_warning_instead() {
    let key = DkimKey::from_pem(&ed25519_pem(), DOMAIN, "sel").unwrap();
    let server = dns(&records(&key));
    let app = app_with(&server, MailAuthPolicy::Separate).await;
    let number = match ingest(
        &app,
        &delivered(
            GOOD_IP,
            "mail.requester.test",
            "max@requester.test",
            &message("m1", "Plakat", "Bitte ein Plakat drucken."),
        ),
    )
    .await
    {
        IngestOutcome::Opened { number, .. } => number,
        other => panic!("expected a new ticket, got {other:?}"),
    };
    let confirmations = app.count("outbox_mail").await;
    let forged = delivered(
        EVIL_IP,
        "x.evil.test",
        "max@requester.test",
        &message(
            "f1",
            &format!("Re: [#{number}] Plakat"),
            "Neue Bankverbindung.",
        ),
    );
    let other = match ingest(&app, &forged).await {
        IngestOutcome::Opened {
            number, confirmed, ..
        } => {
            assert!(
                !confirmed,
                "the real requester is not mailed the forger's text"
            );
            number
        }
        other => panic!("expected a separate ticket, got {other:?}"),
    };
    assert_ne!(other, number);
    let t = ticket_id(&app, &number).await;
    assert!(
        !requester_sees(&app, t)
            .await
            .iter()
            .any(|b| b.contains("Bankverbindung"))
    );
    assert_eq!(
        app.count(&format!(
            "thread_entry e JOIN ticket t ON t.ticket_id = e.ticket_id \
             WHERE t.number = '{other}' AND NOT e.held AND e.auth_warning LIKE '%dmarc=fail%'"
        ))
        .await,
        1
    );
    assert!(
        app.count("outbox_mail").await - confirmations <= 1,
        "at most the agents' alert, no confirmation"
    );
    assert_eq!(
        app.count(&format!("outbox_mail WHERE recipients = 'max@{DOMAIN}'"))
            .await,
        1,
        "only the first ticket's confirmation reached Max"
    );
    // The agent sees the warning on the new ticket.
    crate::admin::chefin(&app).await;
    let c = crate::admin::sign_in(&app, "chefin", crate::admin::PASSWORD).await;
    let page = c
        .get(app.url(&format!("/agent/tickets/{other}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("mail-auth-warning"), "{page}");
    assert!(page.contains(&format!("#{number}")));
    assert!(!page.contains("value=\"accept-mail\""));
    app.stop().await;
}

/// An RSA key as `openssl genrsa -traditional` writes it (`BEGIN RSA PRIVATE KEY`).
fn rsa_pem() -> String {
    let out = std::process::Command::new("openssl")
        .args(["genrsa", "-traditional", "2048"])
        .stderr(std::process::Stdio::null())
        .output()
        .expect("the openssl command");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn outgoing_mail_carries_a_dkim_signature_with_the_uploaded_key() {
    let smtp = crate::support::SmtpServer::start();
    let mut server = DnsServer::start(&[]);
    let url = smtp.url();
    let app = TestApp::start_with(Box::new(move |c| c.smtp_url = Some(url))).await;
    crate::admin::chefin(&app).await;
    let admin = crate::admin::sign_in(&app, "chefin", crate::admin::PASSWORD).await;
    let port = smtp.port.to_string();
    let post = async |extra: &[(&str, &str)]| {
        let mut f = vec![
            ("mail_from", "helpdesk@tessera.test"),
            ("mail_from_name", "Helpdesk"),
            ("delivery", "smtp"),
            ("host", "127.0.0.1"),
            ("port", port.as_str()),
            ("tls", "none"),
            ("mail_auth", "hold"),
            ("action", "save"),
        ];
        f.extend_from_slice(extra);
        let r = crate::admin::post_form(&admin, &app, "/agent/admin/settings/mail", &f).await;
        (r.status(), r.text().await.unwrap())
    };
    // Something that is not a key: a clear, translated error, nothing stored.
    let (status, page) = post(&[
        ("dkim_domain", "tessera.test"),
        ("dkim_selector", "tessera1"),
        (
            "dkim_key",
            "-----BEGIN PRIVATE KEY-----\nbm9wZQ==\n-----END PRIVATE KEY-----",
        ),
    ])
    .await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Mit diesem Schlüssel kann Tessera nicht signieren"),
        "{page}"
    );
    assert!(app.app.settings().dkim.is_none());

    // An RSA key (PKCS#1, as openssl writes it): the page shows the record to publish.
    let pem = rsa_pem();
    let (status, page) = post(&[
        ("dkim_domain", "Tessera.test"),
        ("dkim_selector", "tessera1"),
        ("dkim_key", pem.as_str()),
    ])
    .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{page}");
    assert!(page.contains("tessera1._domainkey.tessera.test"), "{page}");
    assert!(
        !page.contains("PRIVATE KEY-----\n"),
        "the key is never shown again"
    );
    let rsa = DkimKey::from_pem(&pem, "tessera.test", "tessera1").unwrap();
    assert!(page.contains(rsa.dns_record()), "{page}");

    // A requester writes in; the confirmation that reaches the SMTP server is signed.
    let first = eml(&format!(
        "From: Max <max@{DOMAIN}>\nTo: helpdesk@tessera.test\nSubject: Plakat\n\
         Message-ID: <n1@{DOMAIN}>\n\nBitte drucken.\n"
    ));
    ingest(&app, &first).await;
    let raw = smtp.wait_for(1).await;
    assert_eq!(raw.len(), 1);
    let raw = smtp.messages().remove(0);
    server.publish(&[("tessera1._domainkey.tessera.test", rsa.dns_record())]);
    let v = Authenticator::new(Some(server.addr))
        .unwrap()
        .check(&raw)
        .await;
    assert_eq!(v.outcome, Outcome::Pass, "{v:?}");
    assert!(v.summary.starts_with("dkim=pass"), "{v:?}");

    // An Ed25519 key under another selector; the stored key is kept when the field is empty
    // and replaced when a new one is pasted.
    let (status, _) = post(&[
        ("dkim_domain", "tessera.test"),
        ("dkim_selector", "tessera1"),
    ])
    .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(
        app.app.settings().dkim.is_some(),
        "an empty field keeps the key"
    );
    let ed = ed25519_pem();
    let (status, _) = post(&[
        ("dkim_domain", "tessera.test"),
        ("dkim_selector", "ed1"),
        ("dkim_key", ed.as_str()),
    ])
    .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let ed_key = DkimKey::from_pem(&ed, "tessera.test", "ed1").unwrap();
    assert_eq!(ed_key.algorithm(), "ed25519");
    let second = eml(&format!(
        "From: Max <max@{DOMAIN}>\nTo: helpdesk@tessera.test\nSubject: Noch ein Plakat\n\
         Message-ID: <n2@{DOMAIN}>\n\nBitte auch drucken.\n"
    ));
    ingest(&app, &second).await;
    smtp.wait_for(2).await;
    let raw = smtp
        .messages()
        .into_iter()
        .find(|m| String::from_utf8_lossy(m).contains("s=ed1"))
        .expect("the second mail is signed with the new key");
    // Only the new key is published: the signature must verify with it alone.
    server.publish(&[("ed1._domainkey.tessera.test", ed_key.dns_record())]);
    let v = Authenticator::new(Some(server.addr))
        .unwrap()
        .check(&raw)
        .await;
    assert_eq!(v.outcome, Outcome::Pass, "{v:?}");

    // Clearing stops the signing.
    let (status, _) = post(&[("clear_dkim", "1")]).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(app.app.settings().dkim.is_none());
    app.stop().await;
}
