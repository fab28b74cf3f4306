// GlueX's names for the polarization plane (README "Polarization plane"; the server's GlueXPlane).
// Hall D: x to beam left, y up, z along the beam. The page's beam view looks downstream with x to the
// right, so a plane at azimuth φ in the beam view is at 180° − φ in Hall D, folded into (−90°, 90°].
// PARA 0/90 = 0°, PERP 0/90 = 90°, PARA 45/135 = −45°, PERP 45/135 = +45° (Hall D), within 5°.

export const TOLERANCE_DEG = 5;
/** θz of the 45/135 setups: the diamond turned by 45° about the beam, mrad. */
export const THETAZ_45 = String(+(Math.PI / 4 * 1000).toFixed(6));
const NOMINAL = [["PARA", "0/90", 0], ["PERP", "0/90", 90], ["PARA", "45/135", -45], ["PERP", "45/135", 45]];

export function fold(d) { let x = d % 180; if (x <= -90) x += 180; if (x > 90) x -= 180; return Math.abs(x) < 1e-9 ? 0 : x; }
export const hallD = beamViewDeg => fold(180 - beamViewDeg);
const separation = (a, b) => Math.abs(fold(a - b));

/** "PARA 0/90", or null for a plane GlueX has no name for. */
export function gluexName(beamViewDeg) {
  const h = hallD(beamViewDeg), n = NOMINAL.find(([, , a]) => separation(h, a) <= TOLERANCE_DEG);
  return n ? `${n[0]} ${n[1]}` : null;
}

/** The GlueX plane (PARA/PERP) the original tool's snap word gives with the crystal turned by θz (mrad):
 *  snap_para radiates at beam-view 90° + θz, snap_perp at θz. */
export function nameOfSnapWord(word, thetazMrad) {
  const z = Number(thetazMrad) * 0.18 / Math.PI;
  const name = gluexName((word === "snap_para" ? 90 : 0) + (isFinite(z) ? z : 0));
  return name ? name.split(" ")[0] : (word === "snap_para" ? "PERP" : "PARA");
}

/** The setup θz belongs to: "0/90", "45/135" or null. */
export function setupOf(thetazMrad) {
  const z = Number(thetazMrad) * 0.18 / Math.PI;
  if (!isFinite(z)) return null;
  if (separation(z, 0) <= TOLERANCE_DEG) return "0/90";
  if (separation(z, 45) <= TOLERANCE_DEG) return "45/135";
  return null;
}
