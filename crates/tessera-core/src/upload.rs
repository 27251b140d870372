//! The door for files people send: front ends stream bytes into an `UploadSink` and hand the
//! finished `Upload` to a use case, never touching where the bytes are kept.

use tessera_domain::{Problem, ThreadEntryId, TicketId};
use tessera_store::{Handle, NewAttachment, TempBlob};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tessera_domain::model::Attachment;

use crate::{CoreError, Result, Tessera};

/// How long a download token is good for, in seconds: long enough to follow the redirect
/// (and resume a slow download's start), short enough that a leaked link soon stops working.
pub const ATTACHMENT_TOKEN_SECS: i64 = 300;

fn attachment_mac(secret: &[u8], id: i64, expiry: i64) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(b"tessera attachment url\0");
    mac.update(&id.to_be_bytes());
    mac.update(&expiry.to_be_bytes());
    mac
}

/// Most files in one submission.
pub const MAX_FILES: usize = 20;

/// A file received from a person, already written to temporary storage.
#[derive(Debug)]
pub struct Upload {
    /// File name as given by the client (cleaned by `clean_filename`).
    pub filename: String,
    /// MIME type derived from the name.
    pub content_type: String,
    /// Whether the name the client gave held a NUL: such a name is refused with a message
    /// rather than quietly changed (no browser sends one; something is wrong on the other end).
    pub name_refused: bool,
    /// The bytes (see `UploadSink`).
    pub(crate) blob: TempBlob,
}

/// Makes a client-supplied file name safe to store and show: no path, no control (Cc) or
/// format (Cf: bidirectional overrides such as U+202E, zero-width characters, the BOM)
/// characters, NFC-normalised (so the same name typed on two systems is the same name), at
/// most 120 characters, never empty. Used for every way a file arrives (forms, API, mail).
/// Idempotent: a cleaned name cleans to itself.
pub fn clean_filename(raw: &str) -> String {
    // One round only ever shortens the name; a second may be needed when a removal or the
    // cut at 120 characters leaves something the first round would have removed (a space
    // at the end, a combining mark that now composes). Three rounds settle every case the
    // property test `prop_clean_filename_*` has found; the loop stops as soon as it is stable.
    let mut name = clean_once(raw);
    for _ in 0..4 {
        let again = clean_once(&name);
        if again == name {
            break;
        }
        name = again;
    }
    name
}

/// Whether a character never belongs in a file name people see.
fn unwanted(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    matches!(
        c.general_category(),
        GeneralCategory::Control | GeneralCategory::Format
    ) || matches!(c, '"' | '<' | '>' | ':' | '*' | '?' | '|')
}

fn clean_once(raw: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let filtered: String = base.chars().filter(|c| !unwanted(*c)).collect();
    // Composition never yields a control, format or reserved character.
    let cleaned: String = filtered.nfc().collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        return "file".to_owned();
    }
    if cleaned.chars().count() <= 120 {
        return cleaned;
    }
    // Keep the extension when shortening.
    let short = match cleaned.rsplit_once('.') {
        Some((stem, ext)) if ext.len() <= 10 => {
            format!("{}.{ext}", stem.chars().take(110).collect::<String>())
        }
        _ => cleaned.chars().take(120).collect(),
    };
    short.trim().to_owned()
}

/// The MIME type for a file name; unknown types are served as opaque bytes.
pub fn content_type_for(filename: &str) -> &'static str {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "zip" => "application/zip",
        "mp4" => "video/mp4",
        "mp3" => "audio/mpeg",
        _ => "application/octet-stream",
    }
}

/// How many leading bytes `served_type` looks at.
pub const SNIFF_LEN: usize = 512;

/// What the first bytes of a file say it is, for the types people send most; `None` for
/// anything else (plain text among it).
fn sniff(head: &[u8]) -> Option<&'static str> {
    let starts = |magic: &[u8]| head.starts_with(magic);
    if starts(b"%PDF-") {
        Some("application/pdf")
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if starts(b"\xff\xd8\xff") {
        Some("image/jpeg")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("image/gif")
    } else if starts(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        Some("image/webp")
    } else if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        // Also every OOXML and OpenDocument file.
        Some("application/zip")
    } else if starts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        // The compound file of old Office documents.
        Some("application/x-ole-storage")
    } else if head.get(4..8) == Some(b"ftyp") {
        Some("video/mp4")
    } else if starts(b"ID3") || (head.len() > 1 && head[0] == 0xff && head[1] & 0xe0 == 0xe0) {
        Some("audio/mpeg")
    } else if looks_like_markup(head) {
        Some("text/html")
    } else {
        None
    }
}

/// Whether a browser's sniffer could take the bytes for HTML, XML or SVG (the WHATWG
/// sniffing patterns, case-insensitive, after leading white space or a BOM).
fn looks_like_markup(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let lower = head[start..].to_ascii_lowercase();
    [
        &b"<!doctype html"[..],
        b"<html",
        b"<head",
        b"<body",
        b"<script",
        b"<iframe",
        b"<h1",
        b"<div",
        b"<font",
        b"<table",
        b"<a",
        b"<style",
        b"<title",
        b"<b",
        b"<br",
        b"<p",
        b"<!--",
        b"<?xml",
        b"<svg",
        b"<img",
    ]
    .iter()
    .any(|tag| {
        // A tag name must end there ("<b>" is markup, "<bitte>" need not be).
        let ends = |b: &u8| matches!(b, b' ' | b'>' | b'\t' | b'\n' | b'\r' | b'/');
        lower.starts_with(tag)
            && (!tag[tag.len() - 1].is_ascii_alphanumeric()
                || lower.get(tag.len()).is_none_or(ends))
    })
}

/// The type a stored file is served with: the one its name gives, unless its content says
/// otherwise (`evil.jpg` holding HTML), in which case it is served as opaque bytes. Types a
/// browser would run (HTML, SVG, XML, scripts) are never served as themselves.
pub fn served_type<'a>(declared: &'a str, head: &[u8]) -> &'a str {
    const OPAQUE: &str = "application/octet-stream";
    let declared_lc = declared.to_ascii_lowercase();
    let essence = declared_lc.split(';').next().unwrap_or("").trim();
    let active = essence.contains("html")
        || matches!(essence, "text/xml" | "application/xml" | "text/xsl")
        || essence.ends_with("+xml")
        || essence.contains("javascript")
        || essence.contains("ecmascript")
        || essence.starts_with("multipart/");
    if active || essence.is_empty() {
        return OPAQUE;
    }
    let sniffed = sniff(head);
    let agrees = match essence {
        "application/pdf" | "image/png" | "image/jpeg" | "image/gif" | "image/webp" => {
            sniffed == Some(essence)
        }
        "application/zip"
        | "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        | "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        | "application/vnd.oasis.opendocument.text"
        | "application/vnd.oasis.opendocument.spreadsheet" => sniffed == Some("application/zip"),
        "application/msword" | "application/vnd.ms-excel" | "application/vnd.ms-powerpoint" => {
            sniffed == Some("application/x-ole-storage")
        }
        "video/mp4" => sniffed == Some("video/mp4"),
        "audio/mpeg" => sniffed == Some("audio/mpeg"),
        // Text must not look like anything else, markup least of all.
        e if e.starts_with("text/") => sniffed.is_none(),
        // Other types (from mail) are kept unless the content is markup.
        _ => sniffed != Some("text/html"),
    };
    if agrees { declared } else { OPAQUE }
}

/// A file being received: its bytes go to temporary storage, which is removed again unless
/// a use case keeps the finished upload.
#[derive(Debug)]
pub struct UploadSink {
    blob: TempBlob,
}

impl UploadSink {
    /// Appends bytes.
    pub async fn write(&mut self, bytes: &[u8]) -> Result<()> {
        Ok(self.blob.write(bytes).await?)
    }

    /// Bytes received so far.
    pub fn size(&self) -> u64 {
        self.blob.size()
    }

    /// The received file under the name the client gave (cleaned, and typed by it).
    pub fn finish(self, raw_name: &str) -> Upload {
        let filename = clean_filename(raw_name);
        Upload {
            content_type: content_type_for(&filename).to_owned(),
            filename,
            name_refused: raw_name.contains('\0'),
            blob: self.blob,
        }
    }
}

impl Tessera {
    /// Checks a submission's files against the installation's limits (total size, count,
    /// file types).
    pub(crate) fn check_uploads(&self, uploads: &[Upload], problem: &mut Problem) {
        let settings = self.settings();
        let total: u64 = uploads.iter().map(|u| u.blob.size()).sum();
        if uploads.iter().any(|u| u.name_refused) {
            problem.add("attachments", "error-attachment-name");
        } else if total > settings.attachment_max_total {
            problem.add("attachments", "error-attachments-too-large");
        } else if uploads.len() > MAX_FILES {
            problem.add("attachments", "error-attachments-too-many");
        } else if uploads
            .iter()
            .any(|u| !settings.extension_allowed(&u.filename))
        {
            problem.add("attachments", "error-attachment-type");
        }
    }

    /// Scans a submission's files with `clamd` when one is configured, recording the
    /// problem if one is infected or the scanner cannot be asked (fail closed). Call it
    /// only for a submission that is otherwise valid: scanning is the expensive check.
    pub(crate) async fn scan_uploads(&self, uploads: &mut [Upload], problem: &mut Problem) {
        let Some(addr) = self.inner.cfg.clamd.as_deref() else {
            return;
        };
        for u in uploads.iter_mut() {
            let verdict = match u.blob.reader().await {
                Ok(file) => crate::clamd::scan(addr, file).await,
                Err(e) => Err(e),
            };
            match verdict {
                Ok(crate::clamd::Verdict::Clean) => {}
                Ok(crate::clamd::Verdict::Infected(signature)) => {
                    tracing::warn!(file = %u.filename, %signature, "upload refused: infected");
                    problem.add("attachments", "error-attachment-infected");
                    return;
                }
                Err(e) => {
                    tracing::error!(error = %e, clamd = addr, "virus scanner unavailable");
                    problem.add("attachments", "error-attachment-scan-unavailable");
                    return;
                }
            }
        }
    }

    /// Moves uploads into permanent storage and records them on an entry.
    pub(crate) async fn store_uploads(
        &self,
        h: &mut Handle<'_>,
        ticket: TicketId,
        entry: ThreadEntryId,
        committed: Vec<(String, String, String, i64)>,
    ) -> Result<()> {
        for (key, filename, content_type, size) in &committed {
            h.insert_attachment(&NewAttachment {
                ticket_id: ticket,
                thread_entry_id: entry,
                blob_key: key,
                filename,
                content_type,
                size: *size,
            })
            .await?;
        }
        Ok(())
    }

    /// Moves uploads into permanent storage: (blob key, file name, content type, size).
    pub(crate) async fn commit_blobs(
        &self,
        uploads: Vec<Upload>,
    ) -> Result<Vec<(String, String, String, i64)>> {
        let mut out = Vec::with_capacity(uploads.len());
        for u in uploads {
            let size = u.blob.size() as i64;
            let key = self.blobs().commit(u.blob).await?;
            out.push((key, u.filename, u.content_type, size));
        }
        Ok(out)
    }

    /// A short-lived signed token that lets the download origin (`attachment_base_url`)
    /// serve attachment `id` without any cookie: `{expiry}.{mac}`, the expiry in seconds
    /// since the epoch, the MAC an HMAC-SHA256 of id and expiry under the installation's
    /// secret (kept apart from its other uses by a label). Mint it only after the caller's
    /// access to the attachment was checked.
    pub fn attachment_url_token(&self, id: i64, now_secs: i64) -> String {
        let expiry = now_secs + ATTACHMENT_TOKEN_SECS;
        let mac = attachment_mac(&self.inner.secret, id, expiry)
            .finalize()
            .into_bytes();
        format!("{expiry}.{}", hex::encode(&mac[..16]))
    }

    /// The attachment a token from `attachment_url_token` names, if the token is genuine
    /// (compared in constant time) and not expired; else `NotFound`.
    pub async fn attachment_by_url_token(
        &self,
        id: i64,
        token: &str,
        now_secs: i64,
    ) -> Result<(Attachment, tokio::fs::File)> {
        let (expiry, mac) = token.split_once('.').ok_or(CoreError::NotFound)?;
        let expiry: i64 = expiry.parse().map_err(|_| CoreError::NotFound)?;
        let mac = hex::decode(mac).map_err(|_| CoreError::NotFound)?;
        if expiry < now_secs || expiry > now_secs + ATTACHMENT_TOKEN_SECS || mac.len() != 16 {
            return Err(CoreError::NotFound);
        }
        attachment_mac(&self.inner.secret, id, expiry)
            .verify_truncated_left(&mac)
            .map_err(|_| CoreError::NotFound)?;
        let mut conn = self.db().conn().await?;
        let a = conn
            .h()
            .attachment(tessera_domain::AttachmentId(id))
            .await?;
        let file = self.blobs().open_blob(&a.blob_key).await?;
        Ok((a, file))
    }

    /// Starts receiving a file.
    pub async fn upload_sink(&self) -> Result<UploadSink> {
        Ok(UploadSink {
            blob: self.blobs().create_temp().await?,
        })
    }

    /// A file received whole (from a JSON body, say) under the name the client gave.
    pub async fn upload(&self, raw_name: &str, bytes: &[u8]) -> Result<Upload> {
        let mut sink = self.upload_sink().await?;
        sink.write(bytes).await?;
        Ok(sink.finish(raw_name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str, expected: &str) {
        assert_eq!(clean_filename(raw), expected, "{raw:?}");
    }

    #[test]
    fn cleans_file_names() {
        check("C:\\Users\\max\\Plakat.pdf", "Plakat.pdf");
        check("../../etc/passwd", "passwd");
        check("..hidden", "hidden");
        check("a\u{0}b\"<>.txt", "ab.txt");
        // Right-to-left override, zero-width space and joiner, BOM: gone.
        check("invoice\u{202E}fdp.exe", "invoicefdp.exe");
        check("\u{FEFF}a\u{200B}b\u{200D}.pdf", "ab.pdf");
        // NFD (as macOS sends it) becomes NFC.
        check("U\u{308}bersicht.pdf", "\u{DC}bersicht.pdf");
        // A cut at 120 characters leaves no space at the end.
        let spaced = format!("{} x", "y".repeat(119));
        assert_eq!(clean_filename(&spaced), "y".repeat(119));
        check("", "file");
        check("   ", "file");
        check(
            "Skizze Nikolausschwimmen (2).docx",
            "Skizze Nikolausschwimmen (2).docx",
        );
        let long = format!("{}.pdf", "x".repeat(300));
        assert_eq!(clean_filename(&long), format!("{}.pdf", "x".repeat(110)));
    }

    #[test]
    fn serves_a_type_only_when_the_content_agrees() {
        let html = b"  <!DOCTYPE html><script>alert(1)</script>";
        assert_eq!(served_type("image/jpeg", html), "application/octet-stream");
        assert_eq!(served_type("text/plain", html), "application/octet-stream");
        assert_eq!(
            served_type("image/jpeg", b"\xff\xd8\xff\xe0..JFIF"),
            "image/jpeg"
        );
        assert_eq!(
            served_type("application/pdf", b"%PDF-1.7"),
            "application/pdf"
        );
        assert_eq!(
            served_type("application/pdf", b"PK\x03\x04"),
            "application/octet-stream"
        );
        assert_eq!(
            served_type(
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                b"PK\x03\x04"
            ),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert_eq!(served_type("text/plain", b"Hallo Welt"), "text/plain");
        assert_eq!(
            served_type("text/html", b"Hallo"),
            "application/octet-stream"
        );
        assert_eq!(
            served_type("image/svg+xml", b"<svg"),
            "application/octet-stream"
        );
        assert_eq!(
            served_type("application/x-foo", b"\x00\x01"),
            "application/x-foo"
        );
    }

    #[test]
    fn maps_content_types() {
        assert_eq!(content_type_for("a.PDF"), "application/pdf");
        assert_eq!(content_type_for("a.html"), "application/octet-stream");
        assert_eq!(content_type_for("noext"), "application/octet-stream");
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;
        use unicode_normalization::is_nfc;
        use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

        /// Names with the characters that make cleaning hard: controls, format characters,
        /// combining marks, separators, dots, spaces, and anything else.
        fn names() -> impl Strategy<Value = String> {
            let interesting = prop_oneof![
                Just('\u{0}'),
                Just('\u{202E}'),
                Just('\u{200B}'),
                Just('\u{FEFF}'),
                Just('\u{0301}'),
                Just('\u{0308}'),
                Just('\u{0338}'),
                Just('/'),
                Just('\\'),
                Just('.'),
                Just(' '),
                Just('<'),
                Just('e'),
                Just('U'),
                Just('\u{1100}'),
                Just('\u{1161}'),
                any::<char>(),
            ];
            proptest::collection::vec(interesting, 0..200).prop_map(|v| v.into_iter().collect())
        }

        /// Cases per property: modest by default so the normal suite stays fast;
        /// `PROPTEST_CASES=…` raises it for a long run (`cargo test --workspace prop_`).
        fn cases(default: u32) -> u32 {
            std::env::var("PROPTEST_CASES")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(cases(128)))]

            #[test]
            fn prop_clean_filename_is_idempotent(raw in names()) {
                let once = clean_filename(&raw);
                prop_assert_eq!(clean_filename(&once), once);
            }

            #[test]
            fn prop_clean_filename_is_nfc_without_control_or_format(raw in names()) {
                let name = clean_filename(&raw);
                prop_assert!(is_nfc(&name), "{:?} -> {:?}", raw, name);
                prop_assert!(!name.is_empty() && name.chars().count() <= 120);
                prop_assert!(!name.contains(['/', '\\']));
                for c in name.chars() {
                    prop_assert!(
                        !matches!(
                            c.general_category(),
                            GeneralCategory::Control | GeneralCategory::Format
                        ),
                        "{:?} keeps {:?}", raw, c
                    );
                }
            }
        }
    }
}
