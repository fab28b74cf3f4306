// Start-up and the one path every change takes: commit → derive (thickness from the radiator,
// θH/θV from the edge lock, photon window from the edge) → URL → views.

import { state, notify, readURL, writeURL, setExplicit, setDerived, setError, queryOf, radiatorInfo, isUnknownRadiator,
  SNAP_PARAMS } from "./state.js";
import { Latest, getJSON, onBusy } from "./api.js";
import { failed, succeeded, startSharedData, shared } from "./data.js";
import { startControls } from "./controls.js";
import { startBeamView } from "./beamview.js";
import { startReadouts } from "./readouts.js";
import { startPlots, rebuildPanels } from "./plots.js";
import { startImport } from "./importer.js";

/** Changes that move the coherent edge of a locked goniometer (and so need a re-snap). */
const SNAP_TRIGGERS = new Set([...SNAP_PARAMS, "lock", "plane", "snap"]);

/** Changes that move the edge or give the window back to the page: the window is derived again. */
const WINDOW_TRIGGERS = new Set(["snap_edge", "ebeam_energy", "pbeam_energy_min", "pbeam_energy_max", "snap"]);

/** The photon window that shows the edge: from 2 GeV below it to 1 GeV above (within the beam energy). */
export function windowForEdge(edge, beam) {
  const lo = Math.max(0.1, edge - 2), hi = Math.min(0.98 * beam, edge + 1);
  return { pbeam_energy_min: (+lo.toFixed(2)).toString(), pbeam_energy_max: (+hi.toFixed(2)).toString() };
}

/** The window follows the edge unless the user set it. Derived before a snap, so that the snap (whose
 *  request validates the window too) and the spectra never see a window past a lowered beam energy. */
function deriveWindow() {
  const edge = Number(state.values.snap_edge), beam = Number(state.values.ebeam_energy);
  if (!(beam > 0.2)) return [];  // an invalid beam energy: its own error says so, the window stays
  // An edge at or past the beam energy is the beam's or the edge's error (said there): the window stays
  // below the beam, so that no other box gets an error the user did not cause.
  if (!(edge > 0 && beam > edge)) return setDerived(windowForEdge(0.98 * beam - 1, beam));
  return setDerived(windowForEdge(edge, beam));
}

/** With the edge lock on, the edge must lie below the beam energy: the error goes to the box the user
 *  just changed (the beam energy or the edge), naming both. Returns true when the snap can go ahead. */
function edgeBelowBeam(names) {
  const edge = Number(state.values.snap_edge), beam = Number(state.values.ebeam_energy);
  for (const k of ["ebeam_energy", "snap_edge"]) { const e = state.errors.get(k); if (e && e.edgeLock) state.errors.delete(k); }
  if (state.page.lock !== "on" || !(edge > 0) || !(beam > 0) || edge < beam) return true;
  const name = names.includes("ebeam_energy") || !names.includes("snap_edge") ? "ebeam_energy" : "snap_edge";
  const message = name === "ebeam_energy"
    ? `ebeam_energy = ${beam} GeV is not above the coherent edge (${edge} GeV) the edge lock holds: lower the edge first, or raise the beam energy`
    : `snap_edge = ${edge} GeV is past the beam energy (${beam} GeV): the edge must lie below it`;
  setError(name, message, state.values[name]);
  Object.assign(state.errors.get(name), { clientSide: true, edgeLock: true });
  return false;
}

function deriveThickness() {
  const info = radiatorInfo();
  return info ? setDerived({ rad_thickness: String(info.thickness_um) }) : [];
}

const snapFetch = new Latest();

/** Snap the goniometer for the spot's mean tilt at the edge; the window follows unless the user set it. */
async function snap(push) {
  // An unknown radiator (an old URL) cannot be snapped: its message asks to choose one.
  if (isUnknownRadiator()) { state.snapping = false; snapFetch.abort(); writeURL(push); return; }
  const url = "/api/snap?" + queryOf([...SNAP_PARAMS, "pbeam_energy_min", "pbeam_energy_max"],
    { snap_action: state.page.plane });
  state.snapping = true;
  try {
    const body = await snapFetch.get(url);
    if (body === null) return;
    state.snapping = false;
    state.values.rad_thetah = String(+body.rad_thetah.toFixed(6));
    state.values.rad_thetav = String(+body.rad_thetav.toFixed(6));
    succeeded(url);
    writeURL(push);
    notify(["rad_thetah", "rad_thetav", "snapped"]);
  } catch (e) {
    state.snapping = false;
    failed(e, url);
    notify(["errors"]);
  }
}

/** The one way to change the state. `changes`: parameters the user set; `changed`: other names
 *  that changed (page settings, released parameters). */
function commit(changes, { push = false, key = "", changed = [] } = {}) {
  const names = [...setExplicit(changes), ...changed];
  if (names.includes("radiator_name")) names.push(...deriveThickness());
  if (names.includes("rad_thickness")) names.push(...deriveThickness());
  const snapPossible = edgeBelowBeam(names);
  const resnap = state.page.lock === "on" && !isUnknownRadiator() && names.some(n => SNAP_TRIGGERS.has(n)) && snapPossible;
  if (resnap || names.some(n => WINDOW_TRIGGERS.has(n))) names.push(...deriveWindow());
  writeURL(push, key);
  if (resnap) { state.snapping = true; snap(false); }
  notify(names.length ? names : ["errors"]);
}

/** The spot map's click: move the beam there, re-snapped when the map was computed that way; a map of
 *  a fixed goniometer keeps its angles (the edge lock goes off, else the move would re-snap them and
 *  the plots would no longer show what the map promised). */
function moveBeam(x, y, best) {
  if (state.page.map_resnap === "on") state.page.lock = "on";
  else {
    state.page.lock = "off";
    if (best) Object.assign(state.values, { rad_thetah: String(best.rad_thetah), rad_thetav: String(best.rad_thetav) });
  }
  commit({ rad_xoffset: String(x), rad_yoffset: String(y) }, { push: true, changed: ["lock"] });
}

async function loadRadiators() {
  try { state.radiators = await getJSON("/api/radiators"); } catch (e) { state.radiators = []; }
  state.radiatorsLoaded = true;
}

/** Restore everything from the URL (start-up, Back and Forward). */
async function fromURL(first) {
  readURL();
  if (!state.values.radiator_name) state.values.radiator_name = state.radiators.length ? state.radiators[0].name : "ideal";
  deriveThickness();
  if (state.page.lock === "on") deriveWindow();
  if (!first) rebuildPanels();
  if (state.page.lock === "on") await snap(false); else writeURL(false);
  notify(["all"]);
}

async function start() {
  onBusy(on => document.getElementById("busy").classList.toggle("on", on));
  state.actions = { commit, moveBeam, reloadRadiators: async () => { await loadRadiators(); notify(["radiators"]); } };
  await loadRadiators();
  readURL();
  if (!state.values.radiator_name) state.values.radiator_name = state.radiators.length ? state.radiators[0].name : "ideal";
  if (state.page.lock === "on" && !isUnknownRadiator()) state.snapping = true;  // the spectra wait for the first snap
  startSharedData();
  startControls();
  startBeamView();
  startReadouts();
  startPlots();
  startImport();
  await fromURL(true);
  window.addEventListener("popstate", () => fromURL(false));
  document.body.dataset.ready = "1";
  window.spotfinder = { state, shared };  // read by the browser tests
}

start();
