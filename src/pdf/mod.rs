//! A PDF read directly: its glyphs and their positions (`glyphs`) rebuilt into aligned text, one
//! table row per line and a form feed between pages (`layout`), for the same readers as text.
//! No I/O, no threads; every page is bounded in work before it is interpreted.

mod glyphs;
pub mod layout;

use hayro_interpret::hayro_syntax::{LoadPdfError, Pdf};

/// Pages a document may have.
pub const MAX_PAGES: usize = 5_000;
/// Content-stream operators one page may have (a table page has a few thousand).
pub const MAX_OPS_PER_PAGE: usize = 2_000_000;
/// Decoded content-stream bytes one page may have.
pub const MAX_CONTENT_BYTES: usize = 64 << 20;
/// Glyphs kept per page; beyond this the page is reported, not laid out.
pub const MAX_GLYPHS_PER_PAGE: usize = 200_000;

/// The text rebuilt from a PDF.
#[derive(Debug, Clone)]
pub struct Rebuilt {
    /// Pages joined by form feeds, each line ending in `\n`.
    pub text: String,
    pub pages: usize,
}

/// Why a PDF yields no text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    #[error("not a readable PDF (damaged or truncated: no usable cross-reference table, trailer or page tree)")]
    Unreadable,
    #[error("encrypted PDF: it needs a password to be read")]
    Encrypted,
    #[error("the PDF has no pages")]
    NoPages,
    #[error("the PDF has {0} pages, more than the {MAX_PAGES} a disclosure may have")]
    TooManyPages(usize),
    #[error("no text layer on any of its {0} pages (a scanned PDF?)")]
    NoTextLayer(usize),
    #[error("page {page}: {what}")]
    PageTooLarge { page: usize, what: String },
}

/// The document's text, page by page, rebuilt from where each glyph sits.
pub fn rebuild(bytes: &[u8]) -> Result<Rebuilt, PdfError> {
    let pdf = Pdf::new(bytes.to_vec()).map_err(|e| match e {
        LoadPdfError::Decryption(_) => PdfError::Encrypted,
        LoadPdfError::Invalid => PdfError::Unreadable,
    })?;
    let pages = pdf.pages();
    if pages.is_empty() {
        return Err(PdfError::NoPages);
    }
    if pages.len() > MAX_PAGES {
        return Err(PdfError::TooManyPages(pages.len()));
    }
    let reader = glyphs::Reader::new(&pdf);
    let mut texts = Vec::with_capacity(pages.len());
    let mut any_text = false;
    for (i, page) in pages.iter().enumerate() {
        check_page_size(page).map_err(|what| PdfError::PageTooLarge { page: i + 1, what })?;
        let glyphs = reader.page_glyphs(page);
        if glyphs.len() > MAX_GLYPHS_PER_PAGE {
            return Err(PdfError::PageTooLarge {
                page: i + 1,
                what: format!("more than {MAX_GLYPHS_PER_PAGE} glyphs"),
            });
        }
        any_text |= !glyphs.is_empty();
        texts.push(layout::page_text(&glyphs));
    }
    if !any_text {
        return Err(PdfError::NoTextLayer(pages.len()));
    }
    Ok(Rebuilt { pages: texts.len(), text: texts.join("\u{c}") })
}

/// A page whose content stream is too big or has too many operators is not interpreted.
fn check_page_size(page: &hayro_interpret::hayro_syntax::page::Page<'_>) -> Result<(), String> {
    let content = page.page_stream().unwrap_or_default();
    if content.len() > MAX_CONTENT_BYTES {
        return Err(format!("content stream of {} bytes, more than {MAX_CONTENT_BYTES}", content.len()));
    }
    let mut ops = page.operations();
    let mut n = 0usize;
    while ops.next().is_some() {
        n += 1;
        if n > MAX_OPS_PER_PAGE {
            return Err(format!("more than {MAX_OPS_PER_PAGE} drawing operators"));
        }
    }
    Ok(())
}
