// The compact layout (issue #21: a laptop's 1280 × 800): on a short, wide window the spot map and a
// plot beside it must both be seen whole without scrolling the results column, so each is sized to
// the room left below its own top. Taller windows keep plots as wide as their panels.

/** The windows page.css lays out compactly (keep the two in step). */
const COMPACT = "(max-height: 860px) and (min-width: 1001px)";

/** True while the window is short enough for the compact layout. */
export const isCompact = () => window.matchMedia(COMPACT).matches;

/** CSS pixels from `el`'s top to the bottom of the results column's view, measured as if the column
 *  were scrolled to its top (what the page shows on load), less `margin` for the panel's own padding. */
export function roomBelow(el, margin = 14) {
  const column = document.querySelector("section.results");
  if (!column || !el) return innerHeight;
  const top = el.getBoundingClientRect().top - column.getBoundingClientRect().top + column.scrollTop;
  return column.clientHeight - top - margin;
}
