import { beforeAll, describe, expect, it } from 'vitest';
import { DirectionsService, NoRouteError } from '../../src/world/directions.js';
import { distanceKm } from '../../src/world/geo.js';
import {
  DEFAULT_ROUTE_BUDGET,
  RouteBudgetExceededError,
  Router,
  UNLIMITED_ROUTE_BUDGET,
} from '../../src/world/router.js';
import { buildWorld, type World } from '../../src/world/world.js';

let world: World;

// The real gazetteer and network, loaded once for the file (from the build's precomputed file
// when there is one; else built here, landmarks included).
beforeAll(() => {
  world = buildWorld();
  if (!world.router.warm) world.router.prepareLandmarks();
});

const at = (address: string) => {
  const i = world.geocoder.geocode(address);
  if (i === undefined) throw new Error(`no place ${address}`);
  return i;
};
const greatCircle = (s: number, t: number) => {
  const { lat, lng } = world.gazetteer;
  return distanceKm(lat[s]!, lng[s]!, lat[t]!, lng[t]!);
};
/** The network length of a path, link by link; undefined if two consecutive towns are not linked. */
const pathKm = (path: number[]) => {
  const { start, to, km } = world.router.network;
  let total = 0;
  for (let i = 1; i < path.length; i++) {
    let e = start[path[i - 1]!]!;
    while (e < start[path[i - 1]! + 1]! && to[e] !== path[i]) e++;
    if (e === start[path[i - 1]! + 1]!) return undefined;
    total += km[e]!;
  }
  return total;
};

const PAIRS = [
  ['Kyoto', 'Osaka'],
  ['Rovaniemi', 'Helsinki'],
  ['Madrid', 'Berlin'],
  ['Seoul', 'Busan'],
  ['Sydney', 'Melbourne'],
  ['Lima', 'Quito'],
] as const;

describe('Router.route', () => {
  it.each(PAIRS)('never goes %s → %s shorter than the great circle', (a, b) => {
    const s = at(a);
    const t = at(b);
    const route = world.router.route(s, t);
    expect(route).toBeDefined();
    expect(route!.km).toBeGreaterThanOrEqual(greatCircle(s, t));
    expect(route!.path[0]).toBe(s);
    expect(route!.path.at(-1)).toBe(t);
  });

  it('passes through intermediate towns, along links of the network', () => {
    const route = world.router.route(at('Rovaniemi'), at('Helsinki'))!;
    expect(route.path.length).toBeGreaterThan(10);
    expect(new Set(route.path).size).toBe(route.path.length);
    expect(pathKm(route.path)).toBeCloseTo(route.km, 6);
    const names = route.path.map((v) => world.gazetteer.name[v]);
    // Down the Gulf of Bothnia and the lakes, into Helsinki through its northern neighbours.
    expect(names).toEqual(expect.arrayContaining(['Haukipudas', 'Kerava', 'Vantaa']));
    expect(route.km).toBeGreaterThan(650);
    expect(route.km).toBeLessThan(950);
  });

  it('finds Lisbon → Moscow across Europe', () => {
    const s = at('Lisbon');
    const t = at('Moscow');
    const route = world.router.route(s, t)!;
    expect(route).toBeDefined();
    expect(route.km).toBeGreaterThan(greatCircle(s, t));
    expect(route.km).toBeLessThan(1.6 * greatCircle(s, t));
    expect(pathKm(route.path)).toBeCloseTo(route.km, 6);
  });

  it('finds no route between land masses the network does not join', () => {
    const s = at('Honolulu');
    const t = at('Tokyo');
    expect(world.router.connected(s, t)).toBe(false);
    expect(world.router.route(s, t)).toBeUndefined();
    expect(() => world.directions.directions(s, t, 'road')).toThrow(NoRouteError);
  });

  it('answers the same route every time', () => {
    const s = at('Lisbon');
    const t = at('Moscow');
    const first = world.router.route(s, t)!;
    world.router.route(at('Kyoto'), at('Osaka'));
    const again = world.router.route(s, t)!;
    expect(again.path).toEqual(first.path);
    expect(again.km).toBe(first.km);
  });

  it('finds exact shortest paths: without landmarks, plain A* finds the same lengths', () => {
    const plain = new Router(world.gazetteer, world.router.network);
    expect(plain.warm).toBe(false);
    for (const [a, b] of [...PAIRS, ['Lisbon', 'Moscow'] as const]) {
      const fast = world.router.route(at(a), at(b))!;
      const slow = plain.route(at(a), at(b), undefined, UNLIMITED_ROUTE_BUDGET)!;
      expect(fast.km).toBeCloseTo(slow.km, 6);
      expect(fast.settled).toBeLessThanOrEqual(slow.settled);
    }
  });

  it('routes a place to itself with no links', () => {
    const s = at('Kyoto');
    expect(world.router.route(s, s)).toEqual({ path: [s], km: 0, settled: 0, weight: 1 });
  });

  it('bounds the work of a far route: past the exact budget, a weighted A* route at most 1.3× longer', () => {
    const s = at('Lisbon');
    const t = at('Ho Chi Minh City');
    const exact = world.router.route(s, t, undefined, UNLIMITED_ROUTE_BUDGET)!;
    expect(exact.weight).toBe(1);
    expect(exact.settled).toBeGreaterThan(DEFAULT_ROUTE_BUDGET.exact);
    const bounded = world.router.route(s, t)!;
    expect(bounded.weight).toBe(1.3);
    expect(bounded.settled).toBeLessThanOrEqual(
      DEFAULT_ROUTE_BUDGET.exact + DEFAULT_ROUTE_BUDGET.weighted,
    );
    expect(bounded.path[0]).toBe(s);
    expect(bounded.path.at(-1)).toBe(t);
    expect(pathKm(bounded.path)).toBeCloseTo(bounded.km, 6);
    expect(bounded.km).toBeGreaterThanOrEqual(exact.km);
    expect(bounded.km).toBeLessThanOrEqual(1.3 * exact.km);
  });

  it('gives up with RouteBudgetExceededError, and directions with 422 no_route, when both budgets run out', () => {
    const s = at('Lisbon');
    const t = at('Ho Chi Minh City');
    const tiny = { exact: 100, weight: 1.3, weighted: 100 };
    expect(() => world.router.route(s, t, undefined, tiny)).toThrow(RouteBudgetExceededError);
    const directions = new DirectionsService(world.geocoder, world.router, tiny);
    expect(() => directions.directions(s, t, 'road')).toThrow(
      new NoRouteError(
        "No road route from Lisbon to Ho Chi Minh City within this API's work limit per request: the search stopped after 200 towns. Try a stop in between, or mode=sleigh.",
      ),
    );
    // Near pairs stay exact under the default budget.
    expect(world.router.route(at('Kyoto'), at('Osaka'))!.weight).toBe(1);
  });
});

describe('sleigh directions', () => {
  it('always fly the great circle, even where no road goes', () => {
    const s = at('Honolulu');
    const t = at('Tokyo');
    const trip = world.directions.directions(s, t, 'sleigh');
    expect(trip.distanceKm).toBeCloseTo(greatCircle(s, t), 0);
    expect(trip.distanceKm).toBe(trip.greatCircleKm);
    expect(trip.steps).toEqual([
      {
        step: 1,
        action: 'Fly north-west to Tokyo',
        distanceKm: trip.distanceKm,
        durationMinutes: trip.durationMinutes,
      },
    ]);
    expect(trip.geometry.coordinates.length).toBeGreaterThan(2);
  });
});
