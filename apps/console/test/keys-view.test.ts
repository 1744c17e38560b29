import { describe, expect, it } from 'vitest';
import { keyRows } from '../web/keys-view.js';

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
});
