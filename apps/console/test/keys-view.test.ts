import { describe, expect, it } from 'vitest';
import { keyRows, timeLeft } from '../web/keys-view.js';

describe('the keys panel', () => {
  it('puts the signing key first, then the retired ones by when they leave, unknown last', () => {
    const rows = keyRows(['old-b', 'new', 'old-a', 'old-c'], 'new', {
      'old-a': '2026-12-04T01:00:00.000Z',
      'old-b': '2026-12-04T02:00:00.000Z',
    });
    expect(rows).toEqual([
      { kid: 'new', state: 'signing' },
      { kid: 'old-a', state: 'retired', until: '2026-12-04T01:00:00.000Z' },
      { kid: 'old-b', state: 'retired', until: '2026-12-04T02:00:00.000Z' },
      { kid: 'old-c', state: 'retired' },
    ]);
  });

  it('counts down to a retired key leaving, never below zero', () => {
    const now = Date.parse('2026-12-04T00:00:00.000Z');
    expect(timeLeft('2026-12-04T01:05:42.000Z', now)).toEqual({ h: 1, min: 5, s: 42 });
    expect(timeLeft('2026-12-03T23:00:00.000Z', now)).toEqual({ h: 0, min: 0, s: 0 });
  });
});
