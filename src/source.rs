//! One input file's bytes -> the text the readers parse: decoded text, or the text rebuilt from a
//! PDF's glyph positions, with what the documents table says about its source.

use crate::decode::decode;
use crate::pdf;
use crate::problem::ProblemKind;

/// What kind of file a document came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Text,
    Pdf,
}

impl SourceFormat {
    /// By the file's extension (`.pdf`, any case); everything else is text.
    pub fn of_path(rel_path: &str) -> SourceFormat {
        let ext = rel_path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        if ext.eq_ignore_ascii_case("pdf") {
            SourceFormat::Pdf
        } else {
            SourceFormat::Text
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Text => "text",
            SourceFormat::Pdf => "pdf",
        }
    }
}

/// The text of one document and where it came from.
#[derive(Debug, Clone)]
pub struct SourceText {
    pub text: String,
    pub format: SourceFormat,
    /// The text encoding found or forced (text sources only).
    pub encoding: Option<&'static str>,
    /// PDF pages (PDF sources only).
    pub pages: Option<usize>,
}

impl SourceText {
    /// The 1-based PDF page of each 1-based line (PDF sources only).
    pub fn page_of_lines(&self) -> Option<Vec<u32>> {
        (self.format == SourceFormat::Pdf).then(|| page_of_lines(&self.text))
    }
}

/// The 1-based page of each 1-based line of a form-feed-separated text, numbered as
/// `extract::split_lines` numbers them (there, a line that opens a page starts with its form feed;
/// an empty page is a line of its own form feed).
fn page_of_lines(text: &str) -> Vec<u32> {
    let mut page = 1u32;
    crate::extract::split_lines(text)
        .iter()
        .map(|line| {
            page += line.chars().take_while(|&c| c == '\u{c}').count() as u32;
            page
        })
        .collect()
}

/// Reads one file's bytes as its format requires. `Err` is why it has no text.
pub fn read_source(format: SourceFormat, bytes: &[u8], encoding: Option<&str>) -> Result<SourceText, ProblemKind> {
    match format {
        SourceFormat::Pdf => {
            let rebuilt = pdf::rebuild(bytes).map_err(ProblemKind::Pdf)?;
            Ok(SourceText { text: rebuilt.text, format, encoding: None, pages: Some(rebuilt.pages) })
        }
        SourceFormat::Text => {
            let decoded = decode(bytes, encoding).map_err(|e| ProblemKind::CannotDecode(e.to_string()))?;
            Ok(SourceText { text: decoded.text, format, encoding: Some(decoded.encoding), pages: None })
        }
    }
}

/// A PDF's rebuilt text kept between the run's two passes (the sort-key pass and the
/// extraction), zstd-compressed: interpreting the PDF is the costly step, and the text compresses
/// about tenfold.
#[derive(Debug, Clone)]
pub struct Packed {
    text: Vec<u8>,
    pages: usize,
}

impl SourceText {
    /// The text packed for later, for PDF sources (text sources are cheap to decode again).
    pub fn pack(&self) -> Option<Packed> {
        let pages = self.pages.filter(|_| self.format == SourceFormat::Pdf)?;
        let text = zstd::bulk::compress(self.text.as_bytes(), 1).ok()?;
        Some(Packed { text, pages })
    }
}

impl Packed {
    pub fn unpack(&self) -> Option<SourceText> {
        let mut decoder = zstd::stream::Decoder::new(self.text.as_slice()).ok()?;
        let mut text = String::new();
        std::io::Read::read_to_string(&mut decoder, &mut text).ok()?;
        Some(SourceText { text, format: SourceFormat::Pdf, encoding: None, pages: Some(self.pages) })
    }
}
