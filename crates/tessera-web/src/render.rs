//! What templates share: the page frame's data, translations, and safe rendering of user text.

use std::{borrow::Cow, collections::HashMap};

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use tessera_domain::{Ago, BodyFormat, Lang, Local, Problem, Timestamp, Tz, time::DEFAULT_ZONE};

/// Data every page's frame needs. `Page::new`, the frame for a request, is in `ctx`, which
/// sits above this module (error pages, below `ctx`, use `Page::bare`).
#[derive(Debug, Clone)]
pub struct Page {
    /// Language of the page.
    pub lang: Lang,
    /// Organisation name for the header.
    pub org: String,
    /// CSRF token for forms.
    pub csrf: String,
    /// Current path, for the language switch.
    pub path: String,
    /// Whether the visitor has a session with tickets.
    pub signed_in: bool,
    /// The signed-in agent's name, on agent pages.
    pub agent: Option<String>,
    /// Whether the signed-in agent is an administrator.
    pub admin: bool,
    /// Where the organisation's logo is served, if it has one.
    pub logo: Option<String>,
    /// The reader's time zone: an agent's own, else the installation's (set once per
    /// request, so a page's dates cost no look-up each).
    pub tz: Tz,
    /// The moment the page is made, for relative times ("5 min ago").
    pub now: Timestamp,
    /// `now` on the reader's clock, read once per page (with the zone it was read in).
    pub(crate) today: std::sync::OnceLock<(Tz, Local)>,
}

impl Page {
    /// A frame without request data (error pages).
    pub fn bare(lang: Lang) -> Self {
        Self {
            lang,
            org: "Tessera".into(),
            csrf: String::new(),
            path: "/".into(),
            signed_in: false,
            agent: None,
            admin: false,
            logo: None,
            tz: DEFAULT_ZONE,
            now: Timestamp::now(),
            today: Default::default(),
        }
    }

    /// A translated message.
    pub fn t(&self, key: &str) -> String {
        tessera_i18n::t(self.lang, key)
    }

    /// A translated message with one argument.
    pub fn t1(&self, key: &str, name: &'static str, value: &str) -> String {
        tessera_i18n::t_args(self.lang, key, &[(name, value)])
    }

    /// The assets' fingerprint for their URLs.
    pub fn asset_version(&self) -> &'static str {
        crate::assets::version()
    }

    /// The language code for `<html lang>`.
    pub fn code(&self) -> &'static str {
        self.lang.as_str()
    }

    /// The link that switches to another language and comes back here.
    pub fn lang_link(&self, code: &str) -> String {
        format!(
            "/lang/{code}?next={}",
            percent_encoding::utf8_percent_encode(&self.path, percent_encoding::NON_ALPHANUMERIC)
        )
    }

    /// A file size for people.
    pub fn bytes(&self, n: &i64) -> String {
        tessera_i18n::bytes(self.lang, *n)
    }

    /// A date and time for people, on the reader's clock (`07.03.2026 10:05`).
    pub fn datetime(&self, ts: &Timestamp) -> String {
        let l = ts.local(self.tz);
        format!("{} {:02}:{:02}", self.local_date(&l), l.hour, l.minute)
    }

    /// A date for people, on the reader's calendar.
    pub fn date(&self, ts: &Timestamp) -> String {
        self.local_date(&ts.local(self.tz))
    }

    /// A local reading's date. Written out field by field: a queue page shows two per row,
    /// and chrono's `format` parses its pattern again at each call.
    fn local_date(&self, l: &Local) -> String {
        let (y, m, day) = (l.year, l.month, l.day);
        match self.lang {
            Lang::De => format!("{day:02}.{m:02}.{y:04}"),
            Lang::En => format!("{y:04}-{m:02}-{day:02}"),
        }
    }

    /// The exact local date and time with the zone's abbreviation (`07.03.2026 10:05 CET`)
    /// or name (`Asia/Dubai`), for the hover text of a relative time.
    pub fn exact(&self, ts: &Timestamp) -> String {
        let (l, abbreviation) = ts.local_named(self.tz);
        self.exact_of(&l, &abbreviation)
    }

    fn exact_of(&self, l: &Local, abbreviation: &str) -> String {
        let date = self.local_date(l);
        // Zones without a letter abbreviation (Dubai's "+04") are named.
        let zone = match abbreviation {
            "" => self.tz.name(),
            z => z,
        };
        format!("{date} {:02}:{:02} {zone}", l.hour, l.minute)
    }

    /// How long ago, as people say it: "vor 5 Min." / "5 min ago", "gestern 14:03" /
    /// "yesterday 14:03", then the date.
    pub fn ago(&self, ts: &Timestamp) -> String {
        self.ago_of(ts, ts.local(self.tz))
    }

    fn ago_of(&self, ts: &Timestamp, local: Local) -> String {
        let today = || match self.today.get() {
            Some((tz, l)) if *tz == self.tz => *l,
            _ => {
                let l = self.now.local(self.tz);
                let _ = self.today.set((self.tz, l));
                l
            }
        };
        relative(
            self.lang,
            tessera_domain::time::ago_local(*ts, local, self.now, today),
        )
    }

    /// A machine-readable timestamp for `<time datetime>`.
    pub fn iso(&self, ts: &Timestamp) -> String {
        ts.to_datetime().to_rfc3339()
    }

    /// A relative time as HTML, with the exact local time as its hover text:
    /// `<time datetime="…" title="07.03.2026 10:05 CET">vor 5 Min.</time>` (for `|safe`).
    pub fn time_tag(&self, ts: &Timestamp) -> String {
        let (l, abbreviation) = ts.local_named(self.tz);
        format!(
            "<time datetime=\"{}\" title=\"{}\">{}</time>",
            self.iso(ts),
            escape(&self.exact_of(&l, &abbreviation)),
            escape(&self.ago_of(ts, l))
        )
    }
}

/// Escapes text for HTML text and attribute values.
fn escape(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"']) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;"),
    )
}

/// The words of relative times, per language: each minute and hour count formatted once
/// through Fluent (its plural rules), "today"/"yesterday" as a pattern around the time.
struct RelativeWords {
    just_now: String,
    minutes: Vec<String>,
    hours: Vec<String>,
    today: (String, String),
    yesterday: (String, String),
}

fn words(lang: Lang) -> &'static RelativeWords {
    static WORDS: std::sync::OnceLock<[RelativeWords; 2]> = std::sync::OnceLock::new();
    let [de, en] = WORDS.get_or_init(|| {
        [Lang::De, Lang::En].map(|lang| {
            let count = |key: &str, n: i64| tessera_i18n::t_count(lang, key, &[], ("n", n));
            // The pattern around the time, split at a marker no translation contains.
            let around = |key: &str| {
                let t = tessera_i18n::t_args(lang, key, &[("time", "\u{1}")]);
                let (a, b) = t.split_once('\u{1}').unwrap_or((&t, ""));
                (a.to_owned(), b.to_owned())
            };
            RelativeWords {
                just_now: tessera_i18n::t(lang, "time-just-now"),
                minutes: (0..60).map(|n| count("time-minutes-ago", n)).collect(),
                hours: (0..6).map(|n| count("time-hours-ago", n)).collect(),
                today: around("time-today"),
                yesterday: around("time-yesterday"),
            }
        })
    });
    match lang {
        Lang::De => de,
        Lang::En => en,
    }
}

/// Words a relative time in a language.
pub fn relative(lang: Lang, ago: Ago) -> String {
    let w = words(lang);
    let at = |(a, b): &(String, String), l: &Local| format!("{a}{:02}:{:02}{b}", l.hour, l.minute);
    match ago {
        Ago::JustNow => w.just_now.clone(),
        Ago::Minutes(n) => w.minutes[n.clamp(0, 59) as usize].clone(),
        Ago::Hours(n) => w.hours[n.clamp(0, 5) as usize].clone(),
        Ago::Today(l) => at(&w.today, &l),
        Ago::Yesterday(l) => at(&w.yesterday, &l),
        Ago::On(l) => match lang {
            Lang::De => format!("{:02}.{:02}.{:04}", l.day, l.month, l.year),
            Lang::En => format!("{:04}-{:02}-{:02}", l.year, l.month, l.day),
        },
    }
}

/// Submitted values and translated field errors, to show a form again.
#[derive(Debug, Clone, Default)]
pub struct Form {
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
}

impl Form {
    /// An empty form.
    pub fn new() -> Self {
        Self::default()
    }

    /// Remembers a submitted value.
    pub fn set(&mut self, name: &str, value: String) {
        self.values.insert(name.to_owned(), value);
    }

    /// Adds translated errors.
    pub fn with_problem(mut self, lang: Lang, p: &Problem) -> Self {
        for e in &p.errors {
            self.errors
                .entry(e.field.to_string())
                .or_insert_with(|| tessera_i18n::t(lang, e.key));
        }
        self
    }

    /// A submitted value, or "".
    pub fn v(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    /// The error of a field.
    pub fn e(&self, name: &str) -> Option<&String> {
        self.errors.get(name)
    }

    /// Whether any field has an error.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Whether any value is filled in (a one-button form sends none).
    pub fn has_values(&self) -> bool {
        self.values.values().any(|v| !v.is_empty())
    }

    /// Takes over another form's errors (for a one-button form shown on stored values).
    pub fn with_errors_of(mut self, other: Form) -> Self {
        self.errors.extend(other.errors);
        self
    }
}

/// Renders a person's text: Markdown emphasis, lists and links, every line break kept, raw
/// HTML shown as typed, and the result sanitised once more as a second wall.
pub fn user_text(body: &str) -> String {
    let parser = Parser::new_ext(body, Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES)
        .flat_map(|ev| match ev {
            Event::SoftBreak => vec![Event::HardBreak],
            // Typed HTML is shown as typed, line by line, inside a paragraph.
            Event::Start(Tag::HtmlBlock) => vec![Event::Start(Tag::Paragraph)],
            Event::End(TagEnd::HtmlBlock) => vec![Event::End(TagEnd::Paragraph)],
            Event::Html(h) => {
                let mut out = Vec::new();
                for (i, line) in h.trim_end_matches('\n').split('\n').enumerate() {
                    if i > 0 {
                        out.push(Event::HardBreak);
                    }
                    out.push(Event::Text(line.to_owned().into()));
                }
                if h.ends_with('\n') {
                    out.push(Event::HardBreak);
                }
                out
            }
            Event::InlineHtml(h) => vec![Event::Text(h)],
            // Images would load remote content when the page is viewed; show them as links.
            Event::Start(Tag::Image {
                dest_url,
                title,
                id,
                ..
            }) => vec![Event::Start(Tag::Link {
                link_type: pulldown_cmark::LinkType::Inline,
                dest_url,
                title,
                id,
            })],
            Event::End(TagEnd::Image) => vec![Event::End(TagEnd::Link)],
            e => vec![e],
        });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .clean(&html)
        .to_string()
}

/// Renders an entry's body as it is written: Markdown typed into Tessera's forms, plain
/// text from a mail or a program, or HTML.
pub fn entry_body(format: BodyFormat, body: &str) -> String {
    match format {
        BodyFormat::Markdown => user_text(body),
        BodyFormat::Text => mail_text(body),
        BodyFormat::Html => ammonia::clean(body),
    }
}

/// Renders plain text as written (a mail, a program's message): every character escaped and
/// nothing interpreted — no Markdown, no HTML — except that web addresses (`http`, `https`)
/// and mail addresses (bare or `mailto:`) become links. The text keeps its line breaks and
/// spaces (`.plain-text` is `white-space: pre-wrap`), so its text content is the input.
pub fn mail_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8 + 32);
    out.push_str("<div class=\"plain-text\">");
    linkify(text, &mut out);
    out.push_str("</div>");
    out
}

/// Escapes text for element content and attribute values.
fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Writes `text` escaped, with its web and mail addresses as links. One pass: a link is
/// looked for where a scheme starts after a word boundary, or around an `@`; every byte is
/// looked at a bounded number of times, so a 40 MB line costs what copying it does.
fn linkify(text: &str, out: &mut String) {
    let b = text.as_bytes();
    // Bytes before `done` are written.
    let (mut done, mut i) = (0, 0);
    while i < b.len() {
        let found = match b[i] {
            b'h' | b'H' | b'm' | b'M' if i == 0 || !b[i - 1].is_ascii_alphanumeric() => {
                url_at(text, i).map(|end| (i, end, ""))
            }
            b'@' => email_around(b, done, i).map(|(start, end)| (start, end, "mailto:")),
            _ => None,
        };
        let Some((start, end, prefix)) = found else {
            i += 1;
            continue;
        };
        escape_into(&text[done..start], out);
        let link = &text[start..end];
        out.push_str("<a href=\"");
        out.push_str(prefix);
        escape_into(link, out);
        out.push_str("\" rel=\"noopener noreferrer nofollow\">");
        escape_into(link, out);
        out.push_str("</a>");
        (done, i) = (end, end);
    }
    escape_into(&text[done..], out);
}

/// The end of a web or `mailto:` address starting at `start`, if one does. It runs to white
/// space, a control character or one of `<>"\``; trailing punctuation (`.`, `,`, `:`, `;`,
/// `!`, `?`, quotes, `*`) and closing brackets without their opening one inside are not part
/// of it ("see https://example.org/a_(b)." links `https://example.org/a_(b)`).
fn url_at(text: &str, start: usize) -> Option<usize> {
    let rest = &text.as_bytes()[start..];
    let scheme = ["https://", "http://", "mailto:"]
        .into_iter()
        .find(|s| rest.len() > s.len() && rest[..s.len()].eq_ignore_ascii_case(s.as_bytes()))?;
    let body = &text[start + scheme.len()..];
    // A host (or a mail address) must follow the scheme. Checked first: a rejected start
    // must not cost a scan to the end of the run (`(http:///(http:///…` would be quadratic);
    // an accepted one is consumed, and trimming below never reaches its first character.
    let first = body.chars().next()?;
    if !(first.is_alphanumeric() || first == '[') {
        return None;
    }
    let mut end = body
        .find(|c: char| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '`'))
        .unwrap_or(body.len());
    let bytes = body.as_bytes();
    let count = |open: u8, close: u8| {
        bytes[..end].iter().fold(0i64, |n, &c| {
            n + i64::from(c == close) - i64::from(c == open)
        })
    };
    // Closing brackets beyond their opening ones, per kind.
    let mut unmatched = [count(b'(', b')'), count(b'[', b']'), count(b'{', b'}')];
    while end > 0 {
        let k = match bytes[end - 1] {
            b'.' | b',' | b':' | b';' | b'!' | b'?' | b'\'' | b'"' | b'*' => None,
            b')' => Some(0),
            b']' => Some(1),
            b'}' => Some(2),
            _ => break,
        };
        if let Some(k) = k {
            if unmatched[k] <= 0 {
                break;
            }
            unmatched[k] -= 1;
        }
        end -= 1;
    }
    Some(start + scheme.len() + end)
}

/// The mail address around the `@` at `at`, as `(start, end)`, if there is one: a local part
/// of letters, digits and `._%+-` not reaching back before `floor` (already written), and a
/// domain of at least two labels of letters, digits and `-`, the last all letters. Only
/// ASCII: the bounds found are always character boundaries.
fn email_around(b: &[u8], floor: usize, at: usize) -> Option<(usize, usize)> {
    let local = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-');
    let mut start = at;
    while start > floor && local(b[start - 1]) {
        start -= 1;
    }
    while start < at && b[start] == b'.' {
        start += 1;
    }
    if start == at || b[at - 1] == b'.' {
        return None;
    }
    let domain = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-');
    let mut end = at + 1;
    while end < b.len() && domain(b[end]) {
        end += 1;
    }
    while end > at + 1 && matches!(b[end - 1], b'.' | b'-') {
        end -= 1;
    }
    let host = &b[at + 1..end];
    let mut labels = host.split(|&c| c == b'.');
    let last = labels.next_back()?;
    let ok = host.contains(&b'.')
        && last.len() >= 2
        && last.iter().all(u8::is_ascii_alphabetic)
        && host
            .split(|&c| c == b'.')
            .all(|l| !l.is_empty() && l[0] != b'-' && l[l.len() - 1] != b'-');
    ok.then_some((start, end))
}

/// The `Content-ID` a `cid:` URL names (RFC 2392: percent-encoded), lower-cased for the
/// lookup; `None` for any other URL.
fn cid_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once(':')?;
    scheme.eq_ignore_ascii_case("cid").then(|| {
        percent_encoding::percent_decode_str(rest)
            .decode_utf8_lossy()
            .trim_matches(['<', '>'])
            .to_lowercase()
    })
}

/// Renders the HTML of a mail as sent, through an allowlist (ammonia's defaults: common
/// formatting tags and attributes). Scripts, styles (elements and attributes), event
/// handlers, forms and frames go. Nothing remote is loaded when the page is viewed: an image
/// keeps its source only when it is a `cid:` reference to one of `inline` (Content-ID →
/// attachment URL), which it is rewritten to; links keep only absolute http(s) and mailto
/// targets (or a `cid:` part, rewritten the same way) and get
/// `rel="noopener noreferrer nofollow"`. The page's CSP (`img-src 'self' data:`) is the
/// second wall.
pub fn mail_html(html: &str, inline: &HashMap<String, String>) -> String {
    // The filter must own its lookup (ammonia keeps it as `'static`).
    let urls: HashMap<String, String> = inline
        .iter()
        .map(|(cid, url)| (cid.trim_matches(['<', '>']).to_lowercase(), url.clone()))
        .collect();
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto", "cid"].into_iter().collect())
        // A mail's <title> would otherwise show up as a stray line of text.
        .add_clean_content_tags(["title"])
        .attribute_filter(move |element, attribute, value| {
            let target = || cid_of(value).and_then(|cid| urls.get(&cid).cloned());
            match (element, attribute) {
                ("img", "src") => target().map(Cow::Owned),
                ("a", "href") if cid_of(value).is_some() => target().map(Cow::Owned),
                // Relative links would point into Tessera itself.
                ("a", "href") if ammonia::Url::parse(value).is_err() => None,
                _ => Some(Cow::Borrowed(value)),
            }
        })
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(html: &str) -> String {
        let inline = HashMap::from([(
            "image001.png@01DB43A1.5F3E2C10".to_owned(),
            "/attachments/9/image001.png".to_owned(),
        )]);
        mail_html(html, &inline).trim().to_owned()
    }

    fn page(lang: Lang, tz: Tz, now: Timestamp) -> Page {
        Page {
            tz,
            now,
            ..Page::bare(lang)
        }
    }

    #[test]
    fn dates_read_as_each_language_writes_them_on_the_readers_clock() {
        // 2026-03-07 09:05:59 UTC, and a year of three digits.
        let ts = Timestamp(1_772_874_359_000_000);
        let berlin = |lang| page(lang, DEFAULT_ZONE, ts);
        assert_eq!(berlin(Lang::De).datetime(&ts), "07.03.2026 10:05");
        assert_eq!(berlin(Lang::En).datetime(&ts), "2026-03-07 10:05");
        assert_eq!(berlin(Lang::De).exact(&ts), "07.03.2026 10:05 CET");
        assert_eq!(berlin(Lang::De).date(&ts), "07.03.2026");
        let dubai = page(
            Lang::En,
            tessera_domain::time::zone("Asia/Dubai").unwrap(),
            ts,
        );
        assert_eq!(dubai.datetime(&ts), "2026-03-07 13:05");
        assert_eq!(dubai.exact(&ts), "2026-03-07 13:05 Asia/Dubai");
        let utc = page(Lang::En, Tz::UTC, ts);
        let old = Timestamp(-50_000_000_000_000_000);
        assert_eq!(
            utc.date(&old),
            old.to_datetime().format("%Y-%m-%d").to_string()
        );
        assert_eq!(
            berlin(Lang::De).time_tag(&ts),
            "<time datetime=\"2026-03-07T09:05:59+00:00\" title=\"07.03.2026 10:05 CET\">gerade eben</time>"
        );
    }

    /// Relative times in both languages, at their boundaries (minutes are whole minutes
    /// since; plural forms through Fluent).
    #[test]
    fn relative_times_read_as_people_say_them() {
        // 16:00 in Berlin.
        let now = Timestamp(1_772_895_600_000_000);
        let cases: &[(i64, &str, &str)] = &[
            (0, "gerade eben", "just now"),
            (59, "gerade eben", "just now"),
            (60, "vor 1 Min.", "1 min ago"),
            (119, "vor 1 Min.", "1 min ago"),
            (300, "vor 5 Min.", "5 min ago"),
            (3599, "vor 59 Min.", "59 min ago"),
            (3600, "vor 1 Std.", "1 hour ago"),
            (3 * 3600, "vor 3 Std.", "3 hours ago"),
            (6 * 3600, "heute 10:00", "today 10:00"),
            (16 * 3600, "heute 00:00", "today 00:00"),
            (16 * 3600 + 60, "gestern 23:59", "yesterday 23:59"),
            (40 * 3600, "gestern 00:00", "yesterday 00:00"),
            (40 * 3600 + 60, "05.03.2026", "2026-03-05"),
        ];
        for (secs, de, en) in cases {
            let then = now.plus_secs(-secs);
            assert_eq!(page(Lang::De, DEFAULT_ZONE, now).ago(&then), *de, "{secs}s");
            assert_eq!(page(Lang::En, DEFAULT_ZONE, now).ago(&then), *en, "{secs}s");
        }
        // A clock a little behind the writer's: "just now", not a negative time.
        let ahead = now.plus_secs(30);
        assert_eq!(page(Lang::En, DEFAULT_ZONE, now).ago(&ahead), "just now");
    }

    /// Across the change to summer time the local clock, not the UTC one, says "yesterday".
    #[test]
    fn yesterday_follows_the_local_calendar_over_daylight_saving() {
        // 29 March 2026, 09:00 CEST; the clocks went forward at 02:00 CET.
        let now = Timestamp(1_774_767_600_000_000);
        let p = page(Lang::De, DEFAULT_ZONE, now);
        // 28 March 23:30 CET.
        assert_eq!(p.ago(&Timestamp(1_774_737_000_000_000)), "gestern 23:30");
        // 29 March 01:30 CET, the hour before the change.
        assert_eq!(p.ago(&Timestamp(1_774_744_200_000_000)), "heute 01:30");
        // 29 March 03:00 CEST, just after it: six hours before 09:00.
        assert_eq!(p.ago(&Timestamp(1_774_746_000_000_000)), "heute 03:00");
    }

    #[test]
    fn sanitises_mail_html() {
        let cases = [
            ("<p>Hallo <b>Welt</b></p>", "<p>Hallo <b>Welt</b></p>"),
            ("<p>a</p><script>alert(1)</script>", "<p>a</p>"),
            ("<p onclick=\"alert(1)\">a</p>", "<p>a</p>"),
            (
                "<style>body{background:url(http://evil/x)}</style><p style=\"color:red\">a</p>",
                "<p>a</p>",
            ),
            (
                "<img src=\"http://evil.example/track.gif\" alt=\"Logo\">",
                "<img alt=\"Logo\">",
            ),
            (
                "<img src=\"cid:image001.png@01DB43A1.5F3E2C10\">",
                "<img src=\"/attachments/9/image001.png\">",
            ),
            // Content-IDs are percent-encoded in URLs and compared without regard to case.
            (
                "<img src=\"CID:Image001.png%4001DB43A1.5F3E2C10\">",
                "<img src=\"/attachments/9/image001.png\">",
            ),
            ("<img src=\"cid:unknown@x\">", "<img>"),
            ("<img src=\"data:image/png;base64,AAAA\">", "<img>"),
            (
                "<a href=\"javascript:alert(1)\">x</a>",
                "<a rel=\"noopener noreferrer nofollow\">x</a>",
            ),
            (
                "<a href=\"https://example.org/\" target=\"_blank\">x</a>",
                "<a href=\"https://example.org/\" rel=\"noopener noreferrer nofollow\">x</a>",
            ),
            (
                "<a href=\"/agent/admin\">x</a>",
                "<a rel=\"noopener noreferrer nofollow\">x</a>",
            ),
            (
                "<form action=\"https://evil/\"><input name=\"p\"><button>Go</button></form>",
                "Go",
            ),
            (
                "<iframe src=\"https://evil/\"></iframe><p>a</p>",
                "<p>a</p>",
            ),
            (
                "<html><head><title>Re: x</title></head><body><p>a</p></body></html>",
                "<p>a</p>",
            ),
            // Other ways HTML mail loads remote content when it is opened.
            (
                "<table background=\"https://t.example/bg\"><tr><td background=\"https://t.example/c\">a</td></tr></table>",
                "<table><tbody><tr><td>a</td></tr></tbody></table>",
            ),
            (
                "<img srcset=\"https://t.example/2x.png 2x\" src=\"cid:nothing\">",
                "<img>",
            ),
            (
                "<link rel=\"stylesheet\" href=\"https://t.example/s.css\"><meta http-equiv=\"refresh\" content=\"0;url=https://t.example/\"><base href=\"https://t.example/\"><p>a</p>",
                "<p>a</p>",
            ),
            (
                "<video poster=\"https://t.example/p.png\"></video><input type=\"image\" src=\"https://t.example/i.png\"><object data=\"https://t.example/o\"></object><svg><image href=\"https://t.example/s.png\"/></svg>",
                "",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(mail(input), expected, "{input:?}");
        }
    }

    fn text(input: &str, expected: &str) {
        let out = mail_text(input);
        let inner = out
            .strip_prefix("<div class=\"plain-text\">")
            .and_then(|o| o.strip_suffix("</div>"));
        assert_eq!(inner, Some(expected), "{input:?}");
    }

    fn a(url: &str) -> String {
        format!("<a href=\"{url}\" rel=\"noopener noreferrer nofollow\">{url}</a>")
    }

    #[test]
    fn shows_plain_text_as_written() {
        text("__init__.py", "__init__.py");
        text(
            "# not a heading\n*stars* _x_",
            "# not a heading\n*stars* _x_",
        );
        text(
            "<b>tags</b> & \"quotes\" 'x'",
            "&lt;b&gt;tags&lt;/b&gt; &amp; &quot;quotes&quot; &#39;x&#39;",
        );
        text("  indented\n\n\tline", "  indented\n\n\tline");
        text(
            "- not\n1. a list\n> nor a quote",
            "- not\n1. a list\n&gt; nor a quote",
        );
        text(
            "[x](https://e.org)",
            &format!("[x]({})", a("https://e.org")),
        );
    }

    #[test]
    fn makes_web_and_mail_addresses_links() {
        text(
            "see https://example.org/a.",
            &format!("see {}.", a("https://example.org/a")),
        );
        text(
            "(http://example.org/wiki/A_(b)), ok?",
            &format!("({}), ok?", a("http://example.org/wiki/A_(b)")),
        );
        text(
            "HTTPS://Example.org/x?a=1&b=2!",
            "<a href=\"HTTPS://Example.org/x?a=1&amp;b=2\" rel=\"noopener noreferrer nofollow\">HTTPS://Example.org/x?a=1&amp;b=2</a>!",
        );
        text(
            "<https://example.org/>",
            &format!("&lt;{}&gt;", a("https://example.org/")),
        );
        text(
            "Mail max.muster+x@drk-kv.example.de, please.",
            "Mail <a href=\"mailto:max.muster+x@drk-kv.example.de\" rel=\"noopener noreferrer nofollow\">max.muster+x@drk-kv.example.de</a>, please.",
        );
        text(
            "mailto:a@b.de?subject=Hi.",
            &format!("{}.", a("mailto:a@b.de?subject=Hi")),
        );
        // An address inside a link is the link's.
        text("https://e.org/?to=a@b.de", &a("https://e.org/?to=a@b.de"));
        text(
            "ü@ü.de: a@b.de",
            "ü@ü.de: <a href=\"mailto:a@b.de\" rel=\"noopener noreferrer nofollow\">a@b.de</a>",
        );
    }

    /// Inputs that would take quadratic time if a rejected start scanned its whole run
    /// (a megabyte each: quadratic would not finish).
    #[test]
    fn a_huge_line_renders_in_one_pass() {
        for piece in ["(http:///", "a@b-", "mailto:@", "https://x.y/(", "@a.b@"] {
            let line = piece.repeat(1_000_000 / piece.len());
            assert!(mail_text(&line).len() >= line.len());
        }
    }

    #[test]
    fn links_nothing_else() {
        for s in [
            "javascript:alert(1)",
            "JaVaScRiPt://x",
            "data:text/html,<script>",
            "ftp://example.org",
            "xhttps://example.org",
            "https://",
            "https://.",
            "http:///x",
            "mailto:",
            "a@b",
            "a@b.c",
            "a@b.12",
            "a.@b.de",
            "@b.de",
            "a@-b.de",
            "a@b..de",
            "user@localhost",
        ] {
            let out = mail_text(s);
            assert!(!out.contains("<a"), "{s:?} → {out}");
        }
    }

    fn check(input: &str, expected: &str) {
        assert_eq!(user_text(input).trim(), expected, "{input:?}");
    }

    #[test]
    fn renders_user_text_safely() {
        check("Hallo\nWelt", "<p>Hallo<br>\nWelt</p>");
        check("**fett**", "<p><strong>fett</strong></p>");
        check(
            "<script>alert(1)</script>",
            "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
        );
        check(
            "a <b onclick=x>b</b>",
            "<p>a &lt;b onclick=x&gt;b&lt;/b&gt;</p>",
        );
        check(
            "[x](javascript:alert(1))",
            "<p><a rel=\"noopener noreferrer nofollow\">x</a></p>",
        );
        check(
            "![img](http://evil/x.png)",
            "<p><a href=\"http://evil/x.png\" rel=\"noopener noreferrer nofollow\">img</a></p>",
        );
        check(
            "- eins\n- zwei",
            "<ul>\n<li>eins</li>\n<li>zwei</li>\n</ul>",
        );
    }
}

/// Property tests (issue 21): whatever a person or a mail sends, the rendered HTML carries
/// no script, no event handler and no `javascript:` URL. `PROPTEST_CASES` raises the count.
#[cfg(test)]
mod prop_tests {
    use super::*;
    use proptest::prelude::*;

    fn config() -> ProptestConfig {
        let cases = std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(64);
        ProptestConfig {
            cases,
            ..ProptestConfig::default()
        }
    }

    /// Input built from the pieces attacks are made of, glued by arbitrary text.
    fn hostile() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("<script>alert(1)</script>".to_owned()),
            Just("<SCRIPT SRC=//evil.example/x.js></SCRIPT>".to_owned()),
            Just("<img src=x onerror=alert(1)>".to_owned()),
            Just("<svg/onload=alert(1)>".to_owned()),
            Just("<a href=\"javascript:alert(1)\">x</a>".to_owned()),
            Just("<a href=\"jav&#x09;ascript:alert(1)\">x</a>".to_owned()),
            Just("<a href=\"&#106;avascript:alert(1)\">x</a>".to_owned()),
            Just("[x](javascript:alert(1))".to_owned()),
            Just("[x](JaVaScRiPt:alert(1) \"t\")".to_owned()),
            Just("![i](javascript:alert(1))".to_owned()),
            Just("<javascript:alert(1)>".to_owned()),
            Just("[r]: javascript:alert(1)\n[x][r]".to_owned()),
            Just("<div onclick=\"x()\" style=\"x\">".to_owned()),
            Just("<iframe src=\"https://evil.example\"></iframe>".to_owned()),
            Just("<form action=x><input onfocus=alert(1) autofocus>".to_owned()),
            Just("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>".to_owned()),
            Just("<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">".to_owned()),
            Just("<!--<img src=x onerror=alert(1)>-->".to_owned()),
            Just("<a href=\"data:text/html,<script>alert(1)</script>\">x</a>".to_owned()),
            Just("`<script>`".to_owned()),
            Just("```\n<script>\n```\n".to_owned()),
            Just("\n".to_owned()),
            Just("*".to_owned()),
            Just("> ".to_owned()),
            Just("| a | b |\n|---|---|\n".to_owned()),
            "\\PC{0,20}",
            "[<>\"'=/ a-z:&#;]{0,20}",
        ];
        proptest::collection::vec(piece, 0..20).prop_map(|v| v.concat())
    }

    /// Text made of what links and their surroundings are made of.
    fn linkish() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("https://".to_owned()),
            Just("HTTP://".to_owned()),
            Just("mailto:".to_owned()),
            Just("javascript:".to_owned()),
            Just("www.".to_owned()),
            Just("@".to_owned()),
            Just("example.org".to_owned()),
            Just("a.b-c_d+e".to_owned()),
            "[().,:;!?'\"*<>&\\[\\]{}/#?=%@ \n\t-]{1,4}",
            "[a-zA-Z0-9äöü🦀]{1,6}",
            "\\PC{0,4}",
        ];
        proptest::collection::vec(piece, 0..24).prop_map(|v| v.concat())
    }

    fn unescape(s: &str) -> String {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    /// The rendered text is the input, to the character, once its tags are taken out and
    /// its entities decoded; its only tags are the frame and links to http(s) or mail
    /// addresses whose target is their text, without trailing punctuation.
    fn check_mail_text(input: &str) -> Result<(), TestCaseError> {
        let out = mail_text(input);
        let inner = out
            .strip_prefix("<div class=\"plain-text\">")
            .and_then(|o| o.strip_suffix("</div>"))
            .unwrap_or_default();
        let mut text = String::new();
        let mut rest = inner;
        while let Some(open) = rest.find('<') {
            text.push_str(&rest[..open]);
            let close = rest[open..].find('>').map(|c| open + c + 1);
            prop_assert!(close.is_some(), "unclosed tag in {}", out);
            let tag = &rest[open..close.unwrap_or(open)];
            rest = &rest[close.unwrap_or(open)..];
            if tag == "</a>" {
                continue;
            }
            let href = tag
                .strip_prefix("<a href=\"")
                .and_then(|t| t.strip_suffix("\" rel=\"noopener noreferrer nofollow\">"));
            prop_assert!(href.is_some(), "unexpected tag {} in {}", tag, out);
            let href = unescape(href.unwrap_or_default());
            let lower = href.to_ascii_lowercase();
            prop_assert!(
                ["http://", "https://", "mailto:"]
                    .iter()
                    .any(|p| lower.starts_with(p)),
                "href {}",
                href
            );
            let end = rest.find("</a>").unwrap_or(rest.len());
            let label = unescape(&rest[..end]);
            prop_assert!(
                href == label || href == format!("mailto:{label}"),
                "{} vs {}",
                href,
                label
            );
            prop_assert!(
                !label.ends_with(['.', ',', ':', ';', '!', '?', '\'', '"']),
                "{}",
                label
            );
        }
        text.push_str(rest);
        prop_assert_eq!(unescape(&text), input);
        Ok(())
    }

    /// The tags of rendered HTML (text outside tags is escaped and harmless), lower-cased.
    fn tags(html: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find('<') {
            let end = rest[start..]
                .find('>')
                .map_or(rest.len(), |e| start + e + 1);
            out.push(rest[start..end].to_lowercase());
            rest = &rest[end..];
        }
        out
    }

    fn assert_safe(html: &str) -> Result<(), TestCaseError> {
        let lower = html.to_lowercase();
        prop_assert!(!lower.contains("<script"), "script in {}", html);
        for tag in tags(html) {
            // Browsers ignore white space and control characters inside a URL's scheme.
            let squeezed: String = tag
                .chars()
                .filter(|c| !c.is_ascii_control() && !c.is_whitespace())
                .collect();
            prop_assert!(
                !squeezed.contains("javascript:"),
                "javascript: URL in {}",
                tag
            );
            prop_assert!(
                !squeezed.contains("&#"),
                "encoded characters in a tag: {}",
                tag
            );
            // Attribute names: the words outside quoted values, after the tag's name.
            let handler = tag
                .split(['"', '\''])
                .step_by(2)
                .flat_map(|outside| {
                    outside
                        .split(|c: char| c.is_whitespace() || matches!(c, '/' | '<' | '>'))
                        .map(str::to_owned)
                        .collect::<Vec<_>>()
                })
                .filter(|w| !w.is_empty())
                .skip(1)
                .any(|w| w.starts_with("on"));
            prop_assert!(!handler, "event handler in {}", tag);
        }
        Ok(())
    }

    #[test]
    fn the_check_itself_catches_each_kind() {
        for bad in [
            "<p><script>x</script></p>",
            "<img src=\"x\" onerror=\"alert(1)\">",
            "<a title=\"a\" onclick=\"x\">",
            "<a href=\"java\tscript:alert(1)\">",
            "<a href=\"&#106;avascript:x\">",
        ] {
            assert!(assert_safe(bad).is_err(), "{bad}");
        }
        assert!(assert_safe("<p title=\"onclick=x javascript\">onerror=1 javascript:</p>").is_ok());
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn prop_markdown_of_any_text_is_safe(s in hostile()) {
            assert_safe(&user_text(&s))?;
        }

        #[test]
        fn prop_markdown_of_arbitrary_unicode_is_safe(s in "\\PC{0,500}") {
            assert_safe(&user_text(&s))?;
        }

        #[test]
        fn prop_mail_html_is_safe(s in hostile()) {
            let inline = HashMap::from([("a@b".to_owned(), "/attachments/1/a.png".to_owned())]);
            assert_safe(&mail_html(&s, &inline))?;
        }

        #[test]
        fn prop_mail_text_is_the_text_with_safe_links(s in linkish()) {
            check_mail_text(&s)?;
        }

        #[test]
        fn prop_mail_text_of_arbitrary_unicode(s in "\\PC{0,300}") {
            check_mail_text(&s)?;
        }

        #[test]
        fn prop_mail_text_of_hostile_input(s in hostile()) {
            check_mail_text(&s)?;
            assert_safe(&mail_text(&s))?;
        }
    }
}
