"""Archive benchmark: the reviewers' list, search and dashboard pages over 1,000 cells and
20,000 signed minutes on PostgreSQL.

    .venv/bin/python bench/archive.py [--runs 30] [--postgres postgres://postgres@127.0.0.1:5432]

The script creates a PostgreSQL database `chibo_bench_archive_<pid>`, migrates it (the
unaccent extension comes with minutes 0003, the stored search vector and its index with minutes
0004 and 0007), fills it with bulk inserts (one superior committee, 20 grassroots organisations
of 50 cells each, 10 members per cell; per cell 16 held meetings in 2025 — 12 regular, 4 thematic —
and 4 in 2026, each with a roll of 10, archived minutes of about 2 KB of Vietnamese text, and a
vote blocked for want of quorum in one meeting of 50; each meeting's attendance summary written
by the function the end of a meeting calls, `meetings.attendance_summary.write_summaries`), runs
ANALYZE, and drops the database at the end, also on an error or Ctrl-C.

Each page is requested through django.test.Client — the whole middleware stack, a reviewer
signed in with a verified second factor, seated at the top — `--runs` times after 3 warm-up
requests; the figures are wall-clock times in this process (p50, p95, max) and the number of
SQL queries per request (CaptureQueriesContext), which must not depend on the data. Like
the server process (config/asgi.py), the script freezes the objects Django loaded at start-up
out of the garbage collector (config/heap.py) before it seeds and measures. The dashboard keeps
each cell's yearly figures between requests (minutes.review.kept): the warm-up requests keep
them, and the last page measures the 1,000-cell dashboard with nothing kept (every row deleted
before each request), as on the first view of a day.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from bench.figures import collect_static, cpu_model, percentile  # noqa: E402

GRASSROOTS, CELLS_EACH, MEMBERS_EACH = 20, 50, 10
TOPICS = [
    "quán triệt nghị quyết về chuyển đổi số",
    "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "công tác phát triển đảng viên mới",
    "bảo đảm an ninh trật tự trên địa bàn khu dân cư",
    "vệ sinh môi trường, phòng chống dịch bệnh",
    "xây dựng nông thôn mới và đô thị văn minh",
    "thu nộp đảng phí và quản lý tài chính chi bộ",
    "phòng chống tham nhũng, lãng phí, tiêu cực",
]
FILLER = (
    "Chi bộ đánh giá kết quả thực hiện nhiệm vụ tháng trước, những ưu điểm, hạn chế và nguyên "
    "nhân; đồng chí Bí thư chi bộ quán triệt văn bản của cấp ủy cấp trên; các đồng chí đảng viên "
    "phát biểu ý kiến, thảo luận dân chủ; chi bộ biểu quyết thông qua nghị quyết và phân công "
    "nhiệm vụ cụ thể cho từng đảng viên, có thời hạn hoàn thành. "
)


def seed() -> dict[str, object]:
    from django.db import connection
    from django.utils import timezone

    from meetings.attendance_summary import write_summaries
    from meetings.models import AgendaItem, Attendance, AttendanceSummary, Meeting, Vote
    from members.models import CommitteeSeat, Member, Organization
    from minutes.models import DocumentKind, DocumentStatus, Minutes, MinutesStatus, SignedDocument
    from tests.factories import MemberFactory

    rng = random.Random(20261201)
    zone = timezone.get_current_timezone()
    top = Organization.objects.create(name="Đảng bộ Quận Thử nghiệm", level="superior")
    grassroots = [
        Organization.objects.create(name=f"Đảng bộ Phường {g + 1}", level="grassroots", parent=top)
        for g in range(GRASSROOTS)
    ]
    cells = [
        Organization.objects.create(
            name=f"Chi bộ Khu phố {g + 1}.{c + 1}", level="cell", parent=parent
        )
        for g, parent in enumerate(grassroots)
        for c in range(CELLS_EACH)
    ]
    members = Member.objects.bulk_create(
        Member(
            full_name=f"Đảng viên {cell.pk}-{m}",
            admission_date=datetime.date(2010, 5, 19),
            standing="official",
            home_cell=cell,
        )
        for cell in cells
        for m in range(MEMBERS_EACH)
    )
    by_cell: dict[int, list[Member]] = {}
    for member in members:
        by_cell.setdefault(member.home_cell_id, []).append(member)
    reviewer = MemberFactory(full_name="Ủy viên Ban Thường vụ", home_cell=cells[0])
    CommitteeSeat.objects.create(
        member=reviewer, organization=top, title="Ủy viên", started_on=datetime.date(2020, 1, 1)
    )

    plan = [(2025, month, "regular", 5) for month in range(1, 13)]
    plan += [(2025, month, "thematic", 20) for month in (2, 5, 8, 11)]
    plan += [(2026, month, "regular", 5) for month in range(1, 5)]
    meetings = []
    for cell in cells:
        for year, month, kind, day in plan:
            start = datetime.datetime(year, month, day, 19, 30, tzinfo=zone)
            lasted = rng.choice([95, 100, 110, 120, 75])
            meetings.append(
                Meeting(
                    cell=cell,
                    kind=kind,
                    status="archived",
                    starts_at=start,
                    started_at=start,
                    ended_at=start + datetime.timedelta(minutes=lasted),
                    planned_minutes=90,
                    mode=rng.choice(["in_person", "in_person", "online"]),
                    approval_number=rng.choice(["", "12-CV/ĐU"]),
                )
            )
    meetings = Meeting.objects.bulk_create(meetings, batch_size=5000)
    rolls = []
    for meeting in meetings:
        for member in by_cell[meeting.cell_id]:
            status = rng.choices(
                ["present", "absent_with_reason", "absent_without_reason"], [90, 8, 2]
            )[0]
            rolls.append(Attendance(meeting=meeting, member=member, status=status))
    Attendance.objects.bulk_create(rolls, batch_size=10000)
    # What ending each meeting writes (meetings.services.lifecycle.on_meeting_ended), at once.
    write_summaries(Meeting.objects.all(), summary_model=AttendanceSummary, roll_model=Attendance)
    blocked = meetings[::50]
    items = AgendaItem.objects.bulk_create(
        AgendaItem(meeting=m, position=1, kind="resolution", title="Nghị quyết") for m in blocked
    )
    Vote.objects.bulk_create(
        Vote(
            meeting=m,
            item=item,
            kind="resolution",
            method="show_of_hands",
            question="Thông qua nghị quyết",
            status="closed",
            opened_at=m.started_at,
            result={"decision": {"status": "blocked", "reason": "quorum_not_met"}, "cast": 0},
        )
        for m, item in zip(blocked, items, strict=True)
    )
    minutes = Minutes.objects.bulk_create(
        (Minutes(meeting=m, status=MinutesStatus.ARCHIVED) for m in meetings), batch_size=5000
    )
    documents = []
    for record, meeting in zip(minutes, meetings, strict=True):
        topic = rng.choice(TOPICS)
        local = timezone.localtime(meeting.starts_at)
        text = (
            f"BIÊN BẢN\nSINH HOẠT CHI BỘ {meeting.get_kind_display().upper()} THÁNG "
            f"{local.month} NĂM {local.year}\nNội dung: {topic}.\n" + FILLER * 5
        )
        documents.append(
            SignedDocument(
                minutes=record,
                kind=DocumentKind.MINUTES,
                status=DocumentStatus.ARCHIVED,
                archived_at=meeting.ended_at + datetime.timedelta(days=rng.choice([1, 2, 9])),
                signed_pdf=b"%PDF-1.7 (benchmark placeholder)",
                sha256="0" * 64,
                content_text=text,
            )
        )
    SignedDocument.objects.bulk_create(documents, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"top": top, "grassroots": grassroots[0], "reviewer": reviewer, "cells": len(cells)}


def reused() -> dict[str, object]:
    from members.models import CommitteeSeat, Organization

    seat = CommitteeSeat.objects.select_related("member__user", "organization").get()
    return {
        "top": seat.organization,
        "grassroots": Organization.objects.filter(level="grassroots").order_by("pk").first(),
        "reviewer": seat.member,
        "cells": Organization.objects.filter(level="cell").count(),
    }


def forget_kept_figures() -> None:
    """As on a new day, or after every cell's records changed: nothing kept is good."""
    from minutes.models import CellYearFigures

    CellYearFigures.objects.all().delete()


def measure(client, url: str, params: dict[str, str], runs: int, before=None) -> dict[str, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        assert client.get(url, params).status_code == 200, url
    times, counts = [], set()
    for _ in range(runs):
        if before:
            before()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
        counts.add(len(queries))
    return {
        "p50": statistics.median(times),
        "p95": percentile(times, 0.95),
        "max": max(times),
        "queries": sorted(counts),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--reuse", metavar="DATABASE", help="measure a database a --keep run left (no seeding)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    arguments = parser.parse_args()
    database = arguments.reuse or f"chibo_bench_archive_{os.getpid()}"
    admin = psycopg.connect(f"{arguments.postgres}/postgres", autocommit=True)
    if not arguments.reuse:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    os.environ["DATABASE_URL"] = f"{arguments.postgres}/{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("REDIS_URL", None)
    try:
        run(arguments, database)
    finally:
        from django.db import connections

        connections.close_all()
        if not (arguments.keep or arguments.reuse):
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
            )
        admin.close()


def run(arguments: argparse.Namespace, database: str) -> None:
    import django

    collect_static()
    django.setup()
    from config.heap import freeze_startup_objects

    freeze_startup_objects()  # as the server process does when it starts (config/asgi.py)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from minutes.models import SignedDocument
    from tests.conftest import sign_in_verified

    started = time.perf_counter()
    if arguments.reuse:
        seeded = reused()
    else:
        call_command("migrate", verbosity=0)
        seeded = seed()
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(",")[0]
    print(f"{database}: {version}; seeded in {seconds:.0f} s")
    print(
        f"{seeded['cells']} cells, {SignedDocument.objects.count()} archived minutes; "
        f"{os.cpu_count()} cores, {cpu_model()}; load {os.getloadavg()[0]:.1f} at start"
    )
    client = sign_in_verified(Client(HTTP_HOST="127.0.0.1"), seeded["reviewer"].user)
    top, grassroots = seeded["top"], seeded["grassroots"]
    pages = [
        ("archive, first page", reverse("review:archive", args=[top.pk]), {}),
        (
            "archive, 2025 minutes only, page 2",
            reverse("review:archive", args=[top.pk]),
            {"since": "01/01/2025", "until": "31/12/2025", "kind": "minutes", "trang": "2"},
        ),
        (
            "search 'chuyen doi so' (1/8 match)",
            reverse("review:archive", args=[top.pk]),
            {"q": "chuyen doi so"},
        ),
        (
            "search 'biên bản' (all match)",
            reverse("review:archive", args=[top.pk]),
            {"q": "biên bản"},
        ),
        (
            "search '\"chuyển đổi số\"' (phrase, 1/8)",
            reverse("review:archive", args=[top.pk]),
            {"q": '"chuyển đổi số"'},
        ),
        ("dashboard 2025, 1,000 cells", reverse("review:dashboard", args=[top.pk, 2025]), {}),
        ("dashboard 2025, 50 cells", reverse("review:dashboard", args=[grassroots.pk, 2025]), {}),
        (
            "dashboard 2025, 1,000 cells, nothing kept",
            reverse("review:dashboard", args=[top.pk, 2025]),
            {},
            forget_kept_figures,
        ),
    ]
    print(f"\n{'page':45} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  queries")
    for name, url, params, *before in pages:
        figures = measure(client, url, params, arguments.runs, *before)
        print(
            f"{name:45} {figures['p50']:8.0f} {figures['p95']:8.0f} {figures['max']:8.0f}  "
            f"{figures['queries']}"
        )
    print(f"\nload {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
