//! osTicket's ticket API, so that website forms and scripts written for osTicket work by
//! changing only the base URL: `POST /api/tickets.json` and `POST /api/tickets.email`,
//! authenticated with `X-API-Key`, answered as osTicket answers — `201 Created` with the
//! ticket number as a plain-text body, and otherwise a status with a plain-text sentence
//! (translated through `Accept-Language`, defaulting to the installation's language).
//!
//! Where osTicket and the brief of this API differ, the difference is deliberate: a key
//! that may not create tickets gets `403` (osTicket: `401`), and a body that is not JSON
//! gets `415` (osTicket reads every body of `tickets.json` as JSON). Because osTicket's own
//! example client (PHP curl with `CURLOPT_POSTFIELDS`) sends JSON labelled
//! `application/x-www-form-urlencoded`, a body without a JSON content type is still read
//! when it is a JSON object.

use axum::{
    Router,
    body::Body,
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use serde_json::Value;
use tessera_core::{ApiMailOutcome, ApiMessage, ApiTicketInput, CoreError, ErrorKind, Opener};
use tessera_domain::{
    Lang, Problem,
    data_url::{DataUrl, DataUrlError},
};
use tessera_i18n::{t, t_args};

use super::{Refusal, api_lang, authenticate, presented_key};
use crate::AppState;

/// Most bytes of a raw message (as `tessera mail ingest` takes).
const MAX_EMAIL: usize = 50 * 1024 * 1024;

/// The keys of osTicket's request that are not custom fields.
const KNOWN: [&str; 15] = [
    "name",
    "email",
    "phone",
    "phone_ext",
    "subject",
    "message",
    "topicId",
    "priority",
    "priorityId",
    "ip",
    "alert",
    "autorespond",
    "source",
    "attachments",
    "duedate",
];

/// `/api/tickets.json` and `/api/tickets.email`.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/tickets.json", post(tickets_json))
        .route("/api/tickets.email", post(tickets_email))
        // osTicket without URL rewriting is reached through its front script; clients
        // configured that way keep their path too.
        .route("/api/http.php/tickets.json", post(tickets_json))
        .route("/api/http.php/tickets.email", post(tickets_email))
}

/// A plain-text answer, as osTicket gives.
fn text(status: StatusCode, body: String) -> Response {
    let mut res = (status, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    if status == StatusCode::TOO_MANY_REQUESTS {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        res.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(crate::error::RETRY_AFTER_SECS),
        );
    }
    res
}

/// A failure of a kind, as osTicket words it (`unavailable` is 503 with `Retry-After`).
fn failed(lang: Lang, kind: ErrorKind) -> Response {
    match kind {
        ErrorKind::Forbidden => text(StatusCode::FORBIDDEN, t(lang, "api-os-not-authorized")),
        ErrorKind::Conflict => text(StatusCode::CONFLICT, t(lang, "api-os-conflict")),
        ErrorKind::Unavailable => text(
            StatusCode::SERVICE_UNAVAILABLE,
            t(lang, "api-os-unavailable"),
        ),
        ErrorKind::Invalid | ErrorKind::NotFound | ErrorKind::Bug => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            t(lang, "api-os-internal"),
        ),
    }
}

/// A core failure by its kind; the details go to the log.
fn core_failed(lang: Lang, e: CoreError, doing: &str) -> Response {
    if let CoreError::Invalid(p) = &e {
        return invalid(lang, p);
    }
    let kind = e.kind();
    match kind {
        ErrorKind::Forbidden | ErrorKind::Conflict => {}
        ErrorKind::Unavailable => tracing::warn!(error = %e, "{doing} failed: storage unavailable"),
        _ => tracing::error!(error = %e, "{doing} failed"),
    }
    failed(lang, kind)
}

/// Checks the key and its scope; the refusal as osTicket words it.
async fn caller(
    state: &AppState,
    parts: &axum::http::request::Parts,
    lang: Lang,
) -> Result<Opener, Response> {
    match authenticate(state, parts).await.map(|c| c.opener()) {
        Ok(Ok(o)) => Ok(o),
        Ok(Err(_)) => Err(text(
            StatusCode::FORBIDDEN,
            t(lang, "api-os-not-authorized"),
        )),
        Err(Refusal::Unauthorized) if presented_key(&parts.headers).is_none() => Err(text(
            StatusCode::UNAUTHORIZED,
            t(lang, "api-os-key-required"),
        )),
        Err(Refusal::Unauthorized) => Err(text(
            StatusCode::UNAUTHORIZED,
            t(lang, "api-os-key-refused"),
        )),
        Err(Refusal::RateLimited) => Err(text(
            StatusCode::TOO_MANY_REQUESTS,
            t(lang, "api-os-rate-limited"),
        )),
        Err(Refusal::Failed(kind)) => Err(failed(lang, kind)),
    }
}

/// Reads at most `limit` bytes of body; `413` beyond.
async fn read_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    lang: Lang,
) -> Result<axum::body::Bytes, Response> {
    let too_large = || text(StatusCode::PAYLOAD_TOO_LARGE, t(lang, "api-os-too-large"));
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large())
}

/// Whether the declared content type is JSON; `None` for the types osTicket clients send
/// JSON under without saying so (none, form-encoded, plain text).
fn declared_json(headers: &HeaderMap) -> Option<bool> {
    let ct = headers.get(header::CONTENT_TYPE)?;
    let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
    let essence = ct.split(';').next().unwrap_or("").trim().to_owned();
    if essence == "application/json" || essence.ends_with("+json") {
        Some(true)
    } else if matches!(
        essence.as_str(),
        "" | "application/x-www-form-urlencoded" | "text/plain"
    ) {
        None
    } else {
        Some(false)
    }
}

/// The field list of a refused ticket, one `field: complaint` per line.
fn invalid(lang: Lang, p: &Problem) -> Response {
    let mut out = t(lang, "api-os-invalid");
    for e in &p.errors {
        out.push('\n');
        out.push_str(&e.field);
        out.push_str(": ");
        out.push_str(&t(lang, e.key));
    }
    text(StatusCode::BAD_REQUEST, out)
}

/// A JSON scalar as text (`None` for null, objects and arrays).
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(true) => Some("1".into()),
        Value::Bool(false) => Some(String::new()),
        _ => None,
    }
}

/// osTicket's truthiness for `alert` and `autorespond`, with "false", "no" and "off" false
/// as well (osTicket's XML reading treats "false" so).
fn truthy(v: Option<&Value>) -> bool {
    match v {
        None => true,
        Some(Value::Bool(b)) => *b,
        Some(Value::Null) => false,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !matches!(
            s.trim().to_ascii_lowercase().as_str(),
            "" | "0" | "false" | "no" | "off"
        ),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
    }
}

/// `POST /api/tickets.json`.
async fn tickets_json(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let lang = api_lang(&state, &parts.headers);
    let caller = match caller(&state, &parts, lang).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let declared = declared_json(&parts.headers);
    let unsupported = || {
        text(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            t(lang, "api-os-unsupported"),
        )
    };
    if declared == Some(false) {
        return unsupported();
    }
    // Attachments travel base64-encoded (a third larger) inside the JSON, next to the text.
    let max = state.app.settings().attachment_max_total as usize;
    let limit = max / 3 * 4 + 4 * 1024 * 1024;
    let bytes = match read_body(&parts.headers, body, limit, lang).await {
        Ok(b) => b,
        Err(res) => return res,
    };
    let looks_json = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{');
    if declared.is_none() && !looks_json {
        return unsupported();
    }
    let data: serde_json::Map<String, Value> = match serde_json::from_slice(&bytes) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return text(StatusCode::BAD_REQUEST, t(lang, "api-os-not-object")),
        Err(e) => {
            let detail = e.to_string();
            return text(
                StatusCode::BAD_REQUEST,
                t_args(lang, "api-os-bad-json", &[("detail", detail.as_str())]),
            );
        }
    };
    let input = match decode(&state, data).await {
        Ok(i) => i,
        Err(e) => return core_failed(lang, e, "keeping an API attachment"),
    };
    match state.app.open_api_ticket(caller, input).await {
        Ok(opened) => text(StatusCode::CREATED, opened.number),
        Err(e) => core_failed(lang, e, "opening a ticket through the API"),
    }
}

/// osTicket's JSON as the use case's input; attachment bytes go to temporary storage.
async fn decode(
    state: &AppState,
    mut data: serde_json::Map<String, Value>,
) -> Result<ApiTicketInput, CoreError> {
    let mut problem = Problem::default();
    let take = |k: &str| data.get(k).and_then(scalar).unwrap_or_default();
    let name = take("name");
    let email = take("email");
    let subject = take("subject");
    let topic_id = data.get("topicId").and_then(scalar);
    let priority = data
        .get("priorityId")
        .or_else(|| data.get("priority"))
        .and_then(scalar);
    let ip = data.get("ip").and_then(scalar);
    let alert = truthy(data.get("alert"));
    let autorespond = truthy(data.get("autorespond"));
    let message = match data.get("message") {
        Some(Value::String(s)) => match DataUrl::parse(s) {
            None => ApiMessage::Text(s.clone()),
            Some(Ok(d)) => match d.text() {
                Some(body) if d.media_type == "text/html" => ApiMessage::Html(body),
                Some(body) => ApiMessage::Text(body),
                None => {
                    problem.add("message", "error-api-charset");
                    ApiMessage::Text(String::new())
                }
            },
            Some(Err(_)) => {
                problem.add("message", "error-api-data-url");
                ApiMessage::Text(String::new())
            }
        },
        Some(v) => ApiMessage::Text(scalar(v).unwrap_or_default()),
        None => ApiMessage::Text(String::new()),
    };
    let mut uploads = Vec::new();
    match data.remove("attachments") {
        None | Some(Value::Null) => {}
        Some(Value::Array(files)) => {
            for f in files {
                let Value::Object(f) = f else {
                    problem.add("attachments", "error-api-attachment");
                    continue;
                };
                // osTicket's form: one object per file, the name as the key, a data URL (or
                // the bare content) as the value.
                let Some((filename, Value::String(content))) = f.into_iter().next() else {
                    problem.add("attachments", "error-api-attachment");
                    continue;
                };
                let bytes = match DataUrl::parse(&content) {
                    None => content.into_bytes(),
                    Some(Ok(d)) => d.data,
                    Some(Err(DataUrlError::Base64 | DataUrlError::Shape)) => {
                        problem.add("attachments", "error-api-attachment");
                        continue;
                    }
                };
                uploads.push(state.app.upload(&filename, &bytes).await?);
            }
        }
        Some(_) => problem.add("attachments", "error-api-attachment"),
    }
    let fields = data
        .iter()
        .filter(|(k, _)| !KNOWN.contains(&k.as_str()))
        .map(|(k, v)| {
            let values = match v {
                Value::Array(a) => a.iter().filter_map(scalar).collect(),
                v => scalar(v).into_iter().collect(),
            };
            (k.clone(), values)
        })
        .collect();
    Ok(ApiTicketInput {
        name,
        email,
        subject,
        message,
        topic_id,
        priority,
        ip,
        alert,
        autorespond,
        uploads,
        fields,
        problem,
    })
}

/// `POST /api/tickets.email`: a raw RFC 5322 message, through the email pipeline.
async fn tickets_email(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let lang = api_lang(&state, &parts.headers);
    let caller = match caller(&state, &parts, lang).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let bytes = match read_body(&parts.headers, body, MAX_EMAIL, lang).await {
        Ok(b) => b,
        Err(res) => return res,
    };
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return text(StatusCode::BAD_REQUEST, t(lang, "api-os-email-empty"));
    }
    match state.app.ingest_api_mail(caller, &bytes).await {
        Ok(ApiMailOutcome::Ticket { number, .. }) => text(StatusCode::CREATED, number),
        // Kept for an administrator, but no ticket: as osTicket, 400 for what cannot be read.
        Ok(ApiMailOutcome::Quarantined(why)) => text(
            StatusCode::BAD_REQUEST,
            t_args(
                lang,
                "api-os-email-quarantined",
                &[("detail", tessera_i18n::t_stored(lang, &why).as_str())],
            ),
        ),
        // Deliberately not acted on (mail from Tessera itself, …): accepted, nothing to do.
        Ok(ApiMailOutcome::Ignored(why)) => text(
            StatusCode::ACCEPTED,
            t_args(
                lang,
                "api-os-email-ignored",
                &[("detail", tessera_i18n::t_stored(lang, &why).as_str())],
            ),
        ),
        Err(e) if e.kind() == ErrorKind::Unavailable => {
            tracing::warn!(error = %e, "taking in a message through the API failed");
            text(
                StatusCode::SERVICE_UNAVAILABLE,
                t(lang, "api-os-email-unavailable"),
            )
        }
        Err(e) => core_failed(lang, e, "taking in a message through the API"),
    }
}
