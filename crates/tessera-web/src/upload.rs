//! Reading multipart forms with files: files stream to temporary storage while the total is
//! counted; past the limit nothing more is stored, the rest of the body is read and discarded
//! so that the browser receives our answer instead of a reset connection. The limit is the
//! one in force now (administrators change it at run time), so the routes' own body limit is
//! only the outer wall (`BODY_CAP`).

use std::collections::HashMap;

use axum::extract::Multipart;
use tessera_core::{Tessera, Upload};

/// The largest request body an upload route reads at all: room to read (and discard) four
/// times the largest limit an administrator may set.
pub const BODY_CAP: usize =
    (tessera_core::MAX_ATTACHMENT_MB as usize) * 4 * 1024 * 1024 + (1 << 20);

/// Longest text field accepted, in bytes (well above every field's character limit).
const MAX_TEXT_BYTES: usize = 256 * 1024;

/// A read form.
#[derive(Debug, Default)]
pub struct Submission {
    /// Text fields (the last value wins).
    pub fields: HashMap<String, String>,
    /// Files stored so far.
    pub uploads: Vec<Upload>,
    /// Whether the files exceeded the limit (then `uploads` is empty).
    pub too_large: bool,
    /// Whether any file was sent at all.
    pub had_files: bool,
    /// Text fields that were longer than any field may be.
    pub oversized: Vec<String>,
}

impl Submission {
    /// A text field's value, or "".
    pub fn get(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }
}

/// Reads a multipart form whose files go to `file_field`.
pub async fn read(mut mp: Multipart, app: &Tessera, file_field: &str) -> Submission {
    let max = app.settings().attachment_max_total;
    // Past this much, reading on to answer politely is no longer worth it.
    let give_up = max.saturating_mul(4).saturating_add(1 << 20);
    let mut sub = Submission::default();
    let mut total: u64 = 0;
    loop {
        let mut field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                // Over the body limit, or a broken upload: either way the files are not kept.
                tracing::info!(error = %e, "multipart upload ended early");
                sub.too_large =
                    sub.too_large || e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE;
                sub.uploads.clear();
                if !sub.too_large {
                    sub.had_files = true;
                }
                break;
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        if name == file_field {
            let raw_name = field.file_name().unwrap_or("").to_owned();
            let mut blob = None;
            loop {
                match field.chunk().await {
                    Ok(Some(bytes)) => {
                        if bytes.is_empty() {
                            continue;
                        }
                        sub.had_files = true;
                        total += bytes.len() as u64;
                        if total > give_up {
                            sub.too_large = true;
                            sub.uploads.clear();
                            return sub;
                        }
                        if total > max {
                            sub.too_large = true;
                            sub.uploads.clear();
                            blob = None;
                        }
                        if sub.too_large {
                            continue;
                        }
                        if blob.is_none() {
                            match app.upload_sink().await {
                                Ok(b) => blob = Some(b),
                                Err(e) => {
                                    tracing::error!(error = %e, "cannot create upload file");
                                    sub.too_large = true;
                                    continue;
                                }
                            }
                        }
                        if let Some(b) = blob.as_mut()
                            && let Err(e) = b.write(&bytes).await
                        {
                            tracing::error!(error = %e, "cannot write upload");
                            blob = None;
                            sub.too_large = true;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        tracing::info!(error = %e, "upload interrupted");
                        sub.too_large = sub.too_large
                            || e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE;
                        sub.uploads.clear();
                        return sub;
                    }
                }
            }
            // An empty file input sends a part without name or bytes: not a file.
            if let Some(blob) = blob {
                sub.uploads.push(blob.finish(&raw_name));
            }
        } else {
            let mut buf: Vec<u8> = Vec::new();
            let mut over = false;
            loop {
                match field.chunk().await {
                    Ok(Some(bytes)) => {
                        if buf.len() + bytes.len() > MAX_TEXT_BYTES {
                            over = true;
                        } else {
                            buf.extend_from_slice(&bytes);
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        tracing::info!(error = %e, "form interrupted");
                        sub.too_large = e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE;
                        sub.uploads.clear();
                        return sub;
                    }
                }
            }
            if over {
                sub.oversized.push(name.clone());
            }
            // Browsers send CRLF line ends in text areas; store plain LF.
            let text = String::from_utf8_lossy(&buf).replace("\r\n", "\n");
            sub.fields.insert(name, text);
        }
    }
    sub
}
