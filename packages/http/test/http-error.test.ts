import { describe, expect, it } from 'vitest';
import { HttpError, invalidRequest, notFound } from '../src/index.js';

/** A captured V8 stack frame line ("    at …"). */
const FRAME = /\n\s+at /;

describe('HttpError', () => {
  it('captures no stack frames for an exposed refusal below 500', () => {
    for (const error of [
      new HttpError(401, 'invalid_token', 'expired'),
      new HttpError(403, 'insufficient_scope', 'needs directions'),
      invalidRequest('malformed'),
      notFound('no such delivery'),
    ]) {
      expect(error.stack).toBe(`HttpError: ${error.message}`);
      expect(error.stack).not.toMatch(FRAME);
    }
  });

  it('keeps the stack of a 5xx, exposed or not, for the logs', () => {
    const hidden = new HttpError(500, 'server_error', 'boom');
    const exposed = new HttpError(503, 'temporarily_unavailable', 'retry', { expose: true });
    for (const error of [hidden, exposed]) {
      expect(error.stack).toMatch(FRAME);
      expect(error.stack).toContain('http-error.test.ts');
    }
  });

  it('keeps the stack of a refusal below 500 that is not exposed (logged as a 500)', () => {
    const error = new HttpError(404, 'not_found', 'internal lookup', { expose: false });
    expect(error.stack).toMatch(FRAME);
  });

  it('leaves Error.stackTraceLimit as it found it, for the next errors of the process', () => {
    const before = Error.stackTraceLimit;
    new HttpError(401, 'invalid_token', 'expired');
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('plain').stack).toMatch(FRAME);
  });

  it('still carries status, code, message, headers, cause and expose', () => {
    const cause = new Error('root');
    const error = new HttpError(429, 'too_many_requests', 'slow down', {
      headers: { 'Retry-After': '2' },
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'HttpError',
      status: 429,
      code: 'too_many_requests',
      message: 'slow down',
      headers: { 'Retry-After': '2' },
      expose: true,
      cause,
    });
  });
});
