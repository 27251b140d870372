//! Ingest benchmark: a Maildir of generated messages (new requests in German and English,
//! some with attachments, some HTML-only, some automatic replies) is imported by a real
//! `tessera mail import` process on SQLite, then imported again (every message a duplicate).
//!
//! `cargo bench -p tessera --bench ingest` runs it with MESSAGES=10000; under `cargo test` it
//! makes a small smoke pass.

mod common;

use std::{path::Path, process::Command, time::Instant};

use base64::Engine;
use common::env_or;

const SUBJECTS: &[&str] = &[
    "Plakat für das Nikolausschwimmen",
    "Flyer for the charity run",
    "Website: Spendenformular geht nicht",
    "Facebook event for the blood drive",
    "Pressemitteilung Sommerfest",
    "Photos from the first aid course",
    "Rollup für den Infostand",
    "Newsletter text for December",
];

const BODIES: &[&str] = &[
    "Guten Tag,\n\nwir brauchen bis Freitag ein Plakat in A3 und 200 Flyer. Die Texte hänge ich an.\n\nViele Grüße",
    "Hello,\n\ncould you prepare a flyer for our charity run on 12 June? Our logo is attached.\n\nThanks!",
    "Hallo zusammen,\n\nauf dem Handy lässt sich das Spendenformular nicht absenden. Getestet mit Android und iOS.\n\nDanke und Gruß",
    "Hi team,\n\nplease create a Facebook event for the blood drive: Saturday 10:00–14:00, town hall.\n\nBest",
];

/// One generated message; `i` picks its shape.
fn message(i: usize) -> Vec<u8> {
    let sender = i % 2000;
    let subject = SUBJECTS[i % SUBJECTS.len()];
    let body = BODIES[i % BODIES.len()];
    let mut m = format!(
        "From: Person {sender} <person{sender}@example.org>\r\nTo: support@localhost.localdomain\r\n\
         Subject: {subject} ({i})\r\nMessage-ID: <bench-{i}@example.org>\r\n\
         Date: Tue, 1 Dec 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n"
    );
    if i % 20 == 7 {
        m.push_str("Auto-Submitted: auto-replied\r\n");
    }
    if i % 10 == 3 {
        let pdf = base64::engine::general_purpose::STANDARD.encode(vec![b'%'; 20_000]);
        m.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n\
             Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
             {body}\r\n--b{i}\r\nContent-Type: application/pdf; name=\"Skizze {i}.pdf\"\r\n\
             Content-Disposition: attachment; filename=\"Skizze {i}.pdf\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{pdf}\r\n--b{i}--\r\n"
        ));
    } else if i % 20 == 11 {
        m.push_str(&format!(
            "Content-Type: text/html; charset=utf-8\r\n\r\n<div>{}</div>\r\n",
            body.replace("\n\n", "</div><div>")
        ));
    } else {
        m.push_str(&format!(
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n"
        ));
    }
    m.into_bytes()
}

fn import(data: &Path, maildir: &Path) -> std::time::Duration {
    let t0 = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["mail", "import"])
        .arg(maildir)
        .arg("--data-dir")
        .arg(data)
        .env("TESSERA_LOG", "warn")
        .env_remove("TESSERA_DATABASE_URL")
        .env_remove("TESSERA_SMTP_URL")
        .output()
        .expect("tessera mail import");
    assert!(
        out.status.success(),
        "import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    t0.elapsed()
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let n = env_or("MESSAGES", if full { 10_000 } else { 40 });
    let dir = tempfile::tempdir().expect("temp dir");
    let maildir = dir.path().join("Maildir");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    let mut bytes = 0;
    for i in 0..n {
        let raw = message(i);
        bytes += raw.len();
        std::fs::write(maildir.join("new").join(format!("{i}.bench:2,")), raw).unwrap();
    }
    let data = dir.path().join("data");
    let first = import(&data, &maildir);
    let again = import(&data, &maildir);

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (stored, tickets): (i64, i64) = rt.block_on(async {
        let url = format!("sqlite:{}", data.join("tessera.db").display());
        let db = sqlx::SqlitePool::connect(&url).await.unwrap();
        let stored = sqlx::query_scalar("SELECT COUNT(*) FROM inbound_message")
            .fetch_one(&db)
            .await
            .unwrap();
        let tickets = sqlx::query_scalar("SELECT COUNT(*) FROM ticket WHERE source = 'email'")
            .fetch_one(&db)
            .await
            .unwrap();
        (stored, tickets)
    });
    assert_eq!(stored as usize, n, "every message stored once");
    assert_eq!(tickets as usize, n, "every message a new ticket");

    println!(
        "\nIngest from a Maildir ({n} messages, {:.1} MB, SQLite)\n",
        bytes as f64 / 1e6
    );
    println!("| what | messages | seconds | messages/s |");
    println!("|---|---|---|---|");
    for (what, d) in [
        ("first import", first),
        ("same Maildir again (all duplicates)", again),
    ] {
        println!(
            "| {what} | {n} | {:.2} | {:.0} |",
            d.as_secs_f64(),
            n as f64 / d.as_secs_f64()
        );
    }
}
