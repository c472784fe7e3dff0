"""Minutes PDF benchmark: render the sample two-hour meeting (30 speeches, 5 votes) and sign it
twice (chair, then recorder), as the Celery task will.

    .venv/bin/python bench/minutes.py [--runs 15]

Runs on a throwaway in-memory SQLite database (migrated at start), so it never touches the
project's data. The first measured run is the cold one: first render and first signatures in
a fresh process (fonts loaded, stamp font cut, keys decrypted). Then one warm-up run, then
`--runs` timed runs; each creates its signers afresh (credential lookup and key decryption),
as a task would. Certificate issuance is a one-time step per member and is timed apart.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = "sqlite://:memory:"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.pop("REDIS_URL", None)

from bench.figures import collect_static, cpu_model, percentile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    arguments = parser.parse_args()

    started = time.perf_counter()
    import django

    collect_static()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from importlib.metadata import version

    from minutes import rendering, signing
    from minutes.authority import signing_credential_for, trusted_authorities
    from minutes.verification import verify_pdf
    from tests.factories import MemberFactory
    from tests.minutes import samples

    setup_seconds = time.perf_counter() - started

    document = samples.sample_minutes()
    chair = MemberFactory(full_name=samples.CHAIR.name)
    recorder = MemberFactory(full_name=samples.RECORDER.name)
    started = time.perf_counter()
    signing_credential_for(chair)
    signing_credential_for(recorder)
    issuance_seconds = time.perf_counter() - started

    def one_run() -> tuple[float, float, float, bytes]:
        started = time.perf_counter()
        rendered = rendering.render_minutes(document)
        rendered_at = time.perf_counter()
        chair_signer = signing.LocalAuthoritySigner(chair)
        recorder_signer = signing.LocalAuthoritySigner(recorder)
        signed = signing.sign_minutes(
            rendered,
            chair=chair_signer,
            chair_name=chair.full_name,
            recorder=recorder_signer,
            recorder_name=recorder.full_name,
        )
        finished = time.perf_counter()
        return finished - started, rendered_at - started, finished - rendered_at, signed

    cold_total, cold_render, cold_sign, signed = one_run()
    one_run()  # warm-up
    totals, renders, signs = [], [], []
    for _ in range(arguments.runs):
        total, render, sign, signed = one_run()
        totals.append(total)
        renders.append(render)
        signs.append(sign)

    started = time.perf_counter()
    report = verify_pdf(signed, trusted=trusted_authorities())
    verify_seconds = time.perf_counter() - started
    if not report.is_valid:
        raise SystemExit(f"the signed sample does not verify: {report.verdict}")

    rendered = rendering.render_minutes(document)
    print("Minutes PDF: render + chair and recorder signatures (PAdES B-B, visible stamps)")
    print(
        f"  machine: {cpu_model()}, {os.cpu_count()} cores; Python {platform.python_version()}; "
        f"WeasyPrint {version('weasyprint')}; pyHanko {version('pyhanko')}"
    )
    print(
        f"  document: {rendered.page_count} pages, {document.speech_count} speeches, "
        f"{len(document.votes)} votes; PDF {len(rendered.pdf) / 1024:.0f} KiB rendered, "
        f"{len(signed) / 1024:.0f} KiB signed"
    )
    print(f"  setup (Django, migrate, imports): {setup_seconds:.2f} s (not counted)")
    print(f"  certificate issuance, two members (one-time): {issuance_seconds * 1000:.0f} ms")
    print(
        f"  cold first run: {cold_total * 1000:.0f} ms "
        f"(render {cold_render * 1000:.0f} ms, sign {cold_sign * 1000:.0f} ms)"
    )
    print(f"  warm, {arguments.runs} runs after one warm-up:")
    for label, values in [("total", totals), ("render", renders), ("2 signatures", signs)]:
        print(
            f"    {label:<13} median {statistics.median(values) * 1000:5.0f} ms   "
            f"p90 {percentile(values, 0.9) * 1000:5.0f} ms   "
            f"min {min(values) * 1000:5.0f} ms   max {max(values) * 1000:5.0f} ms"
        )
    print(f"  verification of the signed file: {verify_seconds * 1000:.0f} ms")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"  load average at the end (1, 5, 15 min): {load}")


if __name__ == "__main__":
    main()
