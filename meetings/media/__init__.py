"""Voice and picture in the live room: a self-hosted Janus VideoRoom (the SFU) and coturn (TURN).

- `engine`: writes the private Janus and coturn configurations under var/ and starts them
  (./bin/run, ./bin/media, the tests). It needs neither Django nor the database.
- `tokens`: what Django signs (Janus core tokens, per-participant room tokens, TURN REST
  credentials).
- `janus`: the server's side of the Janus HTTP API (room create/destroy, allowed list,
  moderate, kick).
- `services`: the rules: who gets media tokens, when the room exists, whose microphone is open.
"""
