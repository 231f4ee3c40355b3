//! The `aligned_text` (`pdftotext -layout`) and `spaced_text` (pdfplumber) renderings: the same
//! documents and tables as the tab-separated renderings (same table descriptions, header words
//! and values), laid out as those converters print them.

use crate::{generate_with, CellClass, Options, Rng, SynthDoc};
use budget_etl::model::{DocKind, Layout};

/// A layout rendered from a tab-separated rendering's cell grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextLayout {
    /// Columns as runs of spaces (numbers right-aligned, headers centred, wrapped header cells
    /// on lines of their own), a form feed before each table's page.
    Aligned,
    /// One row per line, cells separated by single spaces, blank cells dropped.
    Spaced,
}

impl TextLayout {
    pub fn as_str(self) -> &'static str {
        match self {
            TextLayout::Aligned => "aligned_text",
            TextLayout::Spaced => "spaced_text",
        }
    }
}

/// One document in `layout`: a budget (as `markdown_tsv` renders it) or a final account (as
/// `final_tsv` does), re-laid. In `spaced_text` a dropped blank can leave a number's column
/// undetermined, so every cell is `Open` there (its value, or null reported ambiguous). The
/// product has no `spaced_text` reader yet: such documents carry `Layout::Unknown`.
pub fn generate_text(seed: u64, layout: TextLayout, kind: DocKind, opts: &Options) -> SynthDoc {
    let tsv = match kind {
        DocKind::Budget => Layout::MarkdownTsv,
        DocKind::Final => Layout::FinalTsv,
    };
    let mut doc = generate_with(seed, tsv, kind, opts);
    // Each header as the PDF prints it (same lines, so the rows keep their line numbers).
    for (converted, printed) in crate::FINAL_HEADERS_PRINTED {
        doc.text = doc.text.replace(converted, printed);
    }
    let mut rng = Rng::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x6666);
    let (text, line_of) = relayout(&doc.text, layout, &mut rng);
    doc.text = text;
    for r in doc.tables.iter_mut().flat_map(|t| t.rows.iter_mut()) {
        r.line = line_of.get(r.line.saturating_sub(1)).copied().unwrap_or(r.line);
        if layout == TextLayout::Spaced {
            r.classes.iter_mut().for_each(|c| *c = CellClass::Open);
        }
    }
    doc.layout = match layout {
        TextLayout::Aligned => Layout::AlignedText,
        TextLayout::Spaced => Layout::Unknown,
    };
    doc.file_name = format!("synth_{}_{}_{seed:08x}.txt", layout.as_str(), kind.as_str());
    doc
}

/// The re-laid text, and for each input line the 1-based output line it starts on.
fn relayout(text: &str, layout: TextLayout, rng: &mut Rng) -> (String, Vec<usize>) {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out: Vec<String> = Vec::new();
    let mut line_of = vec![0; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].contains('\t') {
            line_of[i] = out.len() + 1;
            out.push(plain_line(lines[i], layout));
            i += 1;
            continue;
        }
        let end = (i..lines.len()).find(|&j| !lines[j].contains('\t')).unwrap_or(lines.len());
        let grid: Vec<Vec<String>> =
            lines[i..end].iter().map(|l| l.split('\t').map(|c| c.trim().to_string()).collect()).collect();
        let rendered = match layout {
            TextLayout::Aligned => aligned_block(&grid, rng),
            TextLayout::Spaced => grid.iter().map(|r| vec![spaced_row(r)]).collect(),
        };
        for (k, physical) in rendered.into_iter().enumerate() {
            line_of[i + k] = out.len() + 1;
            out.extend(physical);
        }
        i = end;
    }
    (out.join("\n"), line_of)
}

/// A text line without markdown decoration; in `aligned_text` a table number starts a page.
fn plain_line(line: &str, layout: TextLayout) -> String {
    let s = line.trim_start_matches(['#', ' ']).replace("**", "");
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let number = (compact.starts_with('表') && compact[3..].chars().all(|c| c.is_ascii_digit()) && compact.len() > 3)
        || (compact.starts_with("公开") && compact.ends_with('表'));
    match layout {
        TextLayout::Aligned if number => format!("\u{c}{s}"),
        _ => s,
    }
}

fn spaced_row(cells: &[String]) -> String {
    cells.iter().filter(|c| !c.is_empty()).map(String::as_str).collect::<Vec<_>>().join(" ")
}

fn is_number(s: &str) -> bool {
    !s.is_empty()
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-'))
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// Splits `s` into pieces of at most `w` characters.
fn wrap(s: &str, w: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    chars.chunks(w.max(1)).map(|c| c.iter().collect()).collect()
}

/// A line of fixed-position texts.
struct Canvas(Vec<char>);

impl Canvas {
    fn put(&mut self, at: usize, text: &str) {
        for (k, ch) in text.chars().enumerate() {
            if self.0.len() <= at + k {
                self.0.resize(at + k + 1, ' ');
            }
            self.0[at + k] = ch;
        }
    }
    fn text(&self) -> String {
        self.0.iter().collect::<String>().trim_end().to_string()
    }
}

/// One tab-separated block as `pdftotext -layout` prints it: label columns left-aligned, value
/// columns right-aligned, a header cell centred over its column (a group cell over the columns
/// under it), header words wider than their column wrapped onto lines of their own. Returns
/// each input row's physical lines.
fn aligned_block(grid: &[Vec<String>], rng: &mut Rng) -> Vec<Vec<String>> {
    let n = grid.iter().map(Vec::len).max().unwrap_or(0);
    let cell = |r: usize, c: usize| grid[r].get(c).map(String::as_str).unwrap_or("");
    // Header rows: before the first row with a number or with one label only (a row printed
    // without amounts).
    let header_rows = grid
        .iter()
        .take_while(|r| !r.iter().any(|c| is_number(c)) && r.iter().filter(|c| !c.is_empty()).count() >= 2)
        .count();
    // Label columns: up to the last one a data row prints text in.
    let key_end = (header_rows..grid.len())
        .filter_map(|r| (0..n).rev().find(|&c| !cell(r, c).is_empty() && !is_number(cell(r, c))))
        .max()
        .map_or(0, |c| c + 1);
    // Header cells without white space (spaced-out letters stay one word).
    let head = |r: usize, c: usize| -> String { cell(r, c).chars().filter(|ch| !ch.is_whitespace()).collect() };
    // A header cell spans the blank cells right of it that have header words below.
    let span = |r: usize, c: usize| -> usize {
        let mut e = c;
        while e + 1 < n && head(r, e + 1).is_empty() && (r + 1..header_rows).any(|b| !head(b, e + 1).is_empty()) {
            e += 1;
        }
        e
    };
    let mut w: Vec<usize> = (0..n)
        .map(|c| {
            let data = (header_rows..grid.len()).map(|r| width(cell(r, c))).max().unwrap_or(0);
            if c < key_end {
                data.max(2)
            } else {
                data.max(4 + rng.below(3))
            }
        })
        .collect();
    let gaps: Vec<usize> = (0..n).map(|_| 2 + rng.below(3)).collect();
    // Label headers and group cells print on one line: their columns widen to hold them.
    for r in 0..header_rows {
        for c in 0..n {
            let t = head(r, c);
            let e = span(r, c);
            if t.is_empty() || (c >= key_end && e == c) {
                continue;
            }
            let room: usize = (c..=e).map(|k| w[k]).sum::<usize>() + (c..e).map(|k| gaps[k]).sum::<usize>();
            if width(&t) > room {
                w[e] += width(&t) - room;
            }
        }
    }
    let start: Vec<usize> = (0..n)
        .scan(0, |x, c| {
            let s = *x;
            *x += w[c] + gaps[c];
            Some(s)
        })
        .collect();
    let end = |c: usize| start[c] + w[c];
    let mut out = Vec::new();
    for r in 0..grid.len() {
        if r < header_rows {
            let mut lines: Vec<Canvas> = Vec::new();
            for c in 0..n {
                let t = head(r, c);
                if t.is_empty() {
                    continue;
                }
                let e = span(r, c);
                let pieces = if c >= key_end && e == c { wrap(&t, w[c]) } else { vec![t.clone()] };
                for (k, p) in pieces.iter().enumerate() {
                    while lines.len() <= k {
                        lines.push(Canvas(Vec::new()));
                    }
                    let at = if c < key_end { start[c] } else { (start[c] + end(e)).saturating_sub(width(p)) / 2 };
                    lines[k].put(at, p);
                }
            }
            out.push(lines.iter().map(Canvas::text).collect());
            continue;
        }
        let mut line = Canvas(Vec::new());
        for (c, &from) in start.iter().enumerate() {
            let t = cell(r, c);
            if t.is_empty() {
                continue;
            }
            let at = if c < key_end { from } else { end(c) - width(t) };
            line.put(at, t);
        }
        out.push(vec![line.text()]);
    }
    out
}
