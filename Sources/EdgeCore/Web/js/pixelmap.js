// A map on a camera or radiator grid, drawn pixel for pixel on a canvas (so that a click names the
// exact pixel), with its colour bar, unit and orientation. Values come as rows, top row first (as
// /api/scan and /api/rci/build_map give them in JSON), null where there is no data.

import { fmt } from "./map.js";

const VIRIDIS = [[68, 1, 84], [71, 45, 123], [59, 82, 139], [44, 114, 142], [33, 145, 140], [40, 174, 128], [94, 201, 98], [173, 220, 48], [253, 231, 37]];
/** No data: a light grey that no palette colour is. */
export const NO_DATA_RGB = [226, 229, 234];
/** The validity codes of a reduced scan (README "The maps"), each with its colour. */
export const VALIDITY = [["valid", [46, 125, 50]], ["dead", [40, 40, 40]], ["hot", [211, 47, 47]], ["saturated", [245, 124, 0]],
  ["too_weak", [190, 196, 204]], ["peak_at_scan_end", [123, 31, 162]], ["no_peak_in_range", [25, 118, 210]]];

export function viridis(t) {
  const x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1), i = Math.min(VIRIDIS.length - 2, Math.floor(x)), f = x - i;
  return VIRIDIS[i].map((a, k) => Math.round(a + f * (VIRIDIS[i + 1][k] - a)));
}

/** The colour range of a map: its 1st to 99th percentile, so that a few hot or dead pixels do not
 *  flatten the crystal into one colour (the caption says so; values beyond take the end colours). */
export function robustRange(rows) {
  const v = [];
  for (const row of rows) for (const x of row) if (x !== null && isFinite(x)) v.push(x);
  if (!v.length) return null;
  v.sort((a, b) => a - b);
  const at = p => v[Math.min(v.length - 1, Math.max(0, Math.round(p * (v.length - 1))))];
  let lo = at(0.01), hi = at(0.99);
  if (hi - lo < 1e-9 * Math.max(1, Math.abs(hi))) { lo -= 0.5; hi += 0.5; }
  return { lo, hi, count: v.length, min: v[0], max: v[v.length - 1] };
}

export class PixelMap {
  /** `onPick(column, row)` is called for a click on a pixel. */
  constructor(canvas, onPick = null) {
    this.canvas = canvas;
    this.onPick = onPick;
    this.map = null;
    this.pixel = null;
    this.overlay = null;
    if (onPick) canvas.addEventListener("click", e => this.click(e));
  }

  /** Show a map: `{ rows, width, height, unit, label, aspect (pixel height / width), categorical, range }`.
   *  `categorical` (the validity codes) colours codes by VALIDITY instead of the palette. */
  show(map) {
    this.map = map;
    const { width: w, height: h, rows } = map;
    const image = document.createElement("canvas");
    image.width = w; image.height = h;
    const g = image.getContext("2d"), data = g.createImageData(w, h);
    this.range = map.categorical ? null : (map.range || robustRange(rows));
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) {
      const v = rows[r] ? rows[r][c] : null, k = 4 * (r * w + c);
      let rgb = NO_DATA_RGB;
      if (v !== null && v !== undefined && isFinite(v)) {
        if (map.categorical) rgb = (VALIDITY[v] || [null, [0, 0, 0]])[1];
        else if (this.range) rgb = viridis((v - this.range.lo) / (this.range.hi - this.range.lo));
      }
      data.data.set(rgb, k); data.data[k + 3] = 255;
    }
    g.putImageData(data, 0, 0);
    this.image = image;
    this.draw();
  }

  /** A second map drawn over the first with `opacity` (0–1): the overlay of two aligned maps. */
  setOverlay(other, opacity) { this.overlay = other ? { image: other.image, opacity } : null; this.draw(); }

  mark(pixel) { this.pixel = pixel; this.draw(); }

  /** The drawing's geometry: CSS pixels per map pixel, the map's top-left corner. */
  frame() {
    const m = this.map, css = Math.max(240, this.canvas.parentElement.clientWidth || 400);
    const pad = { l: 44, t: 8, r: 96, b: 34 }, aspect = m.aspect || 1;
    const maxH = Math.max(220, window.innerHeight * 0.62);
    const k = Math.min((css - pad.l - pad.r) / m.width, (maxH - pad.t - pad.b) / (m.height * aspect));
    return { pad, kx: k, ky: k * aspect, cssW: Math.round(pad.l + m.width * k + pad.r), cssH: Math.round(pad.t + m.height * k * aspect + pad.b) };
  }

  draw() {
    const m = this.map;
    if (!m || !this.image) return;
    const f = this.frame(), c = this.canvas, dpr = window.devicePixelRatio || 1;
    c.style.width = f.cssW + "px"; c.style.height = f.cssH + "px";
    c.width = Math.round(f.cssW * dpr); c.height = Math.round(f.cssH * dpr);
    const g = c.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, f.cssW, f.cssH);
    g.imageSmoothingEnabled = false;
    const W = m.width * f.kx, H = m.height * f.ky;
    g.drawImage(this.image, f.pad.l, f.pad.t, W, H);
    if (this.overlay) { g.globalAlpha = this.overlay.opacity; g.drawImage(this.overlay.image, f.pad.l, f.pad.t, W, H); g.globalAlpha = 1; }
    g.strokeStyle = "#1b2330"; g.lineWidth = 1; g.strokeRect(f.pad.l - 0.5, f.pad.t - 0.5, W + 1, H + 1);
    // Axes: columns left to right, rows top to bottom (row 0 at the top, as the images).
    g.fillStyle = "#1b2330"; g.font = "11px system-ui, sans-serif";
    g.textAlign = "center"; g.textBaseline = "top";
    const ticks = n => { const s = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].find(t => n / t <= 6) || 1000; const out = []; for (let t = 0; t < n; t += s) out.push(t); return out; };
    for (const t of ticks(m.width)) g.fillText(String(t), f.pad.l + (t + 0.5) * f.kx, f.pad.t + H + 3);
    g.fillText(m.xLabel || "column →", f.pad.l + W / 2, f.pad.t + H + 17);
    g.textAlign = "right"; g.textBaseline = "middle";
    // `rowZeroAtBottom`: a radiator grid (rows drawn top first, numbered from the bottom as the beam tool's).
    for (const t of ticks(m.height)) g.fillText(String(t), f.pad.l - 4, f.pad.t + ((m.rowZeroAtBottom ? m.height - 1 - t : t) + 0.5) * f.ky);
    g.save(); g.translate(11, f.pad.t + H / 2); g.rotate(-Math.PI / 2); g.textAlign = "center"; g.fillText(m.yLabel || "row ↓", 0, 0); g.restore();
    // The colour bar (palette) or the codes' legend (validity).
    const cbx = f.pad.l + W + 10, cbH = Math.max(80, H);
    if (this.range) {
      for (let i = 0; i < cbH; i++) { g.fillStyle = `rgb(${viridis(1 - i / cbH).join(",")})`; g.fillRect(cbx, f.pad.t + i, 12, 1.5); }
      g.fillStyle = "#1b2330"; g.textAlign = "left"; g.textBaseline = "middle";
      const hi = fmt(this.range.hi, 4), lo = fmt(this.range.lo, 4);
      g.fillText(hi, cbx + 15, f.pad.t + 6); g.fillText(lo, cbx + 15, f.pad.t + cbH - 6);
      g.save(); g.translate(cbx + 15 + Math.max(g.measureText(hi).width, g.measureText(lo).width) + 10, f.pad.t + cbH / 2); g.rotate(-Math.PI / 2);
      g.textAlign = "center"; g.fillText(`${m.label}${m.unit ? ` (${m.unit})` : ""}`, 0, 0); g.restore();
      c.dataset.colourBar = `${lo}|${hi}|${m.unit || ""}`;
    } else c.dataset.colourBar = "";
    if (this.pixel) {
      const [col, row] = this.pixel, x = f.pad.l + (col + 0.5) * f.kx, y = f.pad.t + (row + 0.5) * f.ky;
      g.lineWidth = 3.5; g.strokeStyle = "#000";
      g.beginPath(); g.moveTo(x - 9, y); g.lineTo(x - 3, y); g.moveTo(x + 3, y); g.lineTo(x + 9, y);
      g.moveTo(x, y - 9); g.lineTo(x, y - 3); g.moveTo(x, y + 3); g.lineTo(x, y + 9); g.stroke();
      g.lineWidth = 1.5; g.strokeStyle = "#ff8c42"; g.stroke();
    }
  }

  /** The pixel under a click, or null outside the map. */
  pixelAt(clientX, clientY) {
    const f = this.frame(), r = this.canvas.getBoundingClientRect();
    const col = Math.floor((clientX - r.left - f.pad.l) / f.kx), row = Math.floor((clientY - r.top - f.pad.t) / f.ky);
    return col >= 0 && row >= 0 && col < this.map.width && row < this.map.height ? [col, row] : null;
  }

  click(e) {
    if (!this.map) return;
    const p = this.pixelAt(e.clientX, e.clientY);
    if (p) this.onPick(p[0], p[1]);
  }
}
