//! One page's content stream interpreted (by `hayro-interpret`) into positioned glyphs: the
//! Unicode text of each (ToUnicode maps, glyph names), its origin and advance in page space.

use super::layout::Glyph;
use super::MAX_GLYPHS_PER_PAGE;
use hayro_interpret::font::{Glyph as FontGlyph, GlyphRun};
use hayro_interpret::hayro_cmap::BfString;
use hayro_interpret::hayro_syntax::page::Page;
use hayro_interpret::hayro_syntax::Pdf;
use hayro_interpret::kurbo::{Affine, BezPath, Point, Rect};
use hayro_interpret::{
    interpret_page, BlendMode, ClipPath, Context, Device, DrawMode, DrawProps, Image, ImageDrawProps, InterpreterCache,
    InterpreterSettings, RenderContent, SoftMask,
};

/// Font units per em in the glyph transforms hayro hands out.
const UNITS_PER_EM: f64 = 1000.0;

/// Interprets the pages of one document, sharing its font cache.
pub struct Reader<'a> {
    pdf: &'a Pdf,
    cache: InterpreterCache<'a>,
}

impl<'a> Reader<'a> {
    pub fn new(pdf: &'a Pdf) -> Reader<'a> {
        Reader { pdf, cache: InterpreterCache::new() }
    }

    /// The page's glyphs in page space after its /Rotate (y grows downwards), at most
    /// `MAX_GLYPHS_PER_PAGE + 1` of them.
    pub fn page_glyphs(&self, page: &Page<'a>) -> Vec<Glyph> {
        let (w, h) = page.render_dimensions();
        let settings = InterpreterSettings {
            // Annotations (form fields, stamps) are not the printed tables.
            render_content: RenderContent::PAGE,
            ..InterpreterSettings::default()
        };
        let mut ctx = Context::new(
            Affine::new(page.initial_transform(true).as_coeffs()),
            Rect::new(0.0, 0.0, w as f64, h as f64),
            &self.cache,
            self.pdf.xref(),
            settings,
        );
        let mut sink = GlyphSink { glyphs: Vec::new() };
        interpret_page(page, &mut ctx, &mut sink);
        sink.glyphs
    }
}

/// A device that keeps the glyphs and ignores everything drawn otherwise.
struct GlyphSink {
    glyphs: Vec<Glyph>,
}

fn text_of(b: &BfString) -> String {
    match b {
        BfString::Char(c) => c.to_string(),
        BfString::String(s) => s.clone(),
    }
}

fn advance_units(g: &FontGlyph<'_>) -> f64 {
    let adv = match g {
        FontGlyph::Outline(o) => o.advance_width(),
        FontGlyph::Type3(t) => t.advance_width(),
    };
    // A font without widths: half an em, the width of a digit in most fonts.
    adv.map(f64::from).filter(|a| a.is_finite() && *a > 0.0).unwrap_or(UNITS_PER_EM / 2.0)
}

fn distance(a: Point, b: Point) -> f64 {
    ((b.x - a.x).powi(2) + (b.y - a.y).powi(2)).sqrt()
}

impl<'a> Device<'a> for GlyphSink {
    fn draw_path(&mut self, _: &BezPath, _: DrawProps<'a>, _: &DrawMode) {}
    fn push_clip_path(&mut self, _: &ClipPath) {}
    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {}
    fn draw_image(&mut self, _: Image<'a, '_>, _: ImageDrawProps<'a>) {}
    fn pop_clip(&mut self) {}
    fn pop_transparency_group(&mut self) {}

    fn draw_glyph_run(&mut self, run: &GlyphRun<'_, 'a>, props: DrawProps<'a>, _: &DrawMode) {
        for g in run.glyphs() {
            if self.glyphs.len() > MAX_GLYPHS_PER_PAGE {
                return;
            }
            let Some(text) = g.as_unicode().map(|b| text_of(&b)) else { continue };
            let t = props.transform * g.transform();
            let origin = t * Point::ZERO;
            let end = t * Point::new(advance_units(g), 0.0);
            let top = t * Point::new(0.0, UNITS_PER_EM);
            let width = distance(origin, end);
            let size = distance(origin, top);
            if !(width.is_finite() && size.is_finite() && origin.x.is_finite() && origin.y.is_finite()) {
                continue;
            }
            let dir = if width > 1e-9 { ((end.x - origin.x) / width, (end.y - origin.y) / width) } else { (1.0, 0.0) };
            self.glyphs.push(Glyph { text, x: origin.x, y: origin.y, dir, width, size });
        }
    }
}
