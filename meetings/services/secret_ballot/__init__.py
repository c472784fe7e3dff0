"""Encrypted secret ballots in the live room: the board's key ceremony, the ballots' proofs,
the count by partial decryptions (docs/secret-ballot.md; the protocol itself is
meetings/secret_ballot, plain Python).

A vote opened with `encrypted` gets a vote-counting board (ban kiểm phiếu): the chair and two
members present, any two of the three able to count. Its phases: `keying` (each board member's
page publishes its commitments, then its sealed shares; the vote's key follows), `voting`
(ballots arrive encrypted with their proofs), `counting` (the chair closed the vote; the
ballots' product is published and the board members' pages send partial decryptions) and
`counted` (the counts decided by the charter as for any vote, the record and its fingerprint
published).

Nothing here may leave a meeting stuck: while the key is being made, the chair may change the
board (`change_board`: a board member dropped out; the ceremony restarts for a new manifest);
once closed, if too few board members remain to decrypt, the chair annuls the count
(`annul`: the vote ends `void`, no decision, and the question may be put again). A vote closed
before the key was made ends `void` the same way (no ballot could be cast).

The modules, from the bottom up: `ceremony` (the board, its key ceremony and a change of board),
`proofs` (each ballot's proofs) and `counting` (the tally decrypted and decided, or the count
annulled). The vote itself is opened, cast and closed by `meetings.services.voting`; both end in
`meetings.services.deciding`.
"""
