//! The requester portal: home, open a ticket, receipt, check status, access links, the
//! ticket page with replies, and attachment downloads.

use askama::Template;
use axum::{
    Form as AxForm, Router,
    extract::{Path, Query, Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use tessera_core::{
    CoreError, ErrorKind, NewTicketInput, OpenAttempt, Redeemed, Refusal, ReplyInput, TicketView,
};
use tessera_domain::{Lang, Problem, model::Attachment};

use crate::{
    AppState, Client, Ctx,
    cookies::{LANG_COOKIE, SESSION_COOKIE},
    download::deliver,
    error::PageError,
    intake,
    page::{CsrfOnly, PageResult, html},
    render::{Form, Page, entry_body, mail_text, user_text},
    sign_out::end_session,
    topic_fields, upload,
};

pub fn router() -> Router<AppState> {
    // The upload routes bound their bodies themselves (`upload::read`: the attachment limit
    // in force plus a margin, refused with 413 before reading when announced larger).
    Router::new()
        .route("/", get(home))
        .route("/open", get(open_form).post(open_submit))
        .route("/status", get(status_form).post(status_submit))
        .route("/access/{token}", get(access))
        .route("/access/{token}/renew", post(access_renew))
        .route("/tickets", get(my_tickets))
        .route("/tickets/link", post(my_tickets_link))
        .route("/my-tickets/{token}", get(my_tickets_redeem))
        .route("/tickets/{number}", get(ticket_page))
        .route("/tickets/{number}/reply", post(reply))
        .route("/attachments/{id}/{name}", get(download))
        .route("/lang/{code}", get(set_lang))
        .route("/logo/{version}", get(logo))
        .route("/signout", post(sign_out))
}

fn page(s: &AppState, ctx: &Ctx) -> Page {
    Page::new(ctx, &s.app.settings())
}

fn core_err(ctx: &Ctx) -> impl Fn(CoreError) -> PageError + '_ {
    |e| PageError::from_core(ctx.lang, e)
}

/// Lets this browser see a ticket: always in a new session (core carries over the grants
/// of the one the request came with and deletes that), so a session cookie planted before
/// (session fixation) never receives the ticket. Returns the cookie to set.
async fn grant_session(
    s: &AppState,
    ctx: &Ctx,
    grant: tessera_domain::model::Grant,
) -> Result<HeaderValue, PageError> {
    let (sess, cookie) = s
        .app
        .grant_in_new_session(ctx.session.as_ref(), grant)
        .await
        .map_err(core_err(ctx))?;
    let cfg = s.app.config();
    let max_age = if sess.agent_id.is_some() {
        cfg.agent_session_absolute_secs
    } else {
        cfg.session_absolute_secs
    };
    Ok(ctx.cookie_header(SESSION_COOKIE, &cookie, max_age, true))
}

fn redirect_with(ctx: &Ctx, to: &str, cookie: Option<HeaderValue>) -> Response {
    let mut res = Redirect::to(to).into_response();
    if let Some(c) = cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    ctx.finish(res)
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    p: Page,
    /// The administrator's welcome text, rendered and sanitised.
    intro: Option<String>,
}

async fn home(State(s): State<AppState>, ctx: Ctx) -> PageResult {
    let settings = s.app.settings();
    let intro = Some(settings.intro(ctx.lang))
        .filter(|t| !t.trim().is_empty())
        .map(user_text);
    let page = HomePage {
        p: Page::new(&ctx, &settings),
        intro,
    };
    html(&ctx, StatusCode::OK, &page)
}

/// The organisation's logo; its URL names its version, so it may be cached for long.
async fn logo(State(s): State<AppState>, Path(version): Path<String>) -> Response {
    match &s.app.settings().logo {
        Some(l) if l.version == version => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_str(&l.content_type)
                        .unwrap_or(HeaderValue::from_static("application/octet-stream")),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
            ],
            l.bytes.as_ref().clone(),
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(Template)]
#[template(path = "open.html")]
struct OpenPage {
    p: Page,
    form: Form,
    topics: Vec<(i64, String)>,
    max_bytes: u64,
    max_human: String,
    allowed: String,
    files_lost: bool,
    topic_fieldsets: Vec<topic_fields::Fieldset>,
    /// The topics' descriptions in the page's language: (id, name, text), those with one.
    topic_descriptions: Vec<(i64, String, String)>,
    /// The honeypot and the challenge (`intake.rs`).
    guard: intake::Guard,
}

impl OpenPage {
    fn selected(&self, id: &i64) -> bool {
        self.form.v("help_topic_id") == id.to_string()
    }
}

async fn open_page(s: &AppState, ctx: &Ctx, form: Form, files_lost: bool) -> PageResult {
    open_page_guarded(s, ctx, form, files_lost, intake::Guard::new(&s.app), None).await
}

/// The form with the guards' state: a refusal's message and the status it answers with.
async fn open_page_guarded(
    s: &AppState,
    ctx: &Ctx,
    form: Form,
    files_lost: bool,
    guard: intake::Guard,
    status: Option<StatusCode>,
) -> PageResult {
    let topics = s
        .app
        .public_topics()
        .await
        .map_err(|e| PageError::from_core(ctx.lang, e))?
        .into_iter()
        .map(|t| (t.id.0, t.name(ctx.lang).to_owned()))
        .collect::<Vec<_>>();
    let custom = s
        .app
        .public_topic_fields()
        .await
        .map_err(|e| PageError::from_core(ctx.lang, e))?;
    let topic_fieldsets = topic_fields::fieldsets(ctx.lang, &topics, &custom, &form);
    let described = s
        .app
        .topic_descriptions()
        .await
        .map_err(|e| PageError::from_core(ctx.lang, e))?;
    let topic_descriptions = topics
        .iter()
        .filter_map(|(id, name)| {
            let (de, en) = described.get(id)?;
            let text = match ctx.lang {
                Lang::De => de,
                Lang::En => en,
            };
            (!text.is_empty()).then(|| (*id, name.clone(), text.clone()))
        })
        .collect();
    let cfg = s.app.settings();
    let status = status.unwrap_or(if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    });
    let page = OpenPage {
        p: page(s, ctx),
        form,
        topics,
        max_bytes: cfg.attachment_max_total,
        max_human: tessera_i18n::bytes(ctx.lang, cfg.attachment_max_total as i64),
        allowed: cfg
            .allowed_extensions
            .iter()
            .map(|e| format!(".{e}"))
            .collect::<Vec<_>>()
            .join(","),
        files_lost,
        topic_fieldsets,
        topic_descriptions,
        guard,
    };
    html(ctx, status, &page)
}

async fn open_form(State(s): State<AppState>, ctx: Ctx) -> PageResult {
    open_page(&s, &ctx, Form::new(), false).await
}

const OPEN_FIELDS: [&str; 5] = ["email", "name", "help_topic_id", "subject", "body"];

async fn open_submit(
    State(s): State<AppState>,
    client: Client,
    ctx: Ctx,
    req: Request,
) -> PageResult {
    // `ctx` before the body: its origin check refuses a cross-site post before it is read.
    let sub = upload::read(req, &s.app, ctx.lang, "attachments").await?;
    let mut form = Form::new();
    for f in OPEN_FIELDS {
        form.set(f, sub.get(f).to_owned());
    }
    let custom = topic_fields::submitted(&sub);
    for (k, v) in &custom {
        form.set(k, v.clone());
    }
    if !ctx.csrf_ok(sub.get("csrf")) {
        let mut p = Problem::default();
        p.add("form", "error-csrf");
        // A form cut short may have lost its token with the rest: say that, too.
        sub.add_problems(&mut p);
        return open_page(&s, &ctx, form.with_problem(ctx.lang, &p), sub.had_files).await;
    }
    let mut pre = Problem::default();
    sub.add_problems(&mut pre);
    for f in &sub.oversized {
        if let Some(name) = OPEN_FIELDS.iter().find(|n| **n == f.as_str()) {
            pre.add(name, "error-too-long");
        } else if f.starts_with("cf-") {
            pre.add_named(f.clone(), "error-too-long");
        }
    }
    if sub.unavailable && pre.errors.len() == 1 {
        return open_unavailable(&s, &ctx, form, sub.had_files).await;
    }
    if !pre.is_empty() {
        return open_page(&s, &ctx, form.with_problem(ctx.lang, &pre), sub.had_files).await;
    }
    let had_files = sub.had_files;
    // The door: honeypot, challenge, rate limits — before anything is stored or mailed.
    let admitted = s.app.intake_open(&OpenAttempt {
        client: &client.limit_key(),
        email: sub.get("email"),
        honeypot: sub.get(intake::HONEYPOT),
        challenge: sub.get(intake::CHALLENGE),
        solution: sub.get(intake::SOLUTION),
    });
    let admission = match admitted {
        Ok(a) => a,
        Err(refusal) => return open_refused(&s, &ctx, form, had_files, refusal).await,
    };
    let input = NewTicketInput {
        email: sub.get("email").to_owned(),
        name: sub.get("name").to_owned(),
        help_topic_id: sub.get("help_topic_id").to_owned(),
        subject: sub.get("subject").to_owned(),
        body: sub.get("body").to_owned(),
        uploads: sub.uploads,
        lang: ctx.lang,
    };
    let opened = s.app.open_ticket_with_fields(input, &custom).await;
    if opened.is_err() {
        // Invalid input, or a moment's unavailability: nobody was sent anything.
        s.app.intake_refund(admission);
    }
    match opened {
        Ok(opened) => {
            let cookie = grant_session(&s, &ctx, opened.grant).await?;
            let created = if opened.unconfirmed { "confirm" } else { "1" };
            Ok(redirect_with(
                &ctx,
                &format!("/tickets/{}?created={created}", opened.number),
                Some(cookie),
            ))
        }
        Err(CoreError::Invalid(p)) => {
            open_page(&s, &ctx, form.with_problem(ctx.lang, &p), had_files).await
        }
        Err(e) if e.kind() == ErrorKind::Unavailable => {
            tracing::warn!(error = %e, "cannot store a new ticket now");
            open_unavailable(&s, &ctx, form, had_files).await
        }
        Err(e) => Err(PageError::from_core(ctx.lang, e)),
    }
}

/// The form again, with what was typed, when the server cannot store it right now (a full
/// or failing disk or database): 503 with `Retry-After`, saying to try again later.
async fn open_unavailable(s: &AppState, ctx: &Ctx, form: Form, had_files: bool) -> PageResult {
    let mut p = Problem::default();
    p.add("form", "mailstore-form-unavailable");
    let guard = intake::Guard::new(&s.app);
    let status = Some(StatusCode::SERVICE_UNAVAILABLE);
    let mut res = open_page_guarded(
        s,
        ctx,
        form.with_problem(ctx.lang, &p),
        had_files,
        guard,
        status,
    )
    .await?;
    res.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from(crate::error::RETRY_AFTER_SECS),
    );
    Ok(res)
}

/// The form again after the door refused a post: a robot's honeypot gets what looks like an
/// ordinary error; a challenge problem says what to do; a rate limit answers 429 with when
/// to try again. What was typed is kept.
async fn open_refused(
    s: &AppState,
    ctx: &Ctx,
    form: Form,
    had_files: bool,
    refusal: Refusal,
) -> PageResult {
    let guard = intake::Guard::new(&s.app);
    match refusal {
        Refusal::Honeypot => {
            let guard = guard.with_message(tessera_i18n::t(ctx.lang, "intake-not-sent"));
            let status = Some(StatusCode::UNPROCESSABLE_ENTITY);
            open_page_guarded(s, ctx, form, had_files, guard, status).await
        }
        Refusal::Challenge(key) => {
            let guard = guard.with_message(tessera_i18n::t(ctx.lang, key));
            let status = Some(StatusCode::UNPROCESSABLE_ENTITY);
            open_page_guarded(s, ctx, form, had_files, guard, status).await
        }
        Refusal::Throttled(t) => {
            let msg = intake::throttled_message(ctx.lang, "intake-too-many", t);
            let status = Some(StatusCode::TOO_MANY_REQUESTS);
            let res =
                open_page_guarded(s, ctx, form, had_files, guard.with_message(msg), status).await?;
            Ok(intake::retry_after(res, t))
        }
    }
}

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    p: Page,
    form: Form,
    failed: bool,
    /// Shown instead of a ticket this browser may not (or no longer) see.
    expired: bool,
}

async fn status_form(State(s): State<AppState>, ctx: Ctx) -> PageResult {
    html(
        &ctx,
        StatusCode::OK,
        &StatusPage {
            p: page(&s, &ctx),
            form: Form::new(),
            failed: false,
            expired: false,
        },
    )
}

#[derive(Deserialize)]
struct StatusInput {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    email: String,
}

async fn status_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    AxForm(input): AxForm<StatusInput>,
) -> PageResult {
    let mut form = Form::new();
    form.set("number", input.number.clone());
    form.set("email", input.email.clone());
    let mut p = Problem::default();
    if !ctx.csrf_ok(&input.csrf) {
        p.add("form", "error-csrf");
    }
    if input.number.trim().is_empty() {
        p.add("number", "error-required");
    }
    if input.email.trim().is_empty() {
        p.add("email", "error-required");
    }
    if !p.is_empty() {
        let page = StatusPage {
            p: page(&s, &ctx),
            form: form.with_problem(ctx.lang, &p),
            failed: false,
            expired: false,
        };
        return html(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    // Failed attempts are counted per client and per ticket number. Past the number's
    // budget, someone is guessing addresses for it (perhaps from many addresses): the
    // right address still gets in, but only through a link mailed to it, so guessing wins
    // nothing and the real requester is never locked out.
    let w = &s.web;
    let ip_key = format!("status-ip:{}", ctx.client.limit_key());
    let number = input.number.trim().trim_start_matches('#').to_lowercase();
    let number_key = format!("status-n:{number}");
    let mail_link = s.app.settings().status_mode == tessera_core::StatusMode::MailLink;
    if !s
        .limiter
        .allow(&ip_key, w.status_attempts_per_ip, w.status_window)
    {
        return Err(PageError::too_many(ctx.lang));
    }
    if mail_link
        || !s
            .limiter
            .has_room(&number_key, w.status_attempts_per_ticket, w.status_window)
    {
        // Each ticket's requester gets a few such mails per window at most, whoever asks.
        if s.limiter.allow(
            &format!("status-mail:{number}"),
            w.status_attempts_per_ticket,
            w.status_window,
        ) {
            s.app
                .mail_status_link(&input.number, &input.email)
                .await
                .map_err(core_err(&ctx))?;
        }
        let page = StatusSentPage { p: page(&s, &ctx) };
        return html(&ctx, StatusCode::OK, &page);
    }
    s.limiter
        .allow(&number_key, w.status_attempts_per_ticket, w.status_window);
    let checked = s.app.check_status(&input.number, &input.email).await;
    if checked.is_ok() {
        s.limiter.refund(&ip_key);
        s.limiter.refund(&number_key);
    }
    match checked {
        Ok(grant) => {
            let cookie = Some(grant_session(&s, &ctx, grant).await?);
            let number = s.app.granted_number(grant).await.map_err(core_err(&ctx))?;
            Ok(redirect_with(&ctx, &format!("/tickets/{number}"), cookie))
        }
        Err(CoreError::NotFound) => {
            let page = StatusPage {
                p: page(&s, &ctx),
                form,
                failed: true,
                expired: false,
            };
            html(&ctx, StatusCode::OK, &page)
        }
        Err(e) => Err(PageError::from_core(ctx.lang, e)),
    }
}

#[derive(Template)]
#[template(path = "status_sent.html")]
struct StatusSentPage {
    p: Page,
}

async fn access(State(s): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> PageResult {
    match s.app.redeem_access_token(&token).await {
        Ok(Redeemed::Expired) => {
            let page = AccessExpiredPage {
                p: page(&s, &ctx),
                form: Form::new(),
                action: format!("/access/{token}/renew"),
            };
            let mut res = html(&ctx, StatusCode::GONE, &page)?;
            no_referrer(&mut res);
            Ok(res)
        }
        Ok(Redeemed::Open(grant)) => {
            let cookie = Some(grant_session(&s, &ctx, grant).await?);
            let number = s.app.granted_number(grant).await.map_err(core_err(&ctx))?;
            let mut res = redirect_with(&ctx, &format!("/tickets/{number}"), cookie);
            no_referrer(&mut res);
            Ok(res)
        }
        Err(CoreError::NotFound) => {
            let page = AccessInvalidPage { p: page(&s, &ctx) };
            html(&ctx, StatusCode::NOT_FOUND, &page)
        }
        Err(e) => Err(PageError::from_core(ctx.lang, e)),
    }
}

#[derive(Template)]
#[template(path = "access_invalid.html")]
struct AccessInvalidPage {
    p: Page,
}

/// The token is in the URL of the access pages: it must not leak onwards.
fn no_referrer(res: &mut Response) {
    res.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
}

/// An expired access link: the requester may have a fresh one mailed.
#[derive(Template)]
#[template(path = "access_expired.html")]
struct AccessExpiredPage {
    p: Page,
    form: Form,
    /// Where the form posts (the link's own renewal address).
    action: String,
}

/// The answer to the renewal form, the same whether the address belonged to the ticket.
#[derive(Template)]
#[template(path = "access_renewed.html")]
struct AccessRenewedPage {
    p: Page,
}

#[derive(Deserialize)]
struct RenewInput {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// "Mail me a fresh link" on an expired link's page. Limited like check status (per client
/// address and per link), and answered the same whether the address matched, so the form
/// reveals nothing about who takes part in the ticket.
async fn access_renew(
    State(s): State<AppState>,
    client: Client,
    ctx: Ctx,
    Path(token): Path<String>,
    AxForm(input): AxForm<RenewInput>,
) -> PageResult {
    let mut p = Problem::default();
    if !ctx.csrf_ok(&input.csrf) {
        p.add("form", "error-csrf");
    }
    if input.email.trim().is_empty() {
        p.add("email", "error-required");
    }
    if !p.is_empty() {
        let mut form = Form::new();
        form.set("email", input.email.clone());
        let page = AccessExpiredPage {
            p: page(&s, &ctx),
            form: form.with_problem(ctx.lang, &p),
            action: format!("/access/{token}/renew"),
        };
        let mut res = html(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page)?;
        no_referrer(&mut res);
        return Ok(res);
    }
    let w = &s.web;
    let selector: String = token
        .split('.')
        .next()
        .unwrap_or("")
        .chars()
        .take(24)
        .collect();
    let link_key = format!("renew:{selector}");
    if !s.limiter.allow(
        &format!("renew-ip:{}", client.limit_key()),
        w.status_attempts_per_ip,
        w.status_window,
    ) || !s
        .limiter
        .allow(&link_key, w.status_attempts_per_ticket, w.status_window)
    {
        return Err(PageError::too_many(ctx.lang));
    }
    s.app
        .mail_fresh_access_link(&token, &input.email)
        .await
        .map_err(core_err(&ctx))?;
    let mut res = html(
        &ctx,
        StatusCode::OK,
        &AccessRenewedPage { p: page(&s, &ctx) },
    )?;
    no_referrer(&mut res);
    Ok(res)
}

#[derive(Template)]
#[template(path = "tickets.html")]
struct TicketsPage {
    p: Page,
    /// The tickets of the verified address (`my_tickets.rs` in core), if the session has one.
    verified: Option<tessera_core::MyTickets>,
    /// The "send me a link to all my tickets" form.
    link_form: Form,
    /// The link was requested (the answer is the same whether the address has tickets).
    link_sent: bool,
    /// The tickets shown (a search's hits have a snippet).
    tickets: Vec<tessera_core::FoundTicket>,
    /// Whether the session has any ticket (the list may be a search's).
    any: bool,
    /// What was searched for.
    q: String,
}

impl TicketsPage {
    fn status_label(&self, status: &str) -> String {
        self.p.t(&format!("status-{status}"))
    }
}

#[derive(Deserialize)]
struct TicketSearch {
    q: Option<String>,
    /// The next page of a verified address's tickets.
    after: Option<String>,
    /// The "all my tickets" link was mailed.
    sent: Option<String>,
}

async fn my_tickets(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(search): Query<TicketSearch>,
) -> PageResult {
    let q = search.q.unwrap_or_default();
    let verified = match &ctx.session {
        Some(sess) => s
            .app
            .my_tickets(sess, search.after.as_deref())
            .await
            .map_err(core_err(&ctx))?,
        None => None,
    };
    let (tickets, any) = match &ctx.session {
        Some(sess) => {
            let all = s.app.session_tickets(sess).await.map_err(core_err(&ctx))?;
            let any = !all.is_empty();
            let shown = if q.trim().is_empty() {
                all.into_iter()
                    .map(|(number, subject, status)| tessera_core::FoundTicket {
                        number,
                        subject,
                        status,
                        snippet: Vec::new(),
                    })
                    .collect()
            } else {
                s.app
                    .search_session_tickets(sess, &q)
                    .await
                    .map_err(core_err(&ctx))?
            };
            (shown, any)
        }
        None => (Vec::new(), false),
    };
    html(
        &ctx,
        StatusCode::OK,
        &TicketsPage {
            p: page(&s, &ctx),
            verified,
            link_form: Form::new(),
            link_sent: search.sent.is_some(),
            tickets,
            any,
            q,
        },
    )
}

struct EntryView {
    id: i64,
    author: String,
    by_agent: bool,
    html: String,
    when: String,
    exact: String,
    iso: String,
    attachments: Vec<AttachmentView>,
    /// Came in by email.
    by_email: bool,
    /// The folded quoted text, rendered.
    quoted: Option<String>,
    /// The page with the HTML as sent.
    original: Option<String>,
    /// The whole text, when the page shows only its beginning.
    full_text: Option<String>,
}

struct AttachmentView {
    url: String,
    name: String,
    size: String,
}

fn attachment_view(p: &Page, a: &Attachment) -> AttachmentView {
    AttachmentView {
        url: format!(
            "/attachments/{}/{}",
            a.id,
            percent_encoding::utf8_percent_encode(&a.filename, percent_encoding::NON_ALPHANUMERIC)
        ),
        name: a.filename.clone(),
        size: p.bytes(&a.size),
    }
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct TicketPage {
    p: Page,
    number: String,
    subject: String,
    status: &'static str,
    status_label: String,
    topic: String,
    department: String,
    assignee: Option<String>,
    requester: String,
    created: String,
    entries: Vec<EntryView>,
    attachment_total: usize,
    custom_fields: Vec<(String, Vec<String>)>,
    just_created: bool,
    just_replied: bool,
    requester_email: String,
    form: Form,
    max_bytes: u64,
    max_human: String,
    allowed: String,
    files_lost: bool,
    /// Why the last reply was refused by a rate limit (`intake.rs`).
    intake_notice: Option<String>,
    /// Just opened in confirm-first mode: the requester is asked to open the mailed link.
    confirm_sent: bool,
}

#[derive(Deserialize)]
struct TicketQuery {
    created: Option<String>,
    replied: Option<String>,
}

fn ticket_page_data(
    s: &AppState,
    ctx: &Ctx,
    v: TicketView,
    form: Form,
    files_lost: bool,
) -> TicketPage {
    let p = page(s, ctx);
    let t = &v.ticket;
    let assignee = match (&t.assignee_agent, &t.assignee_team) {
        (Some((_, a)), Some((_, team))) => Some(format!("{a} ({team})")),
        (Some((_, a)), None) => Some(a.clone()),
        (None, Some((_, team))) => Some(team.clone()),
        (None, None) => None,
    };
    let entries = v
        .thread
        .iter()
        .map(|e| EntryView {
            id: e.id.0,
            author: e.author_name.clone(),
            by_agent: e.by_agent,
            html: entry_body(e.body_format, &e.body),
            when: p.ago(&e.created_at),
            exact: p.exact(&e.created_at),
            iso: p.iso(&e.created_at),
            attachments: v
                .attachments_of(e.id)
                .map(|a| attachment_view(&p, a))
                .collect(),
            by_email: e.by_email,
            quoted: e.quoted.as_deref().map(mail_text),
            original: e.has_original_html.then(|| {
                format!(
                    "/tickets/{}/entries/{}/original",
                    percent_encoding::utf8_percent_encode(
                        &t.number,
                        percent_encoding::NON_ALPHANUMERIC
                    ),
                    e.id.0
                )
            }),
            full_text: e.shortened.then(|| {
                format!(
                    "/tickets/{}/entries/{}/text",
                    percent_encoding::utf8_percent_encode(
                        &t.number,
                        percent_encoding::NON_ALPHANUMERIC
                    ),
                    e.id.0
                )
            }),
        })
        .collect();
    let cfg = s.app.settings();
    TicketPage {
        number: t.number.clone(),
        subject: t.subject.clone(),
        status: t.status.as_str(),
        status_label: p.t(&format!("status-{}", t.status.as_str())),
        topic: t
            .help_topic
            .as_ref()
            .map(|h| h.name(ctx.lang).to_owned())
            .unwrap_or_default(),
        department: t.department.name.clone(),
        assignee,
        requester: t.requester.name.clone(),
        created: p.time_tag(&t.created_at),
        entries,
        attachment_total: v.attachments.len(),
        custom_fields: topic_fields::value_lines(ctx.lang, &v.fields),
        just_created: false,
        just_replied: false,
        requester_email: t.requester.email.clone(),
        form,
        max_bytes: cfg.attachment_max_total,
        max_human: tessera_i18n::bytes(ctx.lang, cfg.attachment_max_total as i64),
        allowed: cfg
            .allowed_extensions
            .iter()
            .map(|e| format!(".{e}"))
            .collect::<Vec<_>>()
            .join(","),
        files_lost,
        intake_notice: None,
        confirm_sent: false,
        p,
    }
}

async fn ticket_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
    Query(q): Query<TicketQuery>,
) -> PageResult {
    // Without a session that may see it (it expired, was signed out, or never had it) the
    // page offers the ways back in, the same whether ticket `number` exists or not.
    let Some(sess) = ctx.session.clone() else {
        return ticket_status_instead(&s, &ctx, &number);
    };
    let view = match s.app.participant_view(&sess, &number).await {
        Ok(v) => v,
        Err(CoreError::NotFound) => return ticket_status_instead(&s, &ctx, &number),
        Err(e) => return Err(PageError::from_core(ctx.lang, e)),
    };
    let mut data = ticket_page_data(&s, &ctx, view, Form::new(), false);
    data.just_created = q.created.is_some();
    data.confirm_sent = q.created.as_deref() == Some("confirm");
    data.just_replied = q.replied.is_some();
    html(&ctx, StatusCode::OK, &data)
}

async fn reply(
    State(s): State<AppState>,
    client: Client,
    ctx: Ctx,
    Path(number): Path<String>,
    req: Request,
) -> PageResult {
    let sess = ctx.session.clone().ok_or(PageError::not_found(ctx.lang))?;
    let grant = s
        .app
        .grant_for_number(&sess, &number)
        .await
        .map_err(core_err(&ctx))?;
    let sub = upload::read(req, &s.app, ctx.lang, "attachments").await?;
    let mut form = Form::new();
    form.set("body", sub.get("body").to_owned());
    let mut p = Problem::default();
    if !ctx.csrf_ok(sub.get("csrf")) {
        p.add("form", "error-csrf");
    }
    sub.add_problems(&mut p);
    if !sub.oversized.is_empty() {
        p.add("body", "error-too-long");
    }
    let had_files = sub.had_files;
    let result = if p.is_empty() {
        let who = grant.contact_id.0.to_string();
        match s.app.intake_reply(&client.limit_key(), &who) {
            Err(t) => {
                let view = s
                    .app
                    .participant_view(&sess, &number)
                    .await
                    .map_err(core_err(&ctx))?;
                let mut data = ticket_page_data(&s, &ctx, view, form, had_files);
                data.intake_notice = Some(intake::throttled_message(
                    ctx.lang,
                    "intake-too-many-reply",
                    t,
                ));
                let res = html(&ctx, StatusCode::TOO_MANY_REQUESTS, &data)?;
                return Ok(intake::retry_after(res, t));
            }
            Ok(admission) => {
                let replied = s
                    .app
                    .participant_reply(
                        grant,
                        ReplyInput {
                            body: sub.get("body").to_owned(),
                            uploads: sub.uploads,
                        },
                    )
                    .await;
                if replied.is_err() {
                    s.app.intake_refund(admission);
                }
                replied
            }
        }
    } else {
        Err(CoreError::Invalid(p))
    };
    match result {
        Ok(()) => Ok(ctx.finish(Redirect::to(&format!("/tickets/{number}?replied=1#reply")))),
        Err(CoreError::Invalid(p)) => {
            let view = s
                .app
                .participant_view(&sess, &number)
                .await
                .map_err(core_err(&ctx))?;
            let data = ticket_page_data(&s, &ctx, view, form.with_problem(ctx.lang, &p), had_files);
            html(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &data)
        }
        Err(e) => Err(PageError::from_core(ctx.lang, e)),
    }
}

async fn download(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, _name)): Path<(i64, String)>,
) -> PageResult {
    let sess = ctx.session.clone().ok_or(PageError::not_found(ctx.lang))?;
    let (a, file) = s
        .app
        .participant_attachment(&sess, id)
        .await
        .map_err(core_err(&ctx))?;
    Ok(deliver(&s, &a, file).await)
}

/// `next` if a browser can only read it as a path on this site, else `None`.
///
/// Browsers are lenient with `Location`: they drop tabs and line breaks anywhere, trim
/// spaces and control characters, and read a backslash as `/`, so `/%09/evil.example`, `/%5Cevil` or
/// `/ /evil` become `//evil.example`, a link to another site. Only printable ASCII
/// without a backslash is followed, starting with one `/` and no second: such a value is a
/// path to every URL parser. Every link the pages make qualifies (`lang_link` sends the
/// request's own path and query, which are printable ASCII already).
fn same_site_path(next: &str) -> Option<&str> {
    let b = next.as_bytes();
    let printable = b.iter().all(|c| (0x21..=0x7e).contains(c) && *c != b'\\');
    (printable && b.first() == Some(&b'/') && b.get(1) != Some(&b'/')).then_some(next)
}

#[derive(Deserialize)]
struct LangQuery {
    next: Option<String>,
}

async fn set_lang(ctx: Ctx, Path(code): Path<String>, Query(q): Query<LangQuery>) -> Response {
    let next = q.next.as_deref().and_then(same_site_path).unwrap_or("/");
    let mut res = Redirect::to(next).into_response();
    if let Some(lang) = Lang::parse(&code) {
        let c = ctx.cookie_header(LANG_COOKIE, lang.as_str(), 400 * 24 * 3600, false);
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    ctx.finish(res)
}

async fn sign_out(State(s): State<AppState>, ctx: Ctx, AxForm(f): AxForm<CsrfOnly>) -> PageResult {
    end_session(&s, &ctx, &f.csrf, "/").await
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_domain::TicketStatus;

    #[test]
    fn the_language_switch_follows_only_paths_of_this_site() {
        for ok in [
            "/",
            "/tickets/123?x=%2F%2Fa",
            "/open",
            "/a//b",
            "/%2F%2Fevil",
        ] {
            assert_eq!(same_site_path(ok), Some(ok), "{ok}");
        }
        for bad in [
            "/\t/evil.example",
            "//evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "///evil.example",
            "/ /evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            "/\u{0}/evil.example",
            " //evil.example",
            "https://evil.example/",
            "http:evil.example",
            "javascript:alert(1)",
            "evil.example",
            "/\u{a0}/evil.example",
            "/\u{3000}/evil.example",
            "",
        ] {
            assert_eq!(same_site_path(bad), None, "{bad:?}");
        }
    }

    // Default case count (256); `PROPTEST_CASES` raises it for a long run.
    proptest::proptest! {
        /// Whatever `next` holds, what is followed stays a path on this site after a
        /// browser's clean-up (WHATWG URL: C0 controls and spaces trimmed, tabs and line
        /// breaks dropped, `\` read as `/` in http URLs).
        #[test]
        fn prop_language_switch_never_leaves_the_site(next in "(/|//|\\\\|[\\t\\n\\r \\x00\\x1f]|[a-z:.%]|\\PC){0,12}") {
            if let Some(p) = same_site_path(&next) {
                let seen: String = p
                    .trim_matches(|c: char| c <= ' ')
                    .chars()
                    .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
                    .map(|c| if c == '\\' { '/' } else { c })
                    .collect();
                proptest::prop_assert!(seen.starts_with('/') && !seen.starts_with("//"), "{:?}", p);
                proptest::prop_assert_eq!(seen.as_str(), p);
            }
        }
    }

    #[test]
    fn status_labels_exist() {
        for s in TicketStatus::ALL {
            let key = format!("status-{}", s.as_str());
            assert_ne!(tessera_i18n::t(Lang::De, &key), key);
        }
    }
}

/// The status check offered on a ticket's page to a browser that may not see the ticket:
/// its number filled in, and the "all my tickets" link. 401 (the ticket needs its number
/// and address, or a link) whether the ticket exists or not.
fn ticket_status_instead(s: &AppState, ctx: &Ctx, number: &str) -> PageResult {
    let mut form = Form::new();
    form.set("number", number.chars().take(40).collect());
    let page = StatusPage {
        p: page(s, ctx),
        form,
        failed: false,
        expired: true,
    };
    html(ctx, StatusCode::UNAUTHORIZED, &page)
}

#[derive(Deserialize)]
struct LinkInput {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// "Send me a link to all my tickets". Limited like the status check (per client address,
/// and mails per address), and answered the same whether the address has tickets.
async fn my_tickets_link(
    State(s): State<AppState>,
    ctx: Ctx,
    AxForm(input): AxForm<LinkInput>,
) -> PageResult {
    let mut p = Problem::default();
    if !ctx.csrf_ok(&input.csrf) {
        p.add("form", "error-csrf");
    }
    if input.email.trim().is_empty() {
        p.add("email", "error-required");
    } else if tessera_domain::EmailAddress::parse(&input.email).is_none() {
        p.add("email", "error-email");
    }
    if !p.is_empty() {
        let mut form = Form::new();
        form.set("email", input.email.clone());
        let page = TicketsPage {
            p: page(&s, &ctx),
            verified: None,
            link_form: form.with_problem(ctx.lang, &p),
            link_sent: false,
            tickets: Vec::new(),
            any: false,
            q: String::new(),
        };
        return html(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let w = &s.web;
    let ip_key = format!("status-ip:{}", ctx.client.limit_key());
    if !s
        .limiter
        .allow(&ip_key, w.status_attempts_per_ip, w.status_window)
    {
        return Err(PageError::too_many(ctx.lang));
    }
    let email = input.email.trim().to_lowercase();
    // Each address gets a few such mails per window at most, whoever asks.
    if s.limiter.allow(
        &format!("my-tickets-mail:{email}"),
        w.status_attempts_per_ticket,
        w.status_window,
    ) {
        s.app
            .mail_my_tickets_link(&input.email)
            .await
            .map_err(core_err(&ctx))?;
    }
    Ok(ctx.finish(Redirect::to("/tickets?sent=1")))
}

/// A mailed "all my tickets" link: a new session holding the address, then the list.
async fn my_tickets_redeem(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> PageResult {
    match s
        .app
        .redeem_my_tickets_link(ctx.session.as_ref(), &token)
        .await
    {
        Ok((sess, cookie)) => {
            let cfg = s.app.config();
            let max_age = if sess.agent_id.is_some() {
                cfg.agent_session_absolute_secs
            } else {
                cfg.session_absolute_secs
            };
            let c = ctx.cookie_header(SESSION_COOKIE, &cookie, max_age, true);
            let mut res = redirect_with(&ctx, "/tickets", Some(c));
            no_referrer(&mut res);
            Ok(res)
        }
        Err(CoreError::NotFound) => {
            let page = AccessInvalidPage { p: page(&s, &ctx) };
            let mut res = html(&ctx, StatusCode::NOT_FOUND, &page)?;
            no_referrer(&mut res);
            Ok(res)
        }
        Err(e) => Err(PageError::from_core(ctx.lang, e)),
    }
}
