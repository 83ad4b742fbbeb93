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
