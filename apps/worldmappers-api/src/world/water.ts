import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { EARTH_RADIUS_KM, greatCircleSampler } from './geo.js';

/** A ring of GeoJSON `[lng, lat]` positions, closed (the last repeats the first). */
export type Ring = readonly (readonly number[])[];

/** Grid cell size of {@link LandMask}, degrees: 1440 × 720 cells. */
const CELL_DEG = 0.25;
const COLUMNS = 360 / CELL_DEG;
const ROWS = 180 / CELL_DEG;

/**
 * Natural Earth's land polygons as a point-in-polygon test (even–odd rule, planar in degrees, as
 * Natural Earth draws them) behind a grid index: each 0.25° cell knows whether its centre is on
 * land and which polygon edges cross it, so a point is answered from the centre's state and the
 * parity of the edges between the centre and the point. A cell no edge crosses answers at once.
 * Lakes are part of the land polygons: only the sea is water.
 */
export class LandMask {
  /** Edge `k` runs from (x1[k], y1[k]) to (x2[k], y2[k]), degrees of longitude and latitude. */
  private readonly x1: Float64Array;
  private readonly y1: Float64Array;
  private readonly x2: Float64Array;
  private readonly y2: Float64Array;
  /** 1 when the cell's centre is on land. */
  private readonly centreLand: Uint8Array;
  /** Edges crossing cell `c` are `cellEdges[cellStart[c]..cellStart[c+1])`. */
  private readonly cellStart: Int32Array;
  private readonly cellEdges: Int32Array;

  /**
   * Latitudes where a ring crosses the antimeridian: a row's scan starts on land when an odd
   * number of them lie north of it (the path from the row's west end to the North Pole, which is
   * at sea, crosses the boundary that many times).
   */
  private readonly seams: number[] = [];

  /**
   * Builds the index from polygon rings (exteriors and holes alike) in spherical coordinates, as
   * world-atlas gives them: an edge may cross the antimeridian (179.9° → −180°), and is then cut
   * in two at ±180°.
   */
  constructor(rings: readonly Ring[]) {
    const edges: number[] = [];
    // Longitude 180° is −180°, so that every edge with a jump over 180° is a crossing.
    const x = (position: readonly number[]) => (position[0] === 180 ? -180 : (position[0] ?? 0));
    for (const ring of rings) {
      for (let i = 1; i < ring.length; i++) {
        const [xa, ya, xb, yb] = [
          x(ring[i - 1]!),
          ring[i - 1]![1] ?? 0,
          x(ring[i]!),
          ring[i]![1] ?? 0,
        ];
        if (Math.abs(xb - xa) <= 180) {
          edges.push(xa, ya, xb, yb);
          continue;
        }
        // Unwrap the far end, cut where the edge meets ±180°, and wrap the second half back.
        const side = xa > 0 ? 180 : -180;
        const unwrapped = xb + 2 * side;
        const yCut = ya + ((side - xa) / (unwrapped - xa)) * (yb - ya);
        edges.push(xa, ya, side, yCut, -side, yCut, xb, yb);
        this.seams.push(yCut);
      }
    }
    const count = edges.length / 4;
    this.x1 = new Float64Array(count);
    this.y1 = new Float64Array(count);
    this.x2 = new Float64Array(count);
    this.y2 = new Float64Array(count);
    for (let k = 0; k < count; k++) {
      this.x1[k] = edges[4 * k]!;
      this.y1[k] = edges[4 * k + 1]!;
      this.x2[k] = edges[4 * k + 2]!;
      this.y2[k] = edges[4 * k + 3]!;
    }
    // Bucket each edge into every cell of its bounding box (edges are short: one to four cells).
    const cells = COLUMNS * ROWS;
    this.cellStart = new Int32Array(cells + 1);
    this.forEachCell((c) => this.cellStart[c + 1]!++);
    for (let c = 0; c < cells; c++) this.cellStart[c + 1]! += this.cellStart[c]!;
    this.cellEdges = new Int32Array(this.cellStart[cells]!);
    const fill = this.cellStart.slice(0, cells);
    this.forEachCell((c, edge) => (this.cellEdges[fill[c]!++] = edge));
    this.centreLand = this.scanCentres(count);
  }

  /** Loads Natural Earth's 1:10m land (about 0.5 s): `world-atlas/land-10m.json`. */
  static naturalEarth(): LandMask {
    const require = createRequire(import.meta.url);
    // Loaded here, not imported: only the build (and the server's fallback) draws the network.
    const { feature } = require('topojson-client') as typeof import('topojson-client');
    // Parsed, not required: the require cache would keep the parsed file alive after the build.
    const topology = JSON.parse(
      readFileSync(require.resolve('world-atlas/land-10m.json'), 'utf8'),
    ) as Topology<{ land: GeometryCollection }>;
    const rings: Ring[] = [];
    for (const f of feature(topology, topology.objects.land).features) {
      const geometry = f.geometry;
      if (geometry.type === 'Polygon') rings.push(...geometry.coordinates);
      if (geometry.type === 'MultiPolygon') {
        for (const polygon of geometry.coordinates) rings.push(...polygon);
      }
    }
    return new LandMask(rings);
  }

  /** True when the point is on land (or a lake) per the polygons. */
  isLand(lat: number, lng: number): boolean {
    if (lng < -180 || lng >= 180) lng = ((((lng + 180) % 360) + 360) % 360) - 180;
    const col = columnOf(lng);
    const row = rowOf(lat);
    const c = row * COLUMNS + col;
    let inside = this.centreLand[c] === 1;
    const cx = -180 + (col + 0.5) * CELL_DEG;
    const cy = -90 + (row + 0.5) * CELL_DEG;
    for (let i = this.cellStart[c]!; i < this.cellStart[c + 1]!; i++) {
      const k = this.cellEdges[i]!;
      if (crosses(cx, cy, lng, lat, this.x1[k]!, this.y1[k]!, this.x2[k]!, this.y2[k]!)) {
        inside = !inside;
      }
    }
    return inside;
  }

  /**
   * True when every cell overlapping the box is land throughout (its centre on land and no edge
   * crossing it): then so is every point of the box.
   */
  allLand(south: number, west: number, north: number, east: number): boolean {
    for (let row = rowOf(south); row <= rowOf(north); row++) {
      for (let col = columnOf(west); col <= columnOf(east); col++) {
        const c = row * COLUMNS + col;
        if (this.centreLand[c] !== 1 || this.cellStart[c] !== this.cellStart[c + 1]) return false;
      }
    }
    return true;
  }

  private forEachCell(visit: (cell: number, edge: number) => void) {
    for (let k = 0; k < this.x1.length; k++) {
      const c0 = columnOf(Math.min(this.x1[k]!, this.x2[k]!));
      const c1 = columnOf(Math.max(this.x1[k]!, this.x2[k]!));
      const r0 = rowOf(Math.min(this.y1[k]!, this.y2[k]!));
      const r1 = rowOf(Math.max(this.y1[k]!, this.y2[k]!));
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) visit(r * COLUMNS + c, k);
    }
  }

  /** Even–odd state of every cell centre, by a scanline along each row's centre latitude. */
  private scanCentres(edgeCount: number): Uint8Array {
    const land = new Uint8Array(COLUMNS * ROWS);
    const byRow: number[][] = Array.from({ length: ROWS }, () => []);
    for (let k = 0; k < edgeCount; k++) {
      const r0 = rowOf(Math.min(this.y1[k]!, this.y2[k]!));
      const r1 = rowOf(Math.max(this.y1[k]!, this.y2[k]!));
      for (let r = r0; r <= r1; r++) byRow[r]!.push(k);
    }
    const xs: number[] = [];
    for (let row = 0; row < ROWS; row++) {
      const y = -90 + (row + 0.5) * CELL_DEG;
      xs.length = 0;
      for (const k of byRow[row]!) {
        const [ya, yb] = [this.y1[k]!, this.y2[k]!];
        // Half-open in y, so a vertex on the scanline is counted once.
        if (ya > y === yb > y) continue;
        xs.push(this.x1[k]! + ((y - ya) / (yb - ya)) * (this.x2[k]! - this.x1[k]!));
      }
      xs.sort((a, b) => a - b);
      const start = this.seams.filter((seam) => seam > y).length % 2;
      let next = 0;
      for (let col = 0; col < COLUMNS; col++) {
        const x = -180 + (col + 0.5) * CELL_DEG;
        while (next < xs.length && xs[next]! < x) next++;
        land[row * COLUMNS + col] = (start + next) % 2;
      }
    }
    return land;
  }
}

const columnOf = (lng: number) =>
  Math.min(COLUMNS - 1, Math.max(0, Math.floor((lng + 180) / CELL_DEG)));
const rowOf = (lat: number) => Math.min(ROWS - 1, Math.max(0, Math.floor((lat + 90) / CELL_DEG)));

/** Whether segment p–q crosses edge a–b (their interiors meet; touching counts on one side only). */
function crosses(
  px: number,
  py: number,
  qx: number,
  qy: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
): boolean {
  // Most edges of a cell are nowhere near the short path from its centre: reject on boxes first.
  if (
    (ax < px && ax < qx && bx < px && bx < qx) ||
    (ax > px && ax > qx && bx > px && bx > qx) ||
    (ay < py && ay < qy && by < py && by < qy) ||
    (ay > py && ay > qy && by > py && by > qy)
  ) {
    return false;
  }
  // Half-open side tests (> 0 against ≤ 0), so a path through a shared vertex crosses one edge.
  const dx = qx - px;
  const dy = qy - py;
  const a = dx * (ay - py) - dy * (ax - px) > 0;
  const b = dx * (by - py) - dy * (bx - px) > 0;
  if (a === b) return false;
  const ex = bx - ax;
  const ey = by - ay;
  const p = ex * (py - ay) - ey * (px - ax) > 0;
  const q = ex * (qy - ay) - ey * (qx - ax) > 0;
  return p !== q;
}

/** A point counts as sea only if it and the points this far north, south, east and west are. */
export const COAST_KM = 1;
/** Spacing of the samples along a link. */
export const SAMPLE_KM = 1;
const KM_PER_DEGREE = (Math.PI / 180) * EARTH_RADIUS_KM;

/**
 * Whether a point is open sea: off the land polygons and at least {@link COAST_KM} from them in
 * the four compass directions, so a point a little off a generalized coastline, a river mouth or a
 * strait narrower than about 2 km (bridged or tunnelled, as a rule) is not sea.
 */
export function isSea(land: LandMask, lat: number, lng: number): boolean {
  const dLat = COAST_KM / KM_PER_DEGREE;
  const dLng = dLat / Math.max(Math.cos((lat * Math.PI) / 180), 0.01);
  return (
    !land.isLand(lat, lng) &&
    !land.isLand(lat + dLat, lng) &&
    !land.isLand(lat - dLat, lng) &&
    !land.isLand(lat, lng + dLng) &&
    !land.isLand(lat, lng - dLng)
  );
}

/**
 * The share (0–1) of the great-circle segment between two points that lies over open sea
 * ({@link isSea}), sampled at the middles of pieces at most {@link SAMPLE_KM} long (at least 4).
 */
export function seaShare(
  land: LandMask,
  lat1: number,
  lng1: number,
  lat2: number,
  lng2: number,
  lengthKm: number,
): number {
  if (inland(land, lat1, lng1, lat2, lng2, lengthKm)) return 0;
  const pieces = Math.max(4, Math.ceil(lengthKm / SAMPLE_KM));
  const at = greatCircleSampler(lat1, lng1, lat2, lng2);
  let sea = 0;
  for (let i = 0; i < pieces; i++) {
    const [lng, lat] = at((i + 0.5) / pieces);
    if (isSea(land, lat, lng)) sea++;
  }
  return sea / pieces;
}

/**
 * A quick answer for most links: the box around both ends, widened by {@link COAST_KM} and by how
 * far the great circle can bow away from the straight line in degrees (about L²·tan φ / 8R; twice
 * that is allowed), is all land.
 */
function inland(
  land: LandMask,
  lat1: number,
  lng1: number,
  lat2: number,
  lng2: number,
  lengthKm: number,
): boolean {
  const cos = Math.cos((Math.max(Math.abs(lat1), Math.abs(lat2)) * Math.PI) / 180);
  if (Math.abs(lng1 - lng2) > 180 || cos < 0.1) return false;
  const marginKm = COAST_KM + (lengthKm * lengthKm) / (4 * EARTH_RADIUS_KM * cos);
  const dLat = marginKm / KM_PER_DEGREE;
  const dLng =
    dLat /
    Math.cos((Math.min(89, Math.max(Math.abs(lat1), Math.abs(lat2)) + dLat) * Math.PI) / 180);
  return land.allLand(
    Math.min(lat1, lat2) - dLat,
    Math.min(lng1, lng2) - dLng,
    Math.max(lat1, lat2) + dLat,
    Math.max(lng1, lng2) + dLng,
  );
}
