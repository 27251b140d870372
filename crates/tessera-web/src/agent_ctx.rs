//! The agent area's shared pieces, below every agent and admin page: the signed-in agent
//! (`AgentCtx`, an extractor that sends everyone else to the sign-in page), the page frame
//! with the agent's name, the directory as of the agent's session, and the ticket page's
//! address.

use axum::{
    extract::FromRequestParts,
    http::{StatusCode, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use tessera_core::{Reader, SignedIn, Worker};

use crate::{AppState, Ctx, cookies::LANG_COOKIE, error::PageError, render::Page};

/// A signed-in agent with the request context.
pub struct AgentCtx {
    pub(crate) ctx: Ctx,
    /// The agent as core found them behind the session (reads as an `Agent`).
    pub(crate) agent: SignedIn,
}

impl FromRequestParts<AppState> for AgentCtx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let ctx = Ctx::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let agent = match &ctx.session {
            Some(s) => state
                .app
                .session_agent(s)
                .await
                .map_err(|e| PageError::from_core(ctx.lang, e).into_response())?,
            None => None,
        };
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/agent");
        let Some(agent) = agent else {
            // Background requests (presence) get a status, not a sign-in page.
            if parts.uri.path().ends_with("/presence") {
                return Err(StatusCode::UNAUTHORIZED.into_response());
            }
            let next =
                percent_encoding::utf8_percent_encode(path, percent_encoding::NON_ALPHANUMERIC);
            return Err(Redirect::to(&format!("/agent/login?next={next}")).into_response());
        };
        if agent.must_change_password && parts.uri.path() != "/agent/password" {
            return Err(Redirect::to("/agent/password").into_response());
        }
        let mut ctx = ctx;
        ctx.lang = agent.lang;
        if let Some(l) = ctx
            .read_cookie(&parts.headers, LANG_COOKIE)
            .and_then(tessera_domain::Lang::parse)
        {
            ctx.lang = l;
        }
        Ok(AgentCtx { ctx, agent })
    }
}

impl AgentCtx {
    /// The agent, changing tickets (core still asks per ticket whether they may).
    pub(crate) fn worker(&self) -> Worker<'_> {
        self.agent.worker()
    }

    /// The agent, reading tickets.
    pub(crate) fn reader(&self) -> Reader<'_> {
        self.agent.reader()
    }
}

/// The page frame for an agent page.
pub(crate) fn agent_page(s: &AppState, a: &AgentCtx) -> Page {
    let mut p = Page::new(&a.ctx, &s.app.settings());
    p.agent = Some(a.agent.display_name.clone());
    if let Some(tz) = a.agent.time_zone {
        p.tz = tz;
    }
    p.admin = a.agent.is_admin;
    p
}

/// The directory as of the request's session.
pub(crate) async fn directory(
    s: &AppState,
    a: &AgentCtx,
) -> Result<std::sync::Arc<tessera_core::Directory>, PageError> {
    let generation = a.ctx.session.as_ref().and_then(|x| x.directory);
    s.app
        .directory(generation)
        .await
        .map_err(|e| PageError::from_core(a.ctx.lang, e))
}

/// The address of a ticket's page in the agent area.
pub(crate) fn ticket_url(number: &str) -> String {
    format!(
        "/agent/tickets/{}",
        percent_encoding::utf8_percent_encode(number, percent_encoding::NON_ALPHANUMERIC)
    )
}
