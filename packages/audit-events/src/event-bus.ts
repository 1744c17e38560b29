/** What a service's stream carries: one of its log lines, classified, with the exchange behind it. */
export type AuditEventKind = 'token' | 'api' | 'delivery' | 'keys' | 'cache';

/** The raw request and response of one HTTP exchange, redacted as a log line is. */
export interface Exchange {
  request: { method: string; url: string; headers: Record<string, unknown>; body?: unknown };
  response: { status: number; headers: Record<string, unknown>; body?: unknown };
}

export interface AuditEvent {
  /** Increasing within one process: a reconnecting reader sends the last one it saw. */
  id: number;
  service: string;
  /** ISO 8601, when the line was written. */
  time: string;
  kind: AuditEventKind;
  /** The log line's message (`request`, `token issued`, `delivery planned`…). */
  message: string;
  /** The log line's fields, already redacted by @repo/logger. */
  fields: Record<string, unknown>;
  exchange?: Exchange;
}

export type AuditListener = (event: AuditEvent) => void;

/**
 * An in-process bus of one service's audit events: keeps the last `capacity` events for readers
 * that connect (or reconnect) later, and hands each new one to every subscriber.
 */
export class AuditEventBus {
  private nextId = 1;
  private readonly recentEvents: AuditEvent[] = [];
  private readonly listeners = new Set<AuditListener>();
  private readonly closers = new Set<() => void>();

  constructor(
    readonly service: string,
    private readonly capacity = 200,
  ) {}

  publish(event: Omit<AuditEvent, 'id' | 'service'>): AuditEvent {
    const full: AuditEvent = { id: this.nextId++, service: this.service, ...event };
    this.recentEvents.push(full);
    if (this.recentEvents.length > this.capacity) this.recentEvents.shift();
    for (const listener of this.listeners) listener(full);
    return full;
  }

  /** The kept events after `afterId` (all of them by default), oldest first. */
  recent(afterId = 0): AuditEvent[] {
    return this.recentEvents.filter((event) => event.id > afterId);
  }

  /** Calls `listener` for each new event, and `onClose` when the bus closes; returns the unsubscribe. */
  subscribe(listener: AuditListener, onClose?: () => void): () => void {
    this.listeners.add(listener);
    if (onClose) this.closers.add(onClose);
    return () => {
      this.listeners.delete(listener);
      if (onClose) this.closers.delete(onClose);
    };
  }

  /** Ends every subscription (the server is shutting down: open streams must not hold it). */
  close(): void {
    for (const close of [...this.closers]) close();
    this.listeners.clear();
    this.closers.clear();
  }
}
