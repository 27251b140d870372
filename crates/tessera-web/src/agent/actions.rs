//! What the ticket page's forms do: reply, internal note, and the small actions (assign,
//! claim, transfer, status, priority, due date, collaborators).

use askama::Template;
use axum::http::StatusCode;
use axum::{
    Form as AxForm, Router,
    extract::{Path, Request, State},
    response::Redirect,
    routing::post,
};
use serde::Deserialize;
use tessera_core::{AgentReply, Copies, CoreError, StateChange};
use tessera_domain::{
    AgentId, ContactId, DepartmentId, Priority, Problem, TeamId, ThreadEntryId, TicketStatus,
};

use super::ticket::{render_ticket, render_ticket_forms};
use crate::{
    AppState,
    agent_ctx::{AgentCtx, agent_page, ticket_url},
    error::PageError,
    page::{PageResult, html},
    render::Form,
    upload,
};

/// The routes the ticket page's forms post to.
pub(super) fn router() -> Router<AppState> {
    // The upload routes bound their bodies themselves (`upload::read`).
    Router::new()
        .route("/agent/tickets/{number}/reply", post(reply))
        .route("/agent/tickets/{number}/note", post(note))
        .route("/agent/tickets/{number}/action", post(action))
}

async fn reply(
    State(s): State<AppState>,
    a: AgentCtx,
    Path(number): Path<String>,
    req: Request,
) -> PageResult {
    let lang = a.ctx.lang;
    // `a` first: the sign-in and origin checks run before the body is read.
    let sub = upload::read(req, &s.app, lang, "attachments").await?;
    let mut form = Form::new();
    form.set("body", sub.get("body").to_owned());
    form.set("status", sub.get("status").to_owned());
    // Sent: the box was ticked; the form shown again keeps the choice ("0": unticked).
    let sign = sub.get("signature") == "1";
    form.set("signature", if sign { "1" } else { "0" }.to_owned());
    form.set("cc", sub.get("cc").to_owned());
    form.set("bcc", sub.get("bcc").to_owned());
    let mut p = Problem::default();
    if !a.ctx.csrf_ok(sub.get("csrf")) {
        p.add("form", "error-csrf");
    }
    sub.add_problems(&mut p);
    if !p.is_empty() {
        let form = form.with_problem(lang, &p);
        return render_ticket(
            &s,
            &a,
            &number,
            form,
            Form::new(),
            false,
            Default::default(),
        )
        .await;
    }
    let copies = Copies {
        cc: sub.get("cc").to_owned(),
        bcc: sub.get("bcc").to_owned(),
    };
    let r = AgentReply {
        body: sub.get("body").to_owned(),
        status: TicketStatus::parse(sub.get("status")),
        seen_entry: sub.get("seen").parse().unwrap_or(0),
        confirm_stale: sub.get("confirm") == "1",
        append_signature: sign,
        uploads: sub.uploads,
    };
    match s
        .app
        .agent_reply_copies(a.worker(), &number, r, &copies)
        .await
    {
        Ok(()) => Ok(a
            .ctx
            .finish(Redirect::to(&format!("{}?done=reply", ticket_url(&number))))),
        Err(CoreError::Stale) => {
            render_ticket(&s, &a, &number, form, Form::new(), true, Default::default()).await
        }
        Err(CoreError::Invalid(p)) => {
            render_ticket(
                &s,
                &a,
                &number,
                form.with_problem(lang, &p),
                Form::new(),
                false,
                Default::default(),
            )
            .await
        }
        Err(CoreError::Forbidden) => Ok(a.ctx.finish(Redirect::to(&format!(
            "{}?error=error-not-allowed",
            ticket_url(&number)
        )))),
        Err(e) => Err(PageError::from_core(lang, e)),
    }
}

async fn note(
    State(s): State<AppState>,
    a: AgentCtx,
    Path(number): Path<String>,
    req: Request,
) -> PageResult {
    let lang = a.ctx.lang;
    // `a` first: the sign-in and origin checks run before the body is read.
    let sub = upload::read(req, &s.app, lang, "attachments").await?;
    let mut form = Form::new();
    form.set("note", sub.get("note").to_owned());
    let mut p = Problem::default();
    if !a.ctx.csrf_ok(sub.get("csrf")) {
        p.add("form", "error-csrf");
    }
    sub.add_problems(&mut p);
    let result = if p.is_empty() {
        let (text, alert) = (sub.get("note").to_owned(), sub.get("alert") == "1");
        s.app
            .note(a.worker(), &number, &text, sub.uploads, alert)
            .await
    } else {
        Err(CoreError::Invalid(p))
    };
    match result {
        Ok(()) => Ok(a
            .ctx
            .finish(Redirect::to(&format!("{}?done=note", ticket_url(&number))))),
        Err(CoreError::Invalid(p)) => {
            render_ticket(
                &s,
                &a,
                &number,
                Form::new(),
                form.with_problem(lang, &p),
                false,
                Default::default(),
            )
            .await
        }
        Err(CoreError::Forbidden) => Ok(a.ctx.finish(Redirect::to(&format!(
            "{}?error=error-not-allowed",
            ticket_url(&number)
        )))),
        Err(e) => Err(PageError::from_core(lang, e)),
    }
}

/// The small forms of the ticket page: one endpoint, the `do` field says which.
#[derive(Deserialize)]
struct ActionInput {
    #[serde(default)]
    csrf: String,
    #[serde(rename = "do", default)]
    what: String,
    #[serde(default)]
    agent: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    entry: String,
    /// "1" once the agent confirmed an action that asks first (revoking access).
    #[serde(default)]
    confirm: String,
}

/// The step before revoking access links, for browsers without script (with script, a
/// dialog on the ticket page asks).
#[derive(Template)]
#[template(path = "agent/confirm_revoke.html")]
struct ConfirmRevoke {
    p: crate::render::Page,
    number: String,
    subject: String,
    back: String,
    name: String,
    contact: i64,
}

async fn action(
    State(s): State<AppState>,
    a: AgentCtx,
    Path(number): Path<String>,
    AxForm(f): AxForm<ActionInput>,
) -> PageResult {
    let lang = a.ctx.lang;
    if !a.ctx.csrf_ok(&f.csrf) {
        // As every refused action of this page: the ticket again, with the message.
        let url = ticket_url(&number);
        return Ok(a
            .ctx
            .finish(Redirect::to(&format!("{url}?error=error-csrf"))));
    }
    let app = &s.app;
    let ag = a.worker();
    let id = |v: &str| v.parse::<i64>().ok();
    let result = match f.what.as_str() {
        "assign" => {
            app.assign(
                ag,
                &number,
                id(&f.agent).map(AgentId),
                id(&f.team).map(TeamId),
            )
            .await
        }
        "claim" => app.claim(ag, &number).await,
        "release" => app.release(ag, &number).await,
        "transfer" => match id(&f.department) {
            Some(d) => app.transfer(ag, &number, DepartmentId(d), &f.comment).await,
            None => Err(invalid("error-department")),
        },
        "status" => match TicketStatus::parse(&f.status) {
            Some(st) => app.change_status(ag, &number, st).await,
            None => Err(invalid("error-status")),
        },
        "state" => match (TicketStatus::parse(&f.status), Priority::parse(&f.priority)) {
            (Some(status), Some(priority)) => {
                let c = StateChange {
                    status,
                    priority,
                    due: &f.due,
                };
                app.change_state(ag, &number, &c).await
            }
            (None, _) => Err(invalid("error-status")),
            (_, None) => Err(invalid("error-priority")),
        },
        "priority" => match Priority::parse(&f.priority) {
            Some(pr) => app.change_priority(ag, &number, pr).await,
            None => Err(invalid("error-priority")),
        },
        "due" => app.change_due(ag, &number, &f.due).await,
        "collaborator-add" => app.add_collaborator(ag, &number, &f.email, &f.name).await,
        "revoke-access" if f.confirm != "1" => {
            return confirm_revoke(&s, &a, &number, id(&f.contact)).await;
        }
        "revoke-access" => match id(&f.contact) {
            Some(c) => app.revoke_access(ag, &number, ContactId(c)).await,
            None => Err(invalid("error-required")),
        },
        "accept-mail" => match id(&f.entry) {
            Some(e) => app.accept_held_mail(ag, &number, ThreadEntryId(e)).await,
            None => Err(invalid("error-required")),
        },
        "collaborator-remove" => match id(&f.contact) {
            Some(c) => app.remove_collaborator(ag, &number, ContactId(c)).await,
            None => Err(invalid("error-required")),
        },
        _ => Err(invalid("error-required")),
    };
    let url = ticket_url(&number);
    match result {
        Ok(()) => {
            // A transfer can take the ticket out of the agent's sight: back to the queue then.
            let visible = app
                .agent_can_see(ag.reader(), &number)
                .await
                .map_err(|e| PageError::from_core(lang, e))?;
            let to = if visible {
                url
            } else {
                "/agent/queue/open".to_owned()
            };
            Ok(a.ctx.finish(Redirect::to(&format!("{to}?done={}", f.what))))
        }
        // A refused comment is shown at the comment, with the text kept.
        Err(CoreError::Invalid(p)) if f.what == "transfer" && p.for_field("comment").is_some() => {
            let mut form = Form::new();
            form.set("comment", f.comment.clone());
            form.set("department", f.department.clone());
            let forms = (Form::new(), Form::new(), form.with_problem(lang, &p));
            render_ticket_forms(&s, &a, &number, forms, false, Default::default()).await
        }
        Err(CoreError::Invalid(p)) => {
            let key = p.errors.first().map(|e| e.key).unwrap_or("error-required");
            Ok(a.ctx.finish(Redirect::to(&format!("{url}?error={key}"))))
        }
        Err(CoreError::Forbidden) => Ok(a
            .ctx
            .finish(Redirect::to(&format!("{url}?error=error-not-allowed")))),
        Err(e) => Err(PageError::from_core(lang, e)),
    }
}

/// Asks before revoking a participant's access links: the ticket's requester or one of its
/// collaborators, else not found.
async fn confirm_revoke(
    s: &AppState,
    a: &AgentCtx,
    number: &str,
    contact: Option<i64>,
) -> PageResult {
    let lang = a.ctx.lang;
    let v = s
        .app
        .agent_ticket(a.reader(), number)
        .await
        .map_err(|e| PageError::from_core(lang, e))?;
    let t = &v.ticket;
    if !v.can_work {
        // As the action itself answers someone who may only read the ticket.
        let url = ticket_url(number);
        return Ok(a
            .ctx
            .finish(Redirect::to(&format!("{url}?error=error-not-allowed"))));
    }
    let name = std::iter::once(&t.requester)
        .chain(v.collaborators.iter())
        .find(|c| Some(c.id.0) == contact)
        .map(|c| c.name.clone())
        .ok_or(PageError::not_found(lang))?;
    let page = ConfirmRevoke {
        p: agent_page(s, a),
        number: t.number.clone(),
        subject: t.subject.clone(),
        back: ticket_url(&t.number),
        name,
        contact: contact.unwrap_or_default(),
    };
    html(&a.ctx, StatusCode::OK, &page)
}

fn invalid(key: &'static str) -> CoreError {
    let mut p = Problem::default();
    p.add("form", key);
    CoreError::Invalid(p)
}
