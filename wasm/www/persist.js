// Keeps the page's database across reloads: the whole store as one snapshot file
// (`exportSnapshot()`, the portable backup format) plus a small JSON description, in the
// origin private file system (OPFS) where the browser has it, else in IndexedDB.
// OPFS writes go through `createWritable()`, which replaces the file only when the write is
// closed, so a reload in the middle of a save keeps the previous snapshot.

const SNAPSHOT = 'simulator.ntsnap';
const META = 'simulator.json';

class OpfsStore {
  constructor(dir) {
    this.dir = dir;
    this.kind = 'OPFS';
  }

  async read(name) {
    try {
      const file = await (await this.dir.getFileHandle(name)).getFile();
      return new Uint8Array(await file.arrayBuffer());
    } catch (err) {
      if (err.name === 'NotFoundError') return null;
      throw err;
    }
  }

  async write(name, bytes) {
    const w = await (await this.dir.getFileHandle(name, { create: true })).createWritable();
    await w.write(bytes);
    await w.close();
  }

  async remove(name) {
    try {
      await this.dir.removeEntry(name);
    } catch (err) {
      if (err.name !== 'NotFoundError') throw err;
    }
  }
}

class IdbStore {
  constructor(db) {
    this.db = db;
    this.kind = 'IndexedDB';
  }

  tx(mode, fn) {
    return new Promise((resolve, reject) => {
      const t = this.db.transaction('files', mode);
      const req = fn(t.objectStore('files'));
      t.oncomplete = () => resolve(req.result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  }

  async read(name) {
    const v = await this.tx('readonly', (s) => s.get(name));
    return v == null ? null : new Uint8Array(v);
  }

  write(name, bytes) {
    // A copy: the wasm memory behind `bytes` may move; IndexedDB clones it anyway.
    return this.tx('readwrite', (s) => s.put(bytes.slice().buffer, name));
  }

  remove(name) {
    return this.tx('readwrite', (s) => s.delete(name));
  }
}

async function openIdb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open('neotalk-simulator', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('files');
    req.onsuccess = () => resolve(new IdbStore(req.result));
    req.onerror = () => reject(req.error);
  });
}

/**
 * The browser's storage for the simulator: OPFS, or IndexedDB where OPFS is missing (or
 * `prefer` is 'idb'). Resolves to null when neither works (private windows of some browsers).
 */
export async function openPersistence(prefer = 'opfs') {
  // OPFS needs createWritable() on the main thread (Chromium, Firefox; not every Safari).
  const opfs = navigator.storage?.getDirectory && typeof FileSystemFileHandle !== 'undefined' && 'createWritable' in FileSystemFileHandle.prototype;
  if (prefer !== 'idb' && opfs) {
    try {
      const root = await navigator.storage.getDirectory();
      const dir = await root.getDirectoryHandle('neotalk-simulator', { create: true });
      return new Persistence(new OpfsStore(dir));
    } catch {
      // fall through to IndexedDB
    }
  }
  if (typeof indexedDB !== 'undefined') {
    try {
      return new Persistence(await openIdb());
    } catch {
      return null;
    }
  }
  return null;
}

export class Persistence {
  constructor(store) {
    this.store = store;
    this.kind = store.kind;
    this.saving = null;
  }

  /** The saved `{ meta, bytes }`, or null when nothing (or only half of it) is saved. */
  async load() {
    const metaBytes = await this.store.read(META);
    if (!metaBytes) return null;
    const bytes = await this.store.read(SNAPSHOT);
    if (!bytes) return null;
    return { meta: JSON.parse(new TextDecoder().decode(metaBytes)), bytes };
  }

  /**
   * Saves `bytes` and `meta` (snapshot first, then the description naming its size, so a
   * description never points at a snapshot it does not describe). Saves do not overlap: a
   * save asked for while one runs waits for it.
   */
  async save(bytes, meta) {
    const previous = this.saving;
    const run = (async () => {
      await previous;
      await this.store.write(SNAPSHOT, bytes);
      await this.store.write(META, new TextEncoder().encode(JSON.stringify({ ...meta, bytes: bytes.length, savedAt: Date.now() })));
    })();
    this.saving = run.catch(() => {});
    return run;
  }

  /** Forgets what is saved. */
  async clear() {
    await this.saving;
    await this.store.remove(META);
    await this.store.remove(SNAPSHOT);
  }
}
