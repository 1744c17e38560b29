/**
 * The console's table of routes must say what the apps' routers really demand: each route's
 * scope is read back from the router source that declares it, so the two cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEMO_CLIENTS } from '@repo/contracts';
import { ROUTES, routeById, TRY_CLIENTS } from '../src/catalog.js';

const apps = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const routers: Record<string, string> = {
  'worldmappers-api': ['location.ts', 'directions.ts']
    .map((file) => readFileSync(join(apps, 'worldmappers-api', 'src', 'routes', file), 'utf8'))
    .join('\n'),
  giftdeliveries: readFileSync(
    join(apps, 'giftdeliveries', 'src', 'routes', 'deliveries.ts'),
    'utf8',
  ),
};

describe('the console catalog', () => {
  it("names each route's scope as its router requires it", () => {
    for (const route of ROUTES) {
      const path = new URL(route.path, 'http://x').pathname.replace(/^\/api/, '');
      const declared = new RegExp(
        `router\\.${route.method.toLowerCase()}\\(\\s*'${path === '/deliveries' ? '/' : path}',[^)]*requireScopes\\('([^']+)'`,
      ).exec(routers[route.service]!)?.[1];
      expect({ id: route.id, scope: declared }).toEqual({ id: route.id, scope: route.scope });
    }
  });

  it('finds routes by id and nothing else', () => {
    expect(routeById('directions')?.scope).toBe('directions');
    for (const id of ['nope', undefined, 3, {}]) expect(routeById(id)).toBeUndefined();
  });

  it('tries every seeded client except its own', () => {
    expect(TRY_CLIENTS).toEqual(Object.keys(DEMO_CLIENTS).filter((id) => id !== 'console'));
    expect(TRY_CLIENTS).not.toContain('console');
  });
});
