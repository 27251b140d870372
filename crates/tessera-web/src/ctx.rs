//! Per-request context: language, session, CSRF token (carried by the cookies of
//! `cookies`), and the page frame for a request.

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, HeaderValue, Method, header, request::Parts},
    response::{IntoResponse, Response},
};
use subtle::ConstantTimeEq;
use tessera_core::{CoreError, Session};
use tessera_domain::{Lang, Problem};

use crate::{
    AppState,
    client::Client,
    cookies::{CSRF_COOKIE, LANG_COOKIE, SESSION_COOKIE, cookie, cookie_name},
    error::PageError,
    render::Page,
};

/// What every handler knows about the request.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The language to answer in.
    pub lang: Lang,
    /// The browser's session, if it has a valid one.
    pub session: Option<Session>,
    /// The CSRF token forms must echo.
    pub csrf: String,
    /// Whether `csrf` is new and must be set as a cookie.
    csrf_new: bool,
    /// The request path and query, for the language switch.
    pub path: String,
    /// Who sent the request (behind trusted proxies: the real client).
    pub client: Client,
    /// Whether cookies get `Secure`.
    secure: bool,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let client = Client::of(parts, &state.web);
        let headers = &parts.headers;
        let secure = client.https;
        let named = |name: &str| cookie(headers, &cookie_name(name, secure)).map(str::to_owned);
        let lang = named(LANG_COOKIE)
            .as_deref()
            .and_then(Lang::parse)
            .or_else(|| {
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(Lang::negotiate)
            })
            .unwrap_or_else(|| state.app.settings().default_lang);
        let session = match named(SESSION_COOKIE) {
            Some(c) => state
                .app
                .session(&c)
                .await
                .map_err(|e| PageError::from_core(lang, e))?,
            None => None,
        };
        let (csrf, csrf_new) = match named(CSRF_COOKIE) {
            Some(c) if c.len() == 32 && c.bytes().all(|b| b.is_ascii_hexdigit()) => (c, false),
            _ => {
                let mut b = [0u8; 16];
                getrandom::fill(&mut b).map_err(|e| PageError::internal(lang, e))?;
                (hex::encode(b), true)
            }
        };
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default();
        if parts.method != Method::GET
            && parts.method != Method::HEAD
            && !same_origin(headers, client.host.as_deref())
        {
            return Err(PageError::forbidden(lang));
        }
        Ok(Ctx {
            lang,
            session,
            csrf,
            csrf_new,
            path,
            secure,
            client,
        })
    }
}

/// The problem a form is shown again with when its CSRF token does not match.
pub fn csrf_problem() -> Problem {
    let mut p = Problem::default();
    p.add("form", "error-csrf");
    p
}

/// Refuses cross-site form posts: browsers say where a request comes from in
/// `Sec-Fetch-Site` (or at least `Origin`); requests without either are not from a browser
/// page of another site. `host` is the host the client asked for (behind a trusted proxy,
/// the one it forwarded), since a proxy may rewrite `Host`.
fn same_origin(headers: &HeaderMap, host: Option<&str>) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match (headers.get(header::ORIGIN), host) {
        (Some(origin), Some(host)) => {
            let origin = origin.to_str().unwrap_or("");
            origin.split_once("://").map(|(_, h)| h) == Some(host)
        }
        (Some(_), None) => false,
        (None, _) => true,
    }
}

impl Ctx {
    /// Whether a submitted CSRF value matches this browser's token.
    pub fn csrf_ok(&self, submitted: &str) -> bool {
        !self.csrf_new && submitted.as_bytes().ct_eq(self.csrf.as_bytes()).into()
    }

    /// Checks a form's CSRF token. Every form answers a mismatch the same way: as invalid
    /// input of the whole form (`error-csrf`, "the form was open too long, please submit
    /// it again"), so the page shows the form again with what the person typed and a fresh
    /// token. A mismatch is almost always a token cookie that expired or was replaced;
    /// posts from other sites are already refused (403) by the origin check above.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), CoreError> {
        if self.csrf_ok(submitted) {
            Ok(())
        } else {
            Err(CoreError::Invalid(csrf_problem()))
        }
    }

    /// Reads one of Tessera's cookies under the name it has on this request
    /// (`cookies::cookie_name`).
    pub fn read_cookie<'a>(&self, headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
        cookie(headers, &cookie_name(name, self.secure))
    }

    /// A `Set-Cookie` value; over https the cookie is named `__Host-…` (with `Secure`,
    /// `Path=/` and no `Domain`, as that prefix requires).
    pub fn cookie_header(
        &self,
        name: &str,
        value: &str,
        max_age_secs: i64,
        http_only: bool,
    ) -> HeaderValue {
        let name = cookie_name(name, self.secure);
        let mut s = format!("{name}={value}; Path=/; Max-Age={max_age_secs}; SameSite=Lax");
        if http_only {
            s.push_str("; HttpOnly");
        }
        if self.secure {
            s.push_str("; Secure");
        }
        HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// Finishes a response: sets the CSRF cookie if it is new, and never lets a page with
    /// personal data be cached by shared caches.
    pub fn finish(&self, res: impl IntoResponse) -> Response {
        let mut res = res.into_response();
        if self.csrf_new {
            let c = self.cookie_header(CSRF_COOKIE, &self.csrf, 400 * 24 * 3600, true);
            res.headers_mut().append(header::SET_COOKIE, c);
        }
        res.headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
        res
    }
}

/// The page frame is built here, not in `render`, so that `render` (and the error pages
/// built on it) need not know the request context.
impl Page {
    /// The frame for a request.
    pub fn new(ctx: &Ctx, settings: &tessera_core::Settings) -> Self {
        Self {
            lang: ctx.lang,
            org: settings.org_name.clone(),
            csrf: ctx.csrf.clone(),
            path: ctx.path.clone(),
            signed_in: ctx.session.is_some(),
            agent: None,
            admin: false,
            logo: settings
                .logo
                .as_ref()
                .map(|l| format!("/logo/{}", l.version)),
            // Requesters read the installation's time; `agent_page` puts an agent's own.
            tz: settings.time_zone,
            now: tessera_domain::Timestamp::now(),
            today: Default::default(),
        }
    }
}
