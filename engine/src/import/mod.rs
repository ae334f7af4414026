//! `vpcsim import aws DIR`: a scenario from the JSON that the AWS CLI prints.
//!
//! The input is a folder of `aws ec2 describe-*` outputs (and `aws lambda
//! list-functions`), or one such folder per region; see `docs/import.md` for
//! the file names. The output is a scenario in format version 1 holding the
//! design only: every resource the files describe and vpcsim can represent,
//! under its AWS id, and no traffic.
//!
//! Guarantees:
//! - The same files give the same text, byte for byte: resources are sorted by
//!   id and nothing depends on the order of the folder listing or on the path.
//! - The text validates with vpcsim's own loader. What cannot be represented
//!   (transit gateways, load balancers, IPv6, ...) or is referenced but not in
//!   the files is left out and listed by id, in a comment block at the top and
//!   in [`Imported::notes`]; a route to something left out is kept as a
//!   blackhole, so the routing decision stays visible.
//! - A malformed or cut file is an error naming the file and the JSON path of
//!   the value at fault; a missing file is not (its resources are absent).

mod aws;
mod convert;
pub(crate) mod files;
pub mod json;
mod out;
pub mod terraform;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use ipnet::Ipv4Net;

pub use json::JsonError;
pub use terraform::import_terraform;

/// Why something was not imported as AWS has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NoteKind {
    /// vpcsim cannot represent it.
    Unsupported,
    /// Referenced by the files, but not described in them.
    Unknown,
    /// Left out because of its state (deleted, detached, not active).
    Skipped,
    /// Imported, but from indirect evidence or with a difference from AWS.
    Approximated,
}

impl NoteKind {
    pub fn word(self) -> &'static str {
        match self {
            NoteKind::Unsupported => "unsupported",
            NoteKind::Unknown => "unknown",
            NoteKind::Skipped => "skipped",
            NoteKind::Approximated => "approximated",
        }
    }
}

/// One thing the import could not carry over as it is, by AWS id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Note {
    pub kind: NoteKind,
    pub id: String,
    pub text: String,
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // As the comment block writes it: one line, nothing hidden.
        write!(
            f,
            "{}: {}: {}",
            self.kind.word(),
            out::comment_text(&self.id),
            out::comment_text(&self.text)
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{0}")]
    Json(#[from] JsonError),
    /// A document that is not what it should be, or a value that cannot be,
    /// at a place that is not a line: `$.format_version`, or a Terraform
    /// address and attribute.
    #[error("{file}: {at}: {message}")]
    Shape {
        file: String,
        at: String,
        message: String,
    },
    #[error("{first} and {second} hold the same describe output; keep one")]
    Ambiguous { first: String, second: String },
    #[error(
        "{0}: no AWS describe output found (expected files like Vpcs.json or describe-vpcs.json, or one folder per region)"
    )]
    Empty(String),
    /// A value of `--onprem` that does not fit the files.
    #[error("--onprem {arg}: {message}")]
    Onprem { arg: String, message: String },
    #[error("id `{id}` is used by both {first} and {second}")]
    Collision {
        id: String,
        first: String,
        second: String,
    },
    /// An id holding what no id may (whitespace, control or invisible
    /// characters) that could not be mended.
    #[error(
        "{kind} `{id}`: its id holds {unfit}, which no AWS id holds and a scenario id cannot; the files are not describe output as AWS writes it"
    )]
    UnfitId {
        id: String,
        kind: String,
        unfit: String,
    },
}

/// The scenario text, with what did not make it into the design.
#[derive(Debug)]
pub struct Imported {
    pub text: String,
    /// Sorted by kind, then id.
    pub notes: Vec<Note>,
    /// JSON files whose names the import does not know.
    pub ignored_files: Vec<String>,
    pub region: String,
}

/// A folder of describe output: its path, the prefix that names its files in
/// messages (`us-east-1/`), and the region its name gives.
struct Place {
    path: PathBuf,
    label: String,
    region: Option<String>,
    /// The account its folder is under (`accounts/<account-id>/`).
    account: Option<String>,
}

/// Where the describe output of `dir` lies: `dir` itself, one folder per
/// region below it, or the same below an `aws_configs` folder (the layout of
/// the shared snapshots). Returns the scenario's name and the folders, each
/// with the region its name gives.
fn layout(dir: &Path) -> Result<(String, Vec<Place>), ImportError> {
    let io = |e: std::io::Error| ImportError::Io {
        path: dir.display().to_string(),
        message: e.to_string(),
    };
    let meta = std::fs::metadata(dir).map_err(io)?;
    if !meta.is_dir() {
        return Err(ImportError::Io {
            path: dir.display().to_string(),
            message: "not a directory".into(),
        });
    }
    let file_name = |p: &Path| {
        p.canonicalize()
            .ok()
            .and_then(|c| c.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "aws".to_string())
    };
    let has_json = |p: &Path| -> bool {
        std::fs::read_dir(p).is_ok_and(|rd| {
            rd.filter_map(|e| e.ok())
                .any(|e| e.path().is_file() && e.file_name().to_string_lossy().ends_with(".json"))
        })
    };
    let subdirs = |p: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(p)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter(|e| e.path().is_dir())
                    .filter_map(|e| e.file_name().to_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    let mut root = dir.to_path_buf();
    let mut name = file_name(dir);
    if !has_json(&root) && subdirs(&root).iter().any(|s| s == "aws_configs") {
        root = root.join("aws_configs");
    } else if name == "aws_configs" {
        if let Some(parent) = dir
            .canonicalize()
            .ok()
            .and_then(|c| c.parent().map(Path::to_path_buf))
        {
            name = file_name(&parent);
        }
    }
    let mut folders = Vec::new();
    // One folder per account (`accounts/<account-id>/`), each with its
    // files or one folder per region.
    let accounts = root.join("accounts");
    let bases: Vec<(PathBuf, String, Option<String>)> = if !has_json(&root) && accounts.is_dir() {
        subdirs(&accounts)
            .into_iter()
            .map(|a| (accounts.join(&a), format!("accounts/{a}/"), Some(a)))
            .collect()
    } else {
        vec![(root.clone(), String::new(), None)]
    };
    for (base, label, account) in bases {
        if has_json(&base) {
            folders.push(Place {
                path: base.clone(),
                label: label.clone(),
                region: None,
                account: account.clone(),
            });
        }
        for s in subdirs(&base) {
            if files::is_region_name(&s) && has_json(&base.join(&s)) {
                folders.push(Place {
                    path: base.join(&s),
                    label: format!("{label}{s}/"),
                    region: Some(s),
                    account: account.clone(),
                });
            }
        }
    }
    if folders.is_empty() {
        return Err(ImportError::Empty(dir.display().to_string()));
    }
    Ok((name, folders))
}

/// What `vpcsim import aws` is asked beyond the files.
#[derive(Clone, Debug, Default)]
pub struct AwsOptions {
    /// VPN tunnels reported DOWN carry nothing (VPN-3, VPN-4); by default a
    /// VPN whose every tunnel is DOWN is imported as up.
    pub tunnels_as_reported: bool,
    /// On-premises prefixes behind VPN connections, by VPN connection id.
    pub onprem: Vec<(String, Vec<Ipv4Net>)>,
}

/// Why a `--onprem` value cannot be read; each quotes the value as given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OnpremError {
    #[error("`{0}` is not VPN_ID=CIDR[,CIDR] (e.g. vpn-0123456789abcdef0=192.168.0.0/16)")]
    Form(String),
    #[error("`{0}` names no VPN connection before `=`")]
    NoVpn(String),
    #[error("`{cidr}` is not an IPv4 CIDR like 192.168.0.0/16 (in `{arg}`)")]
    Cidr { cidr: String, arg: String },
}

/// Reads a `--onprem` value: `VPN_ID=CIDR[,CIDR]`.
pub fn parse_onprem(arg: &str) -> Result<(String, Vec<Ipv4Net>), OnpremError> {
    let Some((vpn, list)) = arg.split_once('=') else {
        return Err(OnpremError::Form(arg.to_string()));
    };
    let vpn = vpn.trim();
    if vpn.is_empty() {
        return Err(OnpremError::NoVpn(arg.to_string()));
    }
    let mut nets = Vec::new();
    for c in list.split(',') {
        let c = c.trim();
        match c.parse::<Ipv4Net>() {
            Ok(n) => nets.push(n),
            Err(_) => {
                return Err(OnpremError::Cidr {
                    cidr: c.to_string(),
                    arg: arg.to_string(),
                });
            }
        }
    }
    Ok((vpn.to_string(), nets))
}

/// The renames that keep the ids of several accounts apart: by account,
/// id -> `<owner account>.<id>`, for each id that folders of two accounts
/// describe with different owners (an item's `OwnerId`, else the account of
/// its folder). A resource that two accounts see alike (a shared transit
/// gateway, a shared subnet) keeps its id.
fn account_renames(
    places: &[Place],
    folders: &[files::Folder],
) -> (BTreeMap<String, files::Renames>, Vec<Note>) {
    // id -> account -> owner.
    let mut seen: BTreeMap<&str, BTreeMap<&str, String>> = BTreeMap::new();
    for (p, f) in places.iter().zip(folders) {
        let Some(account) = p.account.as_deref() else {
            continue;
        };
        for (id, owner) in &f.owned {
            let owner = owner.clone().unwrap_or_else(|| account.to_string());
            seen.entry(id.as_str())
                .or_default()
                .entry(account)
                .or_insert(owner);
        }
    }
    let mut renames: BTreeMap<String, files::Renames> = BTreeMap::new();
    let mut notes = Vec::new();
    for (id, by_account) in seen {
        let owners: BTreeSet<&String> = by_account.values().collect();
        if owners.len() < 2 {
            continue;
        }
        let list: Vec<&str> = owners.iter().map(|o| o.as_str()).collect();
        for (account, owner) in &by_account {
            let new = format!("{owner}.{id}");
            renames
                .entry(account.to_string())
                .or_default()
                .insert(id.to_string(), new.clone());
            notes.push(Note {
                kind: NoteKind::Approximated,
                id: new,
                text: format!(
                    "`{id}` names resources of accounts {}; written with its account's id in front",
                    list.join(" and ")
                ),
            });
        }
    }
    notes.sort();
    notes.dedup();
    (renames, notes)
}

/// What an import writes must load (`docs/import.md`): a scenario larger
/// than the loader reads is refused here, with the reason, rather than
/// written and refused later.
pub(crate) fn fits_the_loader(input: &str, text: &str) -> Result<(), ImportError> {
    let limit = crate::scenario::MAX_FILE_BYTES;
    if text.len() > limit {
        return Err(ImportError::Io {
            path: input.to_string(),
            message: format!(
                "the imported scenario is too large ({} bytes, limit {limit}, the most a scenario file may hold); import fewer resources, for example one region or account at a time",
                text.len()
            ),
        });
    }
    Ok(())
}

/// Imports the describe output in `dir`.
pub fn import_aws(dir: &Path) -> Result<Imported, ImportError> {
    import_aws_with(dir, &AwsOptions::default())
}

/// Imports the describe output in `dir` as `options` ask.
pub fn import_aws_with(dir: &Path, options: &AwsOptions) -> Result<Imported, ImportError> {
    let (name, places) = layout(dir)?;
    let none = files::Renames::new();
    let mut folders = Vec::new();
    for p in &places {
        folders.push(files::Folder::read(
            &p.path,
            &p.label,
            p.region.clone(),
            &none,
        )?);
    }
    // Ids that two accounts use for different resources: each written with
    // its owner's account id in front, in all the files of that account.
    let (renames, mut rename_notes) = account_renames(&places, &folders);
    // Ids holding what no id may (whitespace, control or invisible
    // characters; AWS writes none) are mended in every file, each noted;
    // one whose mended form is taken is refused below.
    let taken: BTreeSet<String> = folders
        .iter()
        .flat_map(|f| f.owned.iter().map(|(id, _)| id.clone()))
        .collect();
    for (i, p) in places.iter().enumerate() {
        let mut r = p
            .account
            .as_ref()
            .and_then(|a| renames.get(a))
            .cloned()
            .unwrap_or_default();
        for (id, _) in &folders[i].owned {
            let now = r.get(id).cloned().unwrap_or_else(|| id.clone());
            let Some(unfit) = crate::scenario::diag::unfit_chars(&now) else {
                continue;
            };
            let new = crate::scenario::diag::mended_id(&now);
            if new.is_empty() || taken.contains(&new) {
                continue;
            }
            rename_notes.push(Note {
                kind: NoteKind::Approximated,
                id: new.clone(),
                text: format!(
                    "the files write its id as `{}`, which holds {unfit}: no AWS id does, and a scenario id cannot; written as `{new}`",
                    crate::scenario::diag::shown_id(&now)
                ),
            });
            r.insert(id.clone(), new);
        }
        if !r.is_empty() {
            folders[i] = files::Folder::read(&p.path, &p.label, p.region.clone(), &r)?;
        }
    }
    if folders.iter().all(|f| f.files_read == 0) {
        return Err(ImportError::Empty(dir.display().to_string()));
    }
    let ignored_files: Vec<String> = folders.iter().flat_map(|f| f.ignored.clone()).collect();
    let (scenario, mut notes) = convert::convert(&name, &folders, options)?;
    notes.append(&mut rename_notes);
    notes.sort();
    // AWS ids carry their kind in their prefix; a clash can only come from
    // names the import does not choose (Lambda functions) or broken input.
    let mut seen: std::collections::BTreeMap<&str, &str> = std::collections::BTreeMap::new();
    for (id, kind) in scenario.ids() {
        if let Some(unfit) = crate::scenario::diag::unfit_chars(id) {
            return Err(ImportError::UnfitId {
                id: crate::scenario::diag::shown_id(id),
                kind: kind.to_string(),
                unfit,
            });
        }
        if let Some(prev) = seen.insert(id, kind) {
            return Err(ImportError::Collision {
                id: id.to_string(),
                first: prev.to_string(),
                second: kind.to_string(),
            });
        }
    }
    let text = scenario.to_toml(&notes, &ignored_files);
    fits_the_loader(&dir.display().to_string(), &text)?;
    Ok(Imported {
        text,
        notes,
        ignored_files,
        region: scenario.region.clone(),
    })
}

/// The note, under the instance type's name, for a type that vpcsim's table
/// of network performance does not hold (BW-1): its instances.
pub fn unknown_instance_type(instances: &[String]) -> String {
    format!(
        "instance type of {}: not in vpcsim's table of network performance, so they send at the default 10 Gbit/s (BW-1)",
        instances.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An import the loader could not read is refused with its size and the
    /// limit; one at the limit is kept.
    #[test]
    fn an_import_larger_than_the_loader_reads_is_refused() {
        let limit = crate::scenario::MAX_FILE_BYTES;
        assert!(fits_the_loader("snap", &"#".repeat(limit)).is_ok());
        let e = fits_the_loader("snap", &"#".repeat(limit + 1)).unwrap_err();
        let shown = e.to_string();
        assert!(
            shown.starts_with(&format!(
                "snap: the imported scenario is too large ({} bytes, limit {limit}",
                limit + 1
            )),
            "{shown}"
        );
    }
}
