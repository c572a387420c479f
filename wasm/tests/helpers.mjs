// Shared helpers of the Node tests: the built nodejs package and error assertions.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** The package built by wasm/build.sh (its `main` is the nodejs build, without ConfigStore). */
export const wasm = require('../pkg');
/** `neotalk-storage-wasm/full`: the same plus ConfigStore (cargo feature `config`). */
export const full = require('../pkg/full/node/neotalk_storage_wasm.js');

/** A fresh in-memory database of the default package. */
export function openDb(options) {
  return new wasm.StorageManager(options);
}

/** A fresh in-memory database of the `full` package (it has `config()`). */
export function openFullDb(options) {
  return new full.StorageManager(options);
}

/** Asserts that `fn` throws a StorageError with `code` (and `field`, when given). */
export function throwsCode(fn, code, field, message) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof Error, `expected an Error, got ${err}`);
    assert.equal(err.name, 'StorageError', err.message);
    assert.equal(err.code, code, err.message);
    if (field !== undefined) assert.equal(err.field, field, err.message);
    if (message !== undefined) assert.match(err.message, message);
    return true;
  });
}

/** Own method names of a class prototype, without wasm-bindgen's internals. */
export function methodsOf(cls) {
  return Object.getOwnPropertyNames(cls.prototype)
    .filter((n) => n !== 'constructor' && n !== 'free' && !n.startsWith('__') && typeof cls.prototype[n] === 'function')
    .sort();
}
