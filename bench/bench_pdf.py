"""PDF reading speed: a long text PDF exported by LibreOffice, read and ingested.

Builds a ~100-page rule book with the fixture recipe (tests/fixtures/make_pdf.py; needs soffice
and poppler-utils) in a temporary folder, then prints pages/s and seconds of the PDF reader
(``knowledge.loaders.read_bytes``) and of ``KnowledgeBase.ingest`` of the file into a fresh
knowledge base, then the seconds a scanned page takes when the OCR extra is installed. The goals
(issue 10): ingest of a 100-page text PDF in 5 s or less; OCR 3 s a page or less.

    .venv/bin/python bench/bench_pdf.py [--pages 100] [--repeat 3] [--pdf FILE]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge.kb import KnowledgeBase
from knowledge.loaders import read_bytes
from knowledge.readers import ocr


def build(pages: int, folder: Path) -> Path:
    recipe = ROOT / "tests" / "fixtures" / "make_pdf.py"
    out = subprocess.run([sys.executable, str(recipe), "--long", str(pages), str(folder)],
                         check=True, capture_output=True, text=True).stdout
    return Path(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description="PDF reader and ingest speed")
    parser.add_argument("--pages", type=int, default=100, help="pages of the built PDF")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the median is printed")
    parser.add_argument("--pdf", type=Path, help="time this PDF instead of building one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_pdf_") as tmp:
        folder = Path(tmp)
        pdf = args.pdf or build(args.pages, folder)
        data = pdf.read_bytes()
        reads, ingests = [], []
        for run in range(args.repeat):
            started = time.perf_counter()
            read = read_bytes(data, pdf.name)
            reads.append(time.perf_counter() - started)
            kb = KnowledgeBase(folder / f"kb{run}.sqlite")
            try:
                started = time.perf_counter()
                kb.ingest([pdf])
                ingests.append(time.perf_counter() - started)
            finally:
                kb.close()
        pages = read.info.pages
        read_s, ingest_s = statistics.median(reads), statistics.median(ingests)
        print(f"{pdf.name}: {pages} pages, {len(data) // 1024} KB, {read.blocks} blocks, "
              f"dropped {read.info.dropped}")
        print(f"read:   {read_s:.2f} s  ({pages / read_s:.0f} pages/s; reader {read.info.reader})")
        print(f"ingest: {ingest_s:.2f} s  ({pages / ingest_s:.0f} pages/s; goal <= 5 s for 100 "
              f"pages: {'met' if ingest_s * 100 / pages <= 5 else 'NOT met'})")
    scans = ROOT / "tests" / "fixtures" / "pdf" / "mixed.pdf"   # 2 text pages, 2 scanned
    if not ocr.available():
        print("ocr:    not installed (pip install -e '.[ocr]')")
        return
    started = time.perf_counter()
    read = read_bytes(scans.read_bytes(), scans.name)
    seconds = time.perf_counter() - started
    print(f"ocr:    {seconds / max(1, read.info.ocr_pages):.2f} s a page "
          f"({read.info.ocr_pages} scanned pages of {scans.name}, rendered at 200 dpi)")


if __name__ == "__main__":
    main()
