//! The signed-in agent's own profile (`/agent/profile`): name, address, signature,
//! language, time zone and "out of office". Core checks and audits; this page parses,
//! calls and shows the form again with the reasons (422) when core refuses.

use askama::Template;
use axum::{
    Router,
    body::Bytes,
    extract::{Query, State},
    http::{HeaderValue, StatusCode, header},
    response::Redirect,
    routing::get,
};
use tessera_core::{CoreError, MAX_SIGNATURE, ProfileForm};
use tessera_domain::{Lang, time::COMMON_ZONES};

use crate::{
    AppState,
    admin_form::{Shown, notice},
    agent_ctx::{AgentCtx, agent_page},
    cookies::LANG_COOKIE,
    error::PageError,
    page::{PageResult, html, parse_form},
    render::{Form, Page},
};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/agent/profile", get(show).post(save))
}

#[derive(Template)]
#[template(path = "agent/profile.html")]
struct ProfilePage {
    p: Page,
    form: Form,
    done: Option<String>,
    /// The time zone choices: (value, label); "" is the installation's.
    zones: Vec<(String, String)>,
    max_signature: usize,
}

/// The form's values from the agent as signed in.
fn values(a: &AgentCtx) -> Form {
    let mut f = Form::new();
    f.set("display_name", a.agent.display_name.clone());
    f.set("email", a.agent.email.clone());
    f.set("signature", a.agent.signature.clone());
    f.set("lang", a.agent.lang.as_str().to_owned());
    f.set(
        "time_zone",
        a.agent
            .time_zone
            .map(|z| z.name().to_owned())
            .unwrap_or_default(),
    );
    f.set("away", if a.agent.away { "1" } else { "" }.to_owned());
    f
}

fn render(s: &AppState, a: &AgentCtx, form: Form, done: Option<&str>) -> PageResult {
    let p = agent_page(s, a);
    let installation = s.app.settings().time_zone;
    let mut zones = vec![(
        String::new(),
        p.t1("profile-zone-default", "zone", installation.name()),
    )];
    // The agent's own zone stays offered even when it is not a common one.
    let own = form.v("time_zone").to_owned();
    let mut names: Vec<&str> = COMMON_ZONES.to_vec();
    if !own.is_empty() && !names.contains(&own.as_str()) {
        names.insert(0, own.as_str());
    }
    zones.extend(names.iter().map(|z| (z.to_string(), z.replace('_', " "))));
    let invalid = form.has_errors();
    let page = ProfilePage {
        done: notice(&p, done, &[("saved", "profile-saved")]),
        form,
        zones,
        max_signature: MAX_SIGNATURE,
        p,
    };
    let status = if invalid {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    html(&a.ctx, status, &page)
}

async fn show(State(s): State<AppState>, a: AgentCtx, Query(q): Query<Shown>) -> PageResult {
    let form = values(&a);
    render(&s, &a, form, q.done.as_deref())
}

const FIELDS: [&str; 6] = [
    "display_name",
    "email",
    "signature",
    "lang",
    "time_zone",
    "away",
];

async fn save(State(s): State<AppState>, a: AgentCtx, body: Bytes) -> PageResult {
    let lang = a.ctx.lang;
    let mut form = Form::new();
    let mut csrf = String::new();
    for (k, v) in parse_form(&body) {
        if k == "csrf" {
            csrf = v;
        } else if let Some(known) = FIELDS.iter().find(|f| **f == k) {
            form.set(known, v.replace("\r\n", "\n"));
        }
    }
    let input = ProfileForm {
        display_name: form.v("display_name").to_owned(),
        email: form.v("email").to_owned(),
        signature: form.v("signature").to_owned(),
        lang: form.v("lang").to_owned(),
        time_zone: form.v("time_zone").to_owned(),
        away: form.v("away") == "1",
    };
    let chosen = Lang::parse(&input.lang);
    let result = match a.ctx.check_csrf(&csrf) {
        Ok(()) => {
            s.app
                .save_profile(&a.agent, input, &a.ctx.client.ip.to_string())
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            let mut res = a.ctx.finish(Redirect::to("/agent/profile?done=saved"));
            // The language cookie wins over the profile's language on agent pages: the
            // one just chosen holds from the next page on.
            if let Some(l) = chosen {
                let c: HeaderValue =
                    a.ctx
                        .cookie_header(LANG_COOKIE, l.as_str(), 400 * 24 * 3600, false);
                res.headers_mut().append(header::SET_COOKIE, c);
            }
            Ok(res)
        }
        Err(CoreError::Invalid(p)) => render(&s, &a, form.with_problem(lang, &p), None),
        Err(e) => Err(PageError::from_core(lang, e)),
    }
}
