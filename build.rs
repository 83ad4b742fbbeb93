//! Build script: embeds the shipped system prompts (`fixtures/prompts/*.wav`) in the binary,
//! so an installed `umctl` plays them without the source tree. It writes `prompts_table.rs`
//! in OUT_DIR: one `(id, include_bytes!(...))` per WAV, sorted by id. Nothing else.

use std::io::Write;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dir = manifest.join("fixtures").join("prompts");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "wav"))
                .filter_map(|p| {
                    let id = p.file_stem()?.to_str()?.to_string();
                    Some((id, p))
                })
                .collect()
        })
        .unwrap_or_default();
    entries.sort();
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("prompts_table.rs");
    let mut text = String::from("/// The embedded system prompts, sorted by id.\npub static PROMPTS: &[(&str, &[u8])] = &[\n");
    for (id, path) in &entries {
        println!("cargo:rerun-if-changed={}", path.display());
        text.push_str(&format!(
            "    ({id:?}, include_bytes!({:?})),\n",
            path.display().to_string()
        ));
    }
    text.push_str("];\n");
    let written = std::fs::File::create(&out).and_then(|mut f| f.write_all(text.as_bytes()));
    if let Err(e) = written {
        panic!("cannot write {}: {e}", out.display());
    }
}
