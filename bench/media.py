"""Voice and picture benchmark: how soon a granted member is heard, and what Janus and Daphne
spend per participant.

    .venv/bin/python bench/media.py [--grants 20] [--sizes 2,4,8] [--seconds 20]

Runs under pytest with the browser tests' machinery (tests/e2e/test_media.py): a test database,
a forked Daphne live server, a private Janus and coturn on free ports (tests/media_engine.py),
Debian's Chromium with its fake camera and microphone (needs DATABASE_URL/REDIS_URL as the tests
do; everything is removed at the end).

- grant → audio: the chair and two members publish; for each of `--grants` grants the script
  calls the floor services (request, then the chair's grant) and takes the time from just before
  the grant until the granted member's audio bytes start arriving at the other member's page
  (bytesReceived polled every 10 ms in that page; same machine, same clock). The turn then ends
  and the script waits until that audio stops before the next grant.
- load: with 2, 4 and 8 participants publishing audio and video, each subscribed to all the
  others, the CPU (utime+stime from /proc over `--seconds`) and the resident memory (VmRSS) of
  Janus and of the Daphne live server, in total and per participant.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OPTIONS = {"grants": 20, "sizes": [2, 4, 8], "seconds": 20}

ARRIVAL = """([feed]) => {
  window.benchArrival = (async () => {
    const bytes = async () => ((await window.chiboMedia.stats(feed)).audio || { bytes: 0 }).bytes;
    const start = await bytes();
    for (;;) {
      if ((await bytes()) > start) return Date.now();
      await new Promise((ok) => setTimeout(ok, 10));
    }
  })();
}"""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_pytest() -> int:
    import pytest

    return pytest.main([__file__, "-q", "-s", "-p", "no:cacheprovider", "-o", "addopts="])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--grants", type=int, default=OPTIONS["grants"])
    parser.add_argument("--sizes", default="2,4,8", help='"" for the grants alone')
    parser.add_argument("--seconds", type=int, default=OPTIONS["seconds"])
    args = parser.parse_args()
    os.environ["BENCH_MEDIA"] = f"{args.grants};{args.sizes};{args.seconds}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    sys.exit(run_pytest())


def _options() -> tuple[int, list[int], int]:
    grants, sizes, seconds = os.environ.get("BENCH_MEDIA", "20;2,4,8;20").split(";")
    return int(grants), [int(n) for n in sizes.split(",") if n], int(seconds)


try:  # collected by pytest (run through the block above)
    from bench.figures import cpu_model, percentile
    from meetings.models import AgendaItem
    from meetings.services import room, speaking
    from tests.e2e.test_media import MediaTestCase
    from tests.factories import MemberFactory
    from tests.meetings.helpers import EARLY_END
    from tests.meetings.room.conftest import build_scene

    class TestMediaBench(MediaTestCase):
        def test_bench(self) -> None:
            grants, sizes, seconds = _options()
            print(f"\nmachine: {cpu_model()}, {os.cpu_count()} CPUs")
            self.grant_latency(grants)
            for contexts in self.contexts:
                contexts.close()
            self.contexts = []
            for size in sizes:
                self.load(size, seconds)
                for context in self.contexts:
                    context.close()
                self.contexts = []

        def grant_latency(self, grants: int) -> None:
            self.scene = scene = build_scene()
            room.start_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user)
            item = AgendaItem.objects.filter(meeting=scene.meeting).order_by("position").first()
            room.open_item(meeting_id=scene.meeting.pk, actor=scene.chair.user, item_id=item.pk)
            self.open_room(scene.chair)
            listener = self.open_room(scene.officials[0])
            speaker = scene.officials[1]
            self.open_room(speaker)
            self.receiving(listener, speaker.pk)
            samples = []
            for _ in range(grants):
                listener.evaluate(ARRIVAL, [speaker.pk])
                asked = speaking.request_floor(
                    meeting_id=scene.meeting.pk, actor=speaker.user, kind="regular"
                )
                began = time.time() * 1000
                speaking.grant_floor(
                    meeting_id=scene.meeting.pk, actor=scene.chair.user, request_id=asked["request"]
                )
                arrived = listener.evaluate("window.benchArrival")
                samples.append(arrived - began)
                speaking.end_turn(meeting_id=scene.meeting.pk, actor=scene.chair.user)
                self.wait_for_silence(listener, speaker.pk)
            print(
                f"grant → audio at another participant, {len(samples)} grants: "
                f"p50 {percentile(samples, 0.5):.0f} ms, p95 {percentile(samples, 0.95):.0f} ms, "
                f"max {max(samples):.0f} ms"
            )
            room.end_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user, reason=EARLY_END)

        def load(self, size: int, seconds: int) -> None:
            self.scene = scene = build_scene()
            people = [scene.chair, scene.recorder, *scene.officials, scene.probationary]
            people += [MemberFactory(home_cell=scene.meeting.cell) for _ in range(size)]
            room.start_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user)  # the roll
            pages = [self.open_room(person) for person in people[:size]]
            for page in pages:  # everyone receives everyone else
                for person in people[:size]:
                    if page is not pages[people.index(person)]:
                        self.receiving(page, person.pk)
            janus = self.media.processes[0].pid
            daphne = self._server_process.pid
            before = {pid: cpu_seconds(pid) for pid in (janus, daphne)}
            time.sleep(seconds)
            cpu = {pid: (cpu_seconds(pid) - before[pid]) / seconds * 100 for pid in before}
            print(
                f"{size} participants: Janus {cpu[janus]:.1f} % CPU ({cpu[janus] / size:.1f} "
                f"per participant), {rss_mib(janus):.0f} MiB; Daphne {cpu[daphne]:.1f} % CPU "
                f"({cpu[daphne] / size:.1f} per participant), {rss_mib(daphne):.0f} MiB"
            )
            room.end_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user, reason=EARLY_END)

except ImportError:  # imported outside pytest's Django set-up
    pass
