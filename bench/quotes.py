"""Benchmark: sealed quote submissions through the real HTTP stack, and a burst across the deadline.

Run from the repository root::

    .venv/bin/python bench/quotes.py                 # SQLite and PostgreSQL
    .venv/bin/python bench/quotes.py --db sqlite     # one of them

For each database it starts gunicorn (2 sync workers, production configuration) on 127.0.0.1 with
``bench.wsgi:app`` and a scratch database, then:

1. **Throughput**: ``--clients`` signed-in suppliers, each with its own accepted registration, go
   through enter (POST, encrypted review draft) → review (GET) → confirmation (seal + lock +
   version + audit + commit) in a loop for ``--seconds``; then
   the same clients post to the bench-only plain-insert route for as long. Rounds alternate
   (sealed, plain, sealed, plain) so drift hits both; the ratio is plain ÷ sealed.
2. **Burst**: ``--burst`` suppliers (default 500), each signed in with its review page (the
   confirm form: CSRF token and draft token) in hand, confirm at the same instant. The deadline falls inside the burst: once 40 % of it is
   stored, the runner fixes the project's opening time 0.3 s ahead, and the rest races it. Every
   answer is classified (accepted = redirect to a receipt, refused = redirect with the deadline
   message, 5xx, other); then the database is compared with the answers: an accepted quote
   missing from it, or a stored one whose answer was not an acceptance, is *lost*; and the project
   is opened through the service, which must decrypt and verify every accepted quote.

Nothing here is a timed test; the figures are recorded in ``bench/README.md``. Traffic goes only to
127.0.0.1.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
RECEIPT_RE = re.compile(r"/quote/receipts/(\d+)$")
DRAFT_RE = re.compile(r'name="draft"[^>]*value="([0-9a-f]{32})"')
PASSWORD = "bench-password-1"
PRICES = ("25.50", "400.00", "12.30")
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


# --------------------------------------------------------------------------------------------
# A tiny HTTP client: one connection per request (gunicorn's sync workers close it anyway)
# --------------------------------------------------------------------------------------------


class Client:
    """One signed-in browser: a session cookie and a CSRF token."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""
        self.token = ""

    def request(self, method: str, path: str, form: dict | None = None, *, keep_cookie: bool = True):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        headers = {"User-Agent": "bench-quotes"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            status = response.status
            location = response.getheader("Location") or ""
            cookies = response.msg.get_all("Set-Cookie") or []
        finally:
            connection.close()
        session_cookie = next((c.split(";", 1)[0] for c in cookies if c.startswith("session=")), None)
        if keep_cookie and session_cookie:
            self.cookie = session_cookie
        return status, location, data, session_cookie

    def sign_in(self, email: str, quote_path: str) -> None:
        """Sign in through the login form and pick up the quote page's CSRF token."""
        _, _, page, _ = self.request("GET", "/auth/login")
        token = CSRF_RE.search(page.decode()).group(1)
        status, location, _, _ = self.request("POST", "/auth/login", {"email": email, "password": PASSWORD, "csrf_token": token})
        if status != 302:
            raise RuntimeError(f"sign-in failed for {email}: {status}")
        status, _, page, _ = self.request("GET", quote_path)
        match = CSRF_RE.search(page.decode())
        if status != 200 or match is None:
            raise RuntimeError(f"quote page {quote_path} answered {status}")
        self.token = match.group(1)

    def prepare(self, quote_path: str, item_ids: list[int], version: int) -> dict:
        """Enter the prices (POST, kept as the encrypted review draft), open the GET review page, and
        return its confirm form (CSRF token, version, draft token) as the browser would post it."""
        form = {f"price_{item_id}": price for item_id, price in zip(item_ids, PRICES)}
        form |= {"expected_version": str(version), "csrf_token": self.token}
        status, location, _, _ = self.request("POST", quote_path + "/review", form)
        if status != 302 or not location.endswith("/quote/review"):
            raise RuntimeError(f"entering the prices answered {status} {location}")
        status, _, page, _ = self.request("GET", quote_path + "/review")
        draft = DRAFT_RE.search(page.decode())
        if status != 200 or draft is None:
            raise RuntimeError(f"the review page answered {status}")
        return {"csrf_token": CSRF_RE.search(page.decode()).group(1), "expected_version": str(version), "draft": draft.group(1)}


# --------------------------------------------------------------------------------------------
# The scratch database and its seed
# --------------------------------------------------------------------------------------------


@dataclass
class Seed:
    """What the runner created: projects and the suppliers' emails and registration ids."""

    throughput_project: int
    burst_project: int
    buyer_id: int
    item_ids: dict[int, list[int]]
    throughput: list[tuple[str, int]] = field(default_factory=list)
    burst: list[tuple[str, int]] = field(default_factory=list)


def scratch_database(kind: str, workdir: Path, pg_url: str, bench: str = "quotes") -> str:
    """A fresh database URL: an SQLite file in ``workdir`` or ``<db>_bench_<bench>`` beside ``pg_url``
    (every benchmark here uses this one)."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.sqlite3'}"
    import sqlalchemy as sa

    base = sa.engine.make_url(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{base.database}_bench_{bench}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def drop_scratch(kind: str, url: str, pg_url: str) -> None:
    """Remove the PostgreSQL scratch database (the SQLite file goes with the work folder)."""
    if kind != "postgresql":
        return
    import sqlalchemy as sa

    target = sa.engine.make_url(url)
    admin_db = sa.engine.make_url(pg_url).database
    admin = sa.create_engine(target.set(database=admin_db), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


def quoting_project(code: str, title: str, buyer_id: int, now: datetime):
    """A published project open for quotes for 30 days from ``now``, three items (rows only, not added).

    Seeding builds rows directly: the services would ask the working-day calendar about today.
    """
    from procurement.domain.sealing import generate_project_keys
    from procurement.keys import load_kek
    from procurement.models import BoqItem, Project

    keys = generate_project_keys(load_kek())
    project = Project(
        code=code,
        title=title,
        buyer_name="西藏日报社",
        contract_term="1年",
        opening_place="会议室",
        opening_at=now + timedelta(days=30),
        contact_name="措姆",
        contact_phone="13618906639",
        status="published",
        public_key=keys.public_key,
        wrapped_private_key=keys.wrapped_private_key,
        published_on=date.today(),
        registration_opens=date.today(),
        registration_closes=date.today(),
        notice_ends=date.today(),
        published_at=now,
        created_by_id=buyer_id,
        created_at=now,
    )
    for position, (name, unit, quantity, ceiling) in enumerate(
        (("复印纸", "包", "100", "30.00"), ("硒鼓", "个", "10", "450.00"), ("中性笔", "盒", "20", None)), start=1
    ):
        project.items.append(
            BoqItem(
                position=position,
                name=name,
                specification="",
                unit=unit,
                quantity=Decimal(quantity),
                ceiling_unit_price=Decimal(ceiling) if ceiling else None,
            )
        )
    return project


def bench_app():
    """The application as the workers see it (same environment), for seeding and checking."""
    from procurement import create_app

    return create_app("production")


def seed(app, clients: int, burst: int) -> Seed:
    """Create the schema, the bench table, a buyer, two published projects and the suppliers."""
    from werkzeug.security import generate_password_hash

    from bench.wsgi import bench_metadata
    from procurement.extensions import db
    from procurement.models import Company, Registration, User

    now = datetime.now(timezone.utc)
    # Seeding builds rows directly: the services would ask the working-day calendar about today.
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    with app.app_context():
        db.create_all()
        bench_metadata.create_all(db.engine)
        buyer = User(email="buyer@bench.local", password_hash=password_hash, role="buyer", name="采购人", created_at=now)
        db.session.add(buyer)
        db.session.flush()
        projects = []
        for code in ("BENCH-THROUGHPUT", "BENCH-BURST"):
            project = quoting_project(code, f"基准测试项目 {code}", buyer.id, now)
            db.session.add(project)
            projects.append(project)
        db.session.flush()
        result = Seed(
            throughput_project=projects[0].id,
            burst_project=projects[1].id,
            buyer_id=buyer.id,
            item_ids={p.id: [i.id for i in p.items] for p in projects},
        )
        for project, count, target in ((projects[0], clients, result.throughput), (projects[1], burst, result.burst)):
            for n in range(count):
                email = f"s{project.id}-{n}@bench.local"
                company = Company(name=f"基准供应商{project.id}-{n}有限公司", created_at=now)
                user = User(email=email, password_hash=password_hash, role="supplier", name=f"联系人{n}", company=company, created_at=now)
                db.session.add_all([company, user])
                db.session.flush()
                registration = Registration(
                    project_id=project.id,
                    company_id=company.id,
                    status="accepted",
                    company_snapshot={"name": company.name},
                    created_at=now,
                    submitted_at=now,
                    created_by_id=user.id,
                )
                db.session.add(registration)
                db.session.flush()
                target.append((email, registration.id))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return result


# --------------------------------------------------------------------------------------------
# gunicorn
# --------------------------------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, log_path: Path) -> subprocess.Popen:
    """gunicorn with 2 sync workers on 127.0.0.1:port serving ``bench.wsgi:app``."""
    command = [
        sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT),
        "--log-level", "warning", "--timeout", "120", "--backlog", "2048", "bench.wsgi:app",
    ]
    log = open(log_path, "w")
    process = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited:\n" + log_path.read_text())
        try:
            status, *_ = Client(port).request("GET", "/auth/login")
            if status == 200:
                # both workers answer once the app is imported; give the second a moment
                time.sleep(1.0)
                return process
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start:\n" + log_path.read_text())


def stop_gunicorn(process: subprocess.Popen) -> None:
    """Stop the gunicorn we started (its own process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --------------------------------------------------------------------------------------------
# 1. Throughput: sealed submissions vs plain inserts
# --------------------------------------------------------------------------------------------


def throughput(port: int, seed: Seed, seconds: float, rounds: int, same_traffic: bool = True) -> dict:
    """Alternate sealed and plain rounds of ``seconds`` each; return counts and rates.

    With ``same_traffic`` (the default) the plain round makes the same enter and review requests
    as the sealed one, and posts the plain insert where the sealed round confirms: the two rounds
    then differ only in their write request (on SQLite every request queues on the write lock, so
    the traffic around a write weighs on its time).
    """
    project_id = seed.throughput_project
    quote_path = f"/supplier/projects/{project_id}/quote"
    clients = []
    for email, registration_id in seed.throughput:
        client = Client(port)
        client.sign_in(email, quote_path)
        clients.append([client, 0])
    item_ids = seed.item_ids[project_id]
    totals = {"sealed": [0, 0.0, 0], "plain": [0, 0.0, 0]}  # ok, seconds, failures
    # Time spent inside the one write request of each kind (the confirmation, the plain insert),
    # summed over the clients: the server is equally busy in both rounds (every client always has
    # a request in flight), so ``clients × ok ÷ busy`` compares the two writes request for request.
    busy = {"sealed": 0.0, "plain": 0.0}
    busy_lock = threading.Lock()

    def run(kind: str, state, stop_at: float, counts: list) -> None:
        client = state[0]
        while time.monotonic() < stop_at:
            if kind == "sealed":
                # enter → review (GET) → confirm, as a browser does since the review became a GET page
                confirm_form = client.prepare(quote_path, item_ids, state[1])
                began = time.monotonic()
                status, location, _, _ = client.request("POST", quote_path + "/confirm", confirm_form, keep_cookie=False)
                with busy_lock:
                    busy["sealed"] += time.monotonic() - began
                match = RECEIPT_RE.search(location)
                if status == 302 and match:
                    state[1] = int(match.group(1))
                    counts[0] += 1
                else:
                    counts[1] += 1
            else:
                if same_traffic:
                    client.prepare(quote_path, item_ids, state[1])  # the same enter and review requests around it
                began = time.monotonic()
                status, location, _, _ = client.request(
                    "POST", "/bench/plain-insert", {"csrf_token": client.token, "body": "x" * 64}, keep_cookie=False
                )
                with busy_lock:
                    busy["plain"] += time.monotonic() - began
                if status == 302:
                    counts[0] += 1
                else:
                    counts[1] += 1

    for _ in range(rounds):
        for kind in ("sealed", "plain"):
            per_client = [[0, 0] for _ in clients]
            start = time.monotonic()
            stop_at = start + seconds
            threads = [threading.Thread(target=run, args=(kind, state, stop_at, counts)) for state, counts in zip(clients, per_client)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - start
            totals[kind][0] += sum(c[0] for c in per_client)
            totals[kind][1] += elapsed
            totals[kind][2] += sum(c[1] for c in per_client)
    result = {kind: {"ok": ok, "seconds": round(secs, 2), "failed": failed, "per_second": round(ok / secs, 1)} for kind, (ok, secs, failed) in totals.items()}
    result["ratio_plain_to_sealed"] = round(result["plain"]["per_second"] / result["sealed"]["per_second"], 2)
    for kind in ("sealed", "plain"):
        result[kind]["write_requests_per_second"] = round(len(clients) * totals[kind][0] / busy[kind], 1) if busy[kind] else 0.0
    # The figure: sealed confirmations ÷ plain inserts, request for request (goal ≥ 0.5).
    result["ratio_sealed_to_plain"] = round(
        result["sealed"]["write_requests_per_second"] / result["plain"]["write_requests_per_second"], 2
    ) if result["plain"]["write_requests_per_second"] else None
    return result


# --------------------------------------------------------------------------------------------
# 2. The burst across the deadline
# --------------------------------------------------------------------------------------------


def burst(port: int, seed: Seed, app) -> dict:
    """Fire every burst supplier's confirmation at once; the deadline falls inside the burst."""
    import sqlalchemy as sa

    from procurement.extensions import db
    from procurement.models import Project, Registration, SealedQuote, User
    from procurement.services import ServiceError, opening

    project_id = seed.burst_project
    quote_path = f"/supplier/projects/{project_id}/quote"
    item_ids = seed.item_ids[project_id]
    clients: list[tuple[Client, int, dict]] = []
    # sign in with a few threads (the logins are not what is measured)
    lock = threading.Lock()
    pending = list(seed.burst)

    def sign_in_worker() -> None:
        while True:
            with lock:
                if not pending:
                    return
                email, registration_id = pending.pop()
            client = Client(port)
            client.sign_in(email, quote_path)
            confirm_form = client.prepare(quote_path, item_ids, 0)  # each holds its review page
            with lock:
                clients.append((client, registration_id, confirm_form))

    workers = [threading.Thread(target=sign_in_worker) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    count = len(clients)
    answers: list = [None] * count
    barrier = threading.Barrier(count + 1)
    done = threading.Event()
    deadline_box: dict = {}

    def fire(index: int, client: Client, confirm_form: dict) -> None:
        barrier.wait()
        try:
            answers[index] = client.request("POST", quote_path + "/confirm", confirm_form, keep_cookie=False)
        except OSError as error:
            answers[index] = ("error", repr(error))

    def set_deadline_mid_burst() -> None:
        """Once 40 % of the burst is stored, fix the deadline 0.3 s ahead: the rest races it."""
        with app.app_context():
            while not done.is_set():
                stored = db.session.scalar(
                    sa.select(sa.func.count()).select_from(SealedQuote).join(Registration).where(Registration.project_id == project_id)
                )
                db.session.rollback()
                if stored >= count * 0.4:
                    deadline = datetime.now(timezone.utc) + timedelta(seconds=0.3)
                    db.session.execute(sa.update(Project).where(Project.id == project_id).values(opening_at=deadline))
                    db.session.commit()
                    deadline_box.update(deadline=deadline, committed=datetime.now(timezone.utc), stored_when_set=stored)
                    break
                time.sleep(0.02)
            db.session.remove()

    threads = [threading.Thread(target=fire, args=(i, c, f)) for i, (c, _, f) in enumerate(clients)]
    for thread in threads:
        thread.start()
    monitor = threading.Thread(target=set_deadline_mid_burst)
    monitor.start()
    started = time.monotonic()
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    done.set()
    monitor.join()
    if "deadline" not in deadline_box:
        raise RuntimeError("the burst ended before 40 % of it was stored; no deadline was crossed")
    deadline = deadline_box["deadline"]

    serializer = None
    with app.app_context():
        serializer = app.session_interface.get_signing_serializer(app)
    tally = {"accepted": 0, "refused_deadline": 0, "refused_other": 0, "5xx": 0, "other": 0, "connection_errors": 0}
    accepted: dict[int, int] = {}
    not_accepted: set[int] = set()
    for (client, registration_id, _form), answer in zip(clients, answers):
        if answer is None or answer[0] == "error":
            tally["connection_errors"] += 1
            not_accepted.add(registration_id)
            continue
        status, location, _, cookie = answer
        match = RECEIPT_RE.search(location)
        if status >= 500:
            tally["5xx"] += 1
            not_accepted.add(registration_id)
        elif status == 302 and match:
            tally["accepted"] += 1
            accepted[registration_id] = int(match.group(1))
        elif status == 302:
            flashes = serializer.loads(cookie.split("=", 1)[1]).get("_flashes", []) if cookie else []
            text = " ".join(message for _, message in flashes)
            tally["refused_deadline" if "不再接受报价" in text else "refused_other"] += 1
            not_accepted.add(registration_id)
        else:
            tally["other"] += 1
            not_accepted.add(registration_id)

    with app.app_context():
        stored = {
            q.registration_id: q
            for q in db.session.scalars(
                sa.select(SealedQuote).where(SealedQuote.registration_id.in_([r for _, r, _ in clients]))
            )
        }
        currents = db.session.scalar(
            sa.select(sa.func.count()).select_from(SealedQuote).where(
                SealedQuote.registration_id.in_([r for _, r, _ in clients]), SealedQuote.is_current.is_(True)
            )
        )
        lost = sum(1 for r, v in accepted.items() if r not in stored or stored[r].version != v or not stored[r].is_current)
        phantom = sum(1 for r in stored if r not in accepted)
        late = sum(1 for q in stored.values() if q.submitted_at >= deadline)
        first = min((q.submitted_at for q in stored.values()), default=None)
        last = max((q.submitted_at for q in stored.values()), default=None)
        # wait for the deadline to pass, then open through the service: every accepted quote must verify
        time.sleep(max(0.0, (deadline - datetime.now(timezone.utc)).total_seconds()) + 0.1)
        try:
            opened = opening.open_quotes(project_id, db.session.get(User, seed.buyer_id))
            opened_ids = {o.registration_id for o in opened}
            opened_ok = all(o.hash_verified for o in opened)
            open_error = None
        except ServiceError as error:
            opened_ids, opened_ok, open_error = set(), False, str(error)
        db.session.remove()
    return {
        "submissions": count,
        "burst_seconds": round(elapsed, 2),
        "deadline_set_when_stored": deadline_box["stored_when_set"],
        "deadline_committed_before_it": deadline_box["committed"] < deadline,
        **tally,
        "lost": lost + phantom,
        "stored_after_deadline": late,
        "current_rows": currents,
        "opened": len(opened_ids),
        "opened_equals_accepted": opened_ids == set(accepted),
        "all_hashes_verified": opened_ok,
        "open_error": open_error,
        "first_accepted_before_deadline_s": round((deadline - first).total_seconds(), 3) if first else None,
        "last_accepted_before_deadline_s": round((deadline - last).total_seconds(), 3) if last else None,
    }


# --------------------------------------------------------------------------------------------


def run_one(kind: str, args) -> dict:
    """Seed a scratch database, start gunicorn, run both measurements, stop, clean up."""
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-quotes-{kind}-"))
    url = scratch_database(kind, workdir, args.pg_url)
    os.environ.update(
        {
            "PROCUREMENT_CONFIG": "production",
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(workdir / "instance"),
            "SECRET_KEY": os.urandom(24).hex(),
            "SEAL_KEK": os.urandom(32).hex(),
            "AUDIT_KEY": os.urandom(32).hex(),
            "PUBLIC_BASE_URL": "http://127.0.0.1",
            "OCID_PREFIX": "ocds-bench0",  # production refuses the placeholder
            "SESSION_COOKIE_SECURE": "0",
            "RATELIMIT_ENABLED": "0",  # every simulated client signs in from 127.0.0.1
        }
    )
    import importlib

    import config

    importlib.reload(config)  # the config classes read the environment at import
    app = bench_app()
    seeded = seed(app, args.clients, args.burst)
    port = free_port()
    server = start_gunicorn(port, workdir / "gunicorn.log")
    try:
        rates = throughput(port, seeded, args.seconds, args.rounds, same_traffic=not args.plain_alone)
        burst_result = burst(port, seeded, app)
    finally:
        stop_gunicorn(server)
        errors = (workdir / "gunicorn.log").read_text()
    with app.app_context():
        from procurement.extensions import db

        db.engine.dispose()
    drop_scratch(kind, url, args.pg_url)
    shutil.rmtree(workdir, ignore_errors=True)
    return {"database": kind, "throughput": rates, "burst": burst_result, "gunicorn_log_lines": len(errors.splitlines())}


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run the chosen databases, print the figures (JSON and a summary)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients in the throughput run")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each throughput round")
    parser.add_argument("--rounds", type=int, default=2, help="sealed/plain round pairs")
    parser.add_argument("--burst", type=int, default=500, help="submissions in the deadline burst")
    parser.add_argument(
        "--plain-alone", action="store_true", help="plain rounds post only the plain insert (the issue-5 comparison)"
    )
    args = parser.parse_args(argv)
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    results = [run_one(kind, args) for kind in kinds]
    print(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    failed = False
    for result in results:
        t, b = result["throughput"], result["burst"]
        print(
            f"\n{result['database']}: sealed {t['sealed']['per_second']}/s, plain {t['plain']['per_second']}/s, "
            f"ratio plain/sealed {t['ratio_plain_to_sealed']} (whole flows); confirmations "
            f"{t['sealed']['write_requests_per_second']}/s against plain inserts {t['plain']['write_requests_per_second']}/s, "
            f"sealed ÷ plain {t['ratio_sealed_to_plain']}; burst of {b['submissions']}: accepted {b['accepted']}, "
            f"refused {b['refused_deadline'] + b['refused_other']} (deadline {b['refused_deadline']}), lost {b['lost']}, "
            f"5xx {b['5xx']}, opened {b['opened']} (all verified: {b['all_hashes_verified']})"
        )
        if b["lost"] or b["5xx"] or b["connection_errors"] or not b["opened_equals_accepted"] or not b["all_hashes_verified"]:
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
