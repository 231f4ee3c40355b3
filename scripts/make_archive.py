#!/usr/bin/env python3
"""Build a benchmark archive of N disclosures from the real corpus.

    python3 scripts/make_archive.py SRC_DIR OUT_DIR N

Copy i is real document i % len(docs) (sorted by name) with
  * its department made unique: every `库尔勒` (the city prefix of every department name in the
    real corpus, on the 编制部门/编制单位 lines, in titles and in the prose) is replaced by a
    3-character fictional prefix that encodes i (32^3 = 32,768 distinct prefixes), so the printed
    department, e.g. `库尔勒市行政服务中心`, becomes `青松鹤市行政服务中心`;
  * its fiscal year moved: the document's own year (the most frequent stand-alone year among
    2021..2026: 2025, 2025, 2024, 2022 in the real corpus) becomes 2008 + (i // len(docs)) % 18,
    and every stand-alone year token 2021..2026 (prior/next-year references, e.g. `2024 年`
    in a 2025 budget) is shifted by the same amount. Only whole 4-digit tokens are touched
    (not digits inside classification codes such as 2010301 or amounts such as 2025.50);
  * its own path `NN/MM/doc_IIIII_<source>.txt` (20 documents per leaf folder, 20 leaf folders
    per top folder).
Amounts and tables are unchanged, so every copy parses like its source. Prints the total
number of bytes written. Deterministic: the same arguments give byte-identical archives.

If SRC_DIR holds no .txt/.md but .pdf files (e.g. ../shared/corpus/external/pdf), copy i is PDF
i % len(pdfs) with one PDF comment line `%copy IIIII` appended after its end (readers ignore bytes
after the last %%EOF), so every copy has its own bytes and doc_id; its path is
`NN/MM/doc_IIIII_<source>.pdf`. Department and year stay the source's.
"""
import collections
import os
import re
import sys

ALPHABET = "青松云岭河川泉溪枫桐梅兰竹菊柳杉石峰湖星月阳林江岚霞雁鹤澄瑶琪璞"
assert len(ALPHABET) == 32 and len(set(ALPHABET)) == 32
YEAR_TOKEN = re.compile(r"(?<![0-9.,])(202[1-6])(?![0-9])(?!\.[0-9])")
PER_LEAF = 20
LEAVES_PER_TOP = 20


def prefix(i: int) -> str:
    return ALPHABET[i % 32] + ALPHABET[(i // 32) % 32] + ALPHABET[(i // 1024) % 32]


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if n > 32 ** 3:
        print(f"N at most {32 ** 3} (unique department prefixes)", file=sys.stderr)
        return 2
    names = sorted(f for f in os.listdir(src) if f.endswith((".txt", ".md")))
    pdfs = sorted(f for f in os.listdir(src) if f.endswith(".pdf"))
    if not names and pdfs:
        return pdf_archive(src, pdfs, out, n)
    if not names:
        print(f"no .txt/.md documents in {src}", file=sys.stderr)
        return 2
    docs = []
    for name in names:
        with open(os.path.join(src, name), encoding="utf-8-sig") as fh:
            text = fh.read()
        years = collections.Counter(YEAR_TOKEN.findall(text))
        if "库尔勒" not in text or not years:
            print(f"{name}: no 库尔勒 or no year to rewrite", file=sys.stderr)
            return 2
        own_year = int(years.most_common(1)[0][0])
        # Split once on the department prefix; the year rewrite is applied per piece.
        docs.append((os.path.splitext(name)[0], own_year, text.split("库尔勒")))
    total = 0
    made_dirs = MadeDirs(out)
    variants = {}  # (document, new year) -> its pieces with the years moved: 18 per document
    for i in range(n):
        k = i % len(docs)
        stem, own_year, pieces = docs[k]
        new_year = 2008 + (i // len(docs)) % 18
        if (k, new_year) not in variants:
            delta = new_year - own_year
            variants[(k, new_year)] = [YEAR_TOKEN.sub(lambda m: str(int(m.group(1)) + delta), p) for p in pieces]
        data = prefix(i).join(variants[(k, new_year)]).encode("utf-8")
        made_dirs.write(i, f"doc_{i:05d}_{stem}.txt", data)
        total += len(data)
    print(total)
    return 0


class MadeDirs:
    """Writes copy i at `NN/MM/NAME` under the archive root (20 per leaf, 20 leaves per top)."""

    def __init__(self, out: str):
        self.out = out
        self.made = set()

    def write(self, i: int, name: str, data: bytes) -> None:
        leaf = i // PER_LEAF
        d = os.path.join(self.out, f"{leaf // LEAVES_PER_TOP:02d}", f"{leaf % LEAVES_PER_TOP:02d}")
        if d not in self.made:
            os.makedirs(d, exist_ok=True)
            self.made.add(d)
        with open(os.path.join(d, name), "wb") as fh:
            fh.write(data)


def pdf_archive(src: str, pdfs: list, out: str, n: int) -> int:
    sources = []
    for name in pdfs:
        with open(os.path.join(src, name), "rb") as fh:
            sources.append((os.path.splitext(name)[0], fh.read()))
    made_dirs = MadeDirs(out)
    total = 0
    for i in range(n):
        stem, data = sources[i % len(sources)]
        copy = data + f"\n%copy {i:05d}\n".encode("ascii")
        made_dirs.write(i, f"doc_{i:05d}_{stem}.pdf", copy)
        total += len(copy)
    print(total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
