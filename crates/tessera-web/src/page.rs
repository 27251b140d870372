//! Answering with a page: the handlers' result type, rendering a template into a finished
//! response, and reading the forms that templates post.

use askama::Template;
use axum::{
    http::StatusCode,
    response::{Html, Response},
};
use serde::Deserialize;

use crate::{Ctx, error::PageError};

/// What a page handler returns: a finished response, or a failure shown as a page.
pub(crate) type PageResult = Result<Response, PageError>;

/// Renders a template with `status`, finished for the request (CSRF cookie, no caching).
pub(crate) fn html(ctx: &Ctx, status: StatusCode, t: &impl Template) -> PageResult {
    let body = t.render().map_err(|e| PageError::internal(ctx.lang, e))?;
    Ok(ctx.finish((status, Html(body))))
}

/// A form that carries nothing but its CSRF token.
#[derive(Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(default)]
    pub csrf: String,
}

/// The first value of `key` in a form `parse_form` read, or "" when it is missing.
pub(crate) fn form_value<'a>(form: &'a [(String, String)], key: &str) -> &'a str {
    form.iter()
        .find(|(n, _)| n == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// `application/x-www-form-urlencoded` with repeated keys (checkbox lists).
pub(crate) fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode(k), decode(v))
        })
        .collect()
}
