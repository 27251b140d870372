//! What a person wrote now, apart from the quoted original and the signature (issue 22).
//!
//! A reply is read as the sender's own lines and quoted blocks: `>` lines with the
//! attribution above them ("On … wrote:" in the languages of `lang`), or everything below a
//! separator or header block of the original ("-----Original Message-----", "From: … Sent: …
//! To: …"). What stays visible is the sender's own text: one stretch when they wrote above
//! or below the quote, the whole conversation up to their last line when they answered
//! between quoted lines. A signature is folded only where it ends what they wrote and is
//! short. Nothing is dropped: every line is in the visible part or in the folded one, and a
//! message that is nothing but a quote stays whole.
//!
//! Every check looks at a bounded number of lines of bounded length, so folding is linear in
//! the size of the message (a 40 MB line is one `Own` line, looked at once).

mod html;
mod lang;

pub use html::fold_html;

use crate::inbound::{Inbound, html_text};

/// Longer lines are never markers (attribution, separator, header line, signature).
const MARKER_MAX: usize = 400;

/// What a line is, as far as folding is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Written by the sender now.
    Own,
    /// Empty or white space.
    Blank,
    /// Part of the quoted original (its attribution, its `>` lines, or below a separator).
    Quote,
    /// The sender's signature, where it really is one.
    Sig,
}

/// Splits a text body into what the person wrote now and what can be folded away (the quoted
/// original and the signature). Nothing is dropped: the lines of `visible` and `folded`
/// together are the lines of the text.
pub fn fold(text: &str) -> (String, String) {
    let lines: Vec<&str> = text.lines().collect();
    let kinds = classify(&lines);
    let Some((from, to)) = visible_range(&kinds) else {
        return (text.trim_end().to_owned(), String::new());
    };
    let visible = lines[from..=to].join("\n");
    let folded: Vec<&str> = lines[..from]
        .iter()
        .chain(&lines[to + 1..])
        .copied()
        .collect();
    (
        visible.trim_matches('\n').trim_end().to_owned(),
        folded.join("\n").trim_matches('\n').to_owned(),
    )
}

/// Splits a decoded message like `fold`; a message whose only text is its HTML (the text was
/// made from it) is split on the HTML's structure, where quotes are marked, and then read.
pub fn fold_mail(m: &Inbound) -> (String, String) {
    if is_forward(&m.subject) {
        // A forward is the request itself: what it carries is not a quote to fold.
        let (visible, folded) = fold(&m.text);
        return if folded.is_empty() || visible.is_empty() {
            (visible, folded)
        } else {
            (m.text.trim_end().to_owned(), String::new())
        };
    }
    if let Some(h) = &m.html
        && m.text == html_text(h)
    {
        let (visible, folded) = html::fold_html_text(h);
        if !folded.is_empty() && !visible.trim().is_empty() {
            return (visible, folded);
        }
    }
    fold(&m.text)
}

/// Whether a subject names a forward ("Fwd:", "WG:", "TR:", "RV:", "I:", "Doorst:", "PD:").
fn is_forward(subject: &str) -> bool {
    let lower = subject.trim_start().to_lowercase();
    [
        "fwd:",
        "fw:",
        "wg:",
        "tr:",
        "rv:",
        "i:",
        "doorst:",
        "pd:",
        "fwd ",
        "пересл:",
        "enc:",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
}

/// The lines shown: the sender's own stretch, or from the start to their last line when they
/// wrote between quoted lines. `None` when they wrote nothing of their own (show it whole).
fn visible_range(kinds: &[Kind]) -> Option<(usize, usize)> {
    let first = kinds.iter().position(|k| *k == Kind::Own)?;
    let last = kinds.iter().rposition(|k| *k == Kind::Own)?;
    let interleaved = kinds[first..last].contains(&Kind::Quote);
    if interleaved {
        let start = kinds.iter().position(|k| *k != Kind::Blank).unwrap_or(0);
        Some((start, last))
    } else {
        Some((first, last))
    }
}

/// The trimmed line if it is short enough to be a marker.
fn short(line: &str) -> Option<&str> {
    let t = line.trim();
    (t.len() <= MARKER_MAX).then_some(t)
}

fn is_quoted(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

fn classify(lines: &[&str]) -> Vec<Kind> {
    let n = lines.len();
    let mut kinds: Vec<Kind> = lines
        .iter()
        .map(|l| {
            if l.trim().is_empty() {
                Kind::Blank
            } else {
                Kind::Own
            }
        })
        .collect();
    // A forwarded message is the request itself: nothing from its marker on is a quote.
    let limit = (0..n)
        .find(|&i| !is_quoted(lines[i]) && short(lines[i]).is_some_and(lang::is_forward_marker))
        .unwrap_or(n);
    // Below a separator, a header block or an attribution without `>` lines comes the
    // original, unquoted, to the end.
    let to_end = (0..limit).find(|&i| {
        kinds[i] == Kind::Own
            && !is_quoted(lines[i])
            && (short(lines[i]).is_some_and(|l| lang::is_separator(l, lines.get(i + 1..)))
                || lang::header_block(lines, i).is_some_and(|len| !quoted_below(lines, i + len))
                || unquoted_attribution(lines, i))
    });
    let end = to_end.unwrap_or(limit);
    if let Some(s) = to_end {
        kinds[s..].iter_mut().for_each(|k| *k = Kind::Quote);
    }
    // A header block right above `>` lines is their attribution (GMX, web.de).
    for i in 0..end {
        if kinds[i] == Kind::Own
            && let Some(len) = lang::header_block(lines, i)
            && quoted_below(lines, i + len)
        {
            kinds[i..i + len].iter_mut().for_each(|k| *k = Kind::Quote);
        }
    }
    // `>` lines, each run with the attribution above it.
    let mut i = 0;
    while i < end {
        if kinds[i] != Kind::Own || !is_quoted(lines[i]) {
            i += 1;
            continue;
        }
        let run_start = i;
        while i < end && (kinds[i] == Kind::Blank || is_quoted(lines[i])) {
            if kinds[i] == Kind::Own {
                kinds[i] = Kind::Quote;
            }
            i += 1;
        }
        // Blank lines at the run's end belong to nobody; the attribution is right above.
        let mut above = run_start;
        while above > 0 && kinds[above - 1] == Kind::Blank {
            above -= 1;
        }
        if let Some(span) = attribution_above(lines, above) {
            kinds[above - span..above]
                .iter_mut()
                .for_each(|k| *k = Kind::Quote);
        }
    }
    mark_signature(lines, &mut kinds);
    kinds
}

/// Whether the first non-blank line from `at` on (within a few) is a `>` line.
fn quoted_below(lines: &[&str], at: usize) -> bool {
    lines
        .iter()
        .skip(at)
        .take(4)
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| is_quoted(l))
}

/// How many lines right above `at` (1 to 3, an attribution may wrap) form an attribution.
fn attribution_above(lines: &[&str], at: usize) -> Option<usize> {
    let mut best = None;
    for span in 1..=3.min(at) {
        let part = &lines[at - span..at];
        if part
            .iter()
            .any(|l| short(l).is_none_or(str::is_empty) || is_quoted(l))
        {
            break;
        }
        let joined = part.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
        if lang::is_attribution(&joined) && (span == 1 || lang::wraps_into(part[0])) {
            best = Some(span);
        }
    }
    best
}

/// An attribution at `i` that is strong enough to believe without `>` lines below it: the
/// original follows unquoted (HTML turned into text, Yahoo's plain part).
fn unquoted_attribution(lines: &[&str], i: usize) -> bool {
    // It names an address within its (at most three) lines.
    if !lines.iter().skip(i).take(3).any(|l| l.contains('@'))
        || !short(lines[i]).is_some_and(lang::opens_attribution)
    {
        return false;
    }
    for span in 1..=3 {
        let Some(part) = lines.get(i..i + span) else {
            return false;
        };
        if part.iter().any(|l| short(l).is_none_or(str::is_empty)) {
            return false;
        }
        let joined = part.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
        if lang::is_attribution(&joined) && lang::is_strong_attribution(&joined) {
            // With `>` lines below, it belongs to them (the original ends where they do).
            return lines[i + span..]
                .iter()
                .take(8)
                .find(|l| !l.trim().is_empty())
                .is_some_and(|l| !is_quoted(l));
        }
    }
    false
}

/// Marks the signature at the end of what the sender wrote, if there is one: a `-- `
/// delimiter followed by a few short lines, or a mobile client's "Sent from my iPhone".
fn mark_signature(lines: &[&str], kinds: &mut [Kind]) {
    let Some(last_own) = kinds.iter().rposition(|k| *k == Kind::Own) else {
        return;
    };
    // The stretch of own and blank lines that ends with the last own line.
    let mut start = last_own;
    while start > 0 && matches!(kinds[start - 1], Kind::Own | Kind::Blank) {
        start -= 1;
    }
    // At most a dozen lines back: a signature is short.
    let from = start.max(last_own.saturating_sub(12));
    for i in from..=last_own {
        if kinds[i] != Kind::Own {
            continue;
        }
        let Some(line) = short(lines[i]) else {
            continue;
        };
        let rest = &lines[i + 1..=last_own];
        let body: Vec<&str> = rest
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect();
        let sig_body = || {
            !body.is_empty()
                && body.len() <= 10
                && body
                    .iter()
                    .all(|l| lang::sig_line(l) || lang::is_mobile_signature(l))
        };
        // "-- " (with its blank, RFC 3676) or a bare "--".
        let dashes = lines[i].trim_start();
        let delimiter = dashes.starts_with("--") && dashes[2..].trim().is_empty();
        let is_sig = if delimiter && dashes.len() > 2 {
            sig_body()
        } else if delimiter {
            // Without the blank people type `--` as a dash too: a name must follow.
            sig_body()
                && body.len() <= 5
                && (lang::name_line(body[0]) || lang::is_mobile_signature(body[0]))
        } else {
            lang::is_mobile_signature(line)
                && body.len() <= 1
                && body.iter().all(|l| lang::sig_line(l))
        };
        // Something of the sender's own must stay above it.
        if is_sig && kinds[..i].contains(&Kind::Own) {
            kinds[i..=last_own]
                .iter_mut()
                .filter(|k| **k == Kind::Own)
                .for_each(|k| *k = Kind::Sig);
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_fold(text: &str, visible: &str) {
        let (v, folded) = fold(text);
        assert_eq!(v, visible, "{text:?}");
        let mut kept: Vec<&str> = v.lines().chain(folded.lines()).collect();
        let mut all: Vec<&str> = text.lines().collect();
        kept.retain(|l| !l.trim().is_empty());
        all.retain(|l| !l.trim().is_empty());
        kept.sort();
        all.sort();
        assert_eq!(kept, all, "nothing is lost");
    }

    #[test]
    fn folds_quotes_and_signatures() {
        check_fold(
            "Danke!\n\nAm 01.12.2026 um 10:00 schrieb Nadine <n@x.de>:\n> Hallo",
            "Danke!",
        );
        check_fold(
            "Thanks\n\nOn Tue, Dec 1, 2026 at 10:00 AM Nadine <\nn@x.de> wrote:\n> Hi",
            "Thanks",
        );
        check_fold("Gern.\n-----Ursprüngliche Nachricht-----\nVon: x", "Gern.");
        check_fold("Ok\n\nFrom: Nadine\nSent: Tuesday\nTo: Max", "Ok");
        check_fold("Ok\n\nVon: Nadine\nGesendet: Dienstag\nAn: Max", "Ok");
        check_fold("Bis morgen\n-- \nMax Müller\nDRK", "Bis morgen");
        check_fold("Passt\n\nVon meinem iPhone gesendet", "Passt");
        check_fold("Yes\n> old\n> older", "Yes");
        check_fold("> only a quote", "> only a quote");
        check_fold(
            "Zeile eins\n> zitiert\nAntwort darunter",
            "Zeile eins\n> zitiert\nAntwort darunter",
        );
        check_fold(
            "Am Montag kann ich.\nBis dann",
            "Am Montag kann ich.\nBis dann",
        );
        check_fold("On my way", "On my way");
    }

    #[test]
    fn never_hides_what_the_sender_wrote() {
        // Text after a quote.
        check_fold(
            "See below.\n> old line\nAnd one more thing: the date.",
            "See below.\n> old line\nAnd one more thing: the date.",
        );
        // Bottom-posted.
        check_fold(
            "On Tue, Dec 1, 2026 at 10:00 AM Nadine <n@x.de> wrote:\n> Can you?\n\nYes, I can.",
            "Yes, I can.",
        );
        // Inline answers: the whole conversation, the unanswered rest folded.
        check_fold(
            "Am 01.12.2026 um 10:00 schrieb Nadine <n@x.de>:\n> Wann?\nMontag.\n> Wo?\nIm Büro.\n> Gruß\n> Nadine",
            "Am 01.12.2026 um 10:00 schrieb Nadine <n@x.de>:\n> Wann?\nMontag.\n> Wo?\nIm Büro.",
        );
        // A `--` line followed by more writing.
        check_fold(
            "First part\n--\nSecond part, which I wrote after a separator because the printer still fails every time.",
            "First part\n--\nSecond part, which I wrote after a separator because the printer still fails every time.",
        );
        check_fold(
            "Sent from my laptop it works, from the phone it does not.",
            "Sent from my laptop it works, from the phone it does not.",
        );
        check_fold(
            "Hi,\n\nSent from my laptop it works.\nThe phone fails.",
            "Hi,\n\nSent from my laptop it works.\nThe phone fails.",
        );
        // A pasted log under "… wrote:" names no address: no unquoted original.
        check_fold(
            "Hi\nOn 01.12.2026 10:00 the server wrote:\nERROR disk full\nPlease help.",
            "Hi\nOn 01.12.2026 10:00 the server wrote:\nERROR disk full\nPlease help.",
        );
        check_fold(
            "It fails.\nSent from my iPhone 12 the upload fails",
            "It fails.\nSent from my iPhone 12 the upload fails",
        );
        // A bare `--` is a signature only above a name.
        check_fold(
            "Done.\n--\nI tried it twice\nstill broken",
            "Done.\n--\nI tried it twice\nstill broken",
        );
        check_fold("Done.\n--\nTom Baker\nDRK", "Done.");
        check_fold(
            "Text\n\nThanks. Nadine wrote:\n> q",
            "Text\n\nThanks. Nadine wrote:",
        );
        check_fold(
            "The log says:\nFrom: printer-01\nSent: 3 pages\nTo: tray 2\nStatus: jammed",
            "The log says:\nFrom: printer-01\nSent: 3 pages\nTo: tray 2\nStatus: jammed",
        );
    }

    #[test]
    fn reads_clients_in_many_languages() {
        let check = |attribution: &str| {
            check_fold(&format!("Merci\n\n{attribution}\n> Bonjour"), "Merci");
        };
        check("Le mar. 1 déc. 2026 à 10:00, Nadine <n@x.fr> a écrit :");
        check("El mar, 1 dic 2026 a las 10:00, Nadine (<n@x.es>) escribió:");
        check("Il giorno mar 1 dic 2026 alle ore 10:00 Nadine <n@x.it> ha scritto:");
        check("Op di 1 dec 2026 om 10:00 schreef Nadine <n@x.nl>:");
        check("wt., 1 gru 2026 o 10:00 Nadine <n@x.pl> napisał(a):");
        check("W dniu 1.12.2026 o 10:00, Nadine pisze:");
        check("вт, 1 дек. 2026 г. в 10:00, Nadine <n@x.ru>:");
        check("01.12.2026 10:00, Nadine пишет:");
        check_fold(
            "Merci\n\n----- Original Message -----\nFrom: Nadine\nTo: Max\nSent: Tuesday, December 1, 2026 10:00 AM\nSubject: Re: x\n\nHallo",
            "Merci",
        );
        check_fold(
            "Merci\n\nDe : Nadine <n@x.fr>\nEnvoyé : mardi 1 décembre 2026 10:00\nÀ : Max\nObjet : x\n\nBonjour",
            "Merci",
        );
        check_fold(
            "Спасибо\n\nОт: Nadine <n@x.ru>\nОтправлено: 1 декабря 2026 г. 10:00\nКому: Max\nТема: x\n\nПривет",
            "Спасибо",
        );
        // A forward is the request itself.
        check_fold(
            "Please look.\n\n---------- Forwarded message ---------\nFrom: Nadine <n@x.de>\nDate: Tue, Dec 1, 2026 at 10:00 AM\nSubject: x\nTo: Max\n\nBroken.",
            "Please look.\n\n---------- Forwarded message ---------\nFrom: Nadine <n@x.de>\nDate: Tue, Dec 1, 2026 at 10:00 AM\nSubject: x\nTo: Max\n\nBroken.",
        );
    }

    /// A 40 MB mail of one line, and many short lines or tags: folding reads each once (the
    /// times are printed, not asserted; doubling the size doubles them).
    #[test]
    fn huge_mails_are_read_once() {
        let t = std::time::Instant::now();
        let big = "x".repeat(40 << 20);
        let (v, f) = fold(&big);
        assert!(v.len() == big.len() && f.is_empty());
        eprintln!("40 MB line: {:?}", t.elapsed());
        let t = std::time::Instant::now();
        // (40 MB of 1M such lines: 1.0 s in a release build.)
        let prose = "The printer on floor 2 fails again today.\n".repeat(1 << 17);
        let (v, f) = fold(&prose);
        assert!(v.len() == prose.len() - 1 && f.is_empty());
        eprintln!("5 MB of 128k lines: {:?}", t.elapsed());
        let t = std::time::Instant::now();
        let lines = "On Tue, 1 Dec 2026 N <n@x> wrote:\n> q\n".repeat(1 << 16);
        let (v, f) = fold(&format!("top\n{lines}"));
        assert!(v == "top" && f.len() == lines.len() - 1);
        eprintln!("128k lines: {:?}", t.elapsed());
        let t = std::time::Instant::now();
        let html = format!(
            "<p>top</p>{}",
            "<blockquote type=cite>q</blockquote><div>".repeat(1 << 16)
        );
        let (v, f) = fold_html(&html);
        assert!(v.len() + f.len() == html.len());
        eprintln!("196k tags: {:?}", t.elapsed());
        let t = std::time::Instant::now();
        let (v, _) = fold_html(&big);
        assert!(v.len() == big.len());
        eprintln!("40 MB html: {:?}", t.elapsed());
    }
}
