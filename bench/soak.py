"""The soak run (``--soak SECONDS``): a mixed load of the main pages and report POSTs against gunicorn, a real
Celery worker and beat on the bench's database and Redis, minute by minute.

Each minute is one bounded ``wrk`` run over a fixed cycle of requests (``--soak-rate`` spaces them out; 0 sends
as fast as the stack answers); after it the bench records requests, errors, p50/p99, the resident memory (VmRSS)
of the web processes (gunicorn master and workers), the Celery worker (with its pool) and beat, and the queue and
outbox lengths. At the end it waits, bounded by ``--drain-seconds``, for the queue and the outbox to drain.
"""

from __future__ import annotations

import json
import math
import time
import urllib.parse

from bench.env import BenchRedis, Children, descendants, rss_mib
from bench.load import ensure_wrk, login_poster, outbox_pending, parse_wrk, run_wrk, start_stack, stop_stack
from bench.subjects import Subjects, first_url
from bench.volume_data import PASSWORD
from bench.web import login

# One connection per thread, so each thread's responses come back in the order of its requests: a response whose
# status is not the one its request expects (a page answering 302 to the login, a POST answering 200 with form
# errors) counts as an error, which wrk itself (counting only 4xx/5xx) would not see.
SOAK_LUA = """
local requests = {requests}
local formatted = {{}}
local i = 0
local delay_ms = {delay_ms}
statuses = {{}}
unexpected = 0
local threads = {{}}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  for k, r in ipairs(requests) do
    formatted[k] = wrk.format(r[1], r[2], r[3], r[4])
  end
  i = (id * 5) % #formatted
end

function request()
  i = i % #formatted + 1
  return formatted[i]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= requests[i][5] then
    unexpected = unexpected + 1
  end
end

if delay_ms > 0 then
  function delay()
    return delay_ms
  end
end

function done(summary, latency, reqs)
  local total, wrong = {{}}, 0
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do
      total[k] = (total[k] or 0) + v
    end
    wrong = wrong + t:get("unexpected")
  end
  for k, v in pairs(total) do
    io.write(string.format("STATUS %d %d\\n", k, v))
  end
  io.write(string.format("UNEXPECTED %d\\n", wrong))
end
"""


def _lua(value) -> str:
    """A Lua literal for ASCII strings, integers, tables of them and nil."""
    if value is None:
        return "nil"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if not value.isascii():
            raise ValueError(f"not ASCII, wrk's Lua would misread it: {value[:40]!r}")
        return json.dumps(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{json.dumps(k)}] = {_lua(v)}" for k, v in value.items()) + "}"
    return "{" + ", ".join(_lua(v) for v in value) + "}"


def soak_requests(base: str, s: Subjects) -> tuple[list[tuple[str, str, dict, str | None, int]], list[str]]:
    """The cycle of requests (method, path, headers, body, expected status) and their names: two POSTs per twelve."""
    poster, create, body = login_poster(base, s)
    sessions = {
        "mas": login(base, username=s.mas.username, password=PASSWORD),
        "official": login(base, username=s.official.username, password=PASSWORD),
        "manager": login(base, username=s.unit_manager.username, password=PASSWORD),
    }

    def headers(session, **extra) -> dict:
        cookie = f"csrftoken={session.cookie('csrftoken')}; sessionid={session.cookie('sessionid')}"
        return {"Cookie": cookie, **extra}

    post = (
        "POST",
        create,
        headers(poster, **{"Content-Type": "application/x-www-form-urlencoded", "Referer": base + create}),
        urllib.parse.urlencode(body),
        302,
    )
    pages = [
        ("report form", "poster", first_url([("incidents:deviation_create", [], "")])),
        ("MAS start page", "mas", first_url([("home", [], "")])),
        ("MAS assessment queue", "mas", first_url([("incidents:assessment_queue", [], "")])),
        ("MAS deviation list", "mas", first_url([("incidents:deviation_list", [], "")])),
        ("search", "mas", first_url([("search", [], "q=f%C3%B6ll")])),
        ("board official start page", "official", first_url([("home", [], "")])),
        ("Lex Maria queue", "official", first_url([("incidents:lex_maria_queue", [], "")])),
        ("enhetschef queue", "manager", first_url([("incidents:deviation_list", [], "")])),
        ("deviation page", "manager", first_url([("incidents:deviation_detail", [s.deviation.pk], "")])),
        ("matrix", "mas", first_url([("responsibility:matrix", [], f"board={s.board.pk}")])),
    ]
    requests, names = [post], ["report POST"]
    for n, (name, who, path) in enumerate(pages):
        if path is None:
            continue
        session = poster if who == "poster" else sessions[who]
        requests.append(("GET", path, headers(session), None, 200))
        names.append(name)
        if n == len(pages) // 2:
            requests.append(post)
            names.append("report POST")
    return requests, names


def memory(stack) -> dict:
    return {c.name: rss_mib(descendants(c.proc.pid)) for c in stack.children()}


def soak(args, env: dict, s: Subjects, children: Children, redis: BenchRedis) -> dict:
    """Run the soak for ``args.soak`` seconds; per-minute rows, memory growth and the drain at the end."""
    from bench.load import wait_drained
    from incidents.models import Deviation

    wrk = ensure_wrk()
    if wrk is None:
        return {"status": "not available (wrk missing)"}
    stack = start_stack(args, env, children, beat=True)
    try:
        health = _wait_healthy(stack.base, seconds=90)
        requests, names = soak_requests(stack.base, s)
        delay_ms = int(args.soak_connections * 1000 / args.soak_rate) if args.soak_rate else 0
        script = SOAK_LUA.format(requests=_lua([list(r) for r in requests]), delay_ms=delay_ms)
        minutes = math.ceil(args.soak / 60)
        print(
            f"Soak: {args.soak} s, wrk -t{args.soak_connections} -c{args.soak_connections}, "
            f"{'as fast as it answers' if not delay_ms else f'≈{args.soak_rate} requests/s'}, cycle of "
            f"{len(requests)} requests ({', '.join(names)}); gunicorn {stack.gunicorn}, worker, beat; /healthz {health}",
            flush=True,
        )
        rows, before = [], Deviation.objects.filter(reporter=s.poster).count()
        started = time.monotonic()
        for minute in range(1, minutes + 1):
            seconds = min(60, args.soak - 60 * (minute - 1))
            out = run_wrk(
                wrk,
                script=script,
                url=stack.base,
                connections=args.soak_connections,
                seconds=seconds,
                threads=args.soak_connections,
            )
            stats = parse_wrk(out)
            if not stats["checked"]:
                raise SystemExit(f"wrk's soak script did not report the statuses it saw:\n{out[-1500:]}")
            row = {
                "minute": minute,
                "seconds": seconds,
                **{k: stats[k] for k in ("requests", "rps", "errors", "p50_ms", "p99_ms", "statuses")},
                "rss": memory(stack),
                "queue": redis.queue_length(),
                "outbox": outbox_pending(),
            }
            rows.append(row)
            print(_progress(row), flush=True)
        load_seconds = time.monotonic() - started
        created = Deviation.objects.filter(reporter=s.poster).count() - before
        drain = wait_drained(redis, seconds=args.drain_seconds)
        return {
            "status": "ok",
            "rows": rows,
            "names": names,
            "health": health,
            "gunicorn": stack.gunicorn,
            "seconds": args.soak,
            "load_seconds": load_seconds,
            "rate": args.soak_rate,
            "connections": args.soak_connections,
            "rows_created": created,
            "growth": growth(rows),
            **drain,
        }
    finally:
        stop_stack(stack, children)


def _wait_healthy(base: str, *, seconds: float) -> str:
    """/healthz (database, broker, worker and beat heartbeats) until it says ok, at most ``seconds``."""
    import urllib.request

    deadline = time.monotonic() + seconds
    body = "no answer"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as resp:  # noqa: S310 - loopback
                return json.loads(resp.read()).get("status", "?")
        except urllib.error.HTTPError as exc:
            body = json.loads(exc.read() or b"{}").get("status", f"HTTP {exc.code}")
        except Exception as exc:  # noqa: BLE001
            body = type(exc).__name__
        time.sleep(2)
    return f"{body} after {seconds:.0f} s"


def growth(rows: list[dict]) -> dict:
    """Resident memory after the warm-up (the first tenth of the minutes, at least one) against the last minute."""
    if len(rows) < 2:
        return {}
    warm = rows[max(1, len(rows) // 10) - 1]["rss"]
    last = rows[-1]["rss"]
    return {name: (warm[name], last[name]) for name in last if name in warm}


def _progress(row: dict) -> str:
    rss = ", ".join(f"{k} {v:.0f} MiB" for k, v in row["rss"].items())
    p99 = f"{row['p99_ms']:.0f}" if row["p99_ms"] is not None else "–"
    return (
        f"  minute {row['minute']}: {row['requests']} requests, {row['errors']} errors, p99 {p99} ms; {rss}; "
        f"queue {row['queue']}, outbox {row['outbox']}" + (f"; statuses {row['statuses']}" if row["errors"] else "")
    )
