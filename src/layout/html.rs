//! HTML tables in extracted text (`<table><tr><td>…`, as PDF converters such as MinerU or
//! docling print them) -> tab-separated rows with blank cells kept, so the TSV parser reads
//! them; each output line remembers the source line it came from.

/// A document's lines after HTML tables are flattened, with the source line of each.
#[derive(Debug, Clone, PartialEq)]
pub struct Flattened {
    pub lines: Vec<String>,
    pub map: LineMap,
}

/// `0[i]`: the source line (1-based) of flattened line `i + 1`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LineMap(pub Vec<usize>);

impl LineMap {
    /// The source line of flattened line `line` (both 1-based); lines past the end map to the
    /// last source line.
    pub fn source_of(&self, line: usize) -> usize {
        line.checked_sub(1).and_then(|i| self.0.get(i)).or(self.0.last()).copied().unwrap_or(line)
    }
}

/// Does the text hold an HTML table? (ASCII case-insensitive `<table`.)
pub fn has_html_table(text: &str) -> bool {
    // Runs on every document: one pass, looking only where a `<` is.
    text.match_indices('<')
        .any(|(p, _)| text.as_bytes()[p..].get(..6).is_some_and(|w| w.eq_ignore_ascii_case(b"<table")))
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    h.windows(n.len()).position(|w| w.eq_ignore_ascii_case(n))
}

/// One tag: its lower-case name, whether it closes (`</td>`), and its attribute text.
struct Tag<'a> {
    name: String,
    closing: bool,
    attrs: &'a str,
}

/// Parses the tag starting at `s[0] == '<'`; returns it and its length in bytes, or `None` when
/// `<` does not open a tag (`a < b`).
fn parse_tag(s: &str) -> Option<(Tag<'_>, usize)> {
    let end = s.find('>')?;
    let inner = &s[1..end];
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let name_len = inner.find(|c: char| c.is_whitespace() || c == '/').unwrap_or(inner.len());
    let name = &inner[..name_len];
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    Some((Tag { name: name.to_ascii_lowercase(), closing, attrs: &inner[name_len..] }, end + 1))
}

/// `colspan="3"` / `rowspan=2` -> the number (at least 1).
fn span(attrs: &str, which: &str) -> usize {
    let Some(p) = find_ci(attrs, which) else { return 1 };
    let rest = attrs[p + which.len()..].trim_start().strip_prefix('=').unwrap_or("").trim_start();
    let digits: String = rest.trim_start_matches(['"', '\'']).chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse::<usize>().ok().filter(|n| *n >= 1).map(|n| n.min(64)).unwrap_or(1)
}

/// `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` `&nbsp;` and numeric references; others stay as printed.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        // An entity is short; `;` is ASCII, so its byte position is a char boundary.
        let Some(semi) = rest.as_bytes()[..rest.len().min(12)].iter().position(|b| *b == b';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Tags that end a line of text outside tables (block elements and line breaks).
fn breaks_line(name: &str) -> bool {
    matches!(
        name,
        "p" | "div" | "br" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "li" | "tr" | "caption" | "table" | "section"
    )
}

/// The rows of one table being read: cells of the current row, and cells of earlier rows that
/// still span down (`rowspan`) as (column, rows left).
#[derive(Default)]
struct TableState {
    row: Option<(usize, Vec<String>)>,
    cell: Option<(String, usize, usize)>,
    spans_down: Vec<(usize, usize)>,
}

impl TableState {
    /// Fills columns held by a cell from a row above with blanks.
    fn skip_spanned(&mut self) {
        let Some((_, cells)) = self.row.as_mut() else { return };
        while self.spans_down.iter().any(|(col, _)| *col == cells.len()) {
            cells.push(String::new());
        }
    }

    fn start_row(&mut self, line: usize) {
        self.row = Some((line, Vec::new()));
        self.skip_spanned();
    }

    fn end_cell(&mut self) {
        let Some((text, colspan, rowspan)) = self.cell.take() else { return };
        let Some((_, cells)) = self.row.as_mut() else { return };
        let col = cells.len();
        // A merged cell prints its text once, then blanks for the columns it covers.
        cells.push(decode_entities(text.trim()).replace('\t', " "));
        cells.extend(std::iter::repeat_n(String::new(), colspan - 1));
        if rowspan > 1 {
            // Counted down at the end of each row, this one included.
            self.spans_down.extend((col..col + colspan).map(|c| (c, rowspan)));
        }
        self.skip_spanned();
    }

    /// The finished row as one tab-separated line with its source line.
    fn end_row(&mut self) -> Option<(usize, String)> {
        self.end_cell();
        let (line, cells) = self.row.take()?;
        // Rows below this one have one row fewer to span.
        self.spans_down.retain_mut(|(_, left)| {
            *left -= 1;
            *left > 0
        });
        Some((line, cells.join("\t")))
    }
}

/// Flattens every HTML table into tab-separated rows (one line per `<tr>`), keeping text outside
/// tables as lines (tags dropped, block tags ending lines).
pub fn flatten(lines: &[&str]) -> Flattened {
    let mut out = Flattened { lines: Vec::new(), map: LineMap::default() };
    let mut text = String::new();
    let mut text_line = 1;
    let mut table: Option<TableState> = None;
    let push_text = |out: &mut Flattened, text: &mut String, line: usize| {
        out.lines.push(decode_entities(text));
        out.map.0.push(line);
        text.clear();
    };
    for (idx, raw) in lines.iter().enumerate() {
        let line_no = idx + 1;
        if table.is_none() {
            text_line = line_no;
        }
        let mut rest = *raw;
        while !rest.is_empty() {
            let Some(lt) = rest.find('<') else {
                take_text(&mut table, &mut text, rest);
                break;
            };
            take_text(&mut table, &mut text, &rest[..lt]);
            let Some((tag, len)) = parse_tag(&rest[lt..]) else {
                take_text(&mut table, &mut text, "<");
                rest = &rest[lt + 1..];
                continue;
            };
            rest = &rest[lt + len..];
            match table.as_mut() {
                None => {
                    if breaks_line(&tag.name) && !text.trim().is_empty() {
                        push_text(&mut out, &mut text, text_line);
                        text_line = line_no;
                    }
                    if tag.name == "table" && !tag.closing {
                        text.clear();
                        table = Some(TableState::default());
                    }
                }
                Some(t) => match (tag.name.as_str(), tag.closing) {
                    ("tr", false) => {
                        if let Some((l, row)) = t.end_row() {
                            out.lines.push(row);
                            out.map.0.push(l);
                        }
                        t.start_row(line_no);
                    }
                    ("tr", true) => {
                        if let Some((l, row)) = t.end_row() {
                            out.lines.push(row);
                            out.map.0.push(l);
                        }
                    }
                    ("td" | "th", false) => {
                        t.end_cell();
                        if t.row.is_none() {
                            t.start_row(line_no);
                        }
                        t.cell = Some((String::new(), span(tag.attrs, "colspan"), span(tag.attrs, "rowspan")));
                    }
                    ("td" | "th", true) => t.end_cell(),
                    ("br", _) | ("p", true) | ("div", true) => {
                        if let Some((c, _, _)) = t.cell.as_mut() {
                            c.push(' ');
                        }
                    }
                    // A caption is the table's title: a line of its own.
                    ("caption", true) if !text.trim().is_empty() => push_text(&mut out, &mut text, line_no),
                    ("table", true) => {
                        if let Some((l, row)) = t.end_row() {
                            out.lines.push(row);
                            out.map.0.push(l);
                        }
                        table = None;
                        text.clear();
                        text_line = line_no;
                    }
                    _ => {}
                },
            }
        }
        match table.as_mut() {
            // A cell's text may wrap over source lines.
            Some(t) => {
                if let Some((c, _, _)) = t.cell.as_mut() {
                    c.push(' ');
                }
            }
            // Lines of markup only vanish; blank lines stay (parsers read them as separators).
            None if !text.trim().is_empty() || raw.trim().is_empty() => push_text(&mut out, &mut text, text_line),
            None => text.clear(),
        }
    }
    if let Some(mut t) = table {
        if let Some((l, row)) = t.end_row() {
            out.lines.push(row);
            out.map.0.push(l);
        }
    }
    out
}

/// Text between tags: into the open cell, or the caption, or the line outside tables.
fn take_text(table: &mut Option<TableState>, text: &mut String, s: &str) {
    match table.as_mut() {
        Some(t) => match t.cell.as_mut() {
            Some((c, _, _)) => c.push_str(s),
            // Inside a table but outside cells: only a caption's text matters.
            None => text.push_str(s),
        },
        None => text.push_str(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(s: &str) -> Vec<String> {
        flatten(&s.lines().collect::<Vec<_>>()).lines
    }

    #[test]
    fn one_line_table_with_spans() {
        let html = "标题\n<table><tr><td colspan=\"2\">收 入</td><td colspan=2>支 出</td></tr>\
<tr><td>项目</td><td>预算数</td><td rowspan=\"2\">201 一般公共服务支出</td><td>1.00</td></tr>\
<tr><td>A &amp; B</td><td>2.00</td><td>3.00</td></tr></table>后文";
        assert_eq!(
            flat(html),
            vec!["标题", "收 入\t\t支 出\t", "项目\t预算数\t201 一般公共服务支出\t1.00", "A & B\t2.00\t\t3.00", "后文"]
        );
    }

    #[test]
    fn multi_line_table_keeps_source_lines() {
        let html = "<h2>表一</h2>\n<table>\n<tr>\n<td>合计</td>\n<td>1,234.50</td>\n</tr>\n<tr><td>工资<br>福利</td><td></td></tr>\n</table>";
        let f = flatten(&html.lines().collect::<Vec<_>>());
        assert_eq!(f.lines, vec!["表一", "合计\t1,234.50", "工资 福利\t"]);
        assert_eq!(f.map.0, vec![1, 3, 7]);
        assert_eq!(f.map.source_of(2), 3);
        assert_eq!(decode_entities("&gt;预算单位&lt;/b&gt;&#20013;&#x56FD;&unknown;"), ">预算单位</b>中国&unknown;");
    }

    #[test]
    fn text_without_tables_is_untouched_by_detection() {
        assert!(!has_html_table("一、部门预算\na < b"));
        assert!(has_html_table("x\n<TABLE border=1>"));
    }
}
