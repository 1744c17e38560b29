import express, { type RequestHandler, type Router } from 'express';
import type { AuditEvent, AuditEventBus } from './event-bus.js';

/** A comment line this often keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000;

/** One Server-Sent Event (https://html.spec.whatwg.org/multipage/server-sent-events.html). */
export function formatEvent(event: AuditEvent): string {
  return `id: ${event.id}\nevent: audit\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * `GET` handler streaming a bus as Server-Sent Events: first the kept events after the reader's
 * `Last-Event-ID` (all kept ones for a new reader), then each new one as it happens.
 */
export function eventStreamHandler(bus: AuditEventBus): RequestHandler {
  return (req, res) => {
    const lastId = Number(req.header('last-event-id') ?? 0);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 1000\n\n');
    for (const event of bus.recent(Number.isFinite(lastId) ? lastId : 0))
      res.write(formatEvent(event));
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    const unsubscribe = bus.subscribe(
      (event) => res.write(formatEvent(event)),
      () => res.end(),
    );
    res.once('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  };
}

/** The scope a reader's token needs for `GET /events`: only the console's client is granted it. */
export const EVENTS_SCOPE = 'events:read';

export interface EventRoutesOptions {
  bus: AuditEventBus;
  /** From protectApi of @repo/resource-server, for this service's audience. */
  authenticate: RequestHandler;
  requireScopes(...scopes: string[]): RequestHandler;
  /** What `EVENTS_STREAM` says: off answers 404 as if the route did not exist. */
  enabled: boolean;
}

/** `GET /events`: the service's audit events, for a bearer token with `events:read`. */
export function eventRoutes({
  bus,
  authenticate,
  requireScopes,
  enabled,
}: EventRoutesOptions): Router {
  const router = express.Router();
  if (enabled) {
    router.get('/events', authenticate, requireScopes(EVENTS_SCOPE), eventStreamHandler(bus));
  }
  return router;
}

/**
 * Whether a service streams its events: `EVENTS_STREAM=on`/`off` decides; unset, they are on
 * outside production and off in production.
 */
export function eventsEnabled(setting: string | undefined, nodeEnv: string | undefined): boolean {
  if (setting === 'on') return true;
  if (setting === 'off') return false;
  return nodeEnv !== 'production';
}
