//! Every user-facing sentence, in German and English, from Fluent files compiled into the
//! binary.
//!
//! Architecture invariant: code asks for messages by key; no crate spells out user-facing text.
#![forbid(unsafe_code)]

use std::{borrow::Cow, collections::HashMap, sync::OnceLock};

use fluent_templates::{LanguageIdentifier, Loader, fluent_bundle::FluentValue, langid};
use tessera_domain::Lang;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Isolation marks would end up in mail subjects and plain-text bodies.
        customise: |bundle| {
            bundle.set_use_isolating(false);
            bundle
                .add_function("TRIM_STOP", trim_stop)
                .expect("TRIM_STOP is defined once");
        },
    };
}

/// `TRIM_STOP($name)`: the value without its final period, for a name that ends a
/// sentence — "bearbeitet von { TRIM_STOP($agent) }." reads "von Nadine S." and not
/// "von Nadine S.." (issue 23). Every message that puts a name, an organisation or a
/// department before the sentence's own period writes it this way.
fn trim_stop<'a>(
    args: &[FluentValue<'a>],
    _named: &fluent_templates::fluent_bundle::FluentArgs,
) -> FluentValue<'a> {
    match args.first() {
        Some(FluentValue::String(s)) => match s.strip_suffix('.') {
            Some(t) => FluentValue::from(t.to_owned()),
            None => FluentValue::String(s.clone()),
        },
        Some(other) => other.clone(),
        None => FluentValue::None,
    }
}

static DE: LanguageIdentifier = langid!("de");
static EN: LanguageIdentifier = langid!("en");

fn id(lang: Lang) -> &'static LanguageIdentifier {
    match lang {
        Lang::De => &DE,
        Lang::En => &EN,
    }
}

/// The Fluent sources of each language (German, English), for the keys of their messages.
/// One file per area, so that work on different areas does not edit one file; the loader
/// above reads every `.ftl` file of a language's folder, and a test checks this list names
/// them all.
const SOURCES: [&[&str]; 2] = [
    &[
        include_str!("../locales/de/main.ftl"),
        include_str!("../locales/de/edge.ftl"),
        include_str!("../locales/de/intake.ftl"),
        include_str!("../locales/de/sessions.ftl"),
        include_str!("../locales/de/files.ftl"),
        include_str!("../locales/de/mailauth.ftl"),
        include_str!("../locales/de/robots.ftl"),
        include_str!("../locales/de/plaintext.ftl"),
        include_str!("../locales/de/outbox.ftl"),
        include_str!("../locales/de/mailstore.ftl"),
        include_str!("../locales/de/polish.ftl"),
        include_str!("../locales/de/local.ftl"),
        include_str!("../locales/de/queue.ftl"),
        include_str!("../locales/de/composer.ftl"),
        include_str!("../locales/de/notices.ftl"),
        include_str!("../locales/de/live.ftl"),
    ],
    &[
        include_str!("../locales/en/main.ftl"),
        include_str!("../locales/en/edge.ftl"),
        include_str!("../locales/en/intake.ftl"),
        include_str!("../locales/en/sessions.ftl"),
        include_str!("../locales/en/files.ftl"),
        include_str!("../locales/en/mailauth.ftl"),
        include_str!("../locales/en/robots.ftl"),
        include_str!("../locales/en/plaintext.ftl"),
        include_str!("../locales/en/outbox.ftl"),
        include_str!("../locales/en/mailstore.ftl"),
        include_str!("../locales/en/polish.ftl"),
        include_str!("../locales/en/local.ftl"),
        include_str!("../locales/en/queue.ftl"),
        include_str!("../locales/en/composer.ftl"),
        include_str!("../locales/en/notices.ftl"),
        include_str!("../locales/en/live.ftl"),
    ],
];

/// The keys of a Fluent source's messages (not its terms, attributes or comments).
fn message_keys(src: &str) -> impl Iterator<Item = &str> {
    src.lines()
        .filter(|l| !l.starts_with([' ', '#', '\t', '-']) && l.contains(" ="))
        .filter_map(|l| l.split(" =").next())
        .map(str::trim)
}

/// Every message of a language as `t` gives it, formatted once. Pages ask for dozens of
/// labels each (a queue page two per row), and each Fluent lookup negotiates the language
/// and formats the pattern again: about a tenth of a search page's CPU.
fn plain(lang: Lang) -> &'static HashMap<&'static str, String> {
    static PLAIN: OnceLock<[HashMap<&'static str, String>; 2]> = OnceLock::new();
    let [de, en] = PLAIN.get_or_init(|| {
        [(Lang::De, SOURCES[0]), (Lang::En, SOURCES[1])].map(|(lang, srcs)| {
            srcs.iter()
                .flat_map(|src| message_keys(src))
                .map(|key| (key, LOCALES.lookup(id(lang), key)))
                .collect()
        })
    });
    match lang {
        Lang::De => de,
        Lang::En => en,
    }
}

/// A message without arguments.
pub fn t(lang: Lang, key: &str) -> String {
    match plain(lang).get(key) {
        Some(text) => text.clone(),
        None => LOCALES.lookup(id(lang), key),
    }
}

/// A message without arguments, or `None` when there is no such message (for texts that
/// are translated where a translation exists and shown as stored otherwise).
pub fn t_opt(lang: Lang, key: &str) -> Option<String> {
    plain(lang).get(key).cloned()
}

/// A message with named arguments.
pub fn t_args(lang: Lang, key: &str, args: &[(&'static str, &str)]) -> String {
    let map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
        .iter()
        .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(*v)))
        .collect();
    LOCALES.lookup_with_args(id(lang), key, &map)
}

/// A message with named arguments and one count, passed as a number so that the message
/// can choose its plural form (`{ $attempts -> [one] … *[other] … }`); text arguments never
/// are, so that a ticket number keeps its leading zeros.
pub fn t_count(
    lang: Lang,
    key: &str,
    args: &[(&'static str, &str)],
    count: (&'static str, i64),
) -> String {
    let mut map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
        .iter()
        .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(*v)))
        .collect();
    map.insert(Cow::Borrowed(count.0), FluentValue::from(count.1));
    LOCALES.lookup_with_args(id(lang), key, &map)
}

/// A reason stored with `tessera_domain::Reason`, in `lang`; free text from rows written
/// before reasons were keyed is returned as it is.
pub fn t_stored(lang: Lang, stored: &str) -> String {
    match tessera_domain::Reason::decode(stored) {
        Some(r) => {
            let map: HashMap<Cow<'static, str>, FluentValue<'_>> = r
                .args
                .iter()
                .map(|(k, v)| (Cow::Owned(k.clone()), FluentValue::from(v.as_str())))
                .collect();
            LOCALES.lookup_with_args(id(lang), &r.key, &map)
        }
        None => stored.to_owned(),
    }
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

    fn keys(srcs: &[&str]) -> BTreeSet<String> {
        srcs.iter()
            .flat_map(|src| message_keys(src))
            .map(str::to_owned)
            .collect()
    }

    /// A name that ends in a period ends its sentence with one (issue 23: "Nadine S..").
    #[test]
    fn a_name_ending_a_sentence_keeps_one_period() {
        let args = [("agent", "Nadine S."), ("requester", "Max")];
        assert_eq!(
            t_args(Lang::De, "notice-change-agent", &args),
            "Nadine S. kümmert sich jetzt darum."
        );
        assert_eq!(
            t_args(Lang::En, "notice-change-agent", &[("agent", "Nadine")]),
            "Nadine is now taking care of it."
        );
        // No message of either language, given names that end in a period, has "..".
        for (lang, srcs) in [(Lang::De, SOURCES[0]), (Lang::En, SOURCES[1])] {
            for key in srcs.iter().flat_map(|src| message_keys(src)) {
                let names = [
                    "agent",
                    "assignee",
                    "actor",
                    "requester",
                    "name",
                    "org",
                    "team",
                    "department",
                ];
                let args: Vec<(&'static str, &str)> = names.iter().map(|n| (*n, "A. B.")).collect();
                let text = t_args(lang, key, &args);
                assert!(!text.contains(".."), "{lang:?} {key}: {text}");
            }
        }
    }

    #[test]
    fn every_fluent_file_is_listed_in_sources() {
        for (lang, srcs) in [("de", SOURCES[0]), ("en", SOURCES[1])] {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/locales/").to_owned() + lang;
            let files = std::fs::read_dir(&dir)
                .unwrap()
                .filter(|e| {
                    e.as_ref()
                        .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "ftl"))
                })
                .count();
            assert_eq!(files, srcs.len(), "{dir}: add the new file to SOURCES");
        }
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let de = keys(SOURCES[0]);
        let en = keys(SOURCES[1]);
        let only_de: Vec<_> = de.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&de).collect();
        assert!(
            only_de.is_empty() && only_en.is_empty(),
            "de only: {only_de:?}, en only: {only_en:?}"
        );
        assert!(de.len() > 50);
    }

    #[test]
    fn every_message_formatted_once_reads_as_fluent_formats_it() {
        for (lang, srcs) in [(Lang::De, SOURCES[0]), (Lang::En, SOURCES[1])] {
            let n = plain(lang).len();
            assert!(n > 50, "{lang:?}: {n} messages");
            for key in srcs.iter().flat_map(|src| message_keys(src)) {
                assert_eq!(t(lang, key), LOCALES.lookup(id(lang), key), "{key}");
            }
        }
        assert_eq!(
            t(Lang::De, "no-such-key"),
            LOCALES.lookup(&DE, "no-such-key")
        );
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

    #[test]
    fn stored_reasons_read_in_each_language() {
        use tessera_domain::Reason;
        let refused = Reason::new("webhook-fail-refused")
            .arg("host", "127.0.0.1")
            .arg("kind", "loopback")
            .encode();
        assert_eq!(
            t_stored(Lang::De, &refused),
            "Abgelehnt: 127.0.0.1 ist eine Loopback-Adresse (dieser Rechner); erlauben Sie \
             private Ziele, um dorthin zu senden."
        );
        assert!(t_stored(Lang::En, &refused).starts_with("Refused: 127.0.0.1 is a loopback"));
        let detail = Reason::new("mail-in-reason-retry-failed")
            .arg("detail", "database error: disk I/O error")
            .encode();
        assert_eq!(
            t_stored(Lang::De, &detail),
            "Die erneute Verarbeitung ist fehlgeschlagen: database error: disk I/O error"
        );
        // Rows written before reasons were keyed are shown as they are.
        let old = "processing it again failed: no department";
        assert_eq!(t_stored(Lang::De, old), old);
    }

    #[test]
    fn counts_choose_their_plural_form() {
        let failed = |lang, n| {
            t_count(
                lang,
                "outbox-state-failed",
                &[("reason", "x")],
                ("attempts", n),
            )
        };
        assert!(
            failed(Lang::De, 1).contains("einem Versuch"),
            "{}",
            failed(Lang::De, 1)
        );
        assert!(
            failed(Lang::De, 8).contains("8 Versuchen"),
            "{}",
            failed(Lang::De, 8)
        );
        assert!(
            failed(Lang::En, 1).contains("1 attempt:"),
            "{}",
            failed(Lang::En, 1)
        );
        let all = t_count(Lang::De, "outbox-retried-all", &[], ("count", 1));
        assert!(all.starts_with("Eine E-Mail"), "{all}");
    }
}
