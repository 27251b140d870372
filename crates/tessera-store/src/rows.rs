//! Bound values: many rows bound to one statement (demo data in bulk, a new ticket's
//! entries, attachments and answers), and scripts of several statements.

use crate::{Handle, Result};

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
    OwnedOS(Option<String>),
    OwnedBytes(Vec<u8>),
}

impl V<'_> {
    /// The same value owning its text and bytes, for a statement run by another task.
    pub(crate) fn into_owned(self) -> V<'static> {
        match self {
            V::I(i) => V::I(i),
            V::O(o) => V::O(o),
            V::B(b) => V::B(b),
            V::S(s) => V::Owned(s.to_owned()),
            V::OS(s) => V::OwnedOS(s.map(str::to_owned)),
            V::Bytes(b) => V::OwnedBytes(b.to_vec()),
            V::Owned(s) => V::Owned(s),
            V::OwnedOS(s) => V::OwnedOS(s),
            V::OwnedBytes(b) => V::OwnedBytes(b),
        }
    }
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
                $crate::rows::V::OwnedOS(s) => q.bind(s.as_deref()),
                $crate::rows::V::OwnedBytes(b) => q.bind(b.as_slice()),
            };
        }
        q
    }};
}
pub(crate) use bind_values_impl as bind_values;

/// Statements with their bound values, numbered either across all of them (one execution
/// on SQLite, where `$n` names the n-th value of the whole text) or per statement.
pub(crate) struct Script<'a> {
    joined: bool,
    text: String,
    vals: Vec<V<'a>>,
    done: Vec<(String, Vec<V<'a>>)>,
}

impl<'a> Script<'a> {
    /// A script for `h`'s database: one execution on SQLite, one statement at a time on
    /// PostgreSQL (which binds values to one statement only).
    pub(crate) fn for_handle(h: &Handle<'_>) -> Self {
        Self {
            joined: matches!(h, Handle::Sqlite(_)),
            ..Self::in_one()
        }
    }

    /// A script sent as one execution (SQLite's way).
    pub(crate) fn in_one() -> Self {
        Self {
            joined: true,
            text: String::with_capacity(4096),
            vals: Vec::with_capacity(64),
            done: Vec::new(),
        }
    }

    /// Binds a value; its placeholder.
    pub(crate) fn v(&mut self, v: V<'a>) -> String {
        self.vals.push(v);
        format!("${}", self.vals.len())
    }

    /// `($a, $b, …)` for one row.
    pub(crate) fn row(&mut self, vals: impl IntoIterator<Item = V<'a>>) -> String {
        let p: Vec<String> = vals.into_iter().map(|v| self.v(v)).collect();
        format!("({})", p.join(", "))
    }

    /// Adds a statement's text (values bound with `v` and `row` just before).
    pub(crate) fn statement(&mut self, text: &str) {
        if self.joined {
            if !self.text.is_empty() {
                self.text.push_str(";\n");
            }
            self.text.push_str(text);
        } else {
            self.done
                .push((text.to_owned(), std::mem::take(&mut self.vals)));
        }
    }

    /// Whether the statements go as one execution (SQLite).
    pub(crate) fn joined(&self) -> bool {
        self.joined
    }

    pub(crate) fn into_one(self) -> (String, Vec<V<'a>>) {
        (self.text, self.vals)
    }

    pub(crate) fn into_each(self) -> Vec<(String, Vec<V<'a>>)> {
        self.done
    }

    /// Runs every statement.
    pub(crate) async fn execute(self, h: &mut Handle<'_>) -> Result<()> {
        match h {
            Handle::Sqlite(c) => {
                let (text, vals) = self.into_one();
                bind_values!(sqlx::query(sqlx::AssertSqlSafe(text)), &vals)
                    .execute(&mut **c)
                    .await?;
            }
            Handle::Postgres(c) => {
                for (text, vals) in self.into_each() {
                    bind_values!(sqlx::query(sqlx::AssertSqlSafe(text)), &vals)
                        .execute(&mut **c)
                        .await?;
                }
            }
        }
        Ok(())
    }
}

/// The rows of each statement of a script, in order.
pub(crate) enum Results {
    Sqlite(std::vec::IntoIter<Vec<sqlx::sqlite::SqliteRow>>),
    Postgres(std::vec::IntoIter<Vec<sqlx::postgres::PgRow>>),
}

impl Results {
    /// The next statement's rows.
    pub(crate) fn next<T>(&mut self) -> Result<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        let rows: Result<Vec<T>, sqlx::Error> = match self {
            Results::Sqlite(r) => r
                .next()
                .unwrap_or_default()
                .iter()
                .map(T::from_row)
                .collect(),
            Results::Postgres(r) => r
                .next()
                .unwrap_or_default()
                .iter()
                .map(T::from_row)
                .collect(),
        };
        Ok(rows?)
    }
}

impl Script<'_> {
    /// Runs every statement (reads): on SQLite as one execution, whose rows come back
    /// statement by statement, each statement's end marked.
    pub(crate) async fn fetch(self, h: &mut Handle<'_>) -> Result<Results> {
        use futures_util::TryStreamExt;
        match h {
            Handle::Sqlite(c) => {
                let (text, vals) = self.into_one();
                let mut out = vec![Vec::new()];
                // `fetch_many` is deprecated with sqlx's plan to drop several statements in
                // one text (which `execute` above relies on as well); it is the one call that
                // tells where a statement's rows end. Moving to `raw_sql` or another binding
                // is on the list (ARCHITECTURE.md).
                #[allow(deprecated)]
                let mut stream = bind_values!(sqlx::query(sqlx::AssertSqlSafe(text)), &vals)
                    .fetch_many(&mut **c);
                while let Some(step) = stream.try_next().await? {
                    match step {
                        sqlx::Either::Left(_) => out.push(Vec::new()),
                        sqlx::Either::Right(row) => {
                            out.last_mut().expect("never empty").push(row);
                        }
                    }
                }
                Ok(Results::Sqlite(out.into_iter()))
            }
            Handle::Postgres(c) => {
                let mut out = Vec::new();
                for (text, vals) in self.into_each() {
                    out.push(
                        bind_values!(sqlx::query(sqlx::AssertSqlSafe(text)), &vals)
                            .fetch_all(&mut **c)
                            .await?,
                    );
                }
                Ok(Results::Postgres(out.into_iter()))
            }
        }
    }
}

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
