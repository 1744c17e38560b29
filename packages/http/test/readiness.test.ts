import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { readinessHandler } from '../src/index.js';

const appWith = (checks: Parameters<typeof readinessHandler>[0]) =>
  express().get('/readyz', readinessHandler(checks));

describe('readinessHandler', () => {
  it('answers 200 ready with every check ok and its details', async () => {
    const res = await request(
      appWith({ issuer: async () => ({ ok: true, keys: 2 }), store: () => ({ ok: true }) }),
    ).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      status: 'ready',
      checks: { issuer: { status: 'ok', keys: 2 }, store: { status: 'ok' } },
    });
  });

  it('answers 503 not_ready naming the failing check and why, a thrown error included', async () => {
    const res = await request(
      appWith({
        issuer: () => ({ ok: false, reason: 'discovery document answered HTTP 503' }),
        store: () => {
          throw new Error('database is locked');
        },
        places: () => ({ ok: true }),
      }),
    ).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      status: 'not_ready',
      checks: {
        issuer: { status: 'fail', reason: 'discovery document answered HTTP 503' },
        store: { status: 'fail', reason: 'database is locked' },
        places: { status: 'ok' },
      },
    });
  });
});
