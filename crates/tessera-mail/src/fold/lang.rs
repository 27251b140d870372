//! The words mail clients write around a quote, in German, English, French, Spanish,
//! Italian, Dutch, Polish, Russian (and a few neighbours): attribution lines, separators,
//! header blocks, forward markers and mobile signatures. Every function takes one short
//! line (or a few), already trimmed.

use super::{MARKER_MAX, short};

/// Verbs that end an attribution ("… wrote:").
const WROTE: &[&str] = &[
    "wrote",
    "writes",
    "schrieb",
    "geschrieben",
    "a écrit",
    "écrit",
    "escribió",
    "escribio",
    "ha scritto",
    "scrisse",
    "schreef",
    "heeft geschreven",
    "geschreven",
    "napisał",
    "napisała",
    "napisal",
    "pisze",
    "napisał(a)",
    "napisana",
    "написал(а)",
    "написал",
    "написала",
    "пишет",
    "skrev",
    "escreveu",
    "kirjoitti",
];

/// Words an attribution line starts with ("On …", "Am …", "Le …", "W dniu …").
const OPENERS: &[&str] = &[
    "on ",
    "am ",
    "le ",
    "el ",
    "il ",
    "op ",
    "w dniu ",
    "dnia ",
    "em ",
    "den ",
    "la ",
    "il giorno ",
    "citando ",
    "quoting ",
    "zitat von ",
];

/// Separators above the original (Outlook, Yahoo, AOL, Comcast, Thunderbird, Lotus).
const ORIGINAL: &[&str] = &[
    "original message",
    "ursprüngliche nachricht",
    "original-nachricht",
    "originalnachricht",
    "message d'origine",
    "message original",
    "mensaje original",
    "messaggio originale",
    "messaggio originale",
    "oorspronkelijk bericht",
    "origineel bericht",
    "originele bericht",
    "oryginalna wiadomość",
    "wiadomość oryginalna",
    "исходное сообщение",
    "оригинальное сообщение",
    "mensagem original",
    "originalmeddelande",
    "original meddelelse",
    "opprinnelig melding",
    "reply message",
    "antwortnachricht",
];

/// Markers of a forwarded message (which is the request itself, never folded).
const FORWARD: &[&str] = &[
    "forwarded message",
    "begin forwarded message",
    "weitergeleitete nachricht",
    "anfang der weitergeleiteten nachricht",
    "message transféré",
    "début du message réexpédié",
    "message réexpédié",
    "mensaje reenviado",
    "messaggio inoltrato",
    "inizio messaggio inoltrato",
    "doorgestuurd bericht",
    "begin doorgestuurd bericht",
    "wiadomość przekazana",
    "przekazana wiadomość",
    "przesłana wiadomość",
    "пересылаемое сообщение",
    "пересланное сообщение",
    "начало переадресованного сообщения",
];

/// The kinds of lines of an original's header block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Header {
    From,
    Date,
    To,
    Subject,
    Cc,
}

/// Header names as clients print them above an original.
fn header_kind(name: &str) -> Option<Header> {
    Some(match name {
        "from"
        | "von"
        | "de"
        | "da"
        | "van"
        | "od"
        | "от"
        | "fra"
        | "från"
        | "absender"
        | "lähettäjä"
        | "expéditeur"
        | "remitente"
        | "mittente"
        | "afzender"
        | "nadawca"
        | "отправитель" => Header::From,
        "sent"
        | "date"
        | "gesendet"
        | "datum"
        | "envoyé"
        | "date d'envoi"
        | "enviado"
        | "fecha"
        | "inviato"
        | "data"
        | "verzonden"
        | "verstuurd"
        | "wysłano"
        | "wysłane"
        | "отправлено"
        | "дата"
        | "sendt"
        | "skickat"
        | "sent at"
        | "gesendet am"
        | "envoyé le"
        | "enviado el"
        | "inviato il"
        | "verzonden op"
        | "wysłano dnia" => Header::Date,
        "to"
        | "an"
        | "à"
        | "a"
        | "para"
        | "aan"
        | "do"
        | "кому"
        | "til"
        | "till"
        | "empfänger"
        | "destinataire"
        | "destinatario"
        | "destinatarios"
        | "ontvanger"
        | "adresat"
        | "получатель" => Header::To,
        "subject" | "betreff" | "objet" | "asunto" | "oggetto" | "onderwerp" | "temat" | "тема"
        | "emne" | "ämne" | "assunto" => Header::Subject,
        "cc" | "kopie" | "copie" | "copia" | "kopia" | "копия" | "bcc" | "reply-to"
        | "antwort an" | "dw" | "cc (kopie)" => Header::Cc,
        _ => return None,
    })
}

/// A header line of an original ("From: …", "*Von:* …", "De : …"): its kind and value.
pub(super) fn header_line(line: &str) -> Option<(Header, &str)> {
    let t = short(line)?;
    let t = t.trim_start_matches(['*', '>', ' ']);
    let colon = t.find(':')?;
    if colon > 30 {
        return None;
    }
    let name = t[..colon].trim().trim_matches('*').trim().to_lowercase();
    let value = t[colon + 1..].trim().trim_start_matches('*').trim();
    Some((header_kind(&name)?, value))
}

/// Whether the value of a Date/Sent line reads as a date (a year, a time or a day's name).
fn dateish(value: &str) -> bool {
    let b = value.as_bytes();
    let year = b.windows(4).any(|w| {
        (w.starts_with(b"19") || w.starts_with(b"20")) && w.iter().all(u8::is_ascii_digit)
    });
    let time = b
        .windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit());
    let lower = value.to_lowercase();
    let day = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "montag",
        "dienstag",
        "mittwoch",
        "donnerstag",
        "freitag",
        "samstag",
        "sonntag",
        "lundi",
        "mardi",
        "mercredi",
        "jeudi",
        "vendredi",
        "samedi",
        "dimanche",
        "lunes",
        "martes",
        "miércoles",
        "jueves",
        "viernes",
        "sábado",
        "domingo",
        "lunedì",
        "martedì",
        "mercoledì",
        "giovedì",
        "venerdì",
        "sabato",
        "domenica",
        "maandag",
        "dinsdag",
        "woensdag",
        "donderdag",
        "vrijdag",
        "zaterdag",
        "zondag",
        "poniedziałek",
        "wtorek",
        "środa",
        "czwartek",
        "piątek",
        "sobota",
        "niedziela",
        "понедельник",
        "вторник",
        "среда",
        "четверг",
        "пятница",
        "суббота",
        "воскресенье",
    ]
    .iter()
    .any(|d| lower.contains(d));
    year || time || day
}

/// Whether a header block of an original starts at line `i`, and how many lines it has:
/// consecutive header lines with a sender, a date and a recipient or subject, in any order
/// (Outlook: From, Sent, To; GMX: Gesendet, Von, An; Hotmail: Date, From, To). "From:
/// printer-01 / Sent: 3 pages" is a log, not a header.
pub(super) fn header_block<S: AsRef<str>>(lines: &[S], i: usize) -> Option<usize> {
    if i > 0 && header_line(lines[i - 1].as_ref()).is_some() {
        return None;
    }
    let (mut from, mut date, mut other) = (false, false, false);
    let mut len = 0;
    for l in lines.iter().skip(i).take(8) {
        match header_line(l.as_ref()) {
            Some((Header::From, v)) if !from && !v.is_empty() => from = true,
            Some((Header::Date, v)) if !date && dateish(v) => date = true,
            Some((Header::To | Header::Subject | Header::Cc, _)) => other = true,
            _ => break,
        }
        len += 1;
    }
    (from && date && other).then_some(len)
}

/// Whether a line is a separator above the original: "-----Original Message-----" and its
/// translations, or Outlook's line of underscores right above a header line.
pub(super) fn is_separator(line: &str, below: Option<&[&str]>) -> bool {
    // Most lines are prose: a look at the first byte settles them.
    if !line.starts_with(['-', '=', '_']) {
        return false;
    }
    let lower = line.to_lowercase();
    if line.len() >= 20 && line.chars().all(|c| c == '_') {
        return below
            .and_then(|b| b.iter().find(|l| !l.trim().is_empty()))
            .is_some_and(|l| matches!(header_line(l), Some((Header::From, _))));
    }
    let core = lower.trim_matches(|c: char| c == '-' || c == '=' || c == '_' || c.is_whitespace());
    (lower.starts_with("--") || lower.starts_with("==") || lower.starts_with("_"))
        && core.len() < 60
        && ORIGINAL.iter().any(|w| core.contains(w))
}

/// Whether a line marks the start of a forwarded message.
pub(super) fn is_forward_marker(line: &str) -> bool {
    // Every marker has its dashes or its colon.
    if line.len() >= 80 || !line.contains(['-', ':']) {
        return false;
    }
    let lower = line.to_lowercase();
    lower.len() < 80 && FORWARD.iter().any(|w| lower.contains(w)) && !lower.contains('?')
}

/// Whether a line can begin an attribution that wraps over several lines.
pub(super) fn opens_attribution(line: &str) -> bool {
    let lower = line.trim().to_lowercase();
    if OPENERS.iter().any(|o| lower.starts_with(o)) {
        return true;
    }
    // A date first ("01.12.2026 10:00, …", "2026-12-01 …") or a short day's name ("wt., 1
    // gru 2026", "вт, 1 дек.").
    let first = lower.split_whitespace().next().unwrap_or("");
    first.starts_with(|c: char| c.is_ascii_digit())
        || (first.ends_with([',', '.'])
            && first.chars().count() <= 5
            && first
                .trim_end_matches([',', '.'])
                .chars()
                .all(char::is_alphabetic))
}

/// Whether a line can be the first of an attribution wrapped over several lines: it opens
/// like one and does not end a sentence ("On Monday I can come." is no attribution's start).
pub(super) fn wraps_into(line: &str) -> bool {
    opens_attribution(line) && !line.trim_end().ends_with(['.', '!', '?', ':'])
}

/// Whether a (joined) line is an attribution: it ends with a colon and names the writer
/// ("… wrote:", "… a écrit :", or Russian Gmail's bare "…, Name <address>:").
pub(super) fn is_attribution(joined: &str) -> bool {
    let lower = joined.trim().to_lowercase();
    if lower.len() > MARKER_MAX || !lower.ends_with(':') {
        return false;
    }
    // mutt: "* Nadine Schneider <n@x> [2026-12-01 10:02]:"
    if lower.starts_with("* ") && lower.contains('@') && lower.ends_with("]:") {
        return true;
    }
    let body = lower.trim_end_matches(':').trim_end();
    let verb_last = WROTE.iter().any(|w| body.ends_with(w));
    // "Am … schrieb Nadine <n@x>:" and "Op … schreef Nadine:": the verb before the name.
    let verb_inside = || {
        (body.contains('@') || opens_attribution(body))
            && body.split_whitespace().any(|w| WROTE.contains(&w))
    };
    if verb_last || verb_inside() {
        // "Nadine Schneider wrote:" is an attribution, "As I wrote:" is not.
        return has_date_or_address(&lower)
            || opens_attribution(&lower)
            || names_only(joined, body);
    }
    // Russian webmail names no verb: "01.12.2026, 10:02, Nadine <n@x>:", "… от Nadine <n@x>:".
    let time = lower
        .as_bytes()
        .windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit());
    let address_last = body
        .split_whitespace()
        .last()
        .is_some_and(|w| w.contains('@'));
    time && (body.ends_with('>') && body.contains('@')
        || address_last && (body.contains(" от ") || opens_attribution(body)))
}

fn has_date_or_address(s: &str) -> bool {
    s.contains('@') || s.chars().any(|c| c.is_ascii_digit())
}

/// Whether the words before the verb are a name ("Nadine Schneider wrote:").
fn names_only(original: &str, body: &str) -> bool {
    let verb = WROTE
        .iter()
        .find(|w| body.ends_with(*w))
        .map_or(0, |w| w.len());
    let words: Vec<&str> = original
        .trim()
        .trim_end_matches(':')
        .trim_end()
        .get(..body.len().saturating_sub(verb))
        .unwrap_or("")
        .split_whitespace()
        .collect();
    !words.is_empty()
        && words.len() <= 4
        && words.iter().all(|w| {
            (w.starts_with(char::is_uppercase) || w.starts_with('"'))
                && !w.ends_with(['.', '!', '?', ':', ';'])
        })
        && !words.iter().any(|w| {
            matches!(
                w.to_lowercase().as_str(),
                "i" | "as"
                    | "ich"
                    | "wie"
                    | "je"
                    | "comme"
                    | "como"
                    | "come"
                    | "jak"
                    | "как"
                    | "zoals"
                    | "you"
                    | "he"
                    | "she"
                    | "they"
                    | "we"
                    | "er"
                    | "sie"
            )
        })
}

/// An attribution that may stand without `>` lines below it: it opens like one, names a
/// date or an address, and says "wrote".
pub(super) fn is_strong_attribution(joined: &str) -> bool {
    // Clients that leave the original unquoted (Yahoo, Gmail's HTML as text) name the
    // address; "On 1.12. the server wrote:" above a pasted log is no attribution.
    let lower = joined.to_lowercase();
    opens_attribution(&lower) && lower.contains('@') && WROTE.iter().any(|w| lower.contains(w))
}

/// Devices and programs a mobile signature names.
const DEVICES: &[&str] = &[
    "iphone",
    "ipad",
    "ipod",
    "android",
    "samsung",
    "galaxy",
    "huawei",
    "xiaomi",
    "pixel",
    "oneplus",
    "blackberry",
    "mobile",
    "smartphone",
    "handy",
    "phone",
    "nokia",
    "motorola",
    "sony",
    "ios",
    "windows",
    "outlook",
    "mail",
    "yahoo",
    "aol",
    "gmail",
    "proton",
    "tablet",
    "telefon",
    "téléphone",
    "teléfono",
    "telefono",
    "móvil",
    "movil",
    "mobiel",
    "телефон",
    "смартфон",
    "tuta",
    "gmx",
    "web.de",
    "t-online",
    "fairphone",
    "redmi",
    "oppo",
    "lg",
];

/// Prefixes of mobile signatures.
const MOBILE: &[&str] = &[
    "sent from my ",
    "sent from ",
    "sent with ",
    "sent via ",
    "sent using ",
    "get outlook for ",
    "holen sie sich outlook für ",
    "outlook für ",
    "télécharger outlook pour ",
    "obtener outlook para ",
    "scarica outlook per ",
    "outlook voor ",
    "pobierz aplikację outlook dla ",
    "загрузите outlook для ",
    "получить outlook для ",
    "diese nachricht wurde von meinem ",
    "von meinem ",
    "gesendet von meinem ",
    "gesendet von ",
    "gesendet mit ",
    "gesendet vom ",
    "envoyé de mon ",
    "envoyé depuis mon ",
    "envoyé de ",
    "envoyé depuis ",
    "enviado desde mi ",
    "enviado desde ",
    "enviado do meu ",
    "inviato da ",
    "inviato dal mio ",
    "verzonden vanaf mijn ",
    "verzonden met ",
    "verstuurd vanaf mijn ",
    "verstuurd vanaf ",
    "wysłane z ",
    "wysłano z ",
    "отправлено с ",
    "отправлено из ",
    "отправлено со ",
];

/// Whether a line is a mobile client's signature ("Sent from my iPhone", "Von meinem
/// Samsung Galaxy gesendet"): a known prefix, then a device in a few words, nothing else.
pub(super) fn is_mobile_signature(line: &str) -> bool {
    let lower = line.trim().trim_end_matches(['.', '!']).to_lowercase();
    let Some(rest) = MOBILE.iter().find_map(|p| lower.strip_prefix(p)) else {
        return false;
    };
    let words: Vec<&str> = rest.split_whitespace().collect();
    // A few words, more only when a verb ends the line ("… mit GMX Mail gesendet"): "Sent
    // from my iPhone 12 the upload fails" is a sentence.
    let ends_sent = words.last().is_some_and(|w| {
        [
            "gesendet",
            "sent",
            "verstuurd",
            "verzonden",
            "envoyé",
            "enviado",
            "inviato",
        ]
        .contains(w)
    });
    !words.is_empty()
        && words.len() <= if ends_sent { 7 } else { 4 }
        && !rest.contains([',', ';', '?', '…'])
        && words
            .iter()
            .take(3)
            .any(|w| DEVICES.iter().any(|d| w.starts_with(d)))
}

/// Whether a line reads as a name ("Tom Baker", "Dr. Anna Kowalska"): the first line
/// under a bare `--`, which people also type as a separator inside what they write.
pub(super) fn name_line(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    !words.is_empty()
        && words.len() <= 4
        && words
            .iter()
            .all(|w| !w.starts_with(char::is_lowercase) && !w.ends_with(['!', '?', ':']))
}

/// Whether a line can be part of a signature (a name, a role, an address, a number, a
/// link), not a sentence of the message.
pub(super) fn sig_line(line: &str) -> bool {
    let t = line.trim();
    if t.chars().count() > 90 || t.contains('?') {
        return false;
    }
    let lower = t.to_lowercase();
    if lower.starts_with("p.s") || lower.starts_with("ps:") || lower.starts_with("ps ") {
        return false;
    }
    let words = t.split_whitespace().count();
    let sentence = t.ends_with(['.', '!', ':']) && words >= 6;
    !sentence && words <= 10
}
