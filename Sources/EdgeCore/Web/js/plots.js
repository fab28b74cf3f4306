// The plot panels: each asks the edge for its plot at the size it is shown (device pixels), with
// only the parameters its kind depends on, so a change elsewhere does not re-fetch it. Pinned
// spectra are overlaid on the spectrum plots; downloads carry descriptive names.

import { state, subscribe, notify, writeURL, queryOf, spectrumQuery, pageQuery, hasErrors, isIdeal, isUnknownRadiator,
  PLOT_KINDS, SPECTRUM_KINDS, TILT_PARAMS } from "./state.js";
import { setupOf } from "./gluex.js";
import { Follower } from "./api.js";
import { shared, succeeded, failed } from "./data.js";
import { beamWarning } from "./beamview.js";
import { polarizationPlane } from "./readouts.js";
import { MapView } from "./map.js";
import { isCompact, roomBelow } from "./layout.js";

const TITLES = Object.fromEntries(PLOT_KINDS);
/** Pinned spectra one plot overlays (the edge's limit); the plots label them "pin 1" … "pin 4". */
const MAX_OVERLAID = 4;
let panels = [];
let serial = 0;

/** The tilt plot's range and bin: a few rms around the spot's mean (unless the user set them). */
export function autoTiltRange(t) {
  const ch = (t.thetah_edges_mr[0] + t.thetah_edges_mr.at(-1)) / 2, cv = (t.thetav_edges_mr[0] + t.thetav_edges_mr.at(-1)) / 2;
  const half = Math.max(Math.abs(t.mean_thetah_mr - ch) + 4 * t.rms_thetah_mr, Math.abs(t.mean_thetav_mr - cv) + 4 * t.rms_thetav_mr, 0.005);
  const round2 = v => { const p = 10 ** (Math.floor(Math.log10(v)) - 1); return Math.ceil(v / p) * p; };
  const range = Math.min(20, round2(2 * half));
  const resol = Math.max(0.0005, Number((range / 64).toPrecision(2)));
  return { rad_tilt_range: String(+range.toPrecision(3)), rad_tilt_resol: String(resol) };
}

/** The plot's size in device pixels, in steps of 50 so that small resizes reuse the plot. */
function sizePx(el) {
  const css = el.clientWidth || 400;
  return String(Math.max(200, Math.min(2000, Math.round(css * (window.devicePixelRatio || 1) / 50) * 50)));
}

/** The query of one plot, or null while it cannot be asked yet (the reason in `wait`). */
function plotQuery(panel) {
  const kind = panel.kind;
  if (isUnknownRadiator() || state.values.radiator_name === "") return { wait: "Choose a radiator." };
  if (kind === "spot" || kind === "tilt") {
    if (isIdeal()) return { wait: "The ideal crystal has no topograph: the spot and tilt plots need a radiator." };
    const names = kind === "spot" ? [...TILT_PARAMS, "map_quantity"] : TILT_PARAMS;
    const extra = { plot_type: kind, size_px: sizePx(panel.imgwrap) };
    if (kind === "tilt" && !state.explicit.has("rad_tilt_range") && !state.explicit.has("rad_tilt_resol")) {
      const current = "/api/tilt?" + queryOf(TILT_PARAMS);
      if (shared.tiltLoaded !== current || !shared.tilt) return { wait: null };
      Object.assign(extra, autoTiltRange(shared.tilt));
    }
    const q = new URLSearchParams(queryOf(names));
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    return { query: q.toString() };
  }
  if (state.snapping) return { wait: null };
  const q = new URLSearchParams(spectrumQuery({ plot_type: kind, size_px: sizePx(panel.imgwrap) }));
  for (const pin of state.page.pins.slice(0, MAX_OVERLAID)) q.append("compare", pinQuery(pin));
  return { query: q.toString() };
}

/** A pin's query with its name, which the plot's legend and downloads then use. */
const pinQuery = pin => pin.query + "&pin_name=" + encodeURIComponent(pin.name);

/** A download's query: the page's whole question (every parameter, the edge lock's snap as PARA/PERP,
 *  the pins with their names) plus what the shown plot was drawn with (its kind, size, tilt range, map
 *  settings). So the file's "understood" parameters are the page's, never defaults it did not send. */
function downloadQuery(kind, shown) {
  const q = new URLSearchParams(pageQuery());
  for (const [k, v] of new URLSearchParams(shown)) if (k !== "compare") q.set(k, v);
  if (SPECTRUM_KINDS.includes(kind)) for (const pin of state.page.pins.slice(0, MAX_OVERLAID)) q.append("compare", pinQuery(pin));
  if (kind === "map" && state.page.map_scale !== "honest") q.set("map_scale", state.page.map_scale);
  return q.toString();
}

/** What tells two downloads apart: the plot, radiator, placement, beam energy, edge and plane, θz setup,
 *  collimator and thickness. */
function downloadName(kind, ext) {
  const v = state.values;
  const plane = state.page.lock === "on" ? state.page.plane : (shared.spectrum && shared.spectrum.gluex_plane || "").split(" ")[0];
  const setup = setupOf(v.rad_thetaz);
  const goniometer = [state.page.lock === "on" ? `edge${v.snap_edge}` : `th${v.rad_thetah}_tv${v.rad_thetav}`,
    (plane || "") + (setup ? setup.replace("/", "-") : `thz${v.rad_thetaz}`)];
  const beam = [`E${v.ebeam_energy}`, `coll${v.collimator_diameter}mm`, `${v.rad_thickness}um`];
  let parts;
  if (kind === "map") {
    // A map spans the offsets: it is named for its figure of merit, goniometer and step instead.
    parts = [state.page.fom, state.page.map_resnap === "on" ? "resnapped" : "fixed", v.map_step ? `step${v.map_step}` : "", ...beam, ...goniometer];
  } else if (SPECTRUM_KINDS.includes(kind)) {
    parts = [`x${v.rad_xoffset}`, `y${v.rad_yoffset}`, ...beam, ...goniometer];
  } else {
    parts = [`x${v.rad_xoffset}`, `y${v.rad_yoffset}`, `sx${v.ebeam_xsigma}`, `sy${v.ebeam_ysigma}`];
  }
  return ["spotfinder", kind, v.radiator_name || "radiator", ...parts.filter(Boolean)].join("_").replace(/[^A-Za-z0-9_.+-]/g, "") + "." + ext;
}

function makePanel(kind) {
  const el = document.createElement("section");
  el.className = "panel";
  const id = "plotkind" + ++serial;
  el.innerHTML = `<div class="bar"><label for="${id}">view</label>
      <select id="${id}">${PLOT_KINDS.map(t => `<option value="${t[0]}">${t[1]}</option>`).join("")}</select>
      <span class="downloads"><a class="dl-png">PNG</a> <a class="dl-csv">CSV</a> <a class="dl-json">JSON</a></span>
      <button type="button" class="close">×</button></div>
    <div class="plane" hidden></div>
    <div class="warn" hidden></div>
    <div class="imgwrap"><img alt=""><div class="wait" hidden></div><div class="stalebadge">stale: fix the highlighted value</div></div>
    <div class="mapwrap" hidden></div>
    <div class="perr" role="alert"></div>`;
  const panel = { el, kind, imgwrap: el.querySelector(".imgwrap"), shownURL: null, map: null };
  panel.fetch = new Follower("blob", (blob, url) => {
    const img = el.querySelector("img"), next = URL.createObjectURL(blob), old = img.src;
    img.onload = () => { if (old.startsWith("blob:")) URL.revokeObjectURL(old); };
    img.src = next;
    img.alt = `${TITLES[panel.kind]} plot`;
    panel.shownURL = url;
    panel.error = null;
    succeeded(url);
    update(panel);
  }, (e, url) => {
    panel.error = failed(e, url);
    update(panel);
  });
  el.querySelector("select").value = kind;
  el.querySelector("select").addEventListener("change", e => {
    panel.kind = e.target.value;
    state.page.panels = panels.map(p => p.kind);
    writeURL(true);
    update(panel);
  });
  el.querySelector(".close").addEventListener("click", () => {
    panels = panels.filter(p => p !== panel);
    if (panel.map) panel.map.stop();
    el.remove();
    state.page.panels = panels.map(p => p.kind);
    writeURL(true);
  });
  document.getElementById("panels").appendChild(el);
  return panel;
}

/** In the compact layout a (square) plot is no wider than the room below its top, so that it is seen
 *  whole beside the map; it is then requested at that smaller size. Elsewhere it fills its panel. */
function fitPlot(panel) {
  panel.imgwrap.style.maxWidth = "";
  if (isCompact() && !panel.imgwrap.hidden) panel.imgwrap.style.maxWidth = Math.max(200, Math.floor(roomBelow(panel.imgwrap))) + "px";
}

function update(panel) {
  const el = panel.el, kind = panel.kind, title = TITLES[kind];
  el.dataset.kind = kind;
  el.querySelector(".close").setAttribute("aria-label", `remove the ${title} plot`);
  el.querySelector("select").setAttribute("aria-label", "plot type");
  const isMap = kind === "map";
  panel.imgwrap.hidden = isMap;
  el.querySelector(".mapwrap").hidden = !isMap;
  if (isMap) {
    if (!panel.map) panel.map = new MapView(el.querySelector(".mapwrap"));
    panel.map.render();
  } else if (panel.map) { panel.map.stop(); panel.map = null; el.querySelector(".mapwrap").innerHTML = ""; }
  // Warnings and the polarization plane, named on the plots they concern.
  const warnEl = el.querySelector(".warn");
  const warning = SPECTRUM_KINDS.includes(kind) && !isIdeal() ? beamWarning(shared.tilt) : "";
  if (warnEl.textContent !== warning) warnEl.textContent = warning;
  warnEl.hidden = !warning;
  const plane = el.querySelector(".plane");
  plane.hidden = kind !== "polar";
  plane.textContent = kind === "polar" ? `polarization plane: ${polarizationPlane()}` : "";
  if (!isMap) fitPlot(panel);
  const q = isMap ? panel.map.plotQuery() : plotQuery(panel);
  const wait = el.querySelector(".wait");
  wait.hidden = !q.wait;
  wait.textContent = q.wait || "";
  if (q.wait) el.querySelector("img").removeAttribute("src");
  if (q.query) {
    const url = "/plot.png?" + q.query, download = "/plot.png?" + downloadQuery(kind, q.query);
    for (const [cls, fmt, ext] of [["png", "", "png"], ["csv", "&format=csv", "csv"], ["json", "&format=json", "json"]]) {
      const a = el.querySelector(".dl-" + cls);
      a.href = download + fmt;
      a.download = downloadName(kind, ext);
      a.setAttribute("aria-label", `download the ${title} plot as ${ext.toUpperCase()}`);
    }
    if (!isMap) panel.fetch.want(url);
  }
  // A panel waiting for a radiator shows no result, so nothing of it is stale.
  const stale = !isMap && !q.wait && (hasErrors() || !!panel.error);
  el.classList.toggle("stale", stale);
  el.querySelector(".perr").textContent = q.wait ? "" : (panel.error || "");
}

/** Rebuild the panels from the state (on load and on Back/Forward). */
export function rebuildPanels() {
  panels.forEach(p => { if (p.map) p.map.stop(); p.el.remove(); });
  panels = state.page.panels.map(makePanel);
  panels.forEach(update);
}

function renderPins() {
  const list = document.getElementById("pins");
  list.innerHTML = "";
  state.page.pins.forEach((pin, i) => {
    const li = document.createElement("li");
    li.innerHTML = `<span class="pinname"></span> <button type="button" class="unpin">×</button>`;
    const label = state.page.pins.length > 1 ? `pin ${i + 1}: ` : "pinned: ";
    li.querySelector(".pinname").textContent = label + pin.name + (i >= MAX_OVERLAID ? " (not overlaid: at most 4)" : "");
    li.querySelector(".unpin").setAttribute("aria-label", `remove pin ${pin.name}`);
    li.querySelector(".unpin").addEventListener("click", () => {
      state.page.pins.splice(i, 1);
      writeURL(true);
      notify(["pins"]);
    });
    list.appendChild(li);
  });
}

export function startPlots() {
  document.getElementById("add_panel").addEventListener("click", () => {
    const p = makePanel("intense");
    panels.push(p);
    state.page.panels = panels.map(x => x.kind);
    writeURL(true);
    update(p);
  });
  document.getElementById("pin").addEventListener("click", () => {
    const box = document.getElementById("pin_name");
    const v = state.values;
    const name = box.value.trim() || `θH ${(+v.rad_thetah).toFixed(4)} θV ${(+v.rad_thetav).toFixed(3)} at x ${v.rad_xoffset}, y ${v.rad_yoffset}`;
    // The pin is the page's whole question at this moment (the edge and the lock's plane too), so that its
    // parameters in a download are what the page showed, never defaults.
    const q = new URLSearchParams(pageQuery());
    for (const k of ["map_quantity", "map_step", "ebeam_jitter"]) q.delete(k);
    state.page.pins.push({ name: name.replace(/~/g, "-"), query: q.toString() });
    box.value = "";
    writeURL(true);
    notify(["pins"]);
  });
  let resizeTimer = null;
  window.addEventListener("resize", () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(() => panels.forEach(update), 150); });
  subscribe(() => { renderPins(); panels.forEach(update); });
  rebuildPanels();
  renderPins();
}
