// The deployment's token for the page's writing actions (import, reduce, build): asked once, kept in
// this browser session's storage only (never in the URL), and forgotten when the edge refuses it, so a
// wrong token is asked again instead of being silently re-sent. Every token box on the page shows it.

import { RequestFailed } from "./api.js";

const TOKEN_KEY = "spotfinder-token";
const BOXES = "input[data-token]";

/** The token kept for this session ("" when none). */
export function currentToken() { return sessionStorage.getItem(TOKEN_KEY) || ""; }

/** Keep a token typed into a box, and show it in the page's other token boxes. */
export function rememberToken(token) {
  const t = token.trim();
  if (t) sessionStorage.setItem(TOKEN_KEY, t); else sessionStorage.removeItem(TOKEN_KEY);
  for (const box of document.querySelectorAll(BOXES)) if (box.value !== t) box.value = t;
}

/** Forget the token (refused by the edge): every box is emptied, so it is asked again. */
export function forgetToken() { rememberToken(""); }

/** True when the error is the edge refusing the token (401/403); the token is then forgotten. */
export function forgetIfRefused(e) {
  const refused = e instanceof RequestFailed && (e.status === 401 || e.status === 403);
  if (refused) forgetToken();
  return refused;
}

/** Wire a token box (`data-token`): filled from the session, kept when changed. */
export function wireTokenBox(box) {
  box.value = currentToken();
  box.addEventListener("change", () => rememberToken(box.value));
}
