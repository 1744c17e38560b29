// Each service's redacted audit events, streamed (Server-Sent Events) to the console's client.
export { createAuditEvents, type AuditEvents, type AuditEventsOptions } from './audit-events.js';
export {
  AuditEventBus,
  type AuditEvent,
  type AuditEventKind,
  type AuditListener,
  type Exchange,
} from './event-bus.js';
export {
  EVENTS_SCOPE,
  eventRoutes,
  eventsEnabled,
  eventStreamHandler,
  formatEvent,
  type EventRoutesOptions,
} from './event-stream.js';
export { ExchangeRecorder } from './exchange.js';
export { AuditEventTransport, classify } from './log-transport.js';
export { landingPage, type LandingPageOptions } from './landing-page.js';
