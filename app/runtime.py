"""Builds Lotsen's process-wide runtime: settings, database, engine, spec cache."""
from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from app.config import Settings
from app.db import Database
from app.engine.runtime import ProcessEngine
from app.engine.script_pool import ScriptLimits, ScriptPool
from app.engine.store import SpecCache
from app.models import ProcessVersion
from app.services.env import Env
from handlers import REGISTRY


@dataclass
class Runtime:
    settings: Settings
    db: Database
    env: Env

    def close(self) -> None:
        """Release the database's connections and stop the script workers."""
        self.db.dispose()
        self.env.engine.scripts.close()


def build_runtime(settings: Settings) -> Runtime:
    db = Database(settings.database_url, settings.pool_options())

    def load_spec(version_id: int) -> str:
        with db.unit_of_work(write=False) as session:
            version = session.get(ProcessVersion, version_id)
            if version is None:
                raise KeyError(f"process version {version_id} does not exist")
            return version.spec_json

    specs = SpecCache(loader=load_spec)
    limits = ScriptLimits(time_s=settings.script_time_limit_s, cpu_s=settings.script_cpu_limit_s,
                          memory_mb=settings.script_memory_limit_mb, result_mb=settings.script_result_limit_mb)
    scripts = ScriptPool(limits, size=settings.script_workers)
    env = Env(settings=settings, engine=ProcessEngine(REGISTRY, specs, scripts=scripts,
                                                       zone=ZoneInfo(settings.timezone)), specs=specs)
    for maker in (db._read, db._write):  # every session carries the environment
        maker.configure(info={"env": env})
    return Runtime(settings=settings, db=db, env=env)
