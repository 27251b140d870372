//! The agent area's pages: sign-in and password ([`sign_in`]), the queues and search with
//! bulk actions ([`queue`]), the ticket page ([`ticket`]) and what its forms do
//! ([`actions`]). The signed-in agent and the frame every agent page shares are in
//! [`crate::agent_ctx`], below every page.

mod actions;
mod compose;
mod live;
mod profile;
mod queue;
mod sign_in;
mod ticket;

use axum::{Router, response::Redirect, routing::get};

use crate::AppState;

/// The agent area's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/agent",
            get(|| async { Redirect::to("/agent/queue/open") }),
        )
        .merge(sign_in::router())
        .merge(queue::router())
        .merge(ticket::router())
        .merge(actions::router())
        .merge(profile::router())
        .merge(compose::router())
        .merge(live::router())
}

/// Where to go after signing in or a bulk action: a path of the agent area, nothing else.
fn safe_next(next: Option<&str>) -> String {
    next.filter(|n| n.starts_with("/agent") && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or("/agent/queue/open")
        .to_owned()
}

/// The choices of the dropdowns that queue and ticket pages share.
struct Choices {
    departments: Vec<(i64, String)>,
    topics: Vec<(i64, String)>,
    agents: Vec<(i64, String)>,
    teams: Vec<(i64, String)>,
}

/// The dropdowns' choices, from the directory as of the request's session.
fn choices(d: &tessera_core::Directory, lang: tessera_domain::Lang) -> Choices {
    Choices {
        departments: d.departments.clone(),
        topics: d.topics(lang),
        agents: d
            .agent_names()
            .into_iter()
            .map(|(id, name)| match d.is_away(id) {
                true => (
                    id,
                    tessera_i18n::t_args(lang, "agent-away-name", &[("name", &name)]),
                ),
                false => (id, name),
            })
            .collect(),
        teams: d.teams.clone(),
    }
}
