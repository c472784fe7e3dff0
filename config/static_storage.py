"""Static files: hashed, compressed names (WhiteNoise), ES module imports included."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """The room's scripts are ES modules importing each other (static/js/room.js imports
    room-view.js and dom.js): their `import … from "./x.js"` are rewritten to the hashed names
    too, so a changed module is never taken from a stale cache."""

    support_js_module_import_aggregation = True
