/// The page the edge serves at `/`: one self-contained file (no CDN, no build step).
///
/// Geometry: the beam is fixed at the centre of the "beam view"; the radiator
/// image moves and turns under it with the same transform the tilt-service
/// samples with (README, "Geometry"): lab = R(φ)·(r − centre) + (rad_xoffset, rad_yoffset).
enum WebPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Spotfinder — coherent bremsstrahlung beam spot</title>
<style>
  :root { --ink:#1b2330; --muted:#5b6675; --line:#d6dbe2; --accent:#1f4e9c; --err:#b3261e; --bg:#f6f7f9; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.35 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--ink); background:var(--bg); }
  header { display:flex; align-items:center; gap:1rem; padding:.5rem 1rem; background:#fff; border-bottom:1px solid var(--line); }
  header h1 { font-size:1.1rem; margin:0; }
  #busy { margin-left:auto; color:var(--muted); visibility:hidden; }
  #busy.on { visibility:visible; }
  main { display:grid; grid-template-columns: minmax(330px, 420px) 1fr; gap:1rem; padding:1rem; }
  section.controls { background:#fff; border:1px solid var(--line); border-radius:6px; padding:.75rem; }
  fieldset { border:1px solid var(--line); border-radius:6px; margin:0 0 .6rem; padding:.4rem .6rem .6rem; min-width:0; }
  select { width:100%; min-width:0; }
  legend { font-weight:600; padding:0 .3rem; }
  .row { display:grid; grid-template-columns: 8.5rem 1fr 5.5rem; align-items:center; gap:.4rem; margin:.25rem 0; }
  .row.nos { grid-template-columns: 8.5rem 1fr; }
  .row label { color:var(--muted); }
  input[type=number] { width:100%; padding:.15rem .25rem; }
  input[aria-invalid=true] { outline:2px solid var(--err); }
  .err { grid-column: 1 / -1; color:var(--err); font-size:.85rem; min-height:0; }
  .err:empty { display:none; }
  button { padding:.25rem .6rem; border:1px solid var(--line); border-radius:4px; background:#fff; cursor:pointer; }
  button:focus-visible, input:focus-visible, select:focus-visible { outline:2px solid var(--accent); outline-offset:1px; }
  #beamview { position:relative; width:100%; aspect-ratio: 1 / 1; overflow:hidden; background:#0f1720; border-radius:6px; }
  #radimg { position:absolute; left:50%; top:50%; image-rendering: pixelated; transform-origin: 50% 50%; }
  #beamsvg { position:absolute; inset:0; width:100%; height:100%; pointer-events:none; }
  #fractions { color:var(--muted); margin:.3rem 0; }
  .panels { display:grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap:1rem; align-content:start; }
  .panel { background:#fff; border:1px solid var(--line); border-radius:6px; padding:.5rem; }
  .panel .bar { display:flex; gap:.4rem; align-items:center; flex-wrap:wrap; margin-bottom:.3rem; }
  .panel img { width:100%; height:auto; display:block; }
  .panel .perr { color:var(--err); }
  .panel a { font-size:.85rem; }
  dialog { border:1px solid var(--line); border-radius:6px; }
  @media (max-width: 900px) { main { grid-template-columns: 1fr; } }
</style>
</head>
<body>
<header>
  <h1>Spotfinder</h1>
  <span>choose where to put the electron beam on a diamond radiator</span>
  <span id="busy" role="status" aria-live="polite">computing…</span>
</header>
<main>
<section class="controls" aria-label="controls">
  <fieldset>
    <legend>Radiator</legend>
    <div class="row nos"><label for="radiator_name">radiator</label><select id="radiator_name" data-param="radiator_name"></select></div>
    <div class="row nos"><label for="radiator_view">side upstream</label>
      <select id="radiator_view" data-param="radiator_view"><option>front</option><option>back</option></select></div>
    <div class="row nos"><label for="map_quantity">topograph shows</label>
      <select id="map_quantity" data-param="map_quantity"><option value="thetah">θH tilt</option><option value="thetav">θV tilt</option><option value="elevation">elevation</option></select></div>
    <div id="beamview" aria-label="radiator under the fixed beam spot">
      <img id="radimg" alt="radiator topograph">
      <svg id="beamsvg" viewBox="-200 -200 400 400" preserveAspectRatio="xMidYMid meet" aria-hidden="true"></svg>
    </div>
    <div id="fractions" aria-live="polite"></div>
    <div class="row"><label for="rad_xoffset">x offset (mm)</label><input type="range" min="-6" max="6" step="0.01" data-slider="rad_xoffset"><input type="number" id="rad_xoffset" data-param="rad_xoffset" step="0.01"><div class="err" data-err="rad_xoffset"></div></div>
    <div class="row"><label for="rad_yoffset">y offset (mm)</label><input type="range" min="-6" max="6" step="0.01" data-slider="rad_yoffset"><input type="number" id="rad_yoffset" data-param="rad_yoffset" step="0.01"><div class="err" data-err="rad_yoffset"></div></div>
    <div class="row"><label for="rad_phideg">φ rotation (deg)</label><input type="range" min="-180" max="180" step="0.5" data-slider="rad_phideg"><input type="number" id="rad_phideg" data-param="rad_phideg" step="0.5"><div class="err" data-err="rad_phideg"></div></div>
  </fieldset>
  <fieldset>
    <legend>Crystal tilt</legend>
    <div class="row"><label for="rad_thetah">θH (mrad)</label><input type="range" min="-10" max="60" step="0.0005" data-slider="rad_thetah"><input type="number" id="rad_thetah" data-param="rad_thetah" step="0.0005"><div class="err" data-err="rad_thetah"></div></div>
    <div class="row"><label for="rad_thetav">θV (mrad)</label><input type="range" min="-10" max="60" step="0.0005" data-slider="rad_thetav"><input type="number" id="rad_thetav" data-param="rad_thetav" step="0.0005"><div class="err" data-err="rad_thetav"></div></div>
    <div class="row"><label for="snap_edge">snap edge (GeV)</label>
      <span><button type="button" id="snap_para">Para</button> <button type="button" id="snap_perp">Perp</button></span>
      <input type="number" id="snap_edge" data-param="snap_edge" step="0.05"><div class="err" data-err="snap_edge"></div><div class="err" data-err="snap_action"></div></div>
  </fieldset>
  <fieldset>
    <legend>Electron beam</legend>
    <div class="row"><label for="ebeam_energy">energy (GeV)</label><input type="range" min="1" max="20" step="0.05" data-slider="ebeam_energy"><input type="number" id="ebeam_energy" data-param="ebeam_energy" step="0.05"><div class="err" data-err="ebeam_energy"></div></div>
    <div class="row"><label for="ebeam_xsigma">spot σx (mm)</label><input type="range" min="0.05" max="3" step="0.01" data-slider="ebeam_xsigma"><input type="number" id="ebeam_xsigma" data-param="ebeam_xsigma" step="0.01"><div class="err" data-err="ebeam_xsigma"></div></div>
    <div class="row"><label for="ebeam_ysigma">spot σy (mm)</label><input type="range" min="0.05" max="3" step="0.01" data-slider="ebeam_ysigma"><input type="number" id="ebeam_ysigma" data-param="ebeam_ysigma" step="0.01"><div class="err" data-err="ebeam_ysigma"></div></div>
    <div class="row"><label for="ebeam_xycorr">x–y correlation</label><input type="range" min="-0.95" max="0.95" step="0.01" data-slider="ebeam_xycorr"><input type="number" id="ebeam_xycorr" data-param="ebeam_xycorr" step="0.01"><div class="err" data-err="ebeam_xycorr"></div></div>
    <div class="row nos"><label for="ebeam_xyresol">spot sampling (mm)</label><input type="number" id="ebeam_xyresol" data-param="ebeam_xyresol" step="0.005"><div class="err" data-err="ebeam_xyresol"></div></div>
    <div class="row nos"><label>collimation</label><span><button type="button" id="open_collimation">Collimation settings…</button></span></div>
  </fieldset>
  <fieldset>
    <legend>Photon energy window</legend>
    <div class="row nos"><label for="pbeam_energy_min">from (GeV)</label><input type="number" id="pbeam_energy_min" data-param="pbeam_energy_min" step="0.1"><div class="err" data-err="pbeam_energy_min"></div></div>
    <div class="row nos"><label for="pbeam_energy_max">to (GeV)</label><input type="number" id="pbeam_energy_max" data-param="pbeam_energy_max" step="0.1"><div class="err" data-err="pbeam_energy_max"></div></div>
    <div class="row nos"><label for="pbeam_energy_resol">step (GeV)</label><input type="number" id="pbeam_energy_resol" data-param="pbeam_energy_resol" step="0.005"><div class="err" data-err="pbeam_energy_resol"></div></div>
  </fieldset>
</section>
<section>
  <div class="bar" style="display:flex;gap:.5rem;margin-bottom:.5rem;align-items:center">
    <button type="button" id="add_panel">Add a plot</button>
    <button type="button" id="pin">Pin spectrum for comparison</button>
    <span id="pinned" style="color:var(--muted)"></span>
    <div class="err" data-err="general" id="general_error" role="alert"></div>
  </div>
  <div class="panels" id="panels"></div>
</section>
</main>
<dialog id="collimation" aria-label="collimation settings">
  <form method="dialog">
    <fieldset><legend>Collimation and radiator</legend>
      <div class="row nos"><label for="vspot_rms">virtual spot at collimator (mm)</label><input type="number" id="vspot_rms" data-param="vspot_rms" step="0.05"><div class="err" data-err="vspot_rms"></div></div>
      <div class="row nos"><label for="rad_thickness">radiator thickness (µm)</label><input type="number" id="rad_thickness" data-param="rad_thickness" step="1"><div class="err" data-err="rad_thickness"></div></div>
      <div class="row nos"><label for="ebeam_emittance">emittance (m·rad)</label><input type="number" id="ebeam_emittance" data-param="ebeam_emittance" step="1e-10"><div class="err" data-err="ebeam_emittance"></div></div>
      <div class="row nos"><label for="ebeam_rms">energy spread (GeV)</label><input type="number" id="ebeam_rms" data-param="ebeam_rms" step="0.0001"><div class="err" data-err="ebeam_rms"></div></div>
      <div class="row nos"><label for="collimator_diameter">collimator diameter (mm)</label><input type="number" id="collimator_diameter" data-param="collimator_diameter" step="0.1"><div class="err" data-err="collimator_diameter"></div></div>
      <div class="row nos"><label for="collimator_distance">collimator distance (m)</label><input type="number" id="collimator_distance" data-param="collimator_distance" step="0.5"><div class="err" data-err="collimator_distance"></div></div>
      <div class="row nos"><label for="ebeam_current">beam current (µA)</label><input type="number" id="ebeam_current" data-param="ebeam_current" step="0.1"><div class="err" data-err="ebeam_current"></div></div>
    </fieldset>
    <button value="close">Close</button>
  </form>
</dialog>
<script>
"use strict";
const DEFAULTS = { radiator_view:"front", map_quantity:"thetah", ebeam_energy:11.6, ebeam_current:2.2, ebeam_rms:0.001, ebeam_xsigma:1.0, ebeam_ysigma:0.5,
  ebeam_xycorr:-0.6, ebeam_xyresol:0.02, ebeam_emittance:4.2e-9, vspot_rms:0.5, rad_thickness:50, collimator_diameter:3.4,
  collimator_distance:76, rad_xoffset:0, rad_yoffset:0, rad_phideg:0, rad_thetah:1.2296, rad_thetav:50,
  pbeam_energy_min:4.5, pbeam_energy_max:7.0, pbeam_energy_resol:0.02, snap_edge:6.0 };
const PLOT_TYPES = [["spot","beam spot on crystal"],["tilt","crystal tilt distribution"],["intense","intensity spectrum"],["enhance","enhancement"],["polar","polarization"]];
const state = {};
let radiators = [];
let panels = [];
let pinned = null;
let pending = 0;
const $ = (s) => document.querySelector(s);

function busy(delta) { pending += delta; $("#busy").classList.toggle("on", pending > 0); }

function query(extra) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(state)) if (v !== "") p.set(k, v);
  for (const [k, v] of Object.entries(extra || {})) p.set(k, v);
  return p.toString();
}

function fromURL() {
  const u = new URLSearchParams(location.search);
  for (const k of Object.keys(DEFAULTS)) state[k] = u.has(k) ? u.get(k) : String(DEFAULTS[k]);
  state.radiator_name = u.get("radiator_name") || state.radiator_name || "";
  const kinds = (u.get("panels") || u.get("plot_type") || "tilt,polar").split(",").filter(k => PLOT_TYPES.some(t => t[0] === k));
  return { hadOrientation: u.has("rad_thetah") || u.has("rad_thetav"), kinds: kinds.length ? kinds : ["tilt","polar"] };
}

function toURL(push) {
  const q = query({ panels: panels.map(p => p.kind).join(",") });
  const url = location.pathname + "?" + q;
  if (url === location.pathname + location.search) return;
  (push ? history.pushState : history.replaceState).call(history, null, "", url);
}

function showInputs() {
  document.querySelectorAll("[data-param]").forEach(el => { if (state[el.dataset.param] !== undefined && document.activeElement !== el) el.value = state[el.dataset.param]; });
  document.querySelectorAll("[data-slider]").forEach(el => { if (document.activeElement !== el) el.value = state[el.dataset.slider]; });
}

function clearErrors() {
  document.querySelectorAll(".err").forEach(e => e.textContent = "");
  document.querySelectorAll("[aria-invalid]").forEach(e => e.removeAttribute("aria-invalid"));
}

function showError(body) {
  const name = body && body.parameter;
  const target = name && document.querySelector(`[data-err="${name}"]`);
  (target || $("#general_error")).textContent = (body && body.error) || "request failed";
  const input = name && document.getElementById(name);
  if (input) input.setAttribute("aria-invalid", "true");
}

// ---- the beam view: the radiator moves and turns under the fixed beam
function radiatorInfo() { return radiators.find(r => r.name === state.radiator_name); }

function drawBeamView() {
  const view = $("#beamview"), img = $("#radimg"), info = radiatorInfo();
  const size = view.clientWidth || 360;
  const span = info ? Math.max(info.width_mm, info.height_mm) + 3 : 10;
  const pxPerMm = size / span;
  if (info && img.naturalWidth) {
    const w = img.naturalWidth * info.pixel_mm * pxPerMm, h = img.naturalHeight * info.pixel_mm * pxPerMm;
    img.style.width = w + "px"; img.style.height = h + "px";
    const ox = Number(state.rad_xoffset) * pxPerMm, oy = -Number(state.rad_yoffset) * pxPerMm;
    img.style.transform = `translate(-50%, -50%) translate(${ox}px, ${oy}px) rotate(${-Number(state.rad_phideg)}deg)`;
  }
  // Beam ellipses (1σ, 2σ) in the same mm scale, SVG units = 400 across the view.
  const k = 400 / size * pxPerMm, sx = Number(state.ebeam_xsigma), sy = Number(state.ebeam_ysigma), rho = Number(state.ebeam_xycorr);
  const path = n => { const pts = [];
    for (let i = 0; i <= 72; i++) { const t = i / 72 * 2 * Math.PI, u = Math.cos(t) * n, v = Math.sin(t) * n;
      const x = sx * u, y = rho * sy * u + sy * Math.sqrt(Math.max(0, 1 - rho * rho)) * v; pts.push(`${(x * k).toFixed(2)},${(-y * k).toFixed(2)}`); }
    return `<polyline points="${pts.join(" ")}" fill="none" stroke="#ff6b4a" stroke-width="${n === 1 ? 2 : 1.2}" />`; };
  $("#beamsvg").innerHTML = path(1) + path(2) + `<line x1="-6" y1="0" x2="6" y2="0" stroke="#fff"/><line x1="0" y1="-6" x2="0" y2="6" stroke="#fff"/>`;
}

function loadRadiatorImage() {
  if (!state.radiator_name || state.radiator_name === "ideal") { $("#radimg").removeAttribute("src"); return; }
  const src = "/radiator.png?" + new URLSearchParams({ radiator_name: state.radiator_name, radiator_view: state.radiator_view });
  if ($("#radimg").getAttribute("src") !== src) $("#radimg").setAttribute("src", src);
}

// ---- plots: one request in flight per panel; while it runs, changes only mark the panel
// dirty, and when it lands the newest state is fetched. The server never sees a pile of
// stale requests, and the old picture stays until the new one is ready (no flashing).
function addPanel(kind) {
  const el = document.createElement("div");
  el.className = "panel";
  const id = "p" + Math.random().toString(36).slice(2, 8);
  el.innerHTML = `<div class="bar"><label for="${id}">view</label><select id="${id}" aria-label="plot type">${PLOT_TYPES.map(t => `<option value="${t[0]}">${t[1]}</option>`).join("")}</select>
    <a class="dl-png" download>PNG</a> <a class="dl-csv" download>CSV</a> <a class="dl-json" download>JSON</a>
    <button type="button" class="close" aria-label="remove this plot">×</button></div>
    <img alt="plot"><div class="perr" role="alert"></div>`;
  const panel = { el, kind, busy: false, dirty: false, url: null };
  el.querySelector("select").value = kind;
  el.querySelector("select").addEventListener("change", e => { panel.kind = e.target.value; toURL(true); refreshPanel(panel); });
  el.querySelector(".close").addEventListener("click", () => { panels = panels.filter(p => p !== panel); el.remove(); toURL(true); });
  $("#panels").appendChild(el);
  panels.push(panel);
  return panel;
}

function panelURL(panel) {
  const extra = { plot_type: panel.kind, size_px: 600 };
  if (pinned && ["intense","enhance","polar"].includes(panel.kind)) extra.compare = pinned;
  return "/plot.png?" + query(extra);
}

async function refreshPanel(panel) {
  const url = panelURL(panel);
  panel.el.querySelector(".dl-png").href = url;
  panel.el.querySelector(".dl-csv").href = url + "&format=csv";
  panel.el.querySelector(".dl-json").href = url + "&format=json";
  if (panel.url === url) return;
  if (panel.busy) { panel.dirty = true; return; }
  panel.busy = true;
  busy(1);
  try {
    const r = await fetch(url);
    if (!r.ok) {
      const body = await r.json().catch(() => ({ error: r.statusText }));
      if (panelURL(panel) === url) { panel.el.querySelector(".perr").textContent = body.error; showError(body); panel.url = url; }
    } else {
      const blob = await r.blob();
      const img = panel.el.querySelector("img"), next = URL.createObjectURL(blob), old = img.src;
      img.onload = () => { if (old.startsWith("blob:")) URL.revokeObjectURL(old); };
      img.src = next;
      img.alt = panel.kind + " plot";
      panel.url = url;
      panel.el.querySelector(".perr").textContent = "";
    }
  } catch (e) { panel.el.querySelector(".perr").textContent = String(e); }
  finally {
    busy(-1);
    panel.busy = false;
    if (panel.dirty || panelURL(panel) !== panel.url) { panel.dirty = false; refreshPanel(panel); }
  }
}

let fractions = { busy: false, dirty: false, q: null };
async function refreshFractions() {
  if (!state.radiator_name || state.radiator_name === "ideal") { $("#fractions").textContent = ""; return; }
  const q = query();
  if (fractions.q === q) return;
  if (fractions.busy) { fractions.dirty = true; return; }
  fractions.busy = true;
  busy(1);
  try {
    const r = await fetch("/api/tilt?" + q);
    const body = await r.json();
    fractions.q = q;
    if (!r.ok) { if (query() === q) showError(body); return; }
    $("#fractions").textContent = `beam on crystal ${(100 * body.fraction_on_crystal).toFixed(2)} %, on mount ${(100 * body.fraction_on_mount).toFixed(2)} %, mean tilt θH ${(1000 * body.mean_thetah_mr).toFixed(1)} µrad, θV ${(1000 * body.mean_thetav_mr).toFixed(1)} µrad`;
  } catch (e) { $("#fractions").textContent = String(e); }
  finally {
    busy(-1);
    fractions.busy = false;
    if (fractions.dirty) { fractions.dirty = false; refreshFractions(); }
  }
}

let scheduled = false;
function refresh() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => { scheduled = false; clearErrors(); drawBeamView(); loadRadiatorImage(); refreshFractions(); panels.forEach(refreshPanel); });
}

function set(name, value, push) {
  state[name] = String(value);
  showInputs();
  toURL(push);
  refresh();
}

async function snap(action) {
  busy(1);
  try {
    const r = await fetch("/api/snap?" + query({ snap_action: action }));
    const body = await r.json();
    if (!r.ok) { showError(body); return; }
    state.rad_thetah = String(+body.rad_thetah.toFixed(6));
    state.rad_thetav = String(+body.rad_thetav.toFixed(6));
    showInputs(); toURL(true); refresh();
  } finally { busy(-1); }
}

function wire() {
  document.querySelectorAll("[data-slider]").forEach(el => {
    el.addEventListener("input", () => set(el.dataset.slider, el.value, false));
    el.addEventListener("change", () => set(el.dataset.slider, el.value, true));
  });
  document.querySelectorAll("[data-param]").forEach(el => {
    const handler = push => { if (el.value !== "") set(el.dataset.param, el.value, push); };
    el.addEventListener(el.tagName === "SELECT" ? "change" : "input", () => handler(el.tagName === "SELECT"));
    el.addEventListener("change", () => handler(true));
  });
  $("#snap_para").addEventListener("click", () => snap("snap_para"));
  $("#snap_perp").addEventListener("click", () => snap("snap_perp"));
  $("#open_collimation").addEventListener("click", () => $("#collimation").showModal());
  $("#add_panel").addEventListener("click", () => { refreshPanel(addPanel("intense")); toURL(true); });
  $("#pin").addEventListener("click", () => {
    pinned = pinned ? null : query();
    $("#pin").textContent = pinned ? "Unpin comparison" : "Pin spectrum for comparison";
    $("#pinned").textContent = pinned ? "pinned: θH " + state.rad_thetah + ", θV " + state.rad_thetav + " mrad" : "";
    panels.forEach(p => refreshPanel(p));
  });
  $("#radimg").addEventListener("load", drawBeamView);
  window.addEventListener("resize", drawBeamView);
  window.addEventListener("popstate", () => { const s = fromURL(); rebuildPanels(s.kinds); showInputs(); refresh(); });
}

function rebuildPanels(kinds) {
  panels.forEach(p => p.el.remove()); panels = [];
  kinds.forEach(k => addPanel(k));
}

async function start() {
  const s = fromURL();
  wire();
  try {
    radiators = await (await fetch("/api/radiators")).json();
  } catch (e) { radiators = []; }
  const select = $("#radiator_name");
  select.innerHTML = radiators.map(r => `<option value="${r.name}">${r.name} — ${r.thickness_um} µm, rms tilt ${r.rms_tilt_urad.toFixed(0)} µrad</option>`).join("") + `<option value="ideal">ideal (perfect crystal)</option>`;
  if (!state.radiator_name) state.radiator_name = radiators.length ? radiators[0].name : "ideal";
  rebuildPanels(s.kinds);
  showInputs();
  // A meaningful first view: snapped para at the default edge for the spot's mean tilt.
  if (!s.hadOrientation) await snap("snap_para"); else { toURL(false); refresh(); }
}
start();
</script>
</body>
</html>
"""#
}
