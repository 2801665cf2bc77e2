//! Registers every API module in `src/apis/`: each file there is one API the
//! reference server speaks and declares itself as `pub const API: Api`. A new
//! API is its file — nothing else to edit.

use std::fmt::Write;

fn main() {
    // Read when the script runs (not `env!`, fixed when it was compiled: a
    // build script shared between two checkouts would read the other's).
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = std::path::Path::new(&manifest).join("src/apis");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("refserver/src/apis exists")
        .filter_map(|e| {
            let path = e.ok()?.path();
            let stem = path.file_stem()?.to_str()?.to_string();
            (path.extension()? == "rs" && stem != "mod").then_some(stem)
        })
        .collect();
    // A fixed order (the banner's); each API seeds from its own stream.
    names.sort();
    let mut out = String::new();
    for n in &names {
        let path = dir.join(format!("{n}.rs"));
        writeln!(
            out,
            "#[path = {:?}]\npub mod {n};",
            path.display().to_string()
        )
        .unwrap();
    }
    let all: Vec<String> = names.iter().map(|n| format!("{n}::API")).collect();
    writeln!(
        out,
        "/// Every API module in `src/apis/`, in name order.\npub const ALL: &[crate::state::Api] = &[{}];",
        all.join(", ")
    )
    .unwrap();
    let target = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("apis.rs");
    std::fs::write(target, out).expect("OUT_DIR is writable");
}
