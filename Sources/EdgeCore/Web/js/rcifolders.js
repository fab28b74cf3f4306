// Raw scan folders on the server (GET /api/rci/folders) and their reduction (POST /api/rci/reduce,
// with the deployment's token): the manifest's facts, a "reduce" action with the method chosen, a
// working… state while it runs, and errors at the field they concern (the token, the folder).

import { getJSON, RequestFailed, rciURL, rciReduce, busyMessage } from "./api.js";
import { currentToken, forgetIfRefused, wireTokenBox } from "./token.js";

const $ = s => document.querySelector(s);
const ROCKING = { thetah: "θH", thetav: "θV" };
let onReduced = () => {};
/** Folders being reduced: folder → start time (a reduction is not started twice). */
const working = new Map();

function tokenError(text) {
  $("#topo_token_error").textContent = text;
  $("#topo_token").setAttribute("aria-invalid", text ? "true" : "false");
  if (text) $("#topo_token").focus();
}

/** The folders and their facts; a 404 says the edge has no raw-folder service. */
export async function loadFolders() {
  const list = $("#folder_list"), status = $("#folders_status");
  let answer;
  try { answer = await getJSON(rciURL.folders()); } catch (e) {
    list.innerHTML = "";
    status.textContent = e instanceof RequestFailed && e.status === 404
      ? "This edge lists no raw folders (GET /api/rci/folders is missing): reduce with `spotfinder rci reduce DIR` and `spotfinder rci publish`."
      : `The raw folders could not be listed: ${e.message}`;
    return;
  }
  status.textContent = !answer.root_configured ? "No scans folder is configured on the server (edge --scans DIR)."
    : answer.folders.length ? "" : "The scans folder holds no scan (a folder with scan.json and its images).";
  list.innerHTML = "";
  for (const f of answer.folders) list.appendChild(folderItem(f));
}

function folderItem(f) {
  const li = document.createElement("li");
  li.className = "folder";
  li.dataset.folder = f.folder;
  li.innerHTML = `<div><b></b> <span class="facts"></span></div><div class="actions"><button type="button" class="reduce">Reduce</button>
    <span class="fstatus" role="status"></span></div><div class="err" role="alert"></div>`;
  li.querySelector("b").textContent = f.name || f.folder;
  const facts = f.error ? "" : `${f.folder} · ${f.face || "?"} ${ROCKING[f.rocking] || f.rocking || ""} · ${f.width} × ${f.height} px × ${f.images} images`
    + `${f.sample_type ? " · " + f.sample_type : ""}${f.reduced ? " · reduced" : ""}`;
  li.querySelector(".facts").textContent = facts;
  const button = li.querySelector(".reduce");
  button.setAttribute("aria-label", `reduce ${f.name || f.folder}`);
  if (f.error) { li.querySelector(".err").textContent = f.error; button.disabled = true; }
  if (f.reduced) button.textContent = "Reduce again";
  button.addEventListener("click", () => reduce(f, li));
  if (working.has(f.folder)) showWorking(li, f);
  return li;
}

function showWorking(li, f) {
  const button = li.querySelector(".reduce"), status = li.querySelector(".fstatus");
  button.disabled = true;
  li.classList.add("working");
  const tick = () => {
    if (!working.has(f.folder)) return;
    status.textContent = `working… ${Math.round((Date.now() - working.get(f.folder)) / 1000)} s (${f.width} × ${f.height} px × ${f.images} images)`;
    setTimeout(tick, 1000);
  };
  tick();
}

async function reduce(f, li) {
  const token = currentToken() || $("#topo_token").value.trim();
  if (!token) { tokenError("Enter the deployment's token first (it is kept for this browser session only)."); return; }
  tokenError("");
  const method = $("#reduce_method").value, motor = $("#reduce_motor").value, err = li.querySelector(".err"), status = li.querySelector(".fstatus");
  err.textContent = "";
  working.set(f.folder, Date.now());
  showWorking(li, f);
  try {
    const answer = await rciReduce(f.folder, method, motor, token);
    working.delete(f.folder);
    const counts = answer.validity_counts || {}, total = Object.values(counts).reduce((a, v) => a + v, 0) || 1;
    status.textContent = `reduced as ${answer.scan_name} in ${answer.seconds.toFixed(1)} s: ${(100 * (counts.valid || 0) / total).toFixed(0)} % valid`
      + `${answer.motor_corrected ? ", motor corrected" : ""}.`;
    status.className = "fstatus ok";
    onReduced(answer.scan_name);
  } catch (e) {
    working.delete(f.folder);
    status.textContent = "";
    if (busyMessage(e)) err.textContent = busyMessage(e);
    else if (e instanceof RequestFailed && (e.status === 405 || (e.status === 404 && !e.body.parameter))) err.textContent = `This edge does not reduce scans yet (POST /api/rci/reduce: ${e.message}).`;
    else if (forgetIfRefused(e)) tokenError(`The token was refused (${e.message}): enter the deployment's token (scripts/run prints it once on its terminal).`);
    else err.textContent = e instanceof RequestFailed && e.body.parameter && !e.message.includes(e.body.parameter)
      ? `${e.body.parameter}: ${e.message}` : `Reduction refused: ${e.message}`;
  } finally {
    li.classList.remove("working");
    li.querySelector(".reduce").disabled = false;
  }
}

export function startFolders(hooks) {
  onReduced = hooks.onReduced;
  wireTokenBox($("#topo_token"));
  $("#topo_token").addEventListener("input", () => tokenError(""));
}
