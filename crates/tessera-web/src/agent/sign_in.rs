//! Signing in and out of the agent area, and changing one's password.

use askama::Template;
use axum::{
    Form as AxForm, Router,
    extract::{Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect},
    routing::{get, post},
};
use serde::Deserialize;
use tessera_core::CoreError;
use tessera_domain::Problem;

use super::safe_next;
use crate::{
    AppState, Ctx,
    agent_ctx::{AgentCtx, agent_page},
    cookies::SESSION_COOKIE,
    error::PageError,
    page::{CsrfOnly, PageResult, html},
    render::{Form, Page},
    sign_out::end_session,
};

/// Sign-in, sign-out and password routes.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/agent/login", get(login_form).post(login_submit))
        .route("/agent/logout", post(logout))
        .route("/agent/password", get(password_form).post(password_submit))
}

#[derive(Template)]
#[template(path = "agent/login.html")]
struct LoginPage {
    p: Page,
    form: Form,
    failed: bool,
    saved: bool,
    next: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
    done: Option<String>,
}

async fn login_form(State(s): State<AppState>, ctx: Ctx, Query(q): Query<NextQuery>) -> PageResult {
    let page = LoginPage {
        p: Page::new(&ctx, &s.app.settings()),
        form: Form::new(),
        failed: false,
        saved: q.done.as_deref() == Some("password"),
        next: safe_next(q.next.as_deref()),
    };
    html(&ctx, StatusCode::OK, &page)
}

#[derive(Deserialize)]
struct LoginInput {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn login_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    AxForm(input): AxForm<LoginInput>,
) -> PageResult {
    let next = safe_next(input.next.as_deref());
    let mut form = Form::new();
    form.set("username", input.username.clone());
    let mut p = Problem::default();
    if !ctx.csrf_ok(&input.csrf) {
        p.add("form", "error-csrf");
    }
    if input.username.trim().is_empty() {
        p.add("username", "error-required");
    }
    if input.password.is_empty() {
        p.add("password", "error-required");
    }
    let org = s.app.settings();
    if !p.is_empty() {
        let page = LoginPage {
            p: Page::new(&ctx, &org),
            form: form.with_problem(ctx.lang, &p),
            failed: false,
            saved: false,
            next,
        };
        return html(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    // Failures are throttled per client address, and per account from that address: an
    // attacker elsewhere cannot lock the real agent out, and colleagues behind one proxy
    // or NAT do not use up each other's budget by signing in.
    let w = &s.web;
    let client = ctx.client.limit_key();
    let ip_key = format!("login-ip:{client}");
    let name_key = format!("login:{}:{client}", input.username.trim().to_lowercase());
    if !s
        .limiter
        .allow(&ip_key, w.login_attempts_per_ip, w.status_window)
    {
        return Err(PageError::too_many(ctx.lang));
    }
    if !s
        .limiter
        .allow(&name_key, w.login_attempts_per_account, w.status_window)
    {
        s.limiter.refund(&ip_key);
        return Err(PageError::too_many(ctx.lang));
    }
    let result = s
        .app
        .sign_in(
            &input.username,
            &input.password,
            ctx.session.as_ref(),
            &ctx.client.ip.to_string(),
        )
        .await;
    if !matches!(result, Err(CoreError::NotFound)) {
        // Only failed sign-ins count.
        s.limiter.refund(&ip_key);
        s.limiter.refund(&name_key);
    }
    match result {
        Ok((_, cookie)) => {
            s.limiter.reset(&name_key);
            let mut res = Redirect::to(&next).into_response();
            let c = ctx.cookie_header(
                SESSION_COOKIE,
                &cookie,
                s.app.config().agent_session_absolute_secs,
                true,
            );
            res.headers_mut().append(header::SET_COOKIE, c);
            Ok(ctx.finish(res))
        }
        Err(CoreError::NotFound) => {
            tracing::info!(ip = %ctx.client.ip, "failed agent sign-in");
            let page = LoginPage {
                p: Page::new(&ctx, &org),
                form,
                failed: true,
                saved: false,
                next,
            };
            html(&ctx, StatusCode::UNAUTHORIZED, &page)
        }
        Err(e) => Err(PageError::from_core(ctx.lang, e)),
    }
}

async fn logout(State(s): State<AppState>, ctx: Ctx, AxForm(f): AxForm<CsrfOnly>) -> PageResult {
    end_session(&s, &ctx, &f.csrf, "/agent/login").await
}

#[derive(Template)]
#[template(path = "agent/password.html")]
struct PasswordPage {
    p: Page,
    form: Form,
    forced: bool,
    min: usize,
    /// The first sign-in asks for the agent's own address too (`onboarding.rs`).
    ask_email: bool,
}

async fn password_form(State(s): State<AppState>, a: AgentCtx) -> PageResult {
    let page = PasswordPage {
        forced: a.agent.must_change_password,
        ask_email: s.app.needs_own_address(&a.agent),
        p: agent_page(&s, &a),
        form: Form::new(),
        min: tessera_core::MIN_PASSWORD,
    };
    html(&a.ctx, StatusCode::OK, &page)
}

#[derive(Deserialize)]
struct PasswordInput {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
    #[serde(default)]
    email: String,
}

async fn password_submit(
    State(s): State<AppState>,
    a: AgentCtx,
    AxForm(f): AxForm<PasswordInput>,
) -> PageResult {
    let ask_email = s.app.needs_own_address(&a.agent);
    let result = if !a.ctx.csrf_ok(&f.csrf) {
        let mut p = Problem::default();
        p.add("form", "error-csrf");
        Err(CoreError::Invalid(p))
    } else if ask_email {
        s.app
            .change_password_and_address(
                &a.agent,
                a.ctx.session.as_ref(),
                &f.current,
                &f.new,
                &f.repeat,
                &f.email,
            )
            .await
    } else {
        s.app
            .change_password(
                &a.agent,
                a.ctx.session.as_ref(),
                &f.current,
                &f.new,
                &f.repeat,
            )
            .await
    };
    match result {
        Ok(()) => Ok(a
            .ctx
            .finish(Redirect::to("/agent/queue/open?done=password"))),
        Err(CoreError::Invalid(p)) => {
            let mut form = Form::new();
            form.set("email", f.email.clone());
            let page = PasswordPage {
                forced: a.agent.must_change_password,
                ask_email,
                form: form.with_problem(a.ctx.lang, &p),
                p: agent_page(&s, &a),
                min: tessera_core::MIN_PASSWORD,
            };
            html(&a.ctx, StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(PageError::from_core(a.ctx.lang, e)),
    }
}
