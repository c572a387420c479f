// A canvas time chart for one metric: a title with its unit, a legend, a time axis with
// round local-time ticks, a value axis scaled to what is shown, raw lines (packed
// Float64Arrays, no per-point objects) or aggregated buckets (min..max band and avg line from
// `queryAggregated`), the highlighted series drawn last and thicker, an optional threshold
// line, and a hover readout (time and value of the series nearest the pointer).
import { clock, number, timeTicks, valueTicks, duration } from './format.js';

export const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#9c755f', '#ff9da7', '#bab0ac', '#e15759'];
export const BACKGROUND = '#ffffff';
const HIGHLIGHT = '#1f4e9c';
const THRESHOLD = '#d62728';

/** Index of the last element of sorted `a` (length `n`, read with `at`) that is <= t, or -1. */
function floorIndex(n, at, t) {
  let lo = 0;
  let hi = n - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (at(mid) <= t) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

export class TimeChart {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{ title: string, unit: string, readout?: HTMLElement }} options
   */
  constructor(canvas, { title, unit, readout }) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.title = title;
    this.unit = unit;
    this.readoutEl = readout ?? null;
    this.hover = null; // { x, y } in CSS pixels, while the pointer is over the plot
    this.last = null; // the arguments of the last draw, for redrawing on hover
    /** What the hover readout shows, or null (read by the browser test). */
    this.readout = null;
    canvas.addEventListener('pointermove', (ev) => {
      const r = canvas.getBoundingClientRect();
      this.hover = { x: ev.clientX - r.left, y: ev.clientY - r.top };
      if (this.last) this.draw(this.last);
    });
    canvas.addEventListener('pointerleave', () => {
      this.hover = null;
      if (this.last) this.draw(this.last);
    });
  }

  /** Matches the backing store to the element's CSS size and the device pixel ratio. */
  resize() {
    const dpr = window.devicePixelRatio || 1;
    const { width, height } = this.canvas.getBoundingClientRect();
    const w = Math.max(1, Math.round(width * dpr));
    const h = Math.max(1, Math.round(height * dpr));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    this.dpr = dpr;
    return { width, height };
  }

  /**
   * @param {object} view
   * @param {{label: string, highlight?: boolean, timestamps?: Float64Array, values?: Float64Array,
   *   buckets?: {bucket_start: number, count: number, min: number|null, avg: number|null, max: number|null}[]}[]} view.series
   *   raw series carry `timestamps`/`values`, aggregated ones `buckets`
   * @param {number} view.t0 window start (ms) @param {number} view.t1 window end (ms)
   * @param {number} [view.bucketMs] bucket width when the series are aggregated
   * @param {number | null} [view.threshold] a dashed line, drawn when it is on the scale
   * @param {string} [view.note] a line under the title (what the chart shows)
   * @param {boolean} [view.live] whether the window ends now ("last 5 min") or at stored data's end
   */
  draw(view) {
    this.last = view;
    const { series, t0, t1, bucketMs, threshold = null, note = '', live = true } = view;
    const { width, height } = this.resize();
    const ctx = this.ctx;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = BACKGROUND;
    ctx.fillRect(0, 0, width, height);
    const pad = { l: 56, r: 14, t: 44, b: 34 };
    const pw = Math.max(10, width - pad.l - pad.r);
    const ph = Math.max(10, height - pad.t - pad.b);
    const aggregated = series.some((s) => s.buckets);

    // The value range of what is shown: points in the window, or bucket minima and maxima.
    let lo = Infinity;
    let hi = -Infinity;
    let shownPoints = 0;
    for (const s of series) {
      if (s.buckets) {
        for (const b of s.buckets) {
          if (b.min != null && b.min < lo) lo = b.min;
          if (b.max != null && b.max > hi) hi = b.max;
          shownPoints += b.count;
        }
      } else {
        for (let i = 0; i < s.values.length; i++) {
          const v = s.values[i];
          if (!Number.isFinite(v) || s.timestamps[i] < t0 || s.timestamps[i] > t1) continue;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
          shownPoints++;
        }
      }
    }
    const empty = !Number.isFinite(lo);
    const scale = valueTicks(empty ? 0 : lo, empty ? 1 : hi, Math.max(2, Math.min(6, Math.floor(ph / 28))));
    const x = (t) => pad.l + ((t - t0) / (t1 - t0)) * pw;
    const y = (v) => pad.t + (1 - (v - scale.lo) / (scale.hi - scale.lo)) * ph;
    const tOf = (xx) => t0 + ((xx - pad.l) / pw) * (t1 - t0);

    // Title, note and legend.
    ctx.textBaseline = 'alphabetic';
    ctx.textAlign = 'left';
    ctx.fillStyle = '#1b2733';
    ctx.font = 'bold 14px system-ui, sans-serif';
    const title = `${this.title[0].toUpperCase()}${this.title.slice(1)}${this.unit ? ` (${this.unit})` : ''}`;
    ctx.fillText(title, 10, 18);
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#667';
    const span = live ? `last ${duration(t1 - t0)}` : `${duration(t1 - t0)} up to ${clock(t1)}`;
    const what = aggregated ? `${span}, ${duration(bucketMs)} buckets: band min..max, line avg` : `${span}, raw points`;
    ctx.fillText(`${what}${note ? ` · ${note}` : ''}`, 10, 34);
    ctx.font = 'bold 14px system-ui, sans-serif';
    let lx = ctx.measureText(title).width + 30;
    series.forEach((s, i) => {
      ctx.font = `${s.highlight ? 'bold ' : ''}11px system-ui, sans-serif`;
      const w = ctx.measureText(s.label).width + 22;
      if (lx + w > width - 8) return;
      ctx.fillStyle = s.highlight ? HIGHLIGHT : PALETTE[i % PALETTE.length];
      ctx.fillRect(lx, 9, 12, s.highlight ? 4 : 2);
      ctx.fillStyle = s.highlight ? '#111' : '#445';
      ctx.fillText(s.label, lx + 15, 15);
      lx += w;
    });

    // Axes: value grid and labels, time ticks and labels, axis captions.
    ctx.font = '11px system-ui, sans-serif';
    ctx.lineWidth = 1;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    for (const v of scale.ticks) {
      const yy = Math.round(y(v)) + 0.5;
      ctx.strokeStyle = '#eceef1';
      ctx.beginPath();
      ctx.moveTo(pad.l, yy);
      ctx.lineTo(pad.l + pw, yy);
      ctx.stroke();
      ctx.fillStyle = '#556';
      ctx.fillText(number(v, scale.hi - scale.lo), pad.l - 6, yy);
    }
    const { ticks } = timeTicks(t0, t1, Math.max(2, Math.floor(pw / 90)));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const { t, label } of ticks) {
      const xx = Math.round(x(t)) + 0.5;
      ctx.strokeStyle = '#f1f2f4';
      ctx.beginPath();
      ctx.moveTo(xx, pad.t);
      ctx.lineTo(xx, pad.t + ph);
      ctx.stroke();
      ctx.strokeStyle = '#889';
      ctx.beginPath();
      ctx.moveTo(xx, pad.t + ph);
      ctx.lineTo(xx, pad.t + ph + 4);
      ctx.stroke();
      ctx.fillStyle = '#556';
      ctx.fillText(label, xx, pad.t + ph + 6);
    }
    ctx.strokeStyle = '#889';
    ctx.beginPath();
    ctx.moveTo(pad.l + 0.5, pad.t);
    ctx.lineTo(pad.l + 0.5, pad.t + ph + 0.5);
    ctx.lineTo(pad.l + pw, pad.t + ph + 0.5);
    ctx.stroke();
    ctx.fillStyle = '#889';
    ctx.textAlign = 'right';
    ctx.fillText('local time', pad.l + pw, pad.t + ph + 20);
    ctx.save();
    ctx.translate(12, pad.t + ph / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(this.unit || 'value', 0, 0);
    ctx.restore();

    // Data, clipped to the plot; the highlighted series last, so it is on top.
    ctx.save();
    ctx.beginPath();
    ctx.rect(pad.l + 1, pad.t, pw - 1, ph);
    ctx.clip();
    if (threshold != null && threshold >= scale.lo && threshold <= scale.hi) {
      ctx.strokeStyle = THRESHOLD;
      ctx.setLineDash([5, 4]);
      ctx.beginPath();
      ctx.moveTo(pad.l, Math.round(y(threshold)) + 0.5);
      ctx.lineTo(pad.l + pw, Math.round(y(threshold)) + 0.5);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = THRESHOLD;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'bottom';
      ctx.fillText(`alert above ${number(threshold)} ${this.unit}`, pad.l + pw - 4, y(threshold) - 2);
    }
    const order = series.map((s, i) => ({ s, i })).sort((a, b) => Number(!!a.s.highlight) - Number(!!b.s.highlight));
    // A gap longer than this is not bridged by a line (a device offline, a reload).
    const gapMs = aggregated ? bucketMs * 1.5 : Math.max(3000, (t1 - t0) / 40);
    for (const { s, i } of order) {
      const color = s.highlight ? HIGHLIGHT : PALETTE[i % PALETTE.length];
      ctx.globalAlpha = s.highlight || series.length === 1 ? 1 : 0.7;
      if (s.buckets) {
        // Band min..max, drawn per run of adjacent buckets.
        ctx.fillStyle = color;
        ctx.globalAlpha = s.highlight ? 0.3 : 0.12;
        this.runs(s.buckets, (b) => b.bucketStart, gapMs, (run) => {
          ctx.beginPath();
          run.forEach((b, k) => (k ? ctx.lineTo : ctx.moveTo).call(ctx, x(b.bucketStart + bucketMs / 2), y(b.max)));
          for (let k = run.length - 1; k >= 0; k--) ctx.lineTo(x(run[k].bucketStart + bucketMs / 2), y(run[k].min));
          ctx.closePath();
          ctx.fill();
        });
        ctx.globalAlpha = s.highlight ? 1 : 0.75;
        ctx.strokeStyle = color;
        ctx.lineWidth = s.highlight ? 2.5 : 1.2;
        this.runs(s.buckets, (b) => b.bucketStart, gapMs, (run) => {
          ctx.beginPath();
          run.forEach((b, k) => (k ? ctx.lineTo : ctx.moveTo).call(ctx, x(b.bucketStart + bucketMs / 2), y(b.avg)));
          ctx.stroke();
        });
      } else {
        ctx.strokeStyle = color;
        ctx.lineWidth = s.highlight ? 2.5 : 1.1;
        ctx.beginPath();
        let prev = -Infinity;
        for (let k = 0; k < s.timestamps.length; k++) {
          const t = s.timestamps[k];
          const v = s.values[k];
          if (!Number.isFinite(v)) continue;
          if (t - prev > gapMs) ctx.moveTo(x(t), y(v));
          else ctx.lineTo(x(t), y(v));
          prev = t;
        }
        ctx.stroke();
      }
    }
    ctx.globalAlpha = 1;
    ctx.restore();
    if (empty) {
      ctx.fillStyle = '#99a';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.font = '12px system-ui, sans-serif';
      ctx.fillText('no data in this window', pad.l + pw / 2, pad.t + ph / 2);
    }
    this.drawHover({ series, x, y, tOf, pad, pw, ph, bucketMs, shownPoints });
  }

  /** Calls `fn` with each run of items whose keys are at most `gap` apart. */
  runs(items, key, gap, fn) {
    let start = 0;
    for (let k = 1; k <= items.length; k++) {
      if (k === items.length || key(items[k]) - key(items[k - 1]) > gap) {
        const run = items.slice(start, k).filter((b) => b.avg != null);
        if (run.length) fn(run);
        start = k;
      }
    }
  }

  /** The crosshair and readout of the series nearest the pointer, at the pointer's time. */
  drawHover({ series, x, y, tOf, pad, pw, ph, bucketMs }) {
    const h = this.hover;
    const inside = h && h.x >= pad.l && h.x <= pad.l + pw && h.y >= pad.t - 10 && h.y <= pad.t + ph + 10;
    let best = null;
    if (inside) {
      const t = tOf(h.x);
      series.forEach((s, i) => {
        let hit = null;
        if (s.buckets) {
          const k = floorIndex(s.buckets.length, (j) => s.buckets[j].bucketStart, t);
          const b = s.buckets[k];
          if (b && b.avg != null && t < b.bucketStart + bucketMs) hit = { t: b.bucketStart, value: b.avg, bucket: b, at: b.bucketStart + bucketMs / 2 };
        } else if (s.timestamps.length) {
          let k = floorIndex(s.timestamps.length, (j) => s.timestamps[j], t);
          if (k < s.timestamps.length - 1 && (k < 0 || t - s.timestamps[k] > s.timestamps[k + 1] - t)) k++;
          if (k >= 0 && Number.isFinite(s.values[k])) hit = { t: s.timestamps[k], value: s.values[k], at: s.timestamps[k] };
        }
        if (!hit || Math.abs(x(hit.at) - h.x) > 40) return;
        const dist = Math.abs(y(hit.value) - h.y) - (s.highlight ? 6 : 0);
        if (!best || dist < best.dist) best = { ...hit, dist, label: s.label, color: s.highlight ? HIGHLIGHT : PALETTE[i % PALETTE.length] };
      });
    }
    const ctx = this.ctx;
    if (!best) {
      this.readout = null;
      if (this.readoutEl) this.readoutEl.hidden = true;
      return;
    }
    const unit = this.unit ? ` ${this.unit}` : '';
    const text = best.bucket
      ? `${best.label} · ${clock(best.t)}-${clock(best.t + bucketMs)} · avg ${number(best.bucket.avg)}${unit} (min ${number(best.bucket.min)}, max ${number(best.bucket.max)}, ${best.bucket.count} points)`
      : `${best.label} · ${clock(best.t)} · ${number(best.value)}${unit}`;
    this.readout = { label: best.label, time: best.t, value: best.value, text };
    const xx = Math.round(x(best.at)) + 0.5;
    ctx.strokeStyle = '#334';
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(xx, pad.t);
    ctx.lineTo(xx, pad.t + ph);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = best.color;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(x(best.at), y(best.value), 4.5, 0, Math.PI * 2);
    ctx.fill();
    ctx.stroke();
    if (this.readoutEl) {
      const el = this.readoutEl;
      el.textContent = text;
      el.hidden = false;
      const right = x(best.at) > pad.l + pw / 2;
      el.style.left = right ? '' : `${Math.round(x(best.at) + 10)}px`;
      el.style.right = right ? `${Math.round(this.canvas.getBoundingClientRect().width - x(best.at) + 10)}px` : '';
      el.style.top = `${Math.round(Math.max(pad.t, Math.min(pad.t + ph - 24, y(best.value) - 30)))}px`;
    }
  }
}
