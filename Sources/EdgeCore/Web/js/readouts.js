// The read-out panel: the numbers a physicist sets a run up by, each with its unit, from the
// shared /api/spectrum and /api/tilt answers (what the API does not give is computed here).

import { state, subscribe, hasErrors, isIdeal } from "./state.js";
import { shared } from "./data.js";

/** Width of the tagging window below the coherent edge, GeV (as the spot map's default, #11). */
export const TAGGING_WINDOW_GEV = 0.6;

/** Where a falling curve crosses `level` after index `from` (linear interpolation), or null. */
function crossingDown(x, y, from, level) {
  for (let i = from + 1; i < y.length; i++) {
    if (y[i] <= level) {
      const t = (y[i - 1] - level) / ((y[i - 1] - y[i]) || 1);
      return x[i - 1] + t * (x[i] - x[i - 1]);
    }
  }
  return null;
}

/** Edge, its 10–90 % width, and the tagging-window figures from a spectrum answer. */
export function spectrumFigures(s) {
  const E = s.energy_GeV, C = s.coherent, I = s.incoherent, P = s.polarization;
  const out = { edge: null, width: null, peakP: null, windowP: null, flux: null, p2n: null, window: null };
  if (!E || E.length < 3) return out;
  out.peakP = Math.max(...P);
  let ip = 0;
  for (let i = 1; i < C.length; i++) if (C[i] > C[ip]) ip = i;
  // The floor after the primary peak: the lowest coherent rate within 25 % above the peak energy.
  let floor = C[ip];
  for (let i = ip; i < C.length && E[i] <= E[ip] * 1.25; i++) floor = Math.min(floor, C[i]);
  const drop = C[ip] - floor;
  if (drop > 0.2 * C[ip] && ip < C.length - 1) {
    const level = f => floor + f * drop;
    const e90 = crossingDown(E, C, ip, level(0.9)), e50 = crossingDown(E, C, ip, level(0.5)), e10 = crossingDown(E, C, ip, level(0.1));
    out.edge = e50;
    if (e90 !== null && e10 !== null) out.width = e10 - e90;
  }
  if (out.edge !== null) {
    const lo = out.edge - TAGGING_WINDOW_GEV, hi = out.edge;
    out.window = [lo, hi];
    const dE = E.length > 1 ? E[1] - E[0] : 0;
    let n = 0, pn = 0, p2n = 0;
    for (let i = 0; i < E.length; i++) {
      if (E[i] < lo || E[i] > hi) continue;
      const N = (C[i] + I[i]) * dE;
      n += N; pn += P[i] * N; p2n += P[i] * P[i] * N;
    }
    if (n > 0) { out.flux = n; out.windowP = pn / n; out.p2n = p2n; }
  }
  return out;
}

/** The plane of polarization in GlueX's words, from the computed plane (the spectrum answer's dominant
 *  reflection), with its Hall D azimuth; says so when it is not the plane the edge lock asked for. */
export function polarizationPlane() {
  const s = shared.spectrum;
  if (s && typeof s.polarization_plane_halld_deg === "number") {
    const deg = Math.abs(s.polarization_plane_halld_deg) < 0.05 ? 0 : s.polarization_plane_halld_deg;
    const angle = `Hall D ${deg.toFixed(1)}°`;
    const asked = state.page.lock === "on" && !(s.gluex_plane || "").startsWith(state.page.plane) ? ` (the snap asked for ${state.page.plane})` : "";
    return (s.gluex_plane ? `${s.gluex_plane} (${angle})` : `${angle}, not a GlueX PARA/PERP plane`) + asked;
  }
  return s ? "none (nothing radiates coherently in the window)" : "—";
}

const sci = v => {
  if (v === null || !isFinite(v)) return "—";
  const e = Math.floor(Math.log10(Math.abs(v)));
  return e >= -2 && e < 4 ? v.toPrecision(3) : `${(v / 10 ** e).toFixed(2)}×10${String(e).split("").map(c => "⁰¹²³⁴⁵⁶⁷⁸⁹"[c] || "⁻").join("")}`;
};
const fixed = (v, d) => (v === null || v === undefined || !isFinite(v) ? "—" : v.toFixed(d));

const win2 = s => (s.energy_GeV && s.energy_GeV.length ? `${s.energy_GeV[0].toFixed(2)}–${s.energy_GeV.at(-1).toFixed(2)} GeV` : "");

function row(id, label, value, unit) {
  return `<div class="ro" id="ro_${id}"><dt>${label}</dt><dd><span class="v">${value}</span> <span class="u">${unit}</span></dd></div>`;
}

function render() {
  const el = document.getElementById("readouts");
  const f = shared.spectrum ? spectrumFigures(shared.spectrum) : {};
  const t = isIdeal() ? null : shared.tilt;
  const pct = v => (t ? (100 * v).toFixed(2) : "—");
  const rms = t ? 1000 * Math.hypot(t.rms_thetah_mr, t.rms_thetav_mr) : null;
  const win = f.window ? `${f.window[0].toFixed(2)}–${f.window[1].toFixed(2)} GeV` : "below the edge";
  el.innerHTML =
    row("edge", "coherent edge", fixed(f.edge, 3), "GeV") +
    row("width", "edge width (10–90 %)", f.width === null || f.width === undefined ? "—" : (1000 * f.width).toFixed(0), "MeV") +
    // Without a coherent edge in the window the largest polarization is only the window's end, not a peak.
    row("peak_p", "peak polarization", f.edge === null && f.peakP !== null && f.peakP !== undefined && shared.spectrum
      ? `— (no edge in the window ${win2(shared.spectrum)}: it reaches ${fixed(f.peakP, 3)} at its end)` : fixed(f.peakP, 3), "") +
    row("window_p", `polarization in tagging window (${win})`, fixed(f.windowP, 3), "") +
    row("flux", "flux in tagging window", sci(f.flux ?? null), "photons/s") +
    row("p2n", "P²·N in tagging window", sci(f.p2n ?? null), "/s") +
    row("on_crystal", "beam on crystal", pct(t?.fraction_on_crystal), "%") +
    row("on_mount", "beam on mount", pct(t?.fraction_on_mount), "%") +
    row("outside", "beam outside", pct(t?.fraction_outside), "%") +
    row("rms_tilt", "rms tilt under the spot", rms === null ? "—" : rms.toFixed(1), "µrad") +
    row("plane", "polarization plane", polarizationPlane(), "") +
    row("beamline", "flux set by", `${state.values.ebeam_current} µA, ${state.values.collimator_diameter} mm collimator at ${state.values.collimator_distance} m, ${state.values.rad_thickness} µm`, "");
  el.classList.toggle("stale", hasErrors() || !!shared.spectrumError);
}

export function startReadouts() { subscribe(render); render(); }
