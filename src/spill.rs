//! A partition's data rows between their arrival and the end of the run: encoded, zstd-compressed
//! blocks appended to a temporary file, read back in order when the partition's Parquet file is
//! written. Keeps memory flat at any archive size (an open Parquet writer holds every page's
//! metadata until it is finished) and lets the final files have large row groups.

use crate::model::{RowKey, Side};
use crate::sink::DataRow;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

/// zstd level for spill blocks: fast; they live only until the run ends.
const LEVEL: i32 = 1;

/// A spill file being appended to.
pub struct SpillWriter {
    path: PathBuf,
    file: BufWriter<File>,
    rows: usize,
}

impl SpillWriter {
    pub fn create(path: PathBuf) -> Result<SpillWriter, String> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let file = File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(SpillWriter { path, file: BufWriter::new(file), rows: 0 })
    }

    /// Rows appended so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Appends one block of rows.
    pub fn append(&mut self, rows: &[DataRow]) -> Result<(), String> {
        self.rows += rows.len();
        let raw = encode(rows).map_err(|e| format!("{}: {e}", self.path.display()))?;
        let block = zstd::bulk::compress(&raw, LEVEL).map_err(|e| format!("{}: {e}", self.path.display()))?;
        // Header: compressed bytes, encoded bytes, rows.
        let mut head = Vec::with_capacity(24);
        for n in [block.len(), raw.len(), rows.len()] {
            head.extend_from_slice(&(n as u64).to_le_bytes());
        }
        let io = |e: std::io::Error| format!("{}: {e}", self.path.display());
        self.file.write_all(&head).map_err(io)?;
        self.file.write_all(&block).map_err(io)
    }

    /// Closes the file and opens it for reading from the first block.
    pub fn into_reader(self) -> Result<SpillReader, String> {
        let SpillWriter { path, file, .. } = self;
        file.into_inner().map_err(|e| format!("{}: {e}", path.display()))?;
        let file = File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(SpillReader { path, file: BufReader::new(file) })
    }
}

/// A spill file read back block by block.
pub struct SpillReader {
    path: PathBuf,
    file: BufReader<File>,
}

impl SpillReader {
    /// The next block's rows, `None` at the end of the file.
    pub fn next_block(&mut self) -> Result<Option<Vec<DataRow>>, String> {
        let mut head = [0u8; 24];
        match self.file.read_exact(&mut head) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", self.path.display())),
        }
        let field = |i: usize| u64::from_le_bytes(head[i * 8..i * 8 + 8].try_into().unwrap_or_default()) as usize;
        let (compressed, raw, rows) = (field(0), field(1), field(2));
        let mut block = vec![0u8; compressed];
        self.file.read_exact(&mut block).map_err(|e| format!("{}: {e}", self.path.display()))?;
        let bytes = zstd::bulk::decompress(&block, raw).map_err(|e| format!("{}: {e}", self.path.display()))?;
        decode(&bytes, rows).map(Some).map_err(|e| format!("{}: corrupt spill block: {e}", self.path.display()))
    }

    /// Deletes the file.
    pub fn remove(self) -> Result<(), String> {
        std::fs::remove_file(&self.path).map_err(|e| format!("{}: {e}", self.path.display()))
    }
}

fn put_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.extend_from_slice(&u32::MAX.to_le_bytes()),
        Some(s) => {
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
    }
}

fn put_i64(out: &mut Vec<u8>, v: Option<i64>) {
    match v {
        None => out.push(0),
        Some(v) => {
            out.push(1);
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
}

/// Values in cents (Decimal(18, 2) fits an i64).
fn cents(d: Decimal) -> Result<i64, String> {
    (d * Decimal::from(100)).round().to_i64().ok_or_else(|| format!("amount {d} does not fit Decimal(18, 2)"))
}

/// The strings a `&'static str` field can hold, by index (0 = none).
const KINDS: [&str; 2] = ["budget", "final"];
const BASES: [&str; 2] = ["budget", "actual"];

fn index_of(set: &[&str], v: Option<&str>) -> Result<u8, String> {
    match v {
        None => Ok(0),
        Some(v) => {
            set.iter().position(|s| *s == v).map(|i| i as u8 + 1).ok_or_else(|| format!("unexpected value {v:?}"))
        }
    }
}

fn encode(rows: &[DataRow]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(rows.len() * 96);
    let mut last_doc: Option<&Arc<str>> = None;
    for r in rows {
        // A document's identity once per run of its rows.
        if last_doc.is_some_and(|d| Arc::ptr_eq(d, &r.doc_id) || **d == *r.doc_id) {
            out.push(0);
        } else {
            out.push(1);
            put_str(&mut out, Some(&r.doc_id));
            put_str(&mut out, Some(&r.department));
            out.push(index_of(&KINDS, Some(r.doc_kind))?);
            out.extend_from_slice(&r.fiscal_year.to_le_bytes());
            last_doc = Some(&r.doc_id);
        }
        out.extend_from_slice(&r.row_no.to_le_bytes());
        let k = &r.key;
        out.push(match k.side {
            None => 0,
            Some(Side::Revenue) => 1,
            Some(Side::Expenditure) => 2,
        });
        put_i64(&mut out, k.line_no.map(i64::from));
        put_i64(&mut out, k.level.map(i64::from));
        out.push(index_of(&BASES, k.basis)?);
        for s in [&k.item, &k.item_name, &k.code, &k.name, &k.unit, &k.project_name] {
            put_str(&mut out, s.as_deref());
        }
        out.push(r.values.len() as u8);
        for v in &r.values {
            put_i64(&mut out, v.map(cents).transpose()?);
        }
    }
    Ok(out)
}

/// Reads what `encode` wrote.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err("truncated".into());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn i32(&mut self) -> Result<i32, String> {
        Ok(i32::from_le_bytes(self.take(4)?.try_into().map_err(|_| "truncated")?))
    }

    fn i64(&mut self) -> Result<Option<i64>, String> {
        match self.u8()? {
            0 => Ok(None),
            _ => Ok(Some(i64::from_le_bytes(self.take(8)?.try_into().map_err(|_| "truncated")?))),
        }
    }

    fn str(&mut self) -> Result<Option<&'a str>, String> {
        let len = u32::from_le_bytes(self.take(4)?.try_into().map_err(|_| "truncated")?);
        if len == u32::MAX {
            return Ok(None);
        }
        std::str::from_utf8(self.take(len as usize)?).map(Some).map_err(|e| e.to_string())
    }

    fn string(&mut self) -> Result<Option<String>, String> {
        self.str().map(|s| s.map(str::to_string))
    }

    fn of(&mut self, set: &[&'static str]) -> Result<Option<&'static str>, String> {
        match self.u8()? {
            0 => Ok(None),
            i => set.get(i as usize - 1).copied().map(Some).ok_or_else(|| format!("bad index {i}")),
        }
    }
}

fn decode(bytes: &[u8], expected: usize) -> Result<Vec<DataRow>, String> {
    let mut c = Cursor(bytes);
    let mut rows = Vec::with_capacity(expected);
    let mut doc: Option<(Arc<str>, Arc<str>, &'static str, i32)> = None;
    while !c.0.is_empty() {
        if c.u8()? == 1 {
            let doc_id: Arc<str> = c.str()?.unwrap_or_default().into();
            let department: Arc<str> = c.str()?.unwrap_or_default().into();
            let kind = c.of(&KINDS)?.unwrap_or_default();
            doc = Some((doc_id, department, kind, c.i32()?));
        }
        let (doc_id, department, doc_kind, fiscal_year) = doc.clone().ok_or("row before its document")?;
        let row_no = c.i32()?;
        let side = match c.u8()? {
            0 => None,
            1 => Some(Side::Revenue),
            _ => Some(Side::Expenditure),
        };
        let line_no = c.i64()?.map(|v| v as i32);
        let level = c.i64()?.map(|v| v as i8);
        let basis = c.of(&BASES)?;
        let key = RowKey {
            side,
            line_no,
            level,
            basis,
            item: c.string()?,
            item_name: c.string()?,
            code: c.string()?,
            name: c.string()?,
            unit: c.string()?,
            project_name: c.string()?,
        };
        let n = c.u8()? as usize;
        let values =
            (0..n).map(|_| c.i64().map(|v| v.map(|cents| Decimal::new(cents, 2)))).collect::<Result<_, _>>()?;
        rows.push(DataRow { doc_id, department, doc_kind, fiscal_year, row_no, key, values });
    }
    if rows.len() != expected {
        return Err(format!("{} rows, the block header says {expected}", rows.len()));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(doc: &str, row_no: i32, key: RowKey, values: Vec<Option<Decimal>>) -> DataRow {
        DataRow {
            doc_id: doc.into(),
            department: "某局".into(),
            doc_kind: "final",
            fiscal_year: 2024,
            row_no,
            key,
            values,
        }
    }

    #[test]
    fn blocks_round_trip() {
        let rows = [
            row(
                "a1",
                1,
                RowKey {
                    side: Some(Side::Expenditure),
                    line_no: Some(31),
                    item: Some("一般公共服务支出".into()),
                    code: Some("201".into()),
                    ..Default::default()
                },
                vec![Some(Decimal::new(19276, 2))],
            ),
            row(
                "a1",
                2,
                RowKey {
                    item: Some("total".into()),
                    item_name: Some("合计".into()),
                    basis: Some("actual"),
                    ..Default::default()
                },
                vec![None, Some(Decimal::new(-5, 0))],
            ),
            row(
                "b2",
                1,
                RowKey {
                    code: Some("2010301".into()),
                    level: Some(3),
                    name: Some("行政运行".into()),
                    unit: Some("本级".into()),
                    project_name: None,
                    ..Default::default()
                },
                vec![],
            ),
        ];
        let dir = tempfile::tempdir().unwrap();
        let mut w = SpillWriter::create(dir.path().join("x/p.spill")).unwrap();
        w.append(&rows[..2]).unwrap();
        w.append(&rows[2..]).unwrap();
        let mut r = w.into_reader().unwrap();
        let mut back = Vec::new();
        while let Some(block) = r.next_block().unwrap() {
            back.extend(block);
        }
        r.remove().unwrap();
        assert_eq!(back.len(), rows.len());
        for (a, b) in rows.iter().zip(&back) {
            assert_eq!(
                (&a.doc_id, &a.department, a.doc_kind, a.fiscal_year, a.row_no),
                (&b.doc_id, &b.department, b.doc_kind, b.fiscal_year, b.row_no)
            );
            assert_eq!(a.key, b.key);
            assert_eq!(a.values, b.values);
        }
        assert!(!dir.path().join("x/p.spill").exists());
    }
}
