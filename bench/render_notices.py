"""Benchmark: render award / result notices (WeasyPrint) in one process.

Measures, on a throw-away SQLite database seeded like the notice's project after evaluation:

- the first (cold) render, which builds the process-wide FontConfiguration;
- one notice in a warm process (median of ``--warm`` renders of the same notice);
- a batch of ``--batch`` notices rendered one after another (render only), and the same batch
  issued through ``services.documents.issue`` (render + QR + SHA-256 + durable file write +
  database row + audit event), as publishing a result does;
- the process's peak resident memory.

Run from the repository root::

    .venv/bin/python bench/render_notices.py            # --warm 20 --batch 100
"""
from __future__ import annotations

import argparse
import platform
import resource
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


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


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=20, help="renders of one notice in the warm process (median)")
    parser.add_argument("--batch", type=int, default=100, help="notices in the batch")
    args = parser.parse_args(argv)

    import os

    with tempfile.TemporaryDirectory(prefix="bench-notices-") as tmp:
        folder = Path(tmp)
        os.environ["INSTANCE_PATH"] = str(folder)
        app = build_app(folder)
        from procurement.documents.pdf import render_pdf
        from procurement.domain.schedule import BEIJING
        from procurement.extensions import db
        from procurement.services import award as award_service
        from procurement.services import documents
        from tests.factories import make_buyer, make_evaluated_project

        with app.app_context(), app.test_request_context():
            clock = app.extensions["clock"]
            buyer = make_buyer()
            built = make_evaluated_project(buyer, clock)
            clock.set(datetime(2025, 1, 6, 10, 0, tzinfo=BEIJING))
            _, winner = built.candidate(1)
            award_service.confirm(built.project, winner.id, buyer)
            project = built.project

            def render(registration):
                """Render the registration's notice (award or result) without storing it."""
                context = award_service.notice_context(project, registration)
                template = "documents/award_notice.html" if context["is_winner"] else "documents/result_notice.html"
                url = documents.verification_url("BENCH2345BENC")
                return render_pdf(
                    template,
                    title="成交通知书",
                    subject="成交通知书",
                    project=project,
                    registration=registration,
                    verification_code="BENCH2345BENC",
                    verification_url=url,
                    verification_qr=documents.qr_data_uri(url),
                    issued_at=clock.now(),
                    **context,
                )

            # The first render of the process builds the FontConfiguration and loads the fonts.
            start = time.perf_counter()
            cold_rendered = render(winner)
            cold = time.perf_counter() - start
            # Publishing renders the announcement and the four notices, as in production.
            start = time.perf_counter()
            award_service.publish(project, buyer)
            publish_time = time.perf_counter() - start

            warm = []
            sizes = set()
            missing = cold_rendered.missing_glyphs
            for _ in range(args.warm):
                start = time.perf_counter()
                rendered = render(winner)
                warm.append(time.perf_counter() - start)
                sizes.add(len(rendered.data))
                missing = missing or rendered.missing_glyphs

            registrations = built.registrations
            start = time.perf_counter()
            for index in range(args.batch):
                rendered = render(registrations[index % len(registrations)])
                missing = missing or rendered.missing_glyphs
            batch_render = time.perf_counter() - start

            start = time.perf_counter()
            for index in range(args.batch):
                award_service.issue_notice(project, registrations[index % len(registrations)], actor=buyer)
            db.session.commit()
            batch_issue = time.perf_counter() - start
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        os.environ.pop("INSTANCE_PATH", None)

    import weasyprint

    print(f"## Notice rendering ({datetime.now():%Y-%m-%d}, {platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, WeasyPrint {weasyprint.__version__})")
    print()
    print("| measurement | result |")
    print("|---|---|")
    print(f"| first notice in a fresh process (cold) | {cold:.3f} s |")
    print(f"| publishing the result (announcement + {len(built.registrations)} notices) | {publish_time:.1f} s |")
    print(f"| one notice, warm process (median of {args.warm}) | {statistics.median(warm):.3f} s "
          f"(min {min(warm):.3f} s, max {max(warm):.3f} s) |")
    per_notice = batch_render / args.batch
    print(f"| batch of {args.batch} notices, render only | {batch_render:.1f} s ({per_notice:.3f} s per notice) |")
    print(f"| batch of {args.batch} notices, issued (render + QR + store + row + audit) | {batch_issue:.1f} s "
          f"({batch_issue / args.batch:.3f} s per notice) |")
    print(f"| PDF size of one award notice | {min(sizes) // 1024}–{max(sizes) // 1024} KB |")
    print(f"| peak resident memory of the process | {peak_mb:.0f} MB |")
    print(f"| `.notdef` (missing glyph) warnings | {'YES — a CJK font is missing' if missing else 'none'} |")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
