"""Every form survives hostile input: generated values posted with a valid CSRF token never give a 5xx.

How it finds the forms, so that a new form is covered without editing this file (``tests/form_crawl.py``):

1. Each *scenario* builds a world with the factories and signs in one client per role.
2. Each role's client crawls the pages it can reach, and every POST form on them is parsed.
3. Every file input is sent each case of the hostile-upload corpus first (``tests/corpus.py``, ``tests/upload_refusals.py``: PDFs
   with JavaScript, launch actions or attachments, polyglots, a 20000×20000 PNG, zip bombs, SVG,
   empty and oversize files, hostile names...): each must be refused with 400, a Chinese message
   beside the input, and nothing stored.
4. Each form is posted with values Hypothesis derives from the page's own: huge and negative
   numbers, Unicode digits (², ٣, full-width), NaN and infinities, impossible dates, NUL bytes,
   very long text, repeated keys, unknown or invalid ids in hidden and select fields, odd files.
   The response must be below 500 (the test app propagates exceptions, so a crash fails here
   with its traceback).

Before each form the database is put back to the scenario's snapshot (SQLite), and before each
example the client's cookies are restored, so a form that succeeded (a project cancelled, a
quote confirmed, a sign-out) does not hide the forms after it.

:func:`test_every_post_route_is_fuzzed` fails when a POST route of ``app.url_map`` is found by
no scenario and is not in :data:`EXCLUDED` (with a reason), and
:func:`test_every_upload_field_gets_the_corpus` when a form class with a file field is found by no
scenario: give the new form a page a role can reach, or extend a scenario so the state it needs exists.
"""
from __future__ import annotations

import io
import shutil

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import example as hypothesis_example
from hypothesis import strategies as st
from wtforms import FileField  # flask_wtf's FileField and MultipleFileField both derive from it
from wtforms.fields.core import UnboundField

from procurement.extensions import db
from procurement.forms_common import BaseForm
from tests import factories as f
from tests.conftest import make_test_app
from tests.upload_refusals import file_inputs, refuse_hostile_uploads
from tests.form_crawl import SCENARIOS, FoundForm, base_fields, baseline, build_world, discover

# POST routes no scenario reaches, each with the reason. Keep it short.
EXCLUDED: dict[str, str] = {}


def examples_per_form() -> int:
    """Generated examples per form, after the sweep: a sixth of the profile's max_examples, at least 6 (ci: 8)."""
    return max(6, settings.default.max_examples // 6)


# --------------------------------------------------------------------------- hostile values

HOSTILE = [
    "", " ", "0", "-1", "-0", "+1", "1.5", "1,000", "1e5", "1e999999", "-1e999999",
    "9" * 30, "9" * 400, "-" + "9" * 400, "9" * 5000,
    "²", "٣", "１２３", "¹²³", "Ⅻ", "〇",
    "NaN", "nan", "sNaN", "Infinity", "-Infinity", "inf",
    "9999-99-99", "0000-00-00", "0001-01-01", "9999-12-31", "2024-02-30", "2025-13-01",
    "0001-01-01T00:00", "9999-12-31T23:59", "2025-01-02T25:61", "9999-99-99T99:99",
    "\x00", "a\x00b", "\u202e", "\ufeff", "🙂", "'; DROP TABLE projects; --", "<script>alert(1)</script>",
    "x" * 10_000, "中" * 3000, "00:00-24:00", "18:00-09:00", "99:99-99:99",
    "2147483648", "9223372036854775808", "-9223372036854775809", "yes", "no", "true", "on", "pass", "fail",
]

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)

FILE_BODIES = [b"", b"%PDF-1.4\n%%EOF\n", f.tiny_pdf(), f.tiny_png(), b"\x00" * 64, b"name,uscc\n\xff\xfe,\x00\n", b"PK\x03\x04garbage"]
FILE_NAMES = ["a.pdf", "", ".pdf", "../../etc/passwd", "x" * 300 + ".pdf", "表.xlsx", "a\x00b.pdf", "list.csv", "scan.png"]


# The sweep: each value posted in every field of every form at once (Hypothesis' explicit examples),
# so each field meets each of these whatever the generated examples happen to draw.
SWEEP = ["9" * 400, "9" * 30, "²", "٣", "NaN", "1e999999", "-1", "9999-99-99", "0001-01-01T00:00", "a\x00b", "x" * 10_000, ""]


def _fillable(form: FoundForm) -> list[str]:
    names = []
    for x in form.fields:
        if x.kind in ("submit", "button", "reset", "image", "file") or x.name == "csrf_token" or x.name.endswith("-csrf_token"):
            continue
        if x.name not in names:
            names.append(x.name)
    return names


def sweep_examples(form: FoundForm) -> list[list[tuple[str, object]]]:
    """Every fillable field set to one SWEEP value; then every field repeated; then nothing but the token."""
    fillable = _fillable(form)
    examples = [base_fields(form) + [(name, value) for name in fillable] for value in SWEEP]
    examples.append(base_fields(form) + [(name, value) for name in fillable for value in ("1", "9" * 30)])
    examples.append(base_fields(form))
    return examples


# One field at a time, the rest as the page has them (so the other fields' validation passes and
# the value reaches the code behind it): the values that break numbers, ids and times.
SINGLE = {
    "number": ["9" * 400, "²"],
    "hidden": ["9" * 30, "²"],
    "select": ["9" * 30, "٣"],
    "radio": ["9" * 30, "NaN"],
    "date": ["0001-01-01", "9999-12-31"],
    "datetime-local": ["0001-01-01T00:00", "9999-12-31T23:59"],
}


def single_field_examples(form: FoundForm) -> list[list[tuple[str, object]]]:
    """The baseline with one number, id, choice or time field replaced by each of its SINGLE values."""
    examples = []
    done = set()
    for x in form.fields:
        values = SINGLE.get(x.kind)
        if not values or x.name in done or x.name == "csrf_token" or x.name.endswith("-csrf_token"):
            continue
        done.add(x.name)
        rest = [(name, value) for name, value in baseline(form) if name != x.name]
        examples.extend(rest + [(x.name, value)] for value in values)
    return examples


@st.composite
def hostile_form(draw, form: FoundForm):
    """Form data for ``form``: each field kept, replaced by a hostile value, dropped or repeated."""
    data: list[tuple[str, object]] = []
    submits = [x for x in form.fields if x.kind == "submit"]
    if submits:
        chosen = draw(st.sampled_from(submits))
        data.append((chosen.name, draw(st.one_of(st.just(chosen.value), hostile_text)) if draw(st.booleans()) else chosen.value))
    # Gentle examples change a field here and there (so the rest passes validation); rough ones most.
    choices = draw(st.sampled_from([
        ["keep"] * 6 + ["hostile"],
        ["keep", "valid", "hostile", "hostile", "hostile", "drop", "repeat"],
    ]))
    radios_done: set[str] = set()
    for x in form.fields:
        if x.kind in ("submit", "button", "reset", "image"):
            continue
        if x.name == "csrf_token" or x.name.endswith("-csrf_token"):
            data.append((x.name, x.value))
            continue
        if x.kind == "file":
            if draw(st.booleans()):
                data.append((x.name, (io.BytesIO(draw(st.sampled_from(FILE_BODIES))), draw(st.sampled_from(FILE_NAMES)))))
            continue
        if x.kind == "radio":
            if x.name in radios_done:
                continue
            radios_done.add(x.name)
            values = [y.value for y in form.fields if y.name == x.name and y.kind == "radio"]
            checked = [y.value for y in form.fields if y.name == x.name and y.kind == "radio" and y.checked]
            base = checked[0] if checked else values[0]
        elif x.kind == "checkbox":
            base = x.value if x.checked else None
        else:
            base = x.value
        if x.kind in ("select", "select-multiple") and x.options:
            valid = draw(st.sampled_from(x.options))
        elif x.kind == "radio":
            valid = draw(st.sampled_from(values))
        else:
            valid = base
        how = draw(st.sampled_from(choices))
        if how == "drop":
            continue
        if how == "keep" and base is not None:
            data.append((x.name, base))
        elif how == "valid" and valid is not None:
            data.append((x.name, valid))
        elif how == "repeat":
            data.append((x.name, valid if valid is not None else "on"))
            data.append((x.name, draw(hostile_text)))
        elif how == "hostile":
            data.append((x.name, draw(hostile_text)))
    if draw(st.integers(0, 9)) == 0:
        data.append((draw(st.sampled_from(["id", "project_id", "registration_id", "__proto__", "price_0", "v-0-x"])), draw(hostile_text)))
    return data


# --------------------------------------------------------------------------- the tests

_forms_by_scenario: dict[str, list[FoundForm]] = {}
# Forms that name no object by id (sign-in, calendar, accounts, a new project, a credit list's import...)
# look the same in every scenario and to every user of a role: fuzz each once per session.
_fuzzed_plain_forms: set[tuple] = set()


def _snapshot_database(app, tmp_path):
    """Copy the SQLite file (None on PostgreSQL, where the state is not restored between forms)."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if not url.drivername.startswith("sqlite"):
        return None
    db.session.commit()
    db.session.remove()
    db.engine.dispose()
    saved = tmp_path / "snapshot.sqlite3"
    shutil.copyfile(url.database, saved)
    return url.database, saved


def _restore_database(snapshot) -> None:
    if snapshot is None:
        return
    live, saved = snapshot
    db.session.remove()
    db.engine.dispose()
    shutil.copyfile(saved, live)


def _post(client, form: FoundForm, data) -> int:
    if form.multipart:
        response = client.post(form.action, data=_multidict(data), content_type="multipart/form-data")
    else:
        response = client.post(form.action, data=_multidict(data))
    return response.status_code


def _multidict(data):
    from werkzeug.datastructures import MultiDict

    fresh = []
    for name, value in data:
        if isinstance(value, tuple):  # a file: a new stream each post, Hypothesis may reuse the example
            body, filename = value
            value = (io.BytesIO(body.getvalue()), filename)
        fresh.append((name, value))
    return MultiDict(fresh)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_hostile_values_never_give_a_server_error(app, clock, tmp_path, name):
    world = build_world(name, app, clock)
    forms = discover(app, world)
    _forms_by_scenario[name] = forms
    assert forms, f"scenario {name} found no form"
    snapshot = _snapshot_database(app, tmp_path)
    cookies = {role: dict(client._cookies) for role, client in world.clients.items()}  # noqa: SLF001 - restore sign-in
    # First the hostile-upload corpus into every file input (it stores nothing but a registration's
    # draft, and the snapshot is restored before each form below).
    clock.set(world.now)
    refuse_hostile_uploads(app, world, forms)

    for form in forms:
        if not form.has_ids:
            if form.plain_signature() in _fuzzed_plain_forms:
                continue
            _fuzzed_plain_forms.add(form.plain_signature())
        _restore_database(snapshot)
        clock.set(world.now)
        client = world.clients[form.role]

        @settings(
            max_examples=examples_per_form(),
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        )
        @given(data=hostile_form(form))
        def post_hostile(data):
            client._cookies = dict(cookies[form.role])  # noqa: SLF001
            status = _post(client, form, data)
            assert status < 500, f"{form.endpoint} ({form.action}) as {form.role} answered {status} for {data!r}"

        for example in sweep_examples(form) + single_field_examples(form):
            post_hostile = hypothesis_example(data=example)(post_hostile)
        post_hostile()


def _forms_of_every_scenario(clock, tmp_path, database_template) -> dict[str, list[FoundForm]]:
    """The forms each scenario found in this run; a scenario not run here (say, -k) discovers on an app of its own."""
    for name in SCENARIOS:
        if name in _forms_by_scenario:
            continue
        (tmp_path / name).mkdir()
        other = make_test_app(database_template, tmp_path / name)
        other.extensions["clock"] = clock
        with other.app_context():
            _forms_by_scenario[name] = discover(other, build_world(name, other, clock))
            db.session.remove()
            db.engine.dispose()
    return _forms_by_scenario


def test_every_post_route_is_fuzzed(app, clock, tmp_path, database_template):
    """Every POST route is reached by a scenario or excluded with a reason."""
    post_endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}
    found = {form.endpoint for forms in _forms_of_every_scenario(clock, tmp_path, database_template).values() for form in forms}
    stale = set(EXCLUDED) - post_endpoints
    assert not stale, f"EXCLUDED names routes that no longer exist: {sorted(stale)}"
    missing = post_endpoints - found - set(EXCLUDED)
    assert not missing, (
        f"POST routes no scenario reaches: {sorted(missing)}. Link the form from a page its role can reach, "
        "extend a scenario in tests/form_crawl.py, or add it to EXCLUDED with a reason."
    )


def _upload_form_classes() -> dict[str, set[str]]:
    """Every form class of the app with a file field: {class name: the names of its fields}."""
    found, todo = {}, [BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        fields = {}
        for klass in reversed(cls.__mro__):
            fields.update({k: v for k, v in vars(klass).items() if isinstance(v, UnboundField)})
        if any(issubclass(v.field_class, FileField) for v in fields.values()):
            found[cls.__name__] = set(fields)
    return found


def test_every_upload_field_gets_the_corpus(app, clock, tmp_path, database_template):
    """Each form class with a file field is among the forms found (by its fields' names, prefix dropped),
    so the hostile-upload corpus reaches every upload field of the app."""
    classes = _upload_form_classes()
    assert {"RegistrationForm", "ChallengeForm", "ExplanationForm", "RfqFileForm", "QuoteUploadForm"} <= set(classes)
    forms = [form for forms in _forms_of_every_scenario(clock, tmp_path, database_template).values() for form in forms]
    seen = [{x.name.rpartition("-")[2] for x in form.fields} for form in forms if file_inputs(form)]
    missing = sorted(name for name, fields in classes.items() if not any(fields <= names for names in seen))
    assert not missing, f"upload forms no scenario reaches: {missing}; link them from a page a scenario's role can reach"
