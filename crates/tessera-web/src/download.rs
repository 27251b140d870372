//! Attachment downloads, for the portal, the agent area and the API alike.

use axum::{
    Router,
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use serde::Deserialize;
use tessera_domain::model::Attachment;

use crate::{AppState, client::Client};

/// The download origin's one route (see `WebConfig::attachment_base_url`).
pub fn router() -> Router<AppState> {
    Router::new().route("/files/{id}/{name}", get(file))
}

#[derive(Deserialize)]
struct TokenQuery {
    t: Option<String>,
}

fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Hands out a file whose access the caller has checked: the file itself, or, with a
/// download origin configured, a redirect there carrying a short-lived signed token.
pub async fn deliver(s: &AppState, a: &Attachment, file: tokio::fs::File) -> Response {
    let Some(base) = s.web.attachment_base_url.as_deref() else {
        return attachment_response(a, file).await;
    };
    let token = s.app.attachment_url_token(a.id.0, now_secs());
    let name =
        percent_encoding::utf8_percent_encode(&a.filename, percent_encoding::NON_ALPHANUMERIC);
    let mut res =
        Redirect::to(&format!("{base}/files/{}/{name}?t={token}", a.id.0)).into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}

/// A file on the download origin: only there (never on the main origin's host), only with
/// a genuine, unexpired token; no cookie is read.
async fn file(
    State(s): State<AppState>,
    client: Client,
    headers: HeaderMap,
    Path((id, _name)): Path<(i64, String)>,
    Query(q): Query<TokenQuery>,
) -> Response {
    let on_file_host = s
        .web
        .attachment_base_url
        .as_deref()
        .and_then(|b| b.split_once("://"))
        .map(|(_, host)| host.split('/').next().unwrap_or(host))
        .is_some_and(|host| {
            client
                .host
                .as_deref()
                .is_some_and(|h| h.eq_ignore_ascii_case(host))
        });
    let Some(token) = q.t.filter(|_| on_file_host) else {
        return crate::error::not_found(headers).await;
    };
    match s.app.attachment_by_url_token(id, &token, now_secs()).await {
        Ok((a, f)) => attachment_response(&a, f).await,
        Err(_) => crate::error::not_found(headers).await,
    }
}
use tokio::io::AsyncReadExt;
use tokio_util::io::ReaderStream;

/// Streams a stored file as a download that browsers will not render or sniff. The type
/// sent is the stored one only if the file's first bytes agree with it
/// (`tessera_core::served_type`): `evil.jpg` holding HTML goes out as opaque bytes.
pub async fn attachment_response(a: &Attachment, mut file: tokio::fs::File) -> Response {
    let mut head = Vec::with_capacity(tessera_core::SNIFF_LEN);
    // A read error here shows again (and is logged) when the body is streamed; the type is
    // then decided on what was read.
    let _ = (&mut file)
        .take(tessera_core::SNIFF_LEN as u64)
        .read_to_end(&mut head)
        .await;
    let content_type = tessera_core::served_type(&a.content_type, &head).to_owned();
    let body =
        axum::body::Body::from_stream(ReaderStream::new(std::io::Cursor::new(head).chain(file)));
    let mut res = body.into_response();
    let h = res.headers_mut();
    let hv = |v: &str| {
        HeaderValue::from_str(v)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
    };
    h.insert(header::CONTENT_TYPE, hv(&content_type));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(a.size));
    h.insert(
        header::CONTENT_DISPOSITION,
        hv(&content_disposition(&a.filename)),
    );
    fence(h);
    res
}

/// What every download carries, whatever it holds: no script, no plugin, no framing runs
/// from it even when a browser renders it, and no shared cache keeps it.
pub(crate) fn fence(h: &mut axum::http::HeaderMap) {
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
}

/// `filename*` per RFC 6266 / RFC 8187, with an ASCII fallback for old clients.
fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_download_names() {
        assert_eq!(
            content_disposition("Plakat Entwurf.pdf"),
            "attachment; filename=\"Plakat Entwurf.pdf\"; filename*=UTF-8''Plakat%20Entwurf%2Epdf"
        );
        assert_eq!(
            content_disposition("Übersicht \"neu\".docx"),
            "attachment; filename=\"_bersicht _neu_.docx\"; \
             filename*=UTF-8''%C3%9Cbersicht%20%22neu%22%2Edocx"
        );
    }
}
