//! Output files written whole or not at all.
//!
//! A [`Spool`] collects a file's bytes in a small buffer and appends them to a
//! hidden temporary file in the destination's own directory, opening it only
//! to append, so that a run with many files holds neither much memory nor
//! many descriptors. [`Spool::commit`] renames the temporary file over the
//! destination (atomic on one file system); a spool dropped without commit
//! removes its temporary file, so a failed run leaves no half-written output.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Bytes kept in memory before they are appended to the temporary file.
const FLUSH_AT: usize = 64 * 1024;

#[derive(Debug)]
pub struct Spool {
    tmp: PathBuf,
    dest: PathBuf,
    buf: Vec<u8>,
    committed: bool,
}

impl Spool {
    /// Creates (truncates) the temporary file for `dest`.
    pub fn create(dest: &Path) -> io::Result<Spool> {
        let name = dest
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?
            .to_string_lossy()
            .into_owned();
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        File::create(&tmp)?;
        Ok(Spool {
            tmp,
            dest: dest.to_path_buf(),
            buf: Vec::with_capacity(FLUSH_AT),
            committed: false,
        })
    }

    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Adds bytes; they reach the disk when the buffer is full.
    pub fn push(&mut self, bytes: &[u8]) -> io::Result<()> {
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
        let mut f = OpenOptions::new().append(true).open(&self.tmp)?;
        f.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    /// Writes what is left and moves the file into place.
    pub fn commit(mut self) -> io::Result<()> {
        self.flush()?;
        fs::rename(&self.tmp, &self.dest)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.tmp);
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
