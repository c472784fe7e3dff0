"""Changes to a cell's roster: one module per use case, one function per change, each writing
one history row.

- `records`: a member's party record (adding, editing) and the rules it keeps;
- `exemptions`: exemption from party work and meetings;
- `temporary`: a temporary stay in another cell;
- `transfers`: the transfer of a member's home cell;
- `imports`: importing a roster file, through the worker;
- `preferences`: what a member sets for themselves (their time zone).

Each service checks that `actor` manages the cell concerned (through `members.access`, see
`base.require_manager`), so it is safe to call from a view, a command or a consumer alike; it
raises `PermissionDenied` if not, and `members.errors.RosterError` (with a Vietnamese message)
when a rule refuses the change. Either way nothing is written.
"""
