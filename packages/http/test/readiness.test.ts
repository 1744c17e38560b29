import express from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

describe('readinessHandler caching', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs its checks at most once per 2 s, however many calls come, then runs them again', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 0 });
    let runs = 0;
    let ok = true;
    const app = express().get(
      '/readyz',
      readinessHandler({ issuer: () => ({ ok, runs: ++runs }) }),
    );
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => request(app).get('/readyz')),
    );
    expect(runs).toBe(1);
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({ status: 'ready', checks: { issuer: { status: 'ok', runs: 1 } } });
    }
    ok = false;
    vi.setSystemTime(1_999);
    expect((await request(app).get('/readyz')).status).toBe(200);
    expect(runs).toBe(1);
    vi.setSystemTime(2_000);
    const later = await request(app).get('/readyz');
    expect(runs).toBe(2);
    expect(later.status).toBe(503);
    expect(later.body).toEqual({
      status: 'not_ready',
      checks: { issuer: { status: 'fail', runs: 2 } },
    });
  });

  it('runs them for every call with cacheMs 0', async () => {
    let runs = 0;
    const app = express().get(
      '/readyz',
      readinessHandler({ store: () => ({ ok: true, runs: ++runs }) }, { cacheMs: 0 }),
    );
    await request(app).get('/readyz');
    await request(app).get('/readyz');
    expect(runs).toBe(2);
  });
});
