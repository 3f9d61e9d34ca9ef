// Court roll e2e helpers: waiting, the latest checkpoint, and the operator's
// attack on a stopped server's database (roll.test.mjs, roll-fork.test.mjs).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

// The tables the transparency log adds (equity_roll_hashes,
// equity_roll_checkpoints, equity_roll_cosignatures, and any later tile,
// checkpoint or integration state). Everything here is derived from
// equity_log and the rows, or signed over them.
const TREE_TABLES = /(^equity_roll_|tlog|tree|checkpoint|tile|integrat)/i;
const KEEP = new Set(['equity_log', 'equity_log_head']);

export async function until(what, fn, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
}

export async function checkpointOf(server) {
  const r = await fetch(`${server.url}/api/register/checkpoint`, { cache: 'no-store' });
  if (r.status !== 200) return null;
  const text = await r.text();
  return { text, size: Number(text.split('\n')[1]) };
}

/**
 * The attack: rewrite an old transaction's amounts (both postings, so it
 * still balances) with the append-only triggers disabled, and empty the
 * tree's tables so that the server rebuilds the tree from the rewritten rows
 * and signs it with its own key: with the key, this is a fork.
 */
/** Cosignatures refer to checkpoints: empty them first. */
function referencingFirst(tables) {
  return [...tables].sort((a, b) => Number(/cosignature/.test(b)) - Number(/cosignature/.test(a)));
}

export async function rewriteHistory(server, txId) {
  if (server.db.kind === 'postgres') {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await c.connect();
    try {
      await c.query(`SET search_path TO "${server.db.schema}"`);
      const { rows } = await c.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [server.db.schema]);
      const tree = referencingFirst(rows.map((r) => r.table_name).filter((t) => TREE_TABLES.test(t) && !KEEP.has(t)));
      assert.ok(tree.length > 0, `no tree tables found among ${rows.map((r) => r.table_name).join(', ')}`);
      await c.query('BEGIN');
      await c.query('ALTER TABLE equity_postings DISABLE TRIGGER USER');
      const u = await c.query('UPDATE equity_postings SET amount = amount * 1000 WHERE tx_id = $1', [txId]);
      assert.ok(u.rowCount > 0, `no postings for transaction ${txId}`);
      await c.query('ALTER TABLE equity_postings ENABLE TRIGGER USER');
      for (const t of tree) {
        await c.query(`ALTER TABLE "${t}" DISABLE TRIGGER USER`);
        await c.query(`DELETE FROM "${t}"`);
        await c.query(`ALTER TABLE "${t}" ENABLE TRIGGER USER`);
      }
      await c.query('COMMIT');
      return tree;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      await c.end();
    }
  }
  // SQLite: through the sqlite3 shell, dropping and recreating the triggers.
  const file = join(server.db.env.COPYHOLD_DATA, 'copyhold.db');
  const q = async (sql) => {
    const { stdout } = await exec('sqlite3', ['-json', file, sql]);
    return stdout.trim() ? JSON.parse(stdout) : [];
  };
  const tables = (await q("SELECT name FROM sqlite_master WHERE type = 'table'")).map((r) => r.name);
  const tree = referencingFirst(tables.filter((t) => TREE_TABLES.test(t) && !KEEP.has(t)));
  assert.ok(tree.length > 0, `no tree tables found among ${tables.join(', ')}`);
  const touched = ['equity_postings', ...tree];
  const triggers = await q(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (${touched.map((t) => `'${t}'`).join(', ')})`);
  const script = [
    'BEGIN;',
    ...triggers.map((t) => `DROP TRIGGER "${t.name}";`),
    `UPDATE equity_postings SET amount = amount * 1000 WHERE tx_id = ${Number(txId)};`,
    ...tree.map((t) => `DELETE FROM "${t}";`),
    ...triggers.map((t) => `${t.sql};`),
    'COMMIT;',
  ].join('\n');
  await exec('sqlite3', [file, script]);
  return tree;
}

