// Simulated devices: thermometers (temperature, humidity) and smart plugs (power) that
// sample at a fixed rate, drift, spike now and then, and drop offline for a while.
// Pure model: no DOM, no storage; the app feeds what `sample` returns into the wasm store.

/** Metrics each device type reports, with units. */
export const DEVICE_TYPES = {
  thermometer: [{ name: 'temperature', unit: '°C' }, { name: 'humidity', unit: '%' }],
  plug: [{ name: 'power', unit: 'W' }],
};

/** Small deterministic PRNG (mulberry32), so a run can be reproduced from its seed. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` devices, two thermometers for each plug, ids `thermo-001`, `plug-003`, ... */
export function makeDevices(count, seed = 1) {
  const rand = rng(seed);
  const devices = [];
  for (let i = 0; i < count; i++) {
    const type = i % 3 === 2 ? 'plug' : 'thermometer';
    const id = `${type === 'plug' ? 'plug' : 'thermo'}-${String(i + 1).padStart(3, '0')}`;
    devices.push({
      id,
      type,
      online: true,
      offlineUntil: 0,
      nextSampleAt: 0,
      phase: rand() * Math.PI * 2,
      // Every fifth device runs hot: its spikes cross the default thresholds.
      hot: i % 5 === 0,
      base: type === 'plug' ? 300 + rand() * 900 : 19 + rand() * 5,
      humidityBase: 35 + rand() * 20,
      rand: rng(seed * 1000 + i),
      metrics: DEVICE_TYPES[type],
    });
  }
  return devices;
}

/**
 * Devices that go on from stored data (a backup opened in the page): each metric walks
 * randomly from its latest value, by about `step` per sample. `series` is
 * `[{ id, type, metrics: [{ name, unit, last, step }] }]`.
 */
export function continuingDevices(series, seed = 1) {
  return series.map((s, i) => ({
    id: s.id,
    type: s.type,
    online: true,
    offlineUntil: 0,
    nextSampleAt: 0,
    phase: 0,
    hot: false,
    walk: Object.fromEntries(s.metrics.map((m) => [m.name, { value: m.last, step: m.step, centre: m.last }])),
    rand: rng(seed * 1000 + i),
    metrics: s.metrics.map(({ name, unit }) => ({ name, unit })),
  }));
}

/** The value of `metric` for device `d` at time `t` (ms). */
function valueAt(d, metric, t) {
  if (d.walk) {
    // A random walk pulled gently back to where it started, so it stays in range.
    const w = d.walk[metric];
    w.value += (d.rand() - 0.5) * 2 * w.step + (w.centre - w.value) * 0.01;
    return Math.round(w.value * 100) / 100;
  }
  const s = t / 1000;
  const noise = (d.rand() - 0.5);
  // A spike of a few seconds every 20 s, shifted per device.
  const spike = d.hot && Math.sin(s * Math.PI / 10 + d.phase) > 0.8 ? 1 : 0;
  switch (metric) {
    case 'temperature':
      return d.base + 2 * Math.sin(s / 8 + d.phase) + 0.3 * noise + spike * 12;
    case 'humidity':
      return d.humidityBase + 8 * Math.sin(s / 13 + d.phase) + 1.5 * noise + spike * 35;
    default:
      return Math.max(0, d.base + 150 * Math.sin(s / 5 + d.phase) + 40 * noise + spike * 1400);
  }
}

/**
 * Advances the simulation to `now`: online devices emit one sample per `1000 / rate` ms of
 * simulated time since their last one (at most `maxCatchUp` per device, so a background tab
 * does not flood the store when it wakes). Calls `emit(deviceIndex, metricIndex, t, value)`
 * for every point and `onState(device, online)` when a device goes offline or comes back.
 */
export function advance(devices, now, { rate, offlineChance, maxCatchUp = 50 }, emit, onState) {
  const interval = 1000 / rate;
  devices.forEach((d, di) => {
    if (!d.online && now >= d.offlineUntil) {
      d.online = true;
      d.nextSampleAt = now;
      onState(d, true);
    } else if (d.online && d.rand() < offlineChance) {
      d.online = false;
      d.offlineUntil = now + 4000 + d.rand() * 8000;
      onState(d, false);
    }
    if (!d.online) return;
    if (d.nextSampleAt === 0 || now - d.nextSampleAt > maxCatchUp * interval) d.nextSampleAt = now - interval * (1 + d.rand());
    const metrics = d.metrics;
    while (d.nextSampleAt <= now) {
      const t = Math.round(d.nextSampleAt);
      metrics.forEach((m, mi) => emit(di, mi, t, valueAt(d, m.name, t)));
      d.nextSampleAt += interval;
    }
  });
}
