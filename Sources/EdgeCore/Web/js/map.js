// The spot map (#11, #21): a figure of merit for every placement of the radiator under the beam,
// drawn to scale over the radiator in the radiator's own frame (as the beam view shows the radiator,
// and as the PNG and the spot plot draw it): each cell sits where the beam centre lands for that
// placement. The best spots are numbered; a sentence says how much the placement matters; colours do
// not stretch a tiny spread over the palette unless asked. A coarse map comes first, then the fine
// one; a change of parameters supersedes a running map. A click moves the beam there.

import { state, queryOf, radiatorInfo, isIdeal, isUnknownRadiator, hasErrors, writeURL, notify, SPECTRUM_PARAMS, FOMS, MAP_ONLY } from "./state.js";
import { Latest, RequestFailed } from "./api.js";
import { failed, succeeded } from "./data.js";
import { wireBox } from "./controls.js";
import { isCompact, roomBelow } from "./layout.js";

const VIRIDIS = [[68, 1, 84], [71, 45, 123], [59, 82, 139], [44, 114, 142], [33, 145, 140], [40, 174, 128], [94, 201, 98], [173, 220, 48], [253, 231, 37]];
/** The mount on the map: a grey no blend of the radiator picture or the colour map produces. */
export const MOUNT_RGB = [176, 176, 176];
const UNITS = { peak_polarization: "", window_polarization: "", p2n: "/s", window_flux: "photons/s", rms_tilt: "µrad", fraction_on_crystal: "" };

function viridis(t) {
  const x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1), i = Math.min(VIRIDIS.length - 2, Math.floor(x)), f = x - i;
  const c = VIRIDIS[i].map((a, k) => Math.round(a + f * (VIRIDIS[i + 1][k] - a)));
  return `rgb(${c.join(",")})`;
}
/** Numbers as the read-outs write them: 3 significant digits, ×10ⁿ instead of e-notation. */
export const fmt = (v, digits = 3) => {
  if (v === null || v === undefined || !isFinite(v)) return "—";
  if (v === 0) return "0";
  const e = Math.floor(Math.log10(Math.abs(v)));
  if (e >= -2 && e < 4) return v.toPrecision(digits);
  return `${(v / 10 ** e).toFixed(digits - 1)}×10${String(e).split("").map(c => "⁰¹²³⁴⁵⁶⁷⁸⁹"[c] || "⁻").join("")}`;
};
/** The honest colour range (map_scale=honest, as the server's PNG): at least 10 % of the best value, ending at it. */
export const HONEST_SPAN = 0.1;
export function colourRange(m, lo, hi) {
  if (state.page.map_scale === "stretch" || !(hi >= lo)) return { lo, hi };
  const best = m.higher_is_better === false ? lo : hi, span = Math.max(hi - lo, HONEST_SPAN * Math.abs(best), 1e-12);
  return m.higher_is_better === false ? { lo: best, hi: best + span } : { lo: best - span, hi: best };
}
/** How much the placement matters, in one sentence (the server's statement, or the spread of the map shown). */
export function spreadStatement(m) {
  if (m.statement) return m.statement;
  if (typeof m.spread_fraction !== "number") return "";
  const pct = (100 * m.spread_fraction).toPrecision(2);
  const [lo, hi] = [m.value_worst, m.value_best].sort((a, b) => a - b).map(v => fmt(v, 4));
  return m.uniform
    ? `All ${m.allowed_placements} allowed placements are within ${pct} % of the best (${lo}–${hi}): the spot hardly matters here.`
    : `Allowed placements span ${lo}–${hi} (${pct} % of the best); best spots are ranked by the worst value within ${m.ebeam_jitter} mm of beam jitter.`;
}

/** Parameters the map depends on: all but the offsets (the map spans them) and, when the
 *  goniometer is re-snapped at every placement, the current angles; its step when the user set one. */
export function mapQuery(extra = {}) {
  const resnap = state.page.map_resnap === "on";
  const names = SPECTRUM_PARAMS.filter(k => !["rad_xoffset", "rad_yoffset"].includes(k) && !(resnap && ["rad_thetah", "rad_thetav"].includes(k)));
  return queryOf([...names, "snap_edge", ...MAP_ONLY], {
    snap_action: state.page.plane, fom: state.page.fom, map_resnap: state.page.map_resnap, ...extra,
  });
}

export class MapView {
  constructor(container) {
    this.el = container;
    this.fetcher = new Latest();
    this.query = null;
    this.map = null;
    this.image = new Image();
    this.image.addEventListener("load", () => this.draw());
    this.maskFetch = new Latest();
    this.maskURL = null;
    this.mask = null;  // the mount and the crystal's edge, drawn over the grey radiator
    container.innerHTML = `<div class="mapbar">
        <label>figure of merit <select class="fom">${FOMS.map(f => `<option value="${f[0]}">${f[1]}</option>`).join("")}</select></label>
        <label>goniometer <select class="resnap"><option value="on">re-snapped at every placement</option><option value="off">fixed at θH, θV</option></select></label>
        <span class="mapstep"><label for="map_step">step (mm)</label>
          <input type="text" inputmode="decimal" autocomplete="off" id="map_step" data-param="map_step" data-auto="1" data-step="0.02"
            placeholder="auto" size="6"><span class="err" data-err="map_step"></span></span>
        <span class="mapstep"><label for="ebeam_jitter">beam jitter (mm)</label>
          <input type="text" inputmode="decimal" autocomplete="off" id="ebeam_jitter" data-param="ebeam_jitter" data-auto="1" data-step="0.05"
            size="5"><span class="err" data-err="ebeam_jitter"></span></span>
        <label>colours <select class="scale"><option value="honest">honest (≥ 10 % of best)</option>
          <option value="stretch">stretched</option></select></label>
      </div>
      <div class="mapstatus" role="status"><progress hidden></progress> <span class="text"></span></div>
      <p class="mapstatement"></p>
      <canvas class="mapcanvas" aria-label="spot map: click to move the beam there"></canvas>
      <p class="maplegend">The radiator as it is (as in the beam view at φ = 0, the spot plot and the PNG): each cell is
        where the beam centre sits for that placement. Light grey the mount, white line the crystal's edge; hatched
        placements are excluded (less than the minimum on the crystal, or on the mount); numbers are the best spots,
        ranked by the worst value within the beam jitter; the cross is the beam now.</p>
      <ol class="best" aria-label="best spots"></ol>`;
    const fom = container.querySelector(".fom"), resnap = container.querySelector(".resnap"), scale = container.querySelector(".scale");
    fom.value = state.page.fom;
    resnap.value = state.page.map_resnap;
    scale.value = state.page.map_scale;
    fom.addEventListener("change", () => { state.page.fom = fom.value; writeURL(true); notify(["map"]); });
    resnap.addEventListener("change", () => { state.page.map_resnap = resnap.value; writeURL(true); notify(["map"]); });
    scale.addEventListener("change", () => { state.page.map_scale = scale.value; writeURL(true); notify(["map"]); });
    wireBox(container.querySelector("[data-param=map_step]"));
    wireBox(container.querySelector("[data-param=ebeam_jitter]"));
    this.canvas = container.querySelector("canvas");
    this.canvas.addEventListener("click", e => this.click(e));
  }

  stop() { this.fetcher.abort(); this.query = null; }

  /** The radiator's surface (crystal, mount, nothing) as a picture: the mount in light grey, the crystal's
   *  edge in white, the rest transparent. From the spot plot's data (the request the beam view makes too). */
  async loadMask() {
    const info = radiatorInfo();
    const url = info ? "/plot.png?" + queryOf(["radiator_name", "radiator_view", "map_quantity"], { plot_type: "spot", format: "json" }) : null;
    if (url === this.maskURL) return;
    this.maskURL = url;
    this.mask = null;
    if (!url) return;
    try {
      const m = await this.maskFetch.get(url);
      if (!m || !m.mask || this.maskURL !== url) return;
      const { columns: nx, rows: ny } = m.grid;
      const canvas = document.createElement("canvas");
      canvas.width = nx; canvas.height = ny;
      const g = canvas.getContext("2d"), img = g.createImageData(nx, ny);
      const at = (i, j) => (i < 0 || j < 0 || i >= nx || j >= ny ? 0 : m.mask[j * nx + i]);
      for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
        const s = at(i, j), k = 4 * ((ny - 1 - j) * nx + i);  // row 0 is the lowest; the picture's top row the highest
        const edge = s === 1 && (at(i - 1, j) !== 1 || at(i + 1, j) !== 1 || at(i, j - 1) !== 1 || at(i, j + 1) !== 1);
        const rgb = s === 2 ? MOUNT_RGB : edge ? [255, 255, 255] : null;
        if (rgb) { img.data.set(rgb, k); img.data[k + 3] = 255; }
      }
      g.putImageData(img, 0, 0);
      // The grid's geometry: pixel centres at x0 + i·dx; the radiator's centre (offsets and φ refer to it).
      const grid = m.grid;
      this.mask = { canvas, width: nx * grid.dx, height: ny * grid.dy,
        x0: grid.x0 - grid.dx / 2, x1: grid.x0 + (nx - 0.5) * grid.dx, y0: grid.y0 - grid.dy / 2, y1: grid.y0 + (ny - 0.5) * grid.dy,
        cx: grid.x0 + (nx - 1) * grid.dx / 2, cy: grid.y0 + (ny - 1) * grid.dy / 2 };
      this.draw();
    } catch (e) { this.mask = null; }
  }

  plotQuery() {
    if (isIdeal()) return { wait: "The spot map needs a radiator with a topograph (a perfect crystal has no map)." };
    if (isUnknownRadiator() || state.values.radiator_name === "") return { wait: "Choose a radiator." };
    return { query: mapQuery({ plot_type: "map" }) };
  }

  status(text, running) {
    this.el.querySelector(".mapstatus .text").textContent = text;
    this.el.querySelector("progress").hidden = !running;
  }

  render() {
    this.el.querySelector(".fom").value = state.page.fom;
    this.el.querySelector(".resnap").value = state.page.map_resnap;
    this.el.querySelector(".scale").value = state.page.map_scale;
    const q = this.plotQuery();
    this.loadMask();
    if (!q.query) { this.stop(); this.map = null; this.status(q.wait, false); this.draw(); return; }
    // The map shown is stale while a value is invalid; a snap in flight is waited for (its window and,
    // for a fixed goniometer, its angles are part of the map's question).
    this.canvas.classList.toggle("stale", hasErrors());
    if (state.snapping) { this.draw(); return; }
    const query = mapQuery();
    if (query !== this.query) { this.query = query; this.compute(query); }
    this.draw();
  }

  /** Coarse first (about 12 placements across), then the fine map; a newer query aborts both. A step
   *  the user chose at least as coarse as that is computed at once. */
  async compute(query) {
    const info = radiatorInfo();
    // About 12 placements across, in whole spot-sampling steps (the server's placements lie on them).
    const resol = Number(state.values.ebeam_xyresol) || 0.02;
    let coarse = info ? String(+(Math.ceil(Math.max(info.width_mm, info.height_mm) / 12 / resol) * resol).toFixed(6)) : null;
    const step = Number(state.values.map_step);
    if (state.values.map_step !== "" && !(step < Number(coarse))) coarse = null;
    const coarseQuery = () => { const q = new URLSearchParams(query); q.set("map_step", coarse); return q.toString(); };
    this.map = null;
    this.draw();
    try {
      if (coarse) {
        this.status("computing a coarse map…", true);
        // Only a preview: if it is refused, the fine map (whose refusal is the user's to see) still runs.
        const m = await this.fetcher.get(`/api/map?${coarseQuery()}`).catch(() => undefined);
        if (m === null || this.query !== query) return;
        if (m) { this.map = m; this.draw(); }
      }
      const computing = coarse ? "coarse map shown; refining…" : "computing the map…";
      this.status(computing, true);
      const m = await this.whileQueued(query, computing, this.fetcher.get(`/api/map?${query}`));
      if (m === null || this.query !== query) return;
      this.map = m;
      succeeded(`/api/map?${query}`);
      this.status(`${m.x_offsets_mm.length}×${m.y_offsets_mm.length} placements in ${m.seconds.toFixed(2)} s. Click the map or a best spot to move the beam there.`, false);
      this.draw();
    } catch (e) {
      if (this.query !== query) return;
      const missing = e instanceof RequestFailed && (e.status === 404 || e.status === 405);
      const busy = e instanceof RequestFailed && e.status === 429;
      this.status(missing ? "The spot map needs GET /api/map, which this edge does not offer yet."
        : busy ? `The cluster is busy with other maps; try again in ${e.body.retry_after_s || "a few"} s.`
        : `Map failed: ${failed(e, "/api/map?" + query)}`, false);
    }
  }

  /** While a map waits for a batch slot (maps queue behind other users' maps), the status says where
   *  it stands (GET /api/queue, once a second). */
  async whileQueued(query, computing, pending) {
    let done = false;
    const poll = async () => {
      while (!done && this.query === query) {
        await new Promise(ok => setTimeout(ok, 1000));
        const q = await fetch("/api/queue").then(r => r.json()).catch(() => null);
        if (done || this.query !== query || !q) continue;
        this.status(q.position > 0 ? `waiting for a map slot: ${q.position} of ${q.total_queued} in the queue…` : computing, true);
      }
    };
    poll();
    try { return await pending; } finally { done = true; }
  }

  /** Radiator mm ↔ canvas pixels (the radiator's extent), and offsets ↔ the radiator point under the beam:
   *  r = c − R(−φ)·offset, offset = −R(φ)·(r − c) (README "Geometry"). */
  frame() {
    const g = this.mask;
    const x0 = g.x0, x1 = g.x1, y0 = g.y0, y1 = g.y1;
    const dpr = window.devicePixelRatio || 1;
    const cssW = this.el.clientWidth || 400;
    const pad = { l: 48, r: 112, t: 12, b: 40 };
    const k = Math.max(0.1, Math.min((cssW - pad.l - pad.r) / (x1 - x0), (this.maxHeight() - pad.t - pad.b) / (y1 - y0)));
    const cssH = pad.t + pad.b + k * (y1 - y0);
    const phi = Number(state.values.rad_phideg) * Math.PI / 180, cs = Math.cos(phi), sn = Math.sin(phi);
    return { x0, x1, y0, y1, k, pad, dpr, cssW, cssH, phi,
      px: x => pad.l + (x - x0) * k, py: y => pad.t + (y1 - y) * k,
      mmX: px => x0 + (px - pad.l) / k, mmY: py => y1 - (py - pad.t) / k,
      radiatorPoint: (ox, oy) => ({ x: g.cx - (cs * ox + sn * oy), y: g.cy - (-sn * ox + cs * oy) }),
      offsetOf: (x, y) => { const dx = x - g.cx, dy = y - g.cy; return { x: -(cs * dx - sn * dy), y: -(sn * dx + cs * dy) }; } };
  }

  /** The map is never taller than the results column's view less the panel's controls above it, so that
   *  the map and a plot next to it fit one screen (1920 × 1080) once the panels are scrolled to the top.
   *  In the compact layout (a laptop's 1280 × 800) it ends where the column's view ends, read-outs and all
   *  above it, so that it is seen whole without scrolling. */
  maxHeight() {
    const column = document.querySelector("section.results"), panel = this.el.closest(".panel");
    if (isCompact() && !this.canvas.hidden) return Math.max(220, roomBelow(this.canvas));
    const above = panel ? this.el.querySelector(".mapstatement").getBoundingClientRect().bottom - panel.getBoundingClientRect().top + 12 : 170;
    return Math.max(220, (column ? column.clientHeight : innerHeight) - above - 16);
  }

  draw() {
    const c = this.canvas, m = this.map;
    c.hidden = !m || !this.mask;
    this.el.querySelector(".best").innerHTML = "";
    this.el.querySelector(".mapstatement").textContent = m ? spreadStatement(m) : "";
    if (!m || !this.mask) return;
    const f = this.frame();
    c.width = Math.round(f.cssW * f.dpr); c.height = Math.round(f.cssH * f.dpr);
    c.style.width = f.cssW + "px"; c.style.height = f.cssH + "px";
    const g = c.getContext("2d");
    g.setTransform(f.dpr, 0, 0, f.dpr, 0, 0);
    g.fillStyle = "#0f1720"; g.fillRect(f.px(f.x0), f.py(f.y1), (f.x1 - f.x0) * f.k, (f.y1 - f.y0) * f.k);
    const info = radiatorInfo();
    const src = info ? "/radiator.png?" + queryOf(["radiator_name", "radiator_view", "map_quantity"]) : null;
    if (src && this.image.getAttribute("src") !== src) this.image.setAttribute("src", src);
    g.save();
    g.beginPath(); g.rect(f.px(f.x0), f.py(f.y1), (f.x1 - f.x0) * f.k, (f.y1 - f.y0) * f.k); g.clip();
    // The radiator in grey (colour means the figure of merit), as it is: no turn.
    if (this.image.complete && this.image.naturalWidth) {
      g.globalAlpha = 0.45;
      g.filter = "grayscale(1)";
      g.drawImage(this.image, f.px(f.x0), f.py(f.y1), (f.x1 - f.x0) * f.k, (f.y1 - f.y0) * f.k);
      g.globalAlpha = 1;
      g.filter = "none";
    }
    // Each placement's cell where the beam centre sits: offsets map to the radiator by r = c − R(−φ)·o,
    // a turn by 180° − φ about the centre (canvas y flipped so that y is up).
    const xs = m.x_offsets_mm, ys = m.y_offsets_mm;
    const dx = xs.length > 1 ? xs[1] - xs[0] : (m.map_step || 1), dy = ys.length > 1 ? ys[1] - ys[0] : (m.map_step || 1);
    const vals = m.values.filter(v => v !== null && isFinite(v));
    const range = colourRange(m, Math.min(...vals), Math.max(...vals)), span = range.hi > range.lo ? range.hi - range.lo : 1;
    this.range = range;
    const nx = xs.length;
    g.save();
    g.translate(f.px(this.mask.cx), f.py(this.mask.cy));
    g.scale(f.k, -f.k);
    g.rotate(Math.PI - f.phi);
    g.globalAlpha = 0.85;
    ys.forEach((y, j) => xs.forEach((x, i) => {
      const v = m.values[j * nx + i];
      if (v === null || !isFinite(v)) {
        g.strokeStyle = "rgba(220,220,220,.7)"; g.lineWidth = 1 / f.k;
        g.beginPath(); g.moveTo(x - dx / 2, y - dy / 2); g.lineTo(x + dx / 2, y + dy / 2); g.stroke();
      } else { g.fillStyle = viridis((v - range.lo) / span); g.fillRect(x - dx / 2 - 0.25 / f.k, y - dy / 2 - 0.25 / f.k, dx + 0.5 / f.k, dy + 0.5 / f.k); }
    }));
    g.restore();
    g.globalAlpha = 1;
    // The mount and the crystal's edge over the cells.
    g.imageSmoothingEnabled = false;
    g.drawImage(this.mask.canvas, f.px(f.x0), f.py(f.y1), (f.x1 - f.x0) * f.k, (f.y1 - f.y0) * f.k);
    // Best spots numbered (a tie shares the best's number), the current beam position marked.
    const halo = (text, x, y) => { g.lineWidth = 3; g.strokeStyle = "#000"; g.strokeText(text, x, y); g.fillStyle = "#fff"; g.fillText(text, x, y); };
    g.font = "bold 13px system-ui, sans-serif"; g.textAlign = "center"; g.textBaseline = "middle";
    const drawn = [];
    (m.best || []).forEach((b, i) => {
      const r = f.radiatorPoint(b.rad_xoffset, b.rad_yoffset), x = f.px(r.x), y = f.py(r.y);
      drawn.push(`${r.x.toFixed(4)},${r.y.toFixed(4)}`);
      g.beginPath(); g.arc(x, y, 9, 0, 2 * Math.PI); g.fillStyle = "rgba(0,0,0,.55)"; g.fill();
      g.strokeStyle = "#fff"; g.lineWidth = 1.5; g.stroke();
      halo(String(b.rank || i + 1), x, y);
    });
    c.dataset.bestRadiatorPoints = drawn.join(" ");  // where the best spots were drawn, radiator mm (tests compare with the PNG's)
    const beam = f.radiatorPoint(Number(state.values.rad_xoffset), Number(state.values.rad_yoffset));
    const bx = f.px(beam.x), by = f.py(beam.y);
    g.strokeStyle = "#000"; g.lineWidth = 4;
    g.beginPath(); g.moveTo(bx - 10, by); g.lineTo(bx + 10, by); g.moveTo(bx, by - 10); g.lineTo(bx, by + 10); g.stroke();
    g.strokeStyle = "#ff8c42"; g.lineWidth = 2; g.stroke();
    g.restore();
    // Axes in radiator mm (the PNG's) and the colour bar with the figure's name and unit.
    g.fillStyle = "#1b2330"; g.strokeStyle = "#1b2330"; g.lineWidth = 1; g.font = "12px system-ui, sans-serif";
    g.strokeRect(f.px(f.x0), f.py(f.y1), (f.x1 - f.x0) * f.k, (f.y1 - f.y0) * f.k);
    const ticks = (a, b) => { const s = [0.5, 1, 2, 5, 10].find(t => (b - a) / t <= 8) || 10; const out = []; for (let t = Math.ceil(a / s) * s; t <= b; t += s) out.push(+t.toFixed(6)); return out; };
    g.textAlign = "center"; g.textBaseline = "top";
    for (const t of ticks(f.x0, f.x1)) g.fillText(String(t), f.px(t), f.py(f.y0) + 4);
    g.fillText("x on radiator (mm): where the beam centre sits", f.px((f.x0 + f.x1) / 2), f.py(f.y0) + 20);
    g.textAlign = "right"; g.textBaseline = "middle";
    for (const t of ticks(f.y0, f.y1)) g.fillText(String(t), f.px(f.x0) - 4, f.py(t));
    g.save(); g.translate(12, f.py((f.y0 + f.y1) / 2)); g.rotate(-Math.PI / 2); g.textAlign = "center"; g.fillText("y on radiator (mm)", 0, 0); g.restore();
    const cbx = f.px(f.x1) + 12, cbTop = f.pad.t, cbH = Math.max(60, (f.y1 - f.y0) * f.k);
    for (let i = 0; i < cbH; i++) { g.fillStyle = viridis(1 - i / cbH); g.fillRect(cbx, cbTop + i, 14, 1.5); }
    g.fillStyle = "#1b2330"; g.textAlign = "left"; g.textBaseline = "middle";
    const hiText = fmt(range.hi, 4), loText = fmt(range.lo, 4);
    g.fillText(hiText, cbx + 18, cbTop + 6); g.fillText(loText, cbx + 18, cbTop + cbH - 6);
    c.dataset.colourBar = `${loText}|${hiText}`;
    const titleX = cbx + 18 + Math.max(g.measureText(hiText).width, g.measureText(loText).width) + 12;
    c.dataset.colourBarRight = String(Math.ceil(titleX + 8));  // the rotated title's far side, CSS px (tests: inside the canvas)
    g.save(); g.translate(titleX, cbTop + cbH / 2);
    g.rotate(-Math.PI / 2); g.textAlign = "center";
    const unit = UNITS[m.fom] ? ` (${UNITS[m.fom]})` : "";
    g.fillText((FOMS.find(x => x[0] === m.fom) || [m.fom, m.fom])[1] + unit, 0, 0); g.restore();
    // The best spots as a list of buttons: value, the worst within the jitter, margin, goniometer; ties said.
    const list = this.el.querySelector(".best");
    const u = UNITS[m.fom] ? " " + UNITS[m.fom] : "";
    const tied = (m.best || []).filter(b => b.tied_with_best).length;
    if (tied > 1) {
      const li = document.createElement("li");
      li.className = "ties";
      li.textContent = `${tied === m.best.length ? `All ${tied}` : tied} best spots are tied (within ${(100 * (m.tie_fraction || 0)).toPrecision(2)} % of the best): `
        + "the map cannot tell them apart; choose by the margin to the excluded region.";
      list.appendChild(li);
    }
    (m.best || []).forEach((b, i) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "bestspot";
      const rank = b.rank || i + 1, tie = i > 0 && b.tied_with_best ? " — tied with the best" : "";
      const robust = typeof b.robust_value === "number" ? `, worst within ${m.ebeam_jitter} mm ${fmt(b.robust_value, 4)}` : "";
      const margin = typeof b.margin_mm === "number" ? `${b.margin_mm.toFixed(2)} mm from the excluded region` : "no placement excluded";
      button.textContent = `${rank}. x ${b.rad_xoffset.toFixed(2)} mm, y ${b.rad_yoffset.toFixed(2)} mm: ${fmt(b.value, 4)}${u}${robust}${tie}`
        + ` (${margin}; on crystal ${(100 * b.fraction_on_crystal).toFixed(1)} %, rms tilt ${b.rms_tilt_urad.toFixed(0)} µrad;`
        + ` θH ${b.rad_thetah.toFixed(4)}, θV ${b.rad_thetav.toFixed(4)} mrad)`;
      button.addEventListener("click", () => state.actions.moveBeam(b.rad_xoffset, b.rad_yoffset, b));
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  click(e) {
    if (!this.map || !this.mask) return;
    const f = this.frame(), r = this.canvas.getBoundingClientRect();
    const x = f.mmX(e.clientX - r.left), y = f.mmY(e.clientY - r.top);
    if (x < f.x0 || x > f.x1 || y < f.y0 || y > f.y1) return;
    const o = f.offsetOf(x, y);
    state.actions.moveBeam(+o.x.toFixed(2), +o.y.toFixed(2), null);
  }
}
