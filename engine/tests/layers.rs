//! The engine's layers flow one way (docs/architecture.md): a module of
//! `engine/src` imports only modules below it, so there is no import cycle
//! and no back-edge. Comments are not imports; everything else that names
//! `crate::<module>` is.

use std::path::Path;

/// Each top-level module and its layer; a module may use its own layer's
/// modules only if it is that module.
const LAYERS: &[(&str, u32)] = &[
    ("units", 0),
    ("lpm", 0),
    ("packet", 0),
    ("hashing", 0),
    ("sparse", 1),
    ("scenario", 1),
    ("model", 2),
    ("dataplane", 3),
    ("traffic", 4),
    ("sim", 5),
    ("report", 6),
    ("explain", 6),
    ("import", 6),
    ("cli", 7),
];

fn layer(m: &str) -> Option<u32> {
    LAYERS.iter().find(|(n, _)| *n == m).map(|(_, l)| *l)
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("readable") {
        let p = e.expect("an entry").path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn modules_import_only_layers_below_them() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let mut bad = Vec::new();
    let mut seen_modules = std::collections::BTreeSet::new();
    for f in &files {
        let rel = f.strip_prefix(&src).expect("inside");
        let top = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .map(|s| s.trim_end_matches(".rs").to_string())
            .expect("a name");
        if top == "lib" || top == "main" {
            continue;
        }
        seen_modules.insert(top.clone());
        let Some(mine) = layer(&top) else {
            bad.push(format!(
                "{}: module `{top}` has no layer in this test",
                rel.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(f).expect("readable");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for (i, _) in code.match_indices("crate::") {
                let name: String = code[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if name == top {
                    continue;
                }
                match layer(&name) {
                    Some(l) if l < mine => {}
                    Some(l) => bad.push(format!(
                        "{}:{}: `{top}` (layer {mine}) uses `{name}` (layer {l})",
                        rel.display(),
                        n + 1
                    )),
                    None => bad.push(format!(
                        "{}:{}: `{top}` uses `crate::{name}`, which has no layer",
                        rel.display(),
                        n + 1
                    )),
                }
            }
        }
    }
    assert!(
        seen_modules.len() >= 10,
        "the source tree was not found: {seen_modules:?}"
    );
    assert!(
        bad.is_empty(),
        "imports against the layers:\n{}",
        bad.join("\n")
    );
}
