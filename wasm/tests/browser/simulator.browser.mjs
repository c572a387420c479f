// Browser test of the simulator page: Debian's Chromium driven by playwright-core.
// Serves wasm/ with the tiny static server, runs the simulation with 100 devices at
// 10 points/s, and checks that telemetry lands in the store, charts draw, the threshold rule
// records executions and creates alerts in the AlertStore, acknowledging one goes through
// the AlertStore (plus an `alert.acknowledged` event) as a workflow run recorded in the
// WorkflowHistoryStore, Critical alerts carry an LLM proposal in the DecisionStore that the
// acknowledgement approves, frames stay short, and the Export /
// Import snapshot buttons round-trip the store to the same table counts.
// Charts carry a title with the unit, axes and a hover readout; the event log reads as
// sentences. Saves tests/browser/screenshots/simulator.png. Run with
// `node --test tests/browser/simulator.browser.mjs` (after build.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser } from './browser.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCREENSHOT = path.join(HERE, 'screenshots', 'simulator.png');

test('simulator page: telemetry, charts, alerts, acknowledge, snapshot export / import', { timeout: 180_000 }, async (t) => {
  const { url, page, pageErrors, userDataDir } = await openBrowser(t, { acceptDownloads: true });
  // Nothing may be fetched from outside the local server.
  const foreign = [];
  page.on('request', (r) => { if (!r.url().startsWith(url) && !r.url().startsWith('data:')) foreign.push(r.url()); });

  await page.goto(`${url}/www/?devices=100&rate=10`);
  await page.waitForFunction(() => window.sim?.ready === true, null, { timeout: 30_000 });

  // Telemetry flows: after ~6 s of simulated time, 100 devices (167 series) at 10 points/s
  // have written thousands of points, and the store holds them.
  await page.waitForFunction(() => window.sim.stats.points > 5000, null, { timeout: 60_000 });
  const store = await page.evaluate(() => {
    const ts = window.sim.db.timeseries();
    const now = Date.now();
    const r = ts.queryRange('thermo-001', 'temperature', now - 60_000, Infinity);
    return { n: r.timestamps.length, devices: window.sim.db.devices().listDevices().length, withData: ts.listDevicesWithData().length };
  });
  assert.equal(store.devices, 100);
  assert.ok(store.withData >= 90, `devices with data: ${store.withData}`);
  assert.ok(store.n >= 20, `points of thermo-001/temperature in the last minute: ${store.n}`);

  // Charts draw: each canvas has pixels that are neither the white background nor grid grey.
  await page.waitForFunction(() => (window.sim.chartsDrawn ?? 0) > 10);
  for (const metric of ['temperature', 'humidity', 'power']) {
    const colored = await page.evaluate((m) => {
      const c = document.getElementById(`chart-${m}`);
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let count = 0;
      for (let i = 0; i < d.length; i += 4) {
        const [r, g, b] = [d[i], d[i + 1], d[i + 2]];
        if (Math.max(r, g, b) - Math.min(r, g, b) > 60) count++; // saturated: a series or the threshold line
      }
      return count;
    }, metric);
    assert.ok(colored > 200, `chart ${metric} has ${colored} coloured pixels`);
  }
  // Hover readout: the time and value of the series under the pointer (raw points in the
  // live one-minute window), with the unit.
  const box = await page.locator('#chart-temperature').boundingBox();
  await page.mouse.move(box.x + box.width - 40, box.y + box.height * 0.55);
  await page.waitForFunction(() => window.sim.charts.temperature.readout !== null, null, { timeout: 5_000 });
  assert.match(await page.locator('#charts .readout:not([hidden])').textContent(), /^thermo-\d{3} · \d\d:\d\d:\d\d · -?[\d.]+ °C$/);
  assert.equal((await page.evaluate(() => window.sim.chartView)).aggregated, false);
  await page.mouse.move(0, 0);

  // Alerts appear (hot devices cross the thresholds within seconds): each is a record in the
  // AlertStore and a recorded execution of the threshold rule.
  await page.waitForSelector('#alerts li.active button.ack', { timeout: 60_000 });
  const raised = await page.evaluate(() => {
    const db = window.sim.db;
    const all = db.alerts().queryRange(-Infinity, Infinity);
    const runs = db.ruleHistory().queryRuleRange('threshold', -Infinity, Infinity);
    return { alerts: all.length, sources: [...new Set(all.map((a) => a.source))], runs: runs.length, linked: runs.every((r) => all.some((a) => a.alertId === r.actions[0].actionData.alert_id)) };
  });
  assert.ok(raised.alerts > 0);
  assert.deepEqual(raised.sources, ['rule.threshold']);
  assert.ok(raised.runs >= raised.alerts, `rule runs ${raised.runs} for ${raised.alerts} alerts`);
  assert.ok(raised.linked, 'every rule execution names an alert it created');

  // Acknowledge the newest active alert through the button: the AlertStore record changes,
  // the log gains the linked event, the row changes.
  const alertId = await page.locator('#alerts li.active').first().getAttribute('data-id');
  assert.equal(await page.evaluate((id) => window.sim.db.alerts().get(id).acknowledged, alertId), false);
  await page.locator(`#alerts li[data-id="${alertId}"] button.ack`).click();
  await page.waitForSelector(`#alerts li.acknowledged[data-id="${alertId}"]`, { timeout: 10_000 });
  const acked = await page.evaluate((id) => window.sim.db.alerts().get(id), alertId);
  assert.equal(acked.acknowledged, true);
  assert.equal(acked.acknowledgedBy, 'operator');
  assert.ok(!(await page.evaluate((id) => window.sim.db.alerts().unacknowledged().some((a) => a.alertId === id), alertId)));
  const chain = await page.evaluate((id) => window.sim.db.events().queryByCorrelation(id).map((e) => e.eventType), alertId);
  assert.deepEqual(chain, ['alert.raised', 'alert.acknowledged']);
  const logged = await page.locator('#events li', { hasText: 'alert.acknowledged' }).first().textContent();
  assert.match(logged, /^\d\d:\d\d:\d\d alert\.acknowledged alert \S+ acknowledged by operator$/, 'event log view shows the acknowledgement as a sentence');
  assert.match(await page.locator('#events li', { hasText: 'alert.raised' }).first().textContent(), /alert\.raised \S+ (temperature|humidity|power) [\d.,]+ (°C|%|W), above [\d,]+ (°C|%|W)$/);
  assert.equal(await page.locator('#events li', { hasText: '{' }).count(), 0, 'no raw JSON in the event log');

  // A Critical alert (an overloaded plug) carries an LLM proposal in the DecisionStore;
  // acknowledging it runs the acknowledge workflow, recorded step by step, which approves it.
  await page.waitForSelector('#alerts li.critical.active button.ack', { timeout: 60_000 });
  const criticalId = await page.locator('#alerts li.critical.active').first().getAttribute('data-id');
  assert.equal(await page.evaluate((id) => window.sim.db.decisions().get(`decision-${id}`).status, criticalId), 'Proposed');
  await page.locator(`#alerts li[data-id="${criticalId}"] button.ack`).click();
  await page.waitForSelector(`#alerts li.acknowledged[data-id="${criticalId}"]`, { timeout: 10_000 });
  const flows = await page.evaluate((ids) => {
    const db = window.sim.db;
    const critical = db.alerts().queryBySeverity('Critical', -Infinity, Infinity);
    return {
      runs: ids.map((id) => {
        const run = db.workflowHistory().get(`ack-${id}`);
        return { status: run.status, steps: run.steps.map((s) => `${s.stepId}:${s.status}`), severity: db.alerts().get(id).severity, decision: db.decisions().get(`decision-${id}`)?.status ?? null };
      }),
      completed: db.workflowHistory().queryByStatus('Completed', -Infinity, Infinity).length,
      proposals: db.decisions().queryRange(-Infinity, Infinity).length,
      critical: critical.length,
      linked: critical.every((a) => db.decisions().get(`decision-${a.alertId}`)?.reviewId === a.alertId),
    };
  }, [alertId, criticalId]);
  for (const run of flows.runs) {
    const critical = run.severity === 'Critical';
    assert.equal(run.status, 'Completed');
    assert.deepEqual(run.steps, ['acknowledge:Completed', 'log:Completed', ...(critical ? ['approve:Completed'] : [])]);
    assert.equal(run.decision, critical ? 'Approved' : null);
  }
  assert.equal(flows.completed, new Set([alertId, criticalId]).size);
  assert.equal(flows.proposals, flows.critical, 'one proposal per Critical alert');
  assert.ok(flows.linked, 'each proposal names its alert');

  // Some devices go offline over time: recorded as events and reflected in the device store.
  await page.waitForFunction(() => window.sim.db.events().queryByType('device.offline', -Infinity, Infinity).length > 0, null, { timeout: 30_000 });
  // Sustained load: keep running until ~10 s of telemetry for the charts and the screenshot.
  await page.waitForFunction(() => window.sim.stats.points > 16_000, null, { timeout: 60_000 });

  // Device list shows online state and latest values.
  assert.equal(await page.locator('#device-rows tr').count(), 100);
  const values = await page.locator('#device-rows tr[data-id="thermo-001"] td').nth(3).textContent();
  assert.match(values, /^-?\d+\.\d$/);

  // Responsive: the frame work (simulate + write + views) stays far below a 16 ms frame.
  const s = await page.evaluate(() => ({ ...window.sim.stats }));
  assert.equal(s.error, null);
  assert.ok(s.frameMs < 16, `average frame work ${s.frameMs.toFixed(2)} ms`);
  assert.ok(s.pointsPerSecond > 1000, `points/s ${s.pointsPerSecond}`);
  console.log(`# simulator: ${s.points} points, ${s.pointsPerSecond} points/s, write ${s.writeMs.toFixed(2)} ms/tick, frame ${s.frameMs.toFixed(2)} ms, ${s.alertsRaised} alerts`);

  // Snapshot: pause, export through the button (a download), change the store, import the
  // file through the file picker: the table counts are back to the exported ones.
  await page.locator('#toggle').click();
  await page.waitForFunction(() => window.sim.stats.running === false);
  const counts = () => page.evaluate(() => {
    window.sim.db.flush();
    return Object.fromEntries(Object.entries(window.sim.db.stats().tableStats).map(([name, t]) => [name, t.count]));
  });
  const before = await counts();
  assert.ok(before.alerts > 0 && before.ts_chunks > 0 && before.rule_executions > 0 && before.llm_decisions > 0 && before.workflow_executions > 0, JSON.stringify(before));
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export').click()]);
  assert.match(download.suggestedFilename(), /^neotalk-snapshot-.*\.ntbk$/);
  const snapshotFile = path.join(userDataDir, 'exported.ntbk');
  await download.saveAs(snapshotFile);
  assert.ok(fs.statSync(snapshotFile).size > 10_000);
  await page.evaluate(() => {
    window.sim.db.alerts().create({ alertId: 'after-export', title: 't', severity: 'Info', source: 'manual', createdAt: Date.now() });
    window.sim.db.timeseries().deleteRange('thermo-001', 'temperature', -Infinity, Infinity);
  });
  assert.notDeepEqual(await counts(), before);
  await page.locator('#import-file').setInputFiles(snapshotFile);
  await page.waitForFunction(() => /^imported/.test(window.sim.stats.snapshot ?? ''), null, { timeout: 10_000 });
  assert.deepEqual(await counts(), before);
  assert.equal(await page.evaluate(() => window.sim.db.alerts().get('after-export')), null);
  // A damaged file is refused with a message and the data stays.
  const damaged = fs.readFileSync(snapshotFile);
  damaged[damaged.length >> 1] ^= 0x40;
  await page.locator('#import-file').setInputFiles({ name: 'damaged.ntbk', mimeType: 'application/octet-stream', buffer: damaged });
  await page.waitForFunction(() => /^import refused \(CORRUPTED\)/.test(window.sim.stats.snapshot ?? ''), null, { timeout: 10_000 });
  assert.deepEqual(await counts(), before);
  assert.match(await page.locator('#snapshot-status').textContent(), /refused/);
  await page.locator('#toggle').click();
  await page.waitForFunction((n) => window.sim.stats.points > n + 500, s.points, { timeout: 30_000 });

  // A longer window shows aggregated buckets (min..max band, avg line).
  await page.locator('#window').selectOption('5m');
  await page.waitForFunction(() => window.sim.chartView?.aggregated === true && window.sim.chartView.bucketMs > 0);
  await page.locator('#window').selectOption('auto');
  await page.waitForFunction(() => window.sim.chartView?.aggregated === false);
  await page.mouse.move(box.x + box.width - 60, box.y + box.height * 0.5);
  fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  assert.ok(fs.statSync(SCREENSHOT).size > 10_000);
  assert.deepEqual(foreign, [], 'no request left the local server');
  assert.deepEqual(pageErrors, []);
});
