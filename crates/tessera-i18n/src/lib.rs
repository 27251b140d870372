//! Every user-facing sentence, in German and English, from Fluent files compiled into the
//! binary.
//!
//! Architecture invariant: code asks for messages by key; no crate spells out user-facing text.
#![forbid(unsafe_code)]

use std::{borrow::Cow, collections::HashMap};

use fluent_templates::{LanguageIdentifier, Loader, fluent_bundle::FluentValue, langid};
use tessera_domain::Lang;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Isolation marks would end up in mail subjects and plain-text bodies.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static DE: LanguageIdentifier = langid!("de");
static EN: LanguageIdentifier = langid!("en");

fn id(lang: Lang) -> &'static LanguageIdentifier {
    match lang {
        Lang::De => &DE,
        Lang::En => &EN,
    }
}

/// A message without arguments.
pub fn t(lang: Lang, key: &str) -> String {
    LOCALES.lookup(id(lang), key)
}

/// A message with named arguments.
pub fn t_args(lang: Lang, key: &str, args: &[(&'static str, &str)]) -> String {
    let map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
        .iter()
        .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(*v)))
        .collect();
    LOCALES.lookup_with_args(id(lang), key, &map)
}

/// Formats a byte count for people ("1,2 MB" / "1.2 MB").
pub fn bytes(lang: Lang, n: i64) -> String {
    let (value, unit) = if n >= 1024 * 1024 {
        (n as f64 / (1024.0 * 1024.0), "MB")
    } else if n >= 1024 {
        (n as f64 / 1024.0, "KB")
    } else {
        return format!("{n} B");
    };
    let s = format!("{value:.1} {unit}");
    match lang {
        Lang::De => s.replace('.', ","),
        Lang::En => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(src: &str) -> BTreeSet<String> {
        src.lines()
            .filter(|l| !l.starts_with([' ', '#', '\t']) && l.contains(" ="))
            .map(|l| l.split(" =").next().unwrap_or("").trim().to_owned())
            .collect()
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let de = keys(include_str!("../locales/de/main.ftl"));
        let en = keys(include_str!("../locales/en/main.ftl"));
        let only_de: Vec<_> = de.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&de).collect();
        assert!(
            only_de.is_empty() && only_en.is_empty(),
            "de only: {only_de:?}, en only: {only_en:?}"
        );
        assert!(de.len() > 50);
    }

    #[test]
    fn looks_up_with_arguments() {
        assert_eq!(t(Lang::De, "nav-home"), "Startseite");
        assert_eq!(t(Lang::En, "nav-home"), "Home");
        assert!(t_args(Lang::En, "receipt-title", &[("number", "123456")]).contains("123456"));
        assert_eq!(bytes(Lang::De, 1536), "1,5 KB");
        assert_eq!(bytes(Lang::En, 3 * 1024 * 1024), "3.0 MB");
        assert_eq!(bytes(Lang::En, 12), "12 B");
    }
}
