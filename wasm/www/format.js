// Formatting for people: times, numbers, axis ticks, units and one-line event summaries.
// Pure functions (no DOM, no store), shared by the charts and the page.

const pad2 = (n) => String(n).padStart(2, '0');

/** `14:03:07` (local time). */
export function clock(ms) {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** `2026-12-06 14:03:07` (local time). */
export function dateTime(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${clock(ms)}`;
}

/** `12 s`, `4 min`, `2 h 5 min`, `3 d`. */
export function duration(ms) {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return `${Math.round(h / 24)} d`;
}

/** A value with as many decimals as its size needs: 1234, 22.6, 0.042. */
export function number(v, span = Math.abs(v)) {
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return String(v);
  const digits = span >= 100 ? 0 : span >= 10 ? 1 : span >= 1 ? 2 : 3;
  return v.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: digits });
}

/** Units of the metrics this page knows; others come from a device's MDL definition or none. */
export const KNOWN_UNITS = { temperature: '°C', humidity: '%', power: 'W', voltage: 'V', current: 'A', energy: 'kWh', pressure: 'hPa', co2: 'ppm' };

/** Steps a time axis may use, ms. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30].map((s) => s * 1000)
  .concat([1, 2, 5, 10, 15, 30].map((m) => m * 60_000))
  .concat([1, 2, 3, 6, 12].map((h) => h * 3_600_000))
  .concat([1, 2, 7, 14, 30].map((d) => d * 86_400_000));

/**
 * Ticks of a time axis over [t0, t1] with about `maxTicks` labels, aligned to round local
 * times (every 10 s, 5 min, ...): `{ step, ticks: [{ t, label }] }`.
 */
export function timeTicks(t0, t1, maxTicks = 6) {
  const span = Math.max(1, t1 - t0);
  const step = TIME_STEPS.find((s) => span / s <= maxTicks) ?? TIME_STEPS[TIME_STEPS.length - 1];
  const offset = new Date(t0).getTimezoneOffset() * 60_000; // align to local midnight
  const first = Math.ceil((t0 - offset) / step) * step + offset;
  const ticks = [];
  for (let t = first; t <= t1; t += step) {
    const label = step >= 86_400_000 ? dateTime(t).slice(5, 10)
      : step >= 60_000 ? clock(t).slice(0, 5)
        : clock(t);
    ticks.push({ t, label });
  }
  return { step, ticks };
}

/** Round value ticks (1, 2, 2.5 or 5 x 10^k) covering [lo, hi]: `{ lo, hi, step, ticks }`. */
export function valueTicks(lo, hi, maxTicks = 5) {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return valueTicks(0, 1, maxTicks);
  if (hi - lo < 1e-9) {
    const d = Math.abs(lo) > 1 ? Math.abs(lo) * 0.01 : 0.5;
    lo -= d;
    hi += d;
  }
  const raw = (hi - lo) / maxTicks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const nlo = Math.floor(lo / step) * step;
  const nhi = Math.ceil(hi / step) * step;
  const ticks = [];
  for (let v = nlo; v <= nhi + step / 2; v += step) ticks.push(Math.round(v / step) * step);
  return { lo: nlo, hi: nhi, step, ticks };
}

/** A nice bucket width for aggregating [t0, t1] into at most about `buckets` buckets. */
export function bucketFor(t0, t1, buckets = 120) {
  const span = Math.max(1, t1 - t0);
  return TIME_STEPS.find((s) => span / s <= buckets) ?? TIME_STEPS[TIME_STEPS.length - 1];
}

const short = (v) => (typeof v === 'number' ? number(v) : typeof v === 'string' ? v : JSON.stringify(v));

/**
 * One line a person reads for an event of the log: `{ what, detail }`, e.g.
 * `{ what: 'thermo-001 temperature 31.4 °C, above 30 °C', detail: 'rule.threshold' }`.
 * Unknown event types list their fields as `key value` pairs.
 */
export function eventSummary(e) {
  const d = e.eventData ?? {};
  const dev = d.device_id ?? d.device ?? '';
  const unit = d.unit ?? KNOWN_UNITS[d.metric] ?? '';
  const withUnit = (v) => `${short(v)}${unit ? ` ${unit}` : ''}`;
  switch (e.eventType) {
    case 'alert.raised':
      if (d.metric != null && d.value != null) return `${dev} ${d.metric} ${withUnit(d.value)}, above ${withUnit(d.threshold)}`;
      return `${d.severity ? `${d.severity} alert` : 'alert'}${dev ? ` for ${dev}` : ''}`;
    case 'alert.acknowledged':
      return `alert ${d.alert_id ?? ''} acknowledged${e.metadata?.source ? ` by ${e.metadata.source}` : ''}`;
    case 'device.offline':
      return `${dev} went offline`;
    case 'device.online':
      return `${dev} is back online`;
    case 'rule.triggered':
      return `rule ${d.rule ?? '?'} fired${dev ? ` on ${dev}` : ''}${d.value != null ? ` (value ${short(d.value)})` : ''}`;
    case 'notification.sent':
      return `notification sent${d.channel ? ` via ${d.channel}` : ''}`;
    default: {
      const parts = Object.entries(d).slice(0, 4).map(([k, v]) => `${k.replace(/_/g, ' ')} ${short(v)}`);
      return parts.join(', ') || '(no data)';
    }
  }
}
