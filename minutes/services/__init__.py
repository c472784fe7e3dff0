"""The minutes' life, one module per use case, each state change in a transaction and
permission-checked; refusals are `RuleViolation`s in Vietnamese.

- `drafting`: the draft opened and edited by chair and recorder, every save a version;
- `approval`: approved by the meeting's read-back vote or by chair and recorder;
- `issuing`: the minutes document, and from the archived minutes extracts, resolutions and
  signed corrections (addenda);
- `rendering`: each document's PDF made once by a Celery task (`minutes.tasks`), retried;
- `signing`: signed by chair then recorder (or the cell's secretary) with a fresh one-time code,
  archived (immutable) with the meeting.

Beneath them: `roles` (who writes, issues and signs, whose turn it is) and `meeting_status`
(the meeting's states as the minutes see them, and the steps the minutes move it through).
Import the module you need: this package re-exports nothing.
"""
