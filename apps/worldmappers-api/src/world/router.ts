import type { Gazetteer } from './gazetteer.js';
import { distanceKm } from './geo.js';
import type { RoadNetwork } from './road-network.js';

/** A binary min-heap of (node, key) on typed arrays; stale entries are skipped by the caller. */
class MinHeap {
  private nodes = new Int32Array(1024);
  private keys = new Float64Array(1024);
  length = 0;

  clear() {
    this.length = 0;
  }

  push(node: number, key: number) {
    if (this.length === this.nodes.length) {
      const nodes = new Int32Array(this.length * 2);
      const keys = new Float64Array(this.length * 2);
      nodes.set(this.nodes);
      keys.set(this.keys);
      this.nodes = nodes;
      this.keys = keys;
    }
    let i = this.length++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent]! <= key) break;
      this.nodes[i] = this.nodes[parent]!;
      this.keys[i] = this.keys[parent]!;
      i = parent;
    }
    this.nodes[i] = node;
    this.keys[i] = key;
  }

  /** Removes the smallest entry and returns its node (call only when length > 0). */
  pop(): number {
    const top = this.nodes[0]!;
    const last = --this.length;
    if (last > 0) {
      const node = this.nodes[last]!;
      const key = this.keys[last]!;
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= last) break;
        if (child + 1 < last && this.keys[child + 1]! < this.keys[child]!) child++;
        if (this.keys[child]! >= key) break;
        this.nodes[i] = this.nodes[child]!;
        this.keys[i] = this.keys[child]!;
        i = child;
      }
      this.nodes[i] = node;
      this.keys[i] = key;
    }
    return top;
  }
}

export interface RouterOptions {
  /** Components with at least this many towns get landmarks; smaller ones are fast anyway. */
  landmarkMinComponent: number;
  /** Towns per landmark in a component (at least 2, at most `maxLandmarks` per component). */
  townsPerLandmark: number;
  maxLandmarks: number;
  /** Landmarks consulted per query: the ones giving the best bound between origin and destination. */
  activeLandmarks: number;
}

export const DEFAULT_ROUTER_OPTIONS: RouterOptions = {
  landmarkMinComponent: 2000,
  townsPerLandmark: 6000,
  maxLandmarks: 16,
  activeLandmarks: 6,
};

/**
 * Landmarks and their network distance to every town, as computed by {@link Router.prepareLandmarks}
 * (and stored by the precomputed network file).
 */
export interface Landmarks {
  /** The landmark towns, in the order they were chosen. */
  readonly nodes: Int32Array;
  /** `distances[k][v]`: network distance in km from `nodes[k]` to town v (Infinity elsewhere). */
  readonly distances: readonly Float32Array[];
}

/** A road route: the towns passed, origin first, and its length. */
export interface RouteResult {
  path: number[];
  km: number;
  /** Towns settled by the searches, the exact one included (a measure of work, for benchmarks). */
  settled: number;
  /** 1 for the exact shortest path; else the weight of the A* that found it (km ≤ weight × shortest). */
  weight: number;
}

/** How much work one route may take, in towns settled (each one heap pop and its links). */
export interface RouteBudget {
  /** Towns the exact search may settle. */
  exact: number;
  /** The factor on the heuristic of the fallback search (> 1: greedier, fewer towns). */
  weight: number;
  /** Towns the fallback search may settle. */
  weighted: number;
}

/**
 * 12 000 + 12 000 towns: every route of the demo's traffic is exact well within the first; the
 * farthest pairs (Lisbon → Ho Chi Minh City settles 56 000 exactly) fall back to weighted A*.
 */
export const DEFAULT_ROUTE_BUDGET: Readonly<RouteBudget> = Object.freeze({
  exact: 12_000,
  weight: 1.3,
  weighted: 12_000,
});

/** No limit (tests and tools that want the exact path whatever it costs). */
export const UNLIMITED_ROUTE_BUDGET: Readonly<RouteBudget> = Object.freeze({
  exact: Infinity,
  weight: 1,
  weighted: 0,
});

/** Both searches of {@link Router.route} ran out of budget before reaching the destination. */
export class RouteBudgetExceededError extends Error {
  override readonly name = 'RouteBudgetExceededError';

  constructor(readonly settled: number) {
    super(`route search stopped after ${settled} towns`);
  }
}

const EXHAUSTED = Symbol('budget exhausted');

const RAD = Math.PI / 180;

/**
 * Shortest paths over the road network with A*, landmarks and the triangle inequality ("ALT",
 * Goldberg & Harrelson 2005). At start-up a few towns on the edge of each large component get
 * their distance to every town (one Dijkstra each); then |d(L,t) − d(L,v)| bounds the rest of the
 * way from any v, far tighter than the straight line, so a continental route settles a few
 * thousand towns rather than most of Europe. Routes are exact shortest paths in the network.
 */
export class Router {
  readonly landmarks: number[] = [];
  /** `distances[k][v]`: network distance from landmark k to town v (Infinity elsewhere). */
  private readonly distances: Float32Array[] = [];
  private readonly landmarksOf = new Map<number, number[]>();
  private readonly g: Float64Array;
  private readonly parent: Int32Array;
  private readonly seen: Uint32Array;
  private readonly closed: Uint32Array;
  private stamp = 0;
  private readonly heap = new MinHeap();
  /** Unit vectors of every town, for a quick straight-line (chord) bound. */
  private readonly xyz: Float64Array;

  /**
   * @param landmarks precomputed with the same network and options (the network file); without
   *   them, call {@link prepareLandmarks} or {@link warmUp}.
   */
  constructor(
    readonly gazetteer: Gazetteer,
    readonly network: RoadNetwork,
    options: RouterOptions = DEFAULT_ROUTER_OPTIONS,
    landmarks?: Landmarks,
  ) {
    const n = network.size;
    this.g = new Float64Array(n);
    this.parent = new Int32Array(n);
    this.seen = new Uint32Array(n);
    this.closed = new Uint32Array(n);
    this.xyz = new Float64Array(n * 3);
    for (let v = 0; v < n; v++) {
      const φ = gazetteer.lat[v]! * RAD;
      const λ = gazetteer.lng[v]! * RAD;
      this.xyz[3 * v] = Math.cos(φ) * Math.cos(λ);
      this.xyz[3 * v + 1] = Math.cos(φ) * Math.sin(λ);
      this.xyz[3 * v + 2] = Math.sin(φ);
    }
    this.landmarkOptions = options;
    if (landmarks) this.useLandmarks(landmarks);
  }

  private useLandmarks({ nodes, distances }: Landmarks) {
    if (nodes.length !== distances.length) throw new Error('one distance table per landmark');
    nodes.forEach((node, k) => {
      const table = distances[k]!;
      if (table.length !== this.network.size) throw new Error('landmark table of the wrong size');
      const c = this.network.component[node]!;
      const mine = this.landmarksOf.get(c) ?? [];
      this.landmarksOf.set(c, mine);
      mine.push(this.distances.length);
      this.landmarks.push(node);
      this.distances.push(table);
    });
    this.landmarksReady = true;
  }

  /** The computed landmarks (call after {@link prepareLandmarks}), to store them. */
  exportLandmarks(): Landmarks {
    if (!this.landmarksReady) throw new Error('landmarks are not computed yet');
    return { nodes: Int32Array.from(this.landmarks), distances: [...this.distances] };
  }

  /** Whether two towns are joined by road at all. */
  connected(s: number, t: number): boolean {
    return this.network.component[s] === this.network.component[t];
  }

  /**
   * A road route from `s` to `t` within a work budget, or undefined when none exists: the exact
   * shortest path when it takes at most `budget.exact` settled towns; else a weighted A*
   * (heuristic × `budget.weight`, a route at most that factor longer than the shortest) with
   * `budget.weighted` more. When both run out, {@link RouteBudgetExceededError}: one request's
   * CPU stays bounded whatever the pair.
   */
  route(
    s: number,
    t: number,
    activeLandmarks = DEFAULT_ROUTER_OPTIONS.activeLandmarks,
    budget: RouteBudget = DEFAULT_ROUTE_BUDGET,
  ): RouteResult | undefined {
    if (!this.connected(s, t)) return undefined;
    if (s === t) return { path: [s], km: 0, settled: 0, weight: 1 };
    const exact = this.search(s, t, activeLandmarks, 1, budget.exact);
    if (exact !== EXHAUSTED) return exact;
    const coarse = this.search(s, t, activeLandmarks, budget.weight, budget.weighted);
    if (coarse !== EXHAUSTED)
      return coarse && { ...coarse, settled: budget.exact + coarse.settled };
    throw new RouteBudgetExceededError(budget.exact + budget.weighted);
  }

  /** A* with the heuristic × `weight`, stopping after `maxSettled` settled towns. */
  private search(
    s: number,
    t: number,
    activeLandmarks: number,
    weight: number,
    maxSettled: number,
  ): RouteResult | undefined | typeof EXHAUSTED {
    const { start, to, km } = this.network;
    const active = this.activeFor(s, t, activeLandmarks);
    const targetDist = active.map((k) => this.distances[k]![t]!);
    const activeDist = active.map((k) => this.distances[k]!);
    const factor = this.network.options.detourFactor;
    const tx = this.xyz[3 * t]!;
    const ty = this.xyz[3 * t + 1]!;
    const tz = this.xyz[3 * t + 2]!;
    const heuristic = (v: number) => {
      // Chord length ≤ arc length, so this straight-line bound stays admissible and needs no trig.
      const dx = this.xyz[3 * v]! - tx;
      const dy = this.xyz[3 * v + 1]! - ty;
      const dz = this.xyz[3 * v + 2]! - tz;
      let h = Math.sqrt(dx * dx + dy * dy + dz * dz) * 6371 * factor;
      for (let i = 0; i < activeDist.length; i++) {
        const bound = Math.abs(targetDist[i]! - activeDist[i]![v]!);
        if (bound > h) h = bound;
      }
      return h * weight;
    };

    const stamp = ++this.stamp;
    const { g, parent, seen, closed, heap } = this;
    heap.clear();
    g[s] = 0;
    parent[s] = -1;
    seen[s] = stamp;
    heap.push(s, heuristic(s));
    let settled = 0;
    while (heap.length > 0) {
      const u = heap.pop();
      if (closed[u] === stamp) continue;
      if (settled === maxSettled) return EXHAUSTED;
      closed[u] = stamp;
      settled++;
      if (u === t) break;
      const gu = g[u]!;
      for (let e = start[u]!; e < start[u + 1]!; e++) {
        const v = to[e]!;
        if (closed[v] === stamp) continue;
        const candidate = gu + km[e]!;
        if (seen[v] !== stamp || candidate < g[v]!) {
          seen[v] = stamp;
          g[v] = candidate;
          parent[v] = u;
          heap.push(v, candidate + heuristic(v));
        }
      }
    }
    if (closed[t] !== stamp) return undefined;
    const path: number[] = [];
    for (let v = t; v !== -1; v = parent[v]!) path.push(v);
    path.reverse();
    return { path, km: g[t]!, settled, weight };
  }

  /** The landmarks of the component that bound the s→t distance best. */
  private activeFor(s: number, t: number, count: number): number[] {
    const all = this.landmarksOf.get(this.network.component[s]!) ?? [];
    if (all.length <= count) return all;
    return all
      .map((k) => ({ k, bound: Math.abs(this.distances[k]![t]! - this.distances[k]![s]!) }))
      .sort((a, b) => b.bound - a.bound)
      .slice(0, count)
      .map((x) => x.k);
  }

  /** Computes every landmark now (tests, benchmarks). */
  prepareLandmarks(): void {
    for (const _ of this.landmarkSteps()) {
      // each step is one Dijkstra
    }
  }

  /**
   * Computes the landmarks in the background, one Dijkstra (~30 ms) per event-loop turn, so the
   * server answers from the start; routes are exact meanwhile, only slower.
   */
  warmUp(): Promise<void> {
    const steps = this.landmarkSteps();
    return new Promise((resolve) => {
      const next = () => (steps.next().done ? resolve() : setImmediate(next));
      setImmediate(next);
    });
  }

  /** Whether every landmark is computed. */
  get warm(): boolean {
    return this.landmarksReady;
  }

  private landmarksReady = false;
  private landmarkOptions: RouterOptions;

  /** Farthest-point selection: each new landmark is the town farthest from those chosen so far. */
  private *landmarkSteps(): Generator<void> {
    if (this.landmarksReady || this.landmarks.length > 0) return;
    const options = this.landmarkOptions;
    const { component, componentSize } = this.network;
    const { lat, lng } = this.gazetteer;
    const n = this.network.size;
    const firstOf = new Map<number, number>();
    for (let v = 0; v < n; v++) {
      const c = component[v]!;
      if (componentSize[c]! >= options.landmarkMinComponent && !firstOf.has(c)) firstOf.set(c, v);
    }
    for (const [c, first] of firstOf) {
      const count = Math.min(
        options.maxLandmarks,
        Math.max(2, Math.round(componentSize[c]! / options.townsPerLandmark)),
      );
      const minDist = new Float32Array(n).fill(Infinity);
      // Start from the town farthest (as the crow flies) from an arbitrary one: on the edge.
      const straight = new Float32Array(n).fill(Infinity);
      for (let v = 0; v < n; v++) {
        if (component[v] === c)
          straight[v] = distanceKm(lat[first]!, lng[first]!, lat[v]!, lng[v]!);
      }
      let next = farthest(straight, component, c);
      const mine: number[] = [];
      this.landmarksOf.set(c, mine);
      for (let i = 0; i < count; i++) {
        const dist = this.dijkstra(next);
        this.landmarks.push(next);
        mine.push(this.distances.length);
        this.distances.push(dist);
        for (let v = 0; v < n; v++) if (dist[v]! < minDist[v]!) minDist[v] = dist[v]!;
        next = farthest(minDist, component, c);
        yield;
      }
    }
    this.landmarksReady = true;
  }

  /** Distances from `s` to every town (Infinity where unreachable). */
  private dijkstra(s: number): Float32Array {
    const { start, to, km } = this.network;
    const dist = new Float32Array(this.network.size).fill(Infinity);
    const heap = this.heap;
    heap.clear();
    dist[s] = 0;
    heap.push(s, 0);
    const done = new Uint8Array(this.network.size);
    while (heap.length > 0) {
      const u = heap.pop();
      if (done[u]) continue;
      done[u] = 1;
      const du = dist[u]!;
      for (let e = start[u]!; e < start[u + 1]!; e++) {
        const v = to[e]!;
        const d = du + km[e]!;
        // Float32 storage rounds (by < 1 m here); compare in the stored precision.
        if (Math.fround(d) < dist[v]!) {
          dist[v] = d;
          heap.push(v, d);
        }
      }
    }
    return dist;
  }
}

function farthest(dist: Float32Array, component: Int32Array, c: number): number {
  let best = -1;
  let bestDist = -1;
  for (let v = 0; v < dist.length; v++) {
    if (component[v] === c && dist[v]! > bestDist && dist[v]! !== Infinity) {
      bestDist = dist[v]!;
      best = v;
    }
  }
  return best;
}
