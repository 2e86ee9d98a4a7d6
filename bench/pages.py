"""Benchmark: SQL statements and response times of the main pages at 10, 100 and 1,000 rows.

Run from the repository root::

    .venv/bin/python bench/pages.py                    # SQLite and PostgreSQL, one after the other
    .venv/bin/python bench/pages.py --db sqlite --quick

For each database it seeds a scratch database (an SQLite file in a temporary folder, or
``<db>_bench_pages`` created beside the database named in ``--pg-url`` and dropped afterwards) with
1,000 suppliers and 50 projects: three of them opened, with 10, 100 and 1,000 accepted registrations,
each with a current sealed quote and its opened quote, a seated panel that declared no conflict, a
started evaluation and the opening record PDF; the others published (a few drafts) with about 25
registrations each. Rows are inserted in bulk from the models (the services would consult the
working-day calendar about today and seal 1,110 quotes one by one); the opening record is issued
through the real service.

Then gunicorn (2 sync workers, production configuration) serves ``bench.wsgi:app``: the real
application plus the bench-only ``GET /bench/trivial`` (a few bytes, no database) and the
``X-SQL-Statements`` response header (a ``before_cursor_execute`` counter per request). One client
signs in through the real login form as buyer staff, as the panel member and as suppliers, and for
every page and size alternates a request to the trivial route with one to the page, so drift on a
shared machine hits both. Per page it reports the statements of one request, p50 and p95, the
trivial route's p50 and p95 measured alongside, and p95 ÷ trivial p95.

Goal (issue 11): every page's statement count is the same at every size, and p95 is within 5× the
trivial route at 1,000 registrations. Nothing here is a timed test; the figures go to
``bench/README.md``. The exit status is non-zero on any 5xx (or any page not answering 200).
Traffic goes only to 127.0.0.1.
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.quotes import drop_scratch, scratch_database  # noqa: E402

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "bench-password-1"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
STATEMENTS_HEADER = "X-SQL-Statements"
ITEMS = (("复印纸", "A4 70g", "包", "100", "30.00"), ("硒鼓", "CF228A", "个", "10", "450.00"), ("中性笔", "0.5mm 黑", "盒", "20", None))
BASE_PRICES = (Decimal("25.00"), Decimal("420.00"), Decimal("21.50"))
# Candidate endpoints of a separate registration list page (issue 11, point 6); until one exists the
# list is a section of the buyer's project page, which is what "registration list" then measures.
REGISTRATION_LIST_ENDPOINTS = ("buyer.registrations", "buyer.project_registrations", "buyer.registration_list")


# --------------------------------------------------------------------------------------------
# The seed
# --------------------------------------------------------------------------------------------


@dataclass
class SizedProject:
    """An opened project with ``size`` participants, and the supplier whose home is measured at this size."""

    size: int
    project_id: int
    supplier_email: str
    supplier_registrations: int


@dataclass
class Seed:
    """What :func:`seed` created."""

    buyer_email: str
    panel_email: str
    projects: int
    suppliers: int
    registrations: int
    sized: dict[int, SizedProject] = field(default_factory=dict)


def _insert(model, rows: list[dict]) -> list[int]:
    """Bulk-insert ``rows`` into ``model``'s table; their new ids, in order."""
    import sqlalchemy as sa

    from procurement.extensions import db

    if not rows:
        return []
    ids: list[int] = []
    for start in range(0, len(rows), 2000):
        statement = sa.insert(model).returning(model.id, sort_by_parameter_order=True)
        ids.extend(db.session.scalars(statement, rows[start : start + 2000]).all())
    return ids


def _uscc(n: int) -> str:
    from stdnum.cn import uscc

    body = "91540102" + f"MA6T{n:05d}"
    return body + uscc.calc_check_digit(body)


def _resident_id(n: int) -> str:
    from stdnum.cn import ric

    body = "540102" + "19850101" + f"{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def seed(app, sizes: list[int], *, suppliers: int = 1000, projects: int = 50, background_registrations: int = 25) -> Seed:
    """Create the schema and the rows described in the module docstring; return what to visit."""
    from werkzeug.security import generate_password_hash

    from bench.wsgi import bench_metadata
    from procurement.domain.qualification import ARTICLE22_DECLARATIONS, RegistrationFacts, overall_status, required_documents, run_checks
    from procurement.domain.schedule import BEIJING
    from procurement.domain.sealing import generate_project_keys
    from procurement.extensions import db
    from procurement.keys import load_kek
    from procurement.models import (
        BoqItem,
        Company,
        Evaluation,
        OpenedQuote,
        OpenedQuoteLine,
        PanelMember,
        Project,
        QualificationCheck,
        Registration,
        RegistrationDocument,
        SealedQuote,
        StoredFile,
        User,
    )
    from procurement.models.projects import DEFAULT_CRITERIA
    from procurement.services import opening

    sizes = sorted(sizes)
    if max(sizes) > suppliers:
        raise ValueError("every size needs that many suppliers")
    if projects < len(sizes) + 1:
        raise ValueError("need at least one project besides the sized ones")
    now = datetime.now(timezone.utc)
    today = now.astimezone(BEIJING).date()
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    with app.app_context():
        db.create_all()
        bench_metadata.create_all(db.engine)
        buyer_id, panel_id, *other_panel = _insert(
            User,
            [
                {"email": "buyer@bench.local", "password_hash": password_hash, "role": "buyer", "name": "措姆", "created_at": now},
                {"email": "panel@bench.local", "password_hash": password_hash, "role": "panel", "name": "格桑", "created_at": now},
                {"email": "panel2@bench.local", "password_hash": password_hash, "role": "panel", "name": "陈静", "created_at": now},
                {"email": "panel3@bench.local", "password_hash": password_hash, "role": "panel", "name": "索朗", "created_at": now},
            ],
        )
        # Suppliers: a complete company profile, an account, four scans each (rows only: nothing here downloads them).
        company_rows = [
            {
                "name": f"拉萨基准{n:04d}商贸有限公司",
                "uscc": _uscc(n),
                "registered_address": "西藏自治区拉萨市城关区测试路 1 号",
                "premises_division": "540102",
                "premises_address": "城关区北京中路 1 号",
                "legal_rep_name": "次仁",
                "legal_rep_id_number": _resident_id(n),
                "contact_name": "次仁",
                "contact_mobile": "13908910001",
                "created_at": now,
            }
            for n in range(suppliers)
        ]
        company_ids = _insert(Company, company_rows)
        supplier_user_ids = _insert(
            User,
            [
                {
                    "email": f"s{n:04d}@bench.local",
                    "password_hash": password_hash,
                    "role": "supplier",
                    "name": f"联系人{n}",
                    "company_id": company_ids[n],
                    "created_at": now,
                }
                for n in range(suppliers)
            ],
        )
        kinds = required_documents(False, premises=True)
        file_ids = _insert(
            StoredFile,
            [
                {
                    "sha256": hashlib.sha256(f"{n}-{kind}".encode()).hexdigest(),
                    "size": 2048,
                    "mime_type": "image/png" if kind == "legal_rep_id" else "application/pdf",
                    "original_name": f"{kind}.pdf",
                    "storage_path": f"bench/{n}-{kind}",
                    "uploaded_at": now,
                    "uploaded_by_id": supplier_user_ids[n],
                }
                for n in range(suppliers)
                for kind in kinds
            ],
        )
        files_of = {n: dict(zip(kinds, file_ids[n * len(kinds) : (n + 1) * len(kinds)])) for n in range(suppliers)}
        declarations = {key: True for key in ARTICLE22_DECLARATIONS}

        def snapshot(n: int) -> dict:
            row = company_rows[n]
            return {key: row[key] for key in row if key != "created_at"}

        # Projects: the sized ones (opened) first, then the background (published, the last three drafts).
        keys = generate_project_keys(load_kek())
        project_rows = []
        n_background = projects - len(sizes)
        for index in range(projects):
            sized = index < len(sizes)
            draft = not sized and index >= projects - min(3, n_background - 1)
            opening_at = now - timedelta(days=2) if sized else now + timedelta(days=10 + index % 7)
            published_on = today - timedelta(days=20 if sized else 2)
            row = {
                "code": f"BENCH-{index + 1:03d}",
                "title": f"基准测试项目{index + 1:03d}：办公用品供应商遴选",
                "buyer_name": "西藏日报社",
                "contract_term": "自合同签订之日起1年",
                "requirements_text": "具体详见询比价文件及公告",
                "specific_requirement": "在拉萨有固定的实体经营场所",
                "registration_place": "西藏传媒集团二楼",
                "opening_place": "西藏传媒集团二楼会议室",
                "opening_at": opening_at,
                "contact_name": "措姆女士",
                "contact_phone": "13618906639",
                "status": "draft" if draft else ("opened" if sized else "published"),
                "created_by_id": buyer_id,
                "created_at": now - timedelta(days=30, minutes=index),
            }
            if not draft:
                row |= {
                    "public_key": keys.public_key,
                    "wrapped_private_key": keys.wrapped_private_key,
                    "published_on": published_on,
                    "registration_opens": published_on + timedelta(days=1),
                    "registration_closes": published_on + timedelta(days=7),
                    "notice_ends": published_on + timedelta(days=7),
                    "published_at": now - timedelta(days=20 if sized else 2),
                }
            if sized:
                row |= {"opened_at": opening_at + timedelta(minutes=5), "status_changed_at": opening_at + timedelta(minutes=5), "status_changed_by_id": buyer_id}
            project_rows.append(row)
        project_ids = _insert(Project, project_rows)
        item_rows = []
        for project_id in project_ids:
            for position, (name, spec, unit, quantity, ceiling) in enumerate(ITEMS, start=1):
                item_rows.append(
                    {
                        "project_id": project_id,
                        "position": position,
                        "name": name,
                        "specification": spec,
                        "unit": unit,
                        "quantity": Decimal(quantity),
                        "ceiling_unit_price": Decimal(ceiling) if ceiling else None,
                    }
                )
        item_ids = _insert(BoqItem, item_rows)
        items_of = {pid: item_ids[i * len(ITEMS) : (i + 1) * len(ITEMS)] for i, pid in enumerate(project_ids)}

        # Who registers where: supplier n is in the sized project of size s when n < s; background
        # project b gets a window of suppliers; the supplier measured at size s (index s - 1) also
        # registers for background projects until it has min(s, open projects) registrations.
        sized_ids = {size: project_ids[i] for i, size in enumerate(sizes)}
        background_ids = [pid for pid, row in zip(project_ids, project_rows) if row["status"] == "published"]
        pairs: dict[int, set[int]] = {pid: set(range(size)) for size, pid in sized_ids.items()}
        for b, pid in enumerate(background_ids):
            pairs[pid] = {(b * background_registrations + k) % suppliers for k in range(min(background_registrations, suppliers))}
        for size in sizes:
            n = size - 1
            have = sum(1 for pid in pairs if n in pairs[pid])
            for pid in background_ids:
                if have >= size:
                    break
                if n not in pairs[pid]:
                    pairs[pid].add(n)
                    have += 1
        registered_at = {pid: (now - timedelta(days=12)) if pid in sized_ids.values() else (now - timedelta(days=1)) for pid in pairs}
        registration_rows, order = [], []
        for pid in project_ids:
            for n in sorted(pairs.get(pid, ())):
                at = registered_at[pid] + timedelta(seconds=n)
                registration_rows.append(
                    {
                        "project_id": pid,
                        "company_id": company_ids[n],
                        "status": "accepted",
                        "declarations": declarations,
                        "company_snapshot": snapshot(n),
                        "created_at": at,
                        "submitted_at": at,
                        "created_by_id": supplier_user_ids[n],
                    }
                )
                order.append((pid, n))
        registration_ids = _insert(Registration, registration_rows)
        registration_of = dict(zip(order, registration_ids))

        # Each registration's documents and its registration-time check, as the service records them.
        results_of: dict[int, tuple[str, list[dict]]] = {}
        criteria = list(DEFAULT_CRITERIA)
        for n in {n for _, n in order}:
            row = company_rows[n]
            facts = RegistrationFacts(
                uscc=row["uscc"],
                legal_rep_id=row["legal_rep_id_number"],
                via_agent=False,
                agent_id=None,
                consortium=False,
                declarations=declarations,
                documents=frozenset(kinds),
                premises_division=row["premises_division"],
                premises_address=row["premises_address"],
                credit_hits=(),
            )
            results = run_checks(facts, criteria)
            results_of[n] = (
                overall_status(results),
                [
                    {
                        "criterion": r.criterion,
                        "status": r.status,
                        "message": r.message,
                        "params": {k: list(v) if isinstance(v, tuple) else v for k, v in r.params.items()},
                    }
                    for r in results
                ],
            )
        document_rows, check_rows = [], []
        for (pid, n), rid in registration_of.items():
            at = registered_at[pid] + timedelta(seconds=n)
            document_rows.extend(
                {"registration_id": rid, "kind": kind, "stored_file_id": files_of[n][kind], "uploaded_at": at} for kind in kinds
            )
            overall, results = results_of[n]
            check_rows.append(
                {"registration_id": rid, "run_at": at, "context": "registration", "overall": overall, "results": results, "list_versions": {}}
            )
        _insert(RegistrationDocument, document_rows)
        _insert(QualificationCheck, check_rows)

        # The sized projects: one current quote per participant, opened; the panel seated and declared; the evaluation started.
        for size, pid in sized_ids.items():
            project_row = project_rows[project_ids.index(pid)]
            participants = sorted(pairs[pid])
            sealed_ids = _insert(
                SealedQuote,
                [
                    {
                        "registration_id": registration_of[(pid, n)],
                        "version": 1,
                        "kind": "quote",
                        "sealed": b"sealed-by-bench",
                        "receipt_hash": hashlib.sha256(f"bench-{pid}-{n}".encode()).hexdigest(),
                        "submitted_at": project_row["opening_at"] - timedelta(hours=2, seconds=-n),
                        "submitted_by_id": supplier_user_ids[n],
                        "is_current": True,
                    }
                    for n in participants
                ],
            )
            quotes, lines_of = [], []
            for n, sealed_id in zip(participants, sealed_ids):
                factor = Decimal(90 + n % 20) / 100
                prices = [(price * factor).quantize(Decimal("0.01")) for price in BASE_PRICES]
                lines = [
                    {"boq_item_id": item_id, "unit_price": price, "line_total": (Decimal(spec[3]) * price).quantize(Decimal("0.01"))}
                    for item_id, price, spec in zip(items_of[pid], prices, ITEMS)
                ]
                quotes.append(
                    {
                        "project_id": pid,
                        "registration_id": registration_of[(pid, n)],
                        "sealed_quote_id": sealed_id,
                        "total": sum((line["line_total"] for line in lines), Decimal("0.00")),
                        "opened_at": project_row["opened_at"],
                        "hash_verified": True,
                    }
                )
                lines_of.append(lines)
            opened_ids = _insert(OpenedQuote, quotes)
            _insert(OpenedQuoteLine, [line | {"opened_quote_id": oid} for oid, lines in zip(opened_ids, lines_of) for line in lines])
            seated = project_row["opened_at"] + timedelta(minutes=10)
            _insert(
                PanelMember,
                [
                    {
                        "project_id": pid,
                        "user_id": user_id,
                        "is_chair": user_id == panel_id,
                        "appointed_at": seated,
                        "conflict_declared": False,
                        "declared_at": seated,
                    }
                    for user_id in (panel_id, *other_panel)
                ],
            )
            _insert(Evaluation, [{"project_id": pid, "started_at": seated + timedelta(minutes=20), "tie_draws": []}])
        db.session.commit()
        # The opening record PDF, rendered and stored by the real service (as the opening does).
        buyer = db.session.get(User, buyer_id)
        for pid in sized_ids.values():
            opening.issue_opening_record(db.session.get(Project, pid), actor=buyer)
            db.session.commit()
        result = Seed(
            buyer_email="buyer@bench.local",
            panel_email="panel@bench.local",
            projects=projects,
            suppliers=suppliers,
            registrations=len(registration_ids),
        )
        for size, pid in sized_ids.items():
            n = size - 1
            result.sized[size] = SizedProject(size, pid, f"s{n:04d}@bench.local", sum(1 for p in pairs if n in pairs[p]))
        db.session.remove()
    return result


# --------------------------------------------------------------------------------------------
# The pages
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page to measure: a name, who asks for it, its path, and what its rows are."""

    name: str
    role: str  # "public", "buyer", "panel", "supplier"
    path: str
    rows: str
    size: int | None  # None: a page over every project, measured once


def registration_list_path(app, project_id: int) -> str:
    """The buyer's registration list: its own page once one exists, else the project page that holds it."""
    from flask import url_for

    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    with app.test_request_context():
        for endpoint in REGISTRATION_LIST_ENDPOINTS:
            if endpoint in endpoints:
                return url_for(endpoint, project_id=project_id)
        return url_for("buyer.project", project_id=project_id) + "#registrations"


def pages_for(app, seeded: Seed) -> list[Page]:
    """Every page of the benchmark: the two lists once, the rest once per size."""
    pages = [
        Page("public home", "public", "/", f"{seeded.projects} projects", None),
        Page("buyer project list", "buyer", "/buyer/", f"{seeded.projects} projects", None),
    ]
    for size, sized in sorted(seeded.sized.items()):
        pid = sized.project_id
        pages += [
            Page("notice", "public", f"/notices/{pid}", f"{size} registrations", size),
            Page("buyer project page", "buyer", f"/buyer/projects/{pid}", f"{size} registrations", size),
            Page("registration list", "buyer", registration_list_path(app, pid), f"{size} registrations", size),
            Page("panel review", "panel", f"/panel/projects/{pid}/review", f"{size} participants", size),
            Page("opening record", "buyer", f"/buyer/projects/{pid}/opening", f"{size} quotes", size),
            Page("opening record PDF", "buyer", f"/buyer/projects/{pid}/opening-record.pdf", f"{size} quotes", size),
            Page("supplier home", f"supplier:{sized.supplier_email}", "/supplier/", f"{sized.supplier_registrations} own registrations", size),
        ]
    order = ["public home", "notice", "buyer project list", "buyer project page", "registration list", "panel review", "opening record", "opening record PDF", "supplier home"]
    return sorted(pages, key=lambda p: (order.index(p.name), p.size or 0))


# --------------------------------------------------------------------------------------------
# HTTP over the real server
# --------------------------------------------------------------------------------------------


class Client:
    """One browser: a session cookie; ``get`` times a request and reads the statement header."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""

    def request(self, method: str, path: str, form: dict | None = None):
        """Send one request on a new connection; (status, location, body, statements, seconds)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {"User-Agent": "bench-pages"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            connection.request(method, path.split("#", 1)[0], body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            seconds = time.perf_counter() - started
            status = response.status
            location = response.getheader("Location") or ""
            statements = response.getheader(STATEMENTS_HEADER)
            cookies = response.msg.get_all("Set-Cookie") or []
        finally:
            connection.close()
        session_cookie = next((c.split(";", 1)[0] for c in cookies if c.startswith("session=")), None)
        if session_cookie:
            self.cookie = session_cookie
        return status, location, data, int(statements) if statements is not None else None, seconds

    def sign_in(self, email: str) -> None:
        """Sign in through the real login form."""
        _, _, page, _, _ = self.request("GET", "/auth/login")
        token = CSRF_RE.search(page.decode()).group(1)
        status, _, _, _, _ = self.request("POST", "/auth/login", {"email": email, "password": PASSWORD, "csrf_token": token})
        if status != 302:
            raise RuntimeError(f"sign-in failed for {email}: {status}")


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def measure(port: int, seeded: Seed, pages: list[Page], requests: int, budget: float, min_samples: int) -> list[dict]:
    """Warm each page on both workers, then alternate trivial / page requests; one dict per page."""
    clients: dict[str, Client] = {"public": Client(port)}
    for role, email in (("buyer", seeded.buyer_email), ("panel", seeded.panel_email)):
        clients[role] = Client(port)
        clients[role].sign_in(email)
    results = []
    for page in pages:
        if page.role not in clients:
            client = Client(port)
            client.sign_in(page.role.split(":", 1)[1])
            clients[page.role] = client
        client = clients[page.role]
        statuses: dict = {}
        counts: set[int] = set()
        size_bytes = 0
        for _ in range(2):  # one per worker (roughly): templates compiled, connections open
            status, _, body, statements, _ = client.request("GET", page.path)
            statuses[status] = statuses.get(status, 0) + 1
            client.request("GET", "/bench/trivial")
        page_times, trivial_times = [], []
        started = time.monotonic()
        for i in range(requests):
            status, _, _, _, seconds = client.request("GET", "/bench/trivial")
            if status != 200:
                statuses[f"trivial {status}"] = statuses.get(f"trivial {status}", 0) + 1
            trivial_times.append(seconds)
            status, _, body, statements, seconds = client.request("GET", page.path)
            statuses[status] = statuses.get(status, 0) + 1
            if statements is not None:
                counts.add(statements)
            size_bytes = len(body)
            page_times.append(seconds)
            if i + 1 >= min_samples and time.monotonic() - started > budget:
                break
        p95, trivial_p95 = percentile(page_times, 0.95), percentile(trivial_times, 0.95)
        results.append(
            {
                "page": page.name,
                "rows": page.rows,
                "size": page.size,
                "path": page.path,
                "statements": sorted(counts),
                "requests": len(page_times),
                "p50_ms": round(statistics.median(page_times) * 1000, 1),
                "p95_ms": round(p95 * 1000, 1),
                "trivial_p50_ms": round(statistics.median(trivial_times) * 1000, 1),
                "trivial_p95_ms": round(trivial_p95 * 1000, 1),
                "ratio_p95": round(p95 / trivial_p95, 1),
                "bytes": size_bytes,
                "statuses": statuses,
            }
        )
        print(f"  {page.name:20} {page.rows:26} statements {results[-1]['statements']} p50 {results[-1]['p50_ms']} ms "
              f"p95 {results[-1]['p95_ms']} ms (trivial p95 {results[-1]['trivial_p95_ms']} ms) n={len(page_times)} {statuses}", flush=True)
    return results


# --------------------------------------------------------------------------------------------
# The scratch database and gunicorn
# --------------------------------------------------------------------------------------------


def start_gunicorn(port: int, log_path: Path) -> subprocess.Popen:
    """gunicorn with 2 sync workers on 127.0.0.1:port serving ``bench.wsgi:app``."""
    command = [
        sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT),
        "--log-level", "warning", "--timeout", "600", "bench.wsgi:app",
    ]
    log = open(log_path, "w")
    process = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited:\n" + log_path.read_text())
        try:
            if Client(port).request("GET", "/bench/trivial")[0] == 200:
                time.sleep(1.0)  # let the second worker finish importing the app
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


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_one(kind: str, args) -> dict:
    """Seed a scratch database, start gunicorn, measure every page, stop, clean up."""
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-pages-{kind}-"))
    url = scratch_database(kind, workdir, args.pg_url, "pages")
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
    from procurement import create_app
    from procurement.extensions import db

    app = create_app("production")
    started = time.monotonic()
    seeded = seed(app, args.sizes, suppliers=args.suppliers, projects=args.projects)
    seed_seconds = time.monotonic() - started
    print(f"{kind}: seeded {seeded.suppliers} suppliers, {seeded.projects} projects, {seeded.registrations} registrations in {seed_seconds:.1f} s", flush=True)
    pages = pages_for(app, seeded)
    port = free_port()
    server = start_gunicorn(port, workdir / "gunicorn.log")
    try:
        results = measure(port, seeded, pages, args.requests, args.budget, args.min_samples)
    finally:
        stop_gunicorn(server)
        log = (workdir / "gunicorn.log").read_text()
    with app.app_context():
        db.engine.dispose()
    drop_scratch(kind, url, args.pg_url)
    shutil.rmtree(workdir, ignore_errors=True)
    return {
        "database": kind,
        "seed_seconds": round(seed_seconds, 1),
        "registrations": seeded.registrations,
        "pages": results,
        "gunicorn_tracebacks": log.count("Traceback"),
    }


def table(result: dict) -> str:
    """The figures of one database as a Markdown table."""
    lines = [
        "| page | rows | SQL statements | p50 | p95 | trivial p50 / p95 | p95 ÷ trivial p95 | n | response |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in result["pages"]:
        statements = " / ".join(str(s) for s in row["statements"]) or "?"
        lines.append(
            f"| {row['page']} | {row['rows']} | {statements} | {_ms(row['p50_ms'])} | {_ms(row['p95_ms'])} | "
            f"{_ms(row['trivial_p50_ms'])} / {_ms(row['trivial_p95_ms'])} | {row['ratio_p95']} | {row['requests']} | {_kb(row['bytes'])} |"
        )
    return "\n".join(lines)


def _ms(value: float) -> str:
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"


def _kb(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} KB"


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run the chosen databases, print the figures (JSON and one table each)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--sizes", default="10,100,1000", help="registrations of the opened projects, comma-separated")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page (each after a trivial one)")
    parser.add_argument("--budget", type=float, default=12.0, help="seconds per page after which a slow page stops early")
    parser.add_argument("--min-samples", type=int, default=5, help="timed requests per page at least, whatever the budget")
    parser.add_argument("--suppliers", type=int, default=1000)
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="smoke run: sizes 3,6, 20 suppliers, 6 projects, 3 requests")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.suppliers, args.projects, args.requests, args.min_samples, args.budget = "3,6", 20, 6, 3, 3, 2.0
    args.sizes = sorted({int(s) for s in str(args.sizes).split(",") if s.strip()})
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    results = [run_one(kind, args) for kind in kinds]
    print(json.dumps(results, indent=2, ensure_ascii=False))
    failed = False
    for result in results:
        print(f"\n{result['database']} ({result['registrations']} registrations, seeded in {result['seed_seconds']} s):\n")
        print(table(result))
        bad = [row for row in result["pages"] if any(status != 200 for status in row["statuses"])]
        for row in bad:
            print(f"  {row['page']} {row['path']}: answers {row['statuses']}")
        if bad or result["gunicorn_tracebacks"]:
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
