//! Bytes -> text: BOM first (UTF-8, UTF-16 LE/BE), then BOM-less UTF-16 (by where its NUL bytes
//! are), then strict UTF-8, then strict GB18030; never replaces characters silently. Reports the encoding used.

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("empty file")]
    Empty,
    #[error("binary file (NUL byte at offset {0})")]
    Binary(usize),
    #[error("not valid {0} (first bad byte near offset {1})")]
    Invalid(&'static str, usize),
    #[error("unknown encoding {0:?} in configuration")]
    UnknownEncoding(String),
}

fn strict(enc: &'static Encoding, bytes: &[u8]) -> Option<String> {
    enc.decode_without_bom_handling_and_without_replacement(bytes).map(|c| c.into_owned())
}

fn name_of(enc: &'static Encoding) -> &'static str {
    match enc.name() {
        "UTF-8" => "utf-8",
        "UTF-16LE" => "utf-16le",
        "UTF-16BE" => "utf-16be",
        "gb18030" => "gb18030",
        "GBK" => "gbk",
        _ => "other",
    }
}

/// A byte offset near the first undecodable sequence, for the error message.
fn first_bad_offset(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Ok(_) => 0,
        Err(e) => e.valid_up_to(),
    }
}

/// Decodes with a configured encoding (`auto` detects).
pub fn decode(bytes: &[u8], forced: Option<&str>) -> Result<Decoded, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if let Some(label) = forced.filter(|l| !l.eq_ignore_ascii_case("auto")) {
        let enc =
            Encoding::for_label(label.as_bytes()).ok_or_else(|| DecodeError::UnknownEncoding(label.to_string()))?;
        let body = match Encoding::for_bom(bytes) {
            Some((_, len)) => &bytes[len..],
            None => bytes,
        };
        let text = strict(enc, body).ok_or(DecodeError::Invalid(name_of(enc), first_bad_offset(body)))?;
        return Ok(Decoded { text, encoding: name_of(enc) });
    }
    if let Some((enc, len)) = Encoding::for_bom(bytes) {
        let text = strict(enc, &bytes[len..]).ok_or(DecodeError::Invalid(name_of(enc), 0))?;
        return Ok(Decoded { text, encoding: name_of(enc) });
    }
    if let Some(pos) = bytes.iter().position(|b| *b == 0) {
        return utf16_without_bom(bytes).ok_or(DecodeError::Binary(pos));
    }
    if let Some(text) = strict(UTF_8, bytes) {
        return Ok(Decoded { text, encoding: "utf-8" });
    }
    if let Some(text) = strict(GB18030, bytes) {
        return Ok(Decoded { text, encoding: "gb18030" });
    }
    Err(DecodeError::Invalid("utf-8 or gb18030", first_bad_offset(bytes)))
}

/// UTF-16 without a BOM (some Windows tools write it): NUL bytes mostly on one side of the code
/// units (ASCII digits, spaces and line breaks have a zero high byte), and text that decodes
/// strictly to printable characters. Anything else stays binary.
fn utf16_without_bom(bytes: &[u8]) -> Option<Decoded> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let zeros_at = |parity: usize| bytes.iter().skip(parity).step_by(2).filter(|b| **b == 0).count();
    let (even, odd) = (zeros_at(0), zeros_at(1));
    let units = bytes.len() / 2;
    // CJK characters at U+xx00 (一 is U+4E00) put a few NULs on the other side too.
    let enc = match (even, odd) {
        (minor, major) if major * 10 >= units && minor * 4 <= major => UTF_16LE,
        (major, minor) if major * 10 >= units && minor * 4 <= major => UTF_16BE,
        _ => return None,
    };
    let text = strict(enc, bytes)?;
    let printable = text.chars().all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t' | '\u{c}'));
    printable.then(|| Decoded { text, encoding: name_of(enc) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_encoding() {
        let s = "编制部门：某单位\r\n合计 1.00";
        assert_eq!(decode(s.as_bytes(), None).unwrap().encoding, "utf-8");
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(s.as_bytes());
        assert_eq!(decode(&bom, None).unwrap().text, s);
        let (gb, _, _) = GB18030.encode(s);
        let d = decode(&gb, None).unwrap();
        assert_eq!((d.encoding, d.text.as_str()), ("gb18030", s));
        let mut le = vec![0xFF, 0xFE];
        le.extend(s.encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(decode(&le, None).unwrap(), Decoded { text: s.into(), encoding: "utf-16le" });
        let mut be = vec![0xFE, 0xFF];
        be.extend(s.encode_utf16().flat_map(|u| u.to_be_bytes()));
        assert_eq!(decode(&be, None).unwrap().encoding, "utf-16be");
        // Without the BOM, the side the NUL bytes are on tells LE from BE.
        assert_eq!(decode(&le[2..], None).unwrap(), Decoded { text: s.into(), encoding: "utf-16le" });
        assert_eq!(decode(&be[2..], None).unwrap(), Decoded { text: s.into(), encoding: "utf-16be" });
    }

    #[test]
    fn rejects_junk() {
        assert_eq!(decode(b"", None), Err(DecodeError::Empty));
        assert!(matches!(decode(b"\x89PNG\r\n\x1a\n\0\0", None), Err(DecodeError::Binary(_))));
        assert!(matches!(decode(&[0xff, 0xff, 0xfe, 0x81, 0x20], None), Err(DecodeError::Invalid(..))));
    }
}
