import { describe, expect, it } from 'vitest';
import { DEMO_CLIENTS, DEV_CLIENT_SECRETS } from '../src/index.js';

describe('the seeded demo clients', () => {
  it('are keyed by their own id', () => {
    for (const [key, client] of Object.entries(DEMO_CLIENTS)) expect(client.id).toBe(key);
  });

  it('have development secrets that say so, one per secret variable', () => {
    expect(Object.keys(DEV_CLIENT_SECRETS)).toEqual([
      'GIFTDELIVERIES_CLIENT_SECRET',
      'STORE_LOCATOR_CLIENT_SECRET',
      'STOREFRONT_CLIENT_SECRET',
      'CONSOLE_CLIENT_SECRET',
      'BANNED_PARTNER_CLIENT_SECRET',
    ]);
    for (const secret of Object.values(DEV_CLIENT_SECRETS)) expect(secret).toMatch(/-dev-secret$/);
  });
});
