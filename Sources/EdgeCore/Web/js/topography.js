// The Topography view: the page's second instrument, from a crystal's rocking-curve scans to a radiator.
// This module switches between the instruments and shows one reduced scan: its maps on the camera
// grid (a click names a pixel), that pixel's rocking curve with the fitted peak, the validity counts
// and the motor correction per image. Raw folders (rcifolders.js) and the build (rcibuild.js) are
// their own modules; everything shown is in state.topo and so in the URL.

import { state, subscribe, notify, writeURL } from "./state.js";
import { Latest, getJSON, RequestFailed, rciURL } from "./api.js";
import { PixelMap, VALIDITY } from "./pixelmap.js";
import { plot } from "./svgplot.js";
import { fmt } from "./map.js";
import { downloadLinks, fileName } from "./downloads.js";
import { startFolders, loadFolders } from "./rcifolders.js";
import { startBuild, renderBuild, fillBuildChoices } from "./rcibuild.js";

const $ = s => document.querySelector(s);

/** The maps of a reduced scan as a physicist names them (README "The maps"). */
export const MAP_LABELS = {
  hmu_moco: "peak position, motor-corrected", hmu: "peak position", hsigma_moco: "width σ, motor-corrected", hsigma: "width σ",
  hamp: "peak height", hbase: "background", hfwhm: "FWHM", hintegral: "integrated intensity", hmu_err: "position uncertainty",
  hsnr: "signal / noise", hchi2: "reduced χ²", heta: "η (Lorentzian fraction)", validity: "validity (mask)",
};
const ORDER = ["hmu_moco", "hmu", "hsigma_moco", "hsigma", "hamp", "validity"];
const ROCKING = { thetah: "θH", thetav: "θV" };

const view = {
  scans: [], scansLoaded: false, facts: null, factsFor: null, mapFor: null, map: null, curveFor: null, curve: null,
  factsFetch: new Latest(), mapFetch: new Latest(), curveFetch: new Latest(), pixelMap: null,
};

/** The tool tabs: which instrument the page shows. */
function showTool() {
  const topo = state.topo.tool === "topography";
  $("#beamtool").hidden = topo;
  $("#topography").hidden = !topo;
  $("#tab_beam").setAttribute("aria-selected", String(!topo));
  $("#tab_topography").setAttribute("aria-selected", String(topo));
  $("#tagline").textContent = topo ? "from a crystal's rocking-curve scans to a radiator: reduce, inspect, build"
    : "set up a coherent bremsstrahlung run: choose the radiator, the spot and the edge";
  if (topo && !view.started) { view.started = true; loadScans(); loadFolders(); }
}

function chooseTool(tool) {
  if (state.topo.tool === tool) return;
  state.topo.tool = tool;
  writeURL(true);
  notify(["tool"]);
}

/** The reduced scans the store has (GET /api/scans); `select` chooses one (a scan just reduced). */
export async function loadScans(select) {
  try {
    view.scans = await getJSON(rciURL.scans());
    $("#scans_status").textContent = view.scans.length ? "" : "No reduced scans yet: reduce a raw folder above (or `spotfinder rci reduce` and `rci publish`).";
  } catch (e) {
    view.scans = [];
    $("#scans_status").textContent = `The reduced scans could not be listed: ${e.message}`;
  }
  view.scansLoaded = true;
  fillBuildChoices(view.scans);
  // A scan just reduced may replace one of the same name: its facts and maps are read again.
  if (select) { view.factsFor = null; view.mapFor = null; view.listed = null; chooseScan(select); } else renderScans();
}

function chooseScan(name) {
  state.topo.scan = name;
  state.topo.pixel = "";
  if (!view.scans.some(s => s.name === name)) state.topo.map = "hmu_moco";
  writeURL(true);
  notify(["scan"]);
}

function renderScans() {
  const list = $("#scan_list"), names = view.scans.map(s => s.name).join("\n");
  // Rebuilt only when the list changed, so that the button just pressed keeps the keyboard focus.
  if (view.listed === names) {
    for (const b of list.querySelectorAll(".scanitem")) b.setAttribute("aria-pressed", String(b.dataset.scan === state.topo.scan));
    return;
  }
  view.listed = names;
  list.innerHTML = "";
  for (const s of view.scans) {
    const li = document.createElement("li"), b = document.createElement("button");
    b.type = "button";
    b.className = "scanitem";
    b.dataset.scan = s.name;
    b.setAttribute("aria-pressed", String(s.name === state.topo.scan));
    const counts = s.validity_counts || {}, total = Object.values(counts).reduce((a, v) => a + v, 0);
    const valid = total ? `${(100 * (counts.valid || 0) / total).toFixed(0)} % valid` : "";
    b.innerHTML = `<b></b> <span class="facts"></span>`;
    b.querySelector("b").textContent = s.name;
    b.querySelector(".facts").textContent = `${s.face || "?"} ${ROCKING[s.rocking] || s.rocking || ""} · ${s.width} × ${s.height} px × ${s.images} images`
      + ` · ${s.method}${s.motor_corrected ? ", motor corrected" : ""} · ${valid}`;
    b.addEventListener("click", () => chooseScan(s.name));
    li.appendChild(b);
    list.appendChild(li);
  }
}

/** The chosen scan's facts (angles, motor errors, counts), its map and the clicked pixel's curve. */
async function renderScan() {
  const name = state.topo.scan;
  $("#scanview").hidden = !name;
  $("#scan_empty").hidden = !!name || !!state.topo.build;
  if (!name) return;
  if (view.factsFor !== name) {
    view.factsFor = name; view.facts = null; view.mapFor = null; view.curveFor = null;
    $("#scan_title").textContent = name;
    try {
      const facts = await view.factsFetch.get(rciURL.scan(name));
      if (!facts || state.topo.scan !== name) return;
      view.facts = facts;
      if (!facts.maps.includes(state.topo.map)) {
        state.topo.map = facts.maps.includes("hmu_moco") ? "hmu_moco" : facts.maps[0];
        writeURL(false);
      }
      renderFacts();
    } catch (e) {
      view.facts = null;
      $("#scan_facts").textContent = e instanceof RequestFailed && e.status === 404
        ? `The store has no reduced scan named '${name}' (${e.message}).` : `The scan could not be read: ${e.message}`;
      $("#scan_facts").className = "facts error";
      return;
    }
  }
  if (!view.facts) return;
  renderMap();
  renderCurve();
}

function renderFacts() {
  const f = view.facts;
  $("#scan_facts").className = "facts";
  $("#scan_facts").textContent = `${f.face} face, rocking ${ROCKING[f.rocking] || f.rocking}; ${f.width} × ${f.height} pixels of `
    + `${(1000 * f.pixel_x_mm).toFixed(1)} × ${(1000 * f.pixel_y_mm).toFixed(1)} µm (${(f.width * f.pixel_x_mm).toFixed(2)} × ${(f.height * f.pixel_y_mm).toFixed(2)} mm); `
    + `${f.images} images from ${fmt(f.angles_urad[0], 4)} to ${fmt(f.angles_urad.at(-1), 4)} µrad; ${f.method}; `
    + `sample rotated ${f.sample_rotation_deg}°${f.mirror ? ", mirrored" : ""}; reduced in ${f.reduction_seconds.toFixed(1)} s.`;
  const select = $("#scan_map");
  const maps = [...ORDER.filter(m => f.maps.includes(m)), ...f.maps.filter(m => !ORDER.includes(m))];
  select.innerHTML = maps.map(m => `<option value="${m}">${m}: ${MAP_LABELS[m] || m}</option>`).join("");
  select.value = state.topo.map;
  // Validity: pixels per reason.
  const counts = f.validity_counts || {}, total = Object.values(counts).reduce((a, v) => a + v, 0) || 1;
  $("#validity_counts").innerHTML = "";
  for (const [reason, rgb] of VALIDITY) {
    if (!(reason in counts)) continue;
    const li = document.createElement("li");
    li.innerHTML = `<span class="swatch" style="background:rgb(${rgb.join(",")})"></span> <span class="reason"></span> <b></b>`;
    li.querySelector(".reason").textContent = reason.replace(/_/g, " ");
    li.querySelector("b").textContent = `${counts[reason]} (${(100 * counts[reason] / total).toFixed(1)} %)`;
    li.dataset.reason = reason;
    $("#validity_counts").appendChild(li);
  }
  // The stepper motor's error per image, as the correction found it.
  const motor = f.motor_errors_urad;
  if (f.motor_corrected && motor && motor.length) {
    const rms = Math.sqrt(motor.reduce((a, v) => a + v * v, 0) / motor.length);
    plot($("#motor_plot"), { series: [{ x: f.angles_urad, y: motor, kind: "line", colour: "#1f4e9c", label: "error per image" }],
      xLabel: "nominal angle (µrad)", yLabel: "motor error (µrad)", height: 190 });
    $("#motor_plot").hidden = false;
    $("#motor_note").textContent = `rms ${rms.toFixed(2)} µrad, peak to peak ${(Math.max(...motor) - Math.min(...motor)).toFixed(2)} µrad over ${motor.length} images`
      + ` (hmu_moco uses the corrected angles; found in ${(f.motor_correction_seconds || 0).toFixed(1)} s).`;
  } else {
    $("#motor_plot").hidden = true;
    $("#motor_note").textContent = "Not corrected: the maps use the motor's nominal angles.";
  }
}

async function renderMap() {
  const name = state.topo.scan, map = state.topo.map, key = `${name}|${map}`;
  if ($("#scan_map").value !== map) $("#scan_map").value = map;
  downloadLinks($("#scan_downloads"), format => rciURL.scanMap(name, map, format), fileName("scan", name, map), `the ${map} map of ${name}`);
  if (view.mapFor !== key) {
    view.mapFor = key;
    try {
      const m = await view.mapFetch.get(rciURL.scanMap(name, map, "json"));
      if (!m || view.mapFor !== key) return;
      view.map = m;
      view.mapShown = key;
      const f = view.facts;
      view.pixelMap.show({ rows: m.values, width: m.width || f.width, height: m.height || f.height, unit: m.unit || "",
        label: map, categorical: map === "validity", aspect: f.pixel_y_mm / f.pixel_x_mm });
      $("#pixel_error").textContent = "";
    } catch (e) {
      if (e instanceof RequestFailed) $("#pixel_error").textContent = `The ${map} map could not be drawn: ${e.message}`;
      return;
    }
  }
  if (view.mapShown !== key) return;
  const f = view.facts, r = view.pixelMap.range;
  $("#scan_caption").textContent = `Camera grid as the images: row 0 at the top, column 0 at the left; one square per camera pixel `
    + `(${(1000 * f.pixel_x_mm).toFixed(1)} × ${(1000 * f.pixel_y_mm).toFixed(1)} µm). `
    + (map === "validity" ? "Colours: the validity code of each pixel (the counts beside)."
      : r ? `Colours span the 1st–99th percentile (${fmt(r.lo, 4)} to ${fmt(r.hi, 4)}${view.map.unit ? " " + view.map.unit : ""}; all values ${fmt(r.min, 4)} to ${fmt(r.max, 4)}); `
        + "light grey: no data (an invalid pixel). " : "No valid pixel in this map. ")
    + "Click a pixel for its rocking curve.";
  view.pixelMap.mark(pixelOf());
}

/** The chosen pixel as [column, row], or null. */
function pixelOf() {
  const m = /^(\d+),(\d+)$/.exec(state.topo.pixel);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

function choosePixel(column, row) {
  state.topo.pixel = `${column},${row}`;
  writeURL(true);
  notify(["pixel"]);
}

async function renderCurve() {
  const p = pixelOf(), name = state.topo.scan;
  if (document.activeElement !== $("#pixel_column")) $("#pixel_column").value = p ? p[0] : "";
  if (document.activeElement !== $("#pixel_row")) $("#pixel_row").value = p ? p[1] : "";
  const key = p ? `${name}|${p}` : null;
  if (view.curveFor === key) return;
  view.curveFor = key;
  view.curve = null;
  $("#curve_readouts").innerHTML = ""; $("#curve_note").textContent = ""; $("#curve_downloads").innerHTML = "";
  $("#curve_where").textContent = "";
  $("#curve_plot").innerHTML = "";
  if (!p) { $("#curve_note").textContent = "Click a pixel of the map (or give its column and row) to see its rocking curve."; return; }
  $("#curve_where").textContent = `at column ${p[0]}, row ${p[1]}`;
  $("#curve_plot").classList.add("loading");
  try {
    const c = await view.curveFetch.get(rciURL.curve(name, p[0], p[1]));
    if (!c || view.curveFor !== key) return;
    view.curve = c;
    drawCurve(c);
  } catch (e) {
    $("#curve_note").textContent = e instanceof RequestFailed && (e.status === 404 && !e.body.parameter)
      ? `This edge does not serve rocking curves yet (GET /api/rci/curve: ${e.message}).`
      : `No curve for this pixel: ${e.message}`;
  } finally { $("#curve_plot").classList.remove("loading"); }
}

function drawCurve(c) {
  const series = [];
  if (c.counts) series.push({ x: c.angles_urad, y: c.counts, kind: "points", colour: "#1b2330", label: "counts", cls: "counts" });
  if (c.model) series.push({ x: c.angles_urad, y: c.model, kind: "line", colour: "#d1495b", label: `fit (${c.fit ? c.fit.method : "model"})`, cls: "model" });
  const fit = c.fit, markers = [];
  if (fit && isFinite(fit.position_moco_urad ?? fit.position_urad)) markers.push({ x: fit.position_moco_urad ?? fit.position_urad, colour: "#d1495b", label: "peak" });
  plot($("#curve_plot"), { series, markers, xLabel: "rocking angle (µrad, motor-corrected when the scan was)", yLabel: "counts" });
  const rows = [["validity", c.validity.replace(/_/g, " "), ""]];
  if (fit) {
    rows.push(["position", fit.position_urad, "µrad"]);
    if (fit.position_moco_urad !== undefined && fit.position_moco_urad !== null) rows.push(["position, motor-corrected", fit.position_moco_urad, "µrad"]);
    rows.push(["σ", fit.sigma_urad, "µrad"], ["FWHM", fit.fwhm_urad, "µrad"], ["height", fit.amplitude, "counts"], ["background", fit.background, "counts"]);
    if (fit.method === "pvoigt" && fit.eta !== undefined && fit.eta !== null) rows.push(["η", fit.eta, ""]);
  }
  const dl = $("#curve_readouts");
  dl.innerHTML = "";
  for (const [label, v, unit] of rows) {
    const div = document.createElement("div");
    div.className = "ro";
    div.dataset.figure = label;
    div.innerHTML = "<dt></dt><dd></dd>";
    div.querySelector("dt").textContent = label;
    div.querySelector("dd").textContent = typeof v === "number" ? `${fmt(v, 4)}${unit ? " " + unit : ""}` : v;
    dl.appendChild(div);
  }
  $("#curve_note").textContent = !c.raw_available ? `The raw images are not available: ${(c.raw_note || "only the stored fit is shown").replace(/\.$/, "")}.`
    : !fit ? `No fitted peak at this pixel (${c.validity.replace(/_/g, " ")}): the counts are shown as read.`
    : "Counts dark-subtracted and normalised to the first image's monitor, as the reduction saw them; the line is the stored fit.";
  // The curve as CSV (angle, counts, model) made here, and the edge's JSON.
  const csv = ["# " + `scan ${c.scan_name}, column ${c.column}, row ${c.row}, validity ${c.validity}` + (fit ? `, fit ${JSON.stringify(fit)}` : ""),
    "angle_urad,counts,model", ...c.angles_urad.map((a, i) => `${a},${c.counts ? c.counts[i] ?? "" : ""},${c.model ? c.model[i] ?? "" : ""}`)].join("\n");
  const base = fileName("curve", c.scan_name, `c${c.column}`, `r${c.row}`);
  $("#curve_downloads").innerHTML = "";
  const csvLink = Object.assign(document.createElement("a"), { href: URL.createObjectURL(new Blob([csv], { type: "text/csv" })), download: base + ".csv", textContent: "CSV" });
  const jsonLink = Object.assign(document.createElement("a"), { href: rciURL.curve(c.scan_name, c.column, c.row), download: base + ".json", textContent: "JSON" });
  csvLink.setAttribute("aria-label", "download the rocking curve as CSV");
  jsonLink.setAttribute("aria-label", "download the rocking curve as JSON");
  $("#curve_downloads").append("curve: ", csvLink, " ", jsonLink);
}

function render(changed) {
  showTool();
  if (state.topo.tool !== "topography") return;
  if (changed.includes("radiators")) return;
  renderScans();
  renderScan();
  renderBuild();
}

export function startTopography() {
  $("#tab_beam").addEventListener("click", () => chooseTool("beam"));
  $("#tab_topography").addEventListener("click", () => chooseTool("topography"));
  view.pixelMap = new PixelMap($("#scan_canvas"), choosePixel);
  $("#scan_map").addEventListener("change", e => { state.topo.map = e.target.value; writeURL(true); notify(["scan_map"]); });
  const typedPixel = () => {
    const c = $("#pixel_column").value.trim(), r = $("#pixel_row").value.trim(), f = view.facts;
    if (!f) return;
    if (!/^\d+$/.test(c) || !/^\d+$/.test(r) || +c >= f.width || +r >= f.height) {
      $("#pixel_error").textContent = `column and row: whole numbers, column 0–${f.width - 1} and row 0–${f.height - 1} (got '${c}', '${r}')`;
      return;
    }
    $("#pixel_error").textContent = "";
    choosePixel(+c, +r);
  };
  $("#pixel_go").addEventListener("click", typedPixel);
  for (const id of ["#pixel_column", "#pixel_row"]) $(id).addEventListener("keydown", e => { if (e.key === "Enter") typedPixel(); });
  let resizeTimer = null;
  window.addEventListener("resize", () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(() => view.pixelMap.draw(), 150); });
  startFolders({ onReduced: name => loadScans(name) });
  startBuild({ scans: () => view.scans, chooseTool });
  subscribe(render);
  render(["all"]);
}

export const topographyView = view;  // read by the browser tests
