/** The countries of world-atlas (Natural Earth 1:110m) projected at build time (build-web.mjs). */
declare const WORLD_MAP: {
  /** The SVG path of every country, in a 960 × 480 view. */
  land: string;
  scale: number;
  translate: [number, number];
};
