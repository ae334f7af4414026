//! Output files written whole or not at all.
//!
//! A [`Spool`] collects a file's bytes in a small buffer and appends them to a
//! hidden temporary file in the destination's own directory, opening it only
//! to append, so that a run with many files holds neither much memory nor
//! many descriptors. [`Spool::commit`] renames the temporary file over the
//! destination (atomic on one file system); a spool dropped without commit
//! removes its temporary file, so a failed run leaves no half-written output.
//!
//! What a destination is, is respected: a symbolic link is followed (its
//! target is replaced, the link stays); a character device (`/dev/null`) or
//! a FIFO is written directly, as it cannot be replaced; `-` is standard
//! output, written as the bytes come.
//!
//! Temporary files are named `.vpcsim-<pid>-<n>.tmp` and listed while they
//! exist, so that [`remove_temporaries`] can take them away when the
//! process is interrupted by a signal. A process killed outright (SIGKILL)
//! leaves its temporaries behind; the next spool created in that directory
//! removes those whose process is gone ([`sweep_stale`]).

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes kept in memory before they are appended to the temporary file.
const FLUSH_AT: usize = 64 * 1024;

/// The longest file name most file systems take, in bytes.
pub const NAME_MAX: usize = 255;

/// The temporary files of this process that exist now.
static TEMPORARIES: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

/// Numbers the temporary files of this process.
static NEXT: AtomicU64 = AtomicU64::new(0);

/// Bytes handed to every spool of this process so far.
static PUSHED: AtomicU64 = AtomicU64::new(0);

/// Whether standard output was found closed (a broken pipe).
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether an output written to standard output found it closed: the
/// reader went away, and the command should end quietly.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// Bytes handed to the output files so far (all spools of the process).
pub fn bytes_pushed() -> u64 {
    PUSHED.load(Ordering::Relaxed)
}

fn temporaries() -> std::sync::MutexGuard<'static, BTreeSet<PathBuf>> {
    TEMPORARIES.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes every temporary file of this process and returns with the list
/// held, so that no spool commits or creates one afterwards: call it just
/// before the process exits.
pub fn remove_temporaries() -> std::sync::MutexGuard<'static, BTreeSet<PathBuf>> {
    let mut t = temporaries();
    for p in t.iter() {
        let _ = fs::remove_file(p);
    }
    t.clear();
    t
}

/// Whether a temporary file name is one of ours, and of which process.
fn temporary_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(".vpcsim-")?.strip_suffix(".tmp")?;
    let (pid, n) = rest.split_once('-')?;
    n.parse::<u64>().ok()?;
    pid.parse().ok()
}

/// Removes the temporary files in `dir` left by processes that no longer
/// run (killed before they could clean up). Only where `/proc` tells which
/// processes run; elsewhere nothing is removed.
pub fn sweep_stale(dir: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(temporary_pid) else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// What a destination path is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Standard output (`-`).
    Stdout,
    /// A character device or a FIFO, written in place.
    Direct(PathBuf),
    /// A regular file, new or replaced whole: the path after following
    /// symbolic links.
    File(PathBuf),
}

/// A file that could not be written, with the system's reason.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", .path.display())]
pub struct FileError {
    pub path: PathBuf,
    pub source: io::Error,
}

/// Why no file can be written at a destination; the caller names the
/// destination (`--json out/r.json: is a directory`).
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("`-` (standard output) cannot take this output")]
    NotAStream,
    /// The length in bytes of the file name.
    #[error("the file name is {0} bytes; the limit is {NAME_MAX}")]
    NameTooLong(usize),
    #[error("is a directory")]
    Directory,
    #[error("is not a regular file, a character device or a FIFO")]
    Special,
    #[error("names no file")]
    NoFileName,
    #[error("{} is not a directory", .0.display())]
    ParentNotADirectory(PathBuf),
    #[error("the directory {} does not exist", .0.display())]
    NoParent(PathBuf),
    #[error("{}: {source}", .dir.display())]
    Parent { dir: PathBuf, source: io::Error },
    /// Following a link or reading what the path is failed.
    #[error("{0}")]
    Io(io::Error),
}

/// Says what `dest` is and whether a file can be written there, without
/// creating anything: `-` is standard output when `stream` allows it; a
/// directory, a missing parent, a name too long, a link to nowhere or a
/// special file other than a character device or FIFO is refused.
pub fn target(dest: &Path, stream: bool) -> Result<Target, TargetError> {
    if dest == Path::new("-") {
        return if stream {
            Ok(Target::Stdout)
        } else {
            Err(TargetError::NotAStream)
        };
    }
    let long = |n: &std::ffi::OsStr| TargetError::NameTooLong(n.len());
    if let Some(n) = dest.file_name().filter(|n| n.len() > NAME_MAX) {
        return Err(long(n));
    }
    let mut path = dest.to_path_buf();
    // Follows links, a few levels deep, to what they name.
    for _ in 0..40 {
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&path).map_err(TargetError::Io)?;
                path = match path.parent() {
                    Some(p) if to.is_relative() => p.join(to),
                    _ => to,
                };
            }
            Ok(m) => {
                use std::os::unix::fs::FileTypeExt as _;
                let t = m.file_type();
                if t.is_dir() {
                    return Err(TargetError::Directory);
                }
                if t.is_char_device() || t.is_fifo() {
                    return Ok(Target::Direct(path));
                }
                if !t.is_file() {
                    return Err(TargetError::Special);
                }
                break;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => break,
            Err(e) => return Err(TargetError::Io(e)),
        }
    }
    let name = path.file_name().ok_or(TargetError::NoFileName)?;
    if name.len() > NAME_MAX {
        return Err(long(name));
    }
    let dir = parent(&path);
    match fs::metadata(&dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err(TargetError::ParentNotADirectory(dir)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(TargetError::NoParent(dir));
        }
        Err(source) => return Err(TargetError::Parent { dir, source }),
    }
    Ok(Target::File(path))
}

/// The directory a file is written in.
fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The same file or directory, spelt one way: links followed, `..` and `.`
/// resolved, for comparing two outputs' paths.
pub fn same_path(p: &Path) -> PathBuf {
    if let Ok(c) = fs::canonicalize(p) {
        return c;
    }
    match (p.parent(), p.file_name()) {
        (Some(d), Some(n)) if !d.as_os_str().is_empty() => same_path(d).join(n),
        (_, Some(n)) => same_path(Path::new(".")).join(n),
        _ => p.to_path_buf(),
    }
}

/// Whether `a` and `b` name one file: the same path once links, `.` and
/// `..` are resolved (a path that does not exist yet is resolved through
/// its directory), or, for two files that exist, the same file on disk (a
/// hard link).
pub fn same_file(a: &Path, b: &Path) -> bool {
    if same_path(a) == same_path(b) {
        return true;
    }
    use std::os::unix::fs::MetadataExt as _;
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

#[derive(Debug)]
enum Sink {
    /// The temporary file, renamed over `dest` at the end.
    Temporary(PathBuf),
    /// A device or FIFO, opened at the first write.
    Direct(Option<File>),
    Stdout,
}

#[derive(Debug)]
pub struct Spool {
    sink: Sink,
    dest: PathBuf,
    target: PathBuf,
    buf: Vec<u8>,
    committed: bool,
}

impl Spool {
    /// Creates (truncates) the temporary file for `dest`, or readies a
    /// device, FIFO or standard output (`-`) to be written in place.
    pub fn create(dest: &Path) -> io::Result<Spool> {
        let t = target(dest, true).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let (sink, target) = match t {
            Target::Stdout => (Sink::Stdout, dest.to_path_buf()),
            Target::Direct(p) => (Sink::Direct(None), p),
            Target::File(p) => {
                let dir = parent(&p);
                sweep_stale(&dir);
                let n = NEXT.fetch_add(1, Ordering::Relaxed);
                let tmp = dir.join(format!(".vpcsim-{}-{n}.tmp", std::process::id()));
                let mut list = temporaries();
                File::create(&tmp)?;
                list.insert(tmp.clone());
                (Sink::Temporary(tmp), p)
            }
        };
        Ok(Spool {
            sink,
            dest: dest.to_path_buf(),
            target,
            buf: Vec::with_capacity(FLUSH_AT),
            committed: false,
        })
    }

    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Adds bytes; they reach the disk when the buffer is full.
    pub fn push(&mut self, bytes: &[u8]) -> io::Result<()> {
        PUSHED.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= FLUSH_AT {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        match &mut self.sink {
            Sink::Temporary(tmp) => {
                let mut f = OpenOptions::new().append(true).open(&*tmp)?;
                f.write_all(&self.buf)?;
            }
            Sink::Direct(f) => {
                if f.is_none() {
                    *f = Some(OpenOptions::new().write(true).open(&self.target)?);
                }
                if let Some(f) = f {
                    f.write_all(&self.buf)?;
                }
            }
            Sink::Stdout => {
                let mut out = io::stdout().lock();
                if let Err(e) = out.write_all(&self.buf).and_then(|_| out.flush()) {
                    if e.kind() == io::ErrorKind::BrokenPipe {
                        STDOUT_CLOSED.store(true, Ordering::Relaxed);
                    }
                    return Err(e);
                }
            }
        }
        self.buf.clear();
        Ok(())
    }

    /// Writes what is left and moves the file into place.
    pub fn commit(mut self) -> io::Result<()> {
        self.flush()?;
        match &self.sink {
            Sink::Temporary(tmp) => {
                let mut list = temporaries();
                if !list.contains(tmp) {
                    // Removed by an interruption: the process is ending.
                    return Err(io::Error::other("interrupted"));
                }
                fs::rename(tmp, &self.target)?;
                list.remove(tmp);
            }
            Sink::Direct(None) => {
                // Nothing was written; the device or FIFO is opened all the
                // same, so that a reader of the FIFO sees its end.
                OpenOptions::new().write(true).open(&self.target)?;
            }
            Sink::Direct(Some(_)) | Sink::Stdout => {}
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        if let (false, Sink::Temporary(tmp)) = (self.committed, &self.sink) {
            let mut list = temporaries();
            let _ = fs::remove_file(tmp);
            list.remove(tmp);
        }
    }
}

/// Writes `bytes` to `dest` whole or not at all.
pub fn write_whole(dest: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut s = Spool::create(dest)?;
    s.push(bytes)?;
    s.commit()
}

/// A file name made of an id: characters outside `[A-Za-z0-9._-]` become `_`.
pub fn safe_name(id: &str) -> String {
    let s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with('.') {
        format!("_{s}")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("vpcsim-outfile-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn commit_moves_the_whole_file_into_place() {
        let d = scratch("commit");
        let dest = d.join("a.txt");
        let mut s = Spool::create(&dest).unwrap();
        for _ in 0..3 {
            s.push(&vec![b'x'; FLUSH_AT]).unwrap();
        }
        assert!(!dest.exists());
        s.commit().unwrap();
        assert_eq!(fs::read(&dest).unwrap().len(), 3 * FLUSH_AT);
        assert_eq!(fs::read_dir(&d).unwrap().count(), 1);
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn a_dropped_spool_leaves_nothing() {
        let d = scratch("drop");
        let dest = d.join("b.txt");
        {
            let mut s = Spool::create(&dest).unwrap();
            s.push(&vec![b'y'; FLUSH_AT + 1]).unwrap();
        }
        assert_eq!(fs::read_dir(&d).unwrap().count(), 0);
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn ids_become_file_names() {
        assert_eq!(safe_name("nat-a"), "nat-a");
        assert_eq!(safe_name("a/b c"), "a_b_c");
        assert_eq!(safe_name(".."), "_..");
    }
}
