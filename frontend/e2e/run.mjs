// npm run e2e: runs every e2e/*.test.mjs with node's test runner, one file at
// a time (each boots its own server), and exits non-zero on any failure.
// Extra arguments are passed to node --test (e.g. --test-name-pattern=invite).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.test.mjs'))
  .sort()
  .map((f) => join(here, f));

if (files.length === 0) {
  console.error('no e2e test files found');
  process.exit(1);
}

const args = ['--test', '--test-reporter=spec', '--test-concurrency=1', ...process.argv.slice(2), ...files];
const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: join(here, '..') });
if (r.error) {
  console.error(r.error);
  process.exit(1);
}
process.exit(r.status ?? 1);
