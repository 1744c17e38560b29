import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { fingerprint, redact } from '@repo/logger';
import type { Exchange } from './event-bus.js';

/** Response bodies longer than this are summarised, not kept (directions can be large). */
const MAX_BODY_BYTES = 8_192;
/** Exchanges not claimed by a log line within this time are dropped (e.g. debug-level lines). */
const KEEP_MS = 10_000;
const REQUEST_HEADERS = ['authorization', 'content-type', 'accept', 'x-request-id', 'dpop'];

/** `Bearer <token>` as `Bearer sha256:…`: the fingerprint the token provider's lines show. */
function shortenCredentials(value: string): string {
  const match = /^(\S+)\s+(\S+)$/.exec(value.trim());
  return match ? `${match[1]} ${fingerprint(match[2]!)}` : fingerprint(value);
}

function requestBody(req: Request): unknown {
  const body: unknown = req.body;
  if (body === undefined || body === null) return undefined;
  if (Buffer.isBuffer(body)) {
    if (body.length === 0) return undefined;
    const text = body.toString('utf8');
    if (req.is('application/x-www-form-urlencoded')) {
      return redact(Object.fromEntries(new URLSearchParams(text)));
    }
    try {
      return redact(JSON.parse(text));
    } catch {
      return `[${body.length} bytes]`;
    }
  }
  return typeof body === 'object' && Object.keys(body).length === 0 ? undefined : redact(body);
}

function responseBody(chunks: Buffer[], size: number, contentType: string): unknown {
  if (size === 0) return undefined;
  if (size > MAX_BODY_BYTES || !/json/.test(contentType)) return `[${size} bytes ${contentType}]`;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return redact(JSON.parse(text));
  } catch {
    return redact(text);
  }
}

/**
 * Keeps each request's exchange (method, URL, chosen request headers, bodies, response headers),
 * redacted as @repo/logger redacts a line, until the request's log line claims it by request id.
 */
export class ExchangeRecorder {
  /** Per request id, oldest first: one id can carry several calls (a delivery's geocode and route). */
  private readonly kept = new Map<string, { exchange: Exchange; at: number }[]>();

  /** Express middleware; mount after the request logger (it needs `req.id`). */
  readonly middleware: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    if (req.path === '/events') return next();
    const chunks: Buffer[] = [];
    let size = 0;
    const keep = (chunk: unknown, encoding?: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      const buffer = Buffer.isBuffer(chunk)
        ? chunk
        : Buffer.from(
            String(chunk),
            typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
          );
      size += buffer.length;
      if (size <= MAX_BODY_BYTES) chunks.push(buffer);
    };
    const { write, end } = res;
    res.write = function (this: Response, chunk: unknown, ...rest: unknown[]) {
      keep(chunk, rest[0]);
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as Response['write'];
    res.end = function (this: Response, chunk?: unknown, ...rest: unknown[]) {
      keep(chunk, rest[0]);
      return (end as (...args: unknown[]) => Response).call(this, chunk, ...rest);
    } as Response['end'];
    res.once('finish', () => {
      const headers: Record<string, unknown> = {};
      for (const name of REQUEST_HEADERS) {
        const value = req.headers[name];
        if (typeof value !== 'string') continue;
        headers[name] =
          name === 'authorization' || name === 'dpop' ? shortenCredentials(value) : value;
      }
      const responseHeaders = redact({ ...res.getHeaders() }) as Record<string, unknown>;
      delete responseHeaders['set-cookie'];
      const exchange: Exchange = {
        request: {
          method: req.method,
          url: (req.originalUrl ?? req.url).replace(
            /([?&](?:client_secret|access_token)=)[^&]*/gi,
            '$1…',
          ),
          headers,
          body: requestBody(req),
        },
        response: {
          status: res.statusCode,
          headers: responseHeaders,
          body: responseBody(chunks, size, String(res.getHeader('content-type') ?? '')),
        },
      };
      this.prune();
      const queue = this.kept.get(req.id) ?? [];
      queue.push({ exchange, at: Date.now() });
      this.kept.set(req.id, queue);
    });
    next();
  };

  /** The exchange of a request, once (it is forgotten). */
  take(requestId: string): Exchange | undefined {
    const queue = this.kept.get(requestId);
    const entry = queue?.shift();
    if (queue?.length === 0) this.kept.delete(requestId);
    return entry?.exchange;
  }

  private prune(): void {
    if (this.kept.size < 100) return;
    const oldest = Date.now() - KEEP_MS;
    for (const [id, queue] of this.kept) if (queue[0]!.at < oldest) this.kept.delete(id);
  }
}
