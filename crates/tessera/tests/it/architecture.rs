//! Architecture invariants that the compiler does not check, checked on the sources: the web
//! crate reaches data only through core's use cases, and core hands out no store types and
//! no database outside the tests' `testing` feature.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

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
    let core = sources(&crate_dir("tessera-core").join("src"));
    // Web's and core's own types may share a name with one of the store's (web's
    // `TicketPage` is a page template, core's `Reader` a capability); such a name then means
    // their type (core re-exports nothing of the store, checked below).
    let own = |name: &str| {
        web.iter().chain(&core).any(|(_, text)| {
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
    let names: Vec<&String> = names.iter().filter(|n| !own(n)).collect();
    let mut found = Vec::new();
    for (path, text) in &web {
        for name in &names {
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

/// The lines (`file:line: code`) of `dir`'s sources where a public function that `door`
/// picks (given the trimmed line) is declared without the `testing` feature's gate.
fn doors_outside_testing(dir: &Path, door: impl Fn(&str) -> bool) -> Vec<String> {
    let mut found = Vec::new();
    for (path, text) in sources(dir) {
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            let l = line.trim();
            if !(l.starts_with("pub fn ") || l.starts_with("pub async fn ")) || !door(l) {
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
    found
}

#[test]
fn core_opens_its_database_only_to_tests() {
    let found = doors_outside_testing(&crate_dir("tessera-core").join("src"), |l| {
        ["db", "blobs"].iter().any(|f| {
            l.starts_with(&format!("pub fn {f}(")) || l.starts_with(&format!("pub async fn {f}("))
        })
    });
    assert!(
        found.is_empty(),
        "core opens its database outside the testing feature:\n{}",
        found.join("\n")
    );
}

#[test]
fn capabilities_come_from_an_agent_value_only_in_tests() {
    // A browser session's capabilities come from a `SignedIn`, which only core's session
    // look-up makes; a public function of `access` that takes an agent value would let a
    // front end skip that look-up.
    let access = crate_dir("tessera-core").join("src");
    let found = doors_outside_testing(&access, |l| {
        l.contains("Agent)") || l.contains("Agent,") || l.contains("&'a Agent")
    })
    .into_iter()
    .filter(|f| f.contains("access.rs"))
    .collect::<Vec<_>>();
    assert!(
        found.is_empty(),
        "core makes capabilities from an agent value outside the testing feature:\n{}",
        found.join("\n")
    );
    let text = std::fs::read_to_string(access.join("access.rs")).expect("access.rs readable");
    assert!(
        text.contains("pub fn test_session(agent: &'a Agent)"),
        "the tests' constructor was found (and is the one gated)"
    );
    // With `cargo test` the feature is on for web too: web must not use the tests' door.
    let mut used = Vec::new();
    for (path, text) in sources(&crate_dir("tessera-web").join("src")) {
        for (line, code) in identifier_uses(&text, "test_session") {
            used.push(format!("{}:{line}: {code}", path.display()));
        }
    }
    assert!(
        used.is_empty(),
        "web uses the tests' door:\n{}",
        used.join("\n")
    );
}

/// The top-level modules of a crate's `src` folder, each with the text of its files: every
/// file but `lib.rs`, and every folder (a module folder counts as one module).
fn top_modules(src: &Path) -> BTreeMap<String, Vec<(PathBuf, String)>> {
    let mut modules = BTreeMap::new();
    for e in std::fs::read_dir(src).expect("source folder readable") {
        let path = e.expect("directory entry").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("module names are UTF-8")
            .to_owned();
        if path.is_dir() {
            modules.insert(name, sources(&path));
        } else if path.extension().is_some_and(|x| x == "rs") && name != "lib" {
            let text = std::fs::read_to_string(&path).expect("source file readable");
            modules.insert(name, vec![(path, text)]);
        }
    }
    modules
}

/// The first segment after each `crate::` in `text`, with the line it is on: `crate::x::y`
/// gives `x`, `use crate::{A, b::{C, D}}` gives `A` and `b`.
fn crate_references(text: &str) -> Vec<(String, usize)> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let first_segment =
        |s: &str| -> String { s.trim().chars().take_while(|c| ident(*c)).collect() };
    let mut out = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        if text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| ident(c) || c == '$')
        {
            continue;
        }
        let line = text[..at].matches('\n').count() + 1;
        let rest = text[at + "crate::".len()..].trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            // The items of the group, split at its own commas (not at nested groups'), each
            // with the line it starts on.
            let (mut depth, mut item, mut at_line) = (0, String::new(), line);
            let mut item_line = line;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push((first_segment(&item), item_line));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                if c == '\n' {
                    at_line += 1;
                }
                if item.trim().is_empty() && !c.is_whitespace() {
                    item_line = at_line;
                }
                item.push(c);
            }
            out.push((first_segment(&item), item_line));
        } else {
            out.push((first_segment(rest), line));
        }
    }
    out.retain(|(name, _)| !name.is_empty() && name != "self");
    out
}

/// Which module each crate-root re-export comes from (`pub use ctx::Ctx;` maps `Ctx` to `ctx`).
fn root_re_exports(lib: &str) -> BTreeMap<String, String> {
    lib.lines()
        .filter_map(|l| l.trim().strip_prefix("pub use ")?.strip_suffix(';'))
        .filter_map(|path| {
            let (module, name) = path.split_once("::")?;
            let name = name.rsplit("::").next()?;
            Some((name.to_owned(), module.to_owned()))
        })
        .collect()
}

/// Module `a` uses module `b`: (a, b) → where (the first place found).
type ModuleGraph = BTreeMap<String, BTreeMap<String, String>>;

/// The module graph of a crate's `src` folder: who refers to whom through `crate::` paths
/// (in code and in doc links alike). Items of the crate root itself (`AppState`) are not a
/// module; a root re-export counts as the module it comes from.
fn module_graph(src: &Path) -> ModuleGraph {
    let modules = top_modules(src);
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs readable");
    let re_exports = root_re_exports(&lib);
    let mut graph = ModuleGraph::new();
    for (module, files) in &modules {
        let uses = graph.entry(module.clone()).or_default();
        for (path, text) in files {
            for (name, line) in crate_references(text) {
                let target = re_exports.get(&name).unwrap_or(&name);
                if modules.contains_key(target) && target != module {
                    let code = text.lines().nth(line - 1).unwrap_or("").trim();
                    uses.entry(target.clone())
                        .or_insert_with(|| format!("{}:{line}: {code}", path.display()));
                }
            }
        }
    }
    graph
}

/// A cycle of the graph, as the modules along it (the first one again at the end), if any.
fn find_cycle(graph: &ModuleGraph) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        graph: &ModuleGraph,
        node: &str,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let from = path
                    .iter()
                    .position(|n| n == node)
                    .expect("open nodes are on the path");
                let mut cycle = path[from..].to_vec();
                cycle.push(node.to_owned());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node.to_owned(), Mark::Open);
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flat_map(|uses| uses.keys()) {
            if let Some(cycle) = visit(graph, next, marks, path) {
                return Some(cycle);
            }
        }
        path.pop();
        marks.insert(node.to_owned(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    graph
        .keys()
        .find_map(|n| visit(graph, n, &mut marks, &mut Vec::new()))
}

#[test]
fn crate_references_are_read_from_paths_and_groups() {
    let text = "use crate::{\n    AppState, ctx::{A, b::C},\n    error::PageError,\n};\n\
                let x = crate::render::x(); $crate::no; other_crate::no;\nuse crate::self_test;";
    let names: Vec<(String, usize)> = crate_references(text);
    let names: Vec<(&str, usize)> = names.iter().map(|(n, l)| (n.as_str(), *l)).collect();
    assert_eq!(
        names,
        [
            ("AppState", 2),
            ("ctx", 2),
            ("error", 3),
            ("render", 5),
            ("self_test", 6)
        ]
    );
    assert_eq!(
        root_re_exports("pub use ctx::Ctx;\nuse x::Y;\npub use a::b::Z;"),
        BTreeMap::from([("Ctx".into(), "ctx".into()), ("Z".into(), "a".into())])
    );
}

#[test]
fn cycles_are_found() {
    let graph = |edges: &[(&str, &str)]| {
        let mut g = ModuleGraph::new();
        for (a, b) in edges {
            g.entry(a.to_string())
                .or_default()
                .insert(b.to_string(), String::new());
            g.entry(b.to_string()).or_default();
        }
        g
    };
    assert_eq!(
        find_cycle(&graph(&[("a", "b"), ("b", "c"), ("a", "c")])),
        None
    );
    assert_eq!(
        find_cycle(&graph(&[("a", "b"), ("b", "c"), ("c", "d"), ("d", "b")])),
        Some(vec!["b".into(), "c".into(), "d".into(), "b".into()])
    );
}

#[test]
fn web_modules_form_no_cycle() {
    // Pages sit on shared pieces (the request and agent contexts, errors, rendering), never
    // the other way round: a cycle means a page's helper belongs below the pages.
    let graph = module_graph(&crate_dir("tessera-web").join("src"));
    let uses = |a: &str, b: &str| graph.get(a).is_some_and(|u| u.contains_key(b));
    assert!(
        uses("api", "error") && uses("error", "render") && uses("ctx", "error"),
        "the graph was read (a module folder as one module, groups and paths alike): {graph:#?}"
    );
    if let Some(cycle) = find_cycle(&graph) {
        let evidence: Vec<&str> = cycle
            .windows(2)
            .map(|w| graph[&w[0]][&w[1]].as_str())
            .collect();
        panic!(
            "tessera-web's modules form a cycle: {}\n{}",
            cycle.join(" → "),
            evidence.join("\n")
        );
    }
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

#[test]
fn web_acts_in_administration_only_as_the_signed_in_agent() {
    // `Actor::Agent` needs a `SignedIn`, which only core's session look-up makes; the
    // command line's and the anonymous actor are the binary's and core's own.
    let mut found = Vec::new();
    for (path, text) in sources(&crate_dir("tessera-web").join("src")) {
        for needle in ["Actor::Cli", "Actor::Anonymous"] {
            for (line, code) in text.lines().enumerate().filter(|(_, l)| l.contains(needle)) {
                found.push(format!("{}:{}: {code}", path.display(), line + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "web acts as someone other than the signed-in agent:\n{}",
        found.join("\n")
    );
}

#[test]
fn web_reads_the_client_address_only_through_client() {
    // Behind a proxy the socket peer is the proxy: a limit, allow-list or audit record
    // keyed on it would put every client into one bucket. `client.rs` alone looks at it.
    let mut found = Vec::new();
    for (path, text) in sources(&crate_dir("tessera-web").join("src")) {
        if path.ends_with("client.rs") {
            continue;
        }
        for (line, code) in identifier_uses(&text, "ConnectInfo") {
            found.push(format!("{}:{line}: {code}", path.display()));
        }
    }
    assert!(
        found.is_empty(),
        "web reads the socket peer outside client.rs:\n{}",
        found.join("\n")
    );
}
