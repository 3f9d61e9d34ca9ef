// npm audit --omit=dev for `make audit`: fails on any advisory against a
// package the app ships, and skips (exit 0, saying so) only when the
// advisory database cannot be reached, never when it answered.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = spawnSync(npm, ['audit', '--omit=dev', '--json'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
let report = null;
try {
  report = JSON.parse(run.stdout);
} catch {
  // not JSON: handled below
}

if (report && report.auditReportVersion) {
  const counts = report.metadata?.vulnerabilities ?? {};
  if (run.status === 0 && !counts.total) {
    console.log('audit: npm: no known vulnerabilities in the shipped packages');
    process.exit(0);
  }
  for (const [name, v] of Object.entries(report.vulnerabilities ?? {})) {
    const via = (v.via ?? []).map((x) => (typeof x === 'string' ? x : `${x.title} (${x.url})`)).join('; ');
    console.error(`audit: npm: ${v.severity}: ${name} ${v.range ?? ''}: ${via}`);
  }
  console.error(`audit: npm: FAILED: known vulnerabilities in shipped packages: ${JSON.stringify(counts)}`);
  process.exit(1);
}

// No report: was it the advisory database that could not be reached?
const text = `${run.stdout ?? ''}\n${run.stderr ?? ''}`;
const unreachable =
  /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|socket hang up/i.test(text) ||
  /security\/(advisories|audits)[^"]*"[\s\S]*"statusCode":\s*(404|405|429|5\d\d)/.test(text) ||
  /(404|405|429|5\d\d)[^\n]*security\/(advisories|audits)/.test(text) ||
  run.error?.code === 'ETIMEDOUT';
if (unreachable) {
  const why = (report && report.message) || text.trim().split('\n').find((l) => l.trim()) || String(run.error);
  console.log(`audit: npm: SKIPPED: the npm advisory database could not be reached (${why}); nothing was checked`);
  process.exit(0);
}
console.error(`audit: npm: FAILED: npm audit did not run (exit ${run.status}):\n${text}`);
process.exit(1);
