// Small line and point plots drawn as SVG in the page (a rocking curve with its fitted peak, the motor
// correction per image): axes with ticks and labels, points, lines and labelled vertical markers.

const NS = "http://www.w3.org/2000/svg";
const esc = s => String(s).replace(/[&<>"]/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));

/** Tick values between lo and hi, about `n` of them at 1, 2 or 5 × 10ⁿ. */
export function niceTicks(lo, hi, n = 6) {
  const span = hi - lo || 1, raw = span / n, p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map(m => m * p).find(s => s >= raw) || 10 * p;
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * span; t += step) out.push(+t.toPrecision(12));
  return out;
}

/** Draw into `svg`: `series` [{ x, y, kind: "points"|"line", colour, label }], `markers` [{ x, label, colour }]. */
export function plot(svg, { series, markers = [], xLabel, yLabel, width = 520, height = 300 }) {
  // Drawn at the size shown (CSS pixels), so that the labels keep the page's font size.
  const shown = svg.parentElement ? svg.parentElement.clientWidth : 0;
  if (shown > 200) { height = Math.round(height * Math.min(1.25, Math.max(0.8, shown / width))); width = shown; }
  const pad = { l: 58, r: 12, t: 26, b: 40 };
  const xs = series.flatMap(s => s.x.filter((_, i) => s.y[i] !== null && isFinite(s.y[i])));
  const ys = series.flatMap(s => s.y.filter(v => v !== null && isFinite(v)));
  if (!xs.length) { svg.innerHTML = ""; return; }
  let x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys, 0), y1 = Math.max(...ys);
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) y1 = y0 + 1;
  y1 += 0.06 * (y1 - y0);
  const px = x => pad.l + (x - x0) / (x1 - x0) * (width - pad.l - pad.r);
  const py = y => height - pad.b - (y - y0) / (y1 - y0) * (height - pad.t - pad.b);
  let s = `<rect x="${pad.l}" y="${pad.t}" width="${width - pad.l - pad.r}" height="${height - pad.t - pad.b}" fill="#fff" stroke="#1b2330"/>`;
  for (const t of niceTicks(x0, x1)) s += `<line x1="${px(t)}" x2="${px(t)}" y1="${height - pad.b}" y2="${height - pad.b + 4}" stroke="#1b2330"/>`
    + `<text x="${px(t)}" y="${height - pad.b + 15}" text-anchor="middle">${esc(+t.toPrecision(6))}</text>`;
  for (const t of niceTicks(y0, y1, 5)) s += `<line x1="${pad.l - 4}" x2="${pad.l}" y1="${py(t)}" y2="${py(t)}" stroke="#1b2330"/>`
    + `<text x="${pad.l - 6}" y="${py(t) + 4}" text-anchor="end">${esc(+t.toPrecision(6))}</text>`;
  s += `<text x="${(pad.l + width - pad.r) / 2}" y="${height - 6}" text-anchor="middle">${esc(xLabel)}</text>`;
  s += `<text transform="translate(13 ${(pad.t + height - pad.b) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`;
  for (const m of markers) {
    if (!isFinite(m.x) || m.x < x0 || m.x > x1) continue;
    s += `<line x1="${px(m.x)}" x2="${px(m.x)}" y1="${pad.t}" y2="${height - pad.b}" stroke="${m.colour || "#888"}" stroke-dasharray="4 3"/>`;
  }
  series.forEach(ser => {
    const pts = ser.x.map((x, i) => [x, ser.y[i]]).filter(([, y]) => y !== null && isFinite(y));
    if (ser.kind === "line") s += `<polyline class="${esc(ser.cls || "")}" fill="none" stroke="${ser.colour}" stroke-width="2" points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" ")}"/>`;
    else s += `<g class="${esc(ser.cls || "")}" fill="${ser.colour}">${pts.map(([x, y]) => `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.6"/>`).join("")}</g>`;
  });
  // The legend: one line of the series' and markers' names, at the top.
  let lx = pad.l + 6;
  for (const item of [...series.map(x => ({ ...x, marker: false })), ...markers.map(m => ({ ...m, marker: true }))]) {
    if (!item.label) continue;
    const sym = item.marker ? `<line x1="${lx}" x2="${lx + 14}" y1="13" y2="13" stroke="${item.colour || "#888"}" stroke-dasharray="4 3"/>`
      : item.kind === "line" ? `<line x1="${lx}" x2="${lx + 14}" y1="13" y2="13" stroke="${item.colour}" stroke-width="2"/>`
      : `<circle cx="${lx + 7}" cy="13" r="2.6" fill="${item.colour}"/>`;
    s += sym + `<text x="${lx + 18}" y="17">${esc(item.label)}</text>`;
    lx += 26 + 6.2 * item.label.length;
  }
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("xmlns", NS);
  svg.innerHTML = s;
}
