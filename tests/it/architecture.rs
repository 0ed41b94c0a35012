//! The shape of the source tree, checked so that it cannot drift: no `use`
//! cycle between the top-level modules, `http` the only module that names
//! reqwest, and no source file longer than 700 lines outside its tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 700;

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src/`, with its path relative to `src/`.
fn sources() -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut dirs = vec![src_dir()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(src_dir()).unwrap();
                let relative = relative.to_string_lossy().replace('\\', "/");
                files.push((relative, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

/// The code of a file before its `#[cfg(test)]` module.
fn without_tests(text: &str) -> &str {
    text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text)
}

/// The top-level module a file belongs to (`plan/execute.rs` → `plan`), or
/// `None` for the crate roots and the binaries.
fn module_of(relative: &str) -> Option<String> {
    if matches!(relative, "lib.rs" | "main.rs") || relative.starts_with("bin/") {
        return None;
    }
    let first = relative.split('/').next()?;
    Some(first.trim_end_matches(".rs").to_string())
}

/// The top-level modules each module names through `crate::`.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (relative, text) in sources() {
        let Some(module) = module_of(&relative) else {
            continue;
        };
        let uses = graph.entry(module.clone()).or_default();
        for (i, _) in without_tests(&text).match_indices("crate::") {
            let name: String = text[i + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && name != module {
                uses.insert(name);
            }
        }
    }
    graph
}

/// A cycle through `start`, if there is one, as the path of modules.
fn cycle_from(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![vec![start.to_string()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().unwrap();
        for next in graph.get(last).into_iter().flatten() {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(next.clone());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
    None
}

#[test]
fn no_use_cycle_between_modules() {
    let graph = module_graph();
    assert!(graph.contains_key("plan") && graph["plan"].contains("source"));
    let cycles: Vec<String> = graph
        .keys()
        .filter_map(|m| cycle_from(&graph, m))
        .map(|c| c.join(" -> "))
        .collect();
    assert!(cycles.is_empty(), "use cycles: {cycles:#?}");
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let mut graph = BTreeMap::new();
    graph.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    graph.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    graph.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(cycle_from(&graph, "a").unwrap(), ["a", "b", "a"]);
    assert_eq!(cycle_from(&graph, "c"), None);
}

#[test]
fn only_the_http_module_names_reqwest() {
    let naming: Vec<String> = sources()
        .into_iter()
        .filter(|(relative, _)| module_of(relative).as_deref() != Some("http"))
        .filter(|(_, text)| without_tests(text).contains("reqwest"))
        .map(|(relative, _)| relative)
        .collect();
    assert!(
        naming.is_empty(),
        "reqwest named outside http.rs: {naming:?}"
    );
}

#[test]
fn no_source_file_is_longer_than_700_lines_outside_its_tests() {
    let long: Vec<String> = sources()
        .iter()
        .map(|(relative, text)| (relative, without_tests(text).lines().count()))
        .filter(|(_, lines)| *lines > MAX_LINES)
        .map(|(relative, lines)| format!("{relative}: {lines}"))
        .collect();
    assert!(long.is_empty(), "longer than {MAX_LINES} lines: {long:?}");
}
