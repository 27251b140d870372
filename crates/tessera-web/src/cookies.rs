//! The cookies Tessera sets, and reading one from a request. Below every other module:
//! the request context sets them, error pages read the language from them.

use std::borrow::Cow;

use axum::http::{HeaderMap, header};

/// The browser's session (requester or agent).
pub const SESSION_COOKIE: &str = "tessera_session";
/// The language the visitor chose.
pub const LANG_COOKIE: &str = "tessera_lang";
/// The CSRF token forms must echo.
pub const CSRF_COOKIE: &str = "tessera_csrf";

/// The name a cookie has on the wire: over https `__Host-` and the name. Browsers accept a
/// `__Host-` cookie only with `Secure`, `Path=/` and no `Domain`, so neither a plain-http
/// answer (a network attacker's) nor a sibling subdomain can plant or overwrite it: the
/// session cookie cannot be fixed from outside. One function of the https flag, for setting
/// and reading alike; over plain http (development) the bare name, which browsers require.
pub fn cookie_name(name: &str, https: bool) -> Cow<'_, str> {
    if https {
        Cow::Owned(format!("__Host-{name}"))
    } else {
        Cow::Borrowed(name)
    }
}

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
