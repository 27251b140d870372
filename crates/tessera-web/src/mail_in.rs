//! What people see of email in beyond the thread: the page with a mail's HTML as sent
//! (sanitised, inline images pointed at their attachments) for agents and requesters, and
//! the administrators' view of set-aside mail (`/agent/admin/mail-in`): quarantined and
//! ignored messages with their raw bytes to download and a button to process them again.

use std::collections::HashMap;

use askama::Template;
use axum::{
    Form as AxForm, Router,
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect},
    routing::{get, post},
};
use serde::Deserialize;
use tessera_core::{Actor, CoreError, OriginalMail, SetAside, SetAsideMail};
use tessera_domain::ThreadEntryId;

use crate::{
    AppState, Ctx,
    agent_ctx::{AgentCtx, agent_page, ticket_url},
    error::{PageError, admin_err},
    page::{CsrfOnly, PageResult, html},
    render::{Page, mail_html},
};

/// Set-aside messages per page.
const PAGE_SIZE: i64 = 50;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/agent/tickets/{number}/entries/{id}/original",
            get(agent_original),
        )
        .route(
            "/tickets/{number}/entries/{id}/original",
            get(portal_original),
        )
        .route("/agent/admin/mail-in", get(list))
        .route("/agent/admin/mail-in/{id}/raw", get(raw))
        .route("/agent/admin/mail-in/{id}/retry", post(retry))
}

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[derive(Template)]
#[template(path = "mail_original.html")]
struct OriginalPage {
    p: Page,
    number: String,
    subject: String,
    /// The entry on the ticket page.
    back: String,
    /// The sanitised HTML of what the sender wrote now.
    html: String,
    /// The sanitised quoted original and signature, shown folded.
    folded: Option<String>,
    /// Inline images to download: (URL, file name).
    images: Vec<(String, String)>,
}

/// The original page; `attachment_url` makes the URL an attachment is served at for this
/// viewer (agent or requester route).
fn original_page(
    p: Page,
    m: OriginalMail,
    ticket: String,
    attachment_url: impl Fn(i64, &str) -> String,
) -> OriginalPage {
    let images: Vec<(String, String)> = m
        .inline
        .iter()
        .map(|i| {
            (
                attachment_url(i.attachment.0, &i.filename),
                i.filename.clone(),
            )
        })
        .collect();
    let inline: HashMap<String, String> = m
        .inline
        .iter()
        .zip(&images)
        .map(|(i, (url, _))| (i.content_id.clone(), url.clone()))
        .collect();
    OriginalPage {
        p,
        html: mail_html(&m.html, &inline),
        folded: (!m.folded.is_empty()).then(|| mail_html(&m.folded, &inline)),
        back: format!("{ticket}#entry-{}", m.entry.0),
        number: m.number,
        subject: m.subject,
        images,
    }
}

async fn agent_original(
    State(s): State<AppState>,
    a: AgentCtx,
    Path((number, id)): Path<(String, i64)>,
) -> PageResult {
    let m = s
        .app
        .agent_original(&a.agent, &number, ThreadEntryId(id))
        .await
        .map_err(|e| PageError::from_core(a.ctx.lang, e))?;
    let page = original_page(agent_page(&s, &a), m, ticket_url(&number), |id, name| {
        format!("/agent/attachments/{id}/{}", encode(name))
    });
    html(&a.ctx, StatusCode::OK, &page)
}

async fn portal_original(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((number, id)): Path<(String, i64)>,
) -> PageResult {
    let sess = ctx.session.clone().ok_or(PageError::not_found(ctx.lang))?;
    let m = s
        .app
        .participant_original(&sess, &number, ThreadEntryId(id))
        .await
        .map_err(|e| PageError::from_core(ctx.lang, e))?;
    let ticket = format!("/tickets/{}", encode(&number));
    let page = original_page(Page::new(&ctx, &s.app.settings()), m, ticket, |id, name| {
        format!("/attachments/{id}/{}", encode(name))
    });
    html(&ctx, StatusCode::OK, &page)
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
    before: Option<i64>,
    done: Option<String>,
    error: Option<String>,
}

/// One row of the list, ready to show.
struct MailRow {
    id: i64,
    when: String,
    source: String,
    from: String,
    subject: String,
    head: Vec<String>,
    reason: String,
    size: String,
}

#[derive(Template)]
#[template(path = "admin/mail_in.html")]
struct ListPage {
    p: Page,
    /// `quarantined` or `ignored`.
    status: &'static str,
    rows: Vec<MailRow>,
    older: Option<String>,
    done: Option<String>,
    error: Option<String>,
}

fn row_view(p: &Page, m: SetAsideMail) -> MailRow {
    let source = p.t(&format!("mail-in-source-{}", m.source));
    MailRow {
        id: m.id,
        when: p.datetime(&m.received_at),
        source: match m.mailbox {
            Some(mb) => format!("{source} ({mb})"),
            None => source,
        },
        from: m.from.unwrap_or_default(),
        subject: m.subject.unwrap_or_default(),
        head: m.head,
        reason: tessera_i18n::t_stored(p.lang, &m.reason),
        size: p.bytes(&m.size),
    }
}

async fn list(State(s): State<AppState>, a: AgentCtx, Query(q): Query<ListQuery>) -> PageResult {
    let lang = a.ctx.lang;
    let which = q
        .status
        .as_deref()
        .and_then(SetAside::parse)
        .unwrap_or(SetAside::Quarantined);
    let found = s
        .app
        .set_aside_mail(Actor::Agent(&a.agent), which, q.before, PAGE_SIZE)
        .await
        .map_err(|e| admin_err(lang, e))?;
    let p = agent_page(&s, &a);
    let older = (found.len() as i64 == PAGE_SIZE).then(|| {
        let last = found.last().map(|m| m.id).unwrap_or(0);
        format!(
            "/agent/admin/mail-in?status={}&before={last}",
            which.as_str()
        )
    });
    // Only known keys are translated: the query string is the visitor's.
    let known = |k: Option<String>, allowed: &[&str]| k.filter(|k| allowed.contains(&k.as_str()));
    let done = known(q.done, &["done", "quarantined", "ignored", "stored"])
        .map(|k| p.t(&format!("mail-in-retried-{k}")));
    let error = known(
        q.error,
        &[
            "mail-in-not-quarantined",
            "mail-in-retry-failed",
            "error-csrf",
        ],
    )
    .map(|k| p.t(&k));
    let page = ListPage {
        status: which.as_str(),
        rows: found.into_iter().map(|m| row_view(&p, m)).collect(),
        older,
        done,
        error,
        p,
    };
    html(&a.ctx, StatusCode::OK, &page)
}

/// The raw message as a download that browsers will neither render nor sniff.
async fn raw(State(s): State<AppState>, a: AgentCtx, Path(id): Path<i64>) -> PageResult {
    let bytes = s
        .app
        .inbound_raw_for_admin(Actor::Agent(&a.agent), id)
        .await
        .map_err(|e| admin_err(a.ctx.lang, e))?;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("message/rfc822"),
    );
    let disposition = format!("attachment; filename=\"inbound-{id}.eml\"");
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}

async fn retry(
    State(s): State<AppState>,
    a: AgentCtx,
    Path(id): Path<i64>,
    AxForm(f): AxForm<CsrfOnly>,
) -> PageResult {
    let lang = a.ctx.lang;
    let back = "/agent/admin/mail-in?status=quarantined";
    if !a.ctx.csrf_ok(&f.csrf) {
        // The list again with the message, as this page reports every refusal.
        return Ok(a
            .ctx
            .finish(Redirect::to(&format!("{back}&error=error-csrf"))));
    }
    let to = match s.app.retry_inbound(Actor::Agent(&a.agent), id).await {
        Ok(r) => format!("{back}&done={}", r.status),
        Err(CoreError::Invalid(_)) => format!("{back}&error=mail-in-not-quarantined"),
        Err(e @ (CoreError::Forbidden | CoreError::NotFound)) => return Err(admin_err(lang, e)),
        // The message is quarantined again with the failure as its reason: show the list.
        Err(e) => {
            tracing::error!(inbound_message_id = id, error = %e, "processing again failed");
            format!("{back}&error=mail-in-retry-failed")
        }
    };
    Ok(a.ctx.finish(Redirect::to(&to)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_core::InlineImage;
    use tessera_domain::{AttachmentId, Lang};

    #[test]
    fn points_inline_images_at_the_viewers_attachment_route() {
        let m = OriginalMail {
            number: "482913".into(),
            subject: "Flyer".into(),
            entry: ThreadEntryId(5),
            html: "<p>So: <img src=\"cid:img1@x\"><img src=\"https://evil/x.gif\"></p>".into(),
            folded: "<blockquote type=\"cite\"><script>x</script>Old</blockquote>".into(),
            inline: vec![InlineImage {
                attachment: AttachmentId(9),
                filename: "Bild 1.png".into(),
                content_id: "img1@x".into(),
            }],
        };
        let page = original_page(
            Page::bare(Lang::En),
            m,
            "/tickets/482913".into(),
            |id, name| format!("/attachments/{id}/{}", encode(name)),
        );
        assert_eq!(
            page.html,
            "<p>So: <img src=\"/attachments/9/Bild%201%2Epng\"><img></p>"
        );
        assert_eq!(
            page.folded.as_deref(),
            Some("<blockquote>Old</blockquote>"),
            "the folded part is sanitised too"
        );
        assert_eq!(page.back, "/tickets/482913#entry-5");
        assert_eq!(
            page.images,
            [(
                "/attachments/9/Bild%201%2Epng".to_owned(),
                "Bild 1.png".to_owned()
            )]
        );
    }
}
