//! Password hashing and checking with argon2id.
//!
//! Every hash needs 19 MiB of working memory. Left to the allocator, each sign-in on another
//! blocking thread leaves its 19 MiB behind in that thread's malloc arena, so the server's
//! memory grows with the number of threads that ever signed someone in. Here a fixed number
//! of hashes run at once, each in one of a few working areas that are allocated once and
//! reused: the memory is bounded by `HASHERS` × 19 MiB whatever the load, and a flood of
//! sign-in attempts queues instead of taking every core.

use std::sync::Mutex;

use argon2::{
    Algorithm, Argon2, Block, Params, PasswordHash, Version,
    password_hash::{Output, ParamsString, SaltString},
};
use tokio::sync::Semaphore;

use crate::{CoreError, Result, token};

/// Hashes running at once (and working areas kept).
const HASHERS: usize = 2;

/// Stored hashes asking for more memory than this (in KiB) are refused rather than computed:
/// a tampered row must not make the server allocate gigabytes.
const MAX_M_COST: u32 = 256 * 1024;

static PERMITS: Semaphore = Semaphore::const_new(HASHERS);
static AREAS: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// Runs `f` on a blocking thread with a reusable working area, at most `HASHERS` at once.
async fn with_area<T: Send + 'static>(
    f: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
) -> Result<T> {
    let _permit = PERMITS
        .acquire()
        .await
        .map_err(|e| CoreError::Config(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        let mut area = AREAS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .unwrap_or_default();
        let out = f(&mut area);
        // An unusually large stored cost must not stay allocated.
        if area.len() > Params::default().block_count() {
            area = Vec::new();
        }
        AREAS.lock().unwrap_or_else(|e| e.into_inner()).push(area);
        out
    })
    .await
    .map_err(|e| CoreError::Config(e.to_string()))
}

fn hash_in(password: &[u8], area: &mut Vec<Block>) -> std::result::Result<String, String> {
    let salt = SaltString::encode_b64(&token::random_bytes(16)).map_err(|e| e.to_string())?;
    let mut salt_bytes = [0u8; 64];
    let salt_raw = salt
        .as_salt()
        .decode_b64(&mut salt_bytes)
        .map_err(|e| e.to_string())?;
    let params = Params::default();
    area.resize(params.block_count(), Block::default());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password, salt_raw, &mut out, &mut area[..])
        .map_err(|e| e.to_string())?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    };
    Ok(phc.to_string())
}

fn verify_in(password: &[u8], phc: &str, area: &mut Vec<Block>) -> bool {
    let Ok(h) = PasswordHash::new(phc) else {
        return false;
    };
    let (Ok(algorithm), Ok(params), Some(salt), Some(expected)) = (
        Algorithm::try_from(h.algorithm),
        Params::try_from(&h),
        h.salt,
        h.hash,
    ) else {
        return false;
    };
    let version = match h.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    if params.m_cost() > MAX_M_COST {
        return false;
    }
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_raw) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    area.resize(params.block_count(), Block::default());
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt_raw, &mut out, &mut area[..])
        .is_ok()
        // `Output`'s equality is constant-time.
        && Output::new(&out).is_ok_and(|o| o == expected)
}

/// Hashes a password (argon2id, the crate's default cost) into a PHC string.
pub(crate) async fn hash_password(password: String) -> Result<String> {
    with_area(move |area| hash_in(password.as_bytes(), area))
        .await?
        .map_err(|e| CoreError::Config(format!("password hashing failed: {e}")))
}

/// Whether `password` matches a stored PHC string; false for anything malformed.
pub(crate) async fn verify_password(password: String, phc: String) -> bool {
    with_area(move |area| verify_in(password.as_bytes(), &phc, area))
        .await
        .unwrap_or(false)
}

/// Whether a password is made of the person's own name parts, user name or address with
/// little else: without them fewer than 8 letters or digits remain. (zxcvbn ranks such
/// parts as cheap guesses, but a name it does not know plus a separator can still score
/// well; attackers try them first.)
fn mostly_personal(password: &str, personal: &[&str]) -> bool {
    let mut rest: String = password
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    let before = rest.chars().count();
    let mut parts: Vec<String> = personal
        .iter()
        .flat_map(|p| p.split(|c: char| !c.is_alphanumeric()))
        .filter(|p| p.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect();
    // Longest first, so that "nadineberger" goes before "nadine".
    parts.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for p in &parts {
        rest = rest.replace(p.as_str(), "");
    }
    let after = rest.chars().count();
    after < before && after < 8
}

/// Only this many characters are judged for strength: zxcvbn's matching grows faster than
/// linearly with the length, and what follows a strong beginning only adds to it.
const JUDGED_CHARS: usize = 100;

/// Why a new password is too easy to guess, as the translation key of the message shown,
/// or `None` if it is strong enough. Judged by zxcvbn, whose lists of common and leaked
/// passwords, words, names and keyboard patterns are compiled into the binary: a password
/// must need about 10^10 guesses (score 3), which with argon2 and the sign-in limits is
/// out of reach online and costly offline. `personal` are the person's own name, user
/// name and address, which must not carry a password either.
pub(crate) fn weakness(password: &str, personal: &[&str]) -> Option<&'static str> {
    use zxcvbn::{Score, feedback::Warning};
    let judged: String = password.chars().take(JUDGED_CHARS).collect();
    if mostly_personal(&judged, personal) {
        return Some("error-password-personal");
    }
    let estimate = zxcvbn::zxcvbn(&judged, personal);
    if estimate.score() >= Score::Three {
        return None;
    }
    Some(match estimate.feedback().and_then(|f| f.warning()) {
        Some(
            Warning::ThisIsATop10Password
            | Warning::ThisIsATop100Password
            | Warning::ThisIsACommonPassword
            | Warning::ThisIsSimilarToACommonlyUsedPassword,
        ) => "error-password-common",
        Some(
            Warning::StraightRowsOfKeysAreEasyToGuess
            | Warning::ShortKeyboardPatternsAreEasyToGuess
            | Warning::RepeatsLikeAaaAreEasyToGuess
            | Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess
            | Warning::SequencesLikeAbcAreEasyToGuess
            | Warning::RecentYearsAreEasyToGuess
            | Warning::DatesAreOftenEasyToGuess,
        ) => "error-password-pattern",
        Some(
            Warning::AWordByItselfIsEasyToGuess
            | Warning::NamesAndSurnamesByThemselvesAreEasyToGuess
            | Warning::CommonNamesAndSurnamesAreEasyToGuess,
        ) => "error-password-word",
        _ => "error-password-weak",
    })
}

#[cfg(test)]
mod tests {
    use argon2::{PasswordHasher, PasswordVerifier};

    use super::*;

    #[test]
    fn common_patterned_and_personal_passwords_are_weak() {
        assert_eq!(
            weakness("aaaaaaaaaaaa", &[]),
            Some("error-password-pattern")
        );
        assert_eq!(weakness("password1234", &[]), Some("error-password-common"));
        assert!(weakness("qwertzuiop12", &[]).is_some());
        assert_eq!(
            weakness("nadine.berger", &["nadine", "nadine.berger@tessera.test"]),
            Some("error-password-personal")
        );
        for strong in [
            "ein langes geheimes Passwort",
            "Nadines eigenes Passwort",
            "korrekt Pferd Batterie Heftklammer",
        ] {
            assert_eq!(weakness(strong, &["nadine"]), None, "{strong}");
        }
        // Very long input is judged quickly, by its beginning.
        let long = "x".repeat(100_000);
        assert!(weakness(&long, &[]).is_some());
    }

    #[test]
    fn hashes_are_the_crates_own_format_both_ways() {
        let mut area = Vec::new();
        let ours = hash_in(b"korrekt Pferd Batterie", &mut area).unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        assert!(
            Argon2::default()
                .verify_password(b"korrekt Pferd Batterie", &parsed)
                .is_ok()
        );
        assert!(
            Argon2::default()
                .verify_password(b"falsch", &parsed)
                .is_err()
        );

        // Hashes stored before this module (by the crate's own hasher) keep working.
        let salt = SaltString::encode_b64(b"sixteen byte slt").unwrap();
        let theirs = Argon2::default()
            .hash_password(b"altes Passwort", &salt)
            .unwrap()
            .to_string();
        assert!(verify_in(b"altes Passwort", &theirs, &mut area));
        assert!(!verify_in(b"altes passwort", &theirs, &mut area));
        assert!(verify_in(b"korrekt Pferd Batterie", &ours, &mut area));
    }

    #[test]
    fn malformed_or_costly_hashes_never_verify() {
        let mut area = Vec::new();
        for phc in [
            "",
            "nonsense",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$",
            "$bcrypt$v=19$m=19456,t=2,p=1$c2l4dGVlbiBieXRlIHNsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$v=19$m=4194304,t=2,p=1$c2l4dGVlbiBieXRlIHNsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ] {
            assert!(!verify_in(b"x", phc, &mut area), "{phc:?}");
        }
        assert!(area.len() <= Params::default().block_count());
    }

    #[tokio::test]
    async fn many_sign_ins_reuse_the_working_areas() {
        let hash = hash_password("ein langes Passwort".into()).await.unwrap();
        let checks = (0..6).map(|i| {
            let hash = hash.clone();
            tokio::spawn(async move {
                let pw = if i % 2 == 0 {
                    "ein langes Passwort"
                } else {
                    "falsch"
                };
                verify_password(pw.into(), hash).await == (i % 2 == 0)
            })
        });
        for c in checks {
            assert!(c.await.unwrap());
        }
        assert!(AREAS.lock().unwrap().len() <= HASHERS);
    }

    /// Cases per property: modest by default so the suite stays fast; a long run sets
    /// `PROPTEST_CASES`, e.g. `PROPTEST_CASES=100000 cargo test --workspace prop_`.
    fn cases() -> proptest::test_runner::Config {
        let cases = std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(32);
        proptest::test_runner::Config::with_cases(cases)
    }

    proptest::proptest! {
        #![proptest_config(cases())]

        /// Any input, however long or strange, is judged without a panic.
        #[test]
        fn prop_weakness_judges_any_input(
            password in "\\PC{0,300}",
            personal in proptest::collection::vec("\\PC{0,40}", 0..4),
        ) {
            let personal: Vec<&str> = personal.iter().map(String::as_str).collect();
            let _ = weakness(&password, &personal);
        }

        /// A password made of the person's own names, whatever the separators and case,
        /// is refused as personal.
        #[test]
        fn prop_own_names_are_refused(
            first in "[a-zäöü]{3,12}",
            last in "[a-zäöü]{3,12}",
            sep in "[ ._-]{0,2}",
            digits in "[0-9]{0,4}",
        ) {
            let display = format!("{first} {last}");
            let email = format!("{first}.{last}@example.org");
            let password = format!("{}{sep}{last}{digits}", first.to_uppercase());
            proptest::prop_assert_eq!(
                weakness(&password, &[first.as_str(), email.as_str(), display.as_str()]),
                Some("error-password-personal")
            );
        }
    }
}
