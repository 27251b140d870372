//! Administrators' settings pages: the portal (name, logo, welcome text, language, ticket
//! numbers, attachments, check-status) and email (sender, SMTP server, test mail).

use askama::Template;
use axum::{
    Router,
    body::Bytes,
    extract::{Multipart, Query, State},
    http::StatusCode,
    response::Redirect,
    routing::get,
};
use serde::Deserialize;
use tessera_core::{
    Actor, CoreError, MAX_ATTACHMENT_MB, MAX_LOGO_BYTES, MailForm, PortalForm, Settings,
};
use tessera_core::{FailureKind, SmtpTls};
use tessera_domain::Problem;

use crate::{
    AppState,
    agent_ctx::{AgentCtx, agent_page},
    error::admin_err,
    page::{PageResult, html, parse_form},
    render::{Form, Page},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agent/admin/settings", get(portal_page).post(portal_save))
        .route("/agent/admin/settings/mail", get(mail_page).post(mail_save))
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

/// A "saved" banner for a known `done` value.
fn done_msg(p: &Page, done: Option<&str>) -> Option<String> {
    match done {
        Some("saved") => Some(p.t("settings-saved")),
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct PortalPage {
    p: Page,
    form: Form,
    done: Option<String>,
    has_logo: Option<String>,
    max_mb: f64,
    max_logo_kb: usize,
}

/// The form's values from the settings in force.
fn portal_values(s: &Settings) -> Form {
    let mut f = Form::new();
    f.set("org_name", s.org_name.clone());
    f.set("intro_de", s.intro_de.clone());
    f.set("intro_en", s.intro_en.clone());
    f.set("default_lang", s.default_lang.as_str().to_owned());
    f.set("number_format", s.number_format.as_str().to_owned());
    let mb = s.attachment_max_total as f64 / (1024.0 * 1024.0);
    f.set("max_mb", format!("{}", (mb * 100.0).round() / 100.0));
    f.set("allowed_types", s.allowed_extensions.join(", "));
    f.set("status_mode", s.status_mode.as_str().to_owned());
    f
}

async fn render_portal(
    s: &AppState,
    a: &AgentCtx,
    form: Option<Form>,
    done: Option<&str>,
) -> PageResult {
    let settings = s
        .app
        .settings_admin(Actor::Agent(&a.agent))
        .map_err(|e| admin_err(a.ctx.lang, e))?;
    let p = agent_page(s, a);
    let status = match &form {
        Some(f) if f.has_errors() => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    let page = PortalPage {
        done: done_msg(&p, done),
        form: form.unwrap_or_else(|| portal_values(&settings)),
        has_logo: p.logo.clone(),
        max_mb: MAX_ATTACHMENT_MB,
        max_logo_kb: MAX_LOGO_BYTES / 1024,
        p,
    };
    html(&a.ctx, status, &page)
}

async fn portal_page(
    State(s): State<AppState>,
    a: AgentCtx,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    render_portal(&s, &a, None, q.done.as_deref()).await
}

const PORTAL_FIELDS: [&str; 8] = [
    "org_name",
    "intro_de",
    "intro_en",
    "default_lang",
    "number_format",
    "max_mb",
    "allowed_types",
    "status_mode",
];

async fn portal_save(State(s): State<AppState>, a: AgentCtx, mut mp: Multipart) -> PageResult {
    let lang = a.ctx.lang;
    let mut form = Form::new();
    let mut csrf = String::new();
    let mut logo: Option<Vec<u8>> = None;
    let mut remove_logo = false;
    let mut problem = Problem::default();
    loop {
        let mut field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                // Past the body limit: only a logo can be that large.
                problem.add("logo", "error-logo-size");
                break;
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        let mut bytes = Vec::new();
        let mut over = false;
        loop {
            match field.chunk().await {
                Ok(Some(c)) if bytes.len() + c.len() <= MAX_LOGO_BYTES => {
                    bytes.extend_from_slice(&c)
                }
                Ok(Some(_)) => over = true,
                Ok(None) => break,
                Err(_) => {
                    over = true;
                    break;
                }
            }
        }
        match name.as_str() {
            "logo" if over => problem.add("logo", "error-logo-size"),
            "logo" if !bytes.is_empty() => logo = Some(bytes),
            "logo" => {}
            "remove_logo" => remove_logo = true,
            "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            n => {
                if let Some(known) = PORTAL_FIELDS.iter().find(|k| **k == n) {
                    let text = String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
                    form.set(known, text);
                }
            }
        }
    }
    if !a.ctx.csrf_ok(&csrf) {
        problem.add("form", "error-csrf");
    }
    if !problem.is_empty() {
        return render_portal(&s, &a, Some(form.with_problem(lang, &problem)), None).await;
    }
    let input = PortalForm {
        org_name: form.v("org_name").to_owned(),
        intro_de: form.v("intro_de").to_owned(),
        intro_en: form.v("intro_en").to_owned(),
        default_lang: form.v("default_lang").to_owned(),
        number_format: form.v("number_format").to_owned(),
        max_mb: form.v("max_mb").to_owned(),
        allowed_types: form.v("allowed_types").to_owned(),
        status_mode: form.v("status_mode").to_owned(),
        logo,
        remove_logo,
    };
    match s
        .app
        .save_portal_settings(Actor::Agent(&a.agent), input)
        .await
    {
        Ok(()) => Ok(a
            .ctx
            .finish(Redirect::to("/agent/admin/settings?done=saved"))),
        Err(CoreError::Invalid(p)) => {
            render_portal(&s, &a, Some(form.with_problem(lang, &p)), None).await
        }
        Err(e) => Err(admin_err(lang, e)),
    }
}

#[derive(Template)]
#[template(path = "admin/mail_settings.html")]
struct MailPage {
    p: Page,
    form: Form,
    done: Option<String>,
    password_stored: bool,
    tls_modes: Vec<(&'static str, String)>,
    /// The test mail's outcome: (succeeded, message, technical detail).
    test: Option<(bool, String, String)>,
}

fn mail_values(s: &Settings, agent_email: &str) -> Form {
    let mut f = Form::new();
    f.set("mail_from", s.mail_from.email.clone());
    f.set("mail_from_name", s.mail_from.name.clone());
    f.set("test_to", agent_email.to_owned());
    match &s.smtp {
        Some(x) => {
            f.set("delivery", "smtp".into());
            f.set("host", x.host.clone());
            f.set("port", x.port.to_string());
            f.set("tls", x.tls.as_str().into());
            f.set("username", x.username.clone());
        }
        None => {
            f.set("delivery", "files".into());
            f.set("tls", SmtpTls::StartTls.as_str().into());
        }
    }
    f
}

async fn render_mail(
    s: &AppState,
    a: &AgentCtx,
    form: Option<Form>,
    done: Option<&str>,
    test: Option<(bool, String, String)>,
) -> PageResult {
    let settings = s
        .app
        .settings_admin(Actor::Agent(&a.agent))
        .map_err(|e| admin_err(a.ctx.lang, e))?;
    let p = agent_page(s, a);
    let status = match &form {
        Some(f) if f.has_errors() => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    let page = MailPage {
        done: done_msg(&p, done),
        form: form.unwrap_or_else(|| mail_values(&settings, &a.agent.email)),
        password_stored: settings
            .smtp
            .as_ref()
            .is_some_and(|x| !x.password.is_empty()),
        tls_modes: SmtpTls::ALL
            .iter()
            .map(|m| (m.as_str(), p.t(&format!("settings-tls-{}", m.as_str()))))
            .collect(),
        test,
        p,
    };
    html(&a.ctx, status, &page)
}

async fn mail_page(
    State(s): State<AppState>,
    a: AgentCtx,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    render_mail(&s, &a, None, q.done.as_deref(), None).await
}

const MAIL_FIELDS: [&str; 8] = [
    "mail_from",
    "mail_from_name",
    "delivery",
    "host",
    "port",
    "tls",
    "username",
    "test_to",
];

async fn mail_save(State(s): State<AppState>, a: AgentCtx, body: Bytes) -> PageResult {
    let lang = a.ctx.lang;
    let fields = parse_form(&body);
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    // The password is never sent back to the browser, not even after an error.
    let mut form = Form::new();
    for f in MAIL_FIELDS {
        form.set(f, get(f));
    }
    if !a.ctx.csrf_ok(&get("csrf")) {
        let mut p = Problem::default();
        p.add("form", "error-csrf");
        return render_mail(&s, &a, Some(form.with_problem(lang, &p)), None, None).await;
    }
    let input = MailForm {
        mail_from: get("mail_from"),
        mail_from_name: get("mail_from_name"),
        delivery: get("delivery"),
        host: get("host"),
        port: get("port"),
        tls: get("tls"),
        username: get("username"),
        password: get("password"),
        clear_password: get("clear_password") == "1",
    };
    let actor = Actor::Agent(&a.agent);
    if get("action") == "test" {
        return match s
            .app
            .send_test_mail(actor, &input, &get("test_to"), lang)
            .await
        {
            Ok(Ok(())) => {
                let msg =
                    tessera_i18n::t_args(lang, "settings-test-sent", &[("to", &get("test_to"))]);
                render_mail(&s, &a, Some(form), None, Some((true, msg, String::new()))).await
            }
            Ok(Err(e)) => {
                let key = match e.kind {
                    FailureKind::Settings => "settings-test-settings",
                    FailureKind::Connect => "settings-test-connect",
                    FailureKind::Tls => "settings-test-tls",
                    FailureKind::Auth => "settings-test-auth",
                    FailureKind::Rejected => "settings-test-rejected",
                    FailureKind::Timeout => "settings-test-timeout",
                    FailureKind::Other => "settings-test-other",
                };
                let test = Some((false, tessera_i18n::t(lang, key), e.message));
                render_mail(&s, &a, Some(form), None, test).await
            }
            Err(CoreError::Invalid(p)) => {
                render_mail(&s, &a, Some(form.with_problem(lang, &p)), None, None).await
            }
            Err(e) => Err(admin_err(lang, e)),
        };
    }
    match s.app.save_mail_settings(actor, input).await {
        Ok(()) => Ok(a
            .ctx
            .finish(Redirect::to("/agent/admin/settings/mail?done=saved"))),
        Err(CoreError::Invalid(p)) => {
            render_mail(&s, &a, Some(form.with_problem(lang, &p)), None, None).await
        }
        Err(e) => Err(admin_err(lang, e)),
    }
}
