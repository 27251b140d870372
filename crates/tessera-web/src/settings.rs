//! Administrators' settings pages: the portal (name, logo, welcome text, language, ticket
//! numbers, attachments, check-status), email (sender, SMTP server, test mail) and spam
//! protection (the new-ticket challenge, confirm-first, the daily attachment quota).

use askama::Template;
use axum::{
    Router,
    body::Bytes,
    extract::{Multipart, Query, State},
    routing::get,
};
use tessera_core::{
    ChallengeMode, FailureKind, IntakeForm, MAX_ATTACHMENT_MB, MAX_LOGO_BYTES, MailForm,
    PortalForm, Settings, SmtpTls,
};
use tessera_domain::Problem;

use crate::{
    AppState,
    admin_form::{Admin, Posted, Shown, notice},
    page::PageResult,
    render::{Form, Page},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agent/admin/settings", get(portal_page).post(portal_save))
        .route("/agent/admin/settings/mail", get(mail_page).post(mail_save))
        .route(
            "/agent/admin/settings/intake",
            get(intake_page).post(intake_save),
        )
}

/// A "saved" banner for a known `done` value.
fn done_msg(p: &Page, done: Option<&str>) -> Option<String> {
    notice(p, done, &[("saved", "settings-saved")])
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
    /// Zones the time zone field suggests.
    zones: &'static [&'static str],
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
    f.set("time_zone", s.time_zone.name().to_owned());
    f
}

async fn render_portal(
    s: &AppState,
    a: &Admin,
    form: Option<Form>,
    done: Option<&str>,
) -> PageResult {
    let settings = s.app.settings_admin(a.actor()).map_err(|e| a.err(e))?;
    let p = a.page(s);
    let page = PortalPage {
        done: done_msg(&p, done),
        form: form.unwrap_or_else(|| portal_values(&settings)),
        has_logo: p.logo.clone(),
        max_mb: MAX_ATTACHMENT_MB,
        max_logo_kb: MAX_LOGO_BYTES / 1024,
        zones: tessera_domain::time::COMMON_ZONES,
        p,
    };
    a.show(&page, page.form.has_errors())
}

async fn portal_page(State(s): State<AppState>, a: Admin, Query(q): Query<Shown>) -> PageResult {
    render_portal(&s, &a, None, q.done.as_deref()).await
}

const PORTAL_FIELDS: [&str; 9] = [
    "time_zone",
    "org_name",
    "intro_de",
    "intro_en",
    "default_lang",
    "number_format",
    "max_mb",
    "allowed_types",
    "status_mode",
];

async fn portal_save(State(s): State<AppState>, a: Admin, mut mp: Multipart) -> PageResult {
    let lang = a.lang();
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
        time_zone: form.v("time_zone").to_owned(),
        logo,
        remove_logo,
    };
    let saved = s.app.save_portal_settings(a.actor(), input).await;
    let saved = saved.map(|()| "/agent/admin/settings?done=saved".to_owned());
    a.answer(saved, |p| {
        render_portal(&s, &a, Some(form.with_problem(lang, &p)), None)
    })
    .await
}

#[derive(Template)]
#[template(path = "admin/mail_settings.html")]
struct MailPage {
    p: Page,
    form: Form,
    done: Option<String>,
    password_stored: bool,
    /// Whether a password is stored, said under the password field.
    password_hint: String,
    tls_modes: Vec<(&'static str, String)>,
    /// What happens to mail that fails DKIM/SPF/DMARC: (value, label).
    auth_modes: Vec<(&'static str, String)>,
    /// Whether a DKIM key is stored, and the hint that says so.
    dkim_stored: bool,
    dkim_hint: String,
    /// The TXT record to publish for the stored key: (name, value).
    dkim_record: Option<(String, String)>,
    /// The test mail's outcome: (succeeded, message, technical detail).
    test: Option<(bool, String, String)>,
}

fn mail_values(s: &Settings, agent_email: &str) -> Form {
    let mut f = Form::new();
    f.set("mail_from", s.mail_from.email.clone());
    f.set("mail_from_name", s.mail_from.name.clone());
    f.set("test_to", agent_email.to_owned());
    f.set("mail_auth", s.mail_auth.as_str().into());
    if let Some(d) = &s.dkim {
        f.set("dkim_domain", d.domain().to_owned());
        f.set("dkim_selector", d.selector().to_owned());
    }
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
    a: &Admin,
    form: Option<Form>,
    done: Option<&str>,
    test: Option<(bool, String, String)>,
) -> PageResult {
    let settings = s.app.settings_admin(a.actor()).map_err(|e| a.err(e))?;
    let p = a.page(s);
    let password_stored = settings
        .smtp
        .as_ref()
        .is_some_and(|x| !x.password.is_empty());
    let page = MailPage {
        done: done_msg(&p, done),
        form: form.unwrap_or_else(|| mail_values(&settings, &a.agent.email)),
        password_stored,
        password_hint: p.t(if password_stored {
            "settings-smtp-password-stored"
        } else {
            "settings-smtp-password-none"
        }),
        tls_modes: SmtpTls::ALL
            .iter()
            .map(|m| (m.as_str(), p.t(&format!("settings-tls-{}", m.as_str()))))
            .collect(),
        dkim_stored: settings.dkim.is_some(),
        dkim_hint: p.t(if settings.dkim.is_some() {
            "mailauth-dkim-key-stored"
        } else {
            "mailauth-dkim-key-none"
        }),
        dkim_record: settings.dkim.as_ref().and_then(|d| {
            d.key.as_ref().map(|k| {
                (
                    format!("{}._domainkey.{}", d.selector(), d.domain()),
                    k.dns_record().to_owned(),
                )
            })
        }),
        auth_modes: ["hold", "separate", "off"]
            .iter()
            .map(|m| (*m, p.t(&format!("mailauth-policy-{m}"))))
            .collect(),
        test,
        p,
    };
    a.show(&page, page.form.has_errors())
}

async fn mail_page(State(s): State<AppState>, a: Admin, Query(q): Query<Shown>) -> PageResult {
    render_mail(&s, &a, None, q.done.as_deref(), None).await
}

/// The fields sent back after a post (the password is never sent back to the browser, not
/// even after an error).
const MAIL_FIELDS: [&str; 11] = [
    "mail_auth",
    "dkim_domain",
    "dkim_selector",
    "mail_from",
    "mail_from_name",
    "delivery",
    "host",
    "port",
    "tls",
    "username",
    "test_to",
];

async fn mail_save(State(s): State<AppState>, a: Admin, body: Bytes) -> PageResult {
    let (lang, actor) = (a.lang(), a.actor());
    let f = Posted::read(&a, &body);
    let form = f.form(&MAIL_FIELDS);
    let input = MailForm {
        mail_from: f.v("mail_from"),
        mail_from_name: f.v("mail_from_name"),
        delivery: f.v("delivery"),
        host: f.v("host"),
        port: f.v("port"),
        tls: f.v("tls"),
        username: f.v("username"),
        password: f.v("password"),
        clear_password: f.on("clear_password"),
        mail_auth: f.v("mail_auth"),
        dkim_domain: f.v("dkim_domain"),
        dkim_selector: f.v("dkim_selector"),
        dkim_key: f.v("dkim_key"),
        clear_dkim: f.on("clear_dkim"),
    };
    let again = |p| {
        render_mail(
            &s,
            &a,
            Some(form.clone().with_problem(lang, &p)),
            None,
            None,
        )
    };
    if f.v("action") == "test" {
        // A test answers on the page, with the form as it was typed.
        let to = f.v("test_to");
        let test = match f.then(s.app.send_test_mail(actor, &input, &to, lang)).await {
            Ok(Ok(())) => {
                let msg = tessera_i18n::t_args(lang, "settings-test-sent", &[("to", &to)]);
                (true, msg, String::new())
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
                (false, tessera_i18n::t(lang, key), e.message)
            }
            Err(e) => return a.answer(Err(e), again).await,
        };
        return render_mail(&s, &a, Some(form), None, Some(test)).await;
    }
    let saved = f.then(s.app.save_mail_settings(actor, input)).await;
    let saved = saved.map(|()| "/agent/admin/settings/mail?done=saved".to_owned());
    a.answer(saved, again).await
}

#[derive(Template)]
#[template(path = "admin/intake_settings.html")]
struct IntakePage {
    p: Page,
    form: Form,
    done: Option<String>,
    modes: Vec<(&'static str, String)>,
}

fn intake_values(s: &Settings) -> Form {
    let mut f = Form::new();
    f.set("challenge_mode", s.challenge_mode.as_str().to_owned());
    if s.confirm_first {
        f.set("confirm_first", "1".into());
    }
    let mb = s.attachment_quota_per_day as f64 / (1024.0 * 1024.0);
    f.set("quota_mb", format!("{}", (mb * 100.0).round() / 100.0));
    f
}

async fn render_intake(
    s: &AppState,
    a: &Admin,
    form: Option<Form>,
    done: Option<&str>,
) -> PageResult {
    let settings = s.app.settings_admin(a.actor()).map_err(|e| a.err(e))?;
    let p = a.page(s);
    let page = IntakePage {
        done: done_msg(&p, done),
        form: form.unwrap_or_else(|| intake_values(&settings)),
        modes: ChallengeMode::ALL
            .iter()
            .map(|m| {
                let label = p.t(&format!("settings-intake-challenge-{}", m.as_str()));
                (m.as_str(), label)
            })
            .collect(),
        p,
    };
    a.show(&page, page.form.has_errors())
}

async fn intake_page(State(s): State<AppState>, a: Admin, Query(q): Query<Shown>) -> PageResult {
    render_intake(&s, &a, None, q.done.as_deref()).await
}

async fn intake_save(State(s): State<AppState>, a: Admin, body: Bytes) -> PageResult {
    let (lang, actor) = (a.lang(), a.actor());
    let f = Posted::read(&a, &body);
    let form = f.form(&["challenge_mode", "confirm_first", "quota_mb"]);
    let input = IntakeForm {
        challenge_mode: f.v("challenge_mode"),
        confirm_first: f.on("confirm_first"),
        quota_mb: f.v("quota_mb"),
    };
    let saved = f.then(s.app.save_intake_settings(actor, input)).await;
    let saved = saved.map(|()| "/agent/admin/settings/intake?done=saved".to_owned());
    a.answer(saved, |p| {
        render_intake(&s, &a, Some(form.clone().with_problem(lang, &p)), None)
    })
    .await
}
