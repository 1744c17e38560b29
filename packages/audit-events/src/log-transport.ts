import Transport from 'winston-transport';
import type { AuditEventBus, AuditEventKind } from './event-bus.js';
import type { ExchangeRecorder } from './exchange.js';

/** The token endpoint's paths (oidc-provider's and Auth0's). */
const TOKEN_PATHS = new Set(['/token', '/oauth/token']);
const DELIVERY_MESSAGES = new Set([
  'delivery planned',
  'delivery failed',
  'delivery planning postponed',
  'sample deliveries enqueued (empty store, development)',
]);
const KEY_MESSAGES = new Set(['signing keys changed', 'created a signing key']);

/** Which kind of audit event a log line is, if any: most lines are none. */
export function classify(fields: Record<string, unknown>): AuditEventKind | undefined {
  const message = fields.message;
  if (message === 'request') {
    if (typeof fields.path === 'string' && TOKEN_PATHS.has(fields.path)) return 'token';
    if (fields.audit === true && fields.path !== '/events') return 'api';
    return undefined;
  }
  if (typeof message !== 'string') return undefined;
  if (DELIVERY_MESSAGES.has(message)) return 'delivery';
  if (KEY_MESSAGES.has(message)) return 'keys';
  return undefined;
}

/**
 * A winston transport that turns a service's own log lines into audit events: it receives each
 * line after @repo/logger has redacted it, so an event carries exactly what the line carries
 * (plus the redacted exchange the {@link ExchangeRecorder} kept for the same request id).
 */
export class AuditEventTransport extends Transport {
  constructor(
    private readonly bus: AuditEventBus,
    private readonly exchanges?: ExchangeRecorder,
  ) {
    super({ level: 'info' });
  }

  override log(info: Record<string, unknown>, next: () => void): void {
    const fields: Record<string, unknown> = {};
    for (const key of Object.keys(info)) fields[key] = info[key];
    const kind = classify(fields);
    if (kind !== undefined) {
      const { message, timestamp, level: _level, service: _service, ...rest } = fields;
      const requestId = typeof rest.requestId === 'string' ? rest.requestId : undefined;
      // The recorder's own 'finish' listener runs right after the request logger's: wait a turn.
      setImmediate(() => {
        const exchange = requestId ? this.exchanges?.take(requestId) : undefined;
        this.bus.publish({
          time: typeof timestamp === 'string' ? timestamp : new Date().toISOString(),
          kind,
          message: String(message),
          fields: rest,
          ...(exchange ? { exchange } : {}),
        });
      });
    }
    next();
  }
}
