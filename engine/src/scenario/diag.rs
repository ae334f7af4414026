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
        LineIndex {
            text,
            line_starts: line_starts(text),
        }
    }

    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(self.text, &self.line_starts, offset)
    }
}

fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    starts
}

fn line_col(text: &str, line_starts: &[usize], offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let line = line_starts.partition_point(|&s| s <= offset) - 1;
    let start = line_starts[line];
    let mut end = offset;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let col = text[start..end].chars().count() + 1;
    (line + 1, col)
}

/// The files of one scenario: the file itself and the files it includes.
///
/// Each file is parsed at its own offset of one byte space (`base`), so that
/// every span of the raw scenario says which file it is in.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub files: Vec<Source>,
    /// Whether a file the scenario includes could not be read (reported):
    /// what names its resources is then not checked.
    pub incomplete: bool,
    /// The files whose region is not the scenario's (reported): their
    /// zones are then not checked against the scenario's region.
    pub wrong_region: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Source {
    /// The name used in messages.
    pub name: String,
    /// Where the file's text starts in the shared byte space.
    pub base: usize,
    pub text: String,
    /// Where each line of `text` starts.
    line_starts: Vec<usize>,
}

impl Sources {
    /// One file at offset 0.
    pub fn single(name: &str, text: &str) -> Sources {
        Sources {
            incomplete: false,
            wrong_region: Vec::new(),
            files: vec![Source {
                name: name.to_string(),
                base: 0,
                text: text.to_string(),
                line_starts: line_starts(text),
            }],
        }
    }

    /// Adds a file after the others and returns its base; one byte is left
    /// between files, so that the end of one is not the start of the next.
    pub fn push(&mut self, name: &str, text: &str) -> usize {
        let base = self.files.last().map_or(0, |f| f.base + f.text.len() + 1);
        self.files.push(Source {
            name: name.to_string(),
            base,
            text: text.to_string(),
            line_starts: line_starts(text),
        });
        base
    }

    /// The index of the file an offset falls in.
    pub fn file_of(&self, offset: usize) -> usize {
        self.files
            .partition_point(|f| f.base <= offset)
            .saturating_sub(1)
    }

    /// The file, line and column of an offset.
    pub fn locate(&self, offset: usize) -> (usize, usize, usize) {
        let i = self.file_of(offset);
        match self.files.get(i) {
            Some(f) => {
                let (line, col) = line_col(&f.text, &f.line_starts, offset - f.base.min(offset));
                (i, line, col)
            }
            None => (0, 1, 1),
        }
    }

    /// "line 12" when `at` is in the same file as `from`, else
    /// "line 12 of design.toml".
    pub fn line_from(&self, at: usize, from: usize) -> String {
        let (file, line, _) = self.locate(at);
        if file == self.file_of(from) {
            format!("line {line}")
        } else {
            format!("line {line} of {}", self.files[file].name)
        }
    }
}

/// Where a problem is shown: a file's line and column, or a name with no
/// line (`--set latency.same_az=0s`, for what a setting from outside the
/// file wrote).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    At {
        file: usize,
        line: usize,
        col: usize,
    },
    Named(String),
}

/// All problems of a scenario, ready to print.
#[derive(Debug, Clone)]
pub struct Report {
    /// The scenario's own file.
    pub file: String,
    /// `(line, column, severity, message)`, sorted by file and position;
    /// line 0 for a problem of a [`Place::Named`] place.
    pub entries: Vec<(usize, usize, Severity, String)>,
    /// The file of each entry, when it is not `file` (an included file).
    pub entry_files: Vec<Option<String>>,
    /// When the report was cut short: the errors and warnings not shown
    /// (the last entry then says how many problems are left out).
    pub hidden: Option<(usize, usize)>,
}

impl Report {
    pub fn new(file: &str, text: &str, diags: &Diags) -> Report {
        Report::from_sources(&Sources::single(file, text), diags)
    }

    /// The report of a scenario made of several files: each problem is
    /// placed in the file its span falls in.
    pub fn from_sources(sources: &Sources, diags: &Diags) -> Report {
        Report::from_sources_placed(sources, diags, &|o| {
            let (file, line, col) = sources.locate(o);
            Place::At { file, line, col }
        })
    }

    /// The report, each problem shown where `place` says its offset is.
    pub fn from_sources_placed(
        sources: &Sources,
        diags: &Diags,
        place: &dyn Fn(usize) -> Place,
    ) -> Report {
        let mut entries: Vec<_> = diags
            .items
            .iter()
            .map(|d| {
                let (file, line, col, named) = match d.span.as_ref().map(|s| place(s.start)) {
                    None => (0, 1, 1, None),
                    Some(Place::At { file, line, col }) => (file, line, col, None),
                    // First, before the file's own lines.
                    Some(Place::Named(n)) => (0, 0, 0, Some(n)),
                };
                (file, line, col, named, d.severity, d.message.clone())
            })
            .collect();
        // Stable: problems at the same place keep the order they were found in.
        entries.sort_by_key(|e| (e.0, e.1, e.2));
        let name = |i: usize| sources.files.get(i).map(|f| f.name.clone());
        Report {
            file: name(0).unwrap_or_default(),
            entry_files: entries
                .iter()
                .map(|e| match &e.3 {
                    Some(n) => Some(n.clone()),
                    None if e.0 == 0 => None,
                    None => name(e.0),
                })
                .collect(),
            entries: entries
                .into_iter()
                .map(|(_, line, col, _, sev, msg)| (line, col, sev, msg))
                .collect(),
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
        self.entries
            .iter()
            .enumerate()
            .map(|(i, (line, col, sev, msg))| {
                let sev = match sev {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                };
                let file = self
                    .entry_files
                    .get(i)
                    .and_then(|f| f.as_deref())
                    .unwrap_or(&self.file);
                if *line == 0 {
                    format!("{file}: {sev}: {msg}")
                } else {
                    format!("{file}:{line}:{col}: {sev}: {msg}")
                }
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

/// Whether an id may not hold `c`: whitespace and control characters split
/// or end the fields of flow logs (space-separated), the summary table and
/// the report's lines; an invisible character (zero-width, a direction
/// mark, a soft hyphen) makes two different ids look the same.
pub fn unfit_in_id(c: char) -> bool {
    c.is_whitespace() || c.is_control() || invisible(c)
}

/// Characters that take no room of their own when printed: Unicode's
/// default-ignorable code points, less the variation selectors that
/// emoji carry.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// A character by its code point and, for the usual suspects, its
/// Unicode name: "U+200B ZERO WIDTH SPACE".
pub fn char_name(c: char) -> String {
    let name = match c {
        '\t' => "CHARACTER TABULATION",
        '\n' => "LINE FEED",
        '\r' => "CARRIAGE RETURN",
        ' ' => "SPACE",
        '\u{00A0}' => "NO-BREAK SPACE",
        '\u{00AD}' => "SOFT HYPHEN",
        '\u{034F}' => "COMBINING GRAPHEME JOINER",
        '\u{061C}' => "ARABIC LETTER MARK",
        '\u{1680}' => "OGHAM SPACE MARK",
        '\u{180E}' => "MONGOLIAN VOWEL SEPARATOR",
        '\u{2000}' => "EN QUAD",
        '\u{2001}' => "EM QUAD",
        '\u{2002}' => "EN SPACE",
        '\u{2003}' => "EM SPACE",
        '\u{2004}' => "THREE-PER-EM SPACE",
        '\u{2005}' => "FOUR-PER-EM SPACE",
        '\u{2006}' => "SIX-PER-EM SPACE",
        '\u{2007}' => "FIGURE SPACE",
        '\u{2008}' => "PUNCTUATION SPACE",
        '\u{2009}' => "THIN SPACE",
        '\u{200A}' => "HAIR SPACE",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{202F}' => "NARROW NO-BREAK SPACE",
        '\u{205F}' => "MEDIUM MATHEMATICAL SPACE",
        '\u{2060}' => "WORD JOINER",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{3000}' => "IDEOGRAPHIC SPACE",
        '\u{3164}' => "HANGUL FILLER",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE",
        c if c.is_control() => "a control character",
        c if c.is_whitespace() => "a space character",
        _ => "an invisible character",
    };
    let code = format!("U+{:04X}", u32::from(c));
    if name.starts_with("a ") || name.starts_with("an ") {
        format!("{code}, {name}")
    } else {
        format!("{code} {name}")
    }
}

/// An id as a message shows it: each character an id may not hold written
/// as an escape (`\n`, `\u{200B}`), so that the message stays on one line
/// and shows what the eye would not.
pub fn shown_id(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.chars() {
        match c {
            ' ' => out.push(' '),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if unfit_in_id(c) => out.push_str(&format!("\\u{{{:04X}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// What an id holds that an id may not: "U+200B ZERO WIDTH SPACE", or
/// "U+0020 SPACE and 2 other characters ids cannot hold"; `None` when
/// nothing.
pub fn unfit_chars(id: &str) -> Option<String> {
    let mut unfit: Vec<char> = id.chars().filter(|c| unfit_in_id(*c)).collect();
    let first = *unfit.first()?;
    unfit.sort_unstable();
    unfit.dedup();
    Some(match unfit.len() {
        1 => char_name(first),
        2 => {
            let other = unfit
                .iter()
                .find(|c| **c != first)
                .copied()
                .unwrap_or(first);
            format!("{} and {}", char_name(first), char_name(other))
        }
        n => format!(
            "{} and {} other characters ids cannot hold",
            char_name(first),
            n - 1
        ),
    })
}

/// The id with what it may not hold mended: whitespace at either end
/// goes, whitespace and control characters inside become `-` (one for a
/// run of them), invisible ones go.
pub fn mended_id(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.trim().chars() {
        if c.is_whitespace() || c.is_control() {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else if !invisible(c) {
            out.push(c);
        }
    }
    out
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
    fn whitespace_control_and_invisible_characters_are_unfit_in_ids() {
        for c in [
            ' ',
            '\t',
            '\n',
            '\u{7}',
            '\u{A0}',
            '\u{AD}',
            '\u{200B}',
            '\u{200E}',
            '\u{202E}',
            '\u{2060}',
            '\u{FEFF}',
            '\u{E0041}',
        ] {
            assert!(unfit_in_id(c), "{:?}", c);
        }
        // Quotes, slashes, letters of any script and emoji (with their
        // variation selector) print as themselves, and every output quotes
        // or escapes them.
        for c in ['"', '\'', '\\', '/', ',', '<', 'é', 'ф', '🚀', '\u{FE0F}'] {
            assert!(!unfit_in_id(c), "{:?}", c);
        }
    }

    #[test]
    fn unfit_characters_are_named_shown_and_mended() {
        assert_eq!(
            unfit_chars("igw\u{200B}-main").as_deref(),
            Some("U+200B ZERO WIDTH SPACE")
        );
        assert_eq!(unfit_chars("nat-a"), None);
        assert_eq!(
            unfit_chars("a b\tc").as_deref(),
            Some("U+0020 SPACE and U+0009 CHARACTER TABULATION")
        );
        assert_eq!(
            unfit_chars("a b\tc\n").as_deref(),
            Some("U+0020 SPACE and 2 other characters ids cannot hold")
        );
        assert_eq!(
            unfit_chars("a\u{1}").as_deref(),
            Some("U+0001, a control character")
        );
        assert_eq!(shown_id("igw\u{200B}-main"), "igw\\u{200B}-main");
        assert_eq!(shown_id("a\nb c"), "a\\nb c");
        assert_eq!(mended_id(" nat  a\u{200B}\n"), "nat-a");
        assert_eq!(mended_id("app\nto-api"), "app-to-api");
    }

    #[test]
    fn suggestions_are_close_words_only() {
        let keys = ["ingress", "egress", "id", "vpc"];
        assert_eq!(did_you_mean("egres", keys), Some("egress"));
        assert_eq!(did_you_mean("ingres", keys), Some("ingress"));
        assert_eq!(did_you_mean("bandwidth", keys), None);
    }
}
