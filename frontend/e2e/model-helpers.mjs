// An OpenAI-compatible model server for the browser tests: cmd/modeltest,
// the Go test server (labeling/model/modeltest) with one profile each for
// vLLM, llama.cpp's server and Ollama.
//
//   MODELTEST_BIN   its binary (default ../bin/copyhold-modeltest from
//                   frontend/, built by `make build`; built here with
//                   `go build` when missing)
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FRONTEND_DIR } from './harness.mjs';

export const MODELTEST_BIN = resolve(FRONTEND_DIR, process.env.MODELTEST_BIN ?? '../bin/copyhold-modeltest');

/** Starts a model server with profile (vllm, llama.cpp, ollama, bare); returns { url, stop }. */
export async function startModelServer(profile = 'vllm', { key = '' } = {}) {
  if (!existsSync(MODELTEST_BIN)) {
    execFileSync('go', ['build', '-o', MODELTEST_BIN, './cmd/modeltest'], { cwd: resolve(FRONTEND_DIR, '..'), stdio: 'inherit' });
  }
  const args = ['--profile', profile, '--addr', '127.0.0.1:0'];
  if (key) args.push('--key', key);
  const proc = spawn(MODELTEST_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise((resolveURL, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`modeltest did not start: ${out}`)), 10_000);
    proc.stdout.on('data', (b) => {
      out += b.toString();
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolveURL(m[1]);
      }
    });
    proc.on('exit', (code) => reject(new Error(`modeltest exited with ${code}: ${out}`)));
  });
  return {
    url,
    stop: () => new Promise((r) => {
      if (proc.exitCode !== null) return r();
      proc.on('exit', () => r());
      proc.kill('SIGTERM');
    }),
  };
}

/** A fresh model data key file (--model-key): base64 of 32 random bytes. */
export function modelDataKeyFile() {
  const path = join(mkdtempSync(join(tmpdir(), 'copyhold-model-key-')), 'model.key');
  writeFileSync(path, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
  return path;
}
