#!/usr/bin/env python
"""Exit 0 when the PostgreSQL and Redis URLs given answer, 1 otherwise."""

import socket
import sys
from urllib.parse import urlparse


def answers(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port), timeout=2):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(0 if all(answers(u) for u in sys.argv[1:]) else 1)
