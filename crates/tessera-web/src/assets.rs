//! The stylesheet, the scripts and the icon, compiled into the binary.

use axum::{
    Router,
    http::header,
    response::{IntoResponse, Response},
    routing::get,
};

use crate::AppState;

const CSS: &str = include_str!("../assets/app.css");
const JS: &str = include_str!("../assets/app.js");
/// The new-ticket form's proof of work (`intake.rs`), loaded only by that form.
const POW_JS: &str = include_str!("../assets/pow.js");
/// The tab's icon (`<link rel=icon>` in `base.html`; `/favicon.ico` for browsers that ask
/// anyway, so no page causes a 404).
const FAVICON: &str = include_str!("../assets/favicon.svg");
/// The agent pages' small helpers: the phone menu, select-all, confirmation dialogs.
const AGENT_JS: &str = include_str!("../assets/agent.js");
/// The queue and ticket pages' keyboard shortcuts and their help.
const SHORTCUTS_JS: &str = include_str!("../assets/shortcuts.js");
/// The composer (toolbar, preview, drafts, pasted images, contact search), loaded by the
/// ticket page and the agents' new-ticket page.
const COMPOSER_JS: &str = include_str!("../assets/composer.js");
/// Live agent pages and the bell (`agent/live.rs`), loaded only by agent pages.
const LIVE_JS: &str = include_str!("../assets/live.js");

/// A fingerprint of the assets for their URLs, so that a new release is never served from a
/// browser's stale cache while unchanged assets can be cached for a year.
pub fn version() -> &'static str {
    static V: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    V.get_or_init(|| {
        // FNV-1a: tiny, stable across builds, good enough to tell versions apart.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let all = [
            CSS,
            JS,
            POW_JS,
            AGENT_JS,
            SHORTCUTS_JS,
            COMPOSER_JS,
            FAVICON,
            LIVE_JS,
        ];
        for b in all.iter().flat_map(|a| a.bytes()) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    })
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
        .into_response()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/static/app.css",
            get(|| async { asset(CSS, "text/css; charset=utf-8") }),
        )
        .route(
            "/static/app.js",
            get(|| async { asset(JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/static/favicon.svg",
            get(|| async { asset(FAVICON, "image/svg+xml") }),
        )
        .route(
            "/favicon.ico",
            // Not versioned: cached for a day rather than a year.
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "image/svg+xml"),
                        (header::CACHE_CONTROL, "public, max-age=86400"),
                    ],
                    FAVICON,
                )
                    .into_response()
            }),
        )
        .route(
            "/static/live.js",
            get(|| async { asset(LIVE_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/static/pow.js",
            get(|| async { asset(POW_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/static/agent.js",
            get(|| async { asset(AGENT_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/static/shortcuts.js",
            get(|| async { asset(SHORTCUTS_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/static/composer.js",
            get(|| async { asset(COMPOSER_JS, "text/javascript; charset=utf-8") }),
        )
}
