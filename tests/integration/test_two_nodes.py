"""Two app nodes behind one (imagined) load balancer: what one node stores, the other serves.

Two gunicorn nodes with separate instance folders share one fresh PostgreSQL database, the
database file store (``FILE_STORE=database``), ``SECRET_KEY``, the KEK and Redis, as two
machines would. A supplier uploads on node 1 and the buyer views the scans on node 2; a
document issued on one node is served by both; the buyer publishes a result on node 2 and both
nodes serve every notice byte for byte. Nothing is kept in a node: a session started on node 1
is good on node 2, and no node's instance folder receives a file.

The nodes run the development configuration, whose clock is the database-backed simulated
clock (every node and this test agree on it), so the test can walk a project through its
calendar; the test process itself (the "controller") builds the states nobody clicks through
with the factories, on the same database.
"""
from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime

import pytest
import sqlalchemy as sa

from procurement.clock import get_clock
from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import GeneratedDocument, Job, Registration, User
from procurement.queries.jobs import KIND_AWARD_PUBLICATION
from tests.factories.files import as_stored
from tests.cluster import Browser, Cluster
from tests.conftest import app_on_database, database_url, drop_postgres_database, fresh_postgres_database
from tests.factories import (
    PUBLISHED_AT,
    REGISTRATION_OPEN_AT,
    make_all_blacklists,
    make_buyer,
    make_evaluated_project,
    make_project,
    make_supplier,
    registration_form,
)
from tests.factories.timing import move

pytestmark = pytest.mark.skipif(
    not database_url(), reason="several app nodes share one PostgreSQL database (SQLite is a file on one machine)"
)

RESULT_DAY = datetime(2025, 1, 6, 10, 0, tzinfo=BEIJING)  # the Monday after the evaluation report
PUBLIC_BASE_URL = "http://caigou.test"  # the proxy's address: the same in every node's PDFs
# Redis DB 3 is this suite's (COMMON.md): the job queue's nodes and workers meet there.
REDIS_URL = "redis://127.0.0.1:6379/3"
NOTICES_TIMEOUT = 300  # seconds to wait for every notice (a worker renders them one after another)


@pytest.fixture(scope="module")
def shared_env(tmp_path_factory):
    """A fresh database with the migrations applied, and the environment every node shares."""
    from flask_migrate import upgrade

    url = fresh_postgres_database("nodes")
    kek = secrets.token_hex(32)
    env = {
        "PROCUREMENT_CONFIG": "development",
        "DATABASE_URL": url,
        "FILE_STORE": "database",
        "SECRET_KEY": secrets.token_hex(32),
        "SEAL_KEK": kek,
        "AUDIT_KEY": secrets.token_hex(32),
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "REDIS_URL": REDIS_URL,
    }
    app = _controller(env, tmp_path_factory.mktemp("migrate"))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield env
    drop_postgres_database(url)


def _controller(env: dict, instance):
    """The test's own app on the shared database: the same store and KEK, the database clock."""
    return app_on_database(
        env["DATABASE_URL"], instance, FILE_STORE="database", SEAL_KEK=env["SEAL_KEK"], SEAL_KEK_FILE="",
        AUDIT_KEY=env["AUDIT_KEY"], AUDIT_KEY_FILE="", PUBLIC_BASE_URL=PUBLIC_BASE_URL,
    )


@pytest.fixture(scope="module")
def controller(shared_env, tmp_path_factory):
    """The controller app's context, with the buyer staff account every test uses."""
    app = _controller(shared_env, tmp_path_factory.mktemp("controller"))
    with app.app_context():
        make_buyer()
        make_all_blacklists()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def cluster(shared_env, tmp_path_factory):
    """Two gunicorn nodes and one job worker on the shared environment: the nodes record decisions,
    the worker issues every document."""
    cluster = Cluster(tmp_path_factory.mktemp("cluster"), shared_env)
    try:
        cluster.start_node("node1")
        cluster.start_node("node2")
        cluster.start_process("worker", ["-m", "flask", "--app", "wsgi", "worker"])
        yield cluster
    finally:
        cluster.stop()
    assert cluster.tracebacks() == {}


@pytest.fixture(scope="module")
def nodes(cluster):
    """(node 1, node 2)."""
    return tuple(p for p in cluster.processes if p.name.startswith("node"))


@pytest.fixture(autouse=True)
def fresh_reads(controller):
    """Each test reads what the nodes committed, not what the controller's session remembers."""
    db.session.rollback()
    yield
    db.session.rollback()


def make_buyer_account():
    """The buyer staff account the module's controller created."""
    return db.session.scalar(sa.select(User).where(User.email == "buyer@example.com"))


def set_clock(at: datetime) -> None:
    """Move the shared simulated clock (every node reads it from the database)."""
    move(get_clock(), at)


def _no_files_in(node) -> bool:
    return not [path for folder in ("uploads", "generated") for path in (node.instance / folder).rglob("*") if path.is_file()]


def served_by_every_node(browser: Browser, nodes, path: str, sha256: str) -> bytes:
    """GET ``path`` from each node; every node answers the same bytes, whose SHA-256 is ``sha256``."""
    bodies = []
    for node in nodes:
        answer = browser.get(node, path)
        assert answer.status == 200, (node.name, path, answer.status)
        assert hashlib.sha256(answer.body).hexdigest() == sha256, (node.name, path)
        assert answer.headers["ETag"] == f'"{sha256}"'
        bodies.append(answer.body)
    assert all(body == bodies[0] for body in bodies)
    return bodies[0]


def test_a_supplier_uploads_on_node_1_and_the_buyer_views_it_on_node_2(controller, nodes):
    node1, node2 = nodes
    project = make_project(make_buyer_account(), get_clock(), code="NODES-REG")
    supplier = make_supplier()
    fields, files = registration_form(project, supplier)
    set_clock(REGISTRATION_OPEN_AT)

    browser = Browser()
    browser.sign_in(node1, supplier.email)
    url = f"/supplier/projects/{project.id}/registration"
    answer = browser.post(node1, url, fields, files=files)
    assert answer.status == 302, answer.text

    db.session.rollback()
    registration = db.session.scalar(sa.select(Registration).where(Registration.project_id == project.id))
    assert registration.status == "accepted"
    assert {document.kind for document in registration.documents} == set(files)
    buyer_browser = Browser()
    buyer_browser.sign_in(node2, "buyer@example.com")
    for document in registration.documents:
        sent = as_stored(*files[document.kind])  # an image is kept re-encoded, a PDF byte for byte
        path = f"/buyer/projects/{project.id}/registrations/{registration.id}/documents/{document.kind}"
        answer = buyer_browser.get(node2, path)
        assert answer.status == 200 and answer.body == sent
        assert hashlib.sha256(answer.body).hexdigest() == document.stored_file.sha256
        # The supplier's session from node 1 is good on node 2, and node 1 serves the same bytes.
        served_by_every_node(browser, nodes, f"/supplier/projects/{project.id}/registration/documents/{document.kind}", document.stored_file.sha256)
    assert _no_files_in(node1) and _no_files_in(node2)


def test_a_document_issued_on_one_node_is_served_by_both(controller, nodes):
    node1, _ = nodes
    draft = make_project(make_buyer_account(), publish=False, code="NODES-PUB")
    set_clock(PUBLISHED_AT)
    buyer = Browser()
    buyer.sign_in(node1, "buyer@example.com")
    answer = buyer.post(node1, f"/buyer/projects/{draft.id}/publish", {"confirm": "yes"})
    assert answer.status == 302, answer.text

    (announcement,) = wait_for_documents(draft.id, ("announcement",), expected=1)
    body = served_by_every_node(Browser(), nodes, f"/notices/{draft.id}/notice.pdf", announcement.sha256)
    assert len(body) == announcement.size and body.startswith(b"%PDF")
    assert all(_no_files_in(node) for node in nodes)


def test_the_buyer_publishes_on_node_2_and_both_nodes_serve_every_notice(controller, nodes):
    _, node2 = nodes
    built = make_evaluated_project(make_buyer_account(), code="NODES-AWARD")
    project_id = built.project.id
    _, winner_registration = built.candidate(1)
    set_clock(RESULT_DAY)

    buyer = Browser()
    buyer.sign_in(node2, "buyer@example.com")
    page = f"/buyer/projects/{project_id}"
    assert buyer.post(node2, f"{page}/award/{winner_registration.id}/confirm", page=page).status == 302
    assert buyer.post(node2, f"{page}/award/publish", page=page).status == 302
    notices = wait_for_documents(project_id, NOTICE_KINDS, expected=1 + len(built.registrations))
    job = db.session.scalar(sa.select(Job).where(Job.project_id == project_id, Job.kind == KIND_AWARD_PUBLICATION))
    assert job is not None and job.status == "done"

    for notice in notices:
        served_by_every_node(buyer, nodes, f"{page}/documents/{notice.id}", notice.sha256)
    (announcement,) = [notice for notice in notices if notice.kind == "result_announcement"]
    served_by_every_node(Browser(), nodes, f"/results/{project_id}/result.pdf", announcement.sha256)
    winner = Browser()
    winner.sign_in(nodes[0], built.candidate(1)[0].email)
    (award_notice,) = [notice for notice in notices if notice.kind == "award_notice"]
    assert award_notice.registration_id == winner_registration.id
    served_by_every_node(winner, nodes, f"/supplier/projects/{project_id}/my-notice.pdf", award_notice.sha256)
    assert all(_no_files_in(node) for node in nodes)


NOTICE_KINDS = ("result_announcement", "award_notice", "result_notice")


def wait_for_documents(project_id: int, kinds: tuple[str, ...], *, expected: int) -> list[GeneratedDocument]:
    """The project's current documents of ``kinds``, once all ``expected`` of them exist (the worker issues them)."""
    query = sa.select(GeneratedDocument).where(
        GeneratedDocument.project_id == project_id, GeneratedDocument.kind.in_(kinds), GeneratedDocument.superseded_at.is_(None)
    )
    deadline = time.monotonic() + NOTICES_TIMEOUT
    while True:
        db.session.rollback()
        notices = db.session.scalars(query.order_by(GeneratedDocument.id)).all()
        if len(notices) >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(notices) == expected, f"{len(notices)} of {expected} documents issued (is the worker running?)"
    return notices
