//! What templates share: the page frame's data, translations, and safe rendering of user text.

use std::collections::HashMap;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use tessera_domain::{Lang, Problem, Timestamp};

use crate::Ctx;

/// Data every page's frame needs.
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
}

impl Page {
    /// The frame for a request.
    pub fn new(ctx: &Ctx, settings: &tessera_core::Settings) -> Self {
        Self {
            lang: ctx.lang,
            org: settings.org_name.clone(),
            csrf: ctx.csrf.clone(),
            path: ctx.path.clone(),
            signed_in: ctx.session.is_some(),
            agent: None,
            admin: false,
            logo: settings
                .logo
                .as_ref()
                .map(|l| format!("/logo/{}", l.version)),
        }
    }

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

    /// A date and time for people (UTC for now; per-user time zones come with agent profiles).
    pub fn datetime(&self, ts: &Timestamp) -> String {
        let dt = ts.to_datetime();
        match self.lang {
            Lang::De => dt.format("%d.%m.%Y %H:%M UTC").to_string(),
            Lang::En => dt.format("%Y-%m-%d %H:%M UTC").to_string(),
        }
    }

    /// A date for people.
    pub fn date(&self, ts: &Timestamp) -> String {
        let dt = ts.to_datetime();
        match self.lang {
            Lang::De => dt.format("%d.%m.%Y").to_string(),
            Lang::En => dt.format("%Y-%m-%d").to_string(),
        }
    }

    /// A machine-readable timestamp for `<time datetime>`.
    pub fn iso(&self, ts: &Timestamp) -> String {
        ts.to_datetime().to_rfc3339()
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

#[cfg(test)]
mod tests {
    use super::*;

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
