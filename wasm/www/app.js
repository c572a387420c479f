// The simulator page. Two modes on one in-memory wasm store:
// - simulation: simulated devices write telemetry once per animation frame (one packed
//   writeColumns call), a threshold rule records its executions in the RuleHistoryStore and
//   creates alerts in the AlertStore (a Critical one also gets an LLM decision proposal in
//   the DecisionStore), acknowledging an alert runs a workflow recorded in the
//   WorkflowHistoryStore;
// - backup: a `.ntsnap` backup taken on a gateway (or any snapshot file) opened read-only,
//   its devices, charts and events shown; "Continue simulating" turns it into a simulation
//   whose devices go on from their latest values.
// The views read everything back from the store. The store is saved in the browser (OPFS,
// else IndexedDB) as a snapshot every few seconds and restored on reload; it can also be
// exported to / imported from a snapshot file.
import init, { StorageManager } from '../pkg/web/neotalk_storage_wasm.js';
import { makeDevices, continuingDevices, advance } from './sim.js';
import { TimeChart } from './chart.js';
import { clock, dateTime, duration, number, eventSummary, KNOWN_UNITS, bucketFor } from './format.js';
import { openPersistence } from './persist.js';

const params = new URLSearchParams(location.search);
const CONFIG = {
  devices: Number(params.get('devices')) || 100,
  rate: Number(params.get('rate')) || 10, // points per second per device and metric
  offlinePerSecond: 0.006, // chance per device and second of dropping offline
  retentionMs: (Number(params.get('retention')) || 120) * 1000, // the simulation deletes older telemetry, one series per frame
  saveEveryMs: Number(params.get('save')) || 5000, // how often the store is saved in the browser
  rawUpToMs: 2 * 60_000, // longer windows show aggregated buckets
  chartDevices: 6,
  maxCharts: 6,
  seed: 7,
};
/** Threshold rule of the simulation: a value above `above` raises an alert; it re-arms below `above - hysteresis`. */
const THRESHOLDS = {
  temperature: { above: 30, hysteresis: 1.5, unit: '°C', severity: 'Warning' },
  humidity: { above: 80, hysteresis: 4, unit: '%', severity: 'Warning' },
  power: { above: 1600, hysteresis: 100, unit: 'W', severity: 'Critical' },
};
const METRIC_ORDER = ['temperature', 'humidity', 'power'];
const RULE_ID = 'threshold';
const WINDOWS = { '1m': 60_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '6h': 21_600_000, '24h': 86_400_000 };

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const stats = { ticks: 0, points: 0, alertsRaised: 0, acknowledged: 0, ruleRuns: 0, decisions: 0, snapshot: null, writeMs: 0, frameMs: 0, pointsPerSecond: 0, running: true, error: null };
const persistState = { kind: null, saves: 0, savedAt: 0, bytes: 0, saveMs: 0, restored: null, error: null };
// Exposed for the browser test and for poking at the store from the console.
window.sim = { stats, persist: persistState, ready: false };

function fmtBytes(n) {
  return n > 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(0)} KiB`;
}

const plural = (n, word) => `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;

/** A time for a list: the clock when it is today, else date and clock. */
function when(ms) {
  return new Date(ms).toDateString() === new Date().toDateString() ? clock(ms) : dateTime(ms);
}

async function main() {
  await init();
  const persistence = await openPersistence(params.get('store') ?? 'opfs');
  persistState.kind = persistence?.kind ?? null;

  // What the page shows and writes.
  const state = {
    db: null,
    mode: 'simulation', // or 'backup'
    readOnly: false,
    source: null, // the opened backup: { name, created_at, entries }
    continued: false, // a simulation going on from an opened backup
    sim: null, // the simulation's devices and series table
    catalogue: { metrics: [], devices: new Map(), start: NaN, end: NaN },
    dirty: false,
  };
  Object.defineProperty(window.sim, 'db', { get: () => state.db });
  Object.defineProperty(window.sim, 'mode', { get: () => (state.readOnly ? 'backup' : 'simulation') });
  Object.defineProperty(window.sim, 'devices', { get: () => state.sim?.devices ?? [] });
  let s = null; // the stores of state.db

  function bind(db) {
    if (state.db && state.db !== db) state.db.close();
    state.db = db;
    s = { ts: db.timeseries(), devices: db.devices(), events: db.events(), alerts: db.alerts(), rules: db.ruleHistory(), decisions: db.decisions(), workflows: db.workflowHistory() };
  }

  // ---- the simulation -------------------------------------------------------------------

  /** Starts simulating `devices` into the bound store. */
  function startSimulation(devices) {
    const deviceIds = [];
    const metrics = [];
    const seriesOf = devices.map((d) => d.metrics.map((m) => {
      deviceIds.push(d.id);
      metrics.push(m.name);
      return deviceIds.length - 1;
    }));
    for (const d of devices) {
      const stored = s.devices.getDevice(d.id);
      if (!stored) {
        s.devices.upsert({
          deviceId: d.id,
          deviceType: d.type,
          name: d.id,
          adapter: 'simulator',
          config: { rate_hz: CONFIG.rate },
          mdlDefinition: {
            typeId: d.type,
            name: d.type,
            metrics: d.metrics.map((m) => ({ name: m.name, dataType: 'Float', unit: m.unit })),
            commands: [],
          },
        });
      } else if (!stored.online) {
        // Offline in the store (a restored simulation): it comes back on the next frame.
        d.online = false;
        d.offlineUntil = 0;
      }
    }
    state.sim = { devices, deviceIds, metrics, seriesOf, alerting: new Uint8Array(deviceIds.length), retentionCursor: 0 };
    state.mode = 'simulation';
    state.readOnly = false;
  }

  /** The devices of the bound store, going on from their latest values (continuing a backup). */
  function devicesFromStore() {
    const out = [];
    for (const id of s.ts.listDevicesWithData()) {
      const metrics = [];
      for (const name of s.ts.listMetrics(id)) {
        const latest = s.ts.queryLatest(id, name);
        if (!latest || typeof latest.value !== 'number') continue;
        // Step: about a twentieth of how much the last 60 points moved, at least a little.
        const r = s.ts.queryRange(id, name, -Infinity, Infinity, 60, true);
        let lo = Infinity;
        let hi = -Infinity;
        for (const v of r.values) {
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        const step = Math.max((hi - lo) / 20, Math.abs(latest.value) * 0.001, 0.01);
        metrics.push({ name, unit: unitOf(id, name), last: latest.value, step });
      }
      if (metrics.length) out.push({ id, type: s.devices.getDevice(id)?.deviceType ?? 'device', metrics });
    }
    return continuingDevices(out, CONFIG.seed);
  }

  // Packed batch of one frame, grown as needed.
  let cap = 4096;
  let idx = new Uint32Array(cap);
  let tsBuf = new Float64Array(cap);
  let valBuf = new Float64Array(cap);
  let n = 0;
  let pendingEvents = [];
  let pendingRuns = [];
  let eventCounter = 0;
  const newEventId = (prefix) => `${prefix}-${Date.now().toString(36)}-${(eventCounter++).toString(36)}`;

  function emit(di, mi, t, v) {
    if (n === cap) {
      cap *= 2;
      const grow = (A, old) => { const a = new A(cap); a.set(old); return a; };
      idx = grow(Uint32Array, idx);
      tsBuf = grow(Float64Array, tsBuf);
      valBuf = grow(Float64Array, valBuf);
    }
    const { seriesOf, deviceIds, metrics, alerting } = state.sim;
    const k = seriesOf[di][mi];
    idx[n] = k;
    tsBuf[n] = t;
    valBuf[n] = v;
    n++;
    const metric = metrics[k];
    const rule = THRESHOLDS[metric];
    if (!rule) return;
    if (!alerting[k] && v > rule.above) {
      alerting[k] = 1;
      const id = newEventId('alert');
      const value = Math.round(v * 100) / 100;
      s.alerts.create({
        alertId: id,
        title: `${metric} above ${rule.above} ${rule.unit}`,
        severity: rule.severity,
        message: `${deviceIds[k]} ${metric} ${value} ${rule.unit} > ${rule.above}`,
        entityId: deviceIds[k],
        entityType: 'device',
        source: 'rule.threshold',
        createdAt: t,
      });
      if (rule.severity === 'Critical') proposeSwitchOff(id, deviceIds[k], value, t);
      pendingRuns.push({
        executionId: newEventId('run'),
        ruleId: RULE_ID,
        ruleName: 'Threshold',
        triggeredAt: t,
        triggerValue: value,
        actions: [{ actionType: 'alert.create', actionData: { alert_id: id, device_id: deviceIds[k], metric }, success: true }],
        result: 'Success',
      });
      pendingEvents.push({
        eventId: `${id}-raised`,
        eventType: 'alert.raised',
        eventData: { alert_id: id, device_id: deviceIds[k], metric, value, threshold: rule.above, unit: rule.unit },
        metadata: { source: 'rule.threshold', timestamp: t, correlationId: id },
      });
      stats.alertsRaised++;
    } else if (alerting[k] && v < rule.above - rule.hysteresis) {
      alerting[k] = 0;
    }
  }

  // What an LLM would propose for an overloaded plug; the operator's acknowledgement approves it.
  function proposeSwitchOff(alertId, deviceId, watts, t) {
    s.decisions.create({
      decisionId: `decision-${alertId}`,
      title: `Switch off ${deviceId}`,
      description: `${deviceId} draws ${watts} W`,
      reasoning: `Power above ${THRESHOLDS.power.above} W risks tripping the circuit.`,
      proposedActions: [{ actionType: 'control_device', parameters: { device_id: deviceId, command: 'switch_off' } }],
      confidence: Math.min(1, watts / (2 * THRESHOLDS.power.above)),
      createdAt: t,
      reviewId: alertId,
    });
    stats.decisions++;
  }

  function onState(d, online) {
    s.devices.setOnline(d.id, online);
    pendingEvents.push({
      eventId: newEventId('dev'),
      eventType: online ? 'device.online' : 'device.offline',
      eventData: { device_id: d.id },
      metadata: { source: 'simulator', timestamp: Date.now() },
    });
  }

  // ---- what is in the store: metrics, their devices and units ---------------------------

  function unitOf(deviceId, metric) {
    const mdl = state.catalogue.devices.get(deviceId)?.mdlDefinition ?? s.devices.getDevice(deviceId)?.mdlDefinition;
    return mdl?.metrics?.find((m) => m.name === metric)?.unit ?? KNOWN_UNITS[metric] ?? '';
  }

  /** Reads which metrics the store holds, for which devices, and the time span of the data. */
  function buildCatalogue() {
    const devices = new Map(s.devices.listDevices().map((d) => [d.deviceId, d]));
    state.catalogue = { metrics: [], devices, start: NaN, end: NaN };
    const byMetric = new Map();
    const add = (id, m) => {
      if (!byMetric.has(m)) byMetric.set(m, new Set());
      byMetric.get(m).add(id);
    };
    for (const d of state.sim?.devices ?? []) for (const m of d.metrics) add(d.id, m.name);
    let start = Infinity;
    let end = -Infinity;
    for (const id of s.ts.listDevicesWithData()) {
      for (const m of s.ts.listMetrics(id)) {
        add(id, m);
        if (state.readOnly || state.continued) {
          const first = s.ts.queryRange(id, m, -Infinity, Infinity, 1);
          const last = s.ts.queryRange(id, m, -Infinity, Infinity, 1, true);
          if (first.timestamps.length) start = Math.min(start, first.timestamps[0]);
          if (last.timestamps.length) end = Math.max(end, last.timestamps[0]);
        }
      }
    }
    const rank = (m) => (METRIC_ORDER.includes(m) ? METRIC_ORDER.indexOf(m) : METRIC_ORDER.length);
    const names = [...byMetric.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).slice(0, CONFIG.maxCharts);
    state.catalogue.metrics = names.map((name) => {
      const ids = [...byMetric.get(name)].sort();
      return { name, devices: ids, unit: ids.length ? unitOf(ids[0], name) : KNOWN_UNITS[name] ?? '' };
    });
    state.catalogue.start = start;
    state.catalogue.end = end;
    if (!selected || !devices.has(selected)) selected = state.catalogue.metrics[0]?.devices[0] ?? [...devices.keys()][0] ?? null;
    buildCharts();
  }

  // ---- views ----------------------------------------------------------------------------

  let charts = new Map();
  let selected = null;

  function buildCharts() {
    const box = $('charts');
    box.textContent = '';
    charts = new Map();
    for (const m of state.catalogue.metrics) {
      const fig = document.createElement('figure');
      fig.className = 'chart-box';
      const canvas = document.createElement('canvas');
      canvas.className = 'chart';
      canvas.id = `chart-${m.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `${m.name} chart`);
      const readout = document.createElement('div');
      readout.className = 'readout';
      readout.hidden = true;
      fig.append(canvas, readout);
      box.append(fig);
      charts.set(m.name, new TimeChart(canvas, { title: m.name, unit: m.unit, readout }));
    }
    if (!charts.size) box.innerHTML = '<p class="empty">no telemetry in this store</p>';
    window.sim.charts = Object.fromEntries(charts);
  }

  /** The window the charts show: `[t0, t1]` and whether it is aggregated. */
  function chartWindow(now) {
    const choice = $('window').value;
    const live = !state.readOnly;
    const end = live ? now : (Number.isFinite(state.catalogue.end) ? state.catalogue.end + 1 : now);
    let span;
    if (choice === 'auto') span = live ? 60_000 : (Number.isFinite(state.catalogue.start) ? end - state.catalogue.start : 60_000);
    else if (choice === 'all') span = Number.isFinite(state.catalogue.start) ? end - state.catalogue.start : live ? CONFIG.retentionMs : 60_000;
    else span = WINDOWS[choice];
    span = Math.max(span, 10_000);
    return { t0: end - span, t1: end, aggregated: span > CONFIG.rawUpToMs };
  }

  function drawCharts(now) {
    const { t0, t1, aggregated } = chartWindow(now);
    const bucketMs = aggregated ? bucketFor(t0, t1, 100) : undefined;
    for (const m of state.catalogue.metrics) {
      const chart = charts.get(m.name);
      const ids = m.devices.includes(selected) ? [selected, ...m.devices.filter((d) => d !== selected)] : m.devices;
      const shown = ids.slice(0, CONFIG.chartDevices);
      const series = shown.map((id) => ({
        label: id,
        highlight: id === selected,
        ...(aggregated ? { buckets: s.ts.queryAggregated(id, m.name, Math.floor(t0 / bucketMs) * bucketMs, t1, bucketMs) } : s.ts.queryRange(id, m.name, t0, Infinity)),
      }));
      const more = m.devices.length - shown.length;
      const note = [
        more > 0 ? `${shown.length} of ${m.devices.length} devices` : '',
        !state.readOnly && t1 - t0 > CONFIG.retentionMs && !state.continued ? `data older than ${duration(CONFIG.retentionMs)} removed by retention` : '',
      ].filter(Boolean).join(' · ');
      chart.draw({ series, t0, t1, bucketMs, live: !state.readOnly, threshold: state.readOnly ? null : THRESHOLDS[m.name]?.above ?? null, note });
    }
    window.sim.chartsDrawn = (window.sim.chartsDrawn || 0) + 1;
    window.sim.chartView = { t0, t1, aggregated, bucketMs: bucketMs ?? null };
  }

  function renderDevices(now) {
    const metrics = state.catalogue.metrics.slice(0, 4);
    $('device-head').innerHTML = `<tr><th></th><th>device</th><th>type</th>${metrics.map((m) => `<th>${esc(m.name)}${m.unit ? ` (${esc(m.unit)})` : ''}</th>`).join('')}<th>last seen</th></tr>`;
    const list = s.devices.listDevices();
    const rows = list.map((d) => {
      const cell = (m) => {
        const v = d.metrics?.[m.name]?.value;
        if (v == null) return '<td>-</td>';
        const over = !state.readOnly && typeof v === 'number' && v > (THRESHOLDS[m.name]?.above ?? Infinity);
        return `<td class="${over ? 'over' : ''}">${typeof v === 'number' ? v.toFixed(Math.abs(v) >= 100 ? 0 : 1) : esc(v)}</td>`;
      };
      const seen = !d.lastSeen ? '-' : state.readOnly ? when(d.lastSeen) : `${duration(now - d.lastSeen)} ago`;
      return `<tr data-id="${esc(d.deviceId)}" class="${d.deviceId === selected ? 'selected' : ''}"><td><span class="dot ${d.online ? '' : 'offline'}" title="${d.online ? 'online' : 'offline'}"></span></td><td>${esc(d.deviceId)}</td><td>${esc(d.deviceType)}</td>${metrics.map(cell).join('')}<td>${seen}</td></tr>`;
    });
    $('device-rows').innerHTML = rows.join('');
    const online = list.filter((d) => d.online).length;
    $('stat-online').textContent = `${online} / ${rows.length}`;
  }

  function renderAlerts() {
    // The 40 newest open alerts (acknowledged or not): a bounded read of the unresolved index.
    const items = s.alerts.unresolved(40).map((a) => {
      const action = a.acknowledged ? `<span class="state">acknowledged by ${esc(a.acknowledgedBy)}</span>`
        : state.readOnly ? '<span class="state">open</span>' : '<button type="button" class="ack">Acknowledge</button>';
      return `<li class="${a.acknowledged ? 'acknowledged' : 'active'} ${a.severity.toLowerCase()}" data-id="${esc(a.alertId)}"><span class="what">${when(a.createdAt)} <b>${esc(a.severity)}</b> ${esc(a.message ?? a.title)}</span>${action}</li>`;
    });
    $('alerts').innerHTML = items.join('') || '<li>no open alerts</li>';
    const open = s.alerts.countUnresolvedBySeverity();
    $('stat-open-alerts').textContent = `${open.critical ?? 0} / ${open.warning ?? 0}`;
    const run = s.rules.ruleStatistics(RULE_ID, -Infinity, Infinity);
    $('stat-rule-runs').textContent = String(state.readOnly ? s.rules.queryRange(-Infinity, Infinity).length : run.triggers);
    const approved = s.decisions.queryByStatus('Approved', -Infinity, Infinity).length;
    $('stat-decisions').textContent = `${s.decisions.queryByStatus('Proposed', -Infinity, Infinity).length} / ${approved}`;
  }

  function renderEvents() {
    const last = s.events.lastSequence();
    const recent = s.events.replay(Math.max(0, last - 40), 40).reverse();
    $('events').innerHTML = recent.map((e) => {
      const cls = e.eventType.replace(/[^A-Za-z0-9]/g, '-');
      const details = `#${e.sequence} ${e.eventType} from ${e.metadata?.source ?? '?'}\n${JSON.stringify(e.eventData, null, 1)}`;
      return `<li title="${esc(details)}"><time>${when(e.metadata.timestamp)}</time> <span class="type ${cls}">${esc(e.eventType)}</span> <span class="what">${esc(eventSummary(e))}</span></li>`;
    }).join('') || '<li>no events</li>';
    $('stat-events').textContent = last.toLocaleString();
  }

  function renderMode() {
    document.body.classList.toggle('read-only', state.readOnly);
    $('toggle').disabled = state.readOnly;
    $('import').disabled = state.readOnly;
    $('toggle').textContent = stats.running ? 'Pause' : 'Resume';
    $('device-count').textContent = String(state.catalogue.devices.size || state.sim?.devices.length || 0);
    if (state.readOnly) for (const id of ['stat-rate', 'stat-points', 'stat-write', 'stat-frame', 'stat-alerts']) $(id).textContent = '-';
    const banner = $('backup-banner');
    banner.hidden = !state.source;
    if (state.source) {
      const src = state.source;
      const taken = src.createdAt ? `taken ${dateTime(src.createdAt)}` : 'exported in a browser';
      const span = Number.isFinite(state.catalogue.start) ? `, telemetry ${dateTime(state.catalogue.start)} to ${clock(state.catalogue.end)} (${duration(state.catalogue.end - state.catalogue.start)})` : '';
      $('backup-text').textContent = state.readOnly
        ? `Backup ${src.name} (${taken}): ${plural(state.catalogue.devices.size, 'device')}, ${plural(s.events.lastSequence(), 'event')}${span}. Read-only.`
        : `Simulating on backup ${src.name} (${taken}): its devices go on from their latest values.`;
      $('continue').hidden = !state.readOnly;
    }
  }

  function renderAll(now = Date.now()) {
    renderMode();
    renderDevices(now);
    renderAlerts();
    renderEvents();
    drawCharts(now);
  }

  // ---- persistence ----------------------------------------------------------------------

  let saveDue = 0;
  let savedBackup = null; // the bytes of an opened backup, saved as they are while read-only

  function meta() {
    return {
      mode: state.readOnly ? 'backup' : 'simulation',
      source: state.source,
      continued: state.continued,
      devices: state.sim?.devices.length ?? 0,
      running: stats.running,
    };
  }

  async function save(reason) {
    if (!persistence) return;
    try {
      const t = performance.now();
      const bytes = state.readOnly && savedBackup ? savedBackup : state.db.exportSnapshot();
      state.dirty = false;
      await persistence.save(bytes, meta());
      persistState.saves++;
      persistState.savedAt = Date.now();
      persistState.bytes = bytes.length;
      persistState.saveMs = performance.now() - t;
      persistState.lastReason = reason;
      persistState.error = null;
    } catch (err) {
      persistState.error = `${err.name ?? ''} ${err.message ?? err}`;
    }
    renderPersist();
  }

  function renderPersist() {
    const el = $('persist-status');
    if (!persistence) {
      el.textContent = 'not saved: this browser has neither OPFS nor IndexedDB here';
      return;
    }
    if (persistState.error) {
      el.textContent = `saving to ${persistence.kind} failed: ${persistState.error}`;
      return;
    }
    const restored = persistState.restored ? `restored ${fmtBytes(persistState.restored.bytes)} from ${persistence.kind} · ` : '';
    el.textContent = persistState.savedAt
      ? `${restored}saved ${fmtBytes(persistState.bytes)} to ${persistence.kind} ${duration(Date.now() - persistState.savedAt)} ago`
      : `${restored}saves to ${persistence.kind} every ${duration(CONFIG.saveEveryMs)}`;
  }

  // ---- controls -------------------------------------------------------------------------

  // Acknowledging is a small workflow, recorded step by step: acknowledge the alert, log the
  // event, approve the LLM's proposal for it (Critical alerts only).
  function acknowledge(alertId) {
    if (state.readOnly) return;
    const now = Date.now();
    const runId = `ack-${alertId}`;
    s.workflows.start({ executionId: runId, workflowId: 'acknowledge_alert', workflowName: 'Acknowledge alert', triggerType: 'manual', startedAt: now, inputs: { alert_id: alertId } });
    const step = (id, type, output) => s.workflows.recordStep(runId, { stepId: id, stepName: id, stepType: type, startedAt: now, finishedAt: now, status: 'Completed', output });
    s.alerts.acknowledge(alertId, 'operator', now);
    step('acknowledge', 'alert.acknowledge', { by: 'operator' });
    s.events.append({
      eventId: `${alertId}-ack`,
      eventType: 'alert.acknowledged',
      eventData: { alert_id: alertId },
      metadata: { source: 'operator', timestamp: now, correlationId: alertId, causationId: `${alertId}-raised` },
    });
    step('log', 'event.append', { event_id: `${alertId}-ack` });
    const proposal = s.decisions.get(`decision-${alertId}`);
    if (proposal?.status === 'Proposed') {
      s.decisions.approve(proposal.decisionId, { userId: 'operator', response: 'approved', respondedAt: now });
      step('approve', 'decision.approve', { decision_id: proposal.decisionId });
    }
    s.workflows.finish(runId, 'Completed', now, { alert_id: alertId });
    stats.acknowledged++;
    state.dirty = true;
    renderAlerts();
    renderEvents();
  }

  $('alerts').addEventListener('click', (ev) => {
    const btn = ev.target.closest('button.ack');
    if (btn) acknowledge(btn.closest('li').dataset.id);
  });
  // Snapshot export: the whole store as one file in the portable backup format.
  $('export').addEventListener('click', () => {
    const bytes = state.db.exportSnapshot();
    const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `neotalk-snapshot-${new Date().toISOString().replace(/[:.]/g, '-')}.ntbk`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    snapshotStatus(`exported ${fmtBytes(bytes.length)}`);
  });
  // Snapshot import: a damaged or foreign file is refused and the running data stays.
  $('import').addEventListener('click', () => $('import-file').click());
  $('import-file').addEventListener('change', async (ev) => {
    const file = ev.target.files[0];
    ev.target.value = '';
    if (!file) return;
    try {
      const restored = state.db.importSnapshot(new Uint8Array(await file.arrayBuffer()));
      state.sim?.alerting.fill(0);
      snapshotStatus(`imported ${restored.totalEntries.toLocaleString()} entries from ${file.name}`);
      buildCatalogue();
      renderAll();
      save('import');
    } catch (err) {
      snapshotStatus(`import refused (${err.code ?? 'error'}): ${err.message}`, true);
    }
  });
  // Open a backup taken on a gateway (`neotalk-storage backup`): a new store, read-only.
  $('open').addEventListener('click', () => $('open-file').click());
  $('open-file').addEventListener('change', async (ev) => {
    const file = ev.target.files[0];
    ev.target.value = '';
    if (file) await openBackup(file.name, new Uint8Array(await file.arrayBuffer()));
  });
  async function openBackup(name, bytes) {
    const db = new StorageManager();
    let manifest;
    try {
      manifest = db.importSnapshot(bytes);
    } catch (err) {
      db.close();
      const hint = /incremental/.test(err.message) ? ' (open the full backup instead: an incremental one needs its chain)' : '';
      snapshotStatus(`cannot open ${name} (${err.code ?? 'error'}): ${err.message}${hint}`, true);
      return;
    }
    bind(db);
    state.sim = null;
    state.readOnly = true;
    state.mode = 'backup';
    state.continued = false;
    state.source = { name, createdAt: manifest.createdAt, entries: manifest.totalEntries };
    savedBackup = bytes;
    stats.running = false;
    selected = null;
    $('window').value = 'auto';
    buildCatalogue();
    snapshotStatus(`opened ${name}: ${manifest.totalEntries.toLocaleString()} entries`);
    renderAll();
    await save('open backup');
  }
  $('continue').addEventListener('click', () => {
    if (!state.readOnly) return;
    savedBackup = null;
    state.continued = true;
    startSimulation(devicesFromStore());
    stats.running = true;
    $('window').value = '5m';
    buildCatalogue();
    renderAll();
    save('continue');
  });
  // A fresh simulation: forgets the saved store and any opened backup.
  $('reset').addEventListener('click', async () => {
    if (persistence) await persistence.clear();
    bind(new StorageManager());
    state.source = null;
    state.continued = false;
    savedBackup = null;
    persistState.restored = null;
    persistState.savedAt = 0;
    startSimulation(makeDevices(CONFIG.devices, CONFIG.seed));
    stats.running = true;
    $('window').value = 'auto';
    buildCatalogue();
    renderAll();
    snapshotStatus('new simulation');
  });
  function snapshotStatus(text, isError = false) {
    stats.snapshot = text;
    $('snapshot-status').textContent = text;
    $('snapshot-status').className = isError ? 'refused' : '';
  }

  $('device-rows').addEventListener('click', (ev) => {
    const row = ev.target.closest('tr');
    if (row) {
      selected = row.dataset.id;
      renderDevices(Date.now());
      drawCharts(Date.now());
    }
  });
  $('window').addEventListener('change', () => drawCharts(Date.now()));
  $('toggle').addEventListener('click', () => {
    if (state.readOnly) return;
    stats.running = !stats.running;
    $('toggle').textContent = stats.running ? 'Pause' : 'Resume';
    save(stats.running ? 'resume' : 'pause');
  });
  const saveNow = () => { if (state.dirty && !state.readOnly) save('page hidden'); };
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') saveNow(); });
  window.addEventListener('pagehide', saveNow);

  // ---- start: the saved store, or a fresh simulation ------------------------------------

  const saved = persistence && !params.has('fresh') ? await persistence.load().catch(() => null) : null;
  let restored = false;
  if (saved) {
    try {
      bind(StorageManager.fromSnapshot(saved.bytes));
      const m = saved.meta;
      state.source = m.source ?? null;
      state.continued = !!m.continued;
      stats.running = m.running !== false;
      if (m.mode === 'backup') {
        state.readOnly = true;
        state.mode = 'backup';
        stats.running = false;
        savedBackup = saved.bytes;
      } else {
        startSimulation(state.continued ? devicesFromStore() : makeDevices(m.devices || CONFIG.devices, CONFIG.seed));
      }
      persistState.restored = { bytes: saved.bytes.length, mode: m.mode, savedAt: m.savedAt };
      snapshotStatus(`restored the ${m.mode === 'backup' ? `backup ${m.source?.name ?? ''}` : 'simulation'} saved ${dateTime(m.savedAt)}`);
      restored = true;
    } catch (err) {
      snapshotStatus(`the saved store was refused (${err.code ?? 'error'}): ${err.message}; starting a new simulation`, true);
    }
  }
  if (!restored) {
    bind(new StorageManager());
    startSimulation(makeDevices(CONFIG.devices, CONFIG.seed));
  }
  $('rate').textContent = String(CONFIG.rate);
  buildCatalogue();
  renderAll();
  renderPersist();

  // ---- the loop: simulate, write one batch, then refresh views at their own rates -------

  let lastFrame = performance.now();
  const due = { charts: 0, devices: 0, alerts: 0, bytes: 0, rate: 0 };
  let pointsAtRate = 0;
  saveDue = performance.now() + CONFIG.saveEveryMs;

  function frame() {
    try {
      const startedAt = performance.now();
      const now = Date.now();
      if (stats.running && state.sim && !state.readOnly) {
        const dt = Math.min(1000, startedAt - lastFrame);
        n = 0;
        advance(state.sim.devices, now, { rate: CONFIG.rate, offlineChance: CONFIG.offlinePerSecond * dt / 1000 }, emit, onState);
        const w0 = performance.now();
        const { deviceIds, metrics } = state.sim;
        if (n > 0) s.ts.writeColumns(deviceIds, metrics, idx.subarray(0, n), tsBuf.subarray(0, n), valBuf.subarray(0, n));
        if (pendingRuns.length) {
          s.rules.recordBatch(pendingRuns);
          stats.ruleRuns += pendingRuns.length;
          pendingRuns = [];
        }
        if (pendingEvents.length) {
          s.events.appendBatch(pendingEvents);
          pendingEvents = [];
        }
        if (!state.continued) {
          const k = state.sim.retentionCursor++ % deviceIds.length;
          s.ts.deleteRange(deviceIds[k], metrics[k], -Infinity, now - CONFIG.retentionMs);
        }
        stats.writeMs = stats.writeMs * 0.9 + (performance.now() - w0) * 0.1;
        stats.points += n;
        stats.ticks++;
        state.dirty = true;
      }
      if (startedAt >= due.charts) {
        drawCharts(now);
        due.charts = startedAt + (state.readOnly ? 1000 : 100);
      }
      if (startedAt >= due.devices) {
        renderDevices(now);
        due.devices = startedAt + 1000;
      }
      if (startedAt >= due.alerts) {
        renderAlerts();
        renderEvents();
        due.alerts = startedAt + 500;
      }
      if (startedAt >= due.rate) {
        stats.pointsPerSecond = due.rate ? (stats.points - pointsAtRate) : 0;
        pointsAtRate = stats.points;
        due.rate = startedAt + 1000;
        if (!state.readOnly) $('stat-rate').textContent = stats.pointsPerSecond.toLocaleString();
        renderPersist();
      }
      if (startedAt >= due.bytes) {
        const bytes = state.db.tableSizes().reduce((sum, t) => sum + t.storedBytes, 0);
        $('stat-bytes').textContent = fmtBytes(bytes);
        due.bytes = startedAt + 2000;
      }
      if (startedAt >= saveDue) {
        if (state.dirty && !state.readOnly) save('interval');
        saveDue = startedAt + CONFIG.saveEveryMs;
      }
      stats.frameMs = stats.frameMs * 0.9 + (performance.now() - startedAt) * 0.1;
      if (!state.readOnly) {
        $('stat-points').textContent = stats.points.toLocaleString();
        $('stat-write').textContent = `${stats.writeMs.toFixed(2)} ms`;
        $('stat-alerts').textContent = String(stats.alertsRaised);
        $('stat-frame').textContent = `${stats.frameMs.toFixed(1)} ms`;
      }
      lastFrame = startedAt;
      requestAnimationFrame(frame);
    } catch (err) {
      fail(err);
    }
  }
  window.sim.ready = true;
  requestAnimationFrame(frame);
}

function fail(err) {
  stats.error = `${err.code ?? ''} ${err.message ?? err}`;
  const el = $('error');
  el.hidden = false;
  el.textContent = `Simulator stopped: ${stats.error}`;
  console.error(err);
}

main().catch(fail);
