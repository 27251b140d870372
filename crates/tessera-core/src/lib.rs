//! Tessera's use cases: opening, answering and following tickets, sessions and access links,
//! and the delivery of queued mail. Every front end (portal, agent UI, API, email, CLI) calls
//! into this crate, and permissions are checked here and nowhere else.
//!
//! Architecture invariant: no HTTP and no HTML here; no SQL either (that is the store's).
#![forbid(unsafe_code)]

mod access;
mod access_link;
mod admin;
mod agent;
mod agent_open;
mod api_ticket;
mod apikey;
mod bootstrap;
mod clamd;
mod config;
mod demo;
mod directory;
mod error;
mod fields;
mod full_text;
mod ingest;
mod intake;
mod jobs;
mod live;
mod mail_in;
mod mailbox;
mod marks;
mod members;
mod my_tickets;
mod new_ticket;
mod notice;
mod notify;
mod onboarding;
mod organisation;
mod outbox;
mod password;
mod portal;
mod profile;
mod robots;
mod saved_view;
mod search;
mod session;
mod settings;
pub mod token;
mod upload;
mod views;
mod webhook;
mod webhook_worker;
mod work;
mod worker;

use std::sync::Arc;

pub use access::{Channel, Opener, Reader, SignedIn, Worker};
use tessera_store::{BlobStore, Db};

pub use access_link::Redeemed;
pub use admin::{Actor, AgentForm, AgentSummary};
pub use agent::{MIN_PASSWORD, NewAgent};
pub use agent_open::{AgentNewTicket, CHANNELS, CONTACT_HITS, CONTACT_SEARCH_MIN};
pub use api_ticket::{ApiMailOutcome, ApiMessage, ApiTicketInput, api_priority};
pub use apikey::{
    ApiCaller, ApiKeyForm, ApiKeySummary, DEFAULT_RATE_PER_MINUTE, KeyRefusal, MAX_RATE_PER_MINUTE,
};
pub use bootstrap::FirstAdmin;
pub use config::CoreConfig;
pub use demo::{DEMO_COMMON_WORD, DEMO_PASSWORD, DEMO_RARE_WORD};
pub use directory::{CANNED_PLACEHOLDERS, Directory};
pub use error::{CoreError, ErrorKind, StorageError};
pub use fields::display_text;
pub use full_text::EntryText;
pub use ingest::{AUTO_REPLY_CAP, IngestOutcome, MailSource};
pub use intake::{
    Admission, Challenge, ChallengeMode, IntakeConfig, OpenAttempt, Rate, Refusal, Throttled,
    solves as challenge_solved_by,
};
pub use live::{ChangeKind, HEARTBEAT, LiveEvent, LiveStream};
pub use mail_in::{InlineImage, OriginalMail, Retried, SetAside, SetAsideMail};
pub use mailbox::{MailboxAdmin, MailboxForm, MailboxPoller};
pub use members::DepartmentMembers;
pub use my_tickets::{MY_TICKETS_LINK_MINUTES, MY_TICKETS_PAGE, MyTicket, MyTickets};
pub use new_ticket::{MAX_BODY, MAX_NAME, MAX_SUBJECT, NewTicketInput, Opened};
pub use notice::{NOTICE_PAGE, Notice, NoticeChannel, NoticeKind};
pub use onboarding::{ChecklistItem, MAX_TOPIC_DESCRIPTION, check_topic_description};
pub use organisation::{SlaForm, TeamAdmin};
pub use outbox::{MailDelivery, MailState, OUTBOX_PAGE, OutboxCounts, OutboxQuery};
pub use portal::{FoundTicket, ReplyInput, TicketView};
pub use profile::{MAX_SIGNATURE, ProfileForm};
pub use robots::{LOOP_CAP_PER_ADDRESS, LOOP_CAP_PER_TICKET};
pub use saved_view::{MAX_VIEW_NAME, MAX_VIEW_QUERY, MAX_VIEWS, NewView};
pub use search::{MAX_SEARCH, SEARCH_WINDOW, SearchHit, SearchResults};
pub use session::Session;
pub use settings::{
    DEFAULT_QUOTA_MB, Dkim, IntakeForm, Logo, MAX_ATTACHMENT_MB, MAX_LOGO_BYTES, MAX_QUOTA_MB,
    MailAuthPolicy, MailForm, PortalForm, Settings, StatusMode, file_types,
};
pub use tessera_mail::imap::{ImapError, ImapFailure, ImapTls};
pub use tessera_mail::{FailureKind, SmtpTls, TransportError};
pub use upload::{
    MAX_FILES, SNIFF_LEN, Upload, UploadSink, clean_filename, content_type_for, served_type,
};
pub use views::{
    AgentContact, AuditEntry, CannedAdmin, Delivery, DeliveryAttempt, DeliveryState,
    DepartmentAdmin, RelatedTicket, SlaPlan, TopicAdmin,
};
pub use webhook::{DeliveryLog, WebhookAdmin, WebhookForm, signature as webhook_signature};
pub use webhook_worker::WebhookWorker;
pub use work::{AgentReply, AgentTicketView, BulkAction, Copies, MAX_COPIES, StateChange};
pub use worker::MailWorker;

/// When a ticket opened at `start` under `plan` falls due.
pub(crate) fn sla_due(
    plan: &tessera_store::SlaRow,
    start: tessera_domain::Timestamp,
) -> tessera_domain::Timestamp {
    use tessera_domain::sla;
    let schedule = sla::Schedule::parse(&plan.schedule);
    let holidays = sla::parse_holidays(&plan.holidays).unwrap_or_default();
    // Saving refuses unknown zones; one that a newer tz database dropped counts in UTC.
    let tz = sla::parse_zone(&plan.timezone).unwrap_or(sla::Tz::UTC);
    let due = sla::due(
        start.to_datetime(),
        chrono::Duration::seconds(plan.grace_seconds),
        schedule.as_ref(),
        &holidays,
        tz,
    );
    tessera_domain::Timestamp(due.timestamp_micros())
}

/// Result of a use case.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// The application: storage, configuration and the secret that signs Message-IDs.
#[derive(Clone)]
pub struct Tessera {
    inner: Arc<Inner>,
}

/// Queue counts as computed at an instant and a change generation.
type CachedCounts = (std::time::Instant, u64, Vec<i64>);

struct Inner {
    db: Db,
    blobs: BlobStore,
    cfg: CoreConfig,
    secret: Vec<u8>,
    mail_wakeup: tokio::sync::Notify,
    /// Wakes the webhook worker when this node queued a delivery.
    webhook_wakeup: tokio::sync::Notify,
    /// Whether a delivery was queued since the webhook worker was last woken.
    webhook_queued: std::sync::atomic::AtomicBool,
    dummy_hash: tokio::sync::OnceCell<String>,
    /// Bumped by every ticket change on this node.
    generation: std::sync::atomic::AtomicU64,
    /// Queue counts per viewer: (computed at, generation, counts).
    counts: std::sync::Mutex<std::collections::HashMap<String, CachedCounts>>,
    /// The run-time settings in force (see `settings.rs`).
    settings: std::sync::RwLock<Arc<Settings>>,
    /// Held from reading the settings to putting them in force, so that a reload that read
    /// before a change was committed cannot overwrite the one that read after it.
    settings_reload: tokio::sync::Mutex<()>,
    /// The directory and the agents, per generation (see `directory.rs`).
    directory: directory::Cache,
    /// Page views not yet written (see `marks.rs`).
    marks: marks::ViewMarks,
    /// Rate limits, the challenge's load meter and used challenges (see `intake.rs`).
    intake: intake::IntakeState,
    /// Checks incoming mail's DKIM, SPF and DMARC; made at first use (see `ingest.rs`).
    mail_auth: std::sync::OnceLock<Option<Arc<tessera_mail::auth::Authenticator>>>,
    /// When kept mail may be tried again after the storage failed (see `ingest.rs`).
    stored_retry: std::sync::Mutex<ingest::RetryPause>,
    /// Committed ticket changes for the agents' open pages (see `live.rs`).
    live: live::Bus,
}

impl Tessera {
    /// Assembles the application on a migrated database; creates the installation secret on
    /// first use (shared by every node through the database).
    pub async fn new(db: Db, blobs: BlobStore, cfg: CoreConfig) -> Result<Self> {
        // Read first: most starts find it, and need no write.
        let existing = db.conn().await?.h().setting("secret_key").await?;
        let secret = match existing {
            Some(s) => s,
            None => {
                let mut tx = db.begin().await?;
                let s = tx
                    .h()
                    .setting_init("secret_key", &token::random_hex(32))
                    .await?;
                tx.commit().await?;
                s
            }
        };
        let secret = hex::decode(secret).map_err(|_| CoreError::Config("secret_key".into()))?;
        let settings = std::sync::RwLock::new(Arc::new(Settings::from_config(&cfg)));
        let app = Self {
            inner: Arc::new(Inner {
                db,
                blobs,
                cfg,
                secret,
                mail_wakeup: Default::default(),
                webhook_wakeup: Default::default(),
                webhook_queued: Default::default(),
                dummy_hash: Default::default(),
                generation: Default::default(),
                counts: Default::default(),
                settings,
                settings_reload: Default::default(),
                directory: Default::default(),
                marks: Default::default(),
                intake: Default::default(),
                mail_auth: Default::default(),
                stored_retry: Default::default(),
                live: Default::default(),
            }),
        };
        app.reload_settings().await?;
        Ok(app)
    }

    /// The database. Front ends go through use cases; only core reaches the store.
    #[cfg(not(feature = "testing"))]
    pub(crate) fn db(&self) -> &Db {
        &self.inner.db
    }

    /// The database, for integration tests that arrange or inspect rows directly (the
    /// `testing` feature; never enabled in a build that serves).
    #[cfg(feature = "testing")]
    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    /// Where attachment bytes go.
    #[cfg(not(feature = "testing"))]
    pub(crate) fn blobs(&self) -> &BlobStore {
        &self.inner.blobs
    }

    /// Where attachment bytes go, for integration tests (the `testing` feature).
    #[cfg(feature = "testing")]
    pub fn blobs(&self) -> &BlobStore {
        &self.inner.blobs
    }

    /// Closes the database's connections (SQLite checkpoints its WAL on the last close).
    /// Call it once, when the process is done with the application.
    pub async fn close(&self) {
        self.inner.db.close().await;
    }

    /// The configuration in force.
    pub fn config(&self) -> &CoreConfig {
        &self.inner.cfg
    }

    /// Called after every commit that changed tickets: wakes the mail worker (and the
    /// webhook worker, if a delivery was queued) and makes cached queue counts of this node
    /// stale.
    fn changed(&self) {
        use std::sync::atomic::Ordering;
        self.inner.generation.fetch_add(1, Ordering::Relaxed);
        self.inner.mail_wakeup.notify_one();
        if self.inner.webhook_queued.swap(false, Ordering::Relaxed) {
            self.inner.webhook_wakeup.notify_one();
        }
    }
}
