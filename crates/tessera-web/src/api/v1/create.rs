//! Opening a ticket on a requester's behalf: the same use case as osTicket's
//! `/api/tickets.json` (`open_api_ticket`), with a JSON body of Tessera's own shape.

use std::collections::BTreeMap;

use axum::{
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use tessera_core::{ApiMessage, ApiTicketInput, CoreError};
use tessera_domain::Problem;
use utoipa::ToSchema;

use super::{ApiJson, ApiResult, WriteProblems, actions::NewAttachment, actions::uploads};
use crate::{AppState, api::Api, api::ApiProblem};

fn yes() -> bool {
    true
}

/// An answer to a custom field: text, or several choices.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub(crate) enum NewFieldAnswer {
    One(String),
    Many(Vec<String>),
}

/// A new ticket.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewTicket {
    /// The requester's full name.
    #[schema(pattern = r"\S", max_length = 100)]
    pub name: String,
    /// The requester's address; replies go there.
    #[schema(format = Email)]
    pub email: String,
    #[schema(pattern = r"\S", max_length = 200)]
    pub subject: String,
    /// The first message, plain text (line breaks kept); not blank.
    #[schema(pattern = r"\S", max_length = 50000)]
    pub message: String,
    /// An active help topic (see `/topics`); absent or null: the first public one.
    #[serde(default)]
    pub topic_id: Option<i64>,
    /// Absent or null: the topic's.
    #[serde(default)]
    pub priority: Option<super::tickets::PriorityName>,
    /// Alert the department's agents (default true).
    #[serde(default = "yes")]
    pub alert: bool,
    /// Mail the requester the confirmation with the access link (default true).
    #[serde(default = "yes")]
    pub autorespond: bool,
    /// Answers to the topic's custom fields by the field's machine name (names the
    /// topic does not have are ignored, as osTicket does).
    #[serde(default)]
    pub fields: BTreeMap<String, NewFieldAnswer>,
    /// At most 20 files.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub attachments: Vec<NewAttachment>,
}

/// The ticket just opened.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Created {
    /// Its public number.
    pub number: String,
    /// Where to read it.
    pub url: String,
}

/// Opens a ticket for a requester, exactly as the portal would (validation, attachment
/// rules, custom fields, mail). Needs a create or write key.
#[utoipa::path(
    post,
    path = "/tickets",
    tag = "tickets",
    request_body = NewTicket,
    responses((status = 201, description = "Opened", body = Created), WriteProblems)
)]
pub(crate) async fn create_ticket(
    State(s): State<AppState>,
    api: Api,
    ApiJson(input): ApiJson<NewTicket>,
) -> ApiResult<Response> {
    let opener = api
        .caller
        .opener()
        .map_err(|e| ApiProblem::from_core(api.lang, e))?;
    let files = uploads(&s, &api, input.attachments).await?;
    let fields = input
        .fields
        .into_iter()
        .map(|(k, v)| match v {
            NewFieldAnswer::One(one) => (k, vec![one]),
            NewFieldAnswer::Many(many) => (k, many),
        })
        .collect();
    let opened = s
        .app
        .open_api_ticket(
            opener,
            ApiTicketInput {
                name: input.name,
                email: input.email,
                subject: input.subject,
                message: ApiMessage::Text(input.message),
                topic_id: input.topic_id.map(|t| t.to_string()),
                priority: input.priority.map(|p| p.domain().as_str().to_owned()),
                ip: None,
                alert: input.alert,
                autorespond: input.autorespond,
                uploads: files,
                fields,
                problem: Problem::default(),
            },
        )
        .await
        .map_err(|e| match e {
            // The use case names fields as osTicket does; this API's are snake_case.
            CoreError::Invalid(p) => {
                let mut renamed = Problem::default();
                for e in p.errors {
                    match e.field.as_ref() {
                        "topicId" => renamed.add("topic_id", e.key),
                        _ => renamed.add_named(e.field.into_owned(), e.key),
                    }
                }
                ApiProblem::invalid(api.lang, &renamed)
            }
            e => ApiProblem::from_core(api.lang, e),
        })?;
    let url = format!("{}/tickets/{}", super::PREFIX, opened.number);
    let mut res = (
        StatusCode::CREATED,
        axum::Json(Created {
            number: opened.number,
            url: url.clone(),
        }),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&url) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}
