//! The APIs for programs: osTicket's ticket API (`/api/tickets.json`, `/api/tickets.email`)
//! and Tessera's REST API under `/api/v1`. Both authenticate with an API key (`X-API-Key`,
//! or `Authorization: Bearer`), limited per key; neither uses cookies, so there is no CSRF
//! to defend against.

mod osticket;
mod v1;

use axum::{
    Json, Router,
    extract::FromRequestParts,
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use tessera_core::{ApiCaller, CoreError, ErrorKind, KeyRefusal};
use tessera_domain::{Lang, Problem};
use tessera_i18n::t;

use crate::{AppState, Client};

/// Every API route.
pub(crate) fn router() -> Router<AppState> {
    Router::new().merge(osticket::router()).merge(v1::router())
}

/// How long a key's rate window is.
const RATE_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

/// Why a request was not let in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No key, or none that is live for this address.
    Unauthorized,
    /// The key used up its requests for this minute.
    RateLimited,
    /// Checking the key failed (logged), of this kind.
    Failed(ErrorKind),
}

/// The key a request presents.
pub(crate) fn presented_key(headers: &HeaderMap) -> Option<&str> {
    if let Some(k) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return Some(k.trim());
    }
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

/// The language problem texts are written in: `Accept-Language`, else the default.
pub(crate) fn api_lang(state: &AppState, headers: &HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::negotiate)
        .unwrap_or_else(|| state.app.settings().default_lang)
}

/// Checks the request's key and its rate limit.
pub(crate) async fn authenticate(state: &AppState, parts: &Parts) -> Result<ApiCaller, Refusal> {
    // Behind a trusted proxy, the key's allow-list is checked against the real client.
    let ip = Client::of(parts, &state.web).ip;
    let Some(key) = presented_key(&parts.headers) else {
        return Err(Refusal::Unauthorized);
    };
    let caller = match state.app.authenticate_api_key(key, ip).await {
        Ok(Ok(c)) => c,
        Ok(Err(KeyRefusal::Unknown | KeyRefusal::Address)) => return Err(Refusal::Unauthorized),
        Err(e) => {
            let kind = e.kind();
            if kind == ErrorKind::Unavailable {
                tracing::warn!(error = %e, "checking an API key failed: storage unavailable");
            } else {
                tracing::error!(error = %e, "checking an API key failed");
            }
            return Err(Refusal::Failed(kind));
        }
    };
    let bucket = format!("api-key:{}", caller.key_id);
    if !state
        .limiter
        .allow(&bucket, caller.rate_per_minute, RATE_WINDOW)
    {
        return Err(Refusal::RateLimited);
    }
    Ok(caller)
}

/// An authenticated API request: the caller, and the language for problem texts.
#[derive(Debug, Clone)]
pub(crate) struct Api {
    /// The key's program.
    pub caller: ApiCaller,
    /// Language of problem texts.
    pub lang: Lang,
}

impl FromRequestParts<AppState> for Api {
    type Rejection = ApiProblem;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = api_lang(state, &parts.headers);
        match authenticate(state, parts).await {
            Ok(caller) => Ok(Api { caller, lang }),
            Err(Refusal::Unauthorized) => Err(ApiProblem::new(
                lang,
                StatusCode::UNAUTHORIZED,
                "unauthorized",
            )),
            Err(Refusal::RateLimited) => Err(ApiProblem::new(
                lang,
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
            )),
            Err(Refusal::Failed(kind)) => Err(ApiProblem::of_kind(lang, kind)),
        }
    }
}

/// One field's complaint in a problem.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub(crate) struct FieldProblem {
    /// The request field.
    pub field: String,
    /// A stable code (the translation key).
    pub code: String,
    /// The complaint in the request's language.
    pub message: String,
}

/// An RFC 9457 problem: `application/problem+json` with `type`, `title`, `status`, and a
/// stable `code` plus, for invalid input, the fields to fix.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub(crate) struct ApiProblem {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// The kind in words, in the request's language.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// A stable code (`not-found`, `invalid`, ...).
    #[schema(value_type = String)]
    pub code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

impl ApiProblem {
    /// A problem of one kind; `code` names it (`api-problem-{code}` is its title).
    pub fn new(lang: Lang, status: StatusCode, code: &'static str) -> Self {
        Self {
            kind: format!("/api/v1/problems/{code}"),
            title: t(lang, &format!("api-problem-{code}")),
            status: status.as_u16(),
            code,
            detail: None,
            errors: Vec::new(),
        }
    }

    /// Invalid input: the fields and what is wrong with each.
    pub fn invalid(lang: Lang, p: &Problem) -> Self {
        let mut me = Self::new(lang, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        me.errors = p
            .errors
            .iter()
            .map(|e| FieldProblem {
                field: e.field.to_string(),
                code: e.key.to_owned(),
                message: t(lang, e.key),
            })
            .collect();
        me
    }

    /// With a sentence of detail.
    pub fn detail(mut self, d: impl Into<String>) -> Self {
        self.detail = Some(d.into());
        self
    }

    /// A core failure, by its kind: invalid 422, not found 404, forbidden 403, stale or
    /// conflict 409, unavailable 503 (with `Retry-After`), a bug 500 (logged).
    pub fn from_core(lang: Lang, e: CoreError) -> Self {
        match (e.kind(), &e) {
            (_, CoreError::Invalid(p)) => Self::invalid(lang, p),
            (_, CoreError::Stale) => Self::new(lang, StatusCode::CONFLICT, "stale"),
            (ErrorKind::Unavailable, _) => {
                tracing::warn!(error = %e, "API request failed: storage unavailable");
                Self::of_kind(lang, ErrorKind::Unavailable)
            }
            (ErrorKind::Bug, _) => {
                tracing::error!(error = %e, "API request failed");
                Self::of_kind(lang, ErrorKind::Bug)
            }
            (kind, _) => Self::of_kind(lang, kind),
        }
    }

    /// The problem for a kind of failure, without details.
    pub fn of_kind(lang: Lang, kind: ErrorKind) -> Self {
        let (status, code) = match kind {
            ErrorKind::Invalid => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ErrorKind::NotFound => (StatusCode::NOT_FOUND, "not-found"),
            ErrorKind::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            ErrorKind::Conflict => (StatusCode::CONFLICT, "conflict"),
            ErrorKind::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ErrorKind::Bug => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        Self::new(lang, status, code)
    }
}

impl IntoResponse for ApiProblem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry = match status {
            StatusCode::TOO_MANY_REQUESTS => Some(HeaderValue::from_static("60")),
            StatusCode::SERVICE_UNAVAILABLE => {
                Some(HeaderValue::from(crate::error::RETRY_AFTER_SECS))
            }
            _ => None,
        };
        let unauthorized = status == StatusCode::UNAUTHORIZED;
        let mut res = (status, Json(self)).into_response();
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(after) = retry {
            h.insert(header::RETRY_AFTER, after);
        }
        if unauthorized {
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"tessera\""),
            );
        }
        res
    }
}
