"""Posting the hostile-upload corpus (``tests/corpus.py``) into the file inputs of the forms the crawl finds
(``tests/form_crawl.py``), and what each answer must be: 400, a Chinese message beside every input for
every file, free of control, bidi and invisible characters (the names it quotes are cleaned), and
nothing stored. The form fuzz test runs :func:`refuse_hostile_uploads` on each scenario's world.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from procurement.domain.text import first_forbidden
from procurement.extensions import db
from tests.corpus import REFUSED, Case
from tests.form_crawl import FoundForm, baseline


#: What the rest of a form must say for its files to be read: the agent's documents are only
#: taken from a registration through an agent.
CONTEXT = {"supplier.registration": {"registrant": "agent"}}
#: Tables a refused upload may still write to: the registration's draft keeps what was typed, and the audit trail says so.
MAY_CHANGE = {"registration", "audit_event", "audit_chain_head"}
FILLER = "测试内容"
_CJK = re.compile(r"[\u4e00-\u9fff]")
# The upload forms already posted this session (the calendar and credit-list imports show in every scenario).
_posted: set[tuple] = set()


def file_inputs(form: FoundForm) -> list[str]:
    """The names of the form's file inputs, in page order."""
    names: list[str] = []
    for x in form.fields:
        if x.kind == "file" and x.name not in names:
            names.append(x.name)
    return names


def messages_beside(html: str, name: str) -> list[str]:
    """The messages a page shows beside field ``name``."""
    return re.findall(rf'data-field-error="{re.escape(name)}">([^<]*)<', html)


def _form_data(form: FoundForm) -> MultiDict:
    """The form as the page has it, blank text filled in, with the fields its files depend on."""
    context = CONTEXT.get(form.endpoint, {})
    kinds = {x.name: x.kind for x in form.fields}
    data = MultiDict()
    for name, value in baseline(form):
        if name in context:
            continue
        if kinds.get(name) in ("text", "textarea") and not str(value).strip():
            value = FILLER
        data.add(name, value)
    for name, value in context.items():
        data.add(name, value)
    return data


def post_files(client, form: FoundForm, files: list[tuple[str, str, bytes]]):
    """POST the form with ``files`` ([(input, file name, bytes)]), encoded in memory (the test client
    would spool a big body to a temporary file it never closes)."""
    data = _form_data(form)
    for name, filename, body in files:
        data.add(name, FileStorage(io.BytesIO(body), filename=filename))
    boundary, body = encode_multipart(data)
    return client.post(form.action, data=body, content_type=f"multipart/form-data; boundary={boundary}")


class StoreWatch:
    """What an upload could have left behind: every table's row count (but :data:`MAY_CHANGE`), read in one
    statement, and the files of the folder store."""

    def __init__(self, app) -> None:
        tables = [table for table in db.metadata.sorted_tables if table.name not in MAY_CHANGE]
        self.names = [table.name for table in tables]
        self.statement = sa.select(*(sa.select(sa.func.count()).select_from(t).scalar_subquery() for t in tables))
        self.folder = Path(app.config["UPLOAD_FOLDER"])

    def state(self) -> tuple:
        counts = db.session.execute(self.statement).one()
        db.session.rollback()
        files = sorted(str(p) for p in self.folder.rglob("*") if p.is_file()) if self.folder.exists() else []
        return dict(zip(self.names, counts)), files


def _batches(form: FoundForm, limit: int) -> list[list[tuple[str, Case]]]:
    """Which (input, case) pairs go in one request: each case into every input at once, or, for a
    multiple-file input, every case at once; and alone what would pass the request limit (the 413 page)."""
    inputs = file_inputs(form)
    small = [case for case in REFUSED if len(case.data) * len(inputs) <= limit]
    multiple = all(x.multiple for x in form.fields if x.kind == "file")
    if multiple and sum(len(case.data) for case in small) <= limit:
        batches = [[(name, case) for name in inputs for case in small]]
    else:
        batches = [[(name, case) for name in inputs] for case in small]
    return batches + [[(name, case)] for case in REFUSED if case not in small for name in inputs]


def refuse_hostile_uploads(app, world, forms: list[FoundForm]) -> list[FoundForm]:
    """Post every case of :data:`REFUSED` into every file input of ``forms``; each must be refused.

    400, a Chinese message beside the input for each file (free of control, bidi and invisible
    characters: the names they quote are cleaned), and nothing stored. Returns the upload forms posted.
    """
    watch = StoreWatch(app)
    posted = []
    for form in forms:
        key = (form.endpoint, tuple(file_inputs(form)))
        if not key[1] or key in _posted:
            continue
        _posted.add(key)
        posted.append(form)
        client = world.clients[form.role]
        before = watch.state()
        for batch in _batches(form, app.config["MAX_CONTENT_LENGTH"] - 1024 * 1024):
            response = post_files(client, form, [(name, case.filename, case.data) for name, case in batch])
            where = f"{', '.join(sorted({c.label for _, c in batch}))} → {form.endpoint} ({form.action}) as {form.role}"
            assert response.status_code == 400, f"{where}: {response.status_code}"
            html = response.get_data(as_text=True)
            for name in {name for name, _ in batch}:
                messages = messages_beside(html, name)
                expected = sum(1 for n, _ in batch if n == name)
                assert len(messages) >= expected and all(_CJK.search(m) for m in messages), f"{where}: beside {name}: {messages!r}"
                assert all(first_forbidden(m) is None for m in messages), f"{where}: {messages!r}"
            assert watch.state() == before, f"{where}: something was stored"
    return posted
