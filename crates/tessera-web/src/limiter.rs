//! A fixed-window attempt counter per key, in memory (per node).

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Counts attempts per key and window.
#[derive(Debug, Default)]
pub struct Limiter {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Limiter {
    /// Records an attempt; `false` once `max` attempts were made in the current window.
    pub fn allow(&self, key: &str, max: u32, window: Duration) -> bool {
        let now = Instant::now();
        let mut map = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            // Bound memory under a flood of distinct keys.
            map.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = map.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= max
    }
}

impl Limiter {
    /// Whether `key` has attempts left in its window, without counting one.
    pub fn has_room(&self, key: &str, max: u32, window: Duration) -> bool {
        let map = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(key) {
            Some((start, n)) => Instant::now().duration_since(*start) >= window || *n < max,
            None => max > 0,
        }
    }

    /// Gives back an attempt `allow` counted: budgets count failures, but whether an attempt
    /// fails is known only after it ran, and counting first keeps concurrent attempts from
    /// slipping past the budget together.
    pub fn refund(&self, key: &str) {
        let mut map = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, n)) = map.get_mut(key) {
            *n = n.saturating_sub(1);
        }
    }

    /// Forgets a key (after a successful sign-in).
    pub fn reset(&self, key: &str) {
        self.windows
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_key() {
        let l = Limiter::default();
        let w = Duration::from_secs(60);
        assert!(l.allow("a", 2, w));
        assert!(l.allow("a", 2, w));
        assert!(!l.allow("a", 2, w));
        assert!(l.allow("b", 2, w));
        assert!(l.allow("c", 1, Duration::ZERO));
        assert!(
            l.allow("c", 1, Duration::ZERO),
            "an elapsed window starts over"
        );
    }

    #[test]
    fn refunds_give_back_what_was_counted_and_room_is_only_looked_at() {
        let l = Limiter::default();
        let w = Duration::from_secs(60);
        assert!(l.has_room("a", 1, w));
        assert!(l.has_room("a", 1, w), "looking does not count");
        assert!(l.allow("a", 1, w));
        assert!(!l.has_room("a", 1, w));
        l.refund("a");
        assert!(l.has_room("a", 1, w));
        assert!(l.allow("a", 1, w));
        assert!(!l.allow("a", 1, w));
        l.refund("nobody");
    }
}
