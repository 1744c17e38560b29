// Bundles the page (web/) into dist/public: one script, one stylesheet, the HTML. No CDN.
// The world map's countries are projected here, once, not in every browser that opens the page.
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { geoNaturalEarth1, geoPath } from 'd3-geo';
import { build } from 'esbuild';
import { feature } from 'topojson-client';

const require = createRequire(import.meta.url);
const topology = JSON.parse(
  await readFile(require.resolve('world-atlas/countries-110m.json'), 'utf8'),
);
const land = feature(topology, topology.objects.countries);
const projection = geoNaturalEarth1().fitSize([960, 480], land);
const worldMap = {
  land: geoPath(projection).digits(1)(land),
  scale: projection.scale(),
  translate: projection.translate(),
};

const out = new URL('../dist/public/', import.meta.url);
await mkdir(out, { recursive: true });
await build({
  entryPoints: [new URL('../web/main.ts', import.meta.url).pathname],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  outfile: new URL('app.js', out).pathname,
  define: { WORLD_MAP: JSON.stringify(worldMap) },
  legalComments: 'eof',
  logLevel: 'warning',
});
for (const file of ['index.html', 'style.css']) {
  await copyFile(new URL(`../web/${file}`, import.meta.url), new URL(file, out));
}
