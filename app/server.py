"""``lotsen serve``: one process (waitress), or several worker processes (gunicorn) on PostgreSQL.

Each gunicorn worker builds its own runtime after the fork: its own connection pool, spec cache and script
workers; nothing that holds a connection or a thread crosses a fork. With the scheduler on, every worker
starts one, and the scheduler lease (app.scheduler_lease) lets exactly one of them run at a time.
"""
from __future__ import annotations

import logging

from gunicorn.app.base import BaseApplication

from app.config import Settings


class ServeRefused(ValueError):
    """The serving options cannot work together (the message says why and what to do)."""


def configure_logging() -> None:
    """Lotsen's notices (which process runs the scheduler, a lost database) on standard error.

    Only Lotsen's own loggers say what is normal (INFO); libraries only warn: SpiffWorkflow logs every task
    state change at INFO, which would cost time and flood the log.
    """
    if not logging.root.handlers:
        logging.basicConfig(level=logging.WARNING,
                            format="[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s")
    logging.getLogger("app").setLevel(logging.INFO)


def check(settings: Settings, workers: int, threads: int, kind: str = "gunicorn") -> None:
    if workers < 1 or threads < 1:
        raise ServeRefused("--workers and --threads must be at least 1")
    if workers > 1 and kind == "waitress":
        raise ServeRefused("waitress runs one process: serve several worker processes with --server gunicorn")
    if workers > 1 and settings.database_url.startswith("sqlite"):
        raise ServeRefused(
            f"{workers} worker processes need PostgreSQL: SQLite lets one process write at a time, so more "
            "processes would only wait for each other. Serve SQLite with --workers 1 (its threads serve requests "
            "side by side), or set LOTSEN_DATABASE_URL to a PostgreSQL database.")


def _worker_app(settings: Settings, with_scheduler: bool):
    from app import create_app
    from app.runtime import build_runtime

    rt = build_runtime(settings)
    app = create_app(settings, runtime=rt)
    if with_scheduler:
        from app.scheduler import start_background

        app.extensions["lotsen_scheduler"] = start_background(rt)
    return app


def serve_one(settings: Settings, *, threads: int, with_scheduler: bool) -> None:
    from waitress import serve

    app = _worker_app(settings, with_scheduler)
    serve(app, host=settings.host, port=settings.port, threads=threads)


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, options: dict, with_scheduler: bool):
        self.settings, self.options, self.with_scheduler = settings, options, with_scheduler
        self.app = None
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        """Runs in each worker process, after the fork (the app is not preloaded)."""
        self.app = _worker_app(self.settings, self.with_scheduler)
        return self.app


def _worker_exit(_arbiter, worker) -> None:
    """A worker that stops lets go of the scheduler lease at once (it would go with the process anyway)."""
    app = getattr(worker.app, "app", None)
    scheduler = app.extensions.get("lotsen_scheduler") if app is not None else None
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=False)


def gunicorn_options(settings: Settings, *, workers: int, threads: int) -> dict:
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 60,  # a worker silent this long (a stuck request thread cannot block its heartbeat) is replaced
        "graceful_timeout": 20,
        "keepalive": 5,
        "preload_app": False,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "lotsen",
        "control_socket_disable": True,  # one shared socket path per user would make two servers collide
        "worker_exit": _worker_exit,
    }


def serve_many(settings: Settings, *, workers: int, threads: int, with_scheduler: bool) -> None:
    _Gunicorn(settings, gunicorn_options(settings, workers=workers, threads=threads), with_scheduler).run()


def serve(settings: Settings, *, workers: int, threads: int, with_scheduler: bool, kind: str = "") -> None:
    kind = kind or ("waitress" if workers == 1 else "gunicorn")
    check(settings, workers, threads, kind)
    configure_logging()
    if kind == "waitress":
        serve_one(settings, threads=threads, with_scheduler=with_scheduler)
    else:
        serve_many(settings, workers=workers, threads=threads, with_scheduler=with_scheduler)
