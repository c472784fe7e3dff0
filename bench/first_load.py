"""First load of the live room on a phone: what a member's browser downloads and when it shows
the meeting, over a slow connection.

    .venv/bin/python bench/first_load.py [--runs 5] [--root DIR] [--no-throttle]
        [--postgres postgres://postgres@127.0.0.1:5432]

The script creates a PostgreSQL database `chibo_firstload_<pid>`, migrates it, seeds the demo
organisation and its meeting in progress (demo.roster, demo.meetings: the first cell, the first
agenda item open), collects the static files as production does (hashed names, gzip and brotli
copies) and serves the production settings (`config.settings`, DEBUG off, `REDIS_URL` from the
environment for the channel layer) with one Daphne on 127.0.0.1. `--root` serves another
checkout of the code (e.g. main's, exported with `git archive`) with this virtualenv: the
before-and-after figures in docs/benchmarks.md are measured with the same script. Everything it
starts is stopped by PID and the database dropped at the end, also on an error or Ctrl-C.

Debian's Chromium (Playwright) signs in once as the demo member dangvien102 (with `--chair`, as
the chair bithu1 on a 1366 × 768 laptop screen); then each run opens the room in a fresh browser
context with only the session cookie (an empty HTTP cache), a 375 × 812 phone screen, and —
unless `--no-throttle` — the DevTools protocol's network throttling with Lighthouse's "slow 4G"
figures (150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up; no CPU throttling: the machine is
shared). Per run it prints:

- bytes: the sum of `encodedDataLength` of every HTTP response (compressed bytes on the wire,
  headers included; the websocket excluded) and the number of HTTP requests;
- FCP: the first contentful paint (Paint Timing API);
- CLS: the largest session window of layout shifts without recent input (the Web Vitals
  definition: shifts less than 1 s apart, windows of at most 5 s), observed until 2 s after the
  live state is shown;
- live: the time from navigation until the room shows the live state: its status line says
  "Đã kết nối" (the socket is open) and the agenda is drawn.

It prints the median of the runs (and each run) with the machine's load (`uptime`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from psycopg import sql  # noqa: E402

from bench.figures import cpu_model  # noqa: E402

VENV_BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
MEMBER = "dangvien102"
CHAIR = "bithu1"  # the demo cell's secretary, who chairs its meeting in progress
LAPTOP = {"width": 1366, "height": 768}
PASSWORD = "chibo-demo-2026"  # noqa: S105 (demo.roster.DEMO_PASSWORD: the demo's accounts)
PHONE = {"width": 375, "height": 812}
SLOW_4G = {  # Lighthouse's mobile throttling (bytes per second, ms)
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8,
    "uploadThroughput": 750 * 1024 / 8,
}
LIVE_TIMEOUT_S = 60

SEED = """
from django.utils import timezone
from demo import meetings as meetings_demo
from demo import roster as demo
demo.seed_demo(timezone.localdate())
meeting = meetings_demo.seed_meeting_in_progress(timezone.now())
print(meeting.pk)
"""

# Installed before the page's own scripts: the layout shifts, the paint, and the moment the
# live state is first shown.
OBSERVE = """
window.__firstLoad = {shifts: [], live: null};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) {
      const moved = (entry.sources || []).map((source) => {
        const node = source.node;
        const name = !node ? "?" : node.nodeType === 1
          ? node.tagName.toLowerCase() + (node.id ? "#" + node.id : "")
            + (node.className && typeof node.className === "string"
              ? "." + node.className.trim().split(/\s+/).join(".") : "")
          : "#text";
        return `${name} ${Math.round(source.previousRect.y)}→${Math.round(source.currentRect.y)}`;
      });
      window.__firstLoad.shifts.push({t: entry.startTime, v: entry.value, moved});
    }
  }
}).observe({type: "layout-shift", buffered: true});
const isLive = () => {
  const status = document.querySelector("#connection");
  const agenda = document.querySelector("#agenda");
  return status && status.textContent.includes("Đã kết nối")
    && agenda && agenda.children.length > 0;
};
const watch = () => {
  if (window.__firstLoad.live === null && isLive()) {
    window.__firstLoad.live = performance.now();
  }
};
new MutationObserver(watch).observe(document, {subtree: true, childList: true,
  characterData: true});
"""

CLS = """() => {
  const shifts = window.__firstLoad.shifts;
  let best = 0, current = 0, first = 0, last = -Infinity;
  for (const {t, v} of shifts) {
    if (t - last > 1000 || t - first > 5000) { current = 0; first = t; }
    current += v; last = t;
    best = Math.max(best, current);
  }
  return best;
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


class Lab:
    """What the script starts: a database, a directory, a server. Stopped in reverse order."""

    def __init__(self, postgres: str, code: Path) -> None:
        self.postgres = postgres.rstrip("/")
        self.code = code
        self.database = f"chibo_firstload_{os.getpid()}"
        self.directory = Path(tempfile.mkdtemp(prefix="chibo-firstload-"))
        self.server: subprocess.Popen | None = None
        self.created = False

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": str(self.code),  # before this checkout's editable install
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"{self.postgres}/{self.database}",
            "DEBUG": "0",
            "CHIBO_EMBEDDED_SECRET": "1",
            "CHIBO_VAR_DIR": str(self.directory / "var"),
            "STATIC_ROOT": str(self.directory / "static"),
            "CELERY_EAGER": "1",
            "CHANNELS_PREFIX": f"firstload{os.getpid()}",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        }

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, str(self.code / "manage.py"), *args],
            cwd=self.code,
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)}: {result.stderr[-2000:]}")
        return result.stdout

    def create_database(self) -> None:
        with psycopg.connect(f"{self.postgres}/postgres", autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))
        self.created = True

    def serve(self, port: int) -> None:
        log = (self.directory / "daphne.log").open("w")
        self.server = subprocess.Popen(
            [
                str(VENV_BIN / "daphne"),
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "config.asgi:application",
            ],
            cwd=self.code,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                return
            if self.server.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError((self.directory / "daphne.log").read_text()[-2000:])

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        if self.created:
            with psycopg.connect(f"{self.postgres}/postgres", autocommit=True) as connection:
                connection.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(self.database)
                    )
                )
        shutil.rmtree(self.directory, ignore_errors=True)


def sign_in(browser, base: str, lab: Lab, username: str) -> dict:
    """The session cookie of a demo account after password and one-time code."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Tiếp tục").click()
    code = re.search(r"mã hiện tại (\d+)", lab.manage("demo_code", username))
    assert code is not None
    page.get_by_label("Mã xác thực").fill(code.group(1))
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)
    state = context.storage_state()
    context.close()
    return state


def measure(browser, url: str, state: dict, throttle: bool, viewport: dict) -> dict:
    context = browser.new_context(viewport=viewport, storage_state=state, locale="vi-VN")
    try:
        page = context.new_page()
        page.add_init_script(OBSERVE)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        if throttle:
            cdp.send("Network.emulateNetworkConditions", SLOW_4G)
        requests: dict[str, str] = {}  # request id → URL
        sizes: dict[str, float] = {}
        cdp.on(
            "Network.requestWillBeSent",
            lambda e: (
                requests.__setitem__(e["requestId"], e["request"]["url"])
                if e["request"]["url"].startswith("http")
                else None
            ),
        )
        cdp.on(
            "Network.loadingFinished",
            lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
        )
        page.goto(url, wait_until="load")
        # Polled from here: the page's CSP forbids the eval that wait_for_function needs.
        deadline = time.monotonic() + LIVE_TIMEOUT_S
        while page.evaluate("() => window.__firstLoad.live") is None:
            if time.monotonic() > deadline:
                raise RuntimeError("the room never showed its live state")
            time.sleep(0.05)
        page.wait_for_timeout(2000)  # shifts that follow the live state still count
        paint = page.evaluate(
            "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime"
        )
        return {
            "bytes": int(sum(sizes[r] for r in requests if r in sizes)),
            "requests": len(requests),
            "fcp_ms": round(paint or 0),
            "cls": round(page.evaluate(CLS), 4),
            "live_ms": round(page.evaluate("window.__firstLoad.live")),
            "shifts": page.evaluate("() => window.__firstLoad.shifts"),
            "files": {url.split("/", 3)[-1]: sizes.get(r, 0) for r, url in requests.items()},
        }
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to serve")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--no-throttle", action="store_true")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument("--why", action="store_true", help="print what moved in each shift")
    parser.add_argument(
        "--chair", action="store_true", help="the chair (bithu1) on a 1366 × 768 laptop instead"
    )
    args = parser.parse_args()

    lab = Lab(args.postgres, args.root.resolve())
    try:
        lab.create_database()
        lab.manage("migrate", "--noinput", "-v", "0")
        lab.manage("collectstatic", "--noinput", "-v", "0")
        meeting = lab.manage("shell", "-c", SEED).strip().splitlines()[-1]
        port = free_port()
        lab.serve(port)
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            state = sign_in(browser, base, lab, CHAIR if args.chair else MEMBER)
            url = f"{base}/sinh-hoat/{meeting}/phong-hop/"
            screen = LAPTOP if args.chair else PHONE
            measure(browser, url, state, False, screen)  # the server's first request warm
            runs = [
                measure(browser, url, state, not args.no_throttle, screen) for _ in range(args.runs)
            ]
            browser.close()
    finally:
        lab.stop()

    shifts = [run.pop("shifts") for run in runs]
    files = [run.pop("files") for run in runs]
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    network = "unthrottled" if args.no_throttle else "slow 4G (150 ms, 1.6 Mbit/s down)"
    who = "chair on a 1366 px laptop" if args.chair else "member on a 375 px phone"
    print(f"Room first load, {who}, {network}, {args.runs} runs (median):")
    print(
        f"  bytes {median['bytes'] / 1024:.1f} KB in {median['requests']:.0f} requests · "
        f"FCP {median['fcp_ms']:.0f} ms · CLS {median['cls']:.3f} · "
        f"live state shown at {median['live_ms']:.0f} ms"
    )
    for n, run in enumerate(runs, 1):
        print(f"  run {n}: {run}")
    if args.why:
        print("  bytes per request of the last run:")
        for path, size in files[-1].items():
            print(f"    {size / 1024:6.1f} KB  /{path}")
        print("  layout shifts of the last run (time, value, what moved: y before→after):")
        for shift in shifts[-1]:
            print(f"    {shift['t']:.0f} ms {shift['v']:.4f} {', '.join(shift['moved'])}")
    print(f"Code: {args.root.resolve()}; CPU: {cpu_model()}; load: {uptime()}")
    if args.json:
        print(json.dumps({"median": median, "runs": runs}))


if __name__ == "__main__":
    main()
