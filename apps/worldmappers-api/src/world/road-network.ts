import { around } from 'geokdbush';
import type { Gazetteer } from './gazetteer.js';
import { distanceKm } from './geo.js';
import { LandMask, seaShare } from './water.js';

/**
 * How the road-like network is drawn over the gazetteer. Roads are not in the data, so they are
 * approximated: every town is linked to its nearest neighbour in each of 8 compass sectors (a
 * "Yao graph", which keeps every chain of towns less than `linkKm` apart connected and has
 * short detours), sparse towns reach further so deserts and tundra stay crossable, and each
 * link's length is the great-circle distance times `detourFactor`. A link is a ferry where its
 * great circle crosses open sea on Natural Earth's land polygons ({@link seaShare}).
 */
export interface RoadNetworkOptions {
  /** Gaps up to this many km are bridged anywhere: roads, bridges, tunnels, short ferries. */
  linkKm: number;
  /** A town with fewer neighbours than this within `linkKm` looks up to `sparseLinkKm` away. */
  minNeighbours: number;
  /** The longest link in sparse regions (the outback, the Sahara, Siberia). */
  sparseLinkKm: number;
  /** Roads wind: link length = great-circle distance × this. */
  detourFactor: number;
  /** A link is a ferry when at least this many km of it are over open sea… */
  ferryMinSeaKm: number;
  /** …and at least this share (0–1) of it. */
  ferryMinSeaShare: number;
}

export const DEFAULT_ROAD_OPTIONS: RoadNetworkOptions = {
  linkKm: 50,
  minNeighbours: 4,
  sparseLinkKm: 150,
  detourFactor: 1.2,
  ferryMinSeaKm: 2,
  ferryMinSeaShare: 0.2,
};

/** An undirected graph in compressed sparse row form: neighbours of `u` are `to[start[u]..start[u+1])`. */
export interface RoadNetwork {
  readonly options: RoadNetworkOptions;
  readonly size: number;
  readonly start: Int32Array;
  readonly to: Int32Array;
  /** Link length in km (already multiplied by the detour factor). */
  readonly km: Float64Array;
  /** 1 when the link is a ferry crossing. */
  readonly ferry: Uint8Array;
  /** Connected component of each town: towns in different components have no road route. */
  readonly component: Int32Array;
  readonly componentSize: Int32Array;
  readonly linkCount: number;
}

const KM_PER_DEGREE = (Math.PI / 180) * 6371;
/** First, cheap search radius: enough for most towns in settled land. */
const NEAR_KM = 20;

/** Growable pair list, so edge building does not allocate per edge. */
class PairList {
  a = new Int32Array(1 << 16);
  b = new Int32Array(1 << 16);
  length = 0;
  push(x: number, y: number) {
    if (this.length === this.a.length) {
      const grow = (old: Int32Array) => {
        const next = new Int32Array(old.length * 2);
        next.set(old);
        return next;
      };
      this.a = grow(this.a);
      this.b = grow(this.b);
    }
    this.a[this.length] = x;
    this.b[this.length++] = y;
  }
}

/**
 * Builds the network (about 2.5 s for the whole gazetteer, up to 1 s of it the sea test).
 * `land` defaults to Natural Earth's, loaded for this call only.
 */
export function buildRoadNetwork(
  g: Gazetteer,
  options: RoadNetworkOptions = DEFAULT_ROAD_OPTIONS,
  land: LandMask = LandMask.naturalEarth(),
): RoadNetwork {
  const n = g.size;
  const { lat, lng } = g;
  const pairs = new PairList();
  const bestDist = new Float64Array(8);
  const bestId = new Int32Array(8);
  const near: number[] = [];

  /** 1 while a town may have an empty sector: only such towns can be nearest to another cluster. */
  const open = new Uint8Array(n).fill(1);

  /** Nearest town per 45° sector within `radius`; true when every sector has one. */
  const pickSectors = (u: number, ids: readonly number[], radius: number): boolean => {
    const latU = lat[u]!;
    const lngU = lng[u]!;
    const cos = Math.max(Math.cos((latU * Math.PI) / 180), 0.01);
    bestDist.fill(Infinity);
    bestId.fill(-1);
    const limit2 = radius * radius;
    for (const v of ids) {
      if (v === u) continue;
      // A local flat projection is precise enough to pick neighbours and their sectors.
      const dx = (lng[v]! - lngU) * cos * KM_PER_DEGREE;
      const dy = (lat[v]! - latU) * KM_PER_DEGREE;
      const d2 = dx * dx + dy * dy;
      if (d2 > limit2 || d2 === 0) continue;
      const ax = Math.abs(dx);
      const ay = Math.abs(dy);
      // 8 sectors of 45°: quadrant (2 bits) × whether it is nearer the x or the y axis.
      const sector = (dx >= 0 ? 0 : 4) + (dy >= 0 ? 0 : 2) + (ax >= ay ? 0 : 1);
      if (d2 < bestDist[sector]!) {
        bestDist[sector] = d2;
        bestId[sector] = v;
      }
    }
    for (let k = 0; k < 8; k++) if (bestId[k]! < 0) return false;
    return true;
  };

  for (let u = 0; u < n; u++) {
    const latU = lat[u]!;
    const lngU = lng[u]!;
    const cos = Math.max(Math.cos((latU * Math.PI) / 180), 0.01);
    const search = (radiusKm: number) => {
      const dLat = radiusKm / KM_PER_DEGREE;
      const dLng = dLat / cos;
      return g.index.range(lngU - dLng, latU - dLat, lngU + dLng, latU + dLat);
    };
    // Most towns find a neighbour in every sector close by; only the others need wider searches.
    let ids = search(NEAR_KM);
    let full = pickSectors(u, ids, NEAR_KM);
    if (!full) {
      ids = search(options.linkKm);
      full = pickSectors(u, ids, options.linkKm);
      if (!full && ids.length - 1 < options.minNeighbours) {
        // Sparse: reach as far as the minNeighbours-th nearest town, within sparseLinkKm.
        ids = search(options.sparseLinkKm);
        near.length = 0;
        for (const v of ids) {
          if (v !== u) near.push(distanceKm(latU, lngU, lat[v]!, lng[v]!));
        }
        near.sort((x, y) => x - y);
        const reach = near[options.minNeighbours - 1] ?? options.sparseLinkKm;
        full = pickSectors(u, ids, Math.max(options.linkKm, Math.min(options.sparseLinkKm, reach)));
      }
    }
    if (full) open[u] = 0;
    for (let s = 0; s < 8; s++) {
      const v = bestId[s]!;
      if (v >= 0) pairs.push(Math.min(u, v), Math.max(u, v));
    }
  }

  joinClusters(g, pairs, open, options.sparseLinkKm);

  // Deduplicate undirected pairs via a sorted numeric key.
  const keys = new Float64Array(pairs.length);
  for (let i = 0; i < pairs.length; i++) keys[i] = pairs.a[i]! * n + pairs.b[i]!;
  keys.sort();
  const degree = new Int32Array(n + 1);
  let unique = 0;
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && keys[i] === keys[i - 1]) continue;
    keys[unique++] = keys[i]!;
    const a = Math.floor(keys[i]! / n);
    const b = keys[i]! - a * n;
    degree[a]!++;
    degree[b]!++;
  }
  const start = new Int32Array(n + 1);
  for (let u = 0; u < n; u++) start[u + 1] = start[u]! + degree[u]!;
  const fill = start.slice(0, n);
  const to = new Int32Array(unique * 2);
  const km = new Float64Array(unique * 2);
  const ferry = new Uint8Array(unique * 2);
  for (let i = 0; i < unique; i++) {
    const a = Math.floor(keys[i]! / n);
    const b = keys[i]! - a * n;
    const length = distanceKm(lat[a]!, lng[a]!, lat[b]!, lng[b]!);
    const sea = seaShare(land, lat[a]!, lng[a]!, lat[b]!, lng[b]!, length);
    const isFerry = sea >= options.ferryMinSeaShare && sea * length >= options.ferryMinSeaKm;
    const weight = length * options.detourFactor;
    const ab = fill[a]!++;
    const ba = fill[b]!++;
    to[ab] = b;
    to[ba] = a;
    km[ab] = km[ba] = weight;
    ferry[ab] = ferry[ba] = isFerry ? 1 : 0;
  }

  const { component, componentSize } = components(n, start, to);
  return { options, size: n, start, to, km, ferry, component, componentSize, linkCount: unique };
}

/**
 * Clusters of towns more than `linkKm` from any other (islands, a valley of towns in a desert) are
 * joined to the nearest town of another cluster if it is within `maxKm`, smallest clusters first
 * (a Borůvka round, repeated until nothing changes). Only "open" towns (with an empty sector) can
 * be a cluster's closest point to another, and the two largest clusters, whose searches would be
 * slow, never start a join: the others reach them.
 */
function joinClusters(g: Gazetteer, pairs: PairList, open: Uint8Array, maxKm: number) {
  const n = g.size;
  const parent = new Int32Array(n);
  for (let v = 0; v < n; v++) parent[v] = v;
  const find = (v: number): number => {
    while (parent[v] !== v) {
      parent[v] = parent[parent[v]!]!;
      v = parent[v]!;
    }
    return v;
  };
  for (let i = 0; i < pairs.length; i++) {
    const a = find(pairs.a[i]!);
    const b = find(pairs.b[i]!);
    if (a !== b) parent[a] = b;
  }
  // A cluster with nothing within reach stays so when others merge: search from it once only.
  const alone = new Set<number>();
  for (let round = 0; round < 4; round++) {
    const members = new Map<number, number[]>();
    for (let v = 0; v < n; v++) {
      const root = find(v);
      const list = members.get(root);
      if (list) list.push(v);
      else members.set(root, [v]);
    }
    const clusters = [...members.values()].sort((x, y) => x.length - y.length);
    let joined = 0;
    for (const cluster of clusters.slice(0, -2)) {
      const root = find(cluster[0]!);
      if (alone.has(cluster[0]!)) continue;
      let best = -1;
      let bestFrom = -1;
      let bestKm = maxKm;
      for (const u of cluster) {
        if (!open[u]) continue;
        const [v] = around(g.index, g.lng[u]!, g.lat[u]!, 1, bestKm, (w) => find(w) !== root);
        if (v === undefined) continue;
        const km = distanceKm(g.lat[u]!, g.lng[u]!, g.lat[v]!, g.lng[v]!);
        if (km < bestKm) [best, bestFrom, bestKm] = [v, u, km];
      }
      if (best < 0) {
        alone.add(cluster[0]!);
        continue;
      }
      if (find(best) === root) continue;
      pairs.push(Math.min(bestFrom, best), Math.max(bestFrom, best));
      parent[root] = find(best);
      joined++;
    }
    if (joined === 0) break;
  }
}

function components(n: number, start: Int32Array, to: Int32Array) {
  const component = new Int32Array(n).fill(-1);
  const sizes: number[] = [];
  const stack = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    if (component[s] !== -1) continue;
    const c = sizes.length;
    let top = 0;
    let count = 0;
    stack[top++] = s;
    component[s] = c;
    while (top > 0) {
      const u = stack[--top]!;
      count++;
      for (let e = start[u]!; e < start[u + 1]!; e++) {
        const v = to[e]!;
        if (component[v] === -1) {
          component[v] = c;
          stack[top++] = v;
        }
      }
    }
    sizes.push(count);
  }
  return { component, componentSize: Int32Array.from(sizes) };
}
