//! `tessera`: one binary for the server and every operator command.
#![forbid(unsafe_code)]

use anyhow::Context;
use clap::{Parser, Subcommand};
use tessera::{Config, Overrides};
use tracing_subscriber::{EnvFilter, fmt::writer::BoxMakeWriter};

/// Tessera, a self-hosted helpdesk.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    overrides: Overrides,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the web server and the background mail worker.
    Serve,
    /// Database maintenance.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Shows or checks the configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Manages agents.
    Agent {
        #[command(subcommand)]
        command: AgentCommand,
    },
    /// Manages API keys for programs (osTicket-compatible ticket creation, the REST API).
    ApiKey {
        #[command(subcommand)]
        command: ApiKeyCommand,
    },
    /// Help topics.
    Topic {
        #[command(subcommand)]
        command: TopicCommand,
    },
    /// Writes a consistent copy of the SQLite database to FILE while Tessera keeps running.
    /// Attachments live in DATA_DIR/attachments and never change once written: copy that
    /// folder after the snapshot. On PostgreSQL use pg_dump.
    Backup {
        /// Where to write the copy (must not exist yet).
        file: std::path::PathBuf,
    },
    /// Email in.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Adds realistic demo data: departments, teams, agents `demo1`…`demo20`, help topics and the
    /// administrator `demo-admin` (password `demo-passwort-123`) and TICKETS tickets.
    Demo {
        /// How many tickets to add.
        #[arg(long, default_value_t = 1000)]
        tickets: u64,
    },
}

#[derive(Subcommand)]
enum DbCommand {
    /// Applies pending migrations and exits.
    Migrate,
    /// Compacts the full-text search index (SQLite), so that each searched word is read
    /// from one place instead of many; runs in short steps while Tessera serves. Worth it
    /// after large imports, or now and then (say weekly, from cron). Nothing to do on
    /// PostgreSQL.
    Optimize,
}

#[derive(Subcommand)]
enum MailCommand {
    /// Reads one message (RFC 5322, at most 50 MB) from standard input and files it, for an
    /// MTA's pipe (e.g. `/etc/aliases`: `helpdesk: "|/usr/local/bin/tessera mail ingest"`).
    /// Exit status as sysexits: 0 the message is safe (also when it was known already or
    /// quarantined), 65 empty or oversized input, 74 standard input could not be read,
    /// 75 Tessera cannot store it now (the MTA keeps it and tries again).
    Ingest,
    /// Files every message of a Maildir (its `new` and `cur` folders) or of a folder of
    /// `.eml` files, e.g. to take over an existing mailbox. Messages already stored are
    /// recognised and skipped, so an interrupted import can simply be run again.
    Import {
        /// A Maildir, a folder of messages, or one message file.
        path: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Prints the configuration in force (secrets redacted).
    Show,
    /// Checks the configuration: data folder, database, mail server address.
    Check,
}

#[derive(Subcommand)]
enum ApiKeyCommand {
    /// Creates a key and prints it on standard output, this once (only its hash is kept).
    Create {
        /// Who uses it, e.g. "Website form".
        #[arg(long)]
        name: String,
        /// create (open tickets only), read or write (as --agent).
        #[arg(long)]
        scope: String,
        /// User name of the agent a read or write key acts as.
        #[arg(long, default_value = "")]
        agent: String,
        /// Address ranges it may be used from, separated by commas (CIDR); default anywhere.
        #[arg(long, default_value = "")]
        allow: String,
        /// Requests per minute (default 600).
        #[arg(long)]
        rate: Option<u32>,
    },
    /// Lists every key (never the secrets).
    List,
    /// Revokes a key at once.
    Revoke {
        /// The key's id, as `api-key list` shows it.
        id: i64,
    },
}

#[derive(Subcommand)]
enum TopicCommand {
    /// Lists every help topic.
    List,
}

#[derive(Subcommand)]
enum AgentCommand {
    /// Creates an agent and prints a one-time password, to be replaced at first sign-in.
    Create {
        /// Sign-in name.
        #[arg(long)]
        username: String,
        /// Email address (for alerts; also accepted at sign-in).
        #[arg(long)]
        email: String,
        /// Name shown to colleagues and requesters.
        #[arg(long)]
        name: String,
        /// Department to join (by name); repeat for several.
        #[arg(long)]
        department: Vec<String>,
        /// Role in those departments: view, agent or manager.
        #[arg(long, default_value = "agent")]
        role: String,
        /// Language of the agent's interface and alerts: de or en.
        #[arg(long, default_value = "de")]
        lang: String,
        /// Makes the agent an administrator (sees and does everything).
        #[arg(long)]
        admin: bool,
    },
    /// Disables an agent: signing in stops working and their sessions end at once.
    Disable {
        /// The agent's user name.
        username: String,
    },
    /// Prints a new one-time password for an agent and ends their sessions.
    ResetPassword {
        /// The agent's user name.
        username: String,
    },
}

/// Most bytes `mail ingest` reads; larger messages are refused (65) so that the MTA bounces
/// them to the sender instead of Tessera holding them half.
const MAX_MESSAGE: u64 = 50 * 1024 * 1024;

/// sysexits(3): the input data was incorrect.
const EX_DATAERR: i32 = 65;
/// sysexits(3): an error occurred while doing I/O on some file.
const EX_IOERR: i32 = 74;
/// sysexits(3): temporary failure; the MTA will try again later.
const EX_TEMPFAIL: i32 = 75;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let ingest = matches!(
        cli.command,
        Command::Mail {
            command: MailCommand::Ingest
        }
    );
    let cfg = match Config::load(&cli.overrides) {
        Ok(c) => c,
        // A broken configuration is fixed by an operator; the MTA keeps the mail meanwhile.
        Err(e) if ingest => {
            eprintln!("tessera mail ingest: temporary failure: configuration: {e:#}");
            std::process::exit(EX_TEMPFAIL);
        }
        Err(e) => return Err(e),
    };
    let filter = EnvFilter::try_from_env("TESSERA_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // The server logs to standard output. Every other command's standard output is its
    // result (an API key, a report) or, for an MTA pipe, nothing: logs go to standard error.
    let writer = if matches!(cli.command, Command::Serve) {
        BoxMakeWriter::new(std::io::stdout)
    } else {
        BoxMakeWriter::new(std::io::stderr)
    };
    if cfg.log_json {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_writer(writer)
            .init();
    } else {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(writer)
            .init();
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if ingest {
        std::process::exit(rt.block_on(mail_ingest(cfg)));
    }
    rt.block_on(run(cli.command, cfg))
}

/// `tessera mail ingest`: one message from standard input; returns the exit status.
async fn mail_ingest(cfg: Config) -> i32 {
    use std::io::Read;
    let mut raw = Vec::new();
    if let Err(e) = std::io::stdin()
        .lock()
        .take(MAX_MESSAGE + 1)
        .read_to_end(&mut raw)
    {
        eprintln!("tessera mail ingest: cannot read standard input: {e}");
        return EX_IOERR;
    }
    if raw.iter().all(|b| b.is_ascii_whitespace()) {
        eprintln!("tessera mail ingest: no message on standard input");
        return EX_DATAERR;
    }
    if raw.len() as u64 > MAX_MESSAGE {
        eprintln!(
            "tessera mail ingest: the message is larger than {} MB",
            MAX_MESSAGE / 1024 / 1024
        );
        return EX_DATAERR;
    }
    let app = match open(&cfg).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!(
                "tessera mail ingest: temporary failure: cannot store the message now: {e:#}"
            );
            return EX_TEMPFAIL;
        }
    };
    let result = app.ingest_mail(&raw, tessera_core::MailSource::Pipe).await;
    app.close().await;
    use tessera_core::IngestOutcome as O;
    let line = match result {
        Ok(O::Opened {
            number, confirmed, ..
        }) => format!(
            "stored: new ticket {number}{}",
            if confirmed {
                ", confirmation queued"
            } else {
                ", not answered"
            }
        ),
        Ok(O::Added { number, kind, .. }) => {
            format!("stored: {} on ticket {number}", kind.as_str())
        }
        Ok(O::Held { number, .. }) => {
            format!(
                "stored: held on ticket {number} (failed DKIM/SPF/DMARC), for an agent to accept"
            )
        }
        Ok(O::Bounced { ticket_id, .. }) => {
            format!("stored: bounce recorded on ticket {ticket_id}")
        }
        Ok(O::Duplicate {
            inbound_message_id, ..
        }) => format!("duplicate: already stored as inbound message {inbound_message_id}"),
        Ok(O::Quarantined {
            inbound_message_id,
            error,
        }) => format!(
            "quarantined as inbound message {inbound_message_id}: {}",
            tessera_i18n::t_stored(tessera_domain::Lang::En, &error)
        ),
        Ok(O::Ignored {
            inbound_message_id,
            reason,
        }) => format!(
            "ignored (kept as inbound message {inbound_message_id}): {}",
            tessera_i18n::t_stored(tessera_domain::Lang::En, &reason)
        ),
        // Nothing is acknowledged that is not stored: whatever failed, the MTA keeps the
        // message and delivers it again (a message kept half is finished then, once).
        Err(e) => {
            eprintln!("tessera mail ingest: temporary failure: cannot store the message now: {e}");
            return EX_TEMPFAIL;
        }
    };
    eprintln!("tessera mail ingest: {line}");
    0
}

/// The message files under `path`: a Maildir's `new` and `cur`, every file of a folder, or
/// the file itself; in name order, so that a Maildir's arrival order is kept.
fn message_files(path: &std::path::Path) -> anyhow::Result<Vec<std::path::PathBuf>> {
    use anyhow::Context;
    if path.is_file() {
        return Ok(vec![path.to_owned()]);
    }
    let folders: Vec<std::path::PathBuf> = if path.join("cur").is_dir() || path.join("new").is_dir()
    {
        vec![path.join("cur"), path.join("new")]
    } else {
        vec![path.to_owned()]
    };
    let mut files = Vec::new();
    for f in folders.iter().filter(|f| f.is_dir()) {
        for e in std::fs::read_dir(f).with_context(|| format!("cannot read {}", f.display()))? {
            let p = e?.path();
            let hidden = p
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if p.is_file() && !hidden {
                files.push(p);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// `tessera mail import PATH`, with progress on standard error.
async fn mail_import(cfg: &Config, path: &std::path::Path) -> anyhow::Result<()> {
    use std::io::Write;
    use tessera_core::IngestOutcome as O;
    let files = message_files(path)?;
    let total = files.len();
    let app = open(cfg).await.map_err(|e| {
        e.context(format!(
            "none of the {total} messages was stored; run the import again once this is fixed"
        ))
    })?;
    let started = std::time::Instant::now();
    // A few at a time: parsing and attachment writes of one overlap the commit of another.
    let mut tasks = tokio::task::JoinSet::new();
    let mut pending = files.into_iter();
    let mut counts = [0usize; 7];
    let labels = [
        "new tickets",
        "added to tickets",
        "bounces recorded",
        "already stored",
        "quarantined",
        "ignored",
        "failed",
    ];
    let mut done = 0;
    let mut failures = Vec::new();
    loop {
        while tasks.len() < 4 {
            let Some(file) = pending.next() else { break };
            let app = app.clone();
            tasks.spawn(async move {
                let raw = tokio::fs::read(&file).await;
                let result = match raw {
                    Ok(raw) => app
                        .ingest_mail(&raw, tessera_core::MailSource::Pipe)
                        .await
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                };
                (file, result)
            });
        }
        let Some(joined) = tasks.join_next().await else {
            break;
        };
        let (file, result) = joined?;
        let slot = match result {
            Ok(O::Opened { .. }) => 0,
            // Held messages are on their ticket too (for agents).
            Ok(O::Added { .. } | O::Held { .. }) => 1,
            Ok(O::Bounced { .. }) => 2,
            Ok(O::Duplicate { .. }) => 3,
            Ok(O::Quarantined { .. }) => 4,
            Ok(O::Ignored { .. }) => 5,
            Err(e) => {
                failures.push(format!("{}: {e}", file.display()));
                6
            }
        };
        counts[slot] += 1;
        done += 1;
        if done % 50 == 0 || done == total {
            let rate = done as f64 / started.elapsed().as_secs_f64().max(0.001);
            eprint!(
                "\r  {done}/{total} messages ({}%), {rate:.0}/s   ",
                done * 100 / total.max(1)
            );
            let _ = std::io::stderr().flush();
        }
    }
    if total > 0 {
        eprintln!();
    }
    app.close().await;
    let summary: Vec<String> = counts
        .iter()
        .zip(labels)
        .filter(|(n, _)| **n > 0)
        .map(|(n, l)| format!("{n} {l}"))
        .collect();
    println!(
        "imported {total} messages in {:.1} s: {}",
        started.elapsed().as_secs_f64(),
        if summary.is_empty() {
            "nothing to do".to_owned()
        } else {
            summary.join(", ")
        }
    );
    for f in &failures {
        eprintln!("  failed: {f}");
    }
    if !failures.is_empty() {
        anyhow::bail!(
            "{} messages could not be stored now; run the import again",
            failures.len()
        );
    }
    Ok(())
}

/// How the first administrator signs in: printed once, to the operator's terminal (only
/// the password's hash is stored).
fn first_admin_text(admin: &tessera_core::FirstAdmin, base_url: &str) -> String {
    format!(
        "\nFirst start: an administrator was created.\n  user name: {}\n  \
         one-time password: {}\nSign in at {base_url}/agent/login and choose your own \
         password there.\n",
        admin.username, admin.password
    )
}

/// Opens the application for a command; when this seeded a fresh installation, the first
/// administrator's credentials go to standard error (standard output is the command's own).
async fn open(cfg: &Config) -> anyhow::Result<tessera_core::Tessera> {
    let (app, first) = tessera::open(cfg).await?;
    if let Some(admin) = &first {
        eprintln!("{}", first_admin_text(admin, &cfg.core.base_url));
    }
    Ok(app)
}

async fn run(command: Command, cfg: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => {
            let running = tessera::start(&cfg).await?;
            if let Some(admin) = &running.first_admin {
                println!("{}", first_admin_text(admin, &cfg.core.base_url));
            }
            tracing::info!(addr = %running.addr, base_url = %cfg.core.base_url, "Tessera is running");
            println!(
                "Tessera is running at {}  (Ctrl+C stops it)",
                cfg.core.base_url
            );
            shutdown_signal().await;
            tracing::info!("shutting down");
            running.stop().await;
        }
        Command::Db {
            command: DbCommand::Migrate,
        } => {
            open(&cfg).await.context("migration failed")?;
            println!("database is up to date");
        }
        Command::Db {
            command: DbCommand::Optimize,
        } => {
            let app = open(&cfg).await?;
            compact_search_index(&app).await?;
            app.close().await;
        }
        Command::Config {
            command: ConfigCommand::Show,
        } => println!("{cfg:#?}"),
        Command::Config {
            command: ConfigCommand::Check,
        } => {
            let problems = tessera::check(&cfg).await;
            for (what, result) in &problems {
                match result {
                    Ok(detail) => println!("ok    {what}: {detail}"),
                    Err(e) => println!("FAIL  {what}: {e}"),
                }
            }
            anyhow::ensure!(
                problems.iter().all(|(_, r)| r.is_ok()),
                "the configuration has problems"
            );
        }
        Command::Topic {
            command: TopicCommand::List,
        } => {
            let app = open(&cfg).await?;
            println!(
                "{:>4}  {:<30}  {:<30}  {:<20}  public  active",
                "id", "German", "English", "department"
            );
            for (id, de, en, dept, public, active) in app.topics().await? {
                let yn = |b: bool| if b { "yes" } else { "no" };
                println!(
                    "{id:>4}  {de:<30}  {en:<30}  {dept:<20}  {:<6}  {}",
                    yn(public),
                    yn(active)
                );
            }
            app.close().await;
        }
        Command::Backup { file } => {
            anyhow::ensure!(!file.exists(), "{} exists already", file.display());
            let db = tessera_store::Db::connect(&cfg.database_url)
                .await
                .context("cannot open the database")?;
            let path = file.to_str().context("the backup path must be UTF-8")?;
            let started = std::time::Instant::now();
            anyhow::ensure!(
                db.backup(path).await?,
                "on PostgreSQL, back up with pg_dump"
            );
            let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
            println!(
                "backup written to {} ({:.1} MB in {:.1} s); copy {} as well",
                file.display(),
                size as f64 / 1_048_576.0,
                started.elapsed().as_secs_f64(),
                cfg.data_dir.join("attachments").display()
            );
            db.close().await;
        }
        Command::Agent {
            command:
                AgentCommand::Create {
                    username,
                    email,
                    name,
                    department,
                    role,
                    lang,
                    admin,
                },
        } => {
            let role = tessera_domain::Role::parse(&role)
                .with_context(|| format!("role must be view, agent or manager, not {role:?}"))?;
            let lang = tessera_domain::Lang::parse(&lang)
                .with_context(|| format!("lang must be de or en, not {lang:?}"))?;
            let email = tessera_domain::EmailAddress::parse(&email)
                .with_context(|| format!("not an email address: {email:?}"))?;
            anyhow::ensure!(
                !username.trim().is_empty() && !name.trim().is_empty(),
                "username and name must not be empty"
            );
            let app = open(&cfg).await?;
            let mut departments = Vec::new();
            for d in &department {
                departments.push(
                    app.department_by_name(d)
                        .await?
                        .with_context(|| format!("no department named {d:?}"))?,
                );
            }
            let password = tessera_core::token::random_hex(10);
            let cli = tessera_core::Actor::Cli;
            let id = app
                .create_agent(
                    cli,
                    tessera_core::NewAgent {
                        username: username.trim().to_owned(),
                        email: email.to_string(),
                        display_name: name.trim().to_owned(),
                        password: password.clone(),
                        is_admin: admin,
                        lang,
                        one_time_password: true,
                    },
                )
                .await
                .map_err(|e| match e {
                    tessera_core::CoreError::Store(s)
                        if s.is_conflict_on("agent")
                            || s.is_conflict_on("username")
                            || s.is_conflict_on("email") =>
                    {
                        anyhow::anyhow!(
                            "an agent with this user name or email address exists already"
                        )
                    }
                    e => e.into(),
                })?;
            for d in departments {
                app.set_department_role(cli, id, d, role).await?;
            }
            println!("agent {username} created; one-time password: {password}");
            app.close().await;
        }
        Command::Agent {
            command: AgentCommand::Disable { username },
        } => {
            let app = open(&cfg).await?;
            app.disable_agent(tessera_core::Actor::Cli, &username)
                .await
                .map_err(|e| not_found(e, &username))?;
            println!("agent {username} is disabled; their sessions have ended");
            app.close().await;
        }
        Command::Agent {
            command: AgentCommand::ResetPassword { username },
        } => {
            let app = open(&cfg).await?;
            let password = app
                .reset_agent_password(tessera_core::Actor::Cli, &username)
                .await
                .map_err(|e| not_found(e, &username))?;
            println!("new one-time password for {username}: {password}");
            app.close().await;
        }
        Command::ApiKey { command } => api_key(&cfg, command).await?,
        Command::Mail {
            command: MailCommand::Ingest,
        } => unreachable!("handled in main with its own exit status"),
        Command::Mail {
            command: MailCommand::Import { path },
        } => mail_import(&cfg, &path).await?,
        Command::Demo { tickets } => {
            let app = open(&cfg).await?;
            let started = std::time::Instant::now();
            app.demo(tickets, |done, total| {
                use std::io::Write;
                let pct = done * 100 / total.max(1);
                let secs = started.elapsed().as_secs_f64().max(0.001);
                let rate = done as f64 / secs;
                let left = (total - done) as f64 / rate.max(1.0);
                let bar = format!("{:<30}", "#".repeat((pct * 30 / 100) as usize));
                eprint!(
                    "\r  [{bar}] {pct:>3}%  {done}/{total} tickets, {rate:.0}/s, {left:.0} s left   "
                );
                let _ = std::io::stderr().flush();
            })
            .await?;
            eprintln!();
            // As an installation's maintenance would leave it (`tessera db optimize`).
            compact_search_index(&app).await?;
            println!(
                "added {tickets} demo tickets in {:.1} s; agents demo1…demo20 and demo-admin, \
                 password {}",
                started.elapsed().as_secs_f64(),
                tessera_core::DEMO_PASSWORD
            );
            app.close().await;
        }
    }
    Ok(())
}

/// `tessera db optimize`, with its progress on standard error.
async fn compact_search_index(app: &tessera_core::Tessera) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let steps = app
        .compact_search_index(|steps| {
            use std::io::Write;
            eprint!("\r  compacting the search index: step {steps}   ");
            let _ = std::io::stderr().flush();
        })
        .await?;
    if steps > 0 {
        eprintln!();
    }
    println!(
        "search index compact ({steps} steps, {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn api_key(cfg: &Config, command: ApiKeyCommand) -> anyhow::Result<()> {
    let app = open(cfg).await?;
    let actor = tessera_core::Actor::Cli;
    match command {
        ApiKeyCommand::Create {
            name,
            scope,
            agent,
            allow,
            rate,
        } => {
            let form = tessera_core::ApiKeyForm {
                name,
                scope,
                agent,
                allowed_ips: allow,
                rate_per_minute: rate.map(|r| r.to_string()).unwrap_or_default(),
            };
            let (id, token) = app
                .create_api_key(actor, &form)
                .await
                .map_err(|e| invalid(e, tessera_domain::Lang::En))?;
            eprintln!(
                "API key {id} created; it is shown only now (send it in the X-API-Key header):"
            );
            println!("{token}");
        }
        ApiKeyCommand::List => {
            println!(
                "{:>4}  {:<24}  {:<6}  {:<12}  {:<24}  {:>7}  {:<16}  {:<30}  status",
                "id", "name", "scope", "agent", "allowed", "rate", "created", "last used"
            );
            let when = |t: &tessera_domain::Timestamp| {
                t.to_datetime().format("%Y-%m-%d %H:%M").to_string()
            };
            for k in app.api_keys(actor).await? {
                let last = match (&k.last_used_at, &k.last_used_ip) {
                    (Some(t), ip) => format!("{} {}", when(t), ip.as_deref().unwrap_or("")),
                    _ => "never".into(),
                };
                let allowed = if k.allowed_ips.is_empty() {
                    "anywhere".to_owned()
                } else {
                    k.allowed_ips.clone()
                };
                let status = match &k.revoked_at {
                    Some(t) => format!("revoked {}", when(t)),
                    None => "active".into(),
                };
                println!(
                    "{:>4}  {:<24}  {:<6}  {:<12}  {:<24}  {:>7}  {:<16}  {:<30}  {status}",
                    k.id,
                    k.name,
                    k.scope.as_str(),
                    k.agent.as_deref().unwrap_or("-"),
                    allowed,
                    k.rate_per_minute,
                    when(&k.created_at),
                    last.trim_end(),
                );
            }
        }
        ApiKeyCommand::Revoke { id } => {
            app.revoke_api_key(actor, id).await.map_err(|e| match e {
                tessera_core::CoreError::NotFound => anyhow::anyhow!("no API key with id {id}"),
                e => e.into(),
            })?;
            println!("API key {id} is revoked");
        }
    }
    app.close().await;
    Ok(())
}

/// Invalid input as the sentences the web form would show, one per field.
fn invalid(e: tessera_core::CoreError, lang: tessera_domain::Lang) -> anyhow::Error {
    match e {
        tessera_core::CoreError::Invalid(p) => anyhow::anyhow!(
            "{}",
            p.errors
                .iter()
                .map(|e| format!("--{}: {}", cli_flag(&e.field), tessera_i18n::t(lang, e.key)))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        e => e.into(),
    }
}

/// The command-line flag of a form field.
fn cli_flag(field: &str) -> &str {
    match field {
        "allowed_ips" => "allow",
        "rate_per_minute" => "rate",
        f => f,
    }
}

fn not_found(e: tessera_core::CoreError, username: &str) -> anyhow::Error {
    match e {
        tessera_core::CoreError::NotFound => anyhow::anyhow!("no agent named {username:?}"),
        e => e.into(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing a SIGTERM handler cannot fail on unix");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
