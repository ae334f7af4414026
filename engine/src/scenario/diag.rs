//! Diagnostics: what is wrong with a scenario file, and where.
//!
//! Every problem carries a byte span into the source text; it is printed as
//! `file:line:column: error: message`, with lines and columns counted from 1
//! and columns in characters, as editors count them.

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Byte range in the source; `None` for problems of the file as a whole.
    pub span: Option<Range<usize>>,
    pub message: String,
}

/// Collects the problems of one file, in the order they are found.
#[derive(Debug, Default)]
pub struct Diags {
    pub items: Vec<Diagnostic>,
    /// Keys that were present but whose value could not be read (already
    /// reported), by the start of their table (for a resource: of its `id`).
    /// Validation consults it so that a broken value is not reported again
    /// as a missing one.
    pub unreadable: BTreeSet<(usize, &'static str)>,
}

impl Diags {
    pub fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.items.push(Diagnostic {
            severity: Severity::Error,
            span: Some(span),
            message: message.into(),
        });
    }
    pub fn error_at_file(&mut self, message: impl Into<String>) {
        self.items.push(Diagnostic {
            severity: Severity::Error,
            span: None,
            message: message.into(),
        });
    }
    pub fn warning(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.items.push(Diagnostic {
            severity: Severity::Warning,
            span: Some(span),
            message: message.into(),
        });
    }
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }
    /// Whether `key` of the table at `at` was given but could not be read.
    pub fn is_unreadable(&self, at: usize, key: &'static str) -> bool {
        self.unreadable.contains(&(at, key))
    }
}

/// Turns byte offsets into 1-based line and column numbers.
pub struct LineIndex<'s> {
    text: &'s str,
    line_starts: Vec<usize>,
}

impl<'s> LineIndex<'s> {
    pub fn new(text: &'s str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, line_starts }
    }

    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let col = self.text[start..end].chars().count() + 1;
        (line + 1, col)
    }
}

/// All problems of one file, ready to print.
#[derive(Debug, Clone)]
pub struct Report {
    pub file: String,
    /// `(line, column, severity, message)`, sorted by position.
    pub entries: Vec<(usize, usize, Severity, String)>,
    /// When the report was cut short: the errors and warnings not shown
    /// (the last entry then says how many problems are left out).
    pub hidden: Option<(usize, usize)>,
}

impl Report {
    pub fn new(file: &str, text: &str, diags: &Diags) -> Report {
        let index = LineIndex::new(text);
        let mut entries: Vec<_> = diags
            .items
            .iter()
            .map(|d| {
                let (line, col) = d.span.as_ref().map_or((1, 1), |s| index.line_col(s.start));
                (line, col, d.severity, d.message.clone())
            })
            .collect();
        // Stable: problems at the same place keep the order they were found in.
        entries.sort_by_key(|e| (e.0, e.1));
        Report {
            file: file.to_string(),
            entries,
            hidden: None,
        }
    }

    /// Errors shown.
    fn shown_errors(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| e.2 == Severity::Error)
            .count()
    }

    /// Every error found, those not shown included.
    pub fn errors(&self) -> usize {
        match self.hidden {
            // The line that counts the rest is not a problem of its own.
            Some((e, _)) => self.shown_errors().saturating_sub(1) + e,
            None => self.shown_errors(),
        }
    }

    /// Every warning found, those not shown included.
    pub fn warnings(&self) -> usize {
        let shown = self.entries.len() - self.shown_errors();
        shown + self.hidden.map_or(0, |h| h.1)
    }

    /// The lines of the report, each `file:line:column: severity: message`.
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        self.entries.iter().map(|(line, col, sev, msg)| {
            let sev = match sev {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            format!("{}:{line}:{col}: {sev}: {msg}", self.file)
        })
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in self.lines() {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}

/// The closest candidate to a misspelt word, if one is close enough to be a
/// plausible typo (Levenshtein distance at most a third of the word, and 3).
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|c| (levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_from_one_in_characters() {
        let idx = LineIndex::new("ab\nçd\n");
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(3), (2, 1));
        assert_eq!(idx.line_col(5), (2, 2)); // after the two-byte ç
    }

    #[test]
    fn suggestions_are_close_words_only() {
        let keys = ["ingress", "egress", "id", "vpc"];
        assert_eq!(did_you_mean("egres", keys), Some("egress"));
        assert_eq!(did_you_mean("ingres", keys), Some("ingress"));
        assert_eq!(did_you_mean("bandwidth", keys), None);
    }
}
