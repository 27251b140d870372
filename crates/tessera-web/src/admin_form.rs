//! What every administration page shares: the administrator guard, the CSRF-checked form
//! post, how a post ends (saved → 303 with a notice, invalid → the form again with 422,
//! anything else by its kind), the notice after a redirect, and form fields described in
//! Rust for pages that lay their form out from a list.
//!
//! A page supplies only its own parts: what it lists, its form's fields, how it reads a
//! post into core's input and which use case it calls. Core decides permissions and writes
//! the audit record; the guard here only answers others early, before their post is read.
//! The HTML half lives in `templates/admin/_kit.html` (one macro per kind of control).

use std::{future::Future, ops::Deref};

use askama::Template;
use axum::{
    extract::FromRequestParts,
    http::{StatusCode, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tessera_core::{Actor, CoreError};
use tessera_domain::{Lang, Problem};

use crate::{
    AppState,
    agent_ctx::{AgentCtx, agent_page},
    error::{PageError, admin_err},
    page::{PageResult, html, parse_form},
    render::{Form, Page},
};

/// A signed-in administrator on an administration page. Anyone else is answered 404 before
/// anything they sent is read; core checks again in every use case it is asked for.
pub(crate) struct Admin(AgentCtx);

impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let a = AgentCtx::from_request_parts(parts, state).await?;
        if Actor::Agent(&a.agent).may_administer() {
            Ok(Self(a))
        } else {
            Err(PageError::not_found(a.ctx.lang).into_response())
        }
    }
}

impl Deref for Admin {
    type Target = AgentCtx;

    fn deref(&self) -> &AgentCtx {
        &self.0
    }
}

impl Admin {
    /// The administrator as core's actor.
    pub(crate) fn actor(&self) -> Actor<'_> {
        Actor::Agent(&self.agent)
    }

    /// The page's language.
    pub(crate) fn lang(&self) -> Lang {
        self.ctx.lang
    }

    /// A core failure as this area answers it (refusals look like a missing page).
    pub(crate) fn err(&self, e: CoreError) -> PageError {
        admin_err(self.ctx.lang, e)
    }

    /// The frame of an agent page.
    pub(crate) fn page(&self, s: &AppState) -> Page {
        agent_page(s, self)
    }

    /// Renders a page: 422 when it shows a form with errors, 200 otherwise.
    pub(crate) fn show(&self, page: &impl Template, invalid: bool) -> PageResult {
        let status = if invalid {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
        html(&self.ctx, status, page)
    }

    /// After a change: 303 to where its notice is shown.
    pub(crate) fn to(&self, url: &str) -> PageResult {
        Ok(self.ctx.finish(Redirect::to(url)))
    }

    /// Ends a form post: saved → 303 to the URL it gives; invalid input (a CSRF mismatch
    /// too) → `again` shows the form with the problem; anything else by its kind.
    pub(crate) async fn answer<A>(
        &self,
        saved: Result<String, CoreError>,
        again: impl FnOnce(Problem) -> A,
    ) -> PageResult
    where
        A: Future<Output = PageResult>,
    {
        match saved {
            Ok(url) => self.to(&url),
            Err(CoreError::Invalid(p)) => again(p).await,
            Err(e) => Err(self.err(e)),
        }
    }
}

/// The query of a list or edit page: the notice to show after a redirect, and a page of an
/// older part of a log.
#[derive(Deserialize)]
pub(crate) struct Shown {
    /// What was just done (`?done=saved`).
    pub(crate) done: Option<String>,
    /// Keyset paging of a log (`?before=`).
    pub(crate) before: Option<i64>,
}

/// The notice for a `done` value the page knows: (value, translation key) pairs.
pub(crate) fn notice(p: &Page, done: Option<&str>, known: &[(&str, &str)]) -> Option<String> {
    let done = done?;
    known
        .iter()
        .find(|(d, _)| *d == done)
        .map(|(_, key)| p.t(key))
}

/// A urlencoded form post whose CSRF token has been compared.
pub(crate) struct Posted {
    pairs: Vec<(String, String)>,
    csrf_ok: bool,
}

impl Posted {
    /// Reads a post.
    pub(crate) fn read(a: &AgentCtx, body: &[u8]) -> Self {
        let pairs = parse_form(body);
        let csrf = pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        let csrf_ok = a.ctx.csrf_ok(csrf);
        Self { pairs, csrf_ok }
    }

    /// A field's value, or "".
    pub(crate) fn v(&self, name: &str) -> String {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Whether a checkbox is ticked.
    pub(crate) fn on(&self, name: &str) -> bool {
        self.v(name) == "1"
    }

    /// Every value of a repeated field (ticked boxes of one name).
    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Every (name, value) as sent.
    pub(crate) fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The named fields as typed, to show the form again (secrets are left out by not
    /// naming them).
    pub(crate) fn form(&self, names: &[&str]) -> Form {
        let mut f = Form::new();
        for n in names {
            f.set(n, self.v(n));
        }
        f
    }

    /// Whether the token matched.
    pub(crate) fn csrf_ok(&self) -> bool {
        self.csrf_ok
    }

    /// Runs a use case only when the token matched; a mismatch is invalid input of the
    /// whole form (`error-csrf`), shown like any other.
    pub(crate) async fn then<T>(
        &self,
        call: impl Future<Output = Result<T, CoreError>>,
    ) -> Result<T, CoreError> {
        if self.csrf_ok {
            call.await
        } else {
            Err(CoreError::Invalid(crate::ctx::csrf_problem()))
        }
    }
}

/// A value of a ticked checkbox as the form holds it.
pub(crate) fn flag(b: bool) -> String {
    if b { "1".into() } else { String::new() }
}

/// A form from (name, value) pairs; of a repeated name the first counts.
pub(crate) fn form_of(values: &[(String, String)]) -> Form {
    let mut f = Form::new();
    for (k, v) in values.iter().rev() {
        f.set(k, v.clone());
    }
    f
}

/// One control of a form laid out from a list, rendered by `admin/_fields.html` through
/// the kit's macros; its value and error come from the page's `Form`.
pub(crate) struct Field {
    /// The control's name (its id is `f-` and the name).
    pub(crate) name: &'static str,
    /// The label's translation key.
    pub(crate) label: &'static str,
    /// `text`, `email`, `number`, `textarea`, `select`, `checkbox` or `multi` (boxes).
    pub(crate) kind: &'static str,
    /// Choices of a select or of boxes: (value, label).
    pub(crate) options: Vec<(String, String)>,
    /// Ticked boxes of a `multi`.
    pub(crate) selected: Vec<String>,
    /// Marked as required.
    pub(crate) required: bool,
    /// Values offered in a `<datalist>` for a text field; any other value may be typed.
    pub(crate) suggestions: &'static [&'static str],
}

impl Field {
    /// A control; text-like ones are required unless said otherwise.
    pub(crate) fn new(name: &'static str, label: &'static str, kind: &'static str) -> Self {
        Self {
            name,
            label,
            kind,
            options: vec![],
            selected: vec![],
            required: matches!(kind, "text" | "email" | "textarea"),
            suggestions: &[],
        }
    }

    /// With choices.
    pub(crate) fn options(mut self, options: Vec<(String, String)>) -> Self {
        self.options = options;
        self
    }

    /// With values offered for a text field.
    pub(crate) fn suggest(mut self, values: &'static [&'static str]) -> Self {
        self.suggestions = values;
        self
    }

    /// The extra attributes of its input: a text field with suggestions points at them.
    pub(crate) fn attrs(&self) -> String {
        if self.suggestions.is_empty() {
            String::new()
        } else {
            format!("list=\"f-{}-list\" autocomplete=\"off\"", self.name)
        }
    }

    /// Not marked as required.
    pub(crate) fn optional(mut self) -> Self {
        self.required = false;
        self
    }
}

/// A problem shown on a form of `fields`: errors of fields it does not show go to the
/// whole form.
pub(crate) fn on_fields(fields: &[Field], problem: &Problem) -> Problem {
    let mut shown = Problem::default();
    for e in &problem.errors {
        match fields.iter().find(|f| f.name == e.field) {
            Some(f) => shown.add(f.name, e.key),
            None => shown.add("form", e.key),
        }
    }
    shown
}

/// Whether an option's value is the form's (for templates, whose options are `&str` on some
/// pages and `String` on others).
pub(crate) fn same(option: impl AsRef<str>, value: &str) -> bool {
    option.as_ref() == value
}
