//! The HTTP server: Tessera's own accept loop over hyper, because `axum::serve` has no
//! header-read timeout, no request timeout and no connection cap, so 300 clients that
//! send half a request line held 300 connections forever (issue 21, finding 5).
//!
//! - At most `max_connections` connections are served at once; past that, new ones wait
//!   in the kernel's accept backlog until one ends (nothing is accepted beyond the cap).
//!   The cap is lowered to what the process's descriptor limit leaves room for.
//! - A request's line and headers must arrive within `header_read_timeout` of the
//!   connection waiting for them. hyper starts that clock when a kept-alive connection
//!   begins to wait for its next request, so it also ends idle keep-alive connections.
//! - A request must be answered within `request_timeout` (bodies included, as handlers
//!   read them), an upload within `upload_timeout`; past it the answer is 408 and the
//!   connection is closed.
//! - On stop, no new connection is accepted; requests in progress finish, idle
//!   connections are closed.

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::{
    Router,
    extract::{ConnectInfo, Request},
    http::{HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tessera_domain::Lang;
use tokio::{
    net::TcpListener,
    sync::{Semaphore, watch},
};
use tower::ServiceExt;

/// How connections are bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// Time for a request's line and headers (and for an idle kept-alive connection).
    pub header_read_timeout: Duration,
    /// Time to answer a request that uploads nothing.
    pub request_timeout: Duration,
    /// Time to answer an upload (multipart, or a body over `UPLOAD_BYTES`).
    pub upload_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            upload_timeout: Duration::from_secs(600),
            max_connections: 1024,
        }
    }
}

/// A body announced larger than this is an upload (a form without files is far smaller).
const UPLOAD_BYTES: u64 = 64 * 1024;

/// Descriptors kept for everything but client connections: database connections and
/// their WAL files, the listener, SMTP and IMAP connections, logs.
const RESERVED_DESCRIPTORS: u64 = 128;

/// The connection cap in force and its permits, one per connection being served.
#[derive(Clone)]
pub(crate) struct Connections {
    permits: Arc<Semaphore>,
    /// Connections accepted and not ended (the loop holds one more permit while it waits
    /// for the next connection, so the permits cannot say).
    open: Arc<AtomicUsize>,
}

impl Connections {
    /// The permits for `wanted` connections, as many as the descriptor limit allows.
    pub(crate) fn new(wanted: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(fit_to_descriptors(wanted))),
            open: Arc::default(),
        }
    }

    /// Connections being served now.
    pub(crate) fn open(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }
}

/// Serves `router` on `listener` until `stop` turns true, then lets running requests finish.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: HttpLimits,
    default_lang: Lang,
    connections: Connections,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let Connections { permits, open } = connections;
    let router = router.layer(middleware::from_fn(move |req: Request, next: Next| {
        deadline(limits, default_lang, req, next)
    }));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    loop {
        // A permit first, then accept: past the cap, clients wait in the backlog.
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = stopped(&mut stop) => break,
        };
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = stopped(&mut stop) => break,
        };
        let (stream, peer) = match accepted {
            Ok(c) => c,
            Err(e) => {
                // Out of descriptors (or a connection reset before it was accepted): wait
                // a moment rather than spin; the connections in progress go on.
                tracing::warn!(error = %e, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        open.fetch_add(1, Ordering::SeqCst);
        let _ = stream.set_nodelay(true);
        // Handlers read the peer as `ConnectInfo<SocketAddr>`, as under `axum::serve`.
        let svc = router
            .clone()
            .map_request(move |mut req: Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                req
            });
        let conn = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(svc));
        let conn = graceful.watch(conn);
        let open = open.clone();
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
            open.fetch_sub(1, Ordering::SeqCst);
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Returns once the server is to stop (or its owner is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Answers 408 (and closes the connection) when a request takes longer than its limit.
async fn deadline(limits: HttpLimits, default_lang: Lang, req: Request, next: Next) -> Response {
    let limit = if is_upload(&req) {
        limits.upload_timeout
    } else {
        limits.request_timeout
    };
    let lang = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::negotiate)
        .unwrap_or(default_lang);
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            let text = tessera_i18n::t(lang, "edge-request-timeout");
            let mut res = (StatusCode::REQUEST_TIMEOUT, text).into_response();
            let h = res.headers_mut();
            h.insert(header::CONNECTION, HeaderValue::from_static("close"));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
    }
}

/// Whether a request uploads: multipart, a body without a length, or a large one.
fn is_upload(req: &Request) -> bool {
    let h = req.headers();
    let multipart = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/")
        });
    let large = h
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|n| n > UPLOAD_BYTES);
    multipart || large || h.contains_key(header::TRANSFER_ENCODING)
}

/// The connection cap, lowered so that connections (each with a file it may be writing)
/// and the reserve fit the descriptor limit; the soft limit is raised to the hard one first.
fn fit_to_descriptors(wanted: usize) -> usize {
    let wanted = wanted.max(1);
    let Some(limit) = descriptor_limit() else {
        return wanted;
    };
    let room = (limit.saturating_sub(RESERVED_DESCRIPTORS) / 2).max(1);
    let room = usize::try_from(room).unwrap_or(usize::MAX);
    if room < wanted {
        tracing::warn!(
            wanted,
            serving = room,
            descriptors = limit,
            "http_max_connections lowered to what the open-file limit allows (raise LimitNOFILE)"
        );
    }
    wanted.min(room)
}

/// The open-file limit after raising the soft limit to the hard one; `None`: unlimited.
#[cfg(unix)]
fn descriptor_limit() -> Option<u64> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let l = getrlimit(Resource::Nofile);
    if let (Some(cur), Some(max)) = (l.current, l.maximum)
        && cur < max
    {
        let raised = Rlimit {
            current: Some(max),
            maximum: Some(max),
        };
        if setrlimit(Resource::Nofile, raised).is_ok() {
            return Some(max);
        }
    }
    l.current
}

#[cfg(not(unix))]
fn descriptor_limit() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(headers: &[(header::HeaderName, &str)]) -> Request {
        let mut b = Request::builder().method("POST").uri("/open");
        for (k, v) in headers {
            b = b.header(k, *v);
        }
        b.body(axum::body::Body::empty()).unwrap()
    }

    #[test]
    fn uploads_are_told_from_forms() {
        assert!(!is_upload(&req(&[])));
        assert!(!is_upload(&req(&[(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded"
        )])));
        assert!(!is_upload(&req(&[(header::CONTENT_LENGTH, "65536")])));
        assert!(is_upload(&req(&[(header::CONTENT_LENGTH, "65537")])));
        assert!(is_upload(&req(&[(
            header::CONTENT_TYPE,
            "Multipart/Form-Data; boundary=x"
        )])));
        assert!(is_upload(&req(&[(header::TRANSFER_ENCODING, "chunked")])));
    }

    #[test]
    fn the_cap_fits_the_descriptor_limit() {
        let limit = descriptor_limit();
        let fitted = fit_to_descriptors(usize::MAX);
        match limit {
            Some(l) => assert!((fitted as u64) * 2 + RESERVED_DESCRIPTORS <= l.max(130)),
            None => assert_eq!(fitted, usize::MAX),
        }
        assert_eq!(fit_to_descriptors(0), 1);
    }
}
