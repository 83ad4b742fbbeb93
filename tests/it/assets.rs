//! The committed shell completions and man pages must match what the clap definitions
//! generate. Refresh them with: UMCTL_BLESS=1 cargo test --test it assets

use std::path::Path;

fn check(dir: &str, files: Vec<(String, Vec<u8>)>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let bless = std::env::var_os("UMCTL_BLESS").is_some();
    if bless {
        std::fs::create_dir_all(&root).unwrap();
    }
    let mut stale = Vec::new();
    for (name, contents) in &files {
        let path = root.join(name);
        if bless {
            std::fs::write(&path, contents).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(contents.as_slice()) {
            stale.push(name.clone());
        }
    }
    // Files for commands that no longer exist are stale too.
    for entry in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !files.iter().any(|(n, _)| *n == name) {
            if bless {
                std::fs::remove_file(entry.path()).unwrap();
            } else {
                stale.push(format!("{name} (no longer generated)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "{dir}/ is stale: {stale:?}\nrefresh it with: UMCTL_BLESS=1 cargo test --test it assets"
    );
}

#[test]
fn completions_are_current() {
    check("completions", umctl::cli::assets::completions());
}

#[test]
fn man_pages_are_current() {
    check("man", umctl::cli::assets::man_pages().unwrap());
}

#[test]
fn completions_command_prints_a_script() {
    let out = std::process::Command::new(crate::support::umctl_bin())
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("_umctl()"));
}

/// The commands `umctl [PATH] --help` lists (the real binary's words), as paths: `lab pin set`.
fn help_commands(path: &[String]) -> Vec<Vec<String>> {
    let out = std::process::Command::new(crate::support::umctl_bin())
        .args(path)
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    let Some(list) = help.split("\nCommands:\n").nth(1) else {
        return vec![path.to_vec()];
    };
    let names: Vec<String> = list
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect();
    names
        .into_iter()
        .flat_map(|name| {
            let mut sub = path.to_vec();
            sub.push(name);
            help_commands(&sub)
        })
        .collect()
}

/// README.md and every page of docs/, in name order: (file name, text).
fn documentation() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages: Vec<std::path::PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    pages.insert(0, root.join("README.md"));
    pages
        .into_iter()
        .map(|p| {
            let name = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// The umctl command lines of the code blocks of the README and of docs/.
fn readme_command_lines() -> Vec<String> {
    documentation()
        .iter()
        .flat_map(|(_, text)| command_lines(text))
        .collect()
}

/// The umctl command lines of a page's code blocks, continuation lines joined, without the
/// prompt, environment assignments, comments and what a shell pipes them into.
fn command_lines(readme: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_code = false;
    let mut pending = String::new();
    for line in readme.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if !in_code {
            continue;
        }
        let line = line.trim();
        if !pending.is_empty() {
            pending.push(' ');
            pending.push_str(line.trim_end_matches('\\'));
            if !line.ends_with('\\') {
                lines.push(std::mem::take(&mut pending));
            }
            continue;
        }
        let line = line.strip_prefix("$ ").unwrap_or(line);
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(at) = words.iter().position(|w| *w == "umctl") else {
            continue;
        };
        if !words[..at].iter().all(|w| w.contains('=')) {
            continue;
        }
        // "umctl serve: warning: ..." is output umctl printed, not a command.
        if words.get(at + 1).is_some_and(|w| w.ends_with(':')) {
            continue;
        }
        let rest = words[at..].join(" ");
        if rest.ends_with('\\') {
            pending = rest.trim_end_matches('\\').trim_end().to_string();
        } else {
            lines.push(rest);
        }
    }
    lines
        .into_iter()
        .map(|l| {
            let l = l.split(" #").next().unwrap_or_default();
            let l = l.split([';', '|', '>', '&']).next().unwrap_or_default();
            l.trim().to_string()
        })
        .collect()
}

/// Words a shell would pass (double quotes only; the README uses no others).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

#[test]
fn the_readme_and_help_list_the_same_commands() {
    let commands = help_commands(&[]);
    assert!(commands.len() > 15, "{commands:?}");
    let lines = readme_command_lines();
    // Every command --help lists is shown in the README.
    let missing: Vec<String> = commands
        .iter()
        .map(|path| format!("umctl {}", path.join(" ")))
        .filter(|cmd| !lines.iter().any(|l| l.starts_with(cmd.as_str())))
        .collect();
    assert!(
        missing.is_empty(),
        "in --help but not in the README or docs/: {missing:?}"
    );
    // Every README command line names a command --help lists, and a line without placeholders
    // (FILE, [--force], a|b, ...) is one umctl accepts as written.
    let mut wrong = Vec::new();
    for line in &lines {
        let words = shell_words(line);
        // Global options (with their values) may come first.
        let mut at = 1;
        while words.get(at).is_some_and(|w| w.starts_with('-')) {
            let takes_value = [
                "--lab",
                "--ldap",
                "--bind-dn",
                "--password-file",
                "--ca-file",
            ];
            at += if takes_value.contains(&words[at].as_str()) {
                2
            } else {
                1
            };
        }
        let names: Vec<&String> = words[at.min(words.len())..]
            .iter()
            .take_while(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
            .collect();
        let known = commands
            .iter()
            .any(|path| path.len() <= names.len() && path.iter().zip(&names).all(|(a, b)| a == *b));
        if !known {
            wrong.push(format!("{line} (no such command)"));
            continue;
        }
        let placeholder = words.iter().any(|w| {
            w.contains(['[', '|', '<'])
                || w.ends_with("...")
                || (w.len() > 1 && w.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        });
        if !placeholder {
            if let Err(e) = <umctl::cli::args::Cli as clap::Parser>::try_parse_from(&words) {
                wrong.push(format!("{line}: {}", e.kind()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "README and docs/ command lines umctl refuses: {wrong:#?}"
    );
}

#[test]
fn help_and_man_pages_say_what_umctl_does() {
    let help = |args: &[&str]| {
        let out = std::process::Command::new(crate::support::umctl_bin())
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let serve = help(&["serve", "--help"]);
    assert!(!serve.contains("nothing yet"), "{serve}");
    assert!(serve.contains("Outlook Voice Access"), "{serve}");
    let top = help(&["--help"])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        top.contains("lab Manage the embedded lab directory: init, reset, export, import, apply, hosts, search, show, pin, greeting"),
        "{top}"
    );
    // Man pages keep examples as written and end with the exit codes.
    for (name, page) in umctl::cli::assets::man_pages().unwrap() {
        let page = String::from_utf8(page).unwrap();
        assert!(page.contains(".SH EXIT CODES"), "{name}");
        assert!(page.contains("130  interrupted"), "{name}");
        if let Some(examples) = page.split(".SH EXAMPLES\n").nth(1) {
            assert!(examples.starts_with(".nf\n"), "{name}: {examples}");
        }
    }
}

#[test]
fn the_readme_links_every_docs_page_and_every_link_resolves() {
    let docs = documentation();
    let readme = &docs[0].1;
    for (name, _) in &docs[1..] {
        assert!(
            readme.contains(&format!("]({name})")),
            "README.md does not link {name}"
        );
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (name, text) in &docs {
        let base = Path::new(name).parent().unwrap_or(Path::new(""));
        for target in text.split("](").skip(1).filter_map(|s| s.split(')').next()) {
            let file = target.split('#').next().unwrap_or_default();
            if file.is_empty() || file.contains("://") {
                continue;
            }
            assert!(
                root.join(base).join(file).exists(),
                "{name} links {target}, which does not exist"
            );
        }
    }
    assert!(
        command_lines(readme)
            .iter()
            .any(|l| l.starts_with("umctl trace-call")),
        "the README keeps a tour of each command"
    );
}
