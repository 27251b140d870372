//! What tickets refer to: help topics, departments, teams and agents (the active ones, as
//! the agent UI offers them in its menus; never a secret).

use std::sync::Arc;

use axum::{extract::State, response::Response};
use serde::Serialize;
use tessera_core::Directory;
use tessera_domain::Lang;
use utoipa::ToSchema;

use super::{ApiResult, ReadProblems, ok, reader, tickets::Named};
use crate::{AppState, api::Api, api::ApiProblem};

/// A help topic.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Topic {
    pub id: i64,
    /// The name in the request's language.
    pub name: String,
    pub name_de: String,
    pub name_en: String,
}

/// An agent.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AgentInfo {
    pub id: i64,
    pub name: String,
    pub email: String,
}

/// The directory as of the key's reading (kept per generation, so usually not read again).
async fn directory(s: &AppState, api: &Api) -> ApiResult<Arc<Directory>> {
    s.app
        .directory_for_key(&api.caller)
        .await
        .map_err(|e| ApiProblem::from_core(api.lang, e))
}

/// Active help topics.
#[utoipa::path(
    get,
    path = "/topics",
    tag = "directory",
    responses((status = 200, description = "The topics", body = Vec<Topic>), ReadProblems)
)]
pub(crate) async fn topics(State(s): State<AppState>, api: Api) -> ApiResult<Response> {
    reader(&api)?;
    let d = directory(&s, &api).await?;
    Ok(ok(d
        .topics
        .iter()
        .map(|(id, name_de, name_en)| Topic {
            id: *id,
            name: if api.lang == Lang::De {
                name_de.clone()
            } else {
                name_en.clone()
            },
            name_de: name_de.clone(),
            name_en: name_en.clone(),
        })
        .collect::<Vec<_>>()))
}

/// Active departments.
#[utoipa::path(
    get,
    path = "/departments",
    tag = "directory",
    responses((status = 200, description = "The departments", body = Vec<Named>), ReadProblems)
)]
pub(crate) async fn departments(State(s): State<AppState>, api: Api) -> ApiResult<Response> {
    reader(&api)?;
    let d = directory(&s, &api).await?;
    Ok(ok(d
        .departments
        .iter()
        .map(|(id, name)| Named {
            id: *id,
            name: name.clone(),
        })
        .collect::<Vec<_>>()))
}

/// Active teams.
#[utoipa::path(
    get,
    path = "/teams",
    tag = "directory",
    responses((status = 200, description = "The teams", body = Vec<Named>), ReadProblems)
)]
pub(crate) async fn teams(State(s): State<AppState>, api: Api) -> ApiResult<Response> {
    reader(&api)?;
    let d = directory(&s, &api).await?;
    Ok(ok(d
        .teams
        .iter()
        .map(|(id, name)| Named {
            id: *id,
            name: name.clone(),
        })
        .collect::<Vec<_>>()))
}

/// Active agents.
#[utoipa::path(
    get,
    path = "/agents",
    tag = "directory",
    responses((status = 200, description = "The agents", body = Vec<AgentInfo>), ReadProblems)
)]
pub(crate) async fn agents(State(s): State<AppState>, api: Api) -> ApiResult<Response> {
    reader(&api)?;
    let d = directory(&s, &api).await?;
    Ok(ok(d
        .agent_contacts()
        .into_iter()
        .map(|a| AgentInfo {
            id: a.id.0,
            name: a.name,
            email: a.email,
        })
        .collect::<Vec<_>>()))
}
