"""`docai api|worker|watch|ui|up|reconcile`: the service processes, alone or all together on one machine."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from docai.cli.app import app
from docai.cli.startup import Console, up_summary

REPO = Path(__file__).resolve().parents[2]
PortOption = Annotated[int | None, typer.Option("--port", "-p", help="Port (default from settings).")]


@app.command("api")
def api(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default DOCAI_API_HOST).")] = None,
    port: PortOption = None,
    reconcile: Annotated[bool, typer.Option(help="Run the reconciler in this process.")] = True,
) -> None:
    """Serve the REST API (OpenAPI at /docs)."""
    import uvicorn

    from docai.api import create_app
    from docai.settings import get_settings

    settings = get_settings()
    uvicorn.run(
        create_app(settings, reconcile=reconcile),
        host=host or settings.api_host,
        port=port or settings.api_port,
        log_level="info",
        timeout_graceful_shutdown=10,
    )


def worker_argv(queues: str, concurrency: int, name: str, loglevel: str = "info", memory_mb: int = 0) -> list[str]:
    """Arguments after `celery -A workers.app` that start one worker.

    memory_mb: the memory cap of a cpu worker's pool process (workers.tasks.cap_memory); one grown past three
    quarters of it is replaced after its task. A gpu worker holds a model and is left alone.
    """
    recycle = ["--max-memory-per-child", str(memory_mb * 768)] if memory_mb > 0 and "gpu" not in queues else []
    return [
        "worker",
        *recycle,
        "--queues",
        queues,
        "--concurrency",
        str(concurrency),
        "--hostname",
        f"{name}@{socket.gethostname()}",
        "--loglevel",
        loglevel,
        "--without-gossip",
        "--without-mingle",
        "--prefetch-multiplier",
        "1",
    ]


@app.command("worker")
def worker(
    queues: Annotated[
        str, typer.Option("--queues", "-Q", help="Any of cpu, gpu and webhooks, comma-separated.")
    ] = "cpu,gpu,webhooks",
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency", "-c", help="Processes (default: 1 for gpu, 2 for webhooks, the CPU count for cpu)."
        ),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Worker name (default: the queues and the pid).")] = None,
    loglevel: Annotated[str, typer.Option(help="debug, info, warning.")] = "info",
) -> None:
    """Run a Celery worker on the queues (the engine loads once per worker process)."""
    from docai.service.transport import QUEUES

    wanted = [q.strip() for q in queues.split(",") if q.strip()]
    if not wanted or any(q not in QUEUES for q in wanted):
        raise typer.BadParameter(f"queues are any of {', '.join(QUEUES)}, comma-separated", param_hint="--queues")
    count = concurrency or {"gpu": 1, "webhooks": 2}.get(",".join(wanted)) or max(1, os.cpu_count() or 1)
    from docai.settings import get_settings

    memory = get_settings().worker_memory_mb
    argv = worker_argv(",".join(wanted), count, name or f"{'-'.join(wanted)}-{os.getpid()}", loglevel, memory)
    # The worker app (workers.app) sits above docai: run it as `celery -A workers.app`, in this process.
    os.execv(sys.executable, [sys.executable, "-m", "celery", "-A", "workers.app", *argv])


@app.command("watch")
def watch(
    folder: Annotated[Path, typer.Argument(help="Folder to watch; files move to done/ or failed/ inside it.")],
    schema: Annotated[str, typer.Option("--schema", "-s", help="Schema for every file (default auto).")] = "auto",
) -> None:
    """Take every complete file dropped into FOLDER, queue it, and move it to done/ or failed/."""
    from docai.service.watcher import Watcher
    from docai.settings import get_settings

    Watcher(folder, get_settings(), schema=schema).run()


def ui_entry() -> Path:
    """ui/app.py beside the package (a checkout) or in the working directory (the Docker image)."""
    for candidate in (REPO / "ui" / "app.py", Path.cwd() / "ui" / "app.py"):
        if candidate.is_file():
            return candidate
    raise typer.BadParameter(f"ui/app.py not found in {REPO} or {Path.cwd()}; run from the docai checkout")


def ui_argv(port: int, host: str = "127.0.0.1") -> list[str]:
    """`streamlit run ui/app.py` on host:port (an address other than loopback makes the UI ask for a login),
    with the server's upload limit and without Streamlit's Deploy toolbar."""
    from docai.settings import get_settings

    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ui_entry()),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--browser.gatherUsageStats",
        "false",
        "--server.maxUploadSize",
        str(get_settings().max_upload_mb),
        "--client.toolbarMode",
        "minimal",
    ]


@app.command("ui")
def ui(
    port: PortOption = None,
    host: Annotated[
        str | None,
        typer.Option(help="Address to listen on (default DOCAI_UI_HOST, 127.0.0.1); others ask for a login."),
    ] = None,
) -> None:
    """Serve the Streamlit review UI against DOCAI_API_URL."""
    from docai.settings import get_settings

    settings = get_settings()
    host = host or settings.ui_host
    # the UI process reads DOCAI_UI_HOST to know whether to ask for a login: give it the address it listens on
    env = {**os.environ, "DOCAI_UI_HOST": host}
    raise typer.Exit(subprocess.call(ui_argv(port or settings.ui_port, host), env=env))


@app.command("reconcile")
def reconcile(
    after: Annotated[
        float | None, typer.Option(help="Seconds a job may sit unseen (default DOCAI_RECONCILE_AFTER).")
    ] = None,
) -> None:
    """Re-send jobs the broker lost (one pass) and print how many."""
    from docai.service.reconcile import reconcile as run
    from docai.settings import get_settings
    from docai.store.db.migrate import ensure_database
    from docai.store.db.session import session_factory

    settings = get_settings()
    ensure_database(settings.resolved_database_url)
    with session_factory(settings.resolved_database_url)() as session:
        report = run(session, settings, after)
    typer.echo(f"re-sent {report.resent} jobs ({report.orphans} documents had none)")


@app.command("up")
def up(
    port: PortOption = None,
    ui_port: Annotated[int | None, typer.Option(help="UI port (default DOCAI_UI_PORT).")] = None,
    watch_dir: Annotated[Path | None, typer.Option(help="Watched folder (default DOCAI_HOME/inbox).")] = None,
    no_ui: Annotated[bool, typer.Option("--no-ui", help="Do not start the UI.")] = False,
) -> None:
    """Run API, workers, watcher and UI on this machine (SQLite and an embedded broker by default)."""
    from docai.service.auth import client_api_key
    from docai.settings import get_settings
    from docai.store.db.migrate import ensure_database

    settings = get_settings()
    ensure_database(settings.resolved_database_url)
    key = client_api_key(settings)
    api_port = port or settings.api_port
    inbox = (watch_dir or settings.watch_dir or settings.home / "inbox").resolve()
    inbox.mkdir(parents=True, exist_ok=True)
    api_url = f"http://127.0.0.1:{api_port}"
    env = {
        **os.environ,
        "DOCAI_HOME": str(settings.home.resolve()),
        "DOCAI_API_URL": api_url,
        "DOCAI_API_PORT": str(api_port),
        "DOCAI_API_KEYS": ",".join(settings.api_keys or [key]),
        "DOCAI_UI_API_KEY": key,
    }
    docai = [sys.executable, "-m", "docai"]
    cpus = max(1, os.cpu_count() or 1)
    celery = [sys.executable, "-m", "celery", "-A", "workers.app"]
    children = {
        "api": docai + ["api", "--host", "127.0.0.1", "--port", str(api_port)],
        "cpu-worker": celery + worker_argv("cpu", cpus, "cpu", "warning", settings.worker_memory_mb),
        "gpu-worker": celery + worker_argv("gpu", 1, "gpu", "warning"),
        # webhooks wait on other people's servers: their own small pool, never a cpu or gpu slot
        "webhook-worker": celery + worker_argv("webhooks", 2, "webhooks", "warning"),
        "watcher": docai + ["watch", str(inbox)],
    }
    if not no_ui:
        children["ui"] = ui_argv(ui_port or settings.ui_port, settings.ui_host)
    ui_url = None if no_ui else f"http://127.0.0.1:{ui_port or settings.ui_port}"
    # The children's output is relayed; the summary, with the engine and the API key, comes after the banners
    # of the workers and the UI.
    console = Console(api_url, [name for name in children if name.endswith("worker") or name == "ui"])
    summary = up_summary(settings, key, f"{api_url}/docs", ui_url, inbox)
    raise typer.Exit(Supervisor(children, env, console, summary).run(settings.broker_folder / "processed"))


@dataclass
class _Child:
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    quick_crashes: int = 0  # crashes in a row, each soon after its start
    restart_at: float | None = None


class Supervisor:
    """Runs the children; one that dies is started again (after a growing pause), the others go on.

    A child that crashes GIVE_UP times in a row within STARTUP_SECONDS of starting (a port in use,
    a broken configuration) stops everything with exit code 1, rather than retrying for ever in silence.
    """

    BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0)
    STARTUP_SECONDS = 10.0
    GIVE_UP = 5

    def __init__(
        self,
        children: dict[str, list[str]],
        env: dict[str, str],
        console: Console | None = None,
        summary: str = "",
    ):
        self.children = {name: _Child(argv) for name, argv in children.items()}
        self.env = env
        self.console, self.summary = console, summary
        self.stopping = False

    def _start(self, name: str, child: _Child) -> None:
        if self.console is not None:
            child.process = self.console.popen(name, child.argv, self.env, REPO)
        else:
            child.process = subprocess.Popen(child.argv, env=self.env, cwd=REPO)
        child.started, child.restart_at = time.monotonic(), None

    def _check(self, name: str, child: _Child, now: float) -> bool:
        """Restart a dead child when due; False when it keeps dying at start and the stack must stop."""
        if child.restart_at is not None:
            if now >= child.restart_at:
                typer.echo(f"restarting {name}", err=True)
                self._start(name, child)
            return True
        code = child.process.poll() if child.process else None
        if code is None:
            return True
        quick = now - child.started < self.STARTUP_SECONDS
        child.quick_crashes = child.quick_crashes + 1 if quick else 0
        if child.quick_crashes >= self.GIVE_UP:
            typer.echo(
                f"{name} exited {child.quick_crashes} times right after starting (code {code}); stopping", err=True
            )
            return False
        pause = self.BACKOFF[min(child.quick_crashes, len(self.BACKOFF) - 1)]
        typer.echo(f"{name} exited with code {code}; restarting it in {pause:.0f}s", err=True)
        child.restart_at = now + pause
        return True

    def run(self, processed: Path) -> int:
        """Until Ctrl-C or SIGTERM (exit 0), or a child that cannot start (exit 1); then stop them all."""

        def _stop(*_: object) -> None:
            self.stopping = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        code, last_prune = 0, 0.0
        try:
            for name, child in self.children.items():
                self._start(name, child)
            while not self.stopping:
                now = time.monotonic()
                if not all(self._check(name, child, now) for name, child in self.children.items()):
                    code = 1
                    break
                if self.console is not None:
                    self.console.announce_when_started(self.summary)
                if now - last_prune > 60:
                    _prune(processed)
                    last_prune = now
                time.sleep(0.5)
        finally:
            self.stop()
        return code

    def stop(self) -> None:
        running = [c.process for c in self.children.values() if c.process is not None and c.process.poll() is None]
        for p in running:
            p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for p in running:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()


def _prune(processed: Path, older_than: float = 3600) -> None:
    """The embedded broker keeps taken messages; drop those older than an hour."""
    if not processed.is_dir():
        return
    cutoff = time.time() - older_than
    for path in processed.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            continue
