"""Production server settings: ``gunicorn -c deploy/gunicorn.conf.py yingshang.wsgi``.

One worker process per core with one thread each (requests are CPU-bound Python: more
threads only queue behind the GIL), keep-alive connections spread over the workers by the
kernel (SO_REUSEPORT), and the application loaded once before forking, then warmed up
(catalogues, word lists, JSON-LD contexts, signing code paths: half a second otherwise paid
by each worker's first requests). After the fork, the objects loaded at start-up are moved
out of the garbage collector's sight and collections run less often: fewer pauses in the
latency tail.
"""

from __future__ import annotations

import gc
import os
from typing import Any

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
worker_class = "gthread"
threads = 1
keepalive = 60
backlog = 256
reuse_port = True
preload_app = True


def when_ready(server: Any) -> None:
    from yingshang.portal.warmup import warm_up  # the application is loaded by now (preload)

    warm_up()


def post_fork(server: Any, worker: Any) -> None:
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)
