"""`docai model pull [1.3b|7b|vl2-tiny|vl2-small|vl2]`, `docai model info`, `docai model check`: weights never
downloaded implicitly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from docai.cli.app import app
from model.check import DEFAULT_QUESTION

model_app = typer.Typer(help="Manage the DeepSeek-VL and DeepSeek-VL2 weights.", no_args_is_help=True)
app.add_typer(model_app, name="model")


def _spec(size: str):
    """The DeepSeek-VL or DeepSeek-VL2 spec for a pull size."""
    from model.deepseek.specs import get_spec
    from model.deepseek_vl2.specs import SPECS as VL2_SPECS

    return VL2_SPECS[size] if size in VL2_SPECS else get_spec(size)


def pull_sizes() -> list[str]:
    from model.deepseek.specs import SPECS
    from model.deepseek_vl2.specs import SPECS as VL2_SPECS

    return [*SPECS, *VL2_SPECS]


def pull_target(size: str) -> Path:
    """Where `docai model pull SIZE` writes: DOCAI_MODEL when set, else DOCAI_HOME/models/<repo name>."""
    from docai.settings import get_settings

    settings = get_settings()
    if settings.model:
        return Path(settings.model)
    return (settings.home / "models" / _spec(size).default_dir_name).resolve()


def pull_weights(size: str, target: Path, original: bool = False) -> tuple[str, str]:
    """Download one DeepSeek-VL(2) size into target with huggingface_hub; returns (repo id, revision)."""
    from huggingface_hub import HfApi, snapshot_download

    from docai.errors import DocaiError, ErrorCode
    from model.deepseek.loading import MANIFEST

    spec = _spec(size)
    # DeepSeek-VL2 ships only in the original deepseek-ai layout
    repo = getattr(spec, "original_repo_id", spec.repo_id) if original else spec.repo_id
    try:
        revision = HfApi().model_info(repo).sha or "main"
        snapshot_download(repo, revision=revision, local_dir=target)
    except Exception as err:  # offline, DNS, HTTP and disk errors all end the same way for the user
        raise DocaiError(
            ErrorCode.ENGINE_UNAVAILABLE,
            f"Could not download {repo} into {target}: {err.__class__.__name__}: {err}. This needs internet access "
            f"to huggingface.co; on an offline machine copy the weights folder there (or point DOCAI_MODEL at it).",
        ) from err
    (target / MANIFEST).write_text(json.dumps({"repo_id": repo, "revision": revision, "size": size}, indent=2))
    return repo, revision


@model_app.command("pull")
def pull(
    size: Annotated[str, typer.Argument(help="1.3b or 7b (DeepSeek-VL); vl2-tiny, vl2-small or vl2.")] = "1.3b",
    original: Annotated[bool, typer.Option(help="Fetch the original deepseek-ai layout instead.")] = False,
) -> None:
    """Download weights into DOCAI_MODEL (default DOCAI_HOME/models/<repo name>, e.g. deepseek-vl2-tiny)."""
    from docai.errors import DocaiError

    if size not in pull_sizes():
        raise typer.BadParameter(f"choose one of {', '.join(pull_sizes())}", param_hint="SIZE")
    target = pull_target(size)
    typer.echo(f"downloading {_spec(size).repo_id} into {target} ...", err=True)
    try:
        repo, revision = pull_weights(size, target, original)
    except DocaiError as err:
        typer.echo(f"error: {err.message}", err=True)
        raise typer.Exit(1) from err
    typer.echo(f"done: {repo} @ {revision} in {target}")


@model_app.command("info")
def info(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Show which weights are on disk and which engine `auto` would pick."""
    from docai.settings import get_settings
    from model.base import EngineOptions, resolve_engine_name
    from model.deepseek.loading import MANIFEST
    from model.weights import weights_status

    settings = get_settings()
    status = weights_status(settings.model_path)
    options = EngineOptions(model_path=settings.model_path, device=settings.device)
    auto, reason = resolve_engine_name("auto", options)
    manifest = settings.model_path / MANIFEST
    pulled = json.loads(manifest.read_text()) if manifest.is_file() else None
    out = {
        "model_path": str(status.path),
        "complete": status.complete,
        "problem": status.problem,
        "family": status.family,
        "pulled": pulled,
        "configured_engine": settings.engine,
        "auto_engine": auto,
        "auto_reason": reason,
    }
    if as_json:
        typer.echo(json.dumps(out, indent=2))
        return
    typer.echo(f"model path:  {out['model_path']}")
    typer.echo(f"weights:     {'complete' if status.complete else 'not usable: ' + str(status.problem)}")
    if status.family:
        typer.echo(f"family:      {status.family}")
    if pulled:
        typer.echo(f"pulled:      {pulled.get('repo_id')} @ {pulled.get('revision')}")
    typer.echo(f"DOCAI_ENGINE={settings.engine}; auto picks '{auto}' ({reason})")


@model_app.command("check")
def check(
    image: Annotated[Path, typer.Option("--image", help="Image file to ask about, given to the model as it is.")],
    folder: Annotated[Path | None, typer.Argument(help="Weights folder (default DOCAI_MODEL).")] = None,
    question: Annotated[str, typer.Option(help="What to ask about the image.")] = DEFAULT_QUESTION,
    max_new_tokens: Annotated[int, typer.Option(help="Greedy tokens to generate (no grammar).")] = 16,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Load a weights folder the way the engine does and greedy-decode an answer about one image."""
    from docai.errors import DocaiError
    from docai.settings import get_settings
    from model.check import run_check

    settings = get_settings()
    path = folder if folder is not None else settings.model_path
    try:
        result = run_check(path, image, question, max_new_tokens, settings.device)
    except DocaiError as err:
        typer.echo(f"error: {err.message}", err=True)
        raise typer.Exit(1) from err
    if as_json:
        typer.echo(result.to_json())
        return
    typer.echo(f"model:   {result.family} {result.variant} ({result.layout} layout) at {result.path}")
    typer.echo(
        f"runs on: {result.device}, {result.dtype}; {result.prompt_tokens} prompt tokens "
        f"({result.image_tokens} for the image); {result.seconds} s"
    )
    typer.echo(f"answer:  {result.text!r} ({len(result.token_ids)} tokens)")
