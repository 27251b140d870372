//! Multi-row inserts: the values of many rows bound to one statement (demo data in bulk,
//! a new ticket's entries, attachments and answers).

/// One bound value of a multi-row insert.
pub(crate) enum V<'a> {
    I(i64),
    O(Option<i64>),
    S(&'a str),
    OS(Option<&'a str>),
    B(bool),
    Bytes(&'a [u8]),
    /// A value made for the statement (a mail's recipients joined, …).
    Owned(String),
}

macro_rules! bind_values_impl {
    ($q:expr, $vals:expr) => {{
        let mut q = $q;
        for v in $vals {
            q = match v {
                $crate::rows::V::I(i) => q.bind(*i),
                $crate::rows::V::O(o) => q.bind(*o),
                $crate::rows::V::S(s) => q.bind(*s),
                $crate::rows::V::OS(s) => q.bind(*s),
                $crate::rows::V::B(b) => q.bind(*b),
                $crate::rows::V::Bytes(b) => q.bind(*b),
                $crate::rows::V::Owned(s) => q.bind(s.as_str()),
            };
        }
        q
    }};
}
pub(crate) use bind_values_impl as bind_values;

/// `($1, $2, …), (…)` for `rows` rows of `cols` values.
pub(crate) fn placeholders(rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push_str(", ");
            }
            s.push('$');
            s.push_str(&(r * cols + c + 1).to_string());
        }
        s.push(')');
    }
    s
}

/// Ids as a JSON array, for SQLite's `json_each`: one bound parameter instead of one
/// placeholder per id keeps a statement's text, and so its prepared form, the same for any
/// number of ids.
pub(crate) fn json_ids(ids: &[i64]) -> String {
    let mut out = String::with_capacity(ids.len() * 8 + 2);
    out.push('[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&id.to_string());
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_rows_and_columns() {
        assert_eq!(placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(placeholders(1, 1), "($1)");
    }

    #[test]
    fn json_ids_are_a_json_array() {
        assert_eq!(json_ids(&[]), "[]");
        assert_eq!(json_ids(&[7]), "[7]");
        assert_eq!(json_ids(&[1, -2, 30]), "[1,-2,30]");
    }
}
