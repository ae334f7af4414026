//! `vpcsim validate`: parse and check, print every problem.

use std::path::PathBuf;

use super::exit;
use crate::model::{self, Loaded};
use crate::scenario::Report;

/// Prints a report's lines on standard error.
pub fn print_report(r: &Report) {
    for line in r.lines() {
        errln!("{line}");
    }
}

/// Loads a file, printing its warnings, or its errors when it is invalid.
pub fn load(path: &std::path::Path) -> Option<Loaded> {
    match model::load_file(path) {
        Ok(l) => {
            print_report(&l.report);
            Some(l)
        }
        Err(r) => {
            print_report(&r);
            None
        }
    }
}

pub fn validate(files: &[PathBuf]) -> u8 {
    let mut code = exit::OK;
    for f in files {
        match model::load_file(f) {
            Ok(l) => {
                print_report(&l.report);
                let est = crate::sim::estimate::estimate(&l.design, Default::default());
                for w in est.warnings() {
                    errln!("{}: warning: {w}", f.display());
                }
                let w = l.report.warnings();
                let plural = if w == 1 { "" } else { "s" };
                outln!("{}: valid ({w} warning{plural})", f.display());
            }
            Err(r) => {
                print_report(&r);
                let e = r.errors();
                let plural = if e == 1 { "" } else { "s" };
                outln!("{}: invalid ({e} error{plural})", f.display());
                code = exit::INVALID;
            }
        }
    }
    code
}
