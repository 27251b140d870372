//! Full-text search, the part both databases share: words are cut and stemmed here, in
//! German and in English, so that "Drucker" finds "Druckers" and "printing" finds "printer"
//! whatever the database, and the index holds stems only (no second copy of the text).
//! Snippets are cut from the original text with the same rules.

use std::{collections::HashSet, sync::OnceLock};

use rust_stemmers::{Algorithm, Stemmer};

/// The most terms a query keeps (more say nothing and cost time).
pub const MAX_QUERY_TERMS: usize = 8;

/// The longest word indexed; longer runs are hashes, base64 and the like.
const MAX_WORD_CHARS: usize = 40;

fn stemmers() -> &'static (Stemmer, Stemmer) {
    static S: OnceLock<(Stemmer, Stemmer)> = OnceLock::new();
    S.get_or_init(|| {
        (
            Stemmer::create(Algorithm::German),
            Stemmer::create(Algorithm::English),
        )
    })
}

/// The words of a text, lower-cased: runs of letters and digits.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.chars().count() <= MAX_WORD_CHARS)
        .map(str::to_lowercase)
}

/// The index forms of one lower-cased word: its German and its English stem (one if they
/// agree). Stems are folded to ASCII-friendly letters where German writes umlauts, because
/// requesters type "Buero" as often as "Büro".
pub fn stems(word: &str) -> (String, Option<String>) {
    let (de, en) = stemmers();
    let folded = fold(word);
    let a = fold(&de.stem(&folded));
    let b = en.stem(&folded).into_owned();
    if a == b { (a, None) } else { (a, Some(b)) }
}

/// A letter as `fold` leaves it, where it stands for itself (the first letter of a word).
fn fold_char(c: char) -> char {
    match c {
        'ä' => 'a',
        'ö' => 'o',
        'ü' => 'u',
        'ß' => 's',
        c => c,
    }
}

fn fold(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    for c in w.chars() {
        match c {
            'ä' => out.push('a'),
            'ö' => out.push('o'),
            'ü' => out.push('u'),
            'ß' => out.push_str("ss"),
            c => out.push(c),
        }
    }
    // "Buero" and "Büro" meet at "buro".
    out.replace("ae", "a").replace("oe", "o").replace("ue", "u")
}

/// Builds the indexed text of a document from its parts: every word's stems, separated
/// by spaces.
#[derive(Debug, Default)]
pub struct IndexText {
    out: String,
    seen: HashSet<String>,
}

impl IndexText {
    /// Adds a part of the document.
    pub fn add(&mut self, text: &str) -> &mut Self {
        for w in words(text) {
            let (a, b) = stems(&w);
            for s in std::iter::once(a).chain(b) {
                // Repeats add nothing to "contains"; keep the index small.
                if self.seen.insert(s.clone()) {
                    if !self.out.is_empty() {
                        self.out.push(' ');
                    }
                    self.out.push_str(&s);
                }
            }
        }
        self
    }

    /// Adds a part written in HTML: tags and entities are not words.
    pub fn add_html(&mut self, html: &str) -> &mut Self {
        let text = strip_tags(html);
        self.add(&text)
    }

    /// The finished text.
    pub fn finish(self) -> String {
        self.out
    }
}

/// A parsed search: each term with its alternatives (German and English stems); a ticket
/// matches when every term matches one of its alternatives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    terms: Vec<Vec<String>>,
    /// The words as typed, lower-cased: a text's word equal to one of them is a match
    /// without stemming it (most matches are the word typed).
    typed: Vec<String>,
}

impl SearchQuery {
    /// Reads what someone typed; `None` when it holds no word.
    pub fn parse(q: &str) -> Option<Self> {
        let mut terms: Vec<Vec<String>> = Vec::new();
        let mut typed = Vec::new();
        for w in words(q) {
            let (a, b) = stems(&w);
            let alts: Vec<String> = std::iter::once(a).chain(b).collect();
            if !terms.contains(&alts) {
                terms.push(alts);
            }
            typed.push(w);
            if terms.len() == MAX_QUERY_TERMS {
                break;
            }
        }
        (!terms.is_empty()).then_some(Self { terms, typed })
    }

    /// The SQLite FTS5 match expression. Stems are letters and digits only, and each is
    /// quoted, so nothing typed can become query syntax.
    pub fn fts5(&self) -> String {
        self.fts5_joined(" AND ")
    }

    fn fts5_joined(&self, op: &str) -> String {
        self.terms
            .iter()
            .map(|alts| {
                let a: Vec<String> = alts.iter().map(|s| format!("\"{s}\"")).collect();
                format!("({})", a.join(" OR "))
            })
            .collect::<Vec<_>>()
            .join(op)
    }

    fn tsquery_joined(&self, op: &str) -> String {
        self.terms
            .iter()
            .map(|alts| {
                let a: Vec<String> = alts.iter().map(|s| format!("'{s}'")).collect();
                format!("({})", a.join(" | "))
            })
            .collect::<Vec<_>>()
            .join(op)
    }

    /// The PostgreSQL `to_tsquery('simple', …)` text, on the same terms.
    pub fn tsquery(&self) -> String {
        self.tsquery_joined(" & ")
    }

    /// The FTS5 expression that matches a text holding at least one of the terms (for
    /// ranking); `None` for a single term, where it is `fts5()` itself.
    pub fn fts5_some(&self) -> Option<String> {
        (self.terms.len() > 1).then(|| self.fts5_joined(" OR "))
    }

    /// The `to_tsquery` text holding at least one of the terms, like `fts5_some`.
    pub fn tsquery_some(&self) -> Option<String> {
        (self.terms.len() > 1).then(|| self.tsquery_joined(" | "))
    }

    /// Whether a text contains every term (for searching the few tickets of a requester
    /// without the index).
    pub fn matches(&self, text: &str) -> bool {
        let mut found = vec![false; self.terms.len()];
        for w in words(text) {
            if !self.may_hit(&w) {
                continue;
            }
            let (a, b) = stems(&w);
            for (i, alts) in self.terms.iter().enumerate() {
                if alts.contains(&a) || b.as_ref().is_some_and(|b| alts.contains(b)) {
                    found[i] = true;
                }
            }
        }
        found.iter().all(|f| *f)
    }

    /// Whether a lower-cased word can stem to one of the terms at all. Stemming only
    /// shortens or rewrites a word's ending (Snowball never touches its first letter), so a
    /// word whose folded first letter starts no alternative cannot match; this spares
    /// stemming most words of a snippet's text, which was most of a search page's CPU.
    ///
    /// Nor is a stem ever longer than its word: folding and stemming only drop or replace
    /// letters (Snowball's few exceptions, "dying" → "die", are shorter too), which spares
    /// the short words of the query's first letter ("der", "die" for "Drucker").
    fn may_hit(&self, lower: &str) -> bool {
        let Some(first) = lower.chars().next() else {
            return false;
        };
        self.may_start(first, lower.len())
    }

    /// `may_hit` for a word of `len` bytes (lower-cased) starting with `first`.
    fn may_start(&self, first: char, len: usize) -> bool {
        let first = fold_char(first);
        self.terms
            .iter()
            .flatten()
            .any(|alt| alt.starts_with(first) && alt.len() <= len)
    }

    fn hits(&self, word: &str) -> bool {
        // Judged on the first letter before the word is lower-cased: most words fail here.
        let Some(first) = word.chars().next().and_then(|c| c.to_lowercase().next()) else {
            return false;
        };
        if !self.may_start(first, usize::MAX) {
            return false;
        }
        let lower = word.to_lowercase();
        if self.typed.contains(&lower) {
            return true;
        }
        if !self.may_hit(&lower) {
            return false;
        }
        let (a, b) = stems(&lower);
        self.terms
            .iter()
            .any(|alts| alts.contains(&a) || b.as_ref().is_some_and(|b| alts.contains(b)))
    }

    /// A piece of `text` around its first matching word, about `width` characters long, as
    /// runs of (text, is_match) for the caller to escape and mark; `None` if no word matches.
    pub fn snippet(&self, text: &str, width: usize) -> Option<Vec<(String, bool)>> {
        // Words are cut out only up to the first match and then within the snippet: a long
        // message's remaining words were most of a rare word's search page.
        let (hit, hit_end) = word_spans(text, 0).find(|&(s, e)| self.hits(&text[s..e]))?;
        let guess = floor_char(text, hit.saturating_sub(width / 3));
        // The snippet starts at a word: the first one beginning at or after the guess
        // (scanned from the start of the word the guess falls into).
        let mut back = guess;
        while let Some(c) = text[..back].chars().next_back()
            && c.is_alphanumeric()
        {
            back -= c.len_utf8();
        }
        let from = word_spans(text, back)
            .map(|(s, _)| s)
            .find(|&s| s >= guess)
            .unwrap_or(hit);
        let to = floor_char(text, (from + width).min(text.len())).max(hit_end);
        let mut out: Vec<(String, bool)> = Vec::new();
        let mut pos = from;
        if from > 0 {
            out.push(("… ".into(), false));
        }
        for (s, e) in word_spans(text, from).take_while(|&(_, e)| e <= to) {
            // Words before the first match were judged already.
            if s >= hit && self.hits(&text[s..e]) {
                push(&mut out, &text[pos..s], false);
                push(&mut out, &text[s..e], true);
                pos = e;
            }
        }
        push(&mut out, &text[pos..to], false);
        if to < text.len() {
            push(&mut out, " …", false);
        }
        Some(out)
    }
}

/// The text of some HTML, roughly: tags and entities become spaces (enough for indexing).
pub fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    let mut in_entity = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            '&' if !in_tag => in_entity = true,
            ';' if in_entity => {
                in_entity = false;
                out.push(' ');
            }
            c if in_entity && !c.is_alphanumeric() && c != '#' => {
                in_entity = false;
                out.push(c);
            }
            _ if in_tag || in_entity => {}
            c => out.push(c),
        }
    }
    out
}

/// The byte spans of the words of `text` from `from` on, which must be a word's start or
/// lie between words.
fn word_spans(text: &str, from: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut chars = text[from..].char_indices().map(move |(i, c)| (from + i, c));
    std::iter::from_fn(move || {
        let start = chars.by_ref().find(|(_, c)| c.is_alphanumeric())?.0;
        let end = chars
            .by_ref()
            .find(|(_, c)| !c.is_alphanumeric())
            .map_or(text.len(), |(i, _)| i);
        Some((start, end))
    })
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn push(out: &mut Vec<(String, bool)>, piece: &str, hit: bool) {
    if piece.is_empty() {
        return;
    }
    // Line breaks and runs of spaces become one space; the edges stay, so that words do
    // not run into each other.
    let mut collapsed = String::with_capacity(piece.len());
    let mut space = false;
    for c in piece.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                collapsed.push(' ');
            }
            space = false;
            collapsed.push(c);
        }
    }
    if space {
        collapsed.push(' ');
    }
    match out.last_mut() {
        Some((s, false)) if !hit => s.push_str(&collapsed),
        _ => out.push((collapsed, hit)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(text: &str) -> String {
        let mut t = IndexText::default();
        t.add(text);
        t.finish()
    }

    #[test]
    fn german_and_english_forms_meet() {
        let q = SearchQuery::parse("Drucker").unwrap();
        assert!(q.matches("Der Druckers Papierfach klemmt"));
        assert!(
            SearchQuery::parse("printing")
                .unwrap()
                .matches("The printer is offline")
        );
        assert!(
            SearchQuery::parse("Büro")
                .unwrap()
                .matches("im Buero im 2. Stock")
        );
        assert!(
            !SearchQuery::parse("Strasse")
                .unwrap()
                .matches("Hauptstraße 5")
        );
        assert!(SearchQuery::parse("straße").unwrap().matches("Strasse"));
        assert!(!q.matches("Der Bildschirm flackert"));
    }

    #[test]
    fn every_term_must_match() {
        let q = SearchQuery::parse("VPN Passwort").unwrap();
        assert!(q.matches("Das Passwort für das VPN läuft ab"));
        assert!(!q.matches("Das Passwort läuft ab"));
        assert_eq!(q.fts5(), "(\"vpn\") AND (\"passwort\")");
        assert_eq!(q.fts5_some().unwrap(), "(\"vpn\") OR (\"passwort\")");
        assert_eq!(q.tsquery_some().unwrap(), "('vpn') | ('passwort')");
        let one = SearchQuery::parse("VPN vpn").unwrap();
        assert_eq!((one.fts5_some(), one.tsquery_some()), (None, None));
    }

    #[test]
    fn queries_cannot_inject_syntax() {
        let q = SearchQuery::parse("a\" OR NEAR(x) * 'b' & !c").unwrap();
        let fts = q.fts5();
        assert!(!fts.contains('*') && !fts.contains("NEAR("), "{fts}");
        for part in fts.split('"').skip(1).step_by(2) {
            assert!(part.chars().all(char::is_alphanumeric), "{part}");
        }
        assert!(!q.tsquery().contains('!'));
        assert!(!q.tsquery_some().unwrap().contains('!'));
        let some = q.fts5_some().unwrap();
        for part in some.split('"').skip(1).step_by(2) {
            assert!(part.chars().all(char::is_alphanumeric), "{part}");
        }
        assert_eq!(SearchQuery::parse("  ,;!  "), None);
        assert!(SearchQuery::parse(&"wort ".repeat(50)).is_some());
        let many = (0..30)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(
            SearchQuery::parse(&many).unwrap().terms.len(),
            MAX_QUERY_TERMS
        );
    }

    #[test]
    fn index_text_holds_each_stem_once() {
        let t = index("Drucker drucker DRUCKER printer printers");
        let words: Vec<&str> = t.split(' ').collect();
        let unique: HashSet<&str> = words.iter().copied().collect();
        assert_eq!(words.len(), unique.len(), "{t}");
        assert!(
            index(&"x".repeat(100)).is_empty(),
            "long runs are not words"
        );
        let fts = SearchQuery::parse("Druckers").unwrap().fts5();
        assert!(t.split(' ').any(|w| fts.contains(&format!("\"{w}\""))));
    }

    #[test]
    fn html_tags_are_not_words() {
        let t = strip_tags("<p class=\"x\">Drucker&nbsp;kaputt</p><div>ok</div>");
        assert_eq!(words(&t).collect::<Vec<_>>(), ["drucker", "kaputt", "ok"]);
    }

    #[test]
    fn stems_keep_the_first_letter() {
        // `may_hit` relies on it; these are the words where the stemmers rewrite most.
        let words = "dying lying tying skies skis early only ugly gently singly idly news \
                     yelling youth Yves Ärger Äpfel Übersicht überall Öl Österreich ßtest \
                     Straße Fuesse Maße happily generously agreed Ueberweisung aepfel \
                     Häuser Bücher Drucker Druckerei Quastenflosser yearly ies eed ed";
        for w in super::words(words) {
            let first = fold_char(w.chars().next().unwrap());
            let (a, b) = stems(&w);
            for s in std::iter::once(a).chain(b) {
                assert!(s.starts_with(first), "{w} stems to {s}");
            }
            let q = SearchQuery::parse(&w).unwrap();
            assert!(q.may_hit(&w) && q.hits(&w), "{w}");
        }
        let q = SearchQuery::parse("Drucker").unwrap();
        assert!(!q.may_hit("papier") && q.may_hit("druckt"));
    }

    #[test]
    fn the_shortcuts_judge_every_word_as_stemming_it_would() {
        let text = "Der Drucker, die Druckers, druckt dies: dying, die, lie, ties, tie, TIES, \
                    Büro, Buero, BÜROS, bureau, printing, printer, prints, pr, d, \
                    İstanbul, ẞ, Quastenflosser, quastenflossers, Quaste, ugly, ugli";
        for q in [
            "Drucker",
            "dying",
            "Büros",
            "printing",
            "Quastenflosser",
            "ties",
            "ugly",
        ] {
            let query = SearchQuery::parse(q).unwrap();
            for w in text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
            {
                let (a, b) = stems(&w.to_lowercase());
                let stemmed = query
                    .terms
                    .iter()
                    .any(|alts| alts.contains(&a) || b.as_ref().is_some_and(|b| alts.contains(b)));
                assert_eq!(query.hits(w), stemmed, "{q}: {w}");
            }
        }
    }

    #[test]
    fn snippets_mark_the_matches() {
        let q = SearchQuery::parse("Drucker").unwrap();
        let text = "Guten Tag, seit heute Morgen druckt der Drucker im zweiten Stock nur \
                    leere Seiten. Der Drucker wurde schon neu gestartet.";
        let s = q.snippet(text, 60).unwrap();
        let marked: Vec<&str> = s.iter().filter(|p| p.1).map(|p| p.0.as_str()).collect();
        assert_eq!(marked, ["Drucker"]);
        let wide = q.snippet(text, 120).unwrap();
        let marked: Vec<&str> = wide.iter().filter(|p| p.1).map(|p| p.0.as_str()).collect();
        assert_eq!(
            marked,
            ["Drucker", "Drucker"],
            "a later match is marked too"
        );
        let joined: String = s.iter().map(|p| p.0.as_str()).collect::<Vec<_>>().join("");
        assert!(joined.len() < 90, "{joined}");
        assert!(joined.contains(" der Drucker im "), "{joined}");
        assert!(q.snippet("nichts davon", 60).is_none());
        let umlaut = SearchQuery::parse("Büro").unwrap();
        let s = umlaut.snippet("ää Büro öö", 4).unwrap();
        assert!(s.iter().any(|p| p.1 && p.0 == "Büro"));
    }
}
