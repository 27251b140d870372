//! Custom form fields of help topics: their kinds, how administrators define them and how
//! a requester's answers are checked and stored as text.

use crate::{HelpTopicId, Lang, Problem, TopicFieldId, validate};

/// Longest answer to a one-line field, in characters.
pub const MAX_SHORT: usize = 200;
/// Longest answer to a multi-line field, in characters.
pub const MAX_LONG: usize = 10_000;
/// Longest label, in characters.
pub const MAX_LABEL: usize = 100;
/// Longest help text, in characters.
pub const MAX_HELP: usize = 500;
/// Longest option of a choice, in characters.
pub const MAX_OPTION: usize = 200;
/// Most options a choice may offer.
pub const MAX_OPTIONS: usize = 50;
/// Longest machine name, in characters.
pub const MAX_KEY: usize = 40;

/// What kind of answer a field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// One line of text.
    ShortText,
    /// Several lines of text.
    LongText,
    /// Exactly one of the options.
    Choice,
    /// Any number of the options.
    MultiChoice,
    /// Yes or no.
    Checkbox,
    /// A calendar day.
    Date,
}

impl FieldKind {
    /// Every kind, in the order administrators are offered them.
    pub const ALL: [FieldKind; 6] = [
        FieldKind::ShortText,
        FieldKind::LongText,
        FieldKind::Choice,
        FieldKind::MultiChoice,
        FieldKind::Checkbox,
        FieldKind::Date,
    ];

    /// The stored name, also used in translation keys.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::ShortText => "short_text",
            FieldKind::LongText => "long_text",
            FieldKind::Choice => "choice",
            FieldKind::MultiChoice => "multi_choice",
            FieldKind::Checkbox => "checkbox",
            FieldKind::Date => "date",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<FieldKind> {
        FieldKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the field offers options to pick from.
    pub fn has_options(self) -> bool {
        matches!(self, FieldKind::Choice | FieldKind::MultiChoice)
    }
}

/// A custom field of a help topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicField {
    /// Key.
    pub id: TopicFieldId,
    /// The topic whose form shows it.
    pub help_topic_id: HelpTopicId,
    /// Machine name (`event_date`), unique per topic, for the API.
    pub key: String,
    /// What it takes.
    pub kind: FieldKind,
    /// German label.
    pub label_de: String,
    /// English label.
    pub label_en: String,
    /// German help text, may be empty.
    pub help_de: String,
    /// English help text, may be empty.
    pub help_en: String,
    /// What a choice offers, in order.
    pub options: Vec<String>,
    /// Whether a submission needs an answer.
    pub is_required: bool,
    /// Position on the form.
    pub sort_order: i64,
    /// Still offered on the form.
    pub is_active: bool,
}

impl TopicField {
    /// The label in a language.
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::De => &self.label_de,
            Lang::En => &self.label_en,
        }
    }

    /// The help text in a language.
    pub fn help(&self, lang: Lang) -> &str {
        match lang {
            Lang::De => &self.help_de,
            Lang::En => &self.help_en,
        }
    }

    /// The form control's name; also the field name its errors are reported under.
    pub fn input_name(&self) -> String {
        input_name(self.id)
    }

    /// The name of one checkbox of a multi-choice field (one name per option, so that the
    /// form needs no repeated names).
    pub fn option_input_name(&self, index: usize) -> String {
        format!("{}-{index}", self.input_name())
    }

    /// This field's submitted values out of every submitted `(name, value)` pair.
    pub fn submitted<'a>(&self, pairs: &'a [(String, String)]) -> Vec<&'a str> {
        let name = self.input_name();
        let prefix = format!("{name}-");
        pairs
            .iter()
            .filter(|(k, _)| *k == name || k.starts_with(&prefix))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Checks a submission's values for this field: `Ok(None)` when there is no answer (and
    /// none is needed), `Ok(Some(text))` with the text to store, or the translation key of
    /// the problem.
    pub fn check(&self, values: &[&str]) -> Result<Option<String>, &'static str> {
        let values: Vec<&str> = values
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        if values.is_empty() {
            return if self.is_required {
                Err(if self.kind == FieldKind::Checkbox {
                    "error-field-checkbox"
                } else {
                    "error-required"
                })
            } else {
                Ok(None)
            };
        }
        if self.kind != FieldKind::MultiChoice && values.len() > 1 {
            return Err("error-field-choice");
        }
        let one = values[0];
        match self.kind {
            FieldKind::ShortText | FieldKind::LongText => {
                let (max, newlines) = if self.kind == FieldKind::ShortText {
                    (MAX_SHORT, false)
                } else {
                    (MAX_LONG, true)
                };
                let mut p = Problem::default();
                match validate::text(&mut p, "value", one, max) {
                    Some(v) if !newlines && v.contains(['\n', '\r']) => Err("error-bad-characters"),
                    Some(v) => Ok(Some(v)),
                    None => Err(p.errors.first().map(|e| e.key).unwrap_or("error-required")),
                }
            }
            FieldKind::Choice => match self.options.iter().find(|o| o.as_str() == one) {
                Some(o) => Ok(Some(o.clone())),
                None => Err("error-field-choice"),
            },
            FieldKind::MultiChoice => {
                if values.iter().any(|v| !self.options.iter().any(|o| o == v)) {
                    return Err("error-field-choice");
                }
                // Stored in the options' order, one per line, whatever order the form sent.
                let picked: Vec<&str> = self
                    .options
                    .iter()
                    .filter(|o| values.contains(&o.as_str()))
                    .map(String::as_str)
                    .collect();
                Ok(Some(picked.join("\n")))
            }
            FieldKind::Checkbox => match one {
                "1" => Ok(Some("1".into())),
                _ => Err("error-field-choice"),
            },
            FieldKind::Date => match parse_date(one) {
                Some(d) => Ok(Some(d.format("%Y-%m-%d").to_string())),
                None => Err("error-field-date"),
            },
        }
    }
}

/// The form control's name of a field.
pub fn input_name(id: TopicFieldId) -> String {
    format!("cf-{}", id.0)
}

/// A calendar day written `YYYY-MM-DD` that exists (what `<input type=date>` sends).
pub fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shape {
        return None;
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// A stored answer with what it takes to show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldValue {
    /// The field answered.
    pub field_id: TopicFieldId,
    /// What kind of field it is (for display: a date, a checkbox, a list).
    pub kind: FieldKind,
    /// German label (the field's current one).
    pub label_de: String,
    /// English label.
    pub label_en: String,
    /// The stored text: multi-choice answers one per line, a ticked checkbox `1`.
    pub value: String,
}

impl FieldValue {
    /// The label in a language.
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::De => &self.label_de,
            Lang::En => &self.label_en,
        }
    }
}

/// What an administrator typed to define or change a field.
#[derive(Debug, Clone, Default)]
pub struct FieldDraft {
    /// Machine name.
    pub key: String,
    /// Kind name.
    pub kind: String,
    /// German label.
    pub label_de: String,
    /// English label.
    pub label_en: String,
    /// German help text.
    pub help_de: String,
    /// English help text.
    pub help_en: String,
    /// Options, one per line.
    pub options: String,
    /// Answer needed.
    pub is_required: bool,
    /// Position, as typed.
    pub sort_order: String,
    /// Offered on the form.
    pub is_active: bool,
}

/// A checked definition, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDefinition {
    /// Machine name.
    pub key: String,
    /// Kind.
    pub kind: FieldKind,
    /// German label.
    pub label_de: String,
    /// English label.
    pub label_en: String,
    /// German help text.
    pub help_de: String,
    /// English help text.
    pub help_en: String,
    /// Options (empty unless the kind has options).
    pub options: Vec<String>,
    /// Answer needed.
    pub is_required: bool,
    /// Position.
    pub sort_order: i64,
    /// Offered on the form.
    pub is_active: bool,
}

fn optional_text(p: &mut Problem, field: &'static str, v: &str, max: usize) -> String {
    if v.trim().is_empty() {
        String::new()
    } else {
        validate::text(p, field, v, max).unwrap_or_default()
    }
}

impl FieldDraft {
    /// Checks a definition; every problem is reported under the form field it concerns.
    pub fn check(&self) -> Result<FieldDefinition, Problem> {
        let mut p = Problem::default();
        let key = self.key.trim();
        if key.is_empty() {
            p.add("key", "error-required");
        } else if key.len() > MAX_KEY
            || !key.starts_with(|c: char| c.is_ascii_lowercase())
            || !key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            p.add("key", "error-field-key");
        }
        let kind = FieldKind::parse(self.kind.trim());
        if kind.is_none() {
            p.add("kind", "error-field-kind");
        }
        let label_de = validate::text(&mut p, "label_de", &self.label_de, MAX_LABEL);
        let label_en = validate::text(&mut p, "label_en", &self.label_en, MAX_LABEL);
        let help_de = optional_text(&mut p, "help_de", &self.help_de, MAX_HELP);
        let help_en = optional_text(&mut p, "help_en", &self.help_en, MAX_HELP);
        let mut options: Vec<String> = Vec::new();
        if kind.is_some_and(FieldKind::has_options) {
            for line in self
                .options
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
            {
                if line.chars().count() > MAX_OPTION || line.chars().any(char::is_control) {
                    p.add("options", "error-field-options");
                    break;
                }
                if !options.iter().any(|o| o == line) {
                    options.push(line.to_owned());
                }
            }
            if options.is_empty() || options.len() > MAX_OPTIONS {
                p.add("options", "error-field-options");
            }
        }
        let sort_order = match self.sort_order.trim() {
            "" => Some(100),
            s => s.parse::<i64>().ok().filter(|n| (0..=100_000).contains(n)),
        };
        if sort_order.is_none() {
            p.add("sort_order", "error-field-order");
        }
        match (kind, label_de, label_en, sort_order) {
            (Some(kind), Some(label_de), Some(label_en), Some(sort_order)) if p.is_empty() => {
                Ok(FieldDefinition {
                    key: key.to_owned(),
                    kind,
                    label_de,
                    label_en,
                    help_de,
                    help_en,
                    options,
                    is_required: self.is_required,
                    sort_order,
                    is_active: self.is_active,
                })
            }
            _ => Err(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(kind: FieldKind, required: bool) -> TopicField {
        TopicField {
            id: TopicFieldId(7),
            help_topic_id: HelpTopicId(1),
            key: "k".into(),
            kind,
            label_de: "Feld".into(),
            label_en: "Field".into(),
            help_de: String::new(),
            help_en: String::new(),
            options: vec!["Plakat".into(), "Flyer".into(), "Facebook".into()],
            is_required: required,
            sort_order: 0,
            is_active: true,
        }
    }

    fn check(
        kind: FieldKind,
        required: bool,
        input: &[&str],
        expected: Result<Option<&str>, &str>,
    ) {
        let got = field(kind, required).check(input);
        assert_eq!(
            got.as_ref().map(|o| o.as_deref()).map_err(|e| *e),
            expected,
            "{kind:?} required={required} {input:?}"
        );
    }

    use FieldKind::*;

    #[test]
    fn checks_answers() {
        check(ShortText, true, &[], Err("error-required"));
        check(ShortText, true, &["   "], Err("error-required"));
        check(ShortText, false, &[], Ok(None));
        check(ShortText, false, &[" "], Ok(None));
        check(
            ShortText,
            true,
            &[" Freibad Witten "],
            Ok(Some("Freibad Witten")),
        );
        check(
            ShortText,
            true,
            &["zwei\nZeilen"],
            Err("error-bad-characters"),
        );
        check(ShortText, true, &["a\u{0}b"], Err("error-bad-characters"));
        check(
            ShortText,
            true,
            &[&"x".repeat(MAX_SHORT + 1)],
            Err("error-too-long"),
        );
        check(ShortText, true, &["a", "b"], Err("error-field-choice"));
        check(LongText, true, &["zwei\nZeilen"], Ok(Some("zwei\nZeilen")));
        check(
            LongText,
            true,
            &[&"x".repeat(MAX_LONG + 1)],
            Err("error-too-long"),
        );
        check(Choice, true, &["Flyer"], Ok(Some("Flyer")));
        check(Choice, true, &[" Flyer "], Ok(Some("Flyer")));
        check(Choice, true, &["flyer"], Err("error-field-choice"));
        check(Choice, true, &["Poster"], Err("error-field-choice"));
        check(Choice, true, &[""], Err("error-required"));
        check(Choice, false, &[""], Ok(None));
        check(
            Choice,
            true,
            &["Flyer", "Plakat"],
            Err("error-field-choice"),
        );
        check(
            MultiChoice,
            true,
            &["Facebook", "Plakat"],
            Ok(Some("Plakat\nFacebook")),
        );
        check(MultiChoice, true, &["Flyer", "Flyer"], Ok(Some("Flyer")));
        check(
            MultiChoice,
            true,
            &["Flyer", "Radio"],
            Err("error-field-choice"),
        );
        check(MultiChoice, true, &[], Err("error-required"));
        check(MultiChoice, false, &[], Ok(None));
        check(Checkbox, true, &["1"], Ok(Some("1")));
        check(Checkbox, true, &[], Err("error-field-checkbox"));
        check(Checkbox, false, &[], Ok(None));
        check(Checkbox, false, &["ja"], Err("error-field-choice"));
        check(Date, true, &["2026-12-06"], Ok(Some("2026-12-06")));
        check(Date, true, &["2028-02-29"], Ok(Some("2028-02-29")));
        check(Date, true, &["2026-02-29"], Err("error-field-date"));
        check(Date, true, &["2026-13-01"], Err("error-field-date"));
        check(Date, true, &["2026-1-5"], Err("error-field-date"));
        check(Date, true, &["06.12.2026"], Err("error-field-date"));
        check(Date, true, &["+12026-12-06"], Err("error-field-date"));
        check(Date, false, &[""], Ok(None));
    }

    #[test]
    fn finds_submitted_values() {
        let f = field(MultiChoice, false);
        let pairs: Vec<(String, String)> = [
            ("cf-7-0", "Plakat"),
            ("cf-7-2", "Facebook"),
            ("cf-70", "other field"),
            ("cf-71-0", "other field"),
            ("subject", "x"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(f.submitted(&pairs), vec!["Plakat", "Facebook"]);
        assert_eq!(f.option_input_name(2), "cf-7-2");
    }

    fn draft(key: &str, kind: &str, options: &str, order: &str) -> FieldDraft {
        FieldDraft {
            key: key.into(),
            kind: kind.into(),
            label_de: "Datum der Veranstaltung".into(),
            label_en: "Event date".into(),
            options: options.into(),
            sort_order: order.into(),
            is_active: true,
            ..FieldDraft::default()
        }
    }

    fn check_draft(d: FieldDraft, expected: Result<(&str, Vec<&str>), (&str, &str)>) {
        let got = d.check();
        match expected {
            Ok((key, options)) => {
                let def = got.unwrap_or_else(|p| panic!("{d:?}: {p:?}"));
                assert_eq!(
                    (def.key.as_str(), def.options),
                    (key, options.iter().map(|o| o.to_string()).collect())
                );
            }
            Err((field, key)) => {
                let p = got.expect_err(&format!("{d:?} must be refused"));
                assert_eq!(p.for_field(field), Some(key), "{d:?}: {p:?}");
            }
        }
    }

    #[test]
    fn checks_definitions() {
        check_draft(
            draft("event_date", "date", "", ""),
            Ok(("event_date", vec![])),
        );
        check_draft(
            draft(" event_date ", "date", "ignored", "3"),
            Ok(("event_date", vec![])),
        );
        check_draft(
            draft("media", "multi_choice", "Plakat\r\n\nFlyer\n Plakat ", ""),
            Ok(("media", vec!["Plakat", "Flyer"])),
        );
        check_draft(draft("", "date", "", ""), Err(("key", "error-required")));
        check_draft(
            draft("Event", "date", "", ""),
            Err(("key", "error-field-key")),
        );
        check_draft(
            draft("1st", "date", "", ""),
            Err(("key", "error-field-key")),
        );
        check_draft(
            draft("event-date", "date", "", ""),
            Err(("key", "error-field-key")),
        );
        check_draft(
            draft(&"k".repeat(MAX_KEY + 1), "date", "", ""),
            Err(("key", "error-field-key")),
        );
        check_draft(
            draft("k", "number", "", ""),
            Err(("kind", "error-field-kind")),
        );
        check_draft(
            draft("k", "choice", " \n ", ""),
            Err(("options", "error-field-options")),
        );
        check_draft(
            draft("k", "choice", &"x".repeat(MAX_OPTION + 1), ""),
            Err(("options", "error-field-options")),
        );
        check_draft(
            draft("k", "date", "", "-1"),
            Err(("sort_order", "error-field-order")),
        );
        check_draft(
            draft("k", "date", "", "zehn"),
            Err(("sort_order", "error-field-order")),
        );
        check_draft(
            FieldDraft {
                label_en: " ".into(),
                ..draft("k", "date", "", "")
            },
            Err(("label_en", "error-required")),
        );
        check_draft(
            FieldDraft {
                help_de: "x".repeat(MAX_HELP + 1),
                ..draft("k", "date", "", "")
            },
            Err(("help_de", "error-too-long")),
        );
        for k in FieldKind::ALL {
            assert_eq!(FieldKind::parse(k.as_str()), Some(k));
        }
    }
}
