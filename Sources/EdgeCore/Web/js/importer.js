// Import from the page: drop or choose a radiator file (JSON, CSV or ROOT, the formats of
// `spotfinder import`); POST /api/import with the deployment's token, kept in this browser
// session only. Errors name the line or field; the new radiator is chosen at once.

import { RequestFailed, postJSON } from "./api.js";
import { state } from "./state.js";

const TOKEN_KEY = "spotfinder-token";
const $ = s => document.querySelector(s);
let pendingRoot = null;

function status(text, kind) {
  const el = $("#import_status");
  el.textContent = text;
  el.className = kind || "";
}

/** The server's refusal as one sentence naming where the problem is. */
export function describeFailure(e) {
  if (!(e instanceof RequestFailed)) return `Import failed: ${e.message || e}`;
  if (e.status === 404 || e.status === 405) return "This edge does not accept imports yet (POST /api/import is missing); use `spotfinder import FILE`.";
  if (e.status === 401 || e.status === 403) return `The token was refused: ${e.message}. Enter the deployment's token (scripts/run prints it once on its terminal; or SPOTFINDER_TOKEN).`;
  const where = [e.body.line !== undefined ? `line ${e.body.line}` : "", e.body.field ? `field ${e.body.field}` : "",
    e.body.parameter ? `parameter ${e.body.parameter}` : ""].filter(Boolean).join(", ");
  const already = where && e.message.includes(String(e.body.line ?? e.body.field ?? e.body.parameter));
  return `Import refused${where && !already ? ` (${where})` : ""}: ${e.message}`;
}

async function upload(file, extra = {}) {
  const token = $("#import_token").value.trim();
  if (!token) { status("Enter the deployment's token first (it is kept for this browser session only).", "error"); $("#import_token").focus(); return; }
  sessionStorage.setItem(TOKEN_KEY, token);
  const q = new URLSearchParams({ filename: file.name, ...extra });
  status(`Importing ${file.name}…`, "");
  try {
    const answer = await postJSON("/api/import?" + q.toString(), file, { "X-Spotfinder-Token": token, "Content-Type": "application/octet-stream" });
    await state.actions.reloadRadiators();
    status(`Imported ${answer.name}: now chosen.`, "ok");
    state.actions.commit({ radiator_name: answer.name }, { push: true });
  } catch (e) {
    // A refused token is forgotten: it is asked again, never silently re-sent.
    if (e instanceof RequestFailed && (e.status === 401 || e.status === 403)) { sessionStorage.removeItem(TOKEN_KEY); $("#import_token").value = ""; }
    status(describeFailure(e), "error");
    offerHistograms(e);
  }
}

/** A ROOT file refused for a missing or wrong histogram name lists the file's objects ("NAME (CLASS)"):
 *  its 2-D histograms become the name boxes' suggestions. */
function offerHistograms(e) {
  if (!(e instanceof RequestFailed) || !["thetah", "thetav", "mask"].includes(e.body.parameter)) return;
  const names = [...e.message.matchAll(/([\w./-]+) \((TH2\w*|Map2D\w*)\)/g)].map(m => m[1]);
  $("#import_histograms").innerHTML = "";
  for (const n of new Set(names)) { const o = document.createElement("option"); o.value = n; $("#import_histograms").appendChild(o); }
}

function accept(file) {
  if (!file) return;
  if (/\.root$/i.test(file.name)) {
    pendingRoot = file;
    $("#root_options").hidden = false;
    if (!$("#import_name").value) $("#import_name").value = file.name.replace(/\.root$/i, "").replace(/[^A-Za-z0-9_.-]/g, "-");
    status(`${file.name}: name the two tilt histograms (θH, θV) and give the thickness, then import.`, "");
    return;
  }
  $("#root_options").hidden = true;
  upload(file);
}

export function startImport() {
  $("#import_token").value = sessionStorage.getItem(TOKEN_KEY) || "";
  $("#import_token").addEventListener("change", e => sessionStorage.setItem(TOKEN_KEY, e.target.value.trim()));
  $("#import_file").addEventListener("change", e => { accept(e.target.files[0]); e.target.value = ""; });
  const zone = $("#dropzone");
  zone.addEventListener("dragover", e => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", e => { e.preventDefault(); zone.classList.remove("over"); accept(e.dataTransfer.files[0]); });
  $("#import_root").addEventListener("click", () => {
    if (!pendingRoot) { status("Choose a ROOT file first.", "error"); return; }
    // A ROOT map carries no thickness: the server requires it (thickness_um, µm).
    const extra = { thetah: $("#import_thetah").value.trim(), thetav: $("#import_thetav").value.trim(),
      thickness_um: $("#import_thickness").value.trim(), name: $("#import_name").value.trim() };
    for (const k of Object.keys(extra)) if (!extra[k]) delete extra[k];
    upload(pendingRoot, extra);
  });
}
