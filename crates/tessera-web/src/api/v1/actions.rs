//! Changing tickets: every action of the agent UI's ticket page, through the same core use
//! cases. Each answers `204 No Content` when done; read the ticket again to see the result.
//!
//! Files travel inside the JSON as base64 (`attachments: [{name, data}]`); their type is
//! derived from the name and the allowed types and sizes are the UI's.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use base64::Engine;
use serde::Deserialize;
use tessera_core::{AgentReply, CoreError, Upload};
use tessera_domain::{AgentId, ContactId, DepartmentId, TeamId};
use utoipa::ToSchema;

use super::{
    ActionProblems, ApiJson, ApiPath, ApiResult, WriteProblems, invalid,
    tickets::{PriorityName, StatusName, plausible_number},
    writer,
};
use crate::{AppState, api::Api, api::ApiProblem};

/// A file sent with a reply or note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewAttachment {
    /// The file name; its extension decides the stored content type and must be one the
    /// administrators allow.
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
    /// The bytes, base64 (standard alphabet, padding optional); not empty.
    #[schema(
        content_encoding = "base64",
        min_length = 2,
        pattern = r"^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}(==)?|[A-Za-z0-9+/]{3}=?)?$"
    )]
    pub data: String,
}

/// A reply to the requester and collaborators.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReplyInput {
    /// The text (Markdown), mailed to the participants; not blank.
    #[schema(pattern = r"\S", max_length = 50000)]
    pub body: String,
    /// Set this status in the same step.
    #[serde(default)]
    pub status: Option<StatusName>,
    /// Only reply if nobody else wrote after this entry (the ticket's
    /// `latest_entry_by_others` as read); else `409`. Without it there is no check.
    #[serde(default)]
    pub seen_entry: Option<i64>,
    /// At most 20 files.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub attachments: Vec<NewAttachment>,
}

/// An internal note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoteInput {
    /// The text (Markdown); only agents see it; not blank.
    #[schema(pattern = r"\S", max_length = 50000)]
    pub body: String,
    /// Alert the assignee(s) by mail.
    #[serde(default)]
    pub alert_assignee: bool,
    /// At most 20 files.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub attachments: Vec<NewAttachment>,
}

/// Whom to assign to: an agent, a team, or both (at least one).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub(crate) struct AssignInput {
    /// An active agent (see `/agents`).
    #[serde(default)]
    #[schema(nullable = false)]
    pub agent_id: Option<i64>,
    /// An active team (see `/teams`).
    #[serde(default)]
    #[schema(nullable = false)]
    pub team_id: Option<i64>,
}

/// Where to move the ticket.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TransferInput {
    pub department_id: i64,
    /// Recorded as an internal note.
    #[serde(default)]
    #[schema(max_length = 50000)]
    pub comment: String,
}

/// A new status.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatusInput {
    pub status: StatusName,
}

/// A new priority.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PriorityInput {
    pub priority: PriorityName,
}

/// A due date, or none.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DueInput {
    /// `YYYY-MM-DD` (due at the end of that day, UTC); null clears it.
    #[schema(format = Date)]
    pub due: Option<String>,
}

/// A collaborator to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CollaboratorInput {
    #[schema(format = Email)]
    pub email: String,
    /// Display name; default the address's local part.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub name: String,
}

fn done(r: Result<(), CoreError>, api: &Api) -> ApiResult<Response> {
    r.map(|()| StatusCode::NO_CONTENT.into_response())
        .map_err(|e| ApiProblem::from_core(api.lang, e))
}

/// Decodes the files into temporary storage; the core checks their types and sizes.
pub(super) async fn uploads(
    s: &AppState,
    api: &Api,
    files: Vec<NewAttachment>,
) -> ApiResult<Vec<Upload>> {
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        let bytes = engine
            .decode(f.data.trim())
            .map_err(|_| invalid(api, "attachments", "error-api-base64"))?;
        // A cleaned name is never empty: only the bytes can be missing.
        if bytes.is_empty() {
            return Err(invalid(api, "attachments", "error-api-base64"));
        }
        // A full or failing disk is 503, as any other storage failure.
        let upload = s
            .app
            .upload(&f.name, &bytes)
            .await
            .map_err(|e| ApiProblem::from_core(api.lang, e))?;
        out.push(upload);
    }
    Ok(out)
}

/// Replies to the requester and collaborators, as the agent UI's reply form: an unassigned
/// ticket is claimed, the status may change in the same step, the participants get mail.
#[utoipa::path(
    post,
    path = "/tickets/{number}/replies",
    tag = "actions",
    params(("number" = String, Path, description = "The ticket's number")),
    request_body = ReplyInput,
    responses((status = 204, description = "Replied"), WriteProblems)
)]
pub(crate) async fn reply(
    State(s): State<AppState>,
    api: Api,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<ReplyInput>,
) -> ApiResult<Response> {
    let agent = writer(&api)?;
    plausible_number(&api, &number)?;
    let files = uploads(&s, &api, input.attachments).await?;
    let r = AgentReply {
        body: input.body,
        uploads: files,
        status: input.status.map(StatusName::domain),
        seen_entry: input.seen_entry.unwrap_or(0),
        confirm_stale: input.seen_entry.is_none(),
        append_signature: false,
    };
    done(s.app.agent_reply(agent, &number, r).await, &api)
}

/// Writes an internal note, optionally alerting the assignee.
#[utoipa::path(
    post,
    path = "/tickets/{number}/notes",
    tag = "actions",
    params(("number" = String, Path, description = "The ticket's number")),
    request_body = NoteInput,
    responses((status = 204, description = "Noted"), WriteProblems)
)]
pub(crate) async fn note(
    State(s): State<AppState>,
    api: Api,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<NoteInput>,
) -> ApiResult<Response> {
    let agent = writer(&api)?;
    plausible_number(&api, &number)?;
    let files = uploads(&s, &api, input.attachments).await?;
    done(
        s.app
            .note(agent, &number, &input.body, files, input.alert_assignee)
            .await,
        &api,
    )
}

/// Assigns to an agent and/or a team; the assignee is alerted and the requester told.
#[utoipa::path(
    post,
    path = "/tickets/{number}/assign",
    tag = "actions",
    params(("number" = String, Path, description = "The ticket's number")),
    request_body = AssignInput,
    responses((status = 204, description = "Assigned"), WriteProblems)
)]
pub(crate) async fn assign(
    State(s): State<AppState>,
    api: Api,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<AssignInput>,
) -> ApiResult<Response> {
    let agent = writer(&api)?;
    plausible_number(&api, &number)?;
    done(
        s.app
            .assign(
                agent,
                &number,
                input.agent_id.map(AgentId),
                input.team_id.map(TeamId),
            )
            .await,
        &api,
    )
}

/// Takes the ticket for the key's agent.
#[utoipa::path(
    post,
    path = "/tickets/{number}/claim",
    tag = "actions",
    params(("number" = String, Path, description = "The ticket's number")),
    responses((status = 204, description = "Claimed"), ActionProblems)
)]
pub(crate) async fn claim(
    State(s): State<AppState>,
    api: Api,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Response> {
    let agent = writer(&api)?;
    plausible_number(&api, &number)?;
    done(s.app.claim(agent, &number).await, &api)
}

/// Gives the ticket back: no agent is assigned (a team keeps it).
#[utoipa::path(
    post,
    path = "/tickets/{number}/release",
    tag = "actions",
    params(("number" = String, Path, description = "The ticket's number")),
    responses((status = 204, description = "Released"), ActionProblems)
)]
pub(crate) async fn release(
    State(s): State<AppState>,
    api: Api,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Response> {
    let agent = writer(&api)?;
    plausible_number(&api, &number)?;
    done(s.app.release(agent, &number).await, &api)
}

/// Moves the ticket to another department; the comment becomes an internal note.
#[utoipa::path(
    post,
    path = "/tickets/{number}/transfer",
    tag = "actions",
    params(("number" = String, Path, description = "The ticket's number")),
    request_body = TransferInput,
    responses((status = 204, description = "Transferred"), WriteProblems)
)]
pub(crate) async fn transfer(
    State(s): State<AppState>,
    api: Api,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<TransferInput>,
) -> ApiResult<Response> {
    let agent = writer(&api)?;
    plausible_number(&api, &number)?;
    done(
        s.app
            .transfer(
                agent,
                &number,
                DepartmentId(input.department_id),
                &input.comment,
            )
            .await,
        &api,
    )
}

/// Changes the status (reopening is setting `open`).
#[utoipa::path(
    post,
    path = "/tickets/{number}/status",
    tag = "actions",
    params(("number" = String, Path, description = "The ticket's number")),
    request_body = StatusInput,
    responses((status = 204, description = "Changed"), WriteProblems)
)]
pub(crate) async fn set_status(
    State(s): State<AppState>,
    api: Api,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<StatusInput>,
) -> ApiResult<Response> {
    let agent = writer(&api)?;
    plausible_number(&api, &number)?;
    done(
        s.app
            .change_status(agent, &number, input.status.domain())
            .await,
        &api,
    )
}

/// Changes the priority.
#[utoipa::path(
    post,
    path = "/tickets/{number}/priority",
    tag = "actions",
    params(("number" = String, Path, description = "The ticket's number")),
    request_body = PriorityInput,
    responses((status = 204, description = "Changed"), WriteProblems)
)]
pub(crate) async fn set_priority(
    State(s): State<AppState>,
    api: Api,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<PriorityInput>,
) -> ApiResult<Response> {
    let agent = writer(&api)?;
    plausible_number(&api, &number)?;
    done(
        s.app
            .change_priority(agent, &number, input.priority.domain())
            .await,
        &api,
    )
}

/// Sets or clears the due date.
#[utoipa::path(
    post,
    path = "/tickets/{number}/due",
    tag = "actions",
    params(("number" = String, Path, description = "The ticket's number")),
    request_body = DueInput,
    responses((status = 204, description = "Changed"), WriteProblems)
)]
pub(crate) async fn set_due(
    State(s): State<AppState>,
    api: Api,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<DueInput>,
) -> ApiResult<Response> {
    let agent = writer(&api)?;
    plausible_number(&api, &number)?;
    let due = input.due.unwrap_or_default();
    if due.trim().is_empty() && !due.is_empty() {
        return Err(invalid(&api, "due", "error-date"));
    }
    done(s.app.change_due(agent, &number, &due).await, &api)
}

/// Adds a collaborator by address; they get their own access link by mail.
#[utoipa::path(
    post,
    path = "/tickets/{number}/collaborators",
    tag = "actions",
    params(("number" = String, Path, description = "The ticket's number")),
    request_body = CollaboratorInput,
    responses((status = 204, description = "Added (or already there)"), WriteProblems)
)]
pub(crate) async fn add_collaborator(
    State(s): State<AppState>,
    api: Api,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<CollaboratorInput>,
) -> ApiResult<Response> {
    let agent = writer(&api)?;
    plausible_number(&api, &number)?;
    done(
        s.app
            .add_collaborator(agent, &number, &input.email, &input.name)
            .await,
        &api,
    )
}

/// Removes a collaborator (by contact id, as listed on the ticket); their links stop working.
#[utoipa::path(
    delete,
    path = "/tickets/{number}/collaborators/{contact_id}",
    tag = "actions",
    params(
        ("number" = String, Path, description = "The ticket's number"),
        ("contact_id" = i64, Path, description = "The collaborator's contact id")
    ),
    responses((status = 204, description = "Removed (or was not one)"), ActionProblems)
)]
pub(crate) async fn remove_collaborator(
    State(s): State<AppState>,
    api: Api,
    ApiPath((number, contact)): ApiPath<(String, i64)>,
) -> ApiResult<Response> {
    let agent = writer(&api)?;
    plausible_number(&api, &number)?;
    done(
        s.app
            .remove_collaborator(agent, &number, ContactId(contact))
            .await,
        &api,
    )
}
