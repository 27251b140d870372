//! The Tessera binary's library half: configuration and the assembly of a running server,
//! shared by `main` and the integration tests.
#![forbid(unsafe_code)]

pub mod config;
mod serve;

use std::net::SocketAddr;

use anyhow::Context;
use tessera_core::{FirstAdmin, MailWorker, MailboxPoller, Settings, Tessera, WebhookWorker};
use tessera_mail::Transport;
use tessera_store::{BlobStore, Db};
use tessera_web::{AppState, WebConfig};
use tokio::{net::TcpListener, sync::watch, task::JoinHandle};

pub use config::{Config, Overrides};
pub use serve::HttpLimits;

/// A started server: its address and the means to stop it.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The application (for tests and commands).
    pub app: Tessera,
    /// Credentials of the first administrator if this start created them.
    pub first_admin: Option<FirstAdmin>,
    shutdown: watch::Sender<bool>,
    connections: serve::Connections,
    server: JoinHandle<std::io::Result<()>>,
    worker: JoinHandle<()>,
    poller: JoinHandle<()>,
    webhooks: JoinHandle<()>,
}

/// Opens the database (migrating it) and the attachment store, and seeds a fresh installation.
pub async fn open(cfg: &Config) -> anyhow::Result<(Tessera, Option<FirstAdmin>)> {
    std::fs::create_dir_all(&cfg.data_dir)
        .with_context(|| format!("cannot create data folder {}", cfg.data_dir.display()))?;
    let db = Db::connect(&cfg.database_url).await.with_context(|| {
        format!(
            "cannot open database {}",
            config::redact_url(&cfg.database_url)
        )
    })?;
    db.migrate(|done, pending, what| {
        eprintln!("  updating the database: {}/{pending} {what}", done + 1);
    })
    .await
    .context("database migration failed")?;
    let blobs = BlobStore::open(cfg.data_dir.join("attachments"))
        .await
        .context("cannot open attachment folder")?;
    let app = Tessera::new(db, blobs, cfg.core()).await?;
    let indexed = app
        .backfill_search(|n| {
            use std::io::Write;
            eprint!("\r  search index: {n} tickets added   ");
            let _ = std::io::stderr().flush();
        })
        .await
        .context("building the search index failed")?;
    if indexed > 0 {
        eprintln!();
    }
    let first_admin = app.bootstrap().await?;
    Ok((app, first_admin))
}

/// Checks what a configuration depends on; returns each check with its outcome.
pub async fn check(cfg: &Config) -> Vec<(&'static str, Result<String, String>)> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut out = Vec::new();
    let data = std::fs::create_dir_all(&cfg.data_dir)
        .and_then(|_| {
            let probe = cfg.data_dir.join(".tessera-write-check");
            std::fs::write(&probe, b"ok")?;
            std::fs::remove_file(probe)
        })
        .map(|_| cfg.data_dir.display().to_string())
        .map_err(|e| format!("{}: {e}", cfg.data_dir.display()));
    out.push(("data folder is writable", data));
    // The SMTP server in force may have been set in the browser: ask the database.
    let core = cfg.core();
    let mut smtp = core.smtp.clone();
    let db = match Db::connect(&cfg.database_url).await {
        Ok(db) => {
            let r = db
                .conn()
                .await
                .map(|_| config::redact_url(&cfg.database_url))
                .map_err(|e| e.to_string());
            if let Ok(s) = Settings::load(&db, &core).await {
                smtp = s.smtp;
            }
            db.close().await;
            r
        }
        Err(e) => Err(format!("{}: {e}", config::redact_url(&cfg.database_url))),
    };
    out.push(("database is reachable", db));
    let mail = match &smtp {
        Some(s) => match Transport::smtp_with(s) {
            Ok(t) => t
                .check()
                .await
                .map(|_| format!("{}:{} answers", s.host, s.port))
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        },
        None => Ok(format!(
            "no SMTP server: mail is written to {}",
            core.mail_dir.display()
        )),
    };
    out.push(("mail transport", mail));
    out
}

/// Starts the web server and the mail worker on the configured address.
pub async fn start(cfg: &Config) -> anyhow::Result<Running> {
    let listener = TcpListener::bind(cfg.listen)
        .await
        .with_context(|| format!("cannot listen on {}", cfg.listen))?;
    start_on(cfg, listener).await
}

/// Starts the web server, the mail worker and the mailbox poller on a bound listener.
pub async fn start_on(cfg: &Config, listener: TcpListener) -> anyhow::Result<Running> {
    // Several crates bring rustls; name the crypto provider once so none has to guess.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (app, first_admin) = open(cfg).await?;
    let addr = listener.local_addr()?;
    let web = WebConfig {
        secure_cookies: cfg.core.base_url.starts_with("https://"),
        ..cfg.web.clone()
    };
    let router = tessera_web::router(AppState::new(app.clone(), web));
    let (shutdown, rx) = watch::channel(false);
    let worker = tokio::spawn(MailWorker::new(app.clone()).run(rx.clone()));
    let interval = std::time::Duration::from_secs(cfg.core.imap_poll_secs.max(1));
    let poller = tokio::spawn(MailboxPoller::new(app.clone(), interval).run(rx.clone()));
    let webhooks = tokio::spawn(WebhookWorker::new(app.clone()).run(rx.clone()));
    let connections = serve::Connections::new(cfg.http.max_connections);
    let server = tokio::spawn(serve::serve(
        listener,
        router,
        cfg.http,
        cfg.core.default_lang,
        connections.clone(),
        rx,
    ));
    Ok(Running {
        addr,
        app,
        first_admin,
        shutdown,
        connections,
        server,
        worker,
        poller,
        webhooks,
    })
}

impl Running {
    /// Connections being served now (never more than the cap).
    pub fn open_connections(&self) -> usize {
        self.connections.open()
    }

    /// Stops accepting requests, lets running ones finish, stops the worker, closes the
    /// database.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        // Open event streams never end by themselves; the graceful stop waits for them.
        self.app.end_live_streams();
        let _ = self.server.await;
        let _ = self.worker.await;
        let _ = self.poller.await;
        let _ = self.webhooks.await;
        if let Err(e) = self.app.flush_view_marks().await {
            tracing::warn!(error = %e, "could not record the last ticket views");
        }
        self.app.close().await;
    }
}
