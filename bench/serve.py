"""Serves CTIP for the benchmarks: N worker processes, each a threaded WSGI server, sharing
one port (SO_REUSEPORT), which is how gunicorn's sync workers spread load over cores. gunicorn
itself is not installed; this uses only the standard library and Django's own server class.

    DEBUG=0 SECRET_KEY=... .venv/bin/python bench/serve.py --port 8100 --workers 2
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctip.settings.base")


def serve(port: int) -> None:
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args) -> None:  # the benchmark counts; no access log
            pass

    class Server(ThreadedWSGIServer):
        allow_reuse_port = True
        request_queue_size = 256

    app = get_wsgi_application()
    httpd = Server(("127.0.0.1", port), QuietHandler)
    httpd.set_app(app)
    httpd.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    children = []
    for _ in range(args.workers):
        pid = os.fork()
        if pid == 0:
            serve(args.port)
            os._exit(0)
        children.append(pid)

    def stop(*_a) -> None:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _pid in children:
        os.wait()


if __name__ == "__main__":
    main()
