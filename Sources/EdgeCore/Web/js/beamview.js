// The beam view: the radiator moves and turns under the fixed beam, with the same transform the
// tilt-service samples with (README "Geometry"): lab = R(φ)·(r − centre) + (rad_xoffset, rad_yoffset).
// It explains itself: mm scale bar, colour bar with units, legend, caption, and a warning whenever
// the beam is not all on the crystal.

import { state, subscribe, radiatorInfo, isIdeal, isUnknownRadiator, queryOf } from "./state.js";
import { shared } from "./data.js";
import { Latest } from "./api.js";

/** The beam is "all on the crystal" above this fraction and below this share on the mount (#13 item 5). */
export const MIN_ON_CRYSTAL = 0.99, MAX_ON_MOUNT = 0.001;
const VIRIDIS = ["#440154", "#472D7B", "#3B528B", "#2C728E", "#21918C", "#28AE80", "#5EC962", "#ADDC30", "#FDE725"];
const QUANTITY = { thetah: "θH tilt", thetav: "θV tilt", elevation: "elevation" };

/** A sentence about where the beam is, or "" when it is essentially all on the crystal. */
export function beamWarning(t) {
  const head = beamWarningHead(t);
  return head ? `${head}: ${beamWarningDetail(t)}` : "";
}

/** The warning's announced part: changes only when the kind of problem does, not at every drag step. */
function beamWarningHead(t) {
  if (!t || (t.fraction_on_crystal >= MIN_ON_CRYSTAL && t.fraction_on_mount <= MAX_ON_MOUNT)) return "";
  return t.fraction_on_mount > MAX_ON_MOUNT ? "Beam not all on the crystal, part of it on the mount" : "Beam not all on the crystal";
}

/** The numbers, shown but not announced (they change while the beam is dragged). */
function beamWarningDetail(t) {
  const pct = v => (100 * v).toFixed(v < 0.01 ? 2 : 1);
  return `${pct(t.fraction_on_crystal)} % on the crystal, ${pct(t.fraction_on_mount)} % on the mount, `
    + `${pct(t.fraction_outside)} % outside. Rates are scaled down; move the radiator (or use the spot map).`;
}

const scaleFetch = new Latest();
let scaleURL = null, colourScale = null;

/** The colour bar's range: the topograph's values on the crystal, as the renderer scales them. */
async function loadColourScale() {
  const name = state.values.radiator_name;
  const url = !radiatorInfo() ? null
    : "/plot.png?" + queryOf(["radiator_name", "radiator_view", "map_quantity"], { plot_type: "spot", format: "json" });
  if (url === scaleURL) return;
  scaleURL = url;
  colourScale = null;
  drawColourBar();
  if (!url) return;
  try {
    const m = await scaleFetch.get(url);
    if (!m || state.values.radiator_name !== name) return;
    let lo = Infinity, hi = -Infinity;
    m.values.forEach((v, k) => { if (v !== null && isFinite(v) && (!m.mask || m.mask[k] === 1)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } });
    colourScale = { lo, hi, title: m.z_title || QUANTITY[state.values.map_quantity] };
  } catch (e) { colourScale = null; }
  drawColourBar();
}

function drawColourBar() {
  const bar = document.getElementById("colourbar");
  if (!colourScale || !isFinite(colourScale.lo)) { bar.hidden = true; return; }
  bar.hidden = false;
  bar.querySelector(".ramp").style.background = `linear-gradient(to right, ${VIRIDIS.join(",")})`;
  bar.querySelector(".lo").textContent = colourScale.lo.toFixed(0);
  bar.querySelector(".hi").textContent = colourScale.hi.toFixed(0);
  bar.querySelector(".title").textContent = colourScale.title;
}

function ellipsePath(sx, sy, rho, n, k) {
  const pts = [];
  for (let i = 0; i <= 72; i++) {
    const t = i / 72 * 2 * Math.PI, u = Math.cos(t) * n, v = Math.sin(t) * n;
    const x = sx * u, y = rho * sy * u + sy * Math.sqrt(Math.max(0, 1 - rho * rho)) * v;
    pts.push(`${(x * k).toFixed(2)},${(-y * k).toFixed(2)}`);
  }
  return pts.join(" ");
}

/** A round length for the scale bar: about a fifth of the view. */
function niceLength(mm) {
  const p = 10 ** Math.floor(Math.log10(mm));
  return [5, 2, 1].map(f => f * p).find(v => v <= mm) || p;
}

function draw() {
  const view = document.getElementById("beamview"), img = document.getElementById("radimg");
  const info = radiatorInfo(), note = document.getElementById("beamnote");
  const size = view.clientWidth || 360;
  const span = info ? Math.max(info.width_mm, info.height_mm) + 3 : 10;
  const pxPerMm = size / span;
  // The picture, or a sentence saying why there is none (never a broken image).
  const src = info ? "/radiator.png?" + queryOf(["radiator_name", "radiator_view", "map_quantity"]) : null;
  if (src && img.getAttribute("src") !== src) img.setAttribute("src", src);
  if (!src) img.removeAttribute("src");
  img.hidden = !src;
  if (isIdeal()) note.textContent = "Ideal crystal: a perfect diamond has no topograph; the spectra use one orientation.";
  else if (isUnknownRadiator()) note.textContent = `No radiator "${state.values.radiator_name}" here.`;
  else note.textContent = "";
  note.hidden = !note.textContent;
  if (info && img.naturalWidth) {
    img.style.width = img.naturalWidth * info.pixel_mm * pxPerMm + "px";
    img.style.height = img.naturalHeight * info.pixel_mm * pxPerMm + "px";
    const ox = Number(state.values.rad_xoffset) * pxPerMm, oy = -Number(state.values.rad_yoffset) * pxPerMm;
    img.style.transform = `translate(-50%, -50%) translate(${ox}px, ${oy}px) rotate(${-Number(state.values.rad_phideg)}deg)`;
  }
  // Beam ellipses (1σ, 2σ) with a dark halo (readable on every colour), crosshair, mm scale bar.
  const k = 400 / size * pxPerMm;
  const sx = Number(state.values.ebeam_xsigma), sy = Number(state.values.ebeam_ysigma), rho = Number(state.values.ebeam_xycorr);
  const ell = (n, w) => {
    const pts = ellipsePath(sx, sy, rho, n, k);
    return `<polyline points="${pts}" fill="none" stroke="#000" stroke-opacity=".75" stroke-width="${w + 2.5}"/>`
      + `<polyline class="sigma${n}" points="${pts}" fill="none" stroke="#ff8c42" stroke-width="${w}"${n === 2 ? ' stroke-dasharray="6 4"' : ""}/>`;
  };
  const bar = niceLength(span / 5), barPx = bar * k;
  document.getElementById("beamsvg").innerHTML = ell(2, 1.4) + ell(1, 2.2)
    + `<line x1="-7" y1="0" x2="7" y2="0" stroke="#fff"/><line x1="0" y1="-7" x2="0" y2="7" stroke="#fff"/>`
    + `<g id="scalebar"><rect x="${-190}" y="172" width="${barPx}" height="5" fill="#fff" stroke="#000" stroke-width=".8"/>`
    + `<text x="${-190}" y="166" fill="#fff" stroke="#000" stroke-width="2.5" paint-order="stroke" font-size="14">${bar} mm</text></g>`;
  // The warning: prominent, announced when it appears or its kind changes (not at every drag step:
  // only its head is a live region).
  const t = isIdeal() ? null : shared.tilt, head = beamWarningHead(t);
  const w = document.getElementById("beamwarning"), headEl = w.querySelector(".head"), detailEl = w.querySelector(".detail");
  if (headEl.textContent !== (head && head + ":")) headEl.textContent = head && head + ":";
  detailEl.textContent = head ? beamWarningDetail(t) : "";
  w.hidden = !head;
  document.getElementById("legend_mount").hidden = !info;
  loadColourScale();
}

export function startBeamView() {
  subscribe(draw);
  document.getElementById("radimg").addEventListener("load", draw);
  window.addEventListener("resize", draw);
  draw();
}
