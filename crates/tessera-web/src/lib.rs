//! Tessera's web front: the requester portal, the agent and admin areas and the
//! APIs, HTML templates, cookies, CSRF and security headers.
//!
//! Architecture invariant: this crate knows HTTP and HTML and nothing of SQL; every decision
//! about data and permissions is a call into `tessera-core`.
#![forbid(unsafe_code)]

// Pages (each owns its routes; none imports another's handlers or shared pieces).
mod admin;
mod admin_form;
mod agent;
mod api;
mod apikeys;
mod fields;
mod full_text;
mod mail_in;
mod mailboxes;
mod members;
mod organisation;
mod outbox;
mod portal;
mod settings;
mod webhooks;

// What the pages share, below them (`architecture.rs` checks the modules form no cycle).
mod agent_ctx;
mod assets;
mod client;
mod cookies;
mod ctx;
mod delivery;
mod download;
mod error;
mod intake;
mod limiter;
mod page;
mod render;
mod sign_out;
mod topic_fields;
mod upload;

use std::{sync::Arc, time::Duration};

use axum::{
    Router,
    extract::{Request, State},
    http::{HeaderValue, header},
    middleware::{self, Next},
    response::Response,
};
use tessera_core::Tessera;

pub use client::{BadCidr, Cidr, Client};
pub use ctx::Ctx;

/// What the web layer needs beyond the core application.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Whether cookies get the `Secure` flag (the base URL is https).
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For`/`Forwarded`, `X-Forwarded-Proto` and
    /// `X-Forwarded-Host` are believed (see `client`). Empty: the socket peer is the client.
    pub trusted_proxies: Vec<Cidr>,
    /// Failed check-status attempts allowed per client address per window.
    pub status_attempts_per_ip: u32,
    /// Failed check-status attempts allowed per ticket number per window; past it, the
    /// right address still gets in, by a link sent to it.
    pub status_attempts_per_ticket: u32,
    /// Failed sign-ins allowed per client address per window.
    pub login_attempts_per_ip: u32,
    /// Failed sign-ins allowed per account and client address per window.
    pub login_attempts_per_account: u32,
    /// Length of the rate-limit window.
    pub status_window: Duration,
    /// A separate origin for attachment downloads (`https://files.example.org`, no
    /// trailing slash): when set, downloads are redirected there with a short-lived signed
    /// token, so an attachment never runs on the main origin and needs none of its cookies.
    pub attachment_base_url: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            trusted_proxies: Vec::new(),
            status_attempts_per_ip: 20,
            status_attempts_per_ticket: 10,
            login_attempts_per_ip: 30,
            login_attempts_per_account: 5,
            status_window: Duration::from_secs(15 * 60),
            attachment_base_url: None,
        }
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The application.
    pub app: Tessera,
    /// Web settings.
    pub web: Arc<WebConfig>,
    limiter: Arc<limiter::Limiter>,
}

impl AppState {
    /// Bundles the application with web settings.
    pub fn new(app: Tessera, web: WebConfig) -> Self {
        Self {
            app,
            web: Arc::new(web),
            limiter: Default::default(),
        }
    }
}

/// Every route of the web front.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(portal::router())
        .merge(api::router())
        .merge(agent::router())
        .merge(admin::router())
        .merge(organisation::router())
        .merge(settings::router())
        .merge(members::router())
        .merge(mailboxes::router())
        .merge(outbox::router())
        .merge(apikeys::router())
        .merge(fields::router())
        .merge(mail_in::router())
        .merge(full_text::router())
        .merge(webhooks::router())
        .merge(assets::router())
        .merge(download::router())
        .fallback(error::not_found)
        .layer(compression())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .with_state(state)
}

/// Compresses (gzip or brotli, as the client's `Accept-Encoding` asks) pages, styles,
/// scripts and JSON of some size — never a download (it carries `Content-Disposition`, and
/// its bytes and length must stay as stored), nor an event stream (`text/event-stream`
/// must reach the browser as each event is written).
fn compression()
-> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::{
        CompressionLayer, predicate::Predicate as _, predicate::SizeAbove,
    };
    let kind = |_: axum::http::StatusCode,
                _: axum::http::Version,
                h: &axum::http::HeaderMap,
                _: &axum::http::Extensions| {
        let ct = h
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let ct = ct.split(';').next().unwrap_or("").trim();
        !h.contains_key(header::CONTENT_DISPOSITION)
            && matches!(
                ct,
                "text/html"
                    | "text/css"
                    | "text/javascript"
                    | "application/javascript"
                    | "application/json"
                    | "image/svg+xml"
            )
    };
    CompressionLayer::new()
        .gzip(true)
        .br(true)
        .compress_when(SizeAbove::new(512).and(kind))
}

/// How long browsers keep to https for this host once they saw it over https (one year;
/// not `includeSubDomains`: other hosts of the organisation are not Tessera's to decide).
const HSTS: &str = "max-age=31536000";

/// Headers every response carries; attachment downloads set a stricter policy themselves.
/// Over https (the base URL is https, or a trusted proxy says the client came by https)
/// `Strict-Transport-Security` too, so that later visits never go over plain http, where the
/// cookies and the pages could be read or changed on the way.
async fn security_headers(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let client = Client::of(&parts, &s.web);
    let https = client.https;
    parts.extensions.insert(client);
    let mut res = next.run(Request::from_parts(parts, body)).await;
    let h = res.headers_mut();
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    // Images in mail shown on ticket pages load from the download origin when there is one.
    let files = s.web.attachment_base_url.as_deref().unwrap_or("");
    let csp = format!(
        "default-src 'self'; img-src 'self' data: {files}; style-src 'self'; script-src 'self'; \
         object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    );
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(
        HeaderValue::from_str(&csp).unwrap_or(HeaderValue::from_static("default-src 'self'")),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("same-origin"));
    res
}
