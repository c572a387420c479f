// The generated TypeScript declarations compile a typed use of the whole API (tsc --strict).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WASM = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

test('TypeScript declarations type the API and reject misuse', { timeout: 120_000 }, () => {
  const tsc = path.join(WASM, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--lib', 'es2022,esnext.disposable', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', 'false', path.join(WASM, 'tests/typecheck.ts')], { encoding: 'utf8' });
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
});
