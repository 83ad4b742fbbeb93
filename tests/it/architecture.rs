//! ARCHITECTURE.md is the map of the tree: every file path it names must exist, and every
//! file under `src/` must be on it (in the `src/` tree of "Layers", as an entry of its own or
//! by file name in its folder's entry; a folder's entry stands for its `mod.rs`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The roots a path in the map may start from.
const ROOTS: &[&str] = &[
    "src/",
    "tests/",
    "benches/",
    "fuzz/",
    "fixtures/",
    "deploy/",
    "docs/",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn architecture() -> String {
    std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap()
}

/// One entry of the `src/` tree: its path and the words that describe it.
struct Entry {
    path: String,
    text: String,
}

/// The name an entry line starts with (`cli/`, `args.rs`) and its indentation, if it is one.
/// Description lines are indented further (14 columns or more) than any entry.
fn entry_name(line: &str) -> Option<(usize, &str)> {
    let indent = line.len() - line.trim_start().len();
    let word = line.split_whitespace().next()?;
    let stem = word
        .strip_suffix(".rs")
        .or_else(|| word.strip_suffix('/'))?;
    let plain = !stem.is_empty()
        && stem
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    (indent < 14 && indent.is_multiple_of(2) && plain).then_some((indent / 2, word))
}

/// The `src/` tree: the first code block of the page.
fn src_tree(text: &str) -> Vec<Entry> {
    let block = text
        .split("```")
        .nth(1)
        .expect("a code block with the src/ tree");
    let mut folders: Vec<String> = Vec::new();
    let mut entries: Vec<Entry> = Vec::new();
    for line in block.lines() {
        match entry_name(line) {
            Some((level, name)) => {
                folders.truncate(level);
                let path = format!("{}{name}", folders.concat());
                if name.ends_with('/') {
                    folders.push(name.to_string());
                }
                let rest = line.trim_start()[name.len()..].to_string();
                entries.push(Entry { path, text: rest });
            }
            None => {
                if let Some(last) = entries.last_mut() {
                    last.text.push(' ');
                    last.text.push_str(line.trim());
                }
            }
        }
    }
    entries
}

/// Every file the tree names: entries, `name.rs` words in a folder's entry, folders' mod.rs.
fn named_in_tree(entries: &[Entry]) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    for entry in entries {
        named.insert(entry.path.clone());
        if entry.path.ends_with('/') {
            named.insert(format!("{}mod.rs", entry.path));
            for word in entry
                .text
                .split(|c: char| !(c.is_alphanumeric() || "_.".contains(c)))
            {
                if word.ends_with(".rs") {
                    named.insert(format!("{}{word}", entry.path));
                }
            }
        }
    }
    named
}

/// Paths anywhere on the page that start at one of the ROOTS, e.g. `tests/sipp/`.
fn paths_on_page(text: &str) -> BTreeSet<String> {
    let in_path = |c: char| c.is_ascii_alphanumeric() || "_.-/*".contains(c);
    let mut paths = BTreeSet::new();
    for (at, _) in text.char_indices() {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| in_path(c) || c == '>') {
            continue;
        }
        if !ROOTS.iter().any(|r| text[at..].starts_with(r)) {
            continue;
        }
        let end = text[at..]
            .find(|c: char| !in_path(c))
            .map_or(text.len(), |n| at + n);
        paths.insert(text[at..end].trim_end_matches(['.', ',']).to_string());
    }
    paths
}

/// Whether a path exists; with a `*` the folder before it must.
fn exists(path: &str) -> bool {
    let fixed = path.split('*').next().unwrap_or(path);
    let fixed = if path.contains('*') {
        fixed.rsplit_once('/').map_or(fixed, |(dir, _)| dir)
    } else {
        fixed
    };
    root().join(fixed).exists()
}

fn src_files(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            src_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(root()).unwrap();
            out.insert(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

#[test]
fn every_path_the_architecture_names_exists() {
    let text = architecture();
    let mut missing: Vec<String> = src_tree(&text)
        .iter()
        .map(|e| e.path.clone())
        .filter(|p| !exists(p))
        .collect();
    missing.extend(paths_on_page(&text).into_iter().filter(|p| !exists(p)));
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names paths that do not exist: {missing:?}"
    );
}

#[test]
fn every_source_file_is_on_the_architecture_map() {
    let named = named_in_tree(&src_tree(&architecture()));
    let mut files = BTreeSet::new();
    src_files(&root().join("src"), &mut files);
    let missing: Vec<&String> = files.iter().filter(|f| !named.contains(*f)).collect();
    assert!(
        missing.is_empty(),
        "files under src/ that ARCHITECTURE.md's src/ tree does not name: {missing:?}"
    );
}

#[test]
fn the_map_reader_finds_nested_entries_and_bad_paths() {
    let page = "```\nsrc/\n  lib.rs       the library\n  cli/         the command line;\n                 lab.rs and x.rs\n    args.rs    clap\n  sip/\n```\nsee src/nowhere.rs and tests/it/.";
    let tree = src_tree(page);
    let paths: Vec<&str> = tree.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "src/",
            "src/lib.rs",
            "src/cli/",
            "src/cli/args.rs",
            "src/sip/"
        ]
    );
    let named = named_in_tree(&tree);
    assert!(named.contains("src/cli/lab.rs") && named.contains("src/sip/mod.rs"));
    let found = paths_on_page(page);
    assert!(found.contains("src/nowhere.rs") && found.contains("tests/it/"));
    assert!(!exists("src/nowhere.rs") && exists("tests/it/") && exists("fixtures/prompts/*.wav"));
}
