//! Signing out, for the requester portal and the agent area alike: the session ends and
//! its cookie goes; a stale form shows the one button again.

use askama::Template;
use axum::{
    http::{StatusCode, header},
    response::{IntoResponse, Redirect},
};

use crate::{
    AppState, Ctx,
    cookies::SESSION_COOKIE,
    error::PageError,
    page::{PageResult, html},
    render::Page,
};

/// The sign-out button again, when its form's token was refused.
#[derive(Template)]
#[template(path = "signout.html")]
struct SignOutPage {
    p: Page,
    /// Where the button posts (the path that was posted to).
    action: String,
    error: String,
}

/// Ends the browser's session (requester or agent) and sends it to `to`.
pub(crate) async fn end_session(s: &AppState, ctx: &Ctx, csrf: &str, to: &str) -> PageResult {
    if !ctx.csrf_ok(csrf) {
        // As every form: shown again (here: the one button) with the message.
        let p = Page::new(ctx, &s.app.settings());
        let signout = SignOutPage {
            action: ctx.path.split('?').next().unwrap_or("/").to_owned(),
            error: p.t("error-csrf"),
            p,
        };
        return html(ctx, StatusCode::UNPROCESSABLE_ENTITY, &signout);
    }
    if let Some(sess) = &ctx.session {
        s.app
            .end_session(sess)
            .await
            .map_err(|e| PageError::from_core(ctx.lang, e))?;
    }
    let gone = ctx.cookie_header(SESSION_COOKIE, "", 0, true);
    let mut res = Redirect::to(to).into_response();
    res.headers_mut().append(header::SET_COOKIE, gone);
    Ok(ctx.finish(res))
}
