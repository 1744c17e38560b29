import type { Response } from 'express';

/** What the page receives: a service's event, or the console's own (a stream's state). */
export type ConsoleEvent = Record<string, unknown> & { service: string; kind: string };

/**
 * The one stream the page reads: every service's events merged, numbered again, the last 500
 * kept for a page that opens (or reopens) later.
 */
export class EventHub {
  private seq = 0;
  private readonly kept: (ConsoleEvent & { seq: number })[] = [];
  private readonly clients = new Set<Response>();
  /** The last event of each kind, kept even after it leaves the 500 (the keys panel needs it). */
  private readonly lastOfKind = new Map<string, ConsoleEvent & { seq: number }>();

  publish(event: ConsoleEvent): void {
    const numbered = { ...event, seq: ++this.seq };
    this.kept.push(numbered);
    this.lastOfKind.set(numbered.kind, numbered);
    if (this.kept.length > 500) this.kept.shift();
    const text = `id: ${numbered.seq}\ndata: ${JSON.stringify(numbered)}\n\n`;
    for (const res of this.clients) res.write(text);
  }

  recent(kind?: string) {
    return kind ? this.kept.filter((event) => event.kind === kind) : [...this.kept];
  }

  last(kind: string) {
    return this.lastOfKind.get(kind);
  }

  /** Serves the merged stream to one page (Server-Sent Events). */
  attach(res: Response, afterSeq: number): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    res.write('retry: 1000\n\n');
    for (const event of this.kept) {
      if (event.seq > afterSeq) res.write(`id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`);
    }
    this.clients.add(res);
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), 15_000);
    heartbeat.unref();
    res.once('close', () => {
      clearInterval(heartbeat);
      this.clients.delete(res);
    });
  }

  close(): void {
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}
