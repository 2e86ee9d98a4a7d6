"""The forms of the app as its users find them: scenarios that build a world, a crawl per role, and every
POST form parsed from the pages (``tests/integration/test_form_fuzz.py`` posts hostile values to them,
``tests/integration/test_upload_corpus.py`` hostile files to their upload fields).

1. Each *scenario* builds a world with the factories (a draft and a published project, a quote
   period, an opened project under review, an evaluated one, a published result with a
   challenge, ...), sets the clock, and signs in one client per role.
2. Each role's client crawls the pages it can reach (links from its home pages, a bounded
   number of URLs per endpoint) and every ``<form method="post">`` on them is parsed with lxml:
   its action, its fields with their current values, options and types.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urljoin, urlsplit

import lxml.html

from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.services import award, calendar, challenges, evaluation, password_reset, rfq
from tests import factories as f
from tests.conftest import AuthActions, csrf_token
from tests.factories.jobs import make_failed_mail, quick_layout, recorded_renders

# Forms fuzzed last in their scenario, because success ends what the others need.
LAST = ("auth.logout", "auth.change_password")

MAX_PAGES = 90  # per client and scenario
MAX_URLS_PER_ENDPOINT = 3
SKIPPED_SUFFIXES = (".pdf", ".xlsx", ".csv", ".png", ".jpg", ".ico", ".zip", ".docx", ".txt", ".js", ".css")


# --------------------------------------------------------------------------- the forms found


@dataclass
class Field:
    """One named control of a form, as the browser would see it."""

    name: str
    kind: str  # text, hidden, checkbox, radio, select, textarea, file, submit, number, date, ...
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False
    multiple: bool = False  # a file input that takes several files


@dataclass
class FoundForm:
    """A POST form on a page: where it posts, its fields, who saw it and where."""

    endpoint: str
    action: str
    page: str
    role: str
    fields: list[Field]
    multipart: bool
    has_ids: bool = True  # the route names objects by id (a project, a member...): its state matters

    def signature(self) -> tuple:
        """Who posts it where, with which fields; ids in field names do not count (``r-6-credit`` is ``r-#-credit``):
        a panel member's review form for one supplier is that member's review form for the next."""
        return (self.role, self.endpoint, tuple(sorted({(_ID.sub("#", x.name), x.kind) for x in self.fields})))

    def plain_signature(self) -> tuple:
        """:meth:`signature` for any user of the role (``panel:ranked`` is ``panel``): for forms that name no object."""
        role, *rest = self.signature()
        return (role.split(":")[0], *rest)


_ID = re.compile(r"\d+")


def parse_forms(html: str, page_url: str, role: str, adapter) -> list[FoundForm]:
    """Every ``<form method="post">`` of a page whose action is a route of the app."""
    if not html.strip():
        return []
    doc = lxml.html.document_fromstring(html)
    found = []
    for form in doc.forms:
        if (form.get("method") or "get").lower() != "post":
            continue
        route = _route(urljoin("http://localhost" + page_url, form.get("action") or page_url), adapter)
        if route is None:
            continue
        endpoint, path, has_ids = route
        fields: list[Field] = []
        for el in form.iter("input", "select", "textarea", "button"):
            name = el.get("name")
            if not name:
                continue
            tag = el.tag
            if tag == "select":
                options = [o.get("value", o.text_content()) for o in el.iter("option")]
                selected = [o.get("value", o.text_content()) for o in el.iter("option") if o.get("selected") is not None]
                kind = "select-multiple" if el.get("multiple") is not None else "select"
                fields.append(Field(name, kind, (selected or options or [""])[0], options))
            elif tag == "textarea":
                fields.append(Field(name, "textarea", el.text or ""))
            elif tag == "button":
                if (el.get("type") or "submit").lower() == "submit":
                    fields.append(Field(name, "submit", el.get("value", "")))
            else:
                kind = (el.get("type") or "text").lower()
                value = el.get("value", "on" if kind in ("checkbox", "radio") else "")
                fields.append(Field(name, kind, value, checked=el.get("checked") is not None, multiple=el.get("multiple") is not None))
        multipart = (form.get("enctype") or "").lower() == "multipart/form-data" or any(x.kind == "file" for x in fields)
        targets = [(endpoint, path, has_ids)]
        for button in form.xpath(".//button[@formaction]|.//input[@formaction]"):
            target = _route(urljoin("http://localhost" + page_url, button.get("formaction")), adapter)
            if target is not None:
                targets.append(target)
        for target_endpoint, target_path, target_ids in targets:
            found.append(FoundForm(target_endpoint, target_path, page_url, role, fields, multipart, target_ids))
    return found


def _route(url: str, adapter) -> tuple[str, str, bool] | None:
    """(endpoint, path with query, whether it names objects by id) for a POST route of the app, else ``None``."""
    parts = urlsplit(url)
    if parts.netloc not in ("localhost", "testserver"):
        return None
    try:
        endpoint, args = adapter.match(parts.path, method="POST")
    except Exception:  # noqa: BLE001 - a 404/405 action is not a form of ours
        return None
    # Only ids make a form's state depend on the scenario; a list kind or an action name does not.
    return endpoint, parts.path + (f"?{parts.query}" if parts.query else ""), any(isinstance(v, int) for v in args.values())


def crawl(app, client, role: str, starts) -> tuple[list[FoundForm], list[str]]:
    """The POST forms on the pages ``client`` reaches from ``starts`` (bounded), and the pages visited."""
    adapter = app.url_map.bind("localhost")
    queue = list(starts)
    seen_urls: set[str] = set()
    per_endpoint: dict[str, int] = {}
    forms: list[FoundForm] = []
    visited: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen_urls:
            continue
        seen_urls.add(url)
        path = urlsplit(url).path
        if path.startswith("/static") or path.endswith(SKIPPED_SUFFIXES):
            continue
        try:
            endpoint, _ = adapter.match(path, method="GET")
        except Exception:  # noqa: BLE001 - not a GET route (or a redirect rule)
            continue
        if per_endpoint.get(endpoint, 0) >= MAX_URLS_PER_ENDPOINT:
            continue
        per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + 1
        response = client.get(url, follow_redirects=True)
        assert response.status_code < 500, f"GET {url} as {role}: {response.status_code}"
        if not response.mimetype == "text/html":
            continue
        visited.append(url)
        html = response.get_data(as_text=True)
        forms.extend(parse_forms(html, urlsplit(url).path, role, adapter))
        doc = lxml.html.document_fromstring(html) if html.strip() else None
        for href in doc.xpath("//a/@href") if doc is not None else ():
            target = urljoin("http://localhost" + url, href)
            parts = urlsplit(target)
            if parts.netloc in ("localhost", "testserver") and parts.scheme in ("http", ""):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return forms, visited


# --------------------------------------------------------------------------- scenarios


@dataclass
class World:
    """What a scenario built: a signed-in client per role, where each starts, and the clock time."""

    clients: dict[str, object]
    starts: dict[str, list[str]]
    now: datetime
    extra_forms: list[tuple[str, str, dict]] = field(default_factory=list)  # (role, POST url, data) priming steps


HOMES = {"anonymous": ["/"], "buyer": ["/buyer/", "/"], "supplier": ["/supplier/", "/"], "panel": ["/panel/", "/"]}


def _client(app, user=None):
    client = app.test_client()
    if user is not None:
        response = AuthActions(client).login(user.email)
        assert response.status_code == 302, f"{user.email} could not sign in"
    return client


def _world(app, clock, now, **users) -> World:
    clock.set(now)
    db.session.commit()
    clients = {"anonymous": _client(app)}
    starts = {"anonymous": list(HOMES["anonymous"])}
    for role, user in users.items():
        clients[role] = _client(app, user)
        starts[role] = list(HOMES[role.split(":")[0]])
    return World(clients, starts, now)


def scenario_setup(app, clock) -> World:
    """Accounts, calendar, lists; a draft and a published project in its registration window, with an RFQ file."""
    buyer = f.make_buyer()
    f.give_opening_key(f.make_panel())  # an official the draft's opening mode can name
    f.make_all_blacklists(buyer)
    f.make_project(buyer, clock, publish=False, opening_at=datetime(2025, 1, 20, 16, 0, tzinfo=BEIJING))
    published = f.make_project(buyer, clock)
    rfq.add_file(published, f.scan_upload("rfq"), "询比价文件", buyer)
    calendar.add_regional_holiday(date(2025, 2, 28), "藏历新年", buyer)
    calendar.import_year("date,kind,name\n2025-01-01,holiday,元旦\n2025-01-26,workday,春节调休\n", buyer)
    supplier = f.make_supplier()
    world = _world(app, clock, f.REGISTRATION_OPEN_AT, buyer=buyer, supplier=supplier)
    # A live password-reset link (as the mail carries it), so its new-password form is found.
    world.starts["anonymous"].append(f"/auth/reset-password/{password_reset.token_for(supplier)}")
    return world


def scenario_quoting(app, clock) -> World:
    """An accepted supplier during the quote period, one quote already sealed (so revise and withdraw show)."""
    buyer = f.make_buyer()
    project = f.make_project(buyer, clock)
    supplier = f.make_supplier()
    registration = f.make_accepted_registration(project, supplier)
    f.make_sealed_quote(registration, supplier, ("25.00", "420.00", "21.50"), clock)
    world = _world(app, clock, f.QUOTE_AT, supplier=supplier, buyer=buyer)
    prices = {f"price_{item.id}": price for item, price in zip(project.items, ("24.00", "410.00", "20.00"))}
    # The review step is the result of posting the sheet: prime it so its confirm form is found.
    world.extra_forms.append(("supplier", f"/supplier/projects/{project.id}/quote/review", {**prices, "expected_version": "1"}))
    return world


def scenario_opening(app, clock) -> World:
    """After the deadline, before the opening: the buyer opens the quotes and seats the panel; on a
    quorum project the buyer, one of its officials, enters an opening passphrase."""
    buyer = f.make_buyer()
    f.make_panel()
    f.make_panel()
    project = f.make_project(buyer, clock)
    for spec in f.OPENED_SUPPLIERS[:3]:
        user, registration = f.make_opened_registration(project, spec)
        f.make_sealed_quote(registration, user, spec.prices, clock)
    f.appoint_panel(project, ("格桑", "陈静"))
    # A quorum project whose official the buyer is: the passphrase form, the key's change and replace.
    f.make_quorum_project(buyer, clock, code="TEST-Q01")
    return _world(app, clock, datetime(2025, 1, 2, 16, 1, tzinfo=BEIJING), buyer=buyer)


# Two abnormally low quotes (2,600.00 against an average of 5,300.00): one asked to explain, one not yet.
LOW = f.OPENED_SUPPLIERS[:3] + (
    f.SupplierSpec("拉萨低价贸易有限公司", ("10.00", "150.00", "5.00")),
    f.SupplierSpec("拉萨廉价商贸有限公司", ("10.00", "150.00", "5.00")),
)


def scenario_review(app, clock) -> World:
    """Four opened projects: a panel declaring, one whose chair asked for an explanation, one reviewing, one ranked."""
    buyer = f.make_buyer()
    # Opened, the panel part-declared: one declaration form, one recused member to replace, the start button.
    undeclared = f.make_opened_project(buyer, clock, panel=("甲评委", "乙评委", "丙评委"))
    f.make_panel(name="庚评委")
    evaluation.declare(undeclared.members[0], False, None, undeclared.panel[0])
    evaluation.declare(undeclared.members[1], True, "与供应商一存在亲属关系", undeclared.panel[1])
    # Under review, every vote in: the chair asks the abnormally low supplier to explain; reopen shows.
    built = f.make_opened_project(buyer, clock, suppliers=LOW, declare=True, start=True)
    for index in range(3):
        _submit_votes(built, index)
    chair = evaluation.chair_of(built.project)
    evaluation.request_explanation(chair, built.registrations[3], datetime(2025, 1, 3, 12, 0, tzinfo=BEIJING), built.panel[0])
    # Started, nothing voted yet: the review form and the credit re-check show.
    reviewing = f.make_opened_project(
        buyer, clock, suppliers=f.OPENED_SUPPLIERS[:3], panel=("辛评委", "壬评委", "癸评委"), declare=True, start=True
    )
    # Reviewed and ranked: the report's confirmation form shows.
    ranked = f.make_opened_project(buyer, clock, panel=("丁评委", "戊评委", "己评委"), declare=True, start=True)
    for index in range(3):
        _submit_votes(ranked, index)
    evaluation.rank(evaluation.chair_of(ranked.project), ranked.panel[0])
    world = _world(
        app, clock, f.REVIEW_AT,
        panel=built.panel[0],
        supplier=built.suppliers[3],
        buyer=buyer,
        **{"panel:undeclared": undeclared.panel[2], "panel:ranked": ranked.panel[1], "panel:reviewing": reviewing.panel[0]},
    )
    world.starts["buyer"].insert(0, f"/buyer/projects/{undeclared.project.id}/panel")
    return world


def _submit_votes(built, index: int) -> None:
    """Member ``index`` of ``built`` passes every cell and submits."""
    cells = [
        evaluation.CellInput(registration.id, criterion, "pass", "")
        for registration in built.registrations
        for criterion in evaluation.criteria_of(built.project)
    ]
    evaluation.save_votes(built.members[index], cells, submit=True, actor=built.panel[index])


def scenario_award(app, clock) -> World:
    """Three evaluated projects: on one the buyer confirms or drops candidates, on another publishes
    the result, on the third the publication's job failed (its retry button shows); and a mail whose
    delivery failed (its 重新发送 shows on the home)."""
    buyer = f.make_buyer()
    f.make_evaluated_project(buyer, clock)
    confirmed = f.make_evaluated_project(buyer, clock)
    failed = f.make_evaluated_project(buyer, clock)
    clock.set(datetime(2025, 1, 6, 10, 0, tzinfo=BEIJING))
    award.confirm(confirmed.project, confirmed.candidate(1)[1].id, buyer)
    award.confirm(failed.project, failed.candidate(1)[1].id, buyer)
    with recorded_renders() as renders:
        renders.fail = -1  # every attempt fails: the job is shown failed with its error
        award.publish(failed.project, buyer)
    make_failed_mail(app, failed.candidate(1)[0], project=failed.project)
    return _world(app, clock, datetime(2025, 1, 6, 10, 0, tzinfo=BEIJING), buyer=buyer)


def scenario_challenge(app, clock) -> World:
    """A published result in the challenge period: a participant files, the buyer answers one filed."""
    buyer = f.make_buyer()
    built = f.make_evaluated_project(buyer, clock)
    clock.set(datetime(2025, 1, 6, 10, 0, tzinfo=BEIJING))
    _, winner = built.candidate(1)
    award.confirm(built.project, winner.id, buyer)
    award.publish(built.project, buyer)
    second_user, second = built.candidate(2)
    clock.set(datetime(2025, 1, 8, 15, 0, tzinfo=BEIJING))
    challenges.file_challenge(built.project, second, "成交供应商报价低于成本。", [], second_user)
    return _world(app, clock, datetime(2025, 1, 8, 15, 0, tzinfo=BEIJING), buyer=buyer, supplier=second_user)


SCENARIOS = {
    "setup": scenario_setup,
    "quoting": scenario_quoting,
    "opening": scenario_opening,
    "review": scenario_review,
    "award": scenario_award,
    "challenge": scenario_challenge,
}


def build_world(name: str, app, clock) -> World:
    """Build scenario ``name``. Its documents are laid out quickly (``factories.jobs.quick_layout``): the
    forms need them to exist, not to be typeset; what a form's own success renders is laid out for real."""
    with quick_layout():
        return SCENARIOS[name](app, clock)


def discover(app, world: World) -> list[FoundForm]:
    """Crawl as every role of ``world`` and run its priming posts; the distinct forms found."""
    adapter = app.url_map.bind("localhost")
    forms: list[FoundForm] = []
    for role, client in world.clients.items():
        found, _ = crawl(app, client, role, world.starts[role])
        forms.extend(found)
    for role, url, data in world.extra_forms:
        client = world.clients[role]
        token = csrf_token(client, "/")
        response = client.post(url, data={**data, "csrf_token": token}, follow_redirects=True)
        assert response.status_code < 500
        forms.extend(parse_forms(response.get_data(as_text=True), urlsplit(url).path, role, adapter))
    unique: dict[tuple, FoundForm] = {}
    for form in forms:
        unique.setdefault(form.signature(), form)
    return sorted(unique.values(), key=lambda x: x.endpoint in LAST)



def base_fields(form: FoundForm) -> list[tuple[str, object]]:
    """The fields that always go as the page has them: the CSRF token and the first submit button."""
    data = [(x.name, x.value) for x in form.fields if x.name == "csrf_token" or x.name.endswith("-csrf_token")]
    submits = [x for x in form.fields if x.kind == "submit"]
    if submits:
        data.append((submits[0].name, submits[0].value))
    return data


def baseline(form: FoundForm) -> list[tuple[str, object]]:
    """The form as the browser would post it untouched: values, checked boxes, selected options."""
    data = base_fields(form)
    for x in form.fields:
        if x.kind in ("submit", "button", "reset", "image", "file") or x.name == "csrf_token" or x.name.endswith("-csrf_token"):
            continue
        if x.kind in ("checkbox", "radio"):
            if x.checked:
                data.append((x.name, x.value))
        else:
            data.append((x.name, x.value))
    return data
