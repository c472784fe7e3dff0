"""Votes in the live room: the chair opens and closes, eligible members cast ballots.

The charter engine decides who may vote (the members of N who are present when the vote opens),
which method a kind of decision needs, and the outcome. Secret ballots are stored in two
unlinked halves (BallotReceipt: who voted; SecretBallot: what was chosen), see docs/protocol.md.

One module per use case, each imported by its own name (nothing is re-exported here):
`opening` (the question put, its options cleaned by `options`, the charter's gate), `casting`
(ballots, one at a time or a burst in one transaction) and `closing` (the ballots counted and
decided). An encrypted secret ballot's board and count are `meetings.services.secret_ballot`;
both ways end in `meetings.services.deciding`.
"""
