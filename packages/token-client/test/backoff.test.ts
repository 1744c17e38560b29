import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from '../src/index.js';

describe('backoffDelay', () => {
  it('waits half the doubling step plus a random part of the other half, up to the cap', () => {
    const base = { baseMs: 1_000, maxMs: 60_000 };
    expect(backoffDelay(1, { ...base, random: () => 0 })).toBe(500);
    expect(backoffDelay(1, { ...base, random: () => 1 })).toBe(1_000);
    expect(backoffDelay(3, { ...base, random: () => 1 })).toBe(4_000);
    expect(backoffDelay(20, { ...base, random: () => 1 })).toBe(60_000);
  });

  it('never waits less than the server asked with Retry-After', () => {
    const options = { baseMs: 500, maxMs: 10_000, random: () => 0.5 };
    expect(backoffDelay(1, { ...options, retryAfterMs: 3_000 })).toBe(3_000);
    expect(backoffDelay(2, { ...options, retryAfterMs: 100 })).toBe(750);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and nothing else', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter(new Date(now + 10_000).toUTCString(), now)).toBe(10_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
