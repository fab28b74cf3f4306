// The controls: number boxes, sliders, selects, the edge lock and the fine θ controls. They
// commit changes through state.actions.commit and are redrawn from the state after every change.
//
// Number boxes commit after a short pause, on Enter or when left; a partial number ("1e", "-",
// "0.") is never sent. An error stays at its field until the value is valid.

import { state, subscribe, notify, setError, release, radiatorInfo, isUnknownRadiator } from "./state.js";
import { THETAZ_45, setupOf, hallD } from "./gluex.js";

const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
/** Typing pause after which a number box commits. */
export const PAUSE_MS = 600;
/** Half the edge slider's span, GeV. */
export const EDGE_SPAN_GEV = 0.5;
/** Parameters whose boxes may be left empty: the page then derives them. */
const TILT_AUTO = ["rad_tilt_range", "rad_tilt_resol"];

const $ = s => document.querySelector(s);
const all = s => [...document.querySelectorAll(s)];

function clientError(name, message, text) {
  setError(name, message, text);
  state.errors.get(name).clientSide = true;
  notify(["errors"]);
}

function commitBox(el, push) {
  clearTimeout(el._timer);
  if (el.readOnly) return;
  const name = el.dataset.param, text = el.value.trim();
  if (text === "") {
    if (el.dataset.auto) {
      delete el.dataset.editing;
      state.errors.delete(name);
      release(name);
      state.actions.commit({}, { push, changed: [name] });
    } else clientError(name, `${name}: enter a number`, text);
    return;
  }
  if (!NUMBER.test(text)) { clientError(name, `${name} = '${text}' is not a number yet: finish it (e.g. 1e-3, 0.8)`, text); return; }
  delete el.dataset.editing;
  const e = state.errors.get(name);
  if (e && e.clientSide) state.errors.delete(name);
  state.actions.commit({ [name]: text }, { push, key: name });
}

/** Step a number box with the arrow keys (θH/θV: 1 µrad per press). */
function stepBox(el, direction) {
  const step = Number(el.dataset.step || "0.01");
  const v = Number(el.value);
  if (!isFinite(v)) return;
  el.value = String(+(v + direction * step).toFixed(9));
  el.dataset.editing = "1";
  commitBox(el, true);
}

/** Make a number box commit as every other: after a pause, on Enter or when left (also for boxes that
 *  other views create, such as the spot map's step). Its error element is `[data-err=NAME]`. */
export function wireBox(el) {
  el.addEventListener("input", () => {
    el.dataset.editing = "1";
    clearTimeout(el._timer);
    el._timer = setTimeout(() => commitBox(el, true), PAUSE_MS);
  });
  el.addEventListener("keydown", e => {
    if (e.key === "Enter") { e.preventDefault(); commitBox(el, true); }
    else if (e.key === "ArrowUp" || e.key === "ArrowDown") { e.preventDefault(); stepBox(el, e.key === "ArrowUp" ? 1 : -1); }
  });
  el.addEventListener("blur", () => { if (el.dataset.editing) commitBox(el, true); });
  el.setAttribute("aria-describedby", `err_${el.dataset.param}`);
  const err = el.parentElement.querySelector(`[data-err="${el.dataset.param}"]`);
  if (err) err.id = `err_${el.dataset.param}`;
  if (state.values[el.dataset.param] !== undefined) el.value = state.values[el.dataset.param];
}

function wireBoxes() {
  for (const el of all("input[data-param]")) wireBox(el);
  for (const e of all("[data-err]")) e.id = `err_${e.dataset.err}`;
  for (const el of all("select[data-param]")) {
    el.addEventListener("change", () => state.actions.commit({ [el.dataset.param]: el.value }, { push: true }));
  }
  // A drag is one history entry: its first step pushes, the following steps (within a second of
  // each other) replace that entry, so Back returns to the value before the drag.
  for (const el of all("input[data-slider]")) {
    const name = el.dataset.slider;
    el.addEventListener("input", () => state.actions.commit({ [name]: el.value }, { push: true, key: `${name}:slider` }));
    el.addEventListener("change", () => state.actions.commit({ [name]: el.value }, { push: true, key: `${name}:slider` }));
  }
  // The vernier: ±1 mrad around the value it was last centred on; re-centred when released.
  for (const el of all("input[data-vernier]")) {
    const name = el.dataset.vernier;
    el.addEventListener("input", () => { el.dataset.dragging = "1"; state.actions.commit({ [name]: (+el.value).toFixed(4) }, { push: true, key: `${name}:vernier` }); });
    el.addEventListener("change", () => {
      delete el.dataset.dragging;
      state.actions.commit({ [name]: (+el.value).toFixed(4) }, { push: true, key: `${name}:vernier` });
    });
  }
}

function wireEdge() {
  $("#lock").addEventListener("change", e => {
    state.page.lock = e.target.checked ? "on" : "off";
    state.actions.commit({}, { push: true, changed: ["lock"] });
  });
  for (const r of all("input[name=plane]")) {
    r.addEventListener("change", () => { state.page.plane = r.value; state.actions.commit({}, { push: true, changed: ["plane"] }); });
  }
  $("#azimuth_setup").addEventListener("change", e => {
    if (e.target.value === "other") { $("#rad_thetaz").focus(); return; }
    state.actions.commit({ rad_thetaz: e.target.value === "45/135" ? THETAZ_45 : "0" }, { push: true });
  });
  for (const plane of ["PARA", "PERP"]) {
    $(`#snap_${plane}`).addEventListener("click", () => {
      state.page.plane = plane;
      state.page.lock = "on";
      state.actions.commit({}, { push: true, changed: ["lock", "plane", "snap"] });
    });
  }
  $("#open_collimation").addEventListener("click", () => $("#collimation").showModal());
  $("#collimation").addEventListener("close", () => render());
}

/** The radiator list: every radiator the store has, the ideal crystal, and an unknown name from the URL. */
function renderRadiators() {
  const select = $("#radiator_name");
  const name = state.values.radiator_name;
  const options = state.radiators.map(r => [r.name, `${r.name} — ${r.thickness_um} µm, rms tilt ${r.rms_tilt_urad.toFixed(0)} µrad`]);
  options.push(["ideal", "ideal (perfect crystal)"]);
  if (isUnknownRadiator()) options.unshift([name, `${name} (not in this store)`]);
  const html = options.map(([v, t]) => `<option value="${v.replace(/"/g, "&quot;")}"></option>`).join("");
  if (select.dataset.html !== html) {
    select.innerHTML = html;
    [...select.options].forEach((o, i) => { o.textContent = options[i][1]; });
    select.dataset.html = html;
  }
  select.value = name;
  const message = $("#radiator_message");
  if (isUnknownRadiator()) {
    const names = state.radiators.map(r => r.name);
    message.textContent = `There is no radiator "${name}" in this store. Radiators here: ${names.length ? names.join(", ") : "none"}`
      + " (or ideal). Choose one, or import yours below (JSON, CSV or ROOT) or with `spotfinder import`.";
  } else message.textContent = "";
  message.hidden = !message.textContent;
}

function render() {
  renderRadiators();
  const locked = state.page.lock === "on";
  for (const el of all("input[data-param]")) {
    const name = el.dataset.param;
    el.readOnly = locked && (name === "rad_thetah" || name === "rad_thetav");
    if (el.dataset.editing || document.activeElement === el && state.errors.get(name)?.clientSide) continue;
    const shown = TILT_AUTO.includes(name) && !state.explicit.has(name) ? "" : state.values[name];
    if (el.value !== shown) el.value = shown;
  }
  for (const el of all("select[data-param]")) if (el.id !== "radiator_name") el.value = state.values[el.dataset.param];
  for (const el of all("input[data-slider]")) {
    // The edge slider spans ±EDGE_SPAN_GEV around the edge (re-centred when released), so that a pixel is
    // a few MeV, not 0.1 GeV; the box takes any edge.
    if (el.dataset.slider === "snap_edge" && document.activeElement !== el) {
      const edge = Number(state.values.snap_edge), top = Math.max(0.6, Number(state.values.ebeam_energy) - 0.05);
      if (isFinite(edge)) { el.min = String(+Math.max(0.5, Math.min(edge, top) - EDGE_SPAN_GEV).toFixed(3)); el.max = String(+Math.min(top, edge + EDGE_SPAN_GEV).toFixed(3)); }
    }
    if (document.activeElement !== el || el.value !== state.values[el.dataset.slider]) el.value = state.values[el.dataset.slider];
  }
  for (const el of all("input[data-vernier]")) {
    el.disabled = locked;
    if (el.dataset.dragging) continue;
    const v = Number(state.values[el.dataset.vernier]);
    if (!isFinite(v)) continue;
    el.min = String(v - 1);
    el.max = String(v + 1);
    el.value = String(v);
  }
  $("#lock").checked = locked;
  $(`#plane_${state.page.plane}`).checked = true;
  const setup = setupOf(state.values.rad_thetaz);
  $("#azimuth_setup").value = setup || "other";
  const nominal = setup === "45/135" ? { PARA: -45, PERP: 45 } : { PARA: 0, PERP: 90 };
  const z = Number(state.values.rad_thetaz) * 0.18 / Math.PI;
  $("#plane_hint").textContent = setup
    ? `GlueX ${setup}: PARA = polarization plane at ${nominal.PARA}°, PERP at ${nominal.PERP}° in Hall D (x to beam left, y up; 0° = parallel to the floor).`
    : `θz = ${isFinite(z) ? z.toFixed(1) : "?"}°: not a GlueX setup; the two snaps give planes at ${hallD(z).toFixed(1)}° and ${hallD(90 + z).toFixed(1)}° (Hall D); the read-out names the computed one.`;
  // Unlocked, the edge is a consequence of θH/θV: its box and slider are not controls then.
  $("#snap_edge").readOnly = !locked;
  document.querySelector("input[data-slider=snap_edge]").disabled = !locked;
  $("#angles_hint").textContent = locked
    ? "θH and θV follow the edge: re-snapped for the spot's mean tilt whenever the beam or the edge moves."
    : "θH and θV are set directly (arrow keys step 1 µrad; the slider is a ±1 mrad vernier); the edge box is not a control now: the read-outs show where the edge is. Turn the edge lock on to set the edge.";
  for (const el of all("small.auto")) el.hidden = state.explicit.has(el.dataset.autoFor);
  // Errors stay at their fields; a field inside the closed dialog also reports next to its button.
  for (const el of all("[data-err]")) {
    const e = state.errors.get(el.dataset.err);
    el.textContent = e ? e.message : "";
    const input = document.getElementById(el.dataset.err);
    if (input) { if (e) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid"); }
  }
  const dialog = $("#collimation");
  const hidden = [...state.errors].filter(([name]) => !dialog.open && dialog.querySelector(`[data-err="${name}"]`));
  $("#collimation_error").textContent = hidden.map(([, e]) => `Collimation and radiator: ${e.message}`).join(" ");
  // An unknown radiator's message is already next to the list (#radiator_message).
  const general = [...state.errors].filter(([name]) => !document.querySelector(`[data-err="${name}"]`)
    && !(name === "radiator_name" && isUnknownRadiator()));
  $("#general_error").textContent = general.map(([, e]) => e.message).join(" ");
}

export function startControls() {
  wireBoxes();
  wireEdge();
  subscribe(render);
  render();
}
