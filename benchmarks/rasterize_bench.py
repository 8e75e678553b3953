"""Rasterization throughput at 1024 px (longest side) PNG: docai vs a bare pymupdf loop vs pdf2image (Poppler).

Every method turns every page of the same PDFs into PNG bytes whose longest side is 1024 px. The runs are
interleaved and repeated; the best run of each method counts (the machine is shared, the best run is the
least disturbed), the median is shown beside it. CPU pages/s divides by the CPU time the method used (its own
process plus Poppler's child processes), which other loads on a shared machine disturb far less than wall time.

  python benchmarks/rasterize_bench.py                       # ../shared/data/pdfs, 3 rounds
  python benchmarks/rasterize_bench.py --rounds 5 --skip-pdf2image
  python benchmarks/rasterize_bench.py --data some/folder --json
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PAGE = 1024


def docai_method(text_layer: bool, png_level: int = 3) -> Callable[[bytes], tuple[int, int]]:
    """docai.stages.rasterize with OCR off: images only, or images plus the text layer as words."""
    from docai.stages.ingest import MediaType
    from docai.stages.rasterize import RasterizeOptions, iter_pages

    options = RasterizeOptions(page_size=PAGE, ocr=None, text_layer=text_layer, png_level=png_level)

    def run(data: bytes) -> tuple[int, int]:
        pages = size = 0
        for page in iter_pages(data, MediaType.PDF, options):
            assert max(page.width, page.height) == PAGE
            pages += 1
            size += len(page.png)
        return pages, size

    return run


def bare_pymupdf(data: bytes) -> tuple[int, int]:
    """The plainest pymupdf loop: open, get_pixmap with a matrix to 1024 px, tobytes('png')."""
    import pymupdf

    pages = size = 0
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        for page in doc:
            zoom = PAGE / max(page.rect.width, page.rect.height)
            pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
            size += len(pix.tobytes("png"))
            pages += 1
    return pages, size


def pdf2image_method(data: bytes) -> tuple[int, int]:
    """pdf2image.convert_from_bytes(size=1024) (pdftoppm -scale-to 1024), then each page saved as PNG by Pillow."""
    from pdf2image import convert_from_bytes

    pages = size = 0
    for image in convert_from_bytes(data, size=PAGE):
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        size += buffer.tell()
        pages += 1
    return pages, size


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (pdftoppm runs as a child)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def measure(method: Callable[[bytes], tuple[int, int]], documents: list[bytes]) -> tuple[int, float, float, int]:
    """Pages, wall seconds, CPU seconds and PNG bytes for one pass over the documents."""
    started, cpu_started = time.perf_counter(), cpu_seconds()
    pages = size = 0
    for data in documents:
        p, s = method(data)
        pages += p
        size += s
    return pages, time.perf_counter() - started, cpu_seconds() - cpu_started, size


def main() -> None:
    default_data = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pdfs"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=default_data, help="folder of PDFs (default ../shared/data/pdfs)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved repetitions; the best counts")
    parser.add_argument("--skip-pdf2image", action="store_true", help="leave out the slow Poppler run")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()

    paths = sorted(args.data.glob("*.pdf"))
    if not paths:
        sys.exit(f"no PDFs found in {args.data}")
    documents = [p.read_bytes() for p in paths]
    methods: dict[str, Callable[[bytes], tuple[int, int]]] = {
        "docai (images only)": docai_method(text_layer=False),
        "docai (images + text layer)": docai_method(text_layer=True),
        # MuPDF's own PNG writer uses zlib level 6: the same level shows what the encoder choice is worth
        "docai (text, zlib level 6)": docai_method(text_layer=True, png_level=6),
        "bare pymupdf loop": bare_pymupdf,
    }
    if not args.skip_pdf2image:
        methods["pdf2image (poppler)"] = pdf2image_method
    for method in methods.values():  # warm up imports and font caches once
        method(documents[0])

    times: dict[str, list[float]] = {name: [] for name in methods}
    cpu: dict[str, list[float]] = {name: [] for name in methods}
    pages_of: dict[str, int] = {}
    bytes_of: dict[str, int] = {}
    for _ in range(args.rounds):
        for name, method in methods.items():
            pages, seconds, cpu_used, size = measure(method, documents)
            times[name].append(seconds)
            cpu[name].append(cpu_used)
            pages_of[name], bytes_of[name] = pages, size

    reference = "bare pymupdf loop"
    bare = pages_of[reference] / min(times[reference])
    bare_cpu = pages_of[reference] / min(cpu[reference])
    rows = []
    for name in methods:
        best = pages_of[name] / min(times[name])
        best_cpu = pages_of[name] / min(cpu[name])
        rows.append(
            {
                "method": name,
                "pages": pages_of[name],
                "best_s": round(min(times[name]), 2),
                "pages_per_s": round(best, 1),
                "median_pages_per_s": round(pages_of[name] / statistics.median(times[name]), 1),
                "vs_bare": round(best / bare, 3),
                "cpu_pages_per_s": round(best_cpu, 1),
                "cpu_vs_bare": round(best_cpu / bare_cpu, 3),
                "png_kib_per_page": round(bytes_of[name] / pages_of[name] / 1024, 1),
            }
        )
    if args.json:
        print(json.dumps({"documents": len(paths), "rounds": args.rounds, "results": rows}, indent=2))
        return
    print(f"{len(paths)} PDFs, {pages_of[reference]} pages, 1024 px PNG, best of {args.rounds} rounds")
    header = (
        f"{'method':<28} {'pages':>5} {'best s':>7} {'pages/s':>8} {'median':>7} {'vs bare':>8}"
        f" {'CPU p/s':>8} {'vs bare':>8} {'KiB/page':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['method']:<28} {r['pages']:>5} {r['best_s']:>7.2f} {r['pages_per_s']:>8.1f}"
            f" {r['median_pages_per_s']:>7.1f} {r['vs_bare']:>7.2f}x {r['cpu_pages_per_s']:>8.1f}"
            f" {r['cpu_vs_bare']:>7.2f}x {r['png_kib_per_page']:>9.1f}"
        )


if __name__ == "__main__":
    main()
