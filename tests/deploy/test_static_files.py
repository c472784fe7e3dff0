"""Static files as production serves them: collected under hashed names, with gzip and brotli
copies, and cached for good (config/settings.py STORAGES; the test settings keep plain names)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.unit

# Asks the production settings, in a fresh interpreter, for what a browser gets: the URL a page
# links to, and the response to it with and without compression.
PROBE = """
import json, django
django.setup()
from django.templatetags.static import static
from django.test import Client
answers = {}
for name in ("css/app.css", "vendor/janus-gateway/janus.js"):
    url = static(name)
    served = {}
    for encoding in ("br", "gzip", ""):
        response = Client().get(url, HTTP_ACCEPT_ENCODING=encoding, HTTP_HOST="127.0.0.1")
        served[encoding or "none"] = {
            "status": response.status_code,
            "encoding": response.get("Content-Encoding", ""),
            "cache": response.get("Cache-Control", ""),
        }
    answers[name] = {"url": url, "served": served}
print(json.dumps(answers))
"""


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> tuple[Path, dict]:
    static_root = tmp_path_factory.mktemp("static")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CHIBO_EMBEDDED_SECRET": "1",
        "CHIBO_VAR_DIR": str(tmp_path_factory.mktemp("var")),
        "STATIC_ROOT": str(static_root),
        "DEBUG": "0",
    }
    for command in (
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        [sys.executable, "-c", PROBE],
    ):
        result = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
        )
        assert result.returncode == 0, result.stderr
    return static_root, json.loads(result.stdout)


def test_collected_files_have_hashed_names_and_compressed_copies(collected):
    static_root, _ = collected
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]

    hashed = static_root / manifest["css/app.css"]
    assert hashed.name != "app.css"
    assert hashed.with_name(hashed.name + ".gz").is_file()
    assert hashed.with_name(hashed.name + ".br").is_file()


def test_the_rooms_modules_import_each_other_by_their_hashed_names(collected):
    """A module cached for ten years must not import a sibling by its plain name: after an
    update, the new room.js would run with the old renderers."""
    static_root, _ = collected
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]

    room = (static_root / manifest["js/room.js"]).read_text()

    for module in ("js/room-view.js", "js/dom.js", "js/room-texts.js"):
        hashed = Path(manifest[module]).name
        assert f'from "./{hashed}"' in room
        assert f'from "./{Path(module).name}"' not in room


def test_pages_link_hashed_files_served_compressed_and_cached_for_a_year_or_more(collected):
    _, answers = collected
    app_css = answers["css/app.css"]

    assert app_css["url"].startswith("/static/css/app.")
    assert app_css["url"] != "/static/css/app.css"
    served = app_css["served"]
    assert {kind: answer["status"] for kind, answer in served.items()} == {
        "br": 200,
        "gzip": 200,
        "none": 200,
    }
    assert served["br"]["encoding"] == "br"
    assert served["gzip"]["encoding"] == "gzip"
    assert served["none"]["encoding"] == ""
    for answer in served.values():
        pairs = (part.strip().partition("=") for part in answer["cache"].split(","))
        directives = {name: value for name, _, value in pairs}
        assert int(directives["max-age"]) >= 365 * 24 * 3600
        assert "immutable" in directives


@pytest.mark.skipif(
    not Path("/usr/share/javascript/janus-gateway/janus.js").is_file(),
    reason="Debian's libjs-janus-gateway is not installed",
)
def test_janus_client_from_debian_is_served_the_same_way(collected):
    _, answers = collected
    janus = answers["vendor/janus-gateway/janus.js"]

    assert janus["url"] != "/static/vendor/janus-gateway/janus.js"
    assert janus["served"]["br"]["status"] == 200
    assert janus["served"]["br"]["encoding"] == "br"


def test_css_and_javascript_are_collected_minified_and_still_parse(collected):
    """What the browser loads is minified (issue 16): the hashed copies of our CSS and scripts
    are smaller than their sources and carry no comments; each script still parses (node)."""
    static_root, _ = collected
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    sources = {"css/app.css": ROOT / "static/css/app.css"}
    sources.update({f"js/{p.name}": p for p in (ROOT / "static/js").glob("*.js")})

    for name, source in sources.items():
        served = (static_root / manifest[name]).read_text()
        assert len(served) < 0.9 * len(source.read_text()), name
        assert "/*" not in served, name
        assert served.rstrip().endswith((";", "}", ")")), name

    if shutil.which("node") is None:
        pytest.skip("node is not installed: the minified scripts' syntax is not checked")
    for name in sources:
        if name.endswith(".js"):
            module = static_root / (manifest[name] + ".mjs")  # our scripts are ES modules
            module.write_text((static_root / manifest[name]).read_text())
            check = subprocess.run(["node", "--check", str(module)], capture_output=True, text=True)
            assert check.returncode == 0, (name, check.stderr)
