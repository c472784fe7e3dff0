"""The demo: a believable party tree, its members and a year of their meetings, seeded through
the real services for a newcomer's first run (`./bin/run`, `manage.py seed_demo`).

It sits above the three apps (members → meetings → minutes → demo): it uses all of them and
none of them uses it (an import-linter contract in pyproject.toml).
"""
