//! What a person wrote now, apart from the quoted original and the signature.

/// Whether a line opens the quoted original (attribution lines of common clients, in German
/// and English, and the separators Outlook writes).
fn opens_quote(lines: &[&str], i: usize) -> bool {
    let line = lines[i].trim();
    let lower = line.to_lowercase();
    let next = |k: usize| {
        lines
            .get(i + k)
            .map(|l| l.trim().to_lowercase())
            .unwrap_or_default()
    };
    if lower.starts_with("-----original message-----")
        || lower.starts_with("-----ursprüngliche nachricht-----")
        || lower.starts_with("________________________________")
    {
        return true;
    }
    // Outlook without a separator: "From: …" then "Sent: …" (or "Von:" / "Gesendet:").
    if (lower.starts_with("from:")
        && (next(1).starts_with("sent:") || next(1).starts_with("date:")))
        || (lower.starts_with("von:")
            && (next(1).starts_with("gesendet:") || next(1).starts_with("datum:")))
    {
        return true;
    }
    // "On … wrote:" (Gmail, Thunderbird, Apple Mail), sometimes wrapped over two lines.
    let joined = format!("{lower} {} {}", next(1), next(2));
    if lower.starts_with("on ") && joined.contains("wrote:") {
        return line.ends_with(':') || next(1).ends_with(':') || next(2).ends_with(':');
    }
    if lower.starts_with("am ") && joined.contains("schrieb") {
        return line.ends_with(':') || next(1).ends_with(':') || next(2).ends_with(':');
    }
    // A block of quoted lines up to the end.
    line.starts_with('>')
        && lines[i..]
            .iter()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('>'))
}

/// Whether a line opens a signature.
fn opens_signature(line: &str) -> bool {
    let l = line.trim_end();
    l == "--" || l == "-- " || {
        let t = l.trim().to_lowercase();
        t.starts_with("sent from my ")
            || t.starts_with("von meinem ")
            || t.starts_with("gesendet von meinem ")
            || t == "get outlook for ios"
            || t == "get outlook for android"
    }
}

/// Splits a text body into what the person wrote now and what can be folded away (the quoted
/// original and the signature). Nothing is dropped: `visible + folded` is the whole text.
pub fn fold(text: &str) -> (String, String) {
    let lines: Vec<&str> = text.lines().collect();
    let cut = (0..lines.len()).find(|&i| opens_quote(&lines, i) || opens_signature(lines[i]));
    match cut {
        // A message that is nothing but a quote stays whole.
        Some(i) if lines[..i].iter().any(|l| !l.trim().is_empty()) => (
            lines[..i].join("\n").trim_end().to_owned(),
            lines[i..].join("\n"),
        ),
        _ => (text.trim_end().to_owned(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_fold(text: &str, visible: &str) {
        let (v, folded) = fold(text);
        assert_eq!(v, visible, "{text:?}");
        assert!(
            format!("{v}\n{folded}").contains(folded.trim()),
            "nothing is lost"
        );
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
}
