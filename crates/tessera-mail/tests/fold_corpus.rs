//! The folding corpus (issue 22): replies of many clients in eight languages — top-, bottom-
//! and inline-posted, plain and HTML, with the tricky cases that used to hide text — each
//! with the text its sender wrote now (`NAME.expected`). Every message is decoded and folded
//! as ingest does (`fold_mail`); one with a text and an HTML part is also split on its HTML
//! (`fold_html`), as the original's page shows it. Lines are compared trimmed, without blank
//! lines (how a page lays them out is the renderer's business).
//!
//! The test prints the score and fails if any message's own text is hidden, or if fewer
//! than 90% are shown exactly as written.

use std::path::Path;

use tessera_mail::inbound;

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

/// How a split compares with what the sender wrote: exactly, or with some of it hidden.
fn judge(visible: &str, expected: &[String]) -> (bool, bool) {
    let shown = lines(visible);
    let hidden = expected.iter().any(|l| !shown.contains(l));
    (shown == expected, hidden)
}

#[test]
fn the_corpus_is_folded_as_its_senders_wrote() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fold_corpus");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".eml").map(str::to_owned))
        .collect();
    names.sort();
    assert!(names.len() >= 80, "{} messages", names.len());
    let (mut exact, mut hidden) = (0, Vec::new());
    let mut inexact = Vec::new();
    for name in &names {
        let raw = std::fs::read(dir.join(format!("{name}.eml"))).unwrap();
        let expected = std::fs::read_to_string(dir.join(format!("{name}.expected")))
            .unwrap_or_else(|e| panic!("{name}.expected: {e}"));
        let expected = lines(&expected);
        let m = inbound::parse(&raw).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (visible, _) = inbound::fold_mail(&m);
        let mut results = vec![("text", visible.clone(), judge(&visible, &expected))];
        if let Some(h) = &m.html
            && m.text != inbound::html_text(h)
        {
            let html_visible = inbound::html_text(&inbound::fold_html(h).0);
            let j = judge(&html_visible, &expected);
            results.push(("html", html_visible, j));
        }
        if results.iter().all(|(_, _, (ok, _))| *ok) {
            exact += 1;
        }
        for (part, shown, (ok, lost)) in results {
            if lost {
                hidden.push(format!("{name} ({part}): {shown:?}"));
            } else if !ok {
                inexact.push(format!("{name} ({part}): {shown:?}"));
            }
        }
    }
    println!(
        "fold corpus: {exact}/{} exactly as written, {} with own text hidden",
        names.len(),
        hidden.len()
    );
    for h in &hidden {
        println!("  hidden: {h}");
    }
    for i in &inexact {
        println!("  not exact: {i}");
    }
    assert!(hidden.is_empty(), "own text hidden: {hidden:#?}");
    assert!(
        exact * 10 >= names.len() * 9,
        "only {exact}/{} exactly as written",
        names.len()
    );
}
