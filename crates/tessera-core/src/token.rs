//! Split tokens for access links and session cookies: `selector.verifier`. The selector finds
//! the row; only the verifier's SHA-256 is stored and it is compared in constant time, so
//! neither a database dump nor a timing side channel yields a usable token.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Random bytes from the operating system, hex-encoded.
pub fn random_hex(bytes: usize) -> String {
    hex::encode(random_bytes(bytes))
}

/// Random bytes from the operating system.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).expect("the operating system's random source failed");
    b
}

/// A freshly minted token: give `token` to the person, store `selector` and `verifier_hash`.
#[derive(Debug)]
pub struct Minted {
    /// The whole token (secret).
    pub token: String,
    /// Public half, for lookup.
    pub selector: String,
    /// SHA-256 of the secret half, hex.
    pub verifier_hash: String,
}

/// Mints a token with a 96-bit selector and a 256-bit verifier. The selector's first 32 bits
/// are the second it was minted in, the other 64 random: tokens minted together then sit
/// side by side in the selector's unique index, so that a commit of many new tickets
/// writes one or two of its pages instead of one page per ticket (a random selector
/// lands anywhere among millions). The selector only finds the row; what makes the token
/// unguessable is the 256-bit verifier.
pub fn mint() -> Minted {
    mint_at(tessera_domain::Timestamp::now())
}

fn mint_at(now: tessera_domain::Timestamp) -> Minted {
    // Seconds fit 32 bits until 2106; after that the prefix wraps, which costs only order.
    let second = (now.0.div_euclid(1_000_000) as u64 & 0xffff_ffff) as u32;
    let selector = format!("{second:08x}{}", random_hex(8));
    let verifier = URL_SAFE_NO_PAD.encode(random_bytes(32));
    Minted {
        token: format!("{selector}.{verifier}"),
        verifier_hash: hash(&verifier),
        selector,
    }
}

fn hash(verifier: &str) -> String {
    hex::encode(Sha256::digest(verifier.as_bytes()))
}

/// Splits a presented token into selector and verifier; `None` if malformed.
pub fn split(token: &str) -> Option<(&str, &str)> {
    let (sel, ver) = token.split_once('.')?;
    let ok = sel.len() == 24
        && sel.bytes().all(|b| b.is_ascii_hexdigit())
        && ver.len() == 43
        && ver
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some((sel, ver))
}

/// Whether a presented verifier matches the stored hash, in constant time.
pub fn verify(verifier: &str, stored_hash: &str) -> bool {
    hash(verifier)
        .as_bytes()
        .ct_eq(stored_hash.as_bytes())
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_minted_in_order_sort_in_order_and_stay_unguessable() {
        let t = tessera_domain::Timestamp(1_780_000_000_000_000);
        let a = mint_at(t);
        let b = mint_at(tessera_domain::Timestamp(t.0 + 1_000_000));
        assert!(a.selector < b.selector, "{} {}", a.selector, b.selector);
        assert_eq!(&a.selector[..8], "6a18a500");
        // The same second, and still each selector its own.
        let c = mint_at(t);
        assert_eq!(a.selector[..8], c.selector[..8]);
        assert_ne!(a.selector, c.selector);
        assert!(
            split(&a.token)
                .is_some_and(|(sel, ver)| sel == a.selector && verify(ver, &a.verifier_hash))
        );
    }

    #[test]
    fn minted_tokens_verify() {
        let m = mint();
        let (sel, ver) = split(&m.token).expect("well-formed");
        assert_eq!(sel, m.selector);
        assert!(verify(ver, &m.verifier_hash));
        assert!(!verify("x", &m.verifier_hash));
        assert_ne!(mint().token, m.token);
    }

    #[test]
    fn refuses_malformed_tokens() {
        assert!(split("abc").is_none());
        assert!(split("zz.zz").is_none());
        let m = mint();
        assert!(split(&m.token.replace('.', "")).is_none());
        assert!(split(&format!("{}x", m.token)).is_none());
    }
}
