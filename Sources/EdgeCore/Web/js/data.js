// The numbers several views share: the tilt distribution under the spot (/api/tilt) and the
// spot-averaged spectrum (/api/spectrum), each fetched once per state that affects it.

import { Follower, RequestFailed } from "./api.js";
import { state, notify, subscribe, queryOf, spectrumQuery, TILT_PARAMS, isIdeal, isUnknownRadiator,
  setError, resolveErrors } from "./state.js";

export const shared = {
  tilt: null, tiltError: null, tiltURL: null, tiltLoaded: null,
  spectrum: null, spectrumError: null, spectrumURL: null, spectrumLoaded: null,
};

function follower(which) {
  return new Follower("json", (body, url) => {
    shared[which] = body;
    shared[which + "Loaded"] = url;
    shared[which + "Error"] = null;
    succeeded(url);
    notify([which + "-data"]);
  }, (e, url) => {
    shared[which + "Error"] = failed(e, url);
    notify([which + "-data"]);
  });
}
const tiltFetch = follower("tilt"), spectrumFetch = follower("spectrum");

/** A request answered: errors about the values it carried are resolved. */
export function succeeded(url) {
  if (resolveErrors(new URL(url, location.href).searchParams)) notify(["errors"]);
}

/** A request refused: the message goes to the field it names, if that field still holds the value. */
export function failed(error, url) {
  if (!(error instanceof RequestFailed)) return String(error);
  const name = error.body.parameter;
  const sent = new URL(url, location.href).searchParams;
  if (name && name in state.values && sent.get(name) === state.values[name]) {
    setError(name, error.message, sent.get(name));
    notify(["errors"]);
  }
  return error.message;
}

function load(which, fetcher, url) {
  shared[which + "URL"] = url;
  fetcher.want(url);
}

function refresh() {
  const hasTopograph = !isIdeal() && !isUnknownRadiator() && state.values.radiator_name !== "";
  const tiltURL = hasTopograph ? "/api/tilt?" + queryOf(TILT_PARAMS) : null;
  if (tiltURL !== shared.tiltURL) {
    if (tiltURL) load("tilt", tiltFetch, tiltURL);
    else { shared.tiltURL = null; shared.tiltLoaded = null; shared.tilt = null; shared.tiltError = null; notify(["tilt-data"]); }
  }
  const spectrumURL = state.snapping || isUnknownRadiator() || state.values.radiator_name === "" ? shared.spectrumURL
    : "/api/spectrum?" + spectrumQuery();
  if (spectrumURL !== shared.spectrumURL && spectrumURL) load("spectrum", spectrumFetch, spectrumURL);
}

export function startSharedData() { subscribe(changed => { if (!changed.every(c => c.endsWith("-data"))) refresh(); }); }
