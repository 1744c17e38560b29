import type { Directions, DirectionsStep, TravelMode } from '@repo/contracts';
import type { Gazetteer } from './gazetteer.js';
import type { Geocoder } from './geocoder.js';
import { bearingDeg, compass, distanceKm, greatCirclePoints, round1, round5 } from './geo.js';
import {
  DEFAULT_ROUTE_BUDGET,
  RouteBudgetExceededError,
  type RouteBudget,
  type Router,
} from './router.js';

/** Average speeds: a mix of town streets and main roads; a car ferry with boarding time. */
export const ROAD_KMH = 80;
export const FERRY_KMH = 30;
export const FERRY_BOARDING_MINUTES = 30;
/** A reindeer-drawn sleigh on Christmas Eve, flying the great circle. */
export const SLEIGH_KMH = 1000;

/** Thrown when no road joins the two places (different land masses in the network). */
export class NoRouteError extends Error {
  override readonly name = 'NoRouteError';
}

const minutes = (km: number, kmh: number) => (km / kmh) * 60;

/** Directions between two gazetteer places; pure computation, no I/O. */
export class DirectionsService {
  private readonly g: Gazetteer;

  constructor(
    private readonly geocoder: Geocoder,
    private readonly router: Router,
    /** The work one road route may take (see {@link Router.route}). */
    private readonly budget: RouteBudget = DEFAULT_ROUTE_BUDGET,
  ) {
    this.g = geocoder.gazetteer;
  }

  directions(origin: number, destination: number, mode: TravelMode): Directions {
    const g = this.g;
    const greatCircleKm = distanceKm(
      g.lat[origin]!,
      g.lng[origin]!,
      g.lat[destination]!,
      g.lng[destination]!,
    );
    const base = {
      mode,
      origin: this.geocoder.place(origin),
      destination: this.geocoder.place(destination),
      greatCircleKm: round1(greatCircleKm),
    };
    if (mode === 'sleigh') {
      const duration = minutes(greatCircleKm, SLEIGH_KMH);
      const heading = compass(
        bearingDeg(g.lat[origin]!, g.lng[origin]!, g.lat[destination]!, g.lng[destination]!),
      );
      return {
        ...base,
        distanceKm: round1(greatCircleKm),
        durationMinutes: round1(duration),
        steps:
          origin === destination
            ? []
            : [
                {
                  step: 1,
                  action: `Fly ${heading} to ${g.name[destination]}`,
                  distanceKm: round1(greatCircleKm),
                  durationMinutes: round1(duration),
                },
              ],
        geometry: {
          type: 'LineString',
          coordinates: greatCirclePoints(
            g.lat[origin]!,
            g.lng[origin]!,
            g.lat[destination]!,
            g.lng[destination]!,
            Math.min(64, Math.max(1, Math.ceil(greatCircleKm / 100))),
          ),
        },
      };
    }

    let route;
    try {
      route = this.router.route(origin, destination, undefined, this.budget);
    } catch (error) {
      if (!(error instanceof RouteBudgetExceededError)) throw error;
      throw new NoRouteError(
        `No road route from ${g.name[origin]} to ${g.name[destination]} within this API's work limit per request: the search stopped after ${error.settled} towns. Try a stop in between, or mode=sleigh.`,
      );
    }
    if (!route) {
      throw new NoRouteError(
        `No road route from ${g.name[origin]} to ${g.name[destination]}: no chain of towns joins them. Try mode=sleigh.`,
      );
    }
    const steps = this.steps(route.path);
    const duration = steps.reduce((sum, s) => sum + s.durationMinutes, 0);
    return {
      ...base,
      distanceKm: round1(route.km),
      durationMinutes: round1(duration),
      steps,
      geometry: {
        type: 'LineString',
        coordinates: route.path.map((v) => [round5(g.lng[v]!), round5(g.lat[v]!)]),
      },
    };
  }

  /**
   * Groups the towns of a path into readable steps: a step ends at a notable town (≥ 10 000
   * people) once it is long enough for the route's length, at every ferry, and at the end.
   */
  private steps(path: number[]): DirectionsStep[] {
    const g = this.g;
    const { start, to, km, ferry } = this.router.network;
    const edges: { km: number; ferry: boolean }[] = [];
    let total = 0;
    for (let i = 1; i < path.length; i++) {
      const u = path[i - 1]!;
      const v = path[i]!;
      let e = start[u]!;
      while (e < start[u + 1]! && to[e] !== v) e++;
      edges.push({ km: km[e]!, ferry: ferry[e] === 1 });
      total += km[e]!;
    }
    const minStepKm = Math.max(15, total / 25);
    const steps: DirectionsStep[] = [];
    let from = 0;
    let stepKm = 0;
    for (let i = 0; i < edges.length; i++) {
      const edge = edges[i]!;
      stepKm += edge.km;
      const next = edges[i + 1];
      const town = path[i + 1]!;
      const last = next === undefined;
      const ferryBoundary = edge.ferry || next?.ferry === true;
      const notable = g.population[town]! >= 10_000 && stepKm >= minStepKm;
      if (!(last || ferryBoundary || notable || stepKm >= 4 * minStepKm)) continue;
      const a = path[from]!;
      const heading = compass(bearingDeg(g.lat[a]!, g.lng[a]!, g.lat[town]!, g.lng[town]!));
      const duration = edge.ferry
        ? minutes(stepKm, FERRY_KMH) + FERRY_BOARDING_MINUTES
        : minutes(stepKm, ROAD_KMH);
      steps.push({
        step: steps.length + 1,
        action: edge.ferry
          ? `Take the ferry ${heading} to ${g.name[town]}`
          : `Head ${heading} to ${g.name[town]}`,
        distanceKm: round1(stepKm),
        durationMinutes: round1(duration),
        ...(edge.ferry ? { ferry: true as const } : {}),
      });
      from = i + 1;
      stepKm = 0;
    }
    return steps;
  }
}
