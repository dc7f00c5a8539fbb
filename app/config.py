"""Lotsen's settings: one documented place, overridable from LOTSEN_* variables."""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _key_from_file(path: Path) -> str:
    """A random key kept in ``path`` (created on first use, readable by the owner only)."""
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass
class Settings:
    """Every setting Lotsen reads, with its default.

    Each field can be overridden by an environment variable named
    ``LOTSEN_<FIELD NAME IN UPPER CASE>`` (e.g. ``LOTSEN_DATABASE_URL``).
    """

    #: SQLAlchemy URL; SQLite (embedded, WAL) by default, PostgreSQL in production.
    database_url: str = ""
    #: Folder for the SQLite file, the secret key and documents.
    instance_dir: str = str(PROJECT_ROOT / "instance")
    #: Folder deployed by ``lotsen processes deploy`` and ``make run``.
    processes_dir: str = str(PROJECT_ROOT / "processes")
    host: str = "127.0.0.1"
    port: int = 5000
    secret_key: str = ""
    #: Key that signs audit checkpoints (HMAC); kept in instance/audit_key unless given.
    audit_key: str = ""
    #: A signed checkpoint of the audit chain's head every this many events (and on every verify).
    audit_checkpoint_every: int = 1000
    #: Set when served over HTTPS (production): cookies are then sent only over HTTPS.
    secure_cookies: bool = False
    #: Failed sign-ins allowed per account, and per address, before the login page answers 429.
    login_attempts_per_account: str = "10 per 15 minutes"
    login_attempts_per_address: str = "30 per 15 minutes"
    #: Where failed sign-ins are counted. Empty: in the database on PostgreSQL (shared by every worker
    #: process), in memory on SQLite (one process). Or a store of the limits library, e.g. "redis://host".
    ratelimit_storage_uri: str = ""
    #: Reverse proxies in front of the server whose X-Forwarded-For/-Proto are trusted (0 = none).
    proxy_hops: int = 0
    #: Enables test-only routes such as the controllable clock.
    testing: bool = False
    #: Time zone in which dates are shown and calendar days are counted.
    timezone: str = "Europe/Stockholm"
    default_locale: str = "sv"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    mail_from: str = "lotsen@kommun.example"
    #: Seconds to wait for the SMTP server before an attempt counts as failed.
    smtp_timeout_s: float = 10.0
    #: Delivery attempts before an outbox e-mail becomes a dead letter (shown to administrators).
    outbox_max_attempts: int = 8
    #: First retry after this many seconds, doubling with each failed attempt (capped at 2**10 times).
    outbox_retry_base_s: int = 60
    #: E-mails one sender claims at a time.
    outbox_batch_size: int = 20
    #: A claim older than this (the sender died mid-batch) is given up, and the e-mail is sent again.
    outbox_claim_timeout_s: int = 900
    #: Wall-clock limit for one script or expression in a diagram (its worker is killed after it).
    script_time_limit_s: float = 2.0
    #: Processor-time limit for one script or expression (the kernel counts whole seconds, rounded up).
    script_cpu_limit_s: float = 2.0
    #: Memory one script or expression may use beyond its worker's own, in MB.
    script_memory_limit_mb: int = 256
    #: Largest data a script may leave (or an expression return), in MB as saved.
    script_result_limit_mb: int = 16
    #: Script workers running at once (long-lived processes, replaced when one passes a limit).
    script_workers: int = 2
    #: The deploy gate walks at most this many paths and engine steps per process; a larger
    #: diagram is walked in part, and the gate says what it covered.
    gate_max_paths: int = 2500
    gate_max_steps: int = 100000
    #: Largest accepted upload (documents, diagrams), in bytes.
    max_upload_bytes: int = 20 * 1024 * 1024
    #: Seconds between scheduler polls of due timers and the outbox.
    scheduler_interval_s: float = 5.0
    # --- serving (see README, "Running several worker processes") ---
    #: Worker processes of ``lotsen serve``; more than one needs PostgreSQL (SQLite has a single writer).
    web_workers: int = 1
    #: Request threads in each worker process.
    web_threads: int = 8
    #: Connections each process keeps in its pool (at least ``web_threads``; the scheduler and the
    #: authentication of a request use one more each for a moment).
    db_pool_size: int = 10
    #: Connections a process may open beyond its pool when all are busy (closed again when returned).
    db_max_overflow: int = 5
    #: Seconds a request waits for a free connection before it fails.
    db_pool_timeout_s: float = 10.0
    #: Check each connection with a cheap round trip before it is used (survives a database restart).
    db_pool_pre_ping: bool = True
    #: Seconds after which a connection is replaced by a new one (0: never).
    db_pool_recycle_s: int = 1800
    # --- the authority as its letters name it (each municipality sets its own) ---
    authority_name: str = "Byggnadsnämnden"
    municipality_name: str = "Exempelkommun"
    authority_address: str = "Storgatan 1, 123 45 Exempelstad"
    authority_email: str = "bygg@kommun.example"
    authority_phone: str = "010-123 45 67"
    #: Who hears appeals of the authority's decisions (PBL 13 kap.): the county administrative board.
    appeal_body: str = "Länsstyrelsen"
    #: Where timely appeals are sent on: the appeal body's e-mail (empty: the letter is printed and posted).
    appeal_body_email: str = ""
    appeal_body_address: str = ""
    # --- rules and numbers from DOMAIN.md; [U] = unverified, so configurable ---
    #: The day the 2025 PBL reform applies from, by arrival date: lov-plikt and the publication channel.
    #: The statutory clock did not change (one rule set since 2019-01-01).
    rules_change_date: str = "2025-12-01"
    #: [U] Days neighbours get to respond (practice 14–21).
    neighbour_response_days: int = 21
    #: [U] Days a referee (remissinstans) gets to answer a referral, and days before that they are reminded.
    referral_reply_days: int = 21
    referral_reminder_days: int = 3
    #: [U] Days the applicant gets to comment before an adverse decision (kommunicering).
    communication_reply_days: int = 14
    #: [U] Authorities outside the municipality that referrals go to by letter; their answers are recorded by
    #: a case officer (JSON: name -> {name_sv, name_en, email, address}). Set the real addresses.
    external_bodies_json: str = (
        '{"forsvarsmakten": {"name_sv": "Försvarsmakten", "name_en": "Swedish Armed Forces", '
        '"email": "remiss@forsvarsmakten.example"}, '
        '"lansstyrelsen": {"name_sv": "Länsstyrelsen", "name_en": "County Administrative Board", '
        '"email": "remiss@lansstyrelsen.example"}}')
    #: Days after a decision (and then between reminders) until staff are reminded of a party not yet served.
    service_reminder_days: int = 14
    #: Days before the 3-week supplement window closes that the coordinator is reminded.
    supplement_reminder_days: int = 4
    #: Days before the statutory deadline that the officer is asked to consider an extension.
    extension_reminder_days: int = 14
    #: [U] How many days ahead a reply date set by staff may lie (supplement order, neighbour hearing); DOMAIN.md
    #: leaves the reply date to the authority, so a date beyond this is refused as a typing mistake.
    reply_date_max_days: int = 365
    #: The municipality's service goal in calendar days, by measure (JSON); others get the default.
    service_goals_json: str = '{"plank": 40, "mur": 40, "skylt": 40, "attefall": 40, "nybyggnad": 40, ' \
                              '"tillbyggnad": 40, "rivning": 40, "marklov": 40}'
    service_goal_days: int = 40
    #: The address applicants reach Lotsen at: links in letters and e-mail start with it.
    public_url: str = "http://127.0.0.1:5000"
    #: [U] The survey's answer scale runs from 1 to this (SKR Insikt: 1–6 or 1–10, not verified).
    survey_scale_max: int = 10
    #: Days a survey link stays valid after the invitation.
    survey_valid_days: int = 30
    #: Reminders sent to applicants who have not answered (SKR Insikt: up to 3).
    survey_reminders: int = 3
    #: Days between the invitation and each reminder.
    survey_reminder_days: int = 7
    #: Fewest answers before a survey result is shown (the respondents' privacy).
    survey_min_answers: int = 5
    #: Outcomes whose applicants are invited when the case closes (JSON list).
    survey_outcomes_json: str = '["granted", "refused", "dismissed", "withdrawn"]'
    #: Fewest decided cases (last 12 months, per measure) before applicants are shown recent handling times.
    expectations_min_cases: int = 5
    #: Seconds the expectations per measure are reused before they are counted again.
    expectations_cache_s: int = 300
    #: [U] Days after closing before personal data is erased, by outcome (JSON; "default" for the rest).
    #: Municipal archive rules decide; these are placeholders to set per municipality.
    retention_days_json: str = '{"granted": 3650, "refused": 3650, "dismissed": 1825, "withdrawn": 730, ' \
                               '"none": 1825, "default": 3650}'
    #: [U] Whether retention also erases the property designation (fastighetsbeteckning) of a case.
    #: Off by default: permits follow the property and archive rules usually keep it; a municipality whose
    #: policy treats it as personal data turns it on.
    retention_erases_property: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def retention_days(self) -> dict[str, int]:
        return {k: int(v) for k, v in json.loads(self.retention_days_json).items()}

    @property
    def external_bodies(self) -> dict[str, dict]:
        return {k: dict(v) for k, v in json.loads(self.external_bodies_json).items()}

    @property
    def survey_outcomes(self) -> set[str]:
        return set(json.loads(self.survey_outcomes_json))

    @property
    def service_goals(self) -> dict[str, int]:
        return {k: int(v) for k, v in json.loads(self.service_goals_json).items()}

    def authority(self) -> dict:
        """The authority as letters name it."""
        return {"name": self.authority_name, "municipality": self.municipality_name,
                "address": self.authority_address, "email": self.authority_email, "phone": self.authority_phone,
                "appeal_body": self.appeal_body}

    def handler_settings(self) -> dict:
        """What service-task handlers may read."""
        return {"timezone": self.timezone,
                "neighbour_response_days": self.neighbour_response_days,
                "service_reminder_days": self.service_reminder_days,
                "supplement_reminder_days": self.supplement_reminder_days,
                "extension_reminder_days": self.extension_reminder_days,
                "reply_date_max_days": self.reply_date_max_days,
                "authority_name": self.authority_name, "appeal_body": self.appeal_body,
                "rules_change_date": self.rules_change_date,
                "referral_reply_days": self.referral_reply_days, "referral_reminder_days": self.referral_reminder_days,
                "communication_reply_days": self.communication_reply_days, "external_bodies": self.external_bodies,
                **self.extra}

    @classmethod
    def from_env(cls, overrides: dict | None = None) -> Settings:
        """Build settings from defaults, then LOTSEN_* variables, then ``overrides``."""
        values: dict = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            raw = os.environ.get(f"LOTSEN_{f.name.upper()}")
            if raw is None:
                continue
            if f.type in ("int", int):
                values[f.name] = int(raw)
            elif f.type in ("float", float):
                values[f.name] = float(raw)
            elif f.type in ("bool", bool):
                values[f.name] = _bool(raw)
            else:
                values[f.name] = raw
        values.update(overrides or {})
        settings = cls(**values)
        settings.finish()
        return settings

    def finish(self) -> None:
        """Fill in values derived from others (database file, secret key)."""
        Path(self.instance_dir).mkdir(parents=True, exist_ok=True)
        if not self.database_url:
            self.database_url = f"sqlite:///{Path(self.instance_dir) / 'lotsen.sqlite3'}"
        self.secret_key = self.secret_key or _key_from_file(Path(self.instance_dir) / "secret_key")
        self.audit_key = self.audit_key or _key_from_file(Path(self.instance_dir) / "audit_key")

    def pool_options(self) -> dict:
        """The connection pool's settings, as ``sqlalchemy.create_engine`` takes them."""
        return {"pool_size": self.db_pool_size, "max_overflow": self.db_max_overflow,
                "pool_timeout": self.db_pool_timeout_s, "pool_pre_ping": self.db_pool_pre_ping,
                "pool_recycle": self.db_pool_recycle_s or -1}

    @property
    def documents_dir(self) -> Path:
        return Path(self.instance_dir) / "documents"
