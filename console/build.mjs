// Builds the console into the folder named by the first argument: index.html, app.js (the
// pages, preact, htm and uPlot in one minified ES module) and app.css, each beside its
// gzip form (NAME.gz) for browsers that take it. Run by CMake (src/http/CMakeLists.txt);
// `node build.mjs OUT` by hand.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const out = process.argv[2];
if (!out) {
  console.error('usage: node build.mjs OUT_DIR');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const common = { bundle: true, minify: true, legalComments: 'none', logLevel: 'warning' };
await build({ ...common, entryPoints: ['src/main.js'], format: 'esm', target: 'es2020',
              outfile: join(out, 'app.js') });
await build({ ...common, entryPoints: ['src/app.css'], outfile: join(out, 'app.css') });
copyFileSync('src/index.html', join(out, 'index.html'));
let total = 0;
for (const name of ['index.html', 'app.js', 'app.css']) {
  const gz = gzipSync(readFileSync(join(out, name)), { level: 9 });
  writeFileSync(join(out, name + '.gz'), gz);
  total += gz.length;
  console.log(`console: ${name} ${statSync(join(out, name)).size} bytes, ${gz.length} gzipped`);
}
console.log(`console: ${total} bytes gzipped in all`);
