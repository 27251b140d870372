//! The public forms' guards as pages show them (see `tessera_core`'s `intake.rs` for the
//! rules): the honeypot field, the proof-of-work challenge's hidden fields, and the
//! answer to a refusal — a translated message on the form, which keeps what was typed.

use axum::{
    http::{HeaderValue, header},
    response::Response,
};
use tessera_core::{Challenge, Tessera, Throttled};
use tessera_domain::Lang;

/// The honeypot's field name: a plausible one, which form-filling robots fill in.
pub const HONEYPOT: &str = "homepage";
/// The challenge's hidden field.
pub const CHALLENGE: &str = "pow_challenge";
/// The counter the browser found.
pub const SOLUTION: &str = "pow_solution";

/// What the new-ticket form shows of the guards.
#[derive(Debug, Default)]
pub struct Guard {
    /// The challenge to solve, when the administrator has not turned it off.
    pub challenge: Option<Challenge>,
    /// Why the last post was refused, translated.
    pub message: Option<String>,
}

impl Guard {
    /// A fresh challenge for the form.
    pub fn new(app: &Tessera) -> Self {
        Self {
            challenge: app.intake_challenge(),
            message: None,
        }
    }

    /// With a message about why the last post was refused.
    pub fn with_message(mut self, message: String) -> Self {
        self.message = Some(message);
        self
    }

    /// The challenge's text, or "".
    pub fn challenge_text(&self) -> &str {
        self.challenge
            .as_ref()
            .map(|c| c.text.as_str())
            .unwrap_or("")
    }

    /// The challenge's difficulty in bits.
    pub fn bits(&self) -> u8 {
        self.challenge.as_ref().map(|c| c.bits).unwrap_or(0)
    }

    /// Seconds a person without JavaScript waits before sending.
    pub fn wait_secs(&self) -> String {
        self.challenge
            .as_ref()
            .map(|c| c.wait_secs)
            .unwrap_or(0)
            .to_string()
    }
}

/// "Try again in N minutes" (`key` takes `$minutes`), rounded up.
pub fn throttled_message(lang: Lang, key: &str, t: Throttled) -> String {
    let minutes = t.retry_after_secs.div_ceil(60).max(1).to_string();
    tessera_i18n::t_args(lang, key, &[("minutes", minutes.as_str())])
}

/// Adds `Retry-After` to a 429 answer.
pub fn retry_after(mut res: Response, t: Throttled) -> Response {
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(t.retry_after_secs));
    res
}
