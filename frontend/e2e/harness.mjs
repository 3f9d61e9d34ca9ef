// End-to-end harness: boots the REAL copyhold binary on a fresh database and
// drives Debian's Chromium through playwright-core. Reused by every e2e file.
//
//   COPYHOLD_BIN        binary to run (default ../bin/copyhold from frontend/)
//   TEST_DATABASE_URL   PostgreSQL superuser URL; when set each server gets a
//                       fresh schema e2e_<random>, dropped afterwards.
//                       Otherwise SQLite in a fresh temp dir (COPYHOLD_DATA).
//   CHROMIUM            browser executable (default /usr/bin/chromium)
//   COPYHOLD_REQUIRE_POSTGRES  when set (by cmd/with-postgres), a missing
//                       TEST_DATABASE_URL is an error rather than SQLite
//   E2E_KEEP            keep temp dirs / schemas for debugging when set
//
// Screenshots go to frontend/test-results/ (git-ignored).

import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, mkdirSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const FRONTEND_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = resolve(FRONTEND_DIR, process.env.COPYHOLD_BIN ?? '../bin/copyhold');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const RESULTS_DIR = join(FRONTEND_DIR, 'test-results');

export const DEMO_PASSWORD = 'copyhold-demo';
export const DEMO = {
  labeller: { login: 'labeller', password: DEMO_PASSWORD },
  reviewer: { login: 'reviewer', password: DEMO_PASSWORD },
  coordinator: { login: 'coordinator', password: DEMO_PASSWORD },
};

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

function run(cmd, args, env, timeoutMs = 60_000) {
  return new Promise((resolveRun, reject) => {
    execFile(cmd, args, { env, timeout: timeoutMs, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      if (err) {
        err.message += `\n--- ${cmd} ${args.join(' ')} stdout:\n${stdout}\n--- stderr:\n${stderr}`;
        reject(err);
      } else resolveRun({ stdout, stderr });
    });
  });
}

/**
 * A court-roll signing key in the golang.org/x/mod/sumdb/note format
 * ("PRIVATE+KEY+<name>+<hex key hash>+<base64(0x01 ‖ seed)>"). The server
 * creates its own for the embedded SQLite database only; on PostgreSQL it
 * must be configured, so the harness writes one into the data folder.
 */
export function registerSigningKey(name = 'copyhold.local/register') {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d, 'base64url');
  const pub = Buffer.from(jwk.x, 'base64url');
  const hash = createHash('sha256').update(Buffer.concat([Buffer.from(`${name}\n`), Buffer.from([1]), pub])).digest().subarray(0, 4).toString('hex');
  return `PRIVATE+KEY+${name}+${hash}+${Buffer.concat([Buffer.from([1]), seed]).toString('base64')}`;
}

/** Creates a fresh database; returns the env to pass to the binary and a cleanup. */
async function freshDatabase() {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.COPYHOLD_DATA;
  delete base.COPYHOLD_ADDR;
  const dataDir = mkdtempSync(join(tmpdir(), 'copyhold-e2e-'));
  const keep = Boolean(process.env.E2E_KEEP);

  const pgUrl = process.env.TEST_DATABASE_URL;
  if (!pgUrl && process.env.COPYHOLD_REQUIRE_POSTGRES) {
    throw new Error('TEST_DATABASE_URL is not set but COPYHOLD_REQUIRE_POSTGRES is: PostgreSQL must be tested');
  }
  if (!pgUrl) {
    return {
      kind: 'sqlite',
      env: { ...base, COPYHOLD_DATA: dataDir },
      cleanup: async () => {
        if (!keep) rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }

  const { default: pg } = await import('pg');
  const schema = `e2e_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA "${schema}"`);
  } finally {
    await admin.end();
  }
  const u = new URL(pgUrl);
  u.searchParams.set('search_path', schema);
  writeFileSync(join(dataDir, 'register.key'), registerSigningKey() + '\n', { mode: 0o600 });
  return {
    kind: 'postgres',
    schema,
    // COPYHOLD_DATA still points at a private dir in case the server keeps files there.
    env: { ...base, DATABASE_URL: u.toString(), COPYHOLD_DATA: dataDir },
    cleanup: async () => {
      if (keep) return;
      rmSync(dataDir, { recursive: true, force: true });
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

async function waitHealthy(url, proc, deadline) {
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`copyhold serve exited with ${proc.exitCode}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url}/healthz did not answer 200 in time`);
}

/**
 * Boots a fresh copyhold: migrate up, demo, serve on a random port.
 * demo: 'bare' (default: `demo --bare`, one member per role and the
 * sentiment project, a clean co-op to test against) or 'full' (`demo`: all
 * eight task types and four weeks of history).
 * Returns { url, db, demoOutput, logs(), cli(args), restart(between), stop() }; cli runs
 * another copyhold subcommand against the same database (for example
 * `proposal close-due --at <time>`) and resolves to { stdout, stderr }.
 */
export async function startServer({ timeoutMs = 30_000, env = {}, demo: demoKind = 'bare' } = {}) {
  if (!existsSync(BIN)) {
    throw new Error(`copyhold binary not found at ${BIN}; build it (go build -o bin/copyhold ./cmd/copyhold) or set COPYHOLD_BIN`);
  }
  const db = await freshDatabase();
  Object.assign(db.env, env); // extra settings for every command (e.g. COPYHOLD_WITNESSES)
  let proc;
  try {
    await run(BIN, ['migrate', 'up'], db.env);
    const demo = await run(BIN, demoKind === 'full' ? ['demo'] : ['demo', '--bare'], db.env);
    const demoOutput = demo.stdout + demo.stderr;

    let log = '';
    const serve = async (addr) => {
      const p = spawn(BIN, ['serve'], { env: { ...db.env, COPYHOLD_ADDR: addr }, stdio: ['ignore', 'pipe', 'pipe'] });
      proc = p;
      const u = await new Promise((resolveUrl, reject) => {
        let seen = '';
        const timer = setTimeout(() => reject(new Error(`no "listening on" line within ${timeoutMs} ms:\n${log}`)), timeoutMs);
        const onData = (chunk) => {
          log += chunk.toString();
          seen += chunk.toString();
          const m = seen.match(/listening on (https?:\/\/[^\s"']+)/);
          if (m) {
            clearTimeout(timer);
            resolveUrl(m[1].replace(/\/$/, ''));
          }
        };
        p.stdout.on('data', onData);
        p.stderr.on('data', onData);
        p.on('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`copyhold serve exited early (${code}):\n${log}`));
        });
      });
      // onData keeps draining output so the pipe never fills up.
      await waitHealthy(u, p, Date.now() + timeoutMs);
      return { p, u };
    };
    const killProc = async () => {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.exitCode === null && proc.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(t);
      }
    };
    const { u: url } = await serve('127.0.0.1:0');

    let stopped = false;
    return {
      url,
      db,
      demoOutput,
      logs: () => log,
      cli: (args, { timeoutMs: cliTimeout = 60_000 } = {}) => run(BIN, args, db.env, cliTimeout),
      /**
       * Stops the server, runs `between()` (e.g. tampering with the stopped
       * server's database), and serves the same database again on the same
       * address, so the browser's origin (cookies, localStorage) is unchanged.
       */
      async restart(between = async () => {}) {
        await killProc();
        await between();
        await serve(new URL(url).host);
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await killProc();
        await db.cleanup();
      },
    };
  } catch (err) {
    if (proc && proc.exitCode === null) proc.kill('SIGKILL');
    await db.cleanup().catch(() => {});
    throw err;
  }
}

/** Launches headless Debian Chromium. Never downloads a browser. */
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Opens a page that records CSP violations, console errors and page errors,
 * so tests can assert the app runs cleanly under the server's strict CSP.
 */
export async function newPage(browser, baseURL, { viewport = { width: 1280, height: 720 } } = {}) {
  const context = await browser.newContext({ baseURL, viewport });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy/i.test(text)) problems.push(`CSP: ${text}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.problems = problems;
  return { context, page, problems };
}

/** Logs in through the real form and waits until the app has left /login. */
export async function login(page, loginName, password) {
  await page.goto('/login');
  await page.getByLabel('Login', { exact: true }).fill(loginName);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 10_000 });
}

let axeSource;
/**
 * Runs axe-core on the page and returns the serious/critical violations.
 * axe is injected with page.evaluate: page.addScriptTag adds an inline
 * <script>, which the server's CSP (script-src 'self') rightly blocks.
 */
export async function axeViolations(page, { impacts = ['serious', 'critical'] } = {}) {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const present = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!present) await page.evaluate(axeSource);
  const results = await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }),
  );
  return results.violations.filter((v) => impacts.includes(v.impact));
}

export function formatViolations(violations) {
  return violations
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `   ${n.target.join(' ')} ${n.failureSummary ?? ''}`).join('\n')}`)
    .join('\n');
}

export async function screenshot(page, name) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(RESULTS_DIR, `${name}.png`), fullPage: true });
}
