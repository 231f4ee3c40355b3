//! Positioned glyphs of one page -> aligned text in the form of `pdftotext -layout`: lines by
//! baseline, cells at gaps, each cell at the character columns of its place on the page.

/// One glyph as drawn: its text, its origin on the baseline and its advance direction, in page
/// space after the page's rotation (y grows downwards).
#[derive(Clone, Debug)]
pub struct Glyph {
    pub text: String,
    pub x: f64,
    pub y: f64,
    /// Unit vector of the advance direction.
    pub dir: (f64, f64),
    /// Advance width along `dir`.
    pub width: f64,
    /// Em size (font size in page space).
    pub size: f64,
}

/// A glyph after the page was turned so that its dominant text direction runs left to right.
#[derive(Clone, Debug)]
struct Placed {
    text: String,
    x0: f64,
    x1: f64,
    y: f64,
    size: f64,
}

/// The four text directions a table page uses: right, down, left, up.
fn quadrant(dir: (f64, f64)) -> usize {
    let (dx, dy) = dir;
    if dx.abs() >= dy.abs() {
        if dx >= 0.0 {
            0
        } else {
            2
        }
    } else if dy >= 0.0 {
        1
    } else {
        3
    }
}

/// Turns a point so that direction `q` becomes left-to-right.
fn turn(q: usize, x: f64, y: f64) -> (f64, f64) {
    match q {
        0 => (x, y),
        1 => (y, -x),
        2 => (-x, -y),
        _ => (-y, x),
    }
}

/// Glyphs of the dominant direction, turned upright. Glyphs in other directions (a rotated stamp,
/// a vertical margin note) are left out, as `pdftotext` sets them apart.
fn upright(glyphs: &[Glyph]) -> Vec<Placed> {
    let mut votes = [0usize; 4];
    for g in glyphs {
        votes[quadrant(g.dir)] += 1;
    }
    let q = (0..4).max_by_key(|&i| (votes[i], std::cmp::Reverse(i))).unwrap_or(0);
    glyphs
        .iter()
        .filter(|g| quadrant(g.dir) == q && !g.text.trim().is_empty())
        .map(|g| {
            let (x, y) = turn(q, g.x, g.y);
            let w = g.width.abs().max(g.size * 0.2);
            Placed { text: g.text.clone(), x0: x, x1: x + w, y, size: g.size.abs().max(0.1) }
        })
        .collect()
}

/// Glyphs grouped into lines by baseline, top to bottom; each line sorted left to right.
fn lines(mut glyphs: Vec<Placed>) -> Vec<Vec<Placed>> {
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x0.total_cmp(&b.x0)));
    let mut out: Vec<Vec<Placed>> = Vec::new();
    let mut base = f64::NEG_INFINITY;
    for g in glyphs {
        // Same line when the baselines differ by less than a third of the em: subscripts and
        // mixed fonts stay on their line, the next printed row (at least ~1 em lower) does not.
        match out.last_mut() {
            Some(line) if (g.y - base).abs() < g.size.min(line[0].size) * 0.35 => line.push(g),
            _ => {
                base = g.y;
                out.push(vec![g]);
            }
        }
    }
    for line in &mut out {
        line.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        dedupe_overprint(line);
    }
    out
}

/// Bold faked by drawing a glyph twice at (almost) the same place prints it once.
fn dedupe_overprint(line: &mut Vec<Placed>) {
    line.dedup_by(|b, a| a.text == b.text && (a.x0 - b.x0).abs() < a.size * 0.15);
}

/// A run of glyphs without a wide gap: one cell of the rebuilt text, and its extent.
struct Cell {
    text: String,
    x0: f64,
    x1: f64,
}

impl Cell {
    /// An amount (digits, separators, sign, percent): table columns align these on their right.
    fn is_number(&self) -> bool {
        self.text.chars().any(|c| c.is_ascii_digit())
            && self.text.chars().all(|c| c.is_ascii_digit() || ",.-%".contains(c))
    }

    /// The character column the cell starts at, `col_width` points per column from `left`. A
    /// number ends where it ends on the page (its digits are about one column wide each, so it
    /// starts where it starts too); other text, whose CJK characters are wider than a column, is
    /// centred where it is centred on the page (a header stays over the numbers of its column).
    fn column(&self, left: f64, col_width: f64) -> usize {
        let chars = self.text.chars().count() as f64;
        let at = if self.is_number() {
            (self.x1 - left) / col_width - chars
        } else {
            ((self.x0 + self.x1) / 2.0 - left) / col_width - chars / 2.0
        };
        at.round().max(0.0) as usize
    }
}

/// Splits a line into cells at gaps wider than `cell_gap` ems; narrower gaps of at least
/// `space_gap` ems become one space inside the cell.
fn cells(line: &[Placed]) -> Vec<Cell> {
    const SPACE_GAP: f64 = 0.2;
    const CELL_GAP: f64 = 0.9;
    let mut out: Vec<Cell> = Vec::new();
    let mut prev_x1 = f64::NEG_INFINITY;
    for g in line {
        let gap = (g.x0 - prev_x1) / g.size;
        match out.last_mut() {
            Some(cell) if gap < CELL_GAP => {
                if gap >= SPACE_GAP {
                    cell.text.push(' ');
                }
                cell.text.push_str(&g.text);
                cell.x1 = cell.x1.max(g.x1);
            }
            _ => out.push(Cell { text: g.text.clone(), x0: g.x0, x1: g.x1 }),
        }
        prev_x1 = prev_x1.max(g.x1);
    }
    out
}

/// The page's rebuilt text: one line per baseline, each cell at the character columns of its
/// place on the page (at least two spaces after the cell before it), so that columns of a table
/// line up as in `pdftotext -layout`.
pub fn page_text(glyphs: &[Glyph]) -> String {
    let placed = upright(glyphs);
    if placed.is_empty() {
        return String::new();
    }
    let left = placed.iter().map(|g| g.x0).fold(f64::INFINITY, f64::min);
    let col_width = column_width(&placed);
    let mut out = String::new();
    for line in lines(placed) {
        let mut row = String::new();
        let mut len = 0usize;
        for cell in cells(&line) {
            let want = cell.column(left, col_width);
            let at = if len == 0 { want } else { want.max(len + 2) };
            row.extend(std::iter::repeat_n(' ', at - len));
            row.push_str(&cell.text);
            len = at + cell.text.chars().count();
        }
        out.push_str(&row);
        out.push('\n');
    }
    out
}

/// Points per character column: 0.55 of the page's median em, the advance of a digit in the
/// usual fonts, so that amounts take as many columns as they take on the page. Over the external
/// PDFs through the `aligned_text` reader (key figures right of 259; figures wrong): 0.5 em 176
/// (0), 0.55 em 180 (0), 0.6 em 184 (0), 0.65 em 183 (3), 0.7 em 187 (3): wider columns crowd a
/// table's headers and the reader misplaces numbers; the digits' own median advance (175, 2
/// wrong) is no better. `pdftotext -layout`'s own text: 170 (0).
fn column_width(placed: &[Placed]) -> f64 {
    let mut sizes: Vec<f64> = placed.iter().map(|g| g.size).collect();
    sizes.sort_by(f64::total_cmp);
    (sizes[sizes.len() / 2] * 0.55).max(1.0)
}
