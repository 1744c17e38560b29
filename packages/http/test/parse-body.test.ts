import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@repo/logger';
import { createBaseApp, errorHandler, parseBody } from '../src/index.js';

const logger = createLogger({
  service: 'test',
  level: 'error',
  format: 'json',
  stream: new PassThrough(),
});

const app = createBaseApp(logger);
app.use(parseBody(express.json({ limit: '1kb' })));
app.post('/echo', (req, res) => {
  res.json(req.body);
});
app.use(errorHandler(logger));

const send = (encoding: string, body: Buffer) =>
  request(app)
    .post('/echo')
    .set('Content-Type', 'application/json')
    .set('Content-Encoding', encoding)
    // As the bytes are: superagent would otherwise write a Buffer out as JSON.
    .serialize((bytes: Buffer) => bytes as unknown as string)
    .send(body);

describe('parseBody and Content-Encoding', () => {
  it('reads a gzip body', async () => {
    const res = await send('gzip', gzipSync(JSON.stringify({ a: 1 })));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ a: 1 });
  });

  it.each(['gzip', 'deflate', 'br'])(
    'answers a body that is not %s with 400 and a clean message, no zlib text',
    async (encoding) => {
      const res = await send(encoding, Buffer.from('{"a":1} certainly not compressed'));
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        error: 'invalid_request',
        error_description: `The request body is not valid ${encoding} data, as its Content-Encoding says.`,
      });
    },
  );

  it('answers an unsupported Content-Encoding with 415', async () => {
    const res = await send('compress', Buffer.from('{"a":1}'));
    expect(res.status).toBe(415);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description:
        'The request body encoding is not supported: send it as is, or with Content-Encoding gzip, deflate or br.',
    });
  });
});
