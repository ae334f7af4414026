//! Standard output and standard error, written without panicking.
//!
//! A closed pipe ends the command quietly with status 141, as a shell
//! reports a process killed by SIGPIPE (`vpcsim graph big.toml | head -1`);
//! any other failure to write (a full device) is said on standard error
//! when it can be, and ends the command with status 2. Either way the run's
//! temporary files are removed first.

use std::io::{self, Write};

use super::exit;

/// The status of a command whose reader went away (128 + SIGPIPE).
pub const CLOSED_PIPE: u8 = 141;

/// Ends the process with `code`, removing the temporary files first.
pub fn end(code: u8) -> ! {
    let _held = crate::report::outfile::remove_temporaries();
    std::process::exit(i32::from(code))
}

fn failed(what: &str, e: &io::Error) -> ! {
    if e.kind() == io::ErrorKind::BrokenPipe {
        end(CLOSED_PIPE);
    }
    let _ = writeln!(io::stderr().lock(), "vpcsim: {what}: {e}");
    end(exit::INVALID)
}

/// Writes `text` to standard output.
pub fn out(text: &str) {
    let mut o = io::stdout().lock();
    if let Err(e) = o.write_all(text.as_bytes()) {
        failed("standard output", &e);
    }
}

/// Writes `text` to standard error.
pub fn err(text: &str) {
    let mut o = io::stderr().lock();
    if let Err(e) = o.write_all(text.as_bytes()) {
        failed("standard error", &e);
    }
}

/// Writes what standard output still holds; called before the command
/// returns its status.
pub fn flush() {
    if let Err(e) = io::stdout().lock().flush() {
        failed("standard output", &e);
    }
}

/// Ends the command with the conventional status (128 + the signal's
/// number) when it receives SIGINT, SIGTERM or SIGHUP, after removing the
/// temporary files of its outputs.
pub fn end_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    let _ = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                end(128 + sig as u8);
            }
        });
}
