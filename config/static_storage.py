"""Static files as production serves them: minified, then named by their content's hash, with
gzip and brotli copies (WhiteNoise). collectstatic copies the files into STATIC_ROOT, then this
storage minifies each CSS and JavaScript file in place (rcssmin, rjsmin: comments and white
space only, no renaming) and has the manifest storage hash, rewrite and compress that copy
rather than the source it found; files already named `.min.*` are left as they are. The
sources under static/ stay readable; the test settings serve those."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import rcssmin
import rjsmin
from whitenoise.storage import CompressedManifestStaticFilesStorage

MINIFIERS = {".css": rcssmin.cssmin, ".js": rjsmin.jsmin}


def minify(path: Path) -> bool:
    """Minifies one collected file in place; False when it is not CSS or JavaScript, or is
    already minified."""
    minifier = MINIFIERS.get(path.suffix)
    if minifier is None or path.stem.endswith(".min"):
        return False
    source = path.read_text(encoding="utf-8")
    smaller = minifier(source)
    if len(smaller) < len(source):
        path.write_text(smaller, encoding="utf-8")
    return True


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Minified, hashed, compressed. The room's scripts are ES modules importing each other
    (static/js/room.js imports room-view.js and dom.js): their `import … from "./x.js"` are
    rewritten to the hashed names too, so a changed module is never taken from a stale cache."""

    support_js_module_import_aggregation = True

    def post_process(
        self, paths: dict[str, Any], dry_run: bool = False, **options: Any
    ) -> Iterator[Any]:
        if not dry_run:
            paths = dict(paths)
            for name in paths:
                if minify(Path(self.path(name))):
                    # Hashed from the minified copy here, not from the source it was found in.
                    paths[name] = (self, name)
        yield from super().post_process(paths, dry_run=dry_run, **options)
