// Download links of the Topography's maps and reports, named by scan or radiator and map.

/** A file name for a download: the scan or radiator, the map and the format. */
export const fileName = (...parts) => ["spotfinder", ...parts].filter(Boolean).join("_").replace(/[^A-Za-z0-9_.+-]/g, "") ;

/** Download links (PNG, CSV, JSON, TIFF) of one map: `urlOf(format)` gives each link's address. */
export function downloadLinks(el, urlOf, base, what) {
  el.innerHTML = "";
  for (const [format, ext] of [["png", "png"], ["csv", "csv"], ["json", "json"], ["tiff", "tif"]]) {
    const a = document.createElement("a");
    a.href = urlOf(format);
    a.download = `${base}.${ext}`;
    a.textContent = format.toUpperCase();
    a.className = "dl-" + format;
    a.setAttribute("aria-label", `download ${what} as ${format.toUpperCase()}${format === "tiff" ? " (float32, NaN = no data)" : ""}`);
    el.append(a, " ");
  }
}
