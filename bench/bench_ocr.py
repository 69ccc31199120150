"""Seconds per page of OCR (knowledge.readers.ocr) on the scan fixtures and a full A4 page.

    python bench/bench_ocr.py [--repeat 3]

Needs the OCR extra (``pip install -e ".[ocr]"``). The A4 page is typeset at 200 dpi with Noto
Serif CJK when that font is installed (else the fixture scan is tiled onto an A4 canvas). Prints
wall and CPU seconds per page (median of the repeats; the engine's one-off load apart) and how
much of the known text was read (difflib ratio of characters, punctuation and spaces ignored).
Goal: at most 3 s of wall time per page on a 2-core machine.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import io
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.readers import ocr

SCAN = ROOT / "tests" / "fixtures" / "scan"
FONT = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
_IGNORED = re.compile(r"[\s，。、；：（）()“”,.;:]")


def known_scan_text() -> str:
    spec = importlib.util.spec_from_file_location(
        "recipe", ROOT / "tests" / "fixtures" / "make_office_and_scans.py")
    recipe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(recipe)
    return "".join(recipe.SCAN_LINES)


def a4_page(text: str) -> tuple[bytes, str]:
    """A dense A4 page at 200 dpi (1654×2339), 12 pt, 38 characters a line; and its text."""
    from PIL import Image, ImageDraw, ImageFont

    page = Image.new("L", (1654, 2339), 245)
    drawn = ""
    if FONT.exists():
        font = ImageFont.truetype(str(FONT), 33, index=2)   # index 2: Simplified Chinese
        draw = ImageDraw.Draw(page)
        body = _IGNORED.sub("", text) * 6
        per_line, y = 38, 160
        for start in range(0, len(body), per_line):
            if y > 2339 - 200:
                break
            draw.text((160, y), body[start:start + per_line], font=font, fill=20)
            drawn += body[start:start + per_line]
            y += 52
    else:
        scan = Image.open(SCAN / "会议室使用管理规定.png").convert("L")
        for y in (0, scan.height):
            page.paste(scan, (100, y + 60))
    out = io.BytesIO()
    page.save(out, "PNG")
    return out.getvalue(), drawn


def accuracy(read: str, expected: str) -> float:
    return difflib.SequenceMatcher(None, _IGNORED.sub("", read), _IGNORED.sub("", expected),
                                   autojunk=False).ratio()


def measure(name: str, image: bytes, expected: str, repeat: int) -> None:
    walls, cpus, lines = [], [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        lines = ocr.image_lines(image)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    text = "".join(lines)
    quality = f"{accuracy(text, expected):.1%} of the known text" if expected else ""
    print(f"{name:34} wall {statistics.median(walls):5.2f} s  cpu {statistics.median(cpus):5.2f} s"
          f"  {len(lines):3} lines {len(text):5} chars  {quality}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not ocr.available():
        sys.exit(ocr.MISSING)
    expected = known_scan_text()
    start = time.perf_counter()
    ocr.image_lines((SCAN / "会议室使用管理规定.png").read_bytes())
    print(f"engine load + first page: {time.perf_counter() - start:.2f} s")
    for path in sorted(SCAN.glob("*.[pj][np]g")):
        measure(f"{path.name} (919×1101)", path.read_bytes(), expected, args.repeat)
    page, drawn = a4_page(expected)
    measure("A4 page at 200 dpi (1654×2339)", page, drawn, args.repeat)


if __name__ == "__main__":
    main()
