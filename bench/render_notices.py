"""Benchmark: render every kind of generated document (WeasyPrint) in one process, against a minimal page.

Measures, on a throw-away SQLite database seeded like the notice's project after evaluation:

- the first render of the process (the minimal page: it builds the process-wide FontConfiguration);
- the floor: a minimal one-page Chinese page (a heading and one paragraph) rendered through the same
  pipeline (``procurement.documents.pdf.html_to_pdf``: print stylesheet, shared FontConfiguration,
  metadata), warm;
- each document kind warm — the award notice (成交通知书) first — as its median time, its ratio to
  the floor's median from the same rounds (the kinds take turns, so drift on a shared machine hits
  all of them), its PDF size and its number of embedded fonts (``pdffonts``);
- publishing the result, and a batch of ``--batch`` notices issued through the services (render + QR
  + SHA-256 + durable file write + database row + audit event);
- the resident memory after ``--renders`` more renders of the kinds in turn (``VmRSS``), the memory
  before them, and the process's peak (``VmHWM``).

Each kind is rendered with the context its service passed to ``render_pdf`` while the project was
seeded (captured once per template), with a fresh QR code per render as ``documents.issue`` makes;
the termination notice, which an awarded project never gets, with the same project.

Run from the repository root::

    .venv/bin/python bench/render_notices.py            # --rounds 20 --renders 1000 --batch 100
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The floor: the least a Chinese document of ours is — the same skeleton as documents/_base.html, a
# heading and one paragraph, so the same two faces (the heading's and the body's) as a notice.
MINIMAL_PAGE = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>通知</title></head>'
    "<body><h1>通知</h1><p>这是一页最简单的中文文书，只有一个标题和一段正文。</p></body></html>"
)
# Template → label, in the order the table prints them.
KINDS = {
    "documents/award_notice.html": "award notice 成交通知书",
    "documents/result_notice.html": "result notice 成交结果通知书",
    "documents/announcement.html": "announcement 采购公告",
    "documents/receipt.html": "quote receipt 报价回执",
    "documents/opening_record.html": "opening record 开标记录",
    "documents/evaluation_report.html": "evaluation report 评审报告",
    "documents/result_announcement.html": "result announcement 结果公告",
    "documents/termination_notice.html": "termination notice 终止公告",
}


def build_app(folder: Path):
    """An app on a fresh SQLite database in ``folder``, with a fixed clock."""
    from procurement import create_app
    from procurement.clock import FixedClock
    from procurement.domain.schedule import BEIJING
    from procurement.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "DOCUMENT_FOLDER": str(folder / "generated"),
            "SEAL_KEK_FILE": str(folder / "seal.kek"),
            "PUBLIC_BASE_URL": "https://zb.example.cn",
        }
    )
    app.extensions["clock"] = FixedClock(datetime(2024, 12, 20, 10, 0, tzinfo=BEIJING))
    with app.app_context():
        db.create_all()
    return app


def memory_mb() -> dict[str, float]:
    """This process's resident memory now (VmRSS) and at its peak (VmHWM), in MB."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values


def embedded_fonts(data: bytes, folder: Path) -> str:
    """How many fonts ``pdffonts`` lists in a PDF, with their names (``n/a`` without poppler-utils)."""
    if not shutil.which("pdffonts"):
        return "n/a"
    path = folder / "fonts.pdf"
    path.write_bytes(data)
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    names = [line.split()[0].split("+", 1)[-1] for line in lines]
    return f"{len(names)} ({', '.join(names)})"


def capture_contexts(document_service):
    """Wrap the services' ``render_pdf`` to keep the first context each template is rendered with."""
    captured: dict[str, dict] = {}
    real = document_service.render_pdf

    def capturing(template, **context):
        captured.setdefault(template, context)
        return real(template, **context)

    document_service.render_pdf = capturing
    return captured, lambda: setattr(document_service, "render_pdf", real)


def seed(clock):
    """An evaluated, awarded and published project; every kind's context captured on the way."""
    import sqlalchemy as sa

    from procurement.domain.schedule import BEIJING
    from procurement.extensions import db
    from procurement.models import SealedQuote
    from procurement.services import award as award_service
    from procurement.services import documents as document_service
    from procurement.services.quote_receipts import receipt_document
    from tests.factories import make_buyer, make_evaluated_project

    from procurement.jobs import runner

    captured, restore = capture_contexts(document_service)
    # Jobs run at once (the test configuration) but in this app context's session rather than one of
    # their own, so the objects in the captured contexts stay attached for the renders that follow.
    run_here = runner.run_here
    runner.run_here = lambda app, job_id: runner.run_once(job_id)
    try:
        buyer = make_buyer()
        built = make_evaluated_project(buyer, clock)
        clock.set(datetime(2025, 1, 6, 10, 0, tzinfo=BEIJING))
        _, winner = built.candidate(1)
        award_service.confirm(built.project, winner.id, buyer)
        # Publishing renders the result announcement and every participant's notice, as in production.
        start = time.perf_counter()
        award_service.publish(built.project, buyer)
        publish_time = time.perf_counter() - start
        receipt_document(db.session.scalar(sa.select(SealedQuote).order_by(SealedQuote.id)))
    finally:
        restore()
        runner.run_here = run_here
    url = document_service.verification_url("BENCH2345BENC")
    captured.setdefault(
        "documents/termination_notice.html",
        dict(
            title=f"{built.project.title}终止公告",
            subject="采购人终止采购",
            project=built.project,
            reason="因采购需求发生重大变化，采购人决定终止本次采购。",
            kind_label="项目终止",
            decided_at=clock.now(),
            verification_code="BENCH2345BENC",
            verification_url=url,
            verification_qr="",
            issued_at=clock.now(),
        ),
    )
    return built, buyer, publish_time, captured


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="warm rounds, each rendering the floor and every kind")
    parser.add_argument("--renders", type=int, default=1000, help="renders before the resident memory is read")
    parser.add_argument("--batch", type=int, default=100, help="notices issued through the services")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-notices-") as tmp:
        folder = Path(tmp)
        os.environ["INSTANCE_PATH"] = str(folder)
        app = build_app(folder)
        from procurement.documents import pdf
        from procurement.documents.qr import qr_data_uri
        from procurement.extensions import db
        from procurement.services import award as award_service

        with app.app_context(), app.test_request_context():
            clock = app.extensions["clock"]

            def floor():
                return pdf.html_to_pdf(MINIMAL_PAGE, title="通知", subject="通知")

            start = time.perf_counter()
            missing = floor().missing_glyphs
            cold = time.perf_counter() - start

            built, buyer, publish_time, captured = seed(clock)
            kinds = [template for template in KINDS if template in captured]

            def render(template):
                """Render one kind with its captured context and a fresh QR code, as ``documents.issue`` does."""
                context = dict(captured[template])
                if context.get("verification_url"):
                    context["verification_qr"] = qr_data_uri(context["verification_url"])
                return pdf.render_pdf(template, **context)

            times: dict[str, list[float]] = {"floor": [], **{template: [] for template in kinds}}
            cpu: dict[str, list[float]] = {key: [] for key in times}
            sizes: dict[str, int] = {}
            fonts: dict[str, str] = {}
            for template in ["floor", *kinds]:  # one untimed render each: templates compiled, fonts loaded
                rendered = floor() if template == "floor" else render(template)
                sizes[template] = len(rendered.data)
                fonts[template] = embedded_fonts(rendered.data, folder)
                missing = missing or rendered.missing_glyphs
            order = ["floor", *kinds]
            for round_number in range(args.rounds):
                shift = round_number % len(order)
                for template in order[shift:] + order[:shift]:
                    start, start_cpu = time.perf_counter(), time.process_time()
                    rendered = floor() if template == "floor" else render(template)
                    times[template].append(time.perf_counter() - start)
                    cpu[template].append(time.process_time() - start_cpu)
                    missing = missing or rendered.missing_glyphs

            registrations = built.registrations
            start = time.perf_counter()
            for index in range(args.batch):
                award_service.issue_notice(built.project, registrations[index % len(registrations)], actor=buyer)
            db.session.commit()
            batch_issue = time.perf_counter() - start

            before = memory_mb()
            start = time.perf_counter()
            for index in range(args.renders):
                rendered = render(kinds[index % len(kinds)])
                missing = missing or rendered.missing_glyphs
            loop_time = time.perf_counter() - start
            after = memory_mb()
        os.environ.pop("INSTANCE_PATH", None)

    import weasyprint

    floor_median = statistics.median(times["floor"])
    floor_cpu = statistics.median(cpu["floor"])
    print(f"## Document rendering ({datetime.now():%Y-%m-%d}, {platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, WeasyPrint {weasyprint.__version__}, load average "
          f"{os.getloadavg()[0]:.1f})")
    print()
    print(f"Warm medians of {args.rounds} rounds; each round renders the floor and every kind once, in turn. "
          "Wall time, and the process's CPU time (``time.process_time``), which other processes on the "
          "machine disturb less.")
    print()
    print("| document | wall median | ÷ minimal page | CPU median | ÷ minimal page (CPU) | PDF size | embedded fonts |")
    print("|---|---|---|---|---|---|---|")
    print(f"| **minimal one-page Chinese page (the floor)** | {floor_median:.3f} s | 1.00 | {floor_cpu:.3f} s | 1.00 | "
          f"{sizes['floor'] // 1024} KB | {fonts['floor']} |")
    for template in kinds:
        median, median_cpu = statistics.median(times[template]), statistics.median(cpu[template])
        ratio, ratio_cpu = f"{median / floor_median:.2f}", f"{median_cpu / floor_cpu:.2f}"
        if template == "documents/award_notice.html":
            ratio, ratio_cpu = f"**{ratio}**", f"**{ratio_cpu}**"
        print(f"| {KINDS[template]} | {median:.3f} s | {ratio} | {median_cpu:.3f} s | {ratio_cpu} | "
              f"{sizes[template] // 1024} KB | {fonts[template]} |")
    print()
    print("| measurement | result |")
    print("|---|---|")
    print(f"| first render in a fresh process (the minimal page, cold) | {cold:.3f} s |")
    print(f"| publishing the result (result announcement + {len(registrations)} notices) | {publish_time:.2f} s |")
    print(f"| {args.batch} notices issued (render + QR + store + row + audit) | {batch_issue:.1f} s "
          f"({batch_issue / args.batch:.3f} s per notice) |")
    print(f"| {args.renders} renders of the kinds in turn | {loop_time:.1f} s "
          f"({loop_time / args.renders:.3f} s each) |")
    print(f"| resident memory before them → **after them** (VmRSS) | {before['VmRSS']:.0f} MB → "
          f"**{after['VmRSS']:.0f} MB** |")
    print(f"| peak resident memory of the process (VmHWM) | {after['VmHWM']:.0f} MB |")
    print(f"| `.notdef` (missing glyph) warnings | {'YES — a CJK font is missing' if missing else 'none'} |")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
