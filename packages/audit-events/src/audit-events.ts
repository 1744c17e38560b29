import type { RequestHandler, Router } from 'express';
import type { Logger } from '@repo/logger';
import { AuditEventBus } from './event-bus.js';
import { eventRoutes, eventsEnabled } from './event-stream.js';
import { ExchangeRecorder } from './exchange.js';
import { AuditEventTransport } from './log-transport.js';

export interface AuditEventsOptions {
  /** The service's name, on every event. */
  service: string;
  /** The service's logger: its lines are the events. */
  logger: Logger;
  /** `EVENTS_STREAM` and `NODE_ENV` of the service's configuration. */
  setting: string | undefined;
  nodeEnv: string | undefined;
}

/** One service's audit events: the bus, fed by its logger, and the Express parts to mount. */
export interface AuditEvents {
  enabled: boolean;
  bus: AuditEventBus;
  /** Records each request's redacted exchange; mount right after the base app's request logger. */
  recorder: RequestHandler;
  /** `GET /events` behind the given protection (nothing when the stream is off). */
  routes(protection: {
    authenticate: RequestHandler;
    requireScopes(...scopes: string[]): RequestHandler;
  }): Router;
  /** Ends the open streams (done by itself on SIGTERM and SIGINT). */
  close(): void;
}

/**
 * Wires a service's audit events: its logger's redacted lines become events on an in-process bus,
 * served as Server-Sent Events at `GET /events` to a token with `events:read`. Off in
 * production unless `EVENTS_STREAM=on`, and then nothing is recorded at all.
 *
 * @example
 * const events = createAuditEvents({ service: 'giftdeliveries', logger, setting: config.EVENTS_STREAM, nodeEnv: config.NODE_ENV });
 * app.use(events.recorder);
 * app.use(events.routes({ authenticate, requireScopes }));
 */
export function createAuditEvents(options: AuditEventsOptions): AuditEvents {
  const enabled = eventsEnabled(options.setting, options.nodeEnv);
  const bus = new AuditEventBus(options.service);
  const exchanges = new ExchangeRecorder();
  if (enabled) {
    options.logger.add(new AuditEventTransport(bus, exchanges));
    // Open streams would hold a graceful shutdown (server.close waits for every connection).
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => bus.close());
  }
  const passThrough: RequestHandler = (_req, _res, next) => next();
  return {
    enabled,
    bus,
    recorder: enabled ? exchanges.middleware : passThrough,
    routes: (protection) => eventRoutes({ bus, enabled, ...protection }),
    close: () => bus.close(),
  };
}
