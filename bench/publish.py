"""Benchmark: publishing a result with 5 and 50 participants off the request (issue 12).

Run from the repository root (Redis on 127.0.0.1:6379 is needed; DB 2 is used)::

    .venv/bin/python bench/publish.py --db postgresql --pg-url postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/publish.py                 # SQLite and PostgreSQL, one after the other

Per database it seeds a scratch database (an SQLite file in a temporary folder, or
``<db>_bench_publish`` beside the database named in ``--pg-url``, dropped afterwards) through the
real services with a fixed clock (the test factories): two evaluated projects, with 5 and 50
qualified participants, the first candidate of each awarded; plus, built from rows, a published
project open for quotes until 30 days from now with one accepted supplier. Then it starts what
production runs: gunicorn (2 sync workers, production configuration, ``bench.wsgi:app``, which
adds an ``X-SQL-Statements`` header) and one ``flask worker`` on Redis, with the system clock.

For each size: the supplier of the other project confirms a sealed quote 5 times with nothing
else happening (the floor, median); then buyer staff post "publish the result" while the
supplier keeps confirming quotes (enter, review, then the timed confirmation) until the worker
has issued every notice, which the runner learns by polling the buyer's job status endpoint
every 0.5 s, as the page does. It reports the publish request's time and statements, the time
from the publish to every notice issued, and each concurrent confirmation's time against the
floor. Goals: the request under 1 s whatever the size; no confirmation delayed more than 0.5 s
beyond the floor. Nothing here is a timed test; the figures go to ``bench/README.md``. Traffic
goes only to 127.0.0.1.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.quotes import (  # noqa: E402
    PASSWORD,
    Client,
    drop_scratch,
    free_port,
    quoting_project,
    scratch_database,
    start_gunicorn,
    stop_gunicorn,
)

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/2"
SIZES = (5, 50)
RESULT_DAY = datetime(2025, 1, 6, 2, 0, tzinfo=timezone.utc)  # 10:00 Beijing, the Monday after the report
QUOTE_PRICES = ("25.50", "400.00", "12.30")


# --------------------------------------------------------------------------------------------
# The seed
# --------------------------------------------------------------------------------------------


def _quoting_project(buyer_id: int, password_hash: str) -> tuple[int, str, list[int]]:
    """A published project open for quotes for 30 days from now, one accepted supplier (rows only)."""
    from procurement.extensions import db
    from procurement.models import Company, Registration, User

    now = datetime.now(timezone.utc)
    project = quoting_project("BENCH-QUOTING", "基准测试项目（同时报价）", buyer_id, now)
    db.session.add(project)
    company = Company(name="基准同时报价供应商有限公司", created_at=now)
    user = User(email="quoter@bench.local", password_hash=password_hash, role="supplier", name="报价人", company=company, created_at=now)
    db.session.add_all([company, user])
    db.session.flush()
    db.session.add(
        Registration(project_id=project.id, company_id=company.id, status="accepted", company_snapshot={"name": company.name},
                     created_at=now, submitted_at=now, created_by_id=user.id)
    )
    db.session.flush()
    return project.id, user.email, [item.id for item in project.items]


def seed(url: str, workdir: Path) -> dict:
    """Build the world through the services (a test app, fixed clock, jobs run at once)."""
    from werkzeug.security import generate_password_hash

    from procurement import create_app
    from procurement.clock import FixedClock
    from procurement.extensions import db
    from procurement.models import CalendarYear, User
    from procurement.services import award as award_service
    from tests.factories import make_buyer, make_evaluated_project

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_FOLDER": str(workdir / "instance" / "uploads"),
            "DOCUMENT_FOLDER": str(workdir / "instance" / "generated"),
            "PUBLIC_BASE_URL": "http://127.0.0.1",
            "JOBS_RUN": "eager",
        }
    )
    clock = FixedClock(datetime(2024, 12, 20, 2, 0, tzinfo=timezone.utc))
    app.extensions["clock"] = clock
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    with app.app_context(), app.test_request_context():
        db.create_all()
        buyer = make_buyer(email="buyer@bench.local")
        projects = {}
        for size in SIZES:
            prices = [("24.50", "398.75", f"{30 + n % 40}.{n // 40:02d}") for n in range(size)]
            built = make_evaluated_project(buyer, clock, prices=prices, failing=(), names=[f"拉萨基准{size}号供应商{n}有限公司" for n in range(size)])
            clock.set(RESULT_DAY)
            award_service.confirm(built.project, built.candidate(1)[1].id, buyer)
            clock.set(datetime(2024, 12, 20, 2, 0, tzinfo=timezone.utc))
            projects[size] = built.project.id
        quoting, quoter, items = _quoting_project(buyer.id, password_hash)
        # The system clock publishes today: the working-day calendar must know this year and the next.
        library_last = 2026
        for year in (date.today().year, date.today().year + 1):
            if year > library_last and db.session.get(CalendarYear, year) is None:
                db.session.add(CalendarYear(year=year, entered_at=datetime.now(timezone.utc)))
        db.session.execute(User.__table__.update().values(password_hash=password_hash))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return {"projects": projects, "quoting": quoting, "quoter": quoter, "items": items, "buyer": "buyer@bench.local"}


# --------------------------------------------------------------------------------------------
# The measurement
# --------------------------------------------------------------------------------------------


def start_worker(log_path: Path) -> subprocess.Popen:
    """One ``flask worker`` (RQ, the app's queue) in its own process group."""
    log = open(log_path, "w")
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "worker"]
    return subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


class Quoter:
    """The supplier of the other project: enters its prices, opens the review, confirms (timed)."""

    def __init__(self, port: int, seeded: dict) -> None:
        self.client = Client(port)
        self.path = f"/supplier/projects/{seeded['quoting']}/quote"
        self.items = seeded["items"]
        self.client.sign_in(seeded["quoter"], self.path)
        self.version = 0  # the version the sheet was read at: none yet

    def confirm_once(self) -> float:
        """One whole submission; the seconds its confirmation request took."""
        form = self.client.prepare(self.path, self.items, self.version)
        start = time.perf_counter()
        status, location, _, _ = self.client.request("POST", self.path + "/confirm", form)
        took = time.perf_counter() - start
        if status != 302 or "receipt" not in location:
            raise RuntimeError(f"confirmation answered {status} {location}")
        self.version += 1
        return took


def measure(port: int, seeded: dict, size: int) -> dict:
    """Publish the ``size`` project while the quoter keeps confirming; the figures."""
    project_id = seeded["projects"][size]
    buyer = Client(port)
    buyer.sign_in(seeded["buyer"], f"/buyer/projects/{project_id}")
    quoter = Quoter(port, seeded)
    floor = [quoter.confirm_once() for _ in range(5)]
    during: list[float] = []
    done = threading.Event()

    def keep_quoting() -> None:
        while not done.is_set():
            during.append(quoter.confirm_once())

    thread = threading.Thread(target=keep_quoting)
    start = time.perf_counter()
    thread.start()
    status, location, _, _ = buyer.request("POST", f"/buyer/projects/{project_id}/award/publish", {"csrf_token": buyer.token})
    request_time = time.perf_counter() - start
    statements = buyer.last_statements
    if status != 302:
        done.set()
        thread.join()
        raise RuntimeError(f"publish answered {status}")
    issued_after = None
    while time.perf_counter() - start < 600:
        _, _, body, _ = buyer.request("GET", f"/buyer/projects/{project_id}/jobs.json")
        jobs = [job for job in json.loads(body)["jobs"] if job["kind"] == "award.publish"]
        if not jobs:
            issued_after = time.perf_counter() - start
            break
        if jobs[0]["status"] == "failed":
            raise RuntimeError(f"the publication failed: {jobs[0]['error']}")
        time.sleep(0.5)
    done.set()
    thread.join()
    base = statistics.median(floor)
    return {
        "participants": size,
        "publish_request_s": round(request_time, 3),
        "publish_request_statements": statements,
        "every_notice_issued_s": round(issued_after, 2) if issued_after is not None else None,
        "quote_floor_median_s": round(base, 3),
        "quotes_during": len(during),
        "quote_during_median_s": round(statistics.median(during), 3) if during else None,
        "quote_during_max_s": round(max(during), 3) if during else None,
        "max_delay_s": round(max(during) - base, 3) if during else None,
    }


def _patch_client() -> None:
    """Keep the statement header of each response (bench.wsgi sets it)."""
    import http.client

    original = Client.request

    def request(self, method, path, form=None, *, keep_cookie=True):
        real_getresponse = http.client.HTTPConnection.getresponse

        def getresponse(connection):
            response = real_getresponse(connection)
            self.last_statements = response.getheader("X-SQL-Statements")
            return response

        http.client.HTTPConnection.getresponse = getresponse
        try:
            return original(self, method, path, form, keep_cookie=keep_cookie)
        finally:
            http.client.HTTPConnection.getresponse = real_getresponse

    Client.request = request


def run_one(kind: str, args) -> dict:
    """Seed, start gunicorn and a worker, measure both sizes, stop, clean up."""
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-publish-{kind}-"))
    url = scratch_database(kind, workdir, args.pg_url, "publish")
    kek = os.urandom(32).hex()
    os.environ.update({"SEAL_KEK": kek, "INSTANCE_PATH": str(workdir / "instance")})
    import importlib

    import config

    importlib.reload(config)
    seeded = seed(url, workdir)
    os.environ.update(
        {
            "PROCUREMENT_CONFIG": "production",
            "DATABASE_URL": url,
            "SECRET_KEY": os.urandom(24).hex(),
            "PUBLIC_BASE_URL": "http://127.0.0.1",
            "OCID_PREFIX": "ocds-bench0",  # production refuses the placeholder
            "SESSION_COOKIE_SECURE": "0",
            "UPLOAD_FOLDER": str(workdir / "instance" / "uploads"),
            "DOCUMENT_FOLDER": str(workdir / "instance" / "generated"),
            "REDIS_URL": args.redis_url,
            "JOBS_QUEUE": f"bench-publish-{uuid.uuid4().hex[:8]}",
            "JOBS_RUN": "rq",
        }
    )
    port = free_port()
    server = start_gunicorn(port, workdir / "gunicorn.log")
    worker = start_worker(workdir / "worker.log")
    try:
        figures = [measure(port, seeded, size) for size in SIZES]
    finally:
        stop_gunicorn(worker)  # any process group we started
        stop_gunicorn(server)
    log_lines = len((workdir / "gunicorn.log").read_text().splitlines())
    drop_scratch(kind, url, args.pg_url)
    shutil.rmtree(workdir, ignore_errors=True)
    return {"database": kind, "sizes": figures, "gunicorn_log_lines": log_lines}


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run the chosen databases, print the figures (JSON and a table)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    args = parser.parse_args(argv)
    _patch_client()
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    results = [run_one(kind, args) for kind in kinds]
    print(json.dumps(results, indent=2, ensure_ascii=False))
    print("\n| database | participants | publish request | its statements | every notice issued | quote floor (median) | "
          "quotes during | during: median / max | max delay |")
    print("|---|---|---|---|---|---|---|---|---|")
    failed = False
    for result in results:
        for row in result["sizes"]:
            print(
                f"| {result['database']} | {row['participants']} | {row['publish_request_s']} s | {row['publish_request_statements']} | "
                f"{row['every_notice_issued_s']} s | {row['quote_floor_median_s']} s | {row['quotes_during']} | "
                f"{row['quote_during_median_s']} / {row['quote_during_max_s']} s | {row['max_delay_s']} s |"
            )
            failed = failed or row["every_notice_issued_s"] is None
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
