// The simulator page: simulated devices write telemetry into the wasm store once per
// animation frame (one packed writeColumns call), a threshold rule records its executions in
// the RuleHistoryStore and creates alerts in the AlertStore (a Critical one also gets an LLM
// decision proposal in the DecisionStore), acknowledging an alert runs a workflow recorded in
// the WorkflowHistoryStore, the views read everything back from the store, and the whole
// store can be exported to / imported from a snapshot file.
import init, { StorageManager } from '../pkg/web/neotalk_storage_wasm.js';
import { DEVICE_TYPES, makeDevices, advance } from './sim.js';
import { LineChart } from './chart.js';

const params = new URLSearchParams(location.search);
const CONFIG = {
  devices: Number(params.get('devices')) || 100,
  rate: Number(params.get('rate')) || 10, // points per second per device and metric
  offlinePerSecond: 0.006, // chance per device and second of dropping offline
  windowMs: 60_000, // charts show the last minute
  retentionMs: 120_000, // older telemetry is deleted, one series per frame
  chartDevices: 6,
};
/** Threshold rule: a value above `above` raises an alert; it re-arms below `above - hysteresis`. */
const THRESHOLDS = {
  temperature: { above: 30, hysteresis: 1.5, unit: '°C', severity: 'Warning' },
  humidity: { above: 80, hysteresis: 4, unit: '%', severity: 'Warning' },
  power: { above: 1600, hysteresis: 100, unit: 'W', severity: 'Critical' },
};
const RULE_ID = 'threshold';

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const stats = { ticks: 0, points: 0, alertsRaised: 0, acknowledged: 0, ruleRuns: 0, decisions: 0, snapshot: null, writeMs: 0, frameMs: 0, pointsPerSecond: 0, running: true, error: null };
// Exposed for the browser test and for poking at the store from the console.
window.sim = { stats, ready: false };

function fmtBytes(n) {
  return n > 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(0)} KiB`;
}

async function main() {
  await init();
  const db = new StorageManager();
  const ts = db.timeseries();
  const devicesStore = db.devices();
  const events = db.events();
  const alerts = db.alerts();
  const rules = db.ruleHistory();
  const decisions = db.decisions();
  const workflows = db.workflowHistory();
  const devices = makeDevices(CONFIG.devices, 7);
  window.sim.db = db;
  window.sim.devices = devices;

  // Series table for writeColumns: series k = (deviceIds[k], metrics[k]).
  const deviceIds = [];
  const metrics = [];
  const seriesOf = devices.map((d) => DEVICE_TYPES[d.type].map((m) => {
    deviceIds.push(d.id);
    metrics.push(m.name);
    return deviceIds.length - 1;
  }));
  const alerting = new Uint8Array(deviceIds.length);

  for (const d of devices) {
    devicesStore.upsert({
      device_id: d.id,
      device_type: d.type,
      name: d.id,
      adapter: 'simulator',
      config: { rate_hz: CONFIG.rate },
      mdl_definition: {
        type_id: d.type,
        name: d.type,
        metrics: DEVICE_TYPES[d.type].map((m) => ({ name: m.name, data_type: 'Float', unit: m.unit })),
        commands: [],
      },
    });
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
    const k = seriesOf[di][mi];
    idx[n] = k;
    tsBuf[n] = t;
    valBuf[n] = v;
    n++;
    const metric = metrics[k];
    const rule = THRESHOLDS[metric];
    if (!alerting[k] && v > rule.above) {
      alerting[k] = 1;
      const id = newEventId('alert');
      const value = Math.round(v * 100) / 100;
      alerts.create({
        alert_id: id,
        title: `${metric} above ${rule.above} ${rule.unit}`,
        severity: rule.severity,
        message: `${deviceIds[k]} ${metric} ${value} ${rule.unit} > ${rule.above}`,
        entity_id: deviceIds[k],
        entity_type: 'device',
        source: 'rule.threshold',
        created_at: t,
      });
      if (rule.severity === 'Critical') proposeSwitchOff(id, deviceIds[k], value, t);
      pendingRuns.push({
        execution_id: newEventId('run'),
        rule_id: RULE_ID,
        rule_name: 'Threshold',
        triggered_at: t,
        trigger_value: value,
        actions: [{ action_type: 'alert.create', action_data: { alert_id: id, device_id: deviceIds[k], metric }, success: true }],
        result: 'Success',
      });
      pendingEvents.push({
        event_id: `${id}-raised`,
        event_type: 'alert.raised',
        event_data: { alert_id: id, device_id: deviceIds[k], metric, value, threshold: rule.above, unit: rule.unit },
        metadata: { source: 'rule.threshold', timestamp: t, correlation_id: id },
      });
      stats.alertsRaised++;
    } else if (alerting[k] && v < rule.above - rule.hysteresis) {
      alerting[k] = 0;
    }
  }

  // What an LLM would propose for an overloaded plug; the operator's acknowledgement approves it.
  function proposeSwitchOff(alertId, deviceId, watts, t) {
    decisions.create({
      decision_id: `decision-${alertId}`,
      title: `Switch off ${deviceId}`,
      description: `${deviceId} draws ${watts} W`,
      reasoning: `Power above ${THRESHOLDS.power.above} W risks tripping the circuit.`,
      proposed_actions: [{ action_type: 'control_device', parameters: { device_id: deviceId, command: 'switch_off' } }],
      confidence: Math.min(1, watts / (2 * THRESHOLDS.power.above)),
      created_at: t,
      review_id: alertId,
    });
    stats.decisions++;
  }

  function onState(d, online) {
    devicesStore.setOnline(d.id, online);
    pendingEvents.push({
      event_id: newEventId('dev'),
      event_type: online ? 'device.online' : 'device.offline',
      event_data: { device_id: d.id },
      metadata: { source: 'simulator', timestamp: Date.now() },
    });
  }

  // Views.
  const charts = Object.fromEntries(['temperature', 'humidity', 'power'].map((m) => [m, new LineChart($(`chart-${m}`), { title: m, unit: THRESHOLDS[m].unit })]));
  let selected = devices[0].id;
  $('device-count').textContent = String(CONFIG.devices);
  $('rate').textContent = String(CONFIG.rate);

  function drawCharts(now) {
    const t0 = now - CONFIG.windowMs;
    for (const [metric, chart] of Object.entries(charts)) {
      const type = metric === 'power' ? 'plug' : 'thermometer';
      const ofType = devices.filter((d) => d.type === type);
      const first = ofType.find((d) => d.id === selected) ?? ofType[0];
      const shown = [first, ...ofType.filter((d) => d !== first)].slice(0, CONFIG.chartDevices);
      const series = shown.map((d) => ({ label: d.id, bold: d.id === selected, ...ts.queryRange(d.id, metric, t0, Infinity) }));
      chart.draw(series, t0, now, THRESHOLDS[metric].above);
    }
    window.sim.chartsDrawn = (window.sim.chartsDrawn || 0) + 1;
  }

  function renderDevices(now) {
    const rows = devicesStore.listDevices().map((d) => {
      const cell = (m) => {
        const s = d.metrics[m];
        if (!s) return '<td>-</td>';
        const over = typeof s.value === 'number' && s.value > THRESHOLDS[m].above;
        return `<td class="${over ? 'over' : ''}">${typeof s.value === 'number' ? s.value.toFixed(m === 'power' ? 0 : 1) : esc(s.value)}</td>`;
      };
      const age = d.last_seen ? `${((now - d.last_seen) / 1000).toFixed(1)} s ago` : '-';
      return `<tr data-id="${esc(d.device_id)}" class="${d.device_id === selected ? 'selected' : ''}"><td><span class="dot ${d.online ? '' : 'offline'}" title="${d.online ? 'online' : 'offline'}"></span></td><td>${esc(d.device_id)}</td><td>${esc(d.device_type)}</td>${cell('temperature')}${cell('humidity')}${cell('power')}<td>${age}</td></tr>`;
    });
    $('device-rows').innerHTML = rows.join('');
    const online = rows.length - devicesStore.listOffline().length;
    $('stat-online').textContent = `${online} / ${rows.length}`;
  }

  function renderAlerts() {
    // The 40 newest open alerts (acknowledged or not): a bounded read of the unresolved index.
    const items = alerts.unresolved(40).map((a) => {
      const time = new Date(a.created_at).toLocaleTimeString();
      return `<li class="${a.acknowledged ? 'acknowledged' : 'active'} ${a.severity.toLowerCase()}" data-id="${esc(a.alert_id)}"><span class="what">${time} <b>${esc(a.severity)}</b> ${esc(a.message)}</span>${a.acknowledged ? `<span class="state">acknowledged by ${esc(a.acknowledged_by)}</span>` : '<button type="button" class="ack">Acknowledge</button>'}</li>`;
    });
    $('alerts').innerHTML = items.join('') || '<li>no alerts</li>';
    const open = alerts.countUnresolvedBySeverity();
    $('stat-open-alerts').textContent = `${open.critical} / ${open.warning}`;
    const run = rules.ruleStatistics(RULE_ID, -Infinity, Infinity);
    $('stat-rule-runs').textContent = String(run.triggers);
    const approved = decisions.queryByStatus('Approved', -Infinity, Infinity).length;
    $('stat-decisions').textContent = `${decisions.queryByStatus('Proposed', -Infinity, Infinity).length} / ${approved}`;
  }

  function renderEvents() {
    const last = events.lastSequence();
    const recent = events.replay(Math.max(0, last - 40), 40).reverse();
    $('events').innerHTML = recent.map((e) => {
      const cls = e.event_type.replace('.', '-');
      return `<li><span>#${e.sequence}</span> <span class="type ${cls}">${e.event_type}</span> ${esc(JSON.stringify(e.event_data))}</li>`;
    }).join('');
    $('stat-events').textContent = String(last);
  }

  // Acknowledging is a small workflow, recorded step by step: acknowledge the alert, log the
  // event, approve the LLM's proposal for it (Critical alerts only).
  function acknowledge(alertId) {
    const now = Date.now();
    const runId = `ack-${alertId}`;
    workflows.start({ execution_id: runId, workflow_id: 'acknowledge_alert', workflow_name: 'Acknowledge alert', trigger_type: 'manual', started_at: now, inputs: { alert_id: alertId } });
    const step = (id, type, output) => workflows.recordStep(runId, { step_id: id, step_name: id, step_type: type, started_at: now, finished_at: now, status: 'Completed', output });
    alerts.acknowledge(alertId, 'operator', now);
    step('acknowledge', 'alert.acknowledge', { by: 'operator' });
    events.append({
      event_id: `${alertId}-ack`,
      event_type: 'alert.acknowledged',
      event_data: { alert_id: alertId },
      metadata: { source: 'operator', timestamp: now, correlation_id: alertId, causation_id: `${alertId}-raised` },
    });
    step('log', 'event.append', { event_id: `${alertId}-ack` });
    const proposal = decisions.get(`decision-${alertId}`);
    if (proposal?.status === 'Proposed') {
      decisions.approve(proposal.decision_id, { user_id: 'operator', response: 'approved', responded_at: now });
      step('approve', 'decision.approve', { decision_id: proposal.decision_id });
    }
    workflows.finish(runId, 'Completed', now, { alert_id: alertId });
    stats.acknowledged++;
    renderAlerts();
    renderEvents();
  }

  $('alerts').addEventListener('click', (ev) => {
    const btn = ev.target.closest('button.ack');
    if (btn) acknowledge(btn.closest('li').dataset.id);
  });
  // Snapshot export: the whole store as one file in the portable backup format.
  $('export').addEventListener('click', () => {
    const bytes = db.exportSnapshot();
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
      const restored = db.importSnapshot(new Uint8Array(await file.arrayBuffer()));
      alerting.fill(0);
      snapshotStatus(`imported ${restored.total_entries.toLocaleString()} entries from ${file.name}`);
      renderAlerts();
      renderEvents();
      renderDevices(Date.now());
    } catch (err) {
      snapshotStatus(`import refused (${err.code ?? 'error'}): ${err.message}`, true);
    }
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
    }
  });
  $('toggle').addEventListener('click', () => {
    stats.running = !stats.running;
    $('toggle').textContent = stats.running ? 'Pause' : 'Resume';
  });

  // The loop: simulate, write one batch, then refresh views at their own rates.
  let lastFrame = performance.now();
  let retentionCursor = 0;
  const due = { charts: 0, devices: 0, alerts: 0, bytes: 0, rate: 0 };
  let pointsAtRate = 0;

  function frame() {
    try {
      const startedAt = performance.now();
      const now = Date.now();
      if (stats.running) {
        const dt = Math.min(1000, startedAt - lastFrame);
        n = 0;
        advance(devices, now, { rate: CONFIG.rate, offlineChance: CONFIG.offlinePerSecond * dt / 1000 }, emit, onState);
        const w0 = performance.now();
        if (n > 0) ts.writeColumns(deviceIds, metrics, idx.subarray(0, n), tsBuf.subarray(0, n), valBuf.subarray(0, n));
        if (pendingRuns.length) {
          rules.recordBatch(pendingRuns);
          stats.ruleRuns += pendingRuns.length;
          pendingRuns = [];
        }
        if (pendingEvents.length) {
          events.appendBatch(pendingEvents);
          pendingEvents = [];
        }
        const k = retentionCursor++ % deviceIds.length;
        ts.deleteRange(deviceIds[k], metrics[k], -Infinity, now - CONFIG.retentionMs);
        stats.writeMs = stats.writeMs * 0.9 + (performance.now() - w0) * 0.1;
        stats.points += n;
        stats.ticks++;
      }
      if (startedAt >= due.charts) {
        drawCharts(now);
        due.charts = startedAt + 100;
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
        $('stat-rate').textContent = stats.pointsPerSecond.toLocaleString();
      }
      if (startedAt >= due.bytes) {
        const bytes = db.tableSizes().reduce((sum, t) => sum + t.stored_bytes, 0);
        $('stat-bytes').textContent = fmtBytes(bytes);
        due.bytes = startedAt + 2000;
      }
      $('stat-points').textContent = stats.points.toLocaleString();
      $('stat-write').textContent = `${stats.writeMs.toFixed(2)} ms`;
      $('stat-alerts').textContent = String(stats.alertsRaised);
      stats.frameMs = stats.frameMs * 0.9 + (performance.now() - startedAt) * 0.1;
      $('stat-frame').textContent = `${stats.frameMs.toFixed(1)} ms`;
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
