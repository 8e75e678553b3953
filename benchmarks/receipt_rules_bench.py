"""The receipt rules' confidences before and after calibration, on generated receipts of a held-out seed.

Fits the per-field isotonic maps as `docai train --receipts N` does (N receipts of seed 0), then reads M receipts of
another seed and reports, per field: how many carry the field, how many the rules answer, the accuracy of those
answers, and the ECE of the raw rule confidence and of the calibrated one. Generated receipts only: the real
(SROIE) receipts label just the four fields the learned chooser decides.

  python benchmarks/receipt_rules_bench.py [--fit 300] [--fit-scans K] [--test 200] [--seed 13] [--scans] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    from docai.synth.training import receipt_examples
    from model.layout.lines import build_lines
    from model.layout.receipt import extract_receipt
    from model.learned.compare import same_value
    from model.learned.fit import ece
    from model.learned.rule_calibration import KINDS, calibrate, fit_rule_calibration, write

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", type=int, default=300, help="generated receipts (seed 0) to fit the maps on")
    parser.add_argument("--test", type=int, default=200, help="generated receipts of --seed to score on")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--fit-scans", type=int, default=0, help="fit: every K-th receipt also as a scan (OCR)")
    parser.add_argument("--scans", action="store_true", help="score on scans of the test receipts (OCR) instead")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    fitted = fit_rule_calibration(
        "receipt", receipt_examples(args.fit, seed=0, scan_every=args.fit_scans), extract_receipt, build_lines
    )
    fit_s = time.perf_counter() - started
    folder = Path(tempfile.mkdtemp())
    write(folder, fitted)
    rows: dict[str, dict[str, list]] = {}
    tests = receipt_examples(args.test, seed=args.seed, scan_every=1 if args.scans else 0)
    for ex in [e for e in tests if e.name.endswith("-scan") == args.scans]:
        data, raw = extract_receipt(build_lines(ex.pages))
        mapped = calibrate("receipt", raw, folder, keep=set())
        got = data.model_dump(mode="json")
        for name, truth in ex.truth.items():
            if truth in (None, "") or isinstance(truth, list | dict):
                continue
            row = rows.setdefault(name, {"labelled": [], "right": [], "raw": [], "calibrated": []})
            row["labelled"].append(1)
            if got.get(name) in (None, ""):
                continue
            row["right"].append(same_value(KINDS.get(name, "text"), got[name], truth))
            row["raw"].append(raw.get(f"/{name}", 0.5))
            row["calibrated"].append(mapped.get(f"/{name}", 0.5))
    figures = {}
    for name, row in sorted(rows.items()):
        n = len(row["right"])
        figures[name] = {
            "labelled": len(row["labelled"]),
            "answered": n,
            "accuracy": round(sum(row["right"]) / n, 3) if n else None,
            "ece_raw": round(ece(row["raw"], row["right"]), 3) if n else None,
            "ece_calibrated": round(ece(row["calibrated"], row["right"]), 3) if n else None,
            "mapped": name in fitted["fields"],
        }
    if args.json:
        print(json.dumps({"fit_seconds": round(fit_s, 1), "fields": figures}, indent=1))
        return
    print(f"fitted on {args.fit} receipts (seed 0) in {fit_s:.1f} s; scored on {args.test} of seed {args.seed}")
    print("| field | labelled | answered | accuracy | ECE raw | ECE calibrated |")
    print("|---|---|---|---|---|---|")
    for name, f in figures.items():
        cal = f["ece_calibrated"] if f["mapped"] else f"{f['ece_calibrated']} (no map)"
        print(f"| {name} | {f['labelled']} | {f['answered']} | {f['accuracy']} | {f['ece_raw']} | {cal} |")


if __name__ == "__main__":
    main()
