"""Encrypted secret ballots (docs/secret-ballot.md): the protocol in plain Python."""
