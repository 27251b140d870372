//! The REST API under `/api/v1`: everything the agent UI can do, as JSON.
//!
//! Every handler is declared once with `#[utoipa::path]`; `utoipa-axum` builds both the
//! router and the OpenAPI 3.1 document from those declarations, and the schemas come from
//! the very types the handlers serialize, so the document cannot drift from the code. The
//! document is served at `GET /api/v1/openapi.json` (no key needed) and a committed copy,
//! `docs/openapi.json`, is compared with it by a test (`TESSERA_UPDATE_OPENAPI=1` rewrites it).
//!
//! Every call acts as the key's agent through the same core use cases as the agent UI, so
//! permissions are the UI's: a ticket the agent may not see is 404, one they may see but
//! not work on is 403. Read keys may GET, only write keys may change anything.
//!
//! Every error is an RFC 9457 problem (`application/problem+json`): unknown routes, wrong
//! methods, malformed JSON (400), JSON of the wrong shape (422), a body that is not JSON
//! (415), and one too large (413) included.

mod actions;
mod create;
mod directory;
mod tickets;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::{
    Json, Router,
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request, rejection::QueryRejection},
    http::{StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use serde::de::DeserializeOwned;
use tessera_core::{Reader, Worker};
use tessera_domain::Problem;
use utoipa::{
    Modify, OpenApi,
    openapi::{
        Content, RefOr, ResponseBuilder,
        response::Response as OaResponse,
        security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{Api, ApiProblem, FieldProblem, api_lang};
use crate::AppState;

/// What the API's handlers return.
pub(crate) type ApiResult<T> = Result<T, ApiProblem>;

/// Where the API lives.
pub const PREFIX: &str = "/api/v1";

/// The document's frame: title, security schemes, shared schemas.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tessera REST API",
        description = "Everything the agent UI can do, as JSON. Every call acts as the API \
            key's agent with exactly that agent's permissions. Errors are RFC 9457 problem \
            details (application/problem+json). Lists are paged with opaque cursors: pass \
            the `next_cursor` of one page as `cursor` to get the next; it is null on the last."
    ),
    modifiers(&Security),
    security(("api_key" = []), ("bearer" = [])),
    components(schemas(ApiProblem, FieldProblem)),
    tags(
        (name = "tickets", description = "Tickets, their threads and attachments"),
        (name = "actions", description = "Changing tickets, as the agent UI does"),
        (name = "directory", description = "Help topics, departments, teams, agents"),
        (name = "meta", description = "This document")
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-API-Key",
                "An API key; read keys may GET, write keys may also change tickets.",
            ))),
        );
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The same API key as `Authorization: Bearer <key>`."))
                    .build(),
            ),
        );
    }
}

/// Every documented route, relative to `/api/v1`.
fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tickets::list_tickets, create::create_ticket))
        .routes(routes!(tickets::get_ticket))
        .routes(routes!(tickets::download_attachment))
        .routes(routes!(actions::reply))
        .routes(routes!(actions::note))
        .routes(routes!(actions::assign))
        .routes(routes!(actions::claim))
        .routes(routes!(actions::release))
        .routes(routes!(actions::transfer))
        .routes(routes!(actions::set_status))
        .routes(routes!(actions::set_priority))
        .routes(routes!(actions::set_due))
        .routes(routes!(actions::add_collaborator))
        .routes(routes!(actions::remove_collaborator))
        .routes(routes!(directory::topics))
        .routes(routes!(directory::departments))
        .routes(routes!(directory::teams))
        .routes(routes!(directory::agents))
        .routes(routes!(openapi_json))
}

/// The OpenAPI 3.1 document of the API, with full paths.
pub fn openapi() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(|| {
        OpenApiRouter::<AppState>::with_openapi(ApiDoc::openapi())
            .nest(PREFIX, routes())
            .into_openapi()
    })
}

/// The document as served, pretty-printed (also the committed copy's form).
pub fn openapi_text() -> String {
    let mut s = openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".to_owned());
    s.push('\n');
    s
}

/// Every `/api/v1` route; anything else under the prefix is a problem, never a page.
pub(crate) fn router() -> Router<AppState> {
    let (inner, _) = routes().split_for_parts();
    Router::new().nest(
        PREFIX,
        inner
            .fallback(no_route)
            .method_not_allowed_fallback(wrong_method),
    )
}

async fn no_route(state: axum::extract::State<AppState>, parts: Parts) -> ApiProblem {
    ApiProblem::new(
        api_lang(&state, &parts.headers),
        StatusCode::NOT_FOUND,
        "not-found",
    )
}

async fn wrong_method(state: axum::extract::State<AppState>, parts: Parts) -> Response {
    let lang = api_lang(&state, &parts.headers);
    ApiProblem::new(lang, StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed").into_response()
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = Object))
)]
async fn openapi_json() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], openapi_text()).into_response()
}

/// The key's agent, reading; core refuses a key that may not (403).
pub(crate) fn reader(api: &Api) -> ApiResult<Reader<'_>> {
    api.caller
        .reader()
        .map_err(|e| ApiProblem::from_core(api.lang, e))
}

/// The key's agent, changing tickets; core refuses a key that may not (403).
pub(crate) fn writer(api: &Api) -> ApiResult<Worker<'_>> {
    api.caller
        .worker()
        .map_err(|e| ApiProblem::from_core(api.lang, e))
}

/// One invalid field as a problem.
pub(crate) fn invalid(api: &Api, field: &'static str, key: &'static str) -> ApiProblem {
    let mut p = Problem::default();
    p.add(field, key);
    ApiProblem::invalid(api.lang, &p)
}

/// A JSON request body whose every failure is a problem: not JSON → 415, too large → 413,
/// malformed → 400, the wrong shape → 422. The size limit follows the attachment limit in
/// force (base64 makes files a third larger) plus room for the text.
pub(crate) struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiProblem;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiProblem> {
        let lang = api_lang(state, req.headers());
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            })
            .unwrap_or(false);
        if !json {
            return Err(ApiProblem::new(
                lang,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
            ));
        }
        let limit = usize::try_from(state.app.settings().attachment_max_total)
            .unwrap_or(usize::MAX / 2)
            .saturating_mul(4)
            / 3
            + (1 << 20);
        let bytes: Bytes = match axum::body::to_bytes(req.into_body(), limit).await {
            Ok(b) => b,
            Err(_) => {
                return Err(ApiProblem::new(
                    lang,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too-large",
                ));
            }
        };
        match serde_json::from_slice::<T>(&bytes) {
            // Text with NUL characters cannot be stored on every database: refused here.
            Ok(_) if memchr_nul(&bytes) => {
                let mut p = Problem::default();
                p.add("body", "error-api-nul");
                Err(ApiProblem::invalid(lang, &p))
            }
            Ok(v) => Ok(ApiJson(v)),
            Err(e) if e.is_data() => {
                Err(
                    ApiProblem::new(lang, StatusCode::UNPROCESSABLE_ENTITY, "invalid")
                        .detail(e.to_string()),
                )
            }
            Err(e) => {
                Err(ApiProblem::new(lang, StatusCode::BAD_REQUEST, "malformed")
                    .detail(e.to_string()))
            }
        }
    }
}

/// Whether a JSON text contains an escaped or raw NUL.
fn memchr_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0) || bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000"))
}

/// Query parameters whose failure is a 400 problem.
pub(crate) struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for ApiQuery<T> {
    type Rejection = ApiProblem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiProblem> {
        let lang = api_lang(state, &parts.headers);
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e: QueryRejection| {
                ApiProblem::new(lang, StatusCode::BAD_REQUEST, "bad-parameter")
                    .detail(e.body_text())
            })
    }
}

/// Path parameters whose failure is a 404 problem (a path that names nothing).
pub(crate) struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for ApiPath<T> {
    type Rejection = ApiProblem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiProblem> {
        let lang = api_lang(state, &parts.headers);
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(p) => Ok(ApiPath(p.0)),
            Err(_) => Err(ApiProblem::new(lang, StatusCode::NOT_FOUND, "not-found")),
        }
    }
}

/// A JSON answer.
pub(crate) fn ok<T: serde::Serialize>(v: T) -> Response {
    Json(v).into_response()
}

/// The problems an operation may answer, for the document.
fn problems(codes: &[(u16, &str)]) -> BTreeMap<String, RefOr<OaResponse>> {
    codes
        .iter()
        .map(|(status, what)| {
            let r = ResponseBuilder::new()
                .description(*what)
                .content(
                    "application/problem+json",
                    Content::new(Some(utoipa::openapi::Ref::from_schema_name("ApiProblem"))),
                )
                .build();
            (status.to_string(), RefOr::T(r))
        })
        .collect()
}

const COMMON: [(u16, &str); 3] = [
    (401, "No valid API key"),
    (429, "The key's rate limit is used up"),
    (500, "Server failure"),
];

/// Problems of a read: bad parameters, no key, key not allowed, not found.
pub(crate) struct ReadProblems;

impl utoipa::IntoResponses for ReadProblems {
    fn responses() -> BTreeMap<String, RefOr<OaResponse>> {
        let mut c = vec![
            (400, "Bad parameters"),
            (403, "The key may not read"),
            (404, "No such thing, or not visible to the key's agent"),
        ];
        c.extend(COMMON);
        problems(&c)
    }
}

/// Problems of a change without a body.
pub(crate) struct ActionProblems;

impl utoipa::IntoResponses for ActionProblems {
    fn responses() -> BTreeMap<String, RefOr<OaResponse>> {
        let mut c = vec![
            (403, "The key, or its agent, may not change this ticket"),
            (404, "No such ticket, or not visible to the key's agent"),
        ];
        c.extend(COMMON);
        problems(&c)
    }
}

/// Problems of a change with a JSON body.
pub(crate) struct WriteProblems;

impl utoipa::IntoResponses for WriteProblems {
    fn responses() -> BTreeMap<String, RefOr<OaResponse>> {
        let mut c = vec![
            (400, "Malformed JSON"),
            (403, "The key, or its agent, may not change this ticket"),
            (404, "No such ticket, or not visible to the key's agent"),
            (409, "Others wrote since `seen_entry` (replies only)"),
            (413, "The body is too large"),
            (415, "The body is not JSON"),
            (422, "Invalid values; `errors` names the fields"),
        ];
        c.extend(COMMON);
        problems(&c)
    }
}

#[cfg(test)]
mod tests {
    /// The committed copy of the document (`docs/openapi.json`) is what the code generates;
    /// `TESSERA_UPDATE_OPENAPI=1 cargo test -p tessera-web openapi` rewrites it.
    #[test]
    fn committed_openapi_document_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
        let now = super::openapi_text();
        if std::env::var_os("TESSERA_UPDATE_OPENAPI").is_some() {
            std::fs::write(path, &now).expect("write docs/openapi.json");
            return;
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == now,
            "docs/openapi.json is out of date: run TESSERA_UPDATE_OPENAPI=1 cargo test -p tessera-web openapi"
        );
    }

    /// Every operation names its problems, and every path sits under the prefix.
    #[test]
    fn every_operation_documents_problems() {
        let doc = super::openapi();
        assert!(doc.paths.paths.len() >= 17);
        for (path, item) in &doc.paths.paths {
            assert!(path.starts_with(super::PREFIX), "{path}");
            for op in [&item.get, &item.post, &item.delete, &item.put, &item.patch]
                .into_iter()
                .flatten()
            {
                if path.ends_with("/openapi.json") {
                    continue;
                }
                for code in ["401", "404", "429", "500"] {
                    assert!(
                        op.responses.responses.contains_key(code),
                        "{path} lacks {code}"
                    );
                }
            }
        }
    }
}
