//! Notes on what the import left out or changed, merged by resource.

use super::*;

/// Notes, merged by (kind, id): several findings about one resource read as
/// one line.
#[derive(Default)]
pub(super) struct Notes(
    pub(super) BTreeMap<(NoteKind, String), Vec<String>>,
    /// Resources left out with another that is missing: id -> (what it is,
    /// the resources left out with it).
    pub(super) BTreeMap<String, (String, Vec<String>)>,
);

impl Notes {
    pub(super) fn add(&mut self, kind: NoteKind, id: &str, text: impl Into<String>) {
        let t = text.into();
        let v = self.0.entry((kind, id.to_string())).or_default();
        if !v.contains(&t) {
            v.push(t);
        }
    }
    /// Notes `item`, left out because `dep` (a VPC, subnet or VPN gateway)
    /// is; `present`: `dep` is in the files, but was not imported.
    pub(super) fn left_out_with(&mut self, dep: &str, what: &str, present: bool, item: String) {
        let header = if present {
            format!("{what} not imported")
        } else {
            format!("{what} not in the files")
        };
        let e = self.1.entry(dep.to_string()).or_insert((header, vec![]));
        if !e.1.contains(&item) {
            e.1.push(item);
        }
    }

    pub(super) fn into_vec(mut self) -> Vec<Note> {
        let deps = std::mem::take(&mut self.1);
        for (id, (what, items)) in deps {
            // With its own note if it has one (it is in the files but left out).
            let kind = [Unsupported, Skipped, Unknown]
                .into_iter()
                .find(|k| self.0.contains_key(&(*k, id.clone())))
                .unwrap_or(Unknown);
            self.add(
                kind,
                &id,
                format!("{what}; left out with it: {}", items.join(", ")),
            );
        }
        self.0
            .into_iter()
            .map(|((kind, id), texts)| Note {
                kind,
                id,
                text: texts.join("; "),
            })
            .collect()
    }
}
