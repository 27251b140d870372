//! Folding an HTML body: the same split as for text, on the structure clients write around a
//! quote — `<blockquote type="cite">` (Apple Mail, Thunderbird), `gmail_quote`,
//! `moz-cite-prefix`, `yahoo_quoted`, Outlook's `divRplyFwdMsg` and its `border-top`
//! separator above a header block — and on the lines of text between them (separators,
//! header blocks, attributions, as in text).
//!
//! One pass over the bytes with a hand-written tag scanner (no DOM): the split only cuts at
//! tag boundaries, and both halves are sanitised (and their tags balanced) by the renderer.

use super::lang::{self, Header};
use super::{MARKER_MAX, short};
use crate::inbound::html_text;

/// What a range of the HTML is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// A quote element (its end is the element's end).
    Quote,
    /// An element that holds a quote with its attribution (Gmail's, Yahoo's `div`).
    Container,
    /// The original below a separator: to the end of the body.
    ToEnd,
    /// A signature element (folded only where it ends what the sender wrote).
    Sig,
    /// A plain `<blockquote>`: a quote only with an attribution right above it (Yandex,
    /// Mail.ru), else an indented passage of the sender's.
    Plain,
}

#[derive(Debug, Clone, Copy)]
struct Range {
    start: usize,
    end: usize,
    mark: Mark,
}

/// A line of text as a reader sees it, with the byte offset of the tag that began it.
struct Line {
    pos: usize,
    text: String,
}

/// Elements whose content is no text a reader sees.
const RAW: &[&str] = &["script", "style", "title", "head", "xml"];

/// Elements that begin a new line.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "div"
            | "p"
            | "br"
            | "hr"
            | "blockquote"
            | "table"
            | "tr"
            | "td"
            | "th"
            | "li"
            | "ul"
            | "ol"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "pre"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "body"
            | "center"
            | "dl"
            | "dt"
            | "dd"
    )
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "br" | "hr"
            | "img"
            | "meta"
            | "link"
            | "input"
            | "wbr"
            | "col"
            | "area"
            | "base"
            | "source"
            | "embed"
            | "param"
            | "track"
    )
}

/// Appends text to a line, decoding the entities that matter for markers, up to a little
/// more than a marker can be long.
fn push_text(line: &mut String, raw: &str) {
    let mut rest = raw;
    while !rest.is_empty() && line.len() <= MARKER_MAX + 8 {
        let Some(amp) = rest.find('&') else {
            push_capped(line, rest);
            return;
        };
        push_capped(line, &rest[..amp]);
        rest = &rest[amp..];
        let end = rest[..floor(rest, 12)].find(';');
        let (ent, len) = match end {
            Some(e) => (&rest[1..e], e + 1),
            None => ("", 1),
        };
        let c = match ent {
            "nbsp" | "#160" | "#xa0" | "#xA0" => Some(' '),
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" | "#39" => Some('\''),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => line.push(c),
            None => push_capped(line, &rest[..len]),
        }
        rest = &rest[len..];
    }
}

fn push_capped(line: &mut String, s: &str) {
    let room = (MARKER_MAX + 8).saturating_sub(line.len());
    let mut cut = s.len().min(room);
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    line.push_str(&s[..cut]);
}

/// Case-insensitive search of an ASCII needle.
fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let n = needle.as_bytes();
    hay.as_bytes()
        .windows(n.len())
        .position(|w| w.eq_ignore_ascii_case(n))
}

/// A tag at `at` (which holds `<`): its lower-case name, its attributes (lower-case) and the
/// offset after its `>`; `None` when the `<` opens no tag.
fn tag(html: &str, at: usize) -> Option<(bool, String, String, usize)> {
    let b = html.as_bytes();
    let mut i = at + 1;
    let closing = b.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let name_start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-' || b[i] == b':') {
        i += 1;
    }
    if i == name_start || !b[name_start].is_ascii_alphabetic() {
        return None;
    }
    let name = html[name_start..i].to_ascii_lowercase();
    let attr_start = i;
    let mut quote = None;
    while i < b.len() {
        match (quote, b[i]) {
            (None, b'>') => break,
            (None, q @ (b'"' | b'\'')) => quote = Some(q),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        i += 1;
    }
    let attrs = html[attr_start..i].to_lowercase();
    Some((closing, name, attrs, (i + 1).min(html.len())))
}

/// The value of attribute `name` in lower-cased attributes.
fn attr<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let mut from = 0;
    while let Some(i) = attrs[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        let before_ok = at == 0 || attrs.as_bytes()[at - 1].is_ascii_whitespace();
        let rest = attrs[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let v = rest[1..].trim_start();
        return Some(match v.chars().next() {
            Some(q @ ('"' | '\'')) => v[1..].split(q).next().unwrap_or(""),
            _ => v
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or(""),
        });
    }
    None
}

/// The mark a start tag sets, if any.
fn mark_of(
    html: &str,
    name: &str,
    attrs: &str,
    after: usize,
    lookaheads: &mut usize,
) -> Option<Mark> {
    let class = attr(attrs, "class").unwrap_or("");
    let id = attr(attrs, "id").unwrap_or("");
    let style = attr(attrs, "style").unwrap_or("");
    // Gmail's, Thunderbird's, Outlook's (also its mobile "Get Outlook" line), Proton's.
    if class.contains("signature") || id.contains("signature") {
        return Some(Mark::Sig);
    }
    if name == "blockquote"
        && (attr(attrs, "type") == Some("cite")
            || class.contains("quote")
            || class.contains("cite")
            || style.contains("border-left"))
    {
        return Some(Mark::Quote);
    }
    if name == "blockquote" {
        return Some(Mark::Plain);
    }
    if class.contains("gmail_quote")
        || class.contains("yahoo_quoted")
        || class.contains("protonmail_quote")
        || class.contains("zmail_extra")
        || attr(attrs, "name") == Some("quote")
    {
        return Some(Mark::Container);
    }
    if class.contains("moz-cite-prefix") || class.contains("gmail_attr") {
        return Some(Mark::Quote);
    }
    if id.contains("divrplyfwdmsg")
        || id.contains("mail-editor-reference-message-container")
        || class.contains("outlookmessageheader")
        || class.contains("ms-outlook-mobile-reference-message")
        || (name == "hr" && (id == "stopspelling" || id == "zwchr"))
    {
        return Some(Mark::ToEnd);
    }
    // Outlook's separator: a box with a top border whose text begins with "From:".
    if name == "div" && style.contains("border-top") && *lookaheads < 50 {
        *lookaheads += 1;
        let mut text = String::new();
        let window = &html[after..floor(html, after + 2000)];
        visible_text(window, &mut text);
        if text
            .lines()
            .find(|l| !l.trim().is_empty())
            .is_some_and(|l| matches!(lang::header_line(l), Some((Header::From, _))))
        {
            return Some(Mark::ToEnd);
        }
    }
    None
}

/// The largest char boundary at or below `i`.
fn floor(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The text of a (short) piece of HTML, a line per block, for looking ahead.
fn visible_text(html: &str, out: &mut String) {
    for line in scan(html, false).lines {
        out.push_str(&line.text);
        out.push('\n');
    }
}

struct Scan {
    lines: Vec<Line>,
    ranges: Vec<Range>,
}

/// Reads the lines and the marked ranges of `html`; `look_ahead` allows reading ahead of
/// Outlook's separators (not done within a look-ahead itself).
fn scan(html: &str, look_ahead: bool) -> Scan {
    let mut lines = vec![Line {
        pos: 0,
        text: String::new(),
    }];
    let mut ranges = Vec::new();
    // Open elements: name, start offset, mark.
    let mut stack: Vec<(String, usize, Option<Mark>)> = Vec::new();
    let mut last_hr: Option<(usize, usize)> = None;
    // Outlook separators looked ahead of (each reads a little text); a few are plenty.
    let mut lookaheads = if look_ahead { 0 } else { 50 };
    let mut i = 0;
    while i < html.len() {
        let Some(lt) = html[i..].find('<').map(|k| i + k) else {
            push_text(&mut lines.last_mut().expect("one line").text, &html[i..]);
            break;
        };
        push_text(&mut lines.last_mut().expect("one line").text, &html[i..lt]);
        let rest = &html[lt..];
        if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(html.len(), |e| lt + e + 3);
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            i = rest.find('>').map_or(html.len(), |e| lt + e + 1);
            continue;
        }
        let Some((closing, name, attrs, after)) = tag(html, lt) else {
            push_text(&mut lines.last_mut().expect("one line").text, "<");
            i = lt + 1;
            continue;
        };
        i = after;
        if closing {
            // Only the innermost few elements are looked at: real mail closes what it opened
            // nearby, and a stray end tag must not cost a walk down a deep stack.
            let floor_k = stack.len().saturating_sub(64);
            if let Some(k) = stack[floor_k..]
                .iter()
                .rposition(|(n, _, _)| *n == name)
                .map(|k| k + floor_k)
            {
                for (_, start, mark) in stack.drain(k..) {
                    if let Some(mark) = mark {
                        ranges.push(Range {
                            start,
                            end: after,
                            mark,
                        });
                    }
                }
            }
            if is_block(&name) {
                lines.push(Line {
                    pos: after,
                    text: String::new(),
                });
            }
            continue;
        }
        if is_block(&name) {
            lines.push(Line {
                pos: lt,
                text: String::new(),
            });
        }
        let mut mark = mark_of(html, &name, &attrs, after, &mut lookaheads);
        if mark == Some(Mark::ToEnd) {
            // Outlook on the web draws an `<hr>` right above its header block.
            let start = match last_hr {
                Some((hr, hr_end)) if lt - hr_end < 2000 && !has_text(&html[hr_end..lt]) => hr,
                _ => lt,
            };
            ranges.push(Range {
                start,
                end: html.len(),
                mark: Mark::ToEnd,
            });
            mark = None;
        }
        if name == "hr" {
            last_hr = Some((lt, after));
        }
        if RAW.contains(&name.as_str()) && !attrs.ends_with('/') {
            let close = format!("</{name}");
            i = find_ci(&html[after..], &close).map_or(html.len(), |e| after + e);
            continue;
        }
        if !is_void(&name) && !attrs.trim_end().ends_with('/') {
            stack.push((name, lt, mark));
        }
    }
    for (_, start, mark) in stack {
        if let Some(mark) = mark {
            ranges.push(Range {
                start,
                end: html.len(),
                mark,
            });
        }
    }
    Scan { lines, ranges }
}

/// Whether a piece of HTML shows any text (white space and `&nbsp;` do not count).
fn has_text(html: &str) -> bool {
    let mut i = 0;
    while i < html.len() {
        let next = html[i..].find('<').map_or(html.len(), |k| i + k);
        let mut t = &html[i..next];
        loop {
            t = t.trim_start();
            if let Some(r) = t
                .strip_prefix("&nbsp;")
                .or_else(|| t.strip_prefix("&#160;"))
            {
                t = r;
            } else if let Some(r) = t
                .strip_prefix("&zwnj;")
                .or_else(|| t.strip_prefix("&#8203;"))
            {
                t = r;
            } else {
                break;
            }
        }
        if t.chars()
            .any(|c| !c.is_whitespace() && c != '\u{200b}' && c != '\u{feff}')
        {
            return true;
        }
        if next >= html.len() {
            return false;
        }
        let rest = &html[next..];
        i = if rest.starts_with("<!--") {
            rest.find("-->").map_or(html.len(), |e| next + e + 3)
        } else if let Some((false, name, _, after)) = tag(html, next)
            && RAW.contains(&name.as_str())
        {
            find_ci(&html[after..], &format!("</{name}")).map_or(html.len(), |e| after + e)
        } else {
            rest.find('>').map_or(html.len(), |e| next + e + 1)
        };
    }
    false
}

/// Splits an HTML body into what the person wrote now and what can be folded away (the
/// quoted original and the signature), cutting only between tags: `(visible, folded)`.
/// Nothing is dropped: the two together hold every byte of the body. A body that is nothing
/// but a quote, or whose quote is not recognised, is all visible.
pub fn fold_html(html: &str) -> (String, String) {
    let mut visible = String::with_capacity(html.len());
    let mut folded = String::new();
    let mut at = 0;
    for (r, f) in plan(html) {
        if f {
            visible.push_str(&html[at..r.start]);
            folded.push_str(&html[r.start..r.end]);
            at = r.end;
        }
    }
    visible.push_str(&html[at..]);
    (visible, folded)
}

/// The text of an HTML body split like `fold_html`: `(visible, folded)`, where quotes the
/// sender answered between stay visible as `>` lines, as a text client shows them.
pub(super) fn fold_html_text(html: &str) -> (String, String) {
    let mut visible = Vec::new();
    let mut folded = Vec::new();
    let mut at = 0;
    for (r, f) in plan(html) {
        visible.push(html_text(&html[at..r.start]));
        let text = html_text(&html[r.start..r.end]);
        if f {
            folded.push(text);
        } else if r.mark == Mark::Sig {
            visible.push(text);
        } else {
            visible.push(
                text.lines()
                    .map(|l| {
                        if l.is_empty() {
                            ">".to_owned()
                        } else {
                            format!("> {l}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
        }
        at = r.end;
    }
    visible.push(html_text(&html[at..]));
    let join = |parts: Vec<String>| {
        parts
            .into_iter()
            .filter(|p| !p.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    };
    (join(visible), join(folded))
}

/// The outermost marked ranges of `html` in order, each with whether it is folded.
fn plan(html: &str) -> Vec<(Range, bool)> {
    let Scan { lines, mut ranges } = scan(html, true);
    drop_conversations(html, &mut ranges);
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    // A forward is the request itself: no range at or after its marker is a quote.
    // (A forward quoted in a blockquote is part of the original answered now.)
    let quotes = Covered::new(
        &ranges
            .iter()
            .copied()
            .filter(|r| r.mark == Mark::Quote)
            .collect::<Vec<_>>(),
    );
    let forward = (0..lines.len())
        .find(|&k| {
            !quotes.contains(lines[k].pos) && short(texts[k]).is_some_and(lang::is_forward_marker)
        })
        .map(|k| lines[k].pos);
    if let Some(f) = forward {
        ranges.retain(|r| r.end <= f);
    }
    // Attributions right above a quote, and separators or header blocks in the text.
    for r in ranges.iter_mut().filter(|r| r.mark != Mark::Sig) {
        // Lines are in order of their offsets; a few dozen above are enough to find three.
        let at = lines.partition_point(|l| l.pos < r.start);
        let above: Vec<usize> = (at.saturating_sub(40)..at)
            .rev()
            .filter(|&k| !texts[k].trim().is_empty())
            .take(3)
            .collect();
        let mut best = None;
        for span in 1..=above.len() {
            let part: Vec<&str> = above[..span]
                .iter()
                .rev()
                .map(|&k| texts[k].trim())
                .collect();
            let joined = part.join(" ");
            if lang::is_attribution(&joined) && (span == 1 || lang::wraps_into(part[0])) {
                best = Some(above[span - 1]);
            }
        }
        if let Some(k) = best {
            r.start = r.start.min(lines[k].pos);
            if r.mark == Mark::Plain {
                r.mark = Mark::Quote;
            }
        }
    }
    ranges.retain(|r| r.mark != Mark::Plain);
    let limit = forward.unwrap_or(html.len());
    let covered = Covered::new(&ranges);
    let to_end = (0..lines.len()).find(|&k| {
        let pos = lines[k].pos;
        pos < limit
            && !covered.contains(pos)
            && short(texts[k]).is_some_and(|t| {
                !t.is_empty()
                    && (lang::is_separator(t, texts.get(k + 1..))
                        || lang::header_block(&texts, k).is_some())
            })
    });
    if let Some(k) = to_end {
        ranges.push(Range {
            start: lines[k].pos,
            end: html.len(),
            mark: Mark::ToEnd,
        });
    }
    // A mobile client's line ("Sent from my iPhone") ending what the sender wrote.
    let covered = Covered::new(&ranges);
    if let Some(k) = (0..lines.len()).rev().find(|&k| {
        lines[k].pos < limit && !covered.contains(lines[k].pos) && !texts[k].trim().is_empty()
    }) && short(texts[k]).is_some_and(lang::is_mobile_signature)
    {
        let end = lines.get(k + 1).map_or(html.len(), |l| l.pos);
        ranges.push(Range {
            start: lines[k].pos,
            end,
            mark: Mark::Sig,
        });
    }
    // Outermost ranges only, in order.
    ranges.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut outer: Vec<Range> = Vec::new();
    for r in ranges {
        match outer.last_mut() {
            Some(o) if r.start < o.end => {
                if r.mark != Mark::Sig && o.mark == Mark::Sig {
                    // A quote inside what looked like a signature: it is a quote.
                    o.mark = Mark::Quote;
                }
                o.end = o.end.max(r.end);
            }
            _ => outer.push(r),
        }
    }
    // Which ranges are folded: quotes as in text (interleaved answers keep the conversation),
    // a signature only where it ends what the sender wrote and is short.
    let gap_before = |k: usize| {
        let from = if k == 0 { 0 } else { outer[k - 1].end };
        has_text(&html[from..outer[k].start])
    };
    let n = outer.len();
    let own_after: Vec<bool> = {
        let mut v = vec![false; n];
        let mut seen = has_text(&html[outer.last().map_or(0, |r| r.end)..]);
        for k in (0..n).rev() {
            v[k] = seen;
            seen = seen || gap_before(k);
            if outer[k].mark == Mark::Sig && !sig_is_short(&html[outer[k].start..outer[k].end]) {
                seen = true;
            }
        }
        v
    };
    let own_before: Vec<bool> = {
        let mut v = vec![false; n];
        let mut seen = false;
        for k in 0..n {
            seen = seen || gap_before(k);
            v[k] = seen;
            if outer[k].mark == Mark::Sig {
                seen = true;
            }
        }
        v
    };
    if !(0..n).any(|k| own_before[k] || own_after[k]) && !has_text_outside(html, &outer) {
        return Vec::new();
    }
    let interleaved = (0..n).any(|k| outer[k].mark != Mark::Sig && own_before[k] && own_after[k]);
    let fold: Vec<bool> = (0..n)
        .map(|k| match outer[k].mark {
            Mark::Sig => {
                own_before[k] && !own_after[k] && sig_is_short(&html[outer[k].start..outer[k].end])
            }
            _ if interleaved => !own_after[k],
            _ => own_before[k] || own_after[k],
        })
        .collect();
    outer.into_iter().zip(fold).collect()
}

/// The offsets that quotes cover, merged and in order, for look-ups in logarithmic time.
struct Covered(Vec<(usize, usize)>);

impl Covered {
    fn new(ranges: &[Range]) -> Self {
        let mut v: Vec<(usize, usize)> = ranges
            .iter()
            .filter(|r| !matches!(r.mark, Mark::Sig | Mark::Plain))
            .map(|r| (r.start, r.end))
            .collect();
        v.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(v.len());
        for (s, e) in v {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        Covered(merged)
    }

    fn contains(&self, pos: usize) -> bool {
        let k = self.0.partition_point(|(s, _)| *s <= pos);
        k > 0 && pos < self.0[k - 1].1
    }
}

/// Drops containers that hold answers between their quotes (Gmail wraps an inline-answered
/// conversation in one `gmail_quote`): the quotes inside them stand for themselves.
fn drop_conversations(html: &str, ranges: &mut Vec<Range>) {
    ranges.sort_by_key(|r| r.start);
    // Pathological nesting is left alone rather than looked at quadratically.
    if ranges.len() > 1000 {
        return;
    }
    let all = ranges.clone();
    ranges.retain(|c| {
        if c.mark != Mark::Container {
            return true;
        }
        let nested: Vec<&Range> = all
            .iter()
            .filter(|r| r.start > c.start && r.end <= c.end && r.mark != Mark::Sig)
            .collect();
        let Some(first) = nested.first() else {
            return true;
        };
        let mut at = first.end;
        for r in &nested[1..] {
            if r.start >= at && has_text(&html[at..r.start]) {
                return false;
            }
            at = at.max(r.end);
        }
        !has_text(&html[at..c.end])
    });
}

fn has_text_outside(html: &str, ranges: &[Range]) -> bool {
    let mut at = 0;
    for r in ranges {
        if has_text(&html[at..r.start]) {
            return true;
        }
        at = r.end;
    }
    has_text(&html[at..])
}

/// Whether a signature element is short enough to be one (a dozen lines, no long prose).
fn sig_is_short(html: &str) -> bool {
    if html.len() > 20_000 {
        return false;
    }
    let lines = scan(html, false).lines;
    let text: Vec<&str> = lines
        .iter()
        .map(|l| l.text.trim())
        .filter(|t| !t.is_empty())
        .collect();
    text.len() <= 12 && text.iter().map(|t| t.len()).sum::<usize>() <= 800
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(html: &str, visible: &str, folded: &str) {
        let (v, f) = fold_html(html);
        assert_eq!((v.as_str(), f.as_str()), (visible, folded), "{html}");
    }

    #[test]
    fn folds_the_quotes_clients_write() {
        check(
            "<div dir=\"ltr\">Thanks!</div><br><div class=\"gmail_quote\"><div class=\"gmail_attr\">On Tue, Dec 1, 2026 at 10:00 AM Nadine &lt;<a href=\"mailto:n@x.de\">n@x.de</a>&gt; wrote:<br></div><blockquote class=\"gmail_quote\">Hi</blockquote></div>",
            "<div dir=\"ltr\">Thanks!</div><br>",
            "<div class=\"gmail_quote\"><div class=\"gmail_attr\">On Tue, Dec 1, 2026 at 10:00 AM Nadine &lt;<a href=\"mailto:n@x.de\">n@x.de</a>&gt; wrote:<br></div><blockquote class=\"gmail_quote\">Hi</blockquote></div>",
        );
        check(
            "<p>Merci</p><div>Le 1 déc. 2026 à 10:00, Nadine a écrit :</div><blockquote type=\"cite\"><p>Bonjour</p></blockquote>",
            "<p>Merci</p>",
            "<div>Le 1 déc. 2026 à 10:00, Nadine a écrit :</div><blockquote type=\"cite\"><p>Bonjour</p></blockquote>",
        );
        check(
            "<div>Ok</div><hr style=\"display:inline-block\"><div id=\"divRplyFwdMsg\"><b>From:</b> N</div><div>old</div>",
            "<div>Ok</div>",
            "<hr style=\"display:inline-block\"><div id=\"divRplyFwdMsg\"><b>From:</b> N</div><div>old</div>",
        );
        check(
            "<p>Ok</p><div style=\"border:none;border-top:solid #E1E1E1 1.0pt\"><p><b>Von:</b> N<br><b>Gesendet:</b> Dienstag</p></div><p>alt</p>",
            "<p>Ok</p>",
            "<div style=\"border:none;border-top:solid #E1E1E1 1.0pt\"><p><b>Von:</b> N<br><b>Gesendet:</b> Dienstag</p></div><p>alt</p>",
        );
        check(
            "<div>Yes<br><br>-----Original Message-----<br>From: N<br>old</div>",
            "<div>Yes<br>",
            "<br>-----Original Message-----<br>From: N<br>old</div>",
        );
    }

    #[test]
    fn keeps_what_the_sender_wrote() {
        // Bottom-posted: the quote first, then the answer.
        check(
            "<blockquote type=\"cite\">Can you?</blockquote><div>Yes.</div>",
            "<div>Yes.</div>",
            "<blockquote type=\"cite\">Can you?</blockquote>",
        );
        // Inline answers: the conversation stays; the unanswered rest is folded.
        check(
            "<blockquote type=\"cite\">When?</blockquote>Monday<blockquote type=\"cite\">Where?</blockquote>Office<blockquote type=\"cite\">Bye</blockquote>",
            "<blockquote type=\"cite\">When?</blockquote>Monday<blockquote type=\"cite\">Where?</blockquote>Office",
            "<blockquote type=\"cite\">Bye</blockquote>",
        );
        // Only a quote: shown whole.
        check(
            "<blockquote type=\"cite\">Old</blockquote>",
            "<blockquote type=\"cite\">Old</blockquote>",
            "",
        );
        // A plain indented block is no quote.
        check(
            "<p>a</p><blockquote>b</blockquote>",
            "<p>a</p><blockquote>b</blockquote>",
            "",
        );
    }
}
