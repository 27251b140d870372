//! Error pages: every failure becomes a page in the user's language with the right status;
//! details of internal errors go to the log, never to the browser.

use askama::Template;
use axum::{
    http::{HeaderMap, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use tessera_domain::Lang;

use crate::{ctx, render::Page};

/// A failure shown as a page.
#[derive(Debug)]
pub struct PageError {
    lang: Lang,
    status: StatusCode,
    key: &'static str,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    p: Page,
    status: u16,
    key: &'static str,
}

impl PageError {
    /// Something broke; logged in full, shown generically.
    pub fn internal(lang: Lang, e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "request failed");
        Self {
            lang,
            status: StatusCode::INTERNAL_SERVER_ERROR,
            key: "error-internal",
        }
    }

    /// The thing does not exist or is not the caller's to see.
    pub fn not_found(lang: Lang) -> Self {
        Self {
            lang,
            status: StatusCode::NOT_FOUND,
            key: "error-not-found",
        }
    }

    /// A cross-site or tampered form post.
    pub fn forbidden(lang: Lang) -> Self {
        Self {
            lang,
            status: StatusCode::FORBIDDEN,
            key: "error-forbidden",
        }
    }

    /// Too many attempts.
    pub fn too_many(lang: Lang) -> Self {
        Self {
            lang,
            status: StatusCode::TOO_MANY_REQUESTS,
            key: "error-too-many",
        }
    }

    /// Maps a core error.
    pub fn from_core(lang: Lang, e: tessera_core::CoreError) -> Self {
        match e {
            tessera_core::CoreError::NotFound => Self::not_found(lang),
            e => Self::internal(lang, e),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            p: Page::bare(self.lang),
            status: self.status.as_u16(),
            key: self.key,
        };
        let body = page.render().unwrap_or_else(|_| "error".into());
        (
            self.status,
            [(header::CACHE_CONTROL, "no-store")],
            Html(body),
        )
            .into_response()
    }
}

/// The fallback for unknown paths.
pub async fn not_found(headers: HeaderMap) -> Response {
    let lang = ctx::cookie(&headers, ctx::LANG_COOKIE)
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
