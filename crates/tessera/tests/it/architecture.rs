//! Architecture invariants that the compiler does not check, checked on the sources: the web
//! crate reaches data only through core's use cases, and core hands out no store types and
//! no database outside the tests' `testing` feature.

use std::path::{Path, PathBuf};

fn crate_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crates/ holds the binary's crate")
        .join(name)
}

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).expect("source folder readable") {
            let path = e.expect("directory entry").path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&path).expect("source file readable");
                out.push((path, text));
            }
        }
    }
    assert!(!out.is_empty(), "no sources under {}", dir.display());
    out
}

/// Where `word` occurs in `text` as a whole identifier (or path segment): (line number, line).
fn identifier_uses(text: &str, word: &str) -> Vec<(usize, String)> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            line.match_indices(word).any(|(at, _)| {
                let before = line[..at].chars().next_back();
                let after = line[at + word.len()..].chars().next();
                !before.is_some_and(ident) && !after.is_some_and(ident)
            })
        })
        .map(|(n, line)| (n + 1, line.trim().to_owned()))
        .collect()
}

/// The names of every dependency a manifest declares (any table, any target, renamed ones
/// by their package).
fn dependencies(manifest: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(manifest).expect("manifest readable");
    let doc: toml::Table = toml::from_str(&text).expect("manifest is TOML");
    let mut tables: Vec<&toml::Table> = Vec::new();
    let kinds = ["dependencies", "dev-dependencies", "build-dependencies"];
    for k in kinds {
        if let Some(t) = doc.get(k).and_then(|v| v.as_table()) {
            tables.push(t);
        }
    }
    if let Some(targets) = doc.get("target").and_then(|v| v.as_table()) {
        for target in targets.values().filter_map(|v| v.as_table()) {
            for k in kinds {
                if let Some(t) = target.get(k).and_then(|v| v.as_table()) {
                    tables.push(t);
                }
            }
        }
    }
    let mut names = Vec::new();
    for t in tables {
        for (key, spec) in t {
            names.push(key.clone());
            if let Some(p) = spec.get("package").and_then(|p| p.as_str()) {
                names.push(p.to_owned());
            }
        }
    }
    names
}

#[test]
fn dependency_names_are_read_from_every_table() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("Cargo.toml");
    std::fs::write(
        &manifest,
        "[package]\nname = \"x\"\n[dependencies]\na = \"1\"\nb = { package = \"sqlx\", version = \"1\" }\n\
         [target.'cfg(unix)'.dev-dependencies]\ntessera-store = { path = \"x\" }\n",
    )
    .unwrap();
    let names = dependencies(&manifest);
    for n in ["a", "b", "sqlx", "tessera-store"] {
        assert!(names.iter().any(|x| x == n), "{n} missing from {names:?}");
    }
}

#[test]
fn identifiers_are_found_whole() {
    let text = "use tessera_store::Db;\nlet h: JoinHandle<()>;\ns.app.db().conn()";
    assert_eq!(identifier_uses(text, "tessera_store").len(), 1);
    assert_eq!(identifier_uses(text, "Handle").len(), 0);
    assert_eq!(identifier_uses(text, "Db").len(), 1);
    assert_eq!(identifier_uses(text, "db").len(), 1);
}

#[test]
fn web_does_not_depend_on_the_store_or_sqlx() {
    let deps = dependencies(&crate_dir("tessera-web").join("Cargo.toml"));
    assert!(
        deps.iter().any(|d| d == "tessera-core"),
        "the manifest was read: {deps:?}"
    );
    for banned in ["tessera-store", "tessera_store", "sqlx"] {
        assert!(
            !deps.iter().any(|d| d == banned),
            "tessera-web depends on {banned}: it must reach data through tessera-core"
        );
    }
}

#[test]
fn web_sources_name_neither_the_store_nor_sqlx() {
    let mut found = Vec::new();
    for (path, text) in sources(&crate_dir("tessera-web").join("src")) {
        for word in ["tessera_store", "sqlx"] {
            for (line, code) in identifier_uses(&text, word) {
                found.push(format!("{}:{line}: {code}", path.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "web names the store:\n{}",
        found.join("\n")
    );
}

#[test]
fn web_sources_open_no_database_or_blob_store() {
    // Core's `db()` and `blobs()` are the tests' door; a page that calls them bypasses the use
    // cases (and compiles whenever the `testing` feature is on, as in `cargo test`).
    let mut found = Vec::new();
    for (path, text) in sources(&crate_dir("tessera-web").join("src")) {
        for call in [".db()", ".blobs()", "create_temp("] {
            for (n, line) in text.lines().enumerate() {
                if line.contains(call) {
                    found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "web reaches the store:\n{}",
        found.join("\n")
    );
}

/// The names the store defines itself and exports (not the domain's types it passes on).
fn store_type_names() -> Vec<String> {
    let lib = std::fs::read_to_string(crate_dir("tessera-store").join("src/lib.rs")).unwrap();
    let src = crate_dir("tessera-store").join("src");
    let mut names = Vec::new();
    for statement in lib.split(';') {
        let Some(body) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, list)) = body.split_once("::") else {
            continue;
        };
        let module_text = std::fs::read_to_string(src.join(format!("{module}.rs")))
            .unwrap_or_else(|_| panic!("store module {module} readable"));
        for name in list
            .trim_matches(|c| c == '{' || c == '}' || char::is_whitespace(c))
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            let defined = ["struct", "enum", "type", "trait"]
                .iter()
                .any(|k| module_text.contains(&format!("pub {k} {name}")));
            if defined {
                names.push(name.to_owned());
            }
        }
    }
    names
}

#[test]
fn web_sources_name_no_store_type() {
    let names = store_type_names();
    for expected in [
        "Db",
        "BlobStore",
        "TempBlob",
        "QueueRow",
        "AuditRow",
        "TopicRow",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} is one of the store's types: {names:?}"
        );
    }
    // Passed on from the domain, so not the store's.
    for domain in ["Grant", "QueueQuery", "Visibility", "DepartmentMember"] {
        assert!(
            !names.iter().any(|n| n == domain),
            "{domain} is the domain's"
        );
    }
    let web = sources(&crate_dir("tessera-web").join("src"));
    // Web's own types may share a name with one of the store's (its `TicketPage` is a page
    // template); such a name then means web's type.
    let own = |name: &str| {
        web.iter().any(|(_, text)| {
            ["struct", "enum"].iter().any(|k| {
                text.lines().any(|l| {
                    let l = l
                        .trim_start()
                        .trim_start_matches("pub(crate) ")
                        .trim_start_matches("pub ");
                    l.strip_prefix(&format!("{k} {name}"))
                        .is_some_and(|rest| rest.starts_with([' ', '<', '{', '(', ';']))
                })
            })
        })
    };
    let mut found = Vec::new();
    for (path, text) in &web {
        for name in names.iter().filter(|n| !own(n)) {
            for (line, code) in identifier_uses(text, name) {
                found.push(format!("{}:{line}: {name} in {code}", path.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "web names the store's types:\n{}",
        found.join("\n")
    );
}

#[test]
fn core_re_exports_nothing_from_the_store() {
    let lib = std::fs::read_to_string(crate_dir("tessera-core").join("src/lib.rs")).unwrap();
    // Whole statements, so that a `pub use` over several lines counts too; comments and
    // attributes in front of one are skipped.
    let leaks: Vec<String> = lib
        .split(';')
        .map(|s| {
            s.lines()
                .map(str::trim)
                .skip_while(|l| l.is_empty() || l.starts_with("//") || l.starts_with("#"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|s| s.starts_with("pub use") && !identifier_uses(s, "tessera_store").is_empty())
        .collect();
    assert!(leaks.is_empty(), "core re-exports the store: {leaks:?}");
}

#[test]
fn core_opens_its_database_only_to_tests() {
    let mut found = Vec::new();
    for (path, text) in sources(&crate_dir("tessera-core").join("src")) {
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            let l = line.trim();
            let door = ["db", "blobs"].iter().any(|f| {
                l.starts_with(&format!("pub fn {f}("))
                    || l.starts_with(&format!("pub async fn {f}("))
            });
            if !door {
                continue;
            }
            // The item's attributes and doc comments are the lines right above it.
            let gated = lines[..n]
                .iter()
                .rev()
                .map(|l| l.trim())
                .take_while(|l| l.starts_with("#[") || l.starts_with("///"))
                .any(|l| l == "#[cfg(feature = \"testing\")]");
            if !gated {
                found.push(format!("{}:{}: {l}", path.display(), n + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "core opens its database outside the testing feature:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_domain_does_no_io() {
    let deps = dependencies(&crate_dir("tessera-domain").join("Cargo.toml"));
    let allowed = ["thiserror", "chrono", "chrono-tz", "rust-stemmers"];
    let extra: Vec<_> = deps
        .iter()
        .filter(|d| !allowed.contains(&d.as_str()))
        .collect();
    assert!(
        extra.is_empty(),
        "tessera-domain is types and rules without IO; it may depend on {allowed:?} only, \
         not {extra:?}"
    );
}

#[test]
fn only_the_store_speaks_sql() {
    for krate in [
        "tessera-domain",
        "tessera-mail",
        "tessera-i18n",
        "tessera-core",
        "tessera-web",
    ] {
        let deps = dependencies(&crate_dir(krate).join("Cargo.toml"));
        assert!(
            !deps.iter().any(|d| d == "sqlx"),
            "{krate} depends on sqlx: SQL belongs to tessera-store"
        );
        for (path, text) in sources(&crate_dir(krate).join("src")) {
            let uses = identifier_uses(&text, "sqlx");
            assert!(uses.is_empty(), "{} names sqlx: {uses:?}", path.display());
        }
    }
}

#[test]
fn mail_and_i18n_know_no_database_and_no_use_case() {
    for krate in ["tessera-mail", "tessera-i18n"] {
        let deps = dependencies(&crate_dir(krate).join("Cargo.toml"));
        let banned = [
            "sqlx",
            "tessera-store",
            "tessera-core",
            "tessera-web",
            "axum",
        ];
        let forbidden: Vec<_> = deps
            .iter()
            .filter(|d| banned.contains(&d.as_str()))
            .collect();
        assert!(
            forbidden.is_empty(),
            "{krate} must not depend on {forbidden:?}"
        );
    }
}

#[test]
fn no_openssl_in_the_build() {
    let lock = std::fs::read_to_string(crate_dir("..").join("Cargo.lock")).expect("Cargo.lock");
    for banned in ["openssl-sys", "openssl", "native-tls"] {
        assert!(
            !lock.contains(&format!("name = \"{banned}\"\n")),
            "{banned} is in Cargo.lock: TLS is rustls only (turn off the default features \
             that brought it in; `cargo tree -i {banned}` says which)"
        );
    }
}
