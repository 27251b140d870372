//! Error pages: every failure becomes a page in the user's language with the right status;
//! details of internal errors go to the log, never to the browser.
//!
//! Core failures are answered by their kind (`tessera_core::ErrorKind`), never by where
//! they came from: invalid input 422, not found 404, forbidden 403, conflict 409,
//! unavailable 503 with `Retry-After`, and 500 only for a bug.

use askama::Template;
use axum::{
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use tessera_core::{CoreError, ErrorKind};
use tessera_domain::Lang;

use crate::{
    cookies::{LANG_COOKIE, cookie, cookie_name},
    render::Page,
};

/// How long a client is asked to wait before trying again after a 503, in seconds: long
/// enough for a busy database to drain, short enough to be "a moment" for a person.
pub const RETRY_AFTER_SECS: u32 = 10;

/// A failure shown as a page.
#[derive(Debug)]
pub struct PageError {
    lang: Lang,
    status: StatusCode,
    key: &'static str,
    /// Translated reasons, for invalid input that reached no form.
    reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    p: Page,
    status: u16,
    key: &'static str,
    reasons: Vec<String>,
}

impl PageError {
    /// Something broke; logged in full, shown generically.
    pub fn internal(lang: Lang, e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "request failed");
        Self::of(lang, StatusCode::INTERNAL_SERVER_ERROR, "error-internal")
    }

    fn of(lang: Lang, status: StatusCode, key: &'static str) -> Self {
        Self {
            lang,
            status,
            key,
            reasons: Vec::new(),
        }
    }

    /// The thing does not exist or is not the caller's to see.
    pub fn not_found(lang: Lang) -> Self {
        Self::of(lang, StatusCode::NOT_FOUND, "error-not-found")
    }

    /// A cross-site or tampered form post.
    pub fn forbidden(lang: Lang) -> Self {
        Self::of(lang, StatusCode::FORBIDDEN, "error-forbidden")
    }

    /// A request body larger than the route reads (refused before it is read).
    pub fn payload_too_large(lang: Lang) -> Self {
        Self::of(
            lang,
            StatusCode::PAYLOAD_TOO_LARGE,
            "error-request-too-large",
        )
    }

    /// Too many attempts.
    pub fn too_many(lang: Lang) -> Self {
        Self::of(lang, StatusCode::TOO_MANY_REQUESTS, "error-too-many")
    }

    /// The database or the disk cannot serve the request now (logged as a warning: it
    /// is the installation's state, not a bug); answered 503 with `Retry-After`.
    pub fn unavailable(lang: Lang, e: impl std::fmt::Display) -> Self {
        tracing::warn!(error = %e, "request failed: storage unavailable");
        Self::of(lang, StatusCode::SERVICE_UNAVAILABLE, "error-unavailable")
    }

    /// Maps a core error by its kind. Pages with a form catch `CoreError::Invalid` first
    /// and show the form again; one that reaches here is answered with its reasons.
    pub fn from_core(lang: Lang, e: CoreError) -> Self {
        match e.kind() {
            ErrorKind::Invalid => {
                let mut me = Self::of(lang, StatusCode::UNPROCESSABLE_ENTITY, "error-invalid");
                if let CoreError::Invalid(p) = &e {
                    me.reasons = p
                        .errors
                        .iter()
                        .map(|f| tessera_i18n::t(lang, f.key))
                        .collect();
                }
                me
            }
            ErrorKind::NotFound => Self::not_found(lang),
            ErrorKind::Forbidden => Self::of(lang, StatusCode::FORBIDDEN, "error-not-permitted"),
            ErrorKind::Conflict => Self::of(lang, StatusCode::CONFLICT, "error-conflict"),
            ErrorKind::Unavailable => Self::unavailable(lang, e),
            ErrorKind::Bug => Self::internal(lang, e),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            p: Page::bare(self.lang),
            status: self.status.as_u16(),
            key: self.key,
            reasons: self.reasons,
        };
        let body = page.render().unwrap_or_else(|_| "error".into());
        let mut res = (
            self.status,
            [(header::CACHE_CONTROL, "no-store")],
            Html(body),
        )
            .into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        }
        res
    }
}

/// The fallback for unknown paths.
pub async fn not_found(headers: HeaderMap) -> Response {
    // Without the request context it is not known which name the cookie has here; the
    // language is no secret, so either will do.
    let lang = cookie(&headers, &cookie_name(LANG_COOKIE, true))
        .or_else(|| cookie(&headers, LANG_COOKIE))
        .and_then(Lang::parse)
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::negotiate)
        })
        .unwrap_or(Lang::De);
    PageError::not_found(lang).into_response()
}

/// Administration pages do not exist for anyone else: a refusal answers 404.
pub(crate) fn admin_err(lang: Lang, e: CoreError) -> PageError {
    match e {
        CoreError::Forbidden => PageError::not_found(lang),
        e => PageError::from_core(lang, e),
    }
}
