//! The cookies Tessera sets, and reading one from a request. Below every other module:
//! the request context sets them, error pages read the language from them.

use axum::http::{HeaderMap, header};

/// The browser's session (requester or agent).
pub const SESSION_COOKIE: &str = "tessera_session";
/// The language the visitor chose.
pub const LANG_COOKIE: &str = "tessera_lang";
/// The CSRF token forms must echo.
pub const CSRF_COOKIE: &str = "tessera_csrf";

/// Reads one cookie.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}
