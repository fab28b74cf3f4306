// Talking to the edge. One request in flight per consumer: a newer request aborts the older one,
// and an answer that is no longer wanted is never shown.

let pending = 0;
const busyListeners = [];
export function onBusy(fn) { busyListeners.push(fn); }
function busy(delta) { pending += delta; for (const fn of busyListeners) fn(pending > 0); }

/** An HTTP answer that was not 2xx, with the server's JSON body ({error, parameter, …}). */
export class RequestFailed extends Error {
  constructor(status, body, url) {
    super(body && body.error ? body.error : `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
    this.url = url;
  }
}

/** A fetcher that keeps only the newest request: `get(url)` aborts the one before it.
 *  Resolves to the Response's parsed content, or null when superseded. A busy service (503,
 *  504) gets up to two retries. */
export class Latest {
  constructor(kind = "json") { this.kind = kind; this.controller = null; this.url = null; }
  async get(url, init = {}) {
    if (this.controller) this.controller.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.url = url;
    busy(1);
    try {
      let r = await fetch(url, { ...init, signal: controller.signal });
      for (let retry = 0; retry < 2 && (r.status === 503 || r.status === 504); retry++) {
        await new Promise(ok => setTimeout(ok, 300 * (retry + 1)));
        r = await fetch(url, { ...init, signal: controller.signal });
      }
      if (!r.ok) {
        const body = await r.json().catch(() => ({ error: `${r.status} ${r.statusText}` }));
        throw new RequestFailed(r.status, body, url);
      }
      const content = this.kind === "blob" ? await r.blob() : await r.json();
      return controller.signal.aborted ? null : content;
    } catch (e) {
      if (controller.signal.aborted) return null;
      throw e;
    } finally {
      busy(-1);
      if (this.controller === controller) this.controller = null;
    }
  }
  abort() { if (this.controller) this.controller.abort(); this.controller = null; this.url = null; }
}

/** GET JSON once (no superseding). */
export async function getJSON(url) {
  busy(1);
  try {
    const r = await fetch(url);
    const body = await r.json().catch(() => ({ error: `${r.status} ${r.statusText}` }));
    if (!r.ok) throw new RequestFailed(r.status, body, url);
    return body;
  } finally { busy(-1); }
}

/** POST a body; the answer's JSON, or RequestFailed. */
export async function postJSON(url, body, headers) {
  busy(1);
  try {
    const r = await fetch(url, { method: "POST", body, headers });
    const answer = await r.json().catch(() => ({ error: `${r.status} ${r.statusText}` }));
    if (!r.ok) throw new RequestFailed(r.status, answer, url);
    return answer;
  } finally { busy(-1); }
}

/** Follows a changing URL with at most one request in flight: while one runs, only the newest
 *  wanted URL is remembered and fetched next. Intermediate answers are still shown (a drag gives
 *  feedback), but an error is reported only for the newest URL. */
export class Follower {
  constructor(kind, onResult, onError) {
    this.kind = kind; this.onResult = onResult; this.onError = onError;
    this.wanted = null; this.done = null; this.running = false;
  }
  want(url) {
    this.wanted = url;
    if (!this.running && url !== this.done) this.run();
  }
  /** Forget the last answer, so that the same URL is fetched again. */
  reset() { this.done = null; }
  async run() {
    this.running = true;
    busy(1);
    try {
      while (this.wanted && this.wanted !== this.done) {
        const url = this.wanted;
        try {
          let r = await fetch(url);
          // A busy or restarting service (503, 504): up to two retries after short pauses, unless superseded.
          for (let retry = 0; retry < 2 && (r.status === 503 || r.status === 504) && url === this.wanted; retry++) {
            await new Promise(ok => setTimeout(ok, 300 * (retry + 1)));
            r = await fetch(url);
          }
          if (!r.ok) {
            const body = await r.json().catch(() => ({ error: `${r.status} ${r.statusText}` }));
            throw new RequestFailed(r.status, body, url);
          }
          const content = this.kind === "blob" ? await r.blob() : await r.json();
          this.done = url;
          this.onResult(content, url, url === this.wanted);
        } catch (e) {
          this.done = url;
          if (url === this.wanted) this.onError(e, url);
        }
      }
    } finally {
      this.running = false;
      busy(-1);
    }
  }
}

// ---- Rocking-curve imaging (README "HTTP API"): raw scan folders, reduced scans, curves, radiator builds.

const q = params => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "")).toString();

/** URLs of the topography's reads and downloads; `format` json|csv|tiff|png. */
export const rciURL = {
  folders: () => "/api/rci/folders",
  scans: () => "/api/scans",
  scan: name => "/api/scan?" + q({ scan_name: name }),
  scanMap: (name, map, format = "json") => "/api/scan?" + q({ scan_name: name, map, format }),
  curve: (name, column, row) => "/api/rci/curve?" + q({ scan_name: name, column, row }),
  buildReport: radiator => "/api/rci/build_report?" + q({ radiator_name: radiator }),
  buildMap: (radiator, map, format = "json") => "/api/rci/build_map?" + q({ radiator_name: radiator, map, format }),
};

/** POST /api/rci/reduce: a raw folder reduced on the edge (its nodes) and stored under its manifest name. */
export const rciReduce = (folder, method, motor, token) =>
  postJSON("/api/rci/reduce?" + q({ folder, method, motor }), null, { "X-Spotfinder-Token": token });

/** POST /api/rci/build: a radiator from two (front) or four (front and back) reduced scans. */
export const rciBuild = (params, token) =>
  postJSON("/api/rci/build?" + q(params), null, { "X-Spotfinder-Token": token });

/** A busy edge's answer (429 with retry_after_s, or 503) as a sentence: the work was not started. */
export function busyMessage(e) {
  if (!(e instanceof RequestFailed) || (e.status !== 429 && e.status !== 503)) return "";
  const after = Number(e.body.retry_after_s);
  return `The edge is busy (${e.message}): nothing was started; try again${after > 0 ? ` in ${after} s` : " in a moment"}.`;
}
