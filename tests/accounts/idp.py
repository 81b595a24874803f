"""Start the tests' real identity providers as their own processes on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "idp"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(script: str, config: dict, tmp_path: Path):
    """Run ``tests/idp/<script>`` with ``config`` until it prints "ready"; stop it afterwards."""
    log = tmp_path / f"{script}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own IdP script, started by the test
            [sys.executable, str(HERE / script), json.dumps(config)],
            stdout=subprocess.PIPE,
            stderr=out,
            text=True,
        )
        try:
            line = proc.stdout.readline()
            if line.strip() != "ready":
                raise RuntimeError(f"{script} did not start: {log.read_text()}")
            yield proc
        finally:
            proc.terminate()
            proc.wait(timeout=10)
