"""The production shape on loopback, and the load run.

``start_stack`` starts gunicorn (with the project's ``gunicorn.conf.py`` when the repository has one, else
``--workers 2×nproc --worker-class sync``), a real Celery worker and, for the soak, beat, all against the bench's
database and Redis. ``load_run`` logs in as the poster, fetches the report form and lets ``wrk`` post it for a
bounded time; afterwards it waits (bounded) for the queue and the outbox to drain.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass

from bench.env import ROOT, BenchRedis, Child, Children, free_port
from bench.subjects import Subjects, report_form_data
from bench.volume_data import PASSWORD
from bench.web import csrf_from, login

VENV_BIN = ROOT / ".venv" / "bin"
GUNICORN_CONF = ROOT / "gunicorn.conf.py"
LOAD_TARGET = {"rps": 200.0, "p99_ms": 250.0}  # issue 17: ≥ 200 reports/s, p99 ≤ 250 ms, no errors

WRK_POST_LUA = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = {cookie}
wrk.headers["Referer"] = {referer}
"""


@dataclass
class Stack:
    base: str
    web: Child
    worker: Child
    beat: Child | None
    gunicorn: str  # how gunicorn was configured, for the results

    def children(self) -> list[Child]:
        return [c for c in (self.web, self.worker, self.beat) if c is not None]


def start_stack(args, env: dict, children: Children, *, beat: bool) -> Stack:
    """gunicorn + a Celery worker (+ beat), waiting until each is up (bounded); SystemExit when one is not."""
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    argv = [str(VENV_BIN / "gunicorn"), "masportal.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    if GUNICORN_CONF.exists():
        argv += ["--config", str(GUNICORN_CONF)]
        argv += ["--workers", str(args.workers)] if args.workers else []
        described = f"gunicorn.conf.py{f', --workers {args.workers}' if args.workers else ''}"
    else:
        workers = args.workers or (os.cpu_count() or 1) * 2
        argv += ["--workers", str(workers), "--worker-class", "sync", "--timeout", "30", "--log-level", "warning"]
        described = f"{workers} sync workers"
    child_env = {**os.environ, **env}
    web = children.start("gunicorn", argv, env=child_env)
    worker_name = f"bench{os.getpid()}@{socket.gethostname()}"
    worker = children.start(
        "worker",
        [
            str(VENV_BIN / "celery"),
            "-A",
            "masportal",
            "worker",
            "-l",
            "warning",
            "--concurrency",
            str(args.worker_concurrency),
            "-n",
            worker_name,
        ],
        env=child_env,
    )
    stack = Stack(base=base, web=web, worker=worker, beat=None, gunicorn=described)
    if beat:
        stack.beat = children.start(
            "beat",
            [
                str(VENV_BIN / "celery"),
                "-A",
                "masportal",
                "beat",
                "-l",
                "warning",
                "--schedule",
                str(children.log_dir / "beat-schedule"),
                "--pidfile",
                str(children.log_dir / "beat.pid"),
            ],
            env=child_env,
        )
    _wait(lambda: _get(f"{base}/livez") == 200, 60, "gunicorn did not answer /livez", children, web)
    _wait(lambda: _pings(worker_name), 60, "the Celery worker did not answer a ping", children, worker)
    stack.gunicorn += f" ({len(_pids(web)) - 1} worker processes; {_connections()})"
    return stack


def _connections() -> str:
    """How the web processes hold database connections (the settings they run with, from the same environment)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    pool = " with psycopg's pool" if (db.get("OPTIONS") or {}).get("pool") else ""
    return f"CONN_MAX_AGE {db.get('CONN_MAX_AGE', 0)}{pool}"


def _pids(child: Child) -> list[int]:
    from bench.env import descendants

    return descendants(child.proc.pid)


def _get(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - loopback
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except Exception:  # noqa: BLE001 - not up yet
        return None


def _pings(name: str) -> bool:
    from masportal.celery import app

    try:
        return bool(app.control.ping(destination=[name], timeout=1))
    except Exception:  # noqa: BLE001 - broker or worker not ready
        return False


def _wait(ready, seconds: float, problem: str, children: Children, child: Child) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline or child.proc.poll() is not None:
            raise SystemExit(f"{problem}:\n{children.tail(child)}")
        time.sleep(0.3)


PROBLEM = re.compile(r"ERROR|CRITICAL|Traceback|Error:")
EXPECTED = re.compile(r"Service Unavailable: /healthz")  # the bench asking while worker and beat start


def stop_stack(stack: Stack, children: Children) -> None:
    """Stop web, worker and beat; print the errors they logged (the last ten of each)."""
    for child in reversed(stack.children()):
        children.stop(child)
        try:
            lines = child.log.read_text(errors="replace").splitlines()
        except OSError:
            continue
        problems = [line for line in lines if PROBLEM.search(line) and not EXPECTED.search(line)]
        if problems:
            children.keep_logs = True
            print(f"{child.name}: {len(problems)} error lines in {child.log}, the last ones:")
            print("\n".join(f"  {line[:300]}" for line in problems[-10:]))


def ensure_wrk() -> str | None:
    found = shutil.which("wrk")
    if found is None:
        print("wrk is missing: install it with `sudo apt-get install -y wrk` (Debian/Ubuntu) and rerun.")
    return found


def run_wrk(wrk: str, *, script: str, url: str, connections: int, seconds: int, threads: int = 2) -> str:
    """One bounded wrk run (killed with the bench on Ctrl-C: subprocess.run kills its child on any exception)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    try:
        return subprocess.run(  # noqa: S603 - wrk from PATH, arguments ours
            [
                wrk,
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "--timeout",
                "10s",
                "-s",
                lua.name,
                url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
        ).stdout
    finally:
        os.unlink(lua.name)


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(out: str) -> dict:
    """Throughput, p50/p99 (ms), requests and errors (non-2xx/3xx and socket errors) from wrk's --latency output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s|m)\b", out, re.M)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\b", out, re.M)
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    unexpected = re.search(r"^UNEXPECTED (\d+)$", out, re.M)  # the soak's script: a status its request did not expect
    return {
        "status": "ok" if rps else "wrk output not understood",
        "rps": float(rps.group(1)) if rps else None,
        "p50_ms": _ms(*p50.groups()) if p50 else None,
        "p99_ms": _ms(*p99.groups()) if p99 else None,
        "requests": int(total.group(1)) if total else 0,
        # Unexpected statuses include wrk's non-2xx/3xx ones; socket errors are on top.
        "errors": (int(unexpected.group(1)) if unexpected else int(non2xx.group(1)) if non2xx else 0)
        + (sum(int(x) for x in sock.groups()) if sock else 0),
        "statuses": {int(k): int(v) for k, v in re.findall(r"^STATUS (\d+) (\d+)$", out, re.M)},
        "checked": unexpected is not None,
    }


def outbox_pending() -> int:
    """E-mails in the outbox not yet sent (pending or being sent)."""
    from core.models import Notification

    waiting = (Notification.EmailStatus.PENDING, Notification.EmailStatus.SENDING)
    return Notification.objects.filter(email_status__in=waiting).count()


def wait_drained(redis: BenchRedis, *, seconds: float) -> dict:
    """Wait (at most ``seconds``) until Celery's queue and the outbox are empty; their lengths at the end."""
    started = time.monotonic()
    while True:
        queue, outbox = redis.queue_length(), outbox_pending()
        waited = time.monotonic() - started
        if (queue == 0 and outbox == 0) or waited >= seconds:
            return {"queue": queue, "outbox": outbox, "drained": queue == 0 and outbox == 0, "waited_s": waited}
        time.sleep(1)


def login_poster(base: str, s: Subjects):
    """The poster's session, the report form's path and a filled-in body (with the session's CSRF token)."""
    from django.urls import reverse

    session = login(base, username=s.poster.username, password=PASSWORD)
    create = reverse("incidents:deviation_create")
    _status, html = session.request(create)
    return session, create, {**report_form_data(html, s), "csrfmiddlewaretoken": csrf_from(html)}


def load_run(args, env: dict, s: Subjects, children: Children, redis: BenchRedis) -> dict:
    """gunicorn + worker + wrk posting the report form on loopback, bounded in time."""
    from incidents.models import Deviation

    wrk = ensure_wrk()
    if wrk is None:
        return {"status": "not available (wrk missing)"}
    stack = start_stack(args, env, children, beat=False)
    try:
        session, create, body = login_poster(stack.base, s)
        status, _html = session.request(create, body)
        if status not in (302, 303):
            return {"status": f"report POST over HTTP failed (HTTP {status})"}
        cookie = f"csrftoken={session.cookie('csrftoken')}; sessionid={session.cookie('sessionid')}"
        script = WRK_POST_LUA.format(
            body=json.dumps(urllib.parse.urlencode(body)),
            cookie=json.dumps(cookie),
            referer=json.dumps(stack.base + create),
        )
        before = Deviation.objects.filter(reporter=s.poster).count()
        print(
            f"Load run: wrk -t2 -c{args.connections} -d{args.load_seconds}s POST {create} "
            f"(gunicorn {stack.gunicorn}, Celery worker --concurrency {args.worker_concurrency}) …",
            flush=True,
        )
        out = run_wrk(
            wrk, script=script, url=stack.base + create, connections=args.connections, seconds=args.load_seconds
        )
        created = Deviation.objects.filter(reporter=s.poster).count() - before
        drained = wait_drained(redis, seconds=args.drain_seconds)
        return {
            **parse_wrk(out),
            **drained,
            "rows_created": created,
            "gunicorn": stack.gunicorn,
            "connections": args.connections,
            "seconds": args.load_seconds,
            "raw": out.strip(),
        }
    finally:
        stop_stack(stack, children)
