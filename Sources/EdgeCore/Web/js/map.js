// The spot map (#11): a figure of merit for every placement of the radiator under the beam,
// drawn to scale over the radiator, with the best spots numbered. A coarse map comes first, then
// the fine one; a change of parameters supersedes a running map. A click moves the beam there.

import { state, queryOf, radiatorInfo, isIdeal, isUnknownRadiator, hasErrors, writeURL, notify, SPECTRUM_PARAMS, FOMS } from "./state.js";
import { Latest, RequestFailed } from "./api.js";
import { failed, succeeded } from "./data.js";
import { wireBox } from "./controls.js";

const VIRIDIS = [[68, 1, 84], [71, 45, 123], [59, 82, 139], [44, 114, 142], [33, 145, 140], [40, 174, 128], [94, 201, 98], [173, 220, 48], [253, 231, 37]];
/** The mount on the map: a grey no blend of the radiator picture or the colour map produces. */
export const MOUNT_RGB = [176, 176, 176];
const UNITS = { peak_polarization: "", window_polarization: "", p2n: "/s", window_flux: "photons/s", rms_tilt: "µrad", fraction_on_crystal: "" };

function viridis(t) {
  const x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1), i = Math.min(VIRIDIS.length - 2, Math.floor(x)), f = x - i;
  const c = VIRIDIS[i].map((a, k) => Math.round(a + f * (VIRIDIS[i + 1][k] - a)));
  return `rgb(${c.join(",")})`;
}
const fmt = v => (v === null || v === undefined || !isFinite(v) ? "—" : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(2) : v.toPrecision(3));

/** Parameters the map depends on: all but the offsets (the map spans them) and, when the
 *  goniometer is re-snapped at every placement, the current angles; its step when the user set one. */
export function mapQuery(extra = {}) {
  const resnap = state.page.map_resnap === "on";
  const names = SPECTRUM_PARAMS.filter(k => !["rad_xoffset", "rad_yoffset"].includes(k) && !(resnap && ["rad_thetah", "rad_thetav"].includes(k)));
  return queryOf([...names, "snap_edge", "map_step"], {
    snap_action: state.page.plane === "perp" ? "snap_perp" : "snap_para", fom: state.page.fom, map_resnap: state.page.map_resnap, ...extra,
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
      </div>
      <div class="mapstatus" role="status"><progress hidden></progress> <span class="text"></span></div>
      <canvas class="mapcanvas" aria-label="spot map: click to move the beam there"></canvas>
      <p class="maplegend">The radiator as the beam sees it at each offset (turned by 180° + φ): light grey the
        mount, white line the crystal's edge; hatched placements are excluded (less than the minimum on the
        crystal, or on the mount); numbers are the best spots, the cross is the beam now.</p>
      <ol class="best" aria-label="best spots"></ol>`;
    const fom = container.querySelector(".fom"), resnap = container.querySelector(".resnap");
    fom.value = state.page.fom;
    resnap.value = state.page.map_resnap;
    fom.addEventListener("change", () => { state.page.fom = fom.value; writeURL(true); notify(["map"]); });
    resnap.addEventListener("change", () => { state.page.map_resnap = resnap.value; writeURL(true); notify(["map"]); });
    wireBox(container.querySelector("[data-param=map_step]"));
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
      this.mask = { canvas, width: nx * info.pixel_mm, height: ny * info.pixel_mm };
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

  /** mm ↔ canvas pixels for the current map. */
  frame() {
    const m = this.map, xs = m.x_offsets_mm, ys = m.y_offsets_mm;
    const dx = xs.length > 1 ? xs[1] - xs[0] : 1, dy = ys.length > 1 ? ys[1] - ys[0] : 1;
    const x0 = xs[0] - dx / 2, x1 = xs.at(-1) + dx / 2, y0 = ys[0] - dy / 2, y1 = ys.at(-1) + dy / 2;
    const dpr = window.devicePixelRatio || 1;
    const cssW = this.el.clientWidth || 400;
    const pad = { l: 48, r: 78, t: 12, b: 40 };
    const k = (cssW - pad.l - pad.r) / (x1 - x0);
    const cssH = pad.t + pad.b + k * (y1 - y0);
    return { x0, x1, y0, y1, dx, dy, k, pad, dpr, cssW, cssH,
      px: x => pad.l + (x - x0) * k, py: y => pad.t + (y1 - y) * k,
      mmX: px => x0 + (px - pad.l) / k, mmY: py => y1 - (py - pad.t) / k };
  }

  draw() {
    const c = this.canvas, m = this.map;
    c.hidden = !m;
    this.el.querySelector(".best").innerHTML = "";
    if (!m) return;
    const f = this.frame();
    c.width = Math.round(f.cssW * f.dpr); c.height = Math.round(f.cssH * f.dpr);
    c.style.width = f.cssW + "px"; c.style.height = f.cssH + "px";
    const g = c.getContext("2d");
    g.setTransform(f.dpr, 0, 0, f.dpr, 0, 0);
    g.fillStyle = "#0f1720"; g.fillRect(f.px(f.x0), f.py(f.y1), (f.x1 - f.x0) * f.k, (f.y1 - f.y0) * f.k);
    // The radiator as the map sees it: offset o puts radiator point centre − R(−φ)·o under the beam,
    // so the picture appears turned by φ + 180° about the origin.
    const info = radiatorInfo();
    const src = info ? "/radiator.png?" + queryOf(["radiator_name", "radiator_view", "map_quantity"]) : null;
    if (src && this.image.getAttribute("src") !== src) this.image.setAttribute("src", src);
    g.save();
    g.beginPath(); g.rect(f.px(f.x0), f.py(f.y1), (f.x1 - f.x0) * f.k, (f.y1 - f.y0) * f.k); g.clip();
    if (info && this.image.complete && this.image.naturalWidth) {
      const w = this.image.naturalWidth * info.pixel_mm, h = this.image.naturalHeight * info.pixel_mm;
      g.save();
      g.translate(f.px(0), f.py(0));
      g.scale(f.k, -f.k);
      g.rotate((Number(state.values.rad_phideg) + 180) * Math.PI / 180);
      g.scale(1, -1);
      g.globalAlpha = 0.45;
      g.filter = "grayscale(1)";  // the radiator in grey, so that colour means the figure of merit
      g.drawImage(this.image, -w / 2, -h / 2, w, h);
      if (this.mask) {
        g.globalAlpha = 1;
        g.filter = "none";
        g.imageSmoothingEnabled = false;
        g.drawImage(this.mask.canvas, -this.mask.width / 2, -this.mask.height / 2, this.mask.width, this.mask.height);
      }
      g.restore();
    }
    // The figure of merit; excluded placements hatched.
    const vals = m.values.filter(v => v !== null && isFinite(v));
    const lo = Math.min(...vals), hi = Math.max(...vals), span = hi > lo ? hi - lo : 1;
    const nx = m.x_offsets_mm.length;
    g.globalAlpha = 0.85;
    m.y_offsets_mm.forEach((y, j) => m.x_offsets_mm.forEach((x, i) => {
      const v = m.values[j * nx + i];
      const left = f.px(x - f.dx / 2), top = f.py(y + f.dy / 2), w = f.dx * f.k + 0.5, h = f.dy * f.k + 0.5;
      if (v === null || !isFinite(v)) {
        g.strokeStyle = "rgba(220,220,220,.7)"; g.lineWidth = 1;
        g.beginPath(); g.moveTo(left, top + h); g.lineTo(left + w, top); g.stroke();
      } else { g.fillStyle = viridis((v - lo) / span); g.fillRect(left, top, w, h); }
    }));
    g.globalAlpha = 1;
    // Best spots numbered, the current beam position marked.
    const halo = (text, x, y) => { g.lineWidth = 3; g.strokeStyle = "#000"; g.strokeText(text, x, y); g.fillStyle = "#fff"; g.fillText(text, x, y); };
    g.font = "bold 13px system-ui, sans-serif"; g.textAlign = "center"; g.textBaseline = "middle";
    (m.best || []).forEach((b, i) => {
      const x = f.px(b.rad_xoffset), y = f.py(b.rad_yoffset);
      g.beginPath(); g.arc(x, y, 9, 0, 2 * Math.PI); g.fillStyle = "rgba(0,0,0,.55)"; g.fill();
      g.strokeStyle = "#fff"; g.lineWidth = 1.5; g.stroke();
      halo(String(i + 1), x, y);
    });
    const bx = f.px(Number(state.values.rad_xoffset)), by = f.py(Number(state.values.rad_yoffset));
    g.strokeStyle = "#000"; g.lineWidth = 4;
    g.beginPath(); g.moveTo(bx - 10, by); g.lineTo(bx + 10, by); g.moveTo(bx, by - 10); g.lineTo(bx, by + 10); g.stroke();
    g.strokeStyle = "#ff8c42"; g.lineWidth = 2; g.stroke();
    g.restore();
    // Axes in mm and the colour bar with the figure's name and unit.
    g.fillStyle = "#1b2330"; g.strokeStyle = "#1b2330"; g.lineWidth = 1; g.font = "12px system-ui, sans-serif";
    g.strokeRect(f.px(f.x0), f.py(f.y1), (f.x1 - f.x0) * f.k, (f.y1 - f.y0) * f.k);
    const ticks = (a, b) => { const s = [0.5, 1, 2, 5, 10].find(t => (b - a) / t <= 8) || 10; const out = []; for (let t = Math.ceil(a / s) * s; t <= b; t += s) out.push(+t.toFixed(6)); return out; };
    g.textAlign = "center"; g.textBaseline = "top";
    for (const t of ticks(f.x0, f.x1)) g.fillText(String(t), f.px(t), f.py(f.y0) + 4);
    g.fillText("rad_xoffset (mm)", f.px((f.x0 + f.x1) / 2), f.py(f.y0) + 20);
    g.textAlign = "right"; g.textBaseline = "middle";
    for (const t of ticks(f.y0, f.y1)) g.fillText(String(t), f.px(f.x0) - 4, f.py(t));
    g.save(); g.translate(12, f.py((f.y0 + f.y1) / 2)); g.rotate(-Math.PI / 2); g.textAlign = "center"; g.fillText("rad_yoffset (mm)", 0, 0); g.restore();
    const cbx = f.cssW - f.pad.r + 12, cbTop = f.pad.t, cbH = Math.max(60, (f.y1 - f.y0) * f.k);
    for (let i = 0; i < cbH; i++) { g.fillStyle = viridis(1 - i / cbH); g.fillRect(cbx, cbTop + i, 14, 1.5); }
    g.fillStyle = "#1b2330"; g.textAlign = "left"; g.textBaseline = "middle";
    g.fillText(fmt(hi), cbx + 18, cbTop + 6); g.fillText(fmt(lo), cbx + 18, cbTop + cbH - 6);
    g.save(); g.translate(cbx + 36, cbTop + cbH / 2); g.rotate(-Math.PI / 2); g.textAlign = "center";
    const unit = UNITS[m.fom] ? ` (${UNITS[m.fom]})` : "";
    g.fillText((FOMS.find(x => x[0] === m.fom) || [m.fom, m.fom])[1] + unit, 0, 0); g.restore();
    // The best spots as a list of buttons.
    const list = this.el.querySelector(".best");
    (m.best || []).forEach((b, i) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "bestspot";
      button.textContent = `${i + 1}. x ${b.rad_xoffset.toFixed(2)} mm, y ${b.rad_yoffset.toFixed(2)} mm: ${fmt(b.value)}${UNITS[m.fom] ? " " + UNITS[m.fom] : ""}`
        + ` (on crystal ${(100 * b.fraction_on_crystal).toFixed(1)} %, rms tilt ${b.rms_tilt_urad.toFixed(0)} µrad)`;
      button.addEventListener("click", () => state.actions.moveBeam(b.rad_xoffset, b.rad_yoffset, b));
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  click(e) {
    if (!this.map) return;
    const f = this.frame(), r = this.canvas.getBoundingClientRect();
    const x = f.mmX(e.clientX - r.left), y = f.mmY(e.clientY - r.top);
    if (x < f.x0 || x > f.x1 || y < f.y0 || y > f.y1) return;
    state.actions.moveBeam(+x.toFixed(2), +y.toFixed(2), null);
  }
}
