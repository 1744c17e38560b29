import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import winston from 'winston';
import { escapeJsonControls, redact, requestLogger } from '@repo/logger';
import { microsPerTurn } from '../log-cost/per-turn.js';
import { benchLogger } from '../overhead/serve.js';

/** CPU µs per request line, and of its parts (each measured alone, one per event-loop turn). */
export interface LogCostResult {
  /** requestLogger of @repo/logger for one request: id, child logger, header, the line at finish. */
  perRequest: number;
  /** The request line alone through the services' logger (JSON to a sink). */
  line: number;
  /** The parts of a line: redaction of its fields, JSON.stringify + escaping, winston itself. */
  redact: number;
  json: number;
  /** A bare winston logger (JSON.stringify format only) writing the same line to the same sink. */
  bareWinston: number;
  /** What requestLogger adds besides the line: a request id and a child logger. */
  uuid: number;
  child: number;
  /** A line below the logger's level (dropped before any formatting). */
  dropped: number;
}

/** The per-line budget of issue 23. */
export const LOG_LINE_BUDGET_MICROS = 5;

const PATH = '/api/location/geocode';

/** A request as the request logger sees one, and a response that can finish. */
function exchange() {
  const req = {
    headers: {},
    method: 'GET',
    url: `${PATH}?address=Tokyo`,
    originalUrl: `${PATH}?address=Tokyo`,
  } as unknown as IncomingMessage;
  const res = Object.assign(new EventEmitter(), {
    statusCode: 200,
    setHeader: () => {},
  }) as unknown as ServerResponse;
  return { req, res };
}

/**
 * The request line's CPU cost in this process, and what it is made of: the whole requestLogger
 * path per request (a fake request and response: no HTTP), the line through the services' logger
 * (winston, JSON, redaction), and each part alone, to explain a cost above
 * {@link LOG_LINE_BUDGET_MICROS} µs per line.
 */
export async function measureLogCost(): Promise<LogCostResult> {
  const logger = benchLogger();
  const middleware = requestLogger(logger);
  const info = {
    level: 'info',
    message: 'request',
    requestId: '0b9f3c1e-8a4d-4f7e-9c2b-5d6e7f809a1b',
    method: 'GET',
    path: PATH,
    status: 200,
    durationMs: 0.4,
  };
  const sink = new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
  const bare = winston.createLogger({
    level: 'info',
    defaultMeta: { service: 'bench' },
    format: winston.format.printf((line) => JSON.stringify(line)),
    transports: [new winston.transports.Stream({ stream: sink })],
  });
  const stamped = { ...info, service: 'bench', timestamp: new Date().toISOString() };
  return {
    perRequest: await microsPerTurn(() => {
      const { req, res } = exchange();
      middleware(req, res, () => {});
      res.emit('finish');
    }),
    line: await microsPerTurn(() => logger.log({ ...info })),
    redact: await microsPerTurn(() => redact(stamped)),
    json: await microsPerTurn(() => escapeJsonControls(JSON.stringify(stamped))),
    bareWinston: await microsPerTurn(() => bare.log({ ...info })),
    uuid: await microsPerTurn(() => randomUUID()),
    child: await microsPerTurn(() => logger.child({ requestId: info.requestId })),
    dropped: await microsPerTurn(() => logger.log({ ...info, level: 'debug' })),
  };
}
