import { Writable } from 'node:stream';
import { createLogger, type LogLevel, type Logger } from '@repo/logger';

/** Where a JSON logger under test writes: every line kept, parsed and as text. */
export interface JsonLogSink {
  /** Give this to the logger (`createLogger({ format: 'json', stream })`). */
  stream: Writable;
  /** Every complete line written so far, parsed; empty it with `lines.length = 0`. */
  lines: Record<string, unknown>[];
  /** Everything written so far, as written. */
  text(): string;
}

/**
 * A stream that collects a JSON logger's output line by line, so that tests can assert exactly
 * what was logged (and that no secret was). A line split across writes is kept until it ends.
 */
export function jsonLogSink(): JsonLogSink {
  const lines: Record<string, unknown>[] = [];
  let text = '';
  let pending = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const written = chunk.toString();
      text += written;
      const parts = (pending + written).split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { stream, lines, text: () => text };
}

/**
 * A JSON logger for a test whose lines land in a {@link jsonLogSink}: pass `logger` to the code
 * under test and assert on `lines`.
 */
export function testLogger(
  options: { service?: string; level?: LogLevel } = {},
): JsonLogSink & { logger: Logger } {
  const { service = 'test', level = 'info' } = options;
  const sink = jsonLogSink();
  const logger = createLogger({ service, level, format: 'json', stream: sink.stream });
  return { ...sink, logger };
}
