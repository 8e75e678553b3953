"""`docai train`: refit the `ocr` engine's learned chooser on the training split (and what reviewers approved)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from docai.cli.app import app

DEFAULT_DATA = Path("../shared/data/train")


@app.command("train")
def train_command(
    data: Annotated[
        Path, typer.Option("--data", help="Training split: folders sroie/ and funsd/ of documents with truth.")
    ] = DEFAULT_DATA,
    out: Annotated[
        Path | None, typer.Option("--out", help="Where the model goes (default DOCAI_HOME/models/learned).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed: the same seed and data give the same model.")] = 0,
    ocr_cache: Annotated[
        list[Path] | None, typer.Option("--ocr-cache", help="Folders of cached OCR words to read before OCRing.")
    ] = None,
    version: Annotated[
        str | None, typer.Option("--version", help="Model version (default: a hash of data and seed).")
    ] = None,
    invoices: Annotated[
        int,
        typer.Option(
            "--invoices",
            min=0,
            help="Generated invoices (docai.synth) to calibrate the invoice rules' confidences on and to fit the "
            "invoice chooser on (it decides the fields model/learned/apply.py switches on). 0: none.",
        ),
    ] = 0,
    scan_every: Annotated[
        int,
        typer.Option(
            "--scan-every",
            min=0,
            help="With --invoices: every K-th generated invoice is also rendered as a scan (noise, skew) and OCR'd, "
            "so the chooser and its confidence also learn from OCR'd pages (about 5 s of OCR each; on 40 held-out "
            "scans it did not read better, so the shipped model is fitted without). 0: none.",
        ),
    ] = 0,
    receipts: Annotated[
        int,
        typer.Option(
            "--receipts",
            min=0,
            help="Generated receipts (docai.synth.receipts) to calibrate the receipt rules' confidences on; the "
            "receipt chooser is not fitted on them (it learns from real receipts). 0: none.",
        ),
    ] = 0,
    approved: Annotated[
        bool,
        typer.Option(
            "--approved/--no-approved",
            help="Also fit on the documents approved in this deployment's database (their corrections as truth).",
        ),
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest's figures as JSON.")] = False,
    pack_words: Annotated[
        Path | None,
        typer.Option(
            "--pack-words",
            help="Also write the words read from the training split to this file (gzipped JSON), as the package "
            "ships them in model/learned/train_words.json.gz so a first refit need not OCR the split.",
        ),
    ] = None,
) -> None:
    """Fit the learned chooser (LightGBM per field, isotonic calibration out of fold) and write it where engines read it."""
    from docai.errors import DocaiError
    from docai.eval.training import train_examples
    from docai.settings import get_settings
    from model.learned.fit import train_all

    settings = get_settings()
    target = out or settings.home / "models" / "learned"
    started = time.perf_counter()
    say = (lambda _m: None) if as_json else (lambda m: typer.echo(m, err=True))
    try:
        examples = train_examples(data, ocr_cache or [], settings.home / "cache" / "ocr")
    except (FileNotFoundError, DocaiError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from err
    if pack_words is not None:
        from docai.eval.training import write_pack

        say(
            f"{write_pack(data, pack_words, ocr_cache or [], settings.home / 'cache' / 'ocr')} files' words written to {pack_words}"
        )
    if not examples and not invoices:
        typer.echo(f"error: no labelled documents under {data}/sroie or {data}/funsd.", err=True)
        raise typer.Exit(2)
    n_approved = 0
    if approved:
        from sqlalchemy.exc import SQLAlchemyError

        from docai.eval.training import approved_examples

        try:
            reviewed = approved_examples(settings.resolved_database_url)
        except SQLAlchemyError as err:  # no database yet (nothing processed here): nothing approved
            say(f"no approved documents read ({type(err).__name__}); fitting on the training split only")
            reviewed = []
        n_approved = len(reviewed)
        examples += reviewed
    if invoices:
        from docai.synth.training import invoice_examples

        examples += invoice_examples(invoices, seed=seed, scan_every=scan_every)  # exact labels: seed 0 unless asked
    say(
        f"{len(examples)} training documents ({n_approved} approved here) read in {time.perf_counter() - started:.1f} s"
    )
    # the rules' maps first, written beside the chooser, so the version names them too
    rules: dict[str, Any] = {}
    if invoices:
        from model.layout.invoice import extract_invoice
        from model.layout.lines import build_lines
        from model.learned.rule_calibration import fit_rule_calibration, write

        calibration = fit_rule_calibration("invoice", examples, extract_invoice, build_lines, match_rows)
        rules[write(target, calibration).name] = {f"invoice.rules.{k}": v for k, v in calibration["fields"].items()}
    if receipts:
        started_receipts = time.perf_counter()
        name, fields = _receipt_rules(receipts, seed, target)
        rules[name] = {f"receipt.rules.{k}": v for k, v in fields.items()}
        say(
            f"receipt rules calibrated on {receipts} generated receipts in {time.perf_counter() - started_receipts:.1f} s"
        )
    manifest = train_all(examples, target, seed=seed, version=version, log=say, digest_files=sorted(rules))
    figures = {k: v["figures"] for k, v in manifest["fields"].items()}
    figures.update({k: v["figures"] for fields in rules.values() for k, v in fields.items()})
    report = {
        "approved": n_approved,
        "out": str(target),
        "version": manifest["version"],
        "documents": len(examples),
        "figures": figures,
        "seconds": round(time.perf_counter() - started, 1),
    }
    if as_json:
        typer.echo(json.dumps(report, indent=1))
    else:
        typer.echo(f"model {manifest['version']} written to {target} in {report['seconds']} s")


# Every k-th generated receipt also as a scan (OCR) for the item rows' maps: real receipts are scans, and their rows
# are right less often than a born-digital page's (generated, seed 29: 91% of the rows read from scans, all from PDFs).
RECEIPT_ROW_SCANS = 5


def match_rows(expected: list[dict], got: list[dict]) -> list[tuple[int, int]]:
    """Read rows matched to true ones as `docai eval` matches them (description and amount): line items' calibration."""
    from docai.eval.items import plain_rows, score_items

    return score_items(plain_rows(expected), got).pairs


def _receipt_rules(count: int, seed: int, target: Path) -> tuple[str, dict]:
    """Calibrate the receipt rules on generated receipts, kept apart from the chooser's (real) examples."""
    from docai.synth.training import receipt_examples
    from model.layout.lines import build_lines
    from model.layout.receipt import extract_receipt
    from model.learned.rule_calibration import fit_rule_calibration, write

    both = receipt_examples(count, seed=seed, scan_every=RECEIPT_ROW_SCANS)
    digital = [ex for ex in both if not ex.name.endswith("-scan")]
    calibration = fit_rule_calibration("receipt", digital, extract_receipt, build_lines, match_rows, row_examples=both)
    return write(target, calibration).name, calibration["fields"]
