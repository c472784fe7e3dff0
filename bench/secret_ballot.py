"""Encrypted secret ballot benchmark (docs/secret-ballot.md): encryption with its proofs in
Chromium per ballot, the server's proof check per ballot, and a 300-ballot secret burst.

    DATABASE_URL=postgres://… .venv/bin/python bench/secret_ballot.py [--ballots 300]

1. Chromium (Debian's, headless, through Playwright) loads static/js/secret-ballot.js from a
   local HTTP server on 127.0.0.1 and times `encryptBallot` for a yes/no/abstain ballot (3
   options) and an election ballot (10 candidates, 3 seats), after two warm-up ballots.
2. The server's check (`protocol.check_ballot`) of the same ballots, in this process.
3. The burst: a meeting of `--ballots` members present, an encrypted admission vote, the key
   made by three board members, every ballot encrypted beforehand; then the ballots go through
   `casting.cast_ballots` in batches of 50 (as meetings.intake gathers a burst), proofs checked
   under the meeting lock, and the vote is closed and counted by two board members. Everything
   runs in one transaction that is rolled back: the database is left as it was. This is the
   service path without daphne and websockets (bench/live_room.py times those for plain
   ballots).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")


def chromium(runs: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(ROOT / "static"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    script = """async ([runs, manifest]) => {
      const sb = await import("/js/secret-ballot.js");
      const key = sb.encodePoint(sb.decodePoint(
        "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76").multiply(12345n));
      const times = [];
      for (let i = 0; i < runs + 2; i++) {
        const t = performance.now();
        sb.encryptBallot(manifest, key, [0]);
        times.push(performance.now() - t);
      }
      return times.slice(2);
    }"""
    out = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/vendor/README.md")
            for name, m in manifests().items():
                times = page.evaluate(script, [runs, m])
                out[name] = statistics.median(times)
                out[name + " p90"] = sorted(times)[int(len(times) * 0.9) - 1]
            browser.close()
    finally:
        server.shutdown()
    return out


def manifests() -> dict[str, dict]:
    from meetings.secret_ballot import protocol

    common = {"vote": 1, "meeting": 1, "question": "Q", "board": [1, 2, 3], "threshold": 2}
    return {
        "yes/no/abstain": protocol.manifest(
            options=["yes", "no", "abstain"], minimum=1, maximum=1, **common
        ),
        "election 10 candidates, 3 seats": protocol.manifest(
            options=[str(i) for i in range(10)], minimum=0, maximum=3, **common
        ),
    }


def server_check(runs: int) -> dict[str, float]:
    from meetings.secret_ballot import protocol
    from meetings.secret_ballot.group import base

    key = base(12345)
    out = {}
    for name, m in manifests().items():
        ballot = protocol.encrypt_ballot(m, key, [0])
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            protocol.check_ballot(m, key, ballot)
            times.append((time.perf_counter() - t) * 1000)
        out[name] = statistics.median(times)
    return out


def burst(n: int) -> dict[str, float]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    from meetings.services.voting import casting, closing, opening
    from tests.factories import MemberFactory
    from tests.meetings.room.conftest import build_scene
    from tests.meetings.room.test_services import open_item, started
    from tests.meetings.secret_ballot.pages import encrypted_ballot, key_ceremony

    class RollbackError(Exception):
        pass

    figures: dict[str, float] = {}
    try:
        with transaction.atomic():
            scene = build_scene()
            extra = [MemberFactory(home_cell=scene.cell) for _ in range(n - 5)]
            voters = [scene.chair, scene.recorder, *scene.officials, *extra]
            started(scene, present=voters)
            open_item(scene, 1)
            vote = opening.open_vote(
                meeting_id=scene.meeting.pk,
                actor=scene.chair.user,
                kind="admission",
                question="Burst",
                method="secret_ballot",
                encrypted=True,
            )
            ids = vote["board"]["members"]
            board = sorted((m for m in voters if m.pk in ids), key=lambda m: ids.index(m.pk))
            pages = key_ceremony(scene, vote["vote"], board)
            ballots = [encrypted_ballot(vote["vote"], ["yes"]) for _ in voters]
            requests = [
                casting.BallotRequest(
                    actor=m.user, vote_id=vote["vote"], ballot_id=str(uuid.uuid4()), encrypted=b
                )
                for m, b in zip(voters, ballots, strict=True)
            ]
            t = time.perf_counter()
            outcomes = []
            for i in range(0, len(requests), 50):
                outcomes += casting.cast_ballots(
                    meeting_id=scene.meeting.pk, requests=requests[i : i + 50]
                )
            figures["cast (s)"] = time.perf_counter() - t
            figures["accepted"] = sum(isinstance(o, dict) and not o["duplicate"] for o in outcomes)
            t = time.perf_counter()
            closing.close_vote(
                meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=vote["vote"]
            )
            pages[0].decrypt()
            result = pages[1].decrypt()["result"]
            figures["close + count (s)"] = time.perf_counter() - t
            figures["yes counted"] = result["tally"].get("yes", 0)
            raise RollbackError
    except RollbackError:
        pass
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=300)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    print("load:", os.getloadavg())
    for name, ms in chromium(args.runs).items():
        print(f"Chromium encrypt + prove, {name}: {ms:.0f} ms")
    for name, ms in server_check(args.runs).items():
        print(f"server proof check, {name}: {ms:.1f} ms")
    for name, value in burst(args.ballots).items():
        print(f"burst of {args.ballots}: {name} = {value:.2f}")
    print("load:", os.getloadavg())


if __name__ == "__main__":
    main()
