// Browser test of what the simulator page remembers and opens: the store saved in the
// browser (OPFS) and restored on reload, and a backup taken on a gateway by the native CLI
// (`neotalk-storage demo` then `neotalk-storage backup`, run here) opened in the page:
// its devices, charts (aggregated min..max / avg) and events, read-only, restored again
// after a reload, an incremental backup refused with a reason, then "Continue simulating
// on it"; and the IndexedDB fallback. Saves tests/browser/screenshots/backup.png.
// The CLI: NEOTALK_CLI (test.sh builds it and sets it), else `cargo build -p
// neotalk-storage-cli` (debug) in the workspace target dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser } from './browser.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..');
const SCREENSHOTS = path.join(HERE, 'screenshots');

function cli() {
  if (process.env.NEOTALK_CLI) return process.env.NEOTALK_CLI;
  execFileSync('cargo', ['build', '-q', '-p', 'neotalk-storage-cli'], { cwd: ROOT, stdio: 'inherit' });
  return path.join(process.env.CARGO_TARGET_DIR ?? path.join(ROOT, 'target'), 'debug', 'neotalk-storage');
}

/** Runs the CLI; for `backup`, returns the file it wrote (`... -> PATH`). */
function run(bin, args) {
  const out = execFileSync(bin, args, { encoding: 'utf8' });
  return out.match(/-> (.*\.ntsnap)\s*$/m)?.[1] ?? out;
}

test('simulator page: reload persistence (OPFS) and a native gateway backup opened read-only', { timeout: 120_000 }, async (t) => {
  // A gateway's data and backups, made by the native CLI in this run: 6 devices, 30 minutes.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'neotalk-gateway-'));
  t.after(() => fs.rmSync(work, { recursive: true, force: true }));
  const bin = cli();
  const dir = path.join(work, 'data');
  run(bin, ['--dir', dir, 'demo', '--devices', '6', '--minutes', '30']);
  const full = run(bin, ['--dir', dir, 'backup']);
  const incremental = run(bin, ['--dir', dir, 'backup', '--incremental']);
  assert.match(path.basename(full), /-full\.ntsnap$/);
  assert.match(path.basename(incremental), /-incremental\.ntsnap$/);

  const { url, page, pageErrors } = await openBrowser(t);
  const ready = () => page.waitForFunction(() => window.sim?.ready === true, null, { timeout: 30_000 });
  const counts = () => page.evaluate(() => {
    const db = window.sim.db;
    db.flush();
    return {
      tables: Object.fromEntries(Object.entries(db.stats().tableStats).map(([name, s]) => [name, s.count])),
      lastEvent: db.events().lastSequence(),
      thermo: db.timeseries().queryRange('thermo-001', 'temperature', -Infinity, Infinity).timestamps.length,
    };
  });

  // 1. Reload persistence: simulate, pause (which saves), reload: the same store, still paused.
  await page.goto(`${url}/www/?devices=30&rate=10&save=1000`);
  await ready();
  assert.equal(await page.evaluate(() => window.sim.persist.kind), 'OPFS');
  await page.waitForFunction(() => window.sim.stats.points > 2000 && window.sim.persist.saves > 0, null, { timeout: 30_000 });
  await page.locator('#toggle').click();
  await page.waitForFunction(() => window.sim.persist.lastReason === 'pause', null, { timeout: 10_000 });
  const before = await counts();
  assert.ok(before.thermo > 20 && before.tables.alerts > 0, JSON.stringify(before));
  await page.reload();
  await ready();
  const restored = await page.evaluate(() => ({ mode: window.sim.mode, running: window.sim.stats.running, restored: window.sim.persist.restored, status: window.sim.stats.snapshot }));
  assert.equal(restored.mode, 'simulation');
  assert.equal(restored.running, false, 'paused before the reload, paused after it');
  assert.ok(restored.restored?.bytes > 10_000, JSON.stringify(restored));
  assert.match(restored.status, /^restored the simulation saved /);
  assert.deepEqual(await counts(), before, 'the reloaded store holds what was saved');
  assert.equal(await page.locator('#device-rows tr').count(), 30);
  // Resumed, it goes on writing into the restored store.
  await page.locator('#toggle').click();
  await page.waitForFunction((n) => window.sim.db.timeseries().queryRange('thermo-001', 'temperature', -Infinity, Infinity).timestamps.length > n + 10, before.thermo, { timeout: 10_000 });

  // 2. Open the native backup: its devices, charts and events, read-only.
  await page.locator('#open-file').setInputFiles(full);
  await page.waitForFunction(() => window.sim.mode === 'backup' && window.sim.persist.lastReason === 'open backup', null, { timeout: 10_000 });
  const ids = ['power_meter-01', 'power_meter-03', 'power_meter-05', 'thermometer-00', 'thermometer-02', 'thermometer-04'];
  const checkBackup = async () => {
    const view = await page.evaluate(() => {
      const db = window.sim.db;
      return {
        devices: db.devices().listDevices().map((d) => d.deviceId),
        points: db.timeseries().queryRange('thermometer-00', 'temperature', -Infinity, Infinity).timestamps.length,
        offline: db.devices().listOffline().map((d) => d.deviceId),
        charts: [...document.querySelectorAll('#charts canvas')].map((c) => c.id),
        chartView: window.sim.chartView,
        ackButtons: document.querySelectorAll('#alerts button.ack').length,
        toggleDisabled: document.getElementById('toggle').disabled,
        banner: document.getElementById('backup-text').textContent,
      };
    });
    assert.deepEqual(view.devices, ids);
    assert.equal(view.points, 30 * 60, 'one temperature point per simulated second');
    assert.deepEqual(view.offline, ['thermometer-04'], 'the demo takes every fifth device offline');
    assert.deepEqual(view.charts, ['chart-temperature', 'chart-humidity', 'chart-power']);
    assert.equal(view.chartView.aggregated, true, 'half an hour is shown as aggregated buckets');
    assert.ok(view.chartView.t1 - view.chartView.t0 >= 29 * 60_000, JSON.stringify(view.chartView));
    assert.equal(view.ackButtons, 0, 'read-only: no Acknowledge buttons');
    assert.equal(view.toggleDisabled, true);
    assert.match(view.banner, new RegExp(`^Backup ${path.basename(full).replace(/\./g, '\\.')} \\(taken \\d{4}-\\d\\d-\\d\\d .*6 devices.*Read-only\\.$`));
    assert.equal(await page.locator('#device-rows tr').count(), 6);
    // The event log reads as sentences, not JSON.
    await page.locator('#events li', { hasText: 'thermometer-04 went offline' }).waitFor({ timeout: 5_000 });
    assert.equal(await page.locator('#events li', { hasText: '{' }).count(), 0);
  };
  await checkBackup();
  // Hover readout: time and value (a bucket's avg, min, max) of the series under the pointer.
  const box = await page.locator('#chart-temperature').boundingBox();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.55);
  await page.waitForFunction(() => window.sim.charts.temperature.readout !== null, null, { timeout: 5_000 });
  const readout = await page.locator('#charts .readout:not([hidden])').textContent();
  assert.match(readout, /^\S+ · \d\d:\d\d:\d\d-\d\d:\d\d:\d\d · avg [\d.]+ °C \(min [\d.]+, max [\d.]+, \d+ points\)$/);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'backup.png'), fullPage: true });
  await page.mouse.move(0, 0);

  // An incremental backup needs its chain: refused with the reason, the view stays.
  await page.locator('#open-file').setInputFiles(incremental);
  await page.waitForFunction(() => /^cannot open .*incremental/.test(window.sim.stats.snapshot ?? ''), null, { timeout: 10_000 });
  assert.equal(await page.evaluate(() => window.sim.mode), 'backup');
  assert.equal(await page.locator('#device-rows tr').count(), 6);

  // 3. Reload: the opened backup is back, still read-only.
  await page.reload();
  await ready();
  assert.equal(await page.evaluate(() => window.sim.mode), 'backup');
  await checkBackup();

  // 4. Continue simulating on it: its devices go on from their latest values, after its history.
  const backupEnd = await page.evaluate(() => window.sim.db.timeseries().queryLatest('thermometer-00', 'temperature').timestamp);
  await page.locator('#continue').click();
  await page.waitForFunction(() => window.sim.mode === 'simulation' && window.sim.stats.points > 100, null, { timeout: 10_000 });
  const continued = await page.evaluate(() => {
    const ts = window.sim.db.timeseries();
    return { latest: ts.queryLatest('thermometer-00', 'temperature'), points: ts.queryRange('thermometer-00', 'temperature', -Infinity, Infinity).timestamps.length};
  });
  assert.ok(continued.latest.timestamp > backupEnd, 'new points are written now, after the backup');
  assert.ok(continued.points > 30 * 60, `history kept and extended: ${continued.points}`);
  assert.equal(await page.evaluate(() => window.sim.stats.error), null);

  // 5. Where OPFS is missing the page saves to IndexedDB (forced here with ?store=idb).
  await page.goto(`${url}/www/?devices=10&rate=10&save=500&store=idb`);
  await ready();
  await page.waitForFunction(() => window.sim.persist.kind === 'IndexedDB' && window.sim.persist.saves > 0 && window.sim.stats.points > 300, null, { timeout: 15_000 });
  await page.locator('#toggle').click();
  await page.waitForFunction(() => window.sim.persist.lastReason === 'pause', null, { timeout: 10_000 });
  const idbBefore = await counts();
  await page.reload();
  await ready();
  assert.equal(await page.evaluate(() => window.sim.persist.restored?.mode), 'simulation');
  assert.deepEqual(await counts(), idbBefore);
  assert.deepEqual(pageErrors, []);
});
