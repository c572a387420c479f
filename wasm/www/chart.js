// A small canvas line chart for live series: time window on x, auto-scaled y, an optional
// threshold line. Draws packed Float64Array series directly (no per-point objects).

export const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
export const BACKGROUND = '#ffffff';

export class LineChart {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas, { title, unit }) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.title = title;
    this.unit = unit;
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
   * @param {{label: string, timestamps: Float64Array, values: Float64Array, bold?: boolean}[]} series
   * @param {number} t0 window start (ms) @param {number} t1 window end (ms)
   * @param {number | null} threshold
   */
  draw(series, t0, t1, threshold) {
    const { width, height } = this.resize();
    const ctx = this.ctx;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = BACKGROUND;
    ctx.fillRect(0, 0, width, height);
    const pad = { l: 46, r: 10, t: 22, b: 20 };
    const pw = width - pad.l - pad.r;
    const ph = height - pad.t - pad.b;

    let lo = Infinity;
    let hi = -Infinity;
    for (const s of series) {
      for (let i = 0; i < s.values.length; i++) {
        const v = s.values[i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (threshold != null) {
      lo = Math.min(lo, threshold);
      hi = Math.max(hi, threshold);
    }
    if (!Number.isFinite(lo)) {
      lo = 0;
      hi = 1;
    }
    if (hi - lo < 1e-9) hi = lo + 1;
    const margin = (hi - lo) * 0.08;
    lo -= margin;
    hi += margin;
    const x = (t) => pad.l + ((t - t0) / (t1 - t0)) * pw;
    const y = (v) => pad.t + (1 - (v - lo) / (hi - lo)) * ph;

    // Grid and labels.
    ctx.font = '11px system-ui, sans-serif';
    ctx.strokeStyle = '#e6e6e6';
    ctx.fillStyle = '#666';
    ctx.lineWidth = 1;
    ctx.textBaseline = 'middle';
    for (let i = 0; i <= 4; i++) {
      const v = lo + ((hi - lo) * i) / 4;
      const yy = Math.round(y(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(pad.l, yy);
      ctx.lineTo(pad.l + pw, yy);
      ctx.stroke();
      ctx.textAlign = 'right';
      ctx.fillText(v.toFixed(Math.abs(hi - lo) < 10 ? 1 : 0), pad.l - 4, yy);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let s = 0; s <= (t1 - t0) / 1000; s += 10) {
      const xx = Math.round(x(t1 - s * 1000)) + 0.5;
      ctx.fillText(s === 0 ? 'now' : `-${s}s`, xx, pad.t + ph + 4);
    }
    ctx.textAlign = 'left';
    ctx.fillStyle = '#222';
    ctx.font = 'bold 12px system-ui, sans-serif';
    ctx.fillText(`${this.title} (${this.unit})`, pad.l, 4);

    ctx.save();
    ctx.beginPath();
    ctx.rect(pad.l, pad.t, pw, ph);
    ctx.clip();
    if (threshold != null) {
      ctx.strokeStyle = '#d62728';
      ctx.setLineDash([5, 4]);
      ctx.beginPath();
      ctx.moveTo(pad.l, y(threshold));
      ctx.lineTo(pad.l + pw, y(threshold));
      ctx.stroke();
      ctx.setLineDash([]);
    }
    series.forEach((s, i) => {
      ctx.strokeStyle = PALETTE[i % PALETTE.length];
      ctx.lineWidth = s.bold ? 2.5 : 1.2;
      ctx.beginPath();
      for (let k = 0; k < s.timestamps.length; k++) {
        const xx = x(s.timestamps[k]);
        const yy = y(s.values[k]);
        if (k === 0) ctx.moveTo(xx, yy);
        else ctx.lineTo(xx, yy);
      }
      ctx.stroke();
    });
    ctx.restore();

    // Legend.
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    let lx = pad.l + 150;
    series.forEach((s, i) => {
      ctx.fillStyle = PALETTE[i % PALETTE.length];
      ctx.fillRect(lx, 7, 8, 8);
      ctx.fillStyle = '#333';
      ctx.fillText(s.label, lx + 11, 5);
      lx += ctx.measureText(s.label).width + 24;
    });
  }
}
