// One way back after a lost socket, for every socket of the pages (the room's and the
// notifications'): a delay that doubles up to a ceiling, of which each page waits a random part,
// so that after a server restart or a Redis outage the pages do not all come back in the same
// instant (docs/protocol.md, Reconnecting).
export class Backoff {
  constructor(first, ceiling) {
    this.first = first;
    this.ceiling = ceiling;
    this.current = first;
  }

  reset() { this.current = this.first; }

  next() {
    const wait = this.current * (0.5 + Math.random());
    this.current = Math.min(this.current * 2, this.ceiling);
    return wait;
  }
}
