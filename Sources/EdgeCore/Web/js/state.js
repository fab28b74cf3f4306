// The page's state, held in one place, and its URL.
//
// `values` are the server's parameters (strings, exactly as sent); `explicit` names the ones the
// user set (or the URL carried) — the others may be derived by the page (thickness from the
// radiator, photon window from the edge, θH/θV from the edge lock). `page` holds what only the page
// knows: panels, edge lock, pins, map settings. Every view is drawn from this object.

import { nameOfSnapWord } from "./gluex.js";

/** Server parameters the page sends, with the server's defaults (README "Parameters"). */
export const DEFAULTS = {
  radiator_name: "", radiator_view: "front", map_quantity: "thetah",
  ebeam_energy: "11.6", ebeam_current: "2.2", ebeam_rms: "0", ebeam_xsigma: "1", ebeam_ysigma: "0.5",
  ebeam_xycorr: "-0.6", ebeam_xyresol: "0.02", ebeam_emittance: "4.2e-9", vspot_rms: "0.5", rad_thickness: "50",
  collimator_diameter: "3.4", collimator_distance: "76", rad_xoffset: "0", rad_yoffset: "0", rad_phideg: "0",
  rad_thetah: "1.2296", rad_thetav: "50", rad_thetaz: "0", rad_tilt_range: "1", rad_tilt_resol: "0.01",
  pbeam_energy_min: "4.5", pbeam_energy_max: "7", pbeam_energy_resol: "0.02", snap_edge: "6",
  map_step: "",  // the spot map's placement step; "" = the server's default (about 41 × 41 placements)
  ebeam_jitter: "0.3",  // the spot map: the beam's expected position jitter, mm (best spots ranked by the worst value within it)
};

/** What each kind of request depends on: a change elsewhere does not re-fetch it. */
export const TILT_PARAMS = ["radiator_name", "radiator_view", "rad_xoffset", "rad_yoffset", "rad_phideg",
  "ebeam_xsigma", "ebeam_ysigma", "ebeam_xycorr", "ebeam_xyresol", "rad_tilt_range", "rad_tilt_resol"];
/** The spot map's own parameters (not the spectra's). */
export const MAP_ONLY = ["map_step", "ebeam_jitter"];
export const SPECTRUM_PARAMS = Object.keys(DEFAULTS).filter(k => !["map_quantity", "snap_edge", ...MAP_ONLY].includes(k));
export const SNAP_PARAMS = [...TILT_PARAMS, "ebeam_energy", "snap_edge", "rad_thetaz"];

/** Values derived by the page unless the user set them; kept in the URL's `auto` list. */
const AUTO_GROUPS = { window: ["pbeam_energy_min", "pbeam_energy_max"], thickness: ["rad_thickness"] };
/** Parameters the page derives when the user leaves them (their boxes cleared). */
const DERIVED = Object.values(AUTO_GROUPS).flat();
/** Derived from the radiator alone: in the URL only when the user set them. */
const FROM_RADIATOR = ["rad_thickness"];
/** Written to the URL whatever their origin (a URL reproduces the view). */
const ALWAYS_IN_URL = ["radiator_name", "rad_thetah", "rad_thetav", "snap_edge"];

export const PLOT_KINDS = [["spot", "beam spot on crystal"], ["tilt", "crystal tilt distribution"],
  ["intense", "intensity spectrum"], ["enhance", "enhancement"], ["polar", "polarization"], ["map", "spot map (best placement)"]];
export const SPECTRUM_KINDS = ["intense", "enhance", "polar"];
export const FOMS = [["peak_polarization", "peak polarization"], ["window_polarization", "window polarization"],
  ["p2n", "P²·N in the tagging window"], ["window_flux", "flux in the tagging window"], ["rms_tilt", "rms tilt (lower is better)"],
  ["fraction_on_crystal", "fraction on crystal"]];

export const state = {
  values: { ...DEFAULTS },
  explicit: new Set(),
  // plane: GlueX's PARA / PERP (README "Polarization plane"); the server picks the goniometer axis for θz.
  // PERP by default: the parameters' default angles (small θH, the original snap_para) are GlueX PERP.
  page: { panels: ["spot", "polar"], lock: "on", plane: "PERP", pins: [], fom: "peak_polarization", map_resnap: "on", map_scale: "honest" },
  /** Field errors: name → { message, value } (the value the message was about). */
  errors: new Map(),
  /** Radiators the store has (from /api/radiators), and whether the chosen one is among them. */
  radiators: [],
  /** True while the edge lock's snap for the newest state is in flight (spectra wait for it). */
  snapping: false,
  radiatorsLoaded: false,
  /** Actions other modules call (set by main.js): commit, moveBeam, snapNow, reloadRadiators. */
  actions: {},
};

const listeners = [];
/** Call `fn(changedNames)` after every change of the state. */
export function subscribe(fn) { listeners.push(fn); }
export function notify(changed) { for (const fn of listeners) fn(changed); }

/** The radiator's catalogue entry, undefined for the ideal crystal or an unknown name. */
export function radiatorInfo() { return state.radiators.find(r => r.name === state.values.radiator_name); }
export function isIdeal() { return state.values.radiator_name === "ideal"; }
export function isUnknownRadiator() {
  const name = state.values.radiator_name;
  return name !== "" && name !== "ideal" && state.radiatorsLoaded && !radiatorInfo();
}

/** A query string of the given parameters from the state, plus `extra`. */
export function queryOf(names, extra = {}) {
  const p = new URLSearchParams();
  for (const k of names) if (state.values[k] !== "" && state.values[k] !== undefined) p.set(k, state.values[k]);
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== null) p.set(k, v);
  return p.toString();
}
export const fullQuery = (extra) => queryOf(Object.keys(DEFAULTS), extra);
/** The page's whole question as the server's query: every parameter and the snap the edge lock makes
 *  (GlueX's PARA / PERP, or off). Downloads carry it, so that a file says exactly what the page showed. */
export const pageQuery = (extra = {}) => fullQuery({ snap_action: state.page.lock === "on" ? state.page.plane : "off", ...extra });
export const spectrumQuery = (extra) => queryOf(SPECTRUM_PARAMS, extra);

/** True when any field holds a value that is not (yet) valid: the views then show stale results. */
export function hasErrors() { return state.errors.size > 0; }

function groupIsExplicit(group) { return AUTO_GROUPS[group].some(k => state.explicit.has(k)); }

/** Read the URL into the state. Old URLs (the original tool's) carry parameters but no `lock`. */
export function readURL() {
  const u = new URLSearchParams(location.search);
  state.values = { ...DEFAULTS };
  state.explicit = new Set();
  const auto = new Set((u.get("auto") || "").split(",").filter(Boolean));
  for (const k of Object.keys(DEFAULTS)) {
    if (!u.has(k)) continue;
    state.values[k] = u.get(k);
    const group = Object.keys(AUTO_GROUPS).find(g => AUTO_GROUPS[g].includes(k));
    if (!ALWAYS_IN_URL.includes(k) && !(group && auto.has(group))) state.explicit.add(k);
  }
  const kinds = (u.get("panels") || u.get("plot_type") || "spot,polar").split(",").filter(k => PLOT_KINDS.some(t => t[0] === k));
  state.page.panels = kinds.length ? kinds : ["spot", "polar"];
  // The plane in GlueX's words (plane=PARA|PERP). Older URLs keep their meaning: the original tool's
  // snap_action=snap_para|snap_perp and this page's former plane=para|perp (the same snap buttons) are
  // read as the GlueX plane they give at the URL's θz (snap_para at θz = 0 is PERP).
  const legacySnap = u.get("snap_action");
  const plane = u.get("plane");
  if (plane === "PARA" || plane === "PERP") state.page.plane = plane;
  else if (plane === "para" || plane === "perp") state.page.plane = nameOfSnapWord("snap_" + plane, state.values.rad_thetaz);
  else if (legacySnap === "PARA" || legacySnap === "PERP") state.page.plane = legacySnap;
  else if (legacySnap === "snap_para" || legacySnap === "snap_perp") state.page.plane = nameOfSnapWord(legacySnap, state.values.rad_thetaz);
  else state.page.plane = "PERP";
  const hasAngles = u.has("rad_thetah") || u.has("rad_thetav");
  state.page.lock = u.get("lock") || (hasAngles && !legacySnap ? "off" : "on");
  state.page.pins = u.getAll("pin").map(p => {
    const i = p.indexOf("~");
    return i < 0 ? null : { name: p.slice(0, i), query: p.slice(i + 1) };
  }).filter(Boolean);
  state.page.fom = u.get("fom") || "peak_polarization";
  state.page.map_resnap = u.get("map_resnap") || "on";
  state.page.map_scale = u.get("map_scale") === "stretch" ? "stretch" : "honest";
  state.errors = new Map();
  return { hadAngles: hasAngles };
}

let lastPush = { time: 0, key: "" };
/** Write the state to the URL. `push` adds a history entry (a committed change); a run of
 *  pushes for the same control within a second (arrow keys on a slider) becomes one entry. */
export function writeURL(push, key = "") {
  const p = new URLSearchParams();
  for (const k of Object.keys(DEFAULTS)) {
    const v = state.values[k];
    if (v === "" || v === undefined) continue;
    if (state.explicit.has(k) || ALWAYS_IN_URL.includes(k) || (v !== DEFAULTS[k] && !FROM_RADIATOR.includes(k))) p.set(k, v);
  }
  const auto = Object.keys(AUTO_GROUPS).filter(g => !groupIsExplicit(g));
  if (auto.length) p.set("auto", auto.join(","));
  p.set("lock", state.page.lock);
  p.set("plane", state.page.plane);
  p.set("panels", state.page.panels.join(","));
  if (state.page.panels.includes("map")) {
    p.set("fom", state.page.fom); p.set("map_resnap", state.page.map_resnap);
    if (state.page.map_scale !== "honest") p.set("map_scale", state.page.map_scale);
  }
  for (const pin of state.page.pins) p.append("pin", pin.name + "~" + pin.query);
  const url = location.pathname + "?" + p.toString();
  if (url === location.pathname + location.search) return;
  const now = Date.now();
  const merge = push && key && lastPush.key === key && now - lastPush.time < 1000;
  if (push && !merge) history.pushState(null, "", url); else history.replaceState(null, "", url);
  if (push) lastPush = { time: now, key };
}

/** Set parameters as the user's own choice; returns the names that changed. */
export function setExplicit(changes) {
  const changed = [];
  for (const [k, v] of Object.entries(changes)) {
    state.explicit.add(k);
    if (state.values[k] !== String(v)) { state.values[k] = String(v); changed.push(k); }
  }
  return changed;
}

/** Set parameters the page derives, unless the user set them. */
export function setDerived(changes) {
  const changed = [];
  for (const [k, v] of Object.entries(changes)) {
    if (state.explicit.has(k)) continue;
    if (state.values[k] !== String(v)) { state.values[k] = String(v); changed.push(k); }
  }
  return changed;
}

/** Give a parameter back to the page (the user cleared its box): a derived one is derived again by
 *  the next commit; any other (tilt range and bin, map step) returns to its default, so that the URL
 *  no longer carries the old value. */
export function release(name) {
  state.explicit.delete(name);
  if (!DERIVED.includes(name)) state.values[name] = DEFAULTS[name];
}

// ---- field errors: a message stays at its field until the value it was about is replaced by a valid one.

export function setError(name, message, value) { state.errors.set(name, { message: labelled(name, message), value }); }

/** A message names the parameter as the page labels it, with the server's name after it
 *  ("spot σx (mm) (ebeam_xsigma) = …"), so that the user finds the box. */
export function labelled(name, message) {
  const label = typeof document !== "undefined" && document.querySelector(`label[for="${name}"]`);
  const text = label ? label.firstChild.textContent.trim() : "";
  if (!text || !message.startsWith(name) || message.startsWith(text)) return message;
  return `${text} (${name})${message.slice(name.length)}`;
}

/** A request with these parameters succeeded: errors about exactly these values are resolved. */
export function resolveErrors(params) {
  let any = false;
  for (const [name, e] of [...state.errors]) {
    if (e.clientSide) continue;
    if (params.has(name) && params.get(name) === state.values[name]) { state.errors.delete(name); any = true; }
  }
  return any;
}
