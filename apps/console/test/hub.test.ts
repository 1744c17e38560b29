import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventHub } from '../src/hub.js';

/** A page's end of the stream: what was written, and a way to hang up. */
function page() {
  const emitter = new EventEmitter();
  const written: string[] = [];
  const res = Object.assign(emitter, {
    status: 0,
    headers: {} as Record<string, string>,
    writeHead(status: number, headers: Record<string, string>) {
      res.status = status;
      res.headers = headers;
      return res;
    },
    write(chunk: string) {
      written.push(chunk);
      return true;
    },
    end() {
      emitter.emit('close');
    },
  });
  const events = () =>
    written
      .filter((chunk) => chunk.startsWith('id: '))
      .map((chunk) => JSON.parse(chunk.split('\ndata: ')[1]!) as { seq: number; kind: string });
  return { res, written, events, asResponse: res as unknown as Response };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('EventHub', () => {
  it("keeps each kind's last event after it leaves the 500 kept for new pages", () => {
    const hub = new EventHub();
    hub.publish({ service: 'auth-server', kind: 'keys', fields: { signing_kid: 'k2' } });
    for (let i = 0; i < 500; i++) hub.publish({ service: 'worldmappers-api', kind: 'api' });
    expect(hub.recent('keys')).toEqual([]);
    expect(hub.last('keys')).toMatchObject({ seq: 1, fields: { signing_kid: 'k2' } });
    expect(hub.last('api')).toMatchObject({ seq: 501 });
    expect(hub.last('token')).toBeUndefined();
  });

  it('numbers every event once and sends it to every open page', () => {
    const hub = new EventHub();
    const [a, b] = [page(), page()];
    hub.attach(a.asResponse, 0);
    hub.attach(b.asResponse, 0);
    hub.publish({ service: 'auth-server', kind: 'token' });
    hub.publish({ service: 'worldmappers-api', kind: 'request' });
    expect(a.res.status).toBe(200);
    expect(a.res.headers).toMatchObject({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
    });
    expect(a.written[0]).toBe('retry: 1000\n\n');
    expect(a.events().map((event) => [event.seq, event.kind])).toEqual([
      [1, 'token'],
      [2, 'request'],
    ]);
    expect(b.events()).toEqual(a.events());
  });

  it('replays only what a reconnecting page missed (Last-Event-ID)', () => {
    const hub = new EventHub();
    for (let i = 0; i < 5; i += 1) hub.publish({ service: 'auth-server', kind: `e${i}` });
    const late = page();
    hub.attach(late.asResponse, 3);
    expect(late.events().map((event) => event.seq)).toEqual([4, 5]);
  });

  it('keeps the last 500 events, oldest dropped first', () => {
    const hub = new EventHub();
    for (let i = 0; i < 520; i += 1) {
      hub.publish({ service: 'giftdeliveries', kind: i % 2 ? 'odd' : 'even' });
    }
    const kept = hub.recent();
    expect(kept).toHaveLength(500);
    expect(kept[0]!.seq).toBe(21);
    expect(kept.at(-1)!.seq).toBe(520);
    expect(hub.recent('odd')).toHaveLength(250);
  });

  it('sends a heartbeat every 15 s and forgets a page that hung up', () => {
    vi.useFakeTimers();
    const hub = new EventHub();
    const viewer = page();
    hub.attach(viewer.asResponse, 0);
    vi.advanceTimersByTime(15_000);
    expect(viewer.written.at(-1)).toBe(': heartbeat\n\n');
    viewer.res.end();
    const before = viewer.written.length;
    hub.publish({ service: 'auth-server', kind: 'token' });
    vi.advanceTimersByTime(30_000);
    expect(viewer.written).toHaveLength(before);
  });
});
