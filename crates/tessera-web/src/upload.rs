//! Reading multipart forms with files: files stream to temporary storage while the total is
//! counted; text parts are held in memory, bounded in count and in total. The body a route
//! reads at all is the attachment limit in force now (administrators change it at run time)
//! plus a small margin for the text and the multipart framing: a request that announces more
//! (`Content-Length`) is refused with 413 before a byte of its body is read, and a body
//! without a length stops being read at the same point.
//!
//! Callers take `Ctx` (or `AgentCtx`) before the request, so the cross-site origin check
//! runs before the body is read, too.

use std::collections::HashMap;

use axum::{
    extract::Request,
    http::{HeaderMap, header},
};
use bytes::Bytes;
use futures_util::Stream;
use tessera_core::{Tessera, Upload, UploadSink};
use tessera_domain::{Lang, Problem};

use crate::error::PageError;

/// Longest text field accepted, in bytes (well above every field's character limit).
const MAX_TEXT_BYTES: usize = 256 * 1024;

/// Most text parts of one form (the largest form, a topic with custom fields, has far fewer).
pub const MAX_TEXT_FIELDS: usize = 100;

/// Most text held from one form, all text parts together.
pub const MAX_TEXT_TOTAL: usize = 1024 * 1024;

/// Most file parts of one form: twice what a submission may keep, so that a person who
/// picked a few too many is told so by core's count check rather than by a cut-off read.
const MAX_FILE_PARTS: usize = tessera_core::MAX_FILES * 2;

/// What a form may carry beyond its files: the text, and the multipart framing of
/// every part (a few hundred bytes each).
const MARGIN: u64 = MAX_TEXT_TOTAL as u64 + 64 * 1024;

/// The largest body an upload route reads: the attachment limit plus `MARGIN`.
pub fn body_limit(app: &Tessera) -> u64 {
    app.settings().attachment_max_total.saturating_add(MARGIN)
}

/// A read form.
#[derive(Debug)]
pub struct Submission<U = Upload> {
    /// Text fields (the last value wins).
    pub fields: HashMap<String, String>,
    /// Files stored so far.
    pub uploads: Vec<U>,
    /// Whether the files exceeded the limit (then `uploads` is empty).
    pub too_large: bool,
    /// Whether the server could not store a file (a full or failing disk): nothing is
    /// kept, and the person is told to try later — not that the file is too large.
    pub unavailable: bool,
    /// Whether any file was sent at all.
    pub had_files: bool,
    /// Text fields that were longer than any field may be.
    pub oversized: Vec<String>,
    /// The body was not a whole multipart form (cut short, no closing boundary, garbled):
    /// nothing of it is kept, and the person is told.
    pub broken: bool,
    /// A part's header could not be read, which is what a file name with a NUL (or another
    /// control byte) does; nothing is kept, and the person is told to rename the file.
    pub bad_name: bool,
    /// More text parts, or more text, than any form has: reading stopped there.
    pub too_many_fields: bool,
}

impl<U> Default for Submission<U> {
    fn default() -> Self {
        Self {
            fields: HashMap::new(),
            uploads: Vec::new(),
            too_large: false,
            unavailable: false,
            had_files: false,
            oversized: Vec::new(),
            broken: false,
            bad_name: false,
            too_many_fields: false,
        }
    }
}

impl<U> Submission<U> {
    /// A text field's value, or "".
    pub fn get(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }

    /// Records what went wrong while reading, for the form to show; empty when the form
    /// arrived whole and within its bounds. Any of these means no file was kept.
    pub fn add_problems(&self, p: &mut Problem) {
        if self.broken {
            p.add("form", "error-upload-broken");
        }
        if self.too_many_fields {
            p.add("form", "error-form-too-large");
        }
        if self.bad_name {
            p.add("attachments", "error-attachment-name");
        }
        if self.too_large {
            p.add("attachments", "error-attachments-too-large");
        }
        if self.unavailable {
            p.add("attachments", "mailstore-upload-unavailable");
        }
    }

    /// Drops the files: reading failed or went over a bound, so none of them is kept.
    fn failed(&mut self) {
        self.uploads.clear();
    }
}

/// Where a form's files go while it is read.
pub(crate) trait FileStore {
    /// A file being received.
    type Sink;
    /// A received file.
    type Done;
    /// Starts a file; `None` if no storage can be had now.
    async fn create(&self) -> Option<Self::Sink>;
    /// Appends bytes; `false` if they could not be stored.
    async fn write(&self, sink: &mut Self::Sink, bytes: &[u8]) -> bool;
    /// The received file under the name the client gave.
    fn finish(&self, sink: Self::Sink, raw_name: &str) -> Self::Done;
}

impl FileStore for Tessera {
    type Sink = UploadSink;
    type Done = Upload;

    async fn create(&self) -> Option<UploadSink> {
        self.upload_sink()
            .await
            .inspect_err(|e| tracing::error!(error = %e, "cannot create upload file"))
            .ok()
    }

    async fn write(&self, sink: &mut UploadSink, bytes: &[u8]) -> bool {
        sink.write(bytes)
            .await
            .inspect_err(|e| tracing::error!(error = %e, "cannot write upload"))
            .is_ok()
    }

    fn finish(&self, sink: UploadSink, raw_name: &str) -> Upload {
        sink.finish(raw_name)
    }
}

/// The 413 page for a body larger than the route reads.
fn too_large_page(lang: Lang) -> PageError {
    PageError::payload_too_large(lang)
}

/// Whether the request announces a body larger than `limit`.
fn announces_more_than(headers: &HeaderMap, limit: u64) -> bool {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|n| n > limit)
}

/// Reads a multipart form whose files go to `file_field`. A body announced larger than
/// the route reads is refused at once (413, its body unread); everything else becomes a
/// `Submission`, whose `add_problems` says what the person must be told.
pub async fn read(
    req: Request,
    app: &Tessera,
    lang: Lang,
    file_field: &str,
) -> Result<Submission, PageError> {
    let limit = body_limit(app);
    if announces_more_than(req.headers(), limit) {
        return Err(too_large_page(lang));
    }
    let boundary = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| multer::parse_boundary(ct).ok());
    let Some(boundary) = boundary else {
        return Ok(Submission {
            broken: true,
            ..Submission::default()
        });
    };
    let stream = req.into_body().into_data_stream();
    let max_files = app.settings().attachment_max_total;
    Ok(read_stream(stream, &boundary, limit, max_files, app, file_field).await)
}

/// The reader itself, over any byte stream and any file store (the property tests feed it
/// arbitrary bodies and keep files in memory).
pub(crate) async fn read_stream<S, E, F>(
    stream: S,
    boundary: &str,
    limit: u64,
    max_files: u64,
    store: &F,
    file_field: &str,
) -> Submission<F::Done>
where
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
    F: FileStore,
{
    let constraints =
        multer::Constraints::new().size_limit(multer::SizeLimit::new().whole_stream(limit));
    let mut mp = multer::Multipart::with_constraints(stream, boundary, constraints);
    let mut sub = Submission::default();
    let mut total: u64 = 0;
    let mut text_total: usize = 0;
    let mut text_parts: usize = 0;
    let mut file_parts: usize = 0;
    // Files over `max_files` are not stored, but the rest is read (it is within `limit`),
    // so the person sees the form again rather than a reset connection.
    loop {
        let mut field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                note_error(&mut sub, &e);
                break;
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        if name == file_field {
            file_parts += 1;
            if file_parts > MAX_FILE_PARTS {
                sub.too_many_fields = true;
                sub.failed();
                break;
            }
            let raw_name = field.file_name().unwrap_or("").to_owned();
            let mut sink = None;
            let mut failed = false;
            loop {
                match field.chunk().await {
                    Ok(Some(bytes)) => {
                        if bytes.is_empty() {
                            continue;
                        }
                        sub.had_files = true;
                        total += bytes.len() as u64;
                        if total > max_files {
                            sub.too_large = true;
                            sink = None;
                        }
                        if sub.too_large || failed {
                            continue;
                        }
                        if sink.is_none() {
                            sink = store.create().await;
                            if sink.is_none() {
                                failed = true;
                                continue;
                            }
                        }
                        if let Some(s) = sink.as_mut()
                            && !store.write(s, &bytes).await
                        {
                            sink = None;
                            failed = true;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        note_error(&mut sub, &e);
                        sub.failed();
                        return sub;
                    }
                }
            }
            if failed {
                // Storage failed under us (logged above for the administrator): nothing is
                // kept, and the person is told to try later.
                sub.unavailable = true;
            }
            // An empty file input sends a part without name or bytes: not a file.
            if let Some(sink) = sink {
                sub.uploads.push(store.finish(sink, &raw_name));
            }
            if sub.too_large || sub.unavailable {
                sub.uploads.clear();
            }
        } else {
            text_parts += 1;
            if text_parts > MAX_TEXT_FIELDS {
                sub.too_many_fields = true;
                sub.failed();
                break;
            }
            let mut buf: Vec<u8> = Vec::new();
            let mut over = false;
            loop {
                match field.chunk().await {
                    Ok(Some(bytes)) => {
                        if over || buf.len() + bytes.len() > MAX_TEXT_BYTES {
                            over = true;
                            buf = Vec::new();
                        } else {
                            buf.extend_from_slice(&bytes);
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        note_error(&mut sub, &e);
                        sub.failed();
                        return sub;
                    }
                }
            }
            text_total += buf.len();
            if text_total > MAX_TEXT_TOTAL {
                sub.too_many_fields = true;
                sub.failed();
                break;
            }
            if over {
                sub.oversized.push(name.clone());
            }
            // Browsers send CRLF line ends in text areas; store plain LF.
            let text = String::from_utf8_lossy(&buf).replace("\r\n", "\n");
            sub.fields.insert(name, text);
        }
    }
    if sub.broken || sub.bad_name || sub.too_many_fields || sub.too_large || sub.unavailable {
        sub.failed();
    }
    sub
}

/// Files a reading error under what the person is told.
fn note_error<U>(sub: &mut Submission<U>, e: &multer::Error) {
    tracing::info!(error = %e, "multipart form ended early");
    match e {
        multer::Error::StreamSizeExceeded { .. } => sub.too_large = true,
        multer::Error::ReadHeaderFailed(_)
        | multer::Error::DecodeHeaderName { .. }
        | multer::Error::DecodeHeaderValue { .. } => sub.bad_name = true,
        _ => sub.broken = true,
    }
    sub.failed();
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::convert::Infallible;

    /// Files kept in memory.
    struct Memory;

    impl FileStore for Memory {
        type Sink = Vec<u8>;
        type Done = (String, Vec<u8>);

        async fn create(&self) -> Option<Vec<u8>> {
            Some(Vec::new())
        }

        async fn write(&self, sink: &mut Vec<u8>, bytes: &[u8]) -> bool {
            sink.extend_from_slice(bytes);
            true
        }

        fn finish(&self, sink: Vec<u8>, raw_name: &str) -> (String, Vec<u8>) {
            (raw_name.to_owned(), sink)
        }
    }

    /// Reads `body` as it might arrive: cut into the given chunk sizes.
    fn read_body(
        body: Vec<u8>,
        chunks: &[usize],
        boundary: &str,
        limit: u64,
        max_files: u64,
    ) -> Submission<(String, Vec<u8>)> {
        let mut parts = Vec::new();
        let mut rest = Bytes::from(body);
        let mut sizes = chunks.iter().copied().cycle();
        while !rest.is_empty() {
            let n = sizes.next().unwrap_or(usize::MAX).clamp(1, rest.len());
            parts.push(Ok::<_, Infallible>(rest.split_to(n)));
        }
        let stream = futures_util::stream::iter(parts);
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(read_stream(
                stream,
                boundary,
                limit,
                max_files,
                &Memory,
                "attachments",
            ))
    }

    fn form(boundary: &str, texts: &[(String, String)], files: &[(String, Vec<u8>)]) -> Vec<u8> {
        let mut b = Vec::new();
        for (k, v) in texts {
            b.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        for (name, bytes) in files {
            b.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"attachments\"; \
                     filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            b.extend_from_slice(bytes);
            b.extend_from_slice(b"\r\n");
        }
        b.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        b
    }

    fn bare(k: &str, v: &str) -> (String, String) {
        (k.to_owned(), v.to_owned())
    }

    #[test]
    fn a_body_without_its_closing_boundary_is_broken() {
        let mut body = form(
            "B",
            &[bare("subject", "hi")],
            &[("a.txt".into(), b"abc".to_vec())],
        );
        body.truncate(body.len() - "--B--\r\n".len() - 2);
        let sub = read_body(body, &[7], "B", 1 << 20, 1 << 20);
        assert!(sub.broken && sub.uploads.is_empty());
    }

    #[test]
    fn a_nul_in_a_file_name_is_a_bad_name() {
        let mut body =
            b"--B\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"a".to_vec();
        body.extend_from_slice(b"\0b.txt\"\r\n\r\nabc\r\n--B--\r\n");
        let sub = read_body(body, &[1000], "B", 1 << 20, 1 << 20);
        assert!(sub.bad_name && sub.uploads.is_empty(), "{sub:?}");
    }

    #[test]
    fn text_parts_are_bounded_in_count_and_total() {
        let many: Vec<_> = (0..MAX_TEXT_FIELDS + 1)
            .map(|i| bare(&format!("f{i}"), "x"))
            .collect();
        let sub = read_body(form("B", &many, &[]), &[4096], "B", 1 << 24, 1 << 20);
        assert!(sub.too_many_fields);
        let big: Vec<_> = (0..5)
            .map(|i| (format!("f{i}"), "x".repeat(MAX_TEXT_BYTES - 10)))
            .collect();
        let sub = read_body(form("B", &big, &[]), &[65536], "B", 1 << 24, 1 << 20);
        assert!(sub.too_many_fields);
    }

    /// A disk that takes the first bytes of a file and then is full.
    struct FullDisk;

    impl FileStore for FullDisk {
        type Sink = usize;
        type Done = String;

        async fn create(&self) -> Option<usize> {
            Some(0)
        }

        async fn write(&self, sink: &mut usize, bytes: &[u8]) -> bool {
            *sink += bytes.len();
            *sink <= 1000
        }

        fn finish(&self, _: usize, raw_name: &str) -> String {
            raw_name.to_owned()
        }
    }

    #[test]
    fn a_file_the_disk_cannot_take_is_unavailable_not_too_large() {
        let body = form(
            "B",
            &[bare("body", "Bitte drucken.")],
            &[("a.bin".into(), vec![7; 5000])],
        );
        let stream = futures_util::stream::iter(
            body.chunks(512)
                .map(|c| Ok::<_, Infallible>(Bytes::copy_from_slice(c)))
                .collect::<Vec<_>>(),
        );
        let sub = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(read_stream(
                stream,
                "B",
                1 << 20,
                1 << 20,
                &FullDisk,
                "attachments",
            ));
        assert!(
            sub.unavailable && !sub.too_large && sub.uploads.is_empty(),
            "{sub:?}"
        );
        // The text survives for the form to show again.
        assert_eq!(sub.get("body"), "Bitte drucken.");
        let mut p = Problem::default();
        sub.add_problems(&mut p);
        assert_eq!(
            p.for_field("attachments"),
            Some("mailstore-upload-unavailable")
        );
    }

    #[test]
    fn a_body_over_the_limit_is_too_large() {
        let body = form("B", &[], &[("a.bin".into(), vec![7; 5000])]);
        let sub = read_body(body, &[512], "B", 2000, 1 << 20);
        assert!(sub.too_large && sub.uploads.is_empty());
    }

    /// Cases per property: modest by default so the normal suite stays fast;
    /// `PROPTEST_CASES=…` raises it for a long run (`cargo test --workspace prop_`).
    fn cases(default: u32) -> u32 {
        std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }

    fn text() -> impl Strategy<Value = String> {
        // No CR LF "--" sequences that could be taken for a boundary.
        "[a-zA-Z0-9 äöü.,!?\n]{0,200}"
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(cases(64)))]

        #[test]
        fn prop_multipart_reader_never_panics_on_arbitrary_bodies(
            body in proptest::collection::vec(any::<u8>(), 0..2000),
            boundary in "[ -~]{0,70}",
            chunks in proptest::collection::vec(1usize..300, 1..5),
            limit in 0u64..4000,
        ) {
            let _ = read_body(body, &chunks, &boundary, limit, limit / 2);
        }

        #[test]
        fn prop_multipart_reader_never_panics_on_mangled_forms(
            texts in proptest::collection::vec(("[a-z]{1,8}", text()), 0..5),
            file in proptest::collection::vec(any::<u8>(), 0..500),
            cut in any::<prop::sample::Index>(),
            noise in proptest::collection::vec(any::<u8>(), 0..20),
            chunks in proptest::collection::vec(1usize..300, 1..5),
        ) {
            let mut body = form("XyZ", &texts, &[("f.bin".into(), file)]);
            let at = cut.index(body.len() + 1);
            body.truncate(at);
            body.extend_from_slice(&noise);
            let sub = read_body(body, &chunks, "XyZ", 1 << 20, 1 << 20);
            // Whatever arrives, a form that did not end properly never keeps a file.
            if sub.broken || sub.bad_name {
                prop_assert!(sub.uploads.is_empty());
            }
        }

        #[test]
        fn prop_multipart_reader_round_trips_well_formed_forms(
            texts in proptest::collection::btree_map("[a-z]{1,8}", text(), 0..8),
            files in proptest::collection::vec(
                ("[a-zA-Z0-9 ._-]{1,30}", proptest::collection::vec(any::<u8>(), 1..3000)),
                0..4,
            ),
            boundary in "[a-zA-Z0-9'()+_,./:=?-]{1,69}[a-zA-Z0-9]",
            chunks in proptest::collection::vec(1usize..5000, 1..5),
        ) {
            let texts: Vec<_> = texts.into_iter().filter(|(k, _)| k != "attachments").collect();
            let body = form(&boundary, &texts, &files);
            let sub = read_body(body, &chunks, &boundary, 1 << 24, 1 << 24);
            prop_assert!(!sub.broken && !sub.bad_name && !sub.too_large && !sub.too_many_fields);
            for (k, v) in &texts {
                prop_assert_eq!(sub.get(k), v.replace("\r\n", "\n"));
            }
            prop_assert_eq!(sub.fields.len(), texts.len());
            let got: Vec<_> = sub.uploads.clone();
            prop_assert_eq!(got, files);
        }
    }
}
