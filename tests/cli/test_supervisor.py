"""`docai up`'s supervisor with real child processes: one that dies right after every start stops everything
with exit code 1 (a restart that keeps the others running is tested through `docai up` in tests/workers)."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest


@pytest.fixture
def supervisor_class(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from docai.cli.serve import Supervisor

    monkeypatch.setattr(Supervisor, "BACKOFF", (0.1, 0.1, 0.1, 0.1, 0.1))
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    yield Supervisor
    signal.signal(signal.SIGINT, handlers[0])  # run() installs its own Ctrl-C handling
    signal.signal(signal.SIGTERM, handlers[1])


def test_a_child_that_cannot_start_stops_the_stack_and_the_others_are_stopped(supervisor_class, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "starts"
    crash = f"open({str(marker)!r}, 'a').write('x'); raise SystemExit(3)"
    children = {"bad": [sys.executable, "-c", crash], "good": [sys.executable, "-c", "import time; time.sleep(120)"]}
    supervisor = supervisor_class(children, env={})
    assert supervisor.run(tmp_path) == 1
    assert marker.read_text() == "x" * supervisor_class.GIVE_UP  # started again after each crash, then given up
    good = supervisor.children["good"].process
    assert good is not None and good.poll() is not None  # the healthy child was stopped too, not left behind
