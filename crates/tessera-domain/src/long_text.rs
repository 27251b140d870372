//! How much of a long text a page shows. A mail can be tens of megabytes of text; a page
//! shows its beginning and links to the whole.

/// The most characters of one entry's text (its body, and its folded part) that a page
/// shows: about 100 KB of visible text. APIs give the whole text.
pub const SHOWN_CHARS: usize = 100_000;

/// The beginning of `text` that a page shows when it is longer than `max` characters, or
/// `None` when it fits. The cut is at the last line break within the final tenth of the
/// first `max` characters, else at the last white space there (a link or word stays whole),
/// else after exactly `max` characters; never inside a character.
pub fn shown_part(text: &str, max: usize) -> Option<&str> {
    let (end, _) = text.char_indices().nth(max)?;
    let window = &text[..end];
    let mut floor = end - end / 10;
    while !window.is_char_boundary(floor) {
        floor += 1;
    }
    let tail = &window[floor..];
    let cut = tail
        .rfind('\n')
        .or_else(|| tail.rfind(char::is_whitespace))
        .map_or(end, |i| floor + i);
    Some(window[..cut].trim_end_matches('\r'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, max: usize, expected: Option<&str>) {
        assert_eq!(shown_part(text, max), expected, "{text:?} at {max}");
    }

    #[test]
    fn cuts_at_a_line_a_space_or_a_character() {
        let (a, b) = ("a".repeat(95), "b".repeat(10));
        check("short", 10, None);
        check("exactly10!", 10, None);
        let lines = format!("{}\n{}\n{b}", "a".repeat(50), "b".repeat(45));
        check(&lines, 100, Some(&lines[..96]));
        check(&format!("{a}\r\n{b}"), 100, Some(&a));
        check(&format!("{a} {b}"), 100, Some(&a));
        check(&format!("{a}\t{b}"), 100, Some(&a));
        // A line break early on is not worth losing most of the window for.
        let early = format!("x\n{}", "b".repeat(200));
        check(&early, 100, Some(&early[..100]));
        let wide = "é".repeat(200);
        check(&wide, 100, Some(&wide[..200]));
        check("🦀🦀🦀", 0, Some(""));
    }

    #[test]
    fn a_huge_line_is_cut_near_the_limit() {
        let text = "x".repeat(1_000_000);
        let shown = shown_part(&text, SHOWN_CHARS).unwrap_or_default();
        assert_eq!(shown.len(), SHOWN_CHARS);
    }
}
