// The radiator build: two (front θH, θV) or four (and the back's) reduced scans, a name and a thickness
// → POST /api/rci/build (with the token) → the report: a one-line verdict per scan with its numbers,
// the curl, residual and front−back figures, and the build's maps — the aligned maps blinking or
// overlaid (to check the automatic alignment as the original user did by hand), the curl, the residual,
// the elevation with contour lines and the front−back difference (PNG from the plot-renderer). Every
// map downloads as PNG/CSV/JSON/TIFF and the report as JSON. "Use this radiator" opens it in the beam tool.

import { state, notify, writeURL } from "./state.js";
import { Latest, RequestFailed, rciURL, rciBuild, busyMessage } from "./api.js";
import { currentToken, forgetIfRefused } from "./token.js";
import { PixelMap, robustRange } from "./pixelmap.js";
import { fmt } from "./map.js";
import { downloadLinks, fileName } from "./downloads.js";

const $ = s => document.querySelector(s);
const SLOTS = [["front_h", "front", "thetah"], ["front_v", "front", "thetav"], ["back_h", "back", "thetah"], ["back_v", "back", "thetav"]];
/** The build's maps as a physicist names them. */
const BUILD_MAPS = {
  elevation: "elevation with contour lines (nm)", curl: "curl of the tilt field (loop check, µrad)",
  residual: "residual: surface gradient − measured tilt (µrad)", front_back: "front − back elevation (nm)",
  thetah: "θH tilt of the radiator (µrad)", thetav: "θV tilt of the radiator (µrad)", mask: "crystal, mount and excluded pixels",
};
/** Maps of one scan on the radiator's grid, which blink and overlay with another of their kind. */
const PER_SCAN = { "aligned:": ["aligned peak position of", "µrad", "tilt"], "intensity:": ["aligned intensity of", "", "intensity"] };
const kindOf = map => Object.keys(PER_SCAN).find(k => map.startsWith(k));
const mapTitle = m => {
  const k = kindOf(m);
  if (k) return `${PER_SCAN[k][0]} ${m.slice(k.length)}${PER_SCAN[k][1] ? ` (${PER_SCAN[k][1]})` : ""}`;
  if (m.endsWith(":back") && BUILD_MAPS[m.slice(0, -5)]) return `back face: ${BUILD_MAPS[m.slice(0, -5)]}`;
  return BUILD_MAPS[m] || m;
};
/** Form fields by the server's parameter names (errors go to their field). */
const FIELDS = { radiator_name: "build_name", thickness_um: "build_thickness", front_h: "build_front_h", front_v: "build_front_v",
  back_h: "build_back_h", back_v: "build_back_v" };
const BLINK_MS = 700;

const view = { reportFor: null, report: null, reportFetch: new Latest(), aligned: new Map(), alignedFetch: new Latest(), pixelMap: null,
  blinking: null, blinkShowsSecond: false, hooks: null };

/** The scans offered in the four slots; each slot's first choice is a scan of its face and direction. */
export function fillBuildChoices(scans) {
  for (const [slot, face, rocking] of SLOTS) {
    const select = $(`#build_${slot}`), before = select.value;
    const optional = slot.startsWith("back");
    select.innerHTML = `<option value="">${optional ? "— none (front only) —" : "— choose a scan —"}</option>`
      + scans.map(s => `<option value="${s.name}">${s.name} (${s.face} ${s.rocking === "thetah" ? "θH" : "θV"})</option>`).join("");
    const guess = scans.find(s => s.face === face && s.rocking === rocking);
    select.value = scans.some(s => s.name === before) ? before : guess ? guess.name : "";
  }
}

function fieldError(param, text) {
  const id = FIELDS[param];
  const box = id && $("#" + id);
  const errEl = $(`#${id}_error`) || $("#build_status");
  if (box) box.setAttribute("aria-invalid", text ? "true" : "false");
  if (errEl) { errEl.textContent = text; errEl.className = errEl.id === "build_status" ? (text ? "error" : "") : "err"; }
}

function clearErrors() { for (const p of Object.keys(FIELDS)) fieldError(p, ""); $("#build_status").textContent = ""; }

async function build() {
  clearErrors();
  const params = { radiator_name: $("#build_name").value.trim(), thickness_um: $("#build_thickness").value.trim() };
  for (const [slot] of SLOTS) params[slot] = $(`#build_${slot}`).value;
  if (!params.front_h || !params.front_v) { fieldError(params.front_h ? "front_v" : "front_h", "Choose the front's θH and θV scans (both are needed)."); return; }
  if (!!params.back_h !== !!params.back_v) { fieldError(params.back_h ? "back_v" : "back_h", "The back needs both θH and θV (or neither)."); return; }
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(params.radiator_name)) {
    fieldError("radiator_name", "radiator name: letters, digits, '_', '.', '-' (up to 64, starting with a letter or digit)"); $("#build_name").focus(); return;
  }
  const t = Number(params.thickness_um);
  if (!/^\s*\d+(\.\d*)?\s*$/.test(params.thickness_um) || !(t >= 1 && t <= 5000)) {
    fieldError("thickness_um", `thickness (µm) = '${params.thickness_um}': a number from 1 to 5000`); $("#build_thickness").focus(); return;
  }
  const token = currentToken() || $("#topo_token").value.trim();
  if (!token) { $("#topo_token_error").textContent = "Enter the deployment's token first (it is kept for this browser session only)."; $("#topo_token").focus(); return; }
  const status = $("#build_status"), button = $("#build_go"), started = Date.now();
  button.disabled = true;
  let running = true;
  const tick = () => { if (running) { status.textContent = `working… ${Math.round((Date.now() - started) / 1000)} s`; status.className = "working"; setTimeout(tick, 1000); } };
  tick();
  try {
    const report = await rciBuild(params, token);
    running = false;
    status.textContent = `Built ${report.radiator_name} in ${report.seconds.toFixed(1)} s: it is in the beam tool's radiators now.`;
    status.className = "ok";
    view.reportFor = report.radiator_name;
    view.report = report;
    view.aligned.clear();
    state.topo.build = report.radiator_name;
    if (!report.maps.includes(state.topo.build_map)) state.topo.build_map = report.maps[0];
    writeURL(true);
    await state.actions.reloadRadiators();
    notify(["build"]);
  } catch (e) {
    running = false;
    status.textContent = "";
    if (forgetIfRefused(e)) {
      $("#topo_token_error").textContent = `The token was refused (${e.message}): enter the deployment's token.`;
      $("#topo_token").focus();
    } else if (busyMessage(e)) { status.textContent = busyMessage(e); status.className = "error";
    } else if (e instanceof RequestFailed && (e.status === 405 || (e.status === 404 && !e.body.parameter))) {
      status.textContent = `This edge does not build radiators yet (POST /api/rci/build: ${e.message}).`; status.className = "error";
    } else if (e instanceof RequestFailed && FIELDS[e.body.parameter]) fieldError(e.body.parameter, e.message);
    else { status.textContent = `Build refused: ${e.message}`; status.className = "error"; }
  } finally { button.disabled = false; }
}

/** The report of state.topo.build (from the build's answer, or GET /api/rci/build_report). */
export async function renderBuild() {
  const name = state.topo.build;
  $("#buildview").hidden = !name;
  if (!name) { stopBlink(); return; }
  if (view.reportFor !== name) {
    view.reportFor = name; view.report = null; view.aligned.clear();
    $("#build_title").textContent = `Radiator ${name}`;
    try {
      const r = await view.reportFetch.get(rciURL.buildReport(name));
      if (!r || view.reportFor !== name) return;
      view.report = r;
    } catch (e) {
      $("#build_error").textContent = `No build report for ${name}: ${e.message}`;
      return;
    }
  }
  if (!view.report) return;
  $("#build_error").textContent = "";
  renderReport(view.report);
  renderBuildMap();
}

function renderReport(r) {
  $("#build_title").textContent = `Radiator ${r.radiator_name}`;
  const figures = [["curl rms", r.curl_rms_urad, "µrad"], ["residual rms", r.residual_rms_urad, "µrad"],
    ["front − back rms", r.front_back_rms_nm, "nm"], ["elevation range", r.elevation_range_nm, "nm"], ["built in", r.seconds, "s"]];
  $("#build_figures").innerHTML = "";
  for (const [label, v, unit] of figures) {
    const span = document.createElement("span");
    span.className = "figure";
    span.dataset.figure = label;
    span.textContent = `${label} ${v === null || v === undefined ? "— (no back scans)" : `${fmt(v, 3)} ${unit}`}`;
    $("#build_figures").appendChild(span);
  }
  const body = $("#verdicts tbody");
  body.innerHTML = "";
  const num = (v, d) => (v === null || v === undefined || !isFinite(v) ? "—" : (+v).toFixed(d));
  for (const v of r.verdicts) {
    const tr = document.createElement("tr");
    const cells = [v.scan, v.verdict, v.shift_px ? `${num(v.shift_px[0], 1)}, ${num(v.shift_px[1], 1)}` : "—", num(v.rotation_deg, 2),
      num(v.scale, 4), num(v.chi_deg, 2), num(v.dispersion_urad_per_mm, 2), num(v.ywalk_mm_per_mrad, 3),
      v.valid_fraction === undefined ? "—" : `${(100 * v.valid_fraction).toFixed(0)} %`];
    for (const c of cells) { const td = document.createElement("td"); td.textContent = c; tr.appendChild(td); }
    // The verdict's first word (good, usable, doubtful, …) coloured, so that a doubtful scan stands out.
    const word = (/^(\w+)/.exec(v.verdict || "") || ["", ""])[1].toLowerCase();
    tr.children[1].innerHTML = "";
    const b = document.createElement("b");
    b.className = "verdict-" + word;
    b.textContent = word;
    tr.children[1].append(b, (v.verdict || "").slice(word.length));
    tr.dataset.scan = v.scan;
    body.appendChild(tr);
  }
  const a = document.createElement("a");
  a.href = rciURL.buildReport(r.radiator_name);
  a.download = fileName("build", r.radiator_name, "report") + ".json";
  a.textContent = "report JSON";
  a.className = "dl-report";
  a.setAttribute("aria-label", `download the build report of ${r.radiator_name} as JSON`);
  $("#build_downloads").replaceChildren(a);
  const select = $("#build_map");
  select.innerHTML = r.maps.map(m => `<option value="${m}">${mapTitle(m)}</option>`).join("");
  select.value = state.topo.build_map;
  // The second map to blink with or overlay: another scan's map of the same kind.
  const kind = kindOf(state.topo.build_map);
  const same = kind ? r.maps.filter(m => m.startsWith(kind) && m !== state.topo.build_map) : [];
  const box = $("#overlay_with"), chosen = box.dataset.chosen;
  box.innerHTML = same.map(m => `<option value="${m}">${m.slice(kind.length)}</option>`).join("");
  box.value = same.includes(chosen) ? chosen : same[0] || "";
}

/** The aligned maps share the radiator's grid and one colour range (blinking compares like with like). */
async function alignedMap(name, map) {
  const key = `${name}|${map}`;
  if (!view.aligned.has(key)) view.aligned.set(key, fetch(rciURL.buildMap(name, map, "json")).then(async r => {
    const body = await r.json();
    if (!r.ok) throw new RequestFailed(r.status, body, r.url);
    return body;
  }));
  return view.aligned.get(key);
}

async function renderBuildMap() {
  const name = state.topo.build, map = state.topo.build_map, isAligned = !!kindOf(map);
  if ($("#build_map").value !== map) $("#build_map").value = map;
  downloadLinks($("#build_map_downloads"), format => rciURL.buildMap(name, map, format), fileName("build", name, map.replace(":", "-")), `the ${map} map of ${name}`);
  $("#blink_controls").hidden = !isAligned;
  $("#build_png").hidden = isAligned;
  $("#build_canvas").hidden = !isAligned;
  if (!isAligned) {
    stopBlink();
    const url = rciURL.buildMap(name, map, "png");
    const img = $("#build_png");
    if (img.getAttribute("src") !== url) { img.src = url; img.alt = `${mapTitle(map)} of ${name}`; }
    $("#build_caption").textContent = "The radiator's grid as the beam tool's topograph (looking downstream, x to the right, y up; row 0 at the bottom)"
      + (map.startsWith("elevation") ? "; contour lines of equal elevation at the round interval the colour bar names (also contour_interval in the JSON download)." : ".");
    return;
  }
  const second = $("#overlay_with").value;
  try {
    const [a, b] = await Promise.all([alignedMap(name, map), second && second !== map ? alignedMap(name, second) : null]);
    if (state.topo.build !== name || state.topo.build_map !== map) return;
    const rowsOf = m => m.values;  // rows top first (the answer's row_order says so)
    const all = [...rowsOf(a), ...(b ? rowsOf(b) : [])];
    const range = robustRange(all);
    const kindInfo = PER_SCAN[kindOf(map)];
    const shape = m => ({ rows: rowsOf(m), width: m.columns || m.values[0].length, height: m.rows || m.values.length, unit: m.unit ?? kindInfo[1],
      label: kindInfo[2], range, aspect: 1, rowZeroAtBottom: true,
      xLabel: `grid column → (${+(m.pixel_mm * 1000).toFixed(2)} µm a pixel)`, yLabel: "grid row ↑" });
    view.first = shape(a); view.second = b ? shape(b) : null;
    if (!view.pixelMap) view.pixelMap = new PixelMap($("#build_canvas"));
    view.secondImage = null;
    if (b) {
      // The second map is only an image to draw over the first: a PixelMap that never draws itself.
      const other = new PixelMap(document.createElement("canvas"));
      other.draw = () => {};
      other.show(view.second);
      view.secondImage = other;
    }
    showAligned();
    $("#build_caption").textContent = `Each scan's map brought onto the radiator's grid (beam view: looking downstream, x to the right, y up), `
      + `one colour range for both (${fmt(range.lo, 4)} to ${fmt(range.hi, 4)}${view.first.unit ? " " + view.first.unit : ""}, 1st–99th percentile). `
      + (b ? `Blink or raise the overlay (${second.slice(kindOf(second).length)} over it) to see whether the features of the two scans sit on top of each other.`
        : "The build has no other scan's map of this kind to compare with.");
  } catch (e) {
    $("#build_error").textContent = `The ${map} map could not be drawn: ${e.message}`;
  }
}

/** Draw the aligned map (or, while blinking, the second one) and the overlay at the slider's opacity. */
function showAligned() {
  if (!view.first || !view.pixelMap) return;
  const showSecond = view.blinking && view.blinkShowsSecond && view.second;
  view.pixelMap.show(showSecond ? view.second : view.first);
  const opacity = Number($("#overlay_opacity").value);
  view.pixelMap.setOverlay(!view.blinking && view.secondImage && opacity > 0 ? view.secondImage : null, opacity);
  $("#build_canvas").dataset.showing = showSecond ? $("#overlay_with").value : state.topo.build_map;
}

function stopBlink() {
  if (view.blinking) clearInterval(view.blinking);
  view.blinking = null;
  view.blinkShowsSecond = false;
  $("#blink").setAttribute("aria-pressed", "false");
  $("#blink").textContent = "Blink";
}

function toggleBlink() {
  if (view.blinking) { stopBlink(); showAligned(); return; }
  view.blinking = setInterval(() => { view.blinkShowsSecond = !view.blinkShowsSecond; showAligned(); }, BLINK_MS);
  $("#blink").setAttribute("aria-pressed", "true");
  $("#blink").textContent = "Stop blinking";
}

/** The built radiator in the beam tool: the radiator list is reloaded (it is stored at once) and chosen. */
async function useRadiator() {
  const name = state.topo.build;
  await state.actions.reloadRadiators();
  state.topo.tool = "beam";
  state.actions.commit({ radiator_name: name }, { push: true, changed: ["tool"] });
}

export function startBuild(hooks) {
  view.hooks = hooks;
  $("#build_go").addEventListener("click", build);
  $("#use_radiator").addEventListener("click", useRadiator);
  $("#build_map").addEventListener("change", e => { stopBlink(); state.topo.build_map = e.target.value; writeURL(true); notify(["build_map"]); });
  $("#blink").addEventListener("click", toggleBlink);
  $("#overlay_opacity").addEventListener("input", showAligned);
  $("#overlay_with").addEventListener("change", e => { e.target.dataset.chosen = e.target.value; renderBuildMap(); });
  for (const id of Object.values(FIELDS)) $("#" + id).addEventListener("input", () => { const p = Object.keys(FIELDS).find(k => FIELDS[k] === id); fieldError(p, ""); });
}
