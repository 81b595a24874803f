"""Start the demo's development OpenID Connect provider (``devidp/oidc_op.py``) in the background.

    python devidp/start.py --port 8001 --portal http://127.0.0.1:8000 --dir var/dev-idp

``scripts/start`` runs this before the portal; the demo test runs it the same way. The IdP's users and
its client are in ``devidp/demo.json``; the client accepts the portal's callback for the demo provider
(``load_demo --dev-idp ISSUER`` configures it) on ``--portal``, as 127.0.0.1 and as localhost.

Once the IdP answers it prints its issuer URL (``http://127.0.0.1:PORT/o``) and exits 0; the IdP keeps
running, its process id in ``DIR/pid`` and its errors in ``DIR/idp.log``. When it cannot start (the port
is taken, django-oauth-toolkit is not installed, ``DJANGO_ENV=production``) it says why on stderr and
exits 1: the portal starts without it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
DEMO = HERE / "demo.json"


def config_for(*, port: int, portal: str, folder: Path) -> dict:
    """The OP's config: ``demo.json``'s client and users, redirect URIs on the portal's address."""
    demo = json.loads(DEMO.read_text(encoding="utf-8"))
    parts = urlsplit(portal)
    origins = {f"{parts.scheme}://{parts.netloc}"}
    if parts.hostname in ("127.0.0.1", "localhost"):
        origins |= {f"{parts.scheme}://{host}:{parts.port or 80}" for host in ("127.0.0.1", "localhost")}
    origins = sorted(origins)
    return {
        "port": port,
        "db": str(folder / "op.sqlite3"),
        "title": demo["title"],
        "hint": demo["hint"],
        "client_id": demo["client_id"],
        "client_secret": demo["client_secret"],
        "redirect_uris": [f"{o}/accounts/oidc/{demo['provider_id']}/login/callback/" for o in origins],
        "post_logout_redirect_uris": [f"{o}/login/" for o in origins],
        "users": demo["users"],
    }


def why_not(port: int) -> str:
    """Why the IdP cannot start here, or "" when it can."""
    if os.environ.get("DJANGO_ENV") == "production":
        return "DJANGO_ENV=production: the development IdP does not run in production"
    if importlib.util.find_spec("oauth2_provider") is None:
        return "django-oauth-toolkit is not installed (scripts/setup-venv dev installs it)"
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the IdP's server binds
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return f"port {port} is taken (MASPORTAL_DEV_IDP_PORT chooses another)"
    return ""


def start(*, port: int, portal: str, folder: Path, timeout: float = 60) -> str:
    """Start the IdP and wait until it answers: its issuer URL. Raises RuntimeError with the reason."""
    reason = why_not(port)
    if reason:
        raise RuntimeError(reason)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "op.sqlite3").unlink(missing_ok=True)  # its users and client are made anew at each start
    out, log = folder / "idp.out", folder / "idp.log"
    config = config_for(port=port, portal=portal, folder=folder)
    with out.open("w") as stdout, log.open("w") as stderr:
        proc = subprocess.Popen(  # noqa: S603 - our own development IdP
            [sys.executable, str(HERE / "oidc_op.py"), json.dumps(config)], stdout=stdout, stderr=stderr
        )
    (folder / "pid").write_text(str(proc.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "ready" in out.read_text():
            return f"http://127.0.0.1:{port}/o"
        if proc.poll() is not None:
            tail = log.read_text().strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
            raise RuntimeError(f"it stopped: {tail[0]}")
        time.sleep(0.1)
    proc.terminate()
    raise RuntimeError(f"it did not answer within {timeout:.0f} s (see {log})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--portal", default="http://127.0.0.1:8000", help="the portal's address (for the callback)")
    parser.add_argument("--dir", default="var/dev-idp", help="its database, logs and pid file")
    args = parser.parse_args()
    try:
        print(start(port=args.port, portal=args.portal, folder=Path(args.dir)))
    except RuntimeError as exc:
        sys.exit(f"The development IdP did not start: {exc}")


if __name__ == "__main__":
    main()
