// Bundles the page (web/) into dist/public: one script, one stylesheet, the HTML. No CDN.
import { copyFile, mkdir } from 'node:fs/promises';
import { build } from 'esbuild';

const out = new URL('../dist/public/', import.meta.url);
await mkdir(out, { recursive: true });
await build({
  entryPoints: [new URL('../web/main.ts', import.meta.url).pathname],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  outfile: new URL('app.js', out).pathname,
  legalComments: 'eof',
  logLevel: 'warning',
});
for (const file of ['index.html', 'style.css']) {
  await copyFile(new URL(`../web/${file}`, import.meta.url), new URL(file, out));
}
