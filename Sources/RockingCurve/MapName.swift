/// The maps a reduction writes, named as the original toolkit named them where one
/// corresponds (`hmu`, `hsigma`, `hamp`, `hbase`, `hmu_moco`, `hsigma_moco`), so its users
/// recognise them; the extras have plain names.
public enum MapName: String, Sendable, Codable, CaseIterable {
    /// Peak position at the nominal angles, µrad.
    case hmu
    /// Peak width σ at the nominal angles, µrad (for pvoigt: FWHM / 2.3548).
    case hsigma
    /// Peak height above the background, counts.
    case hamp
    /// Background level under the peak, counts.
    case hbase
    /// Peak position at the motor-corrected angles, µrad (what everything downstream uses).
    case hmuMoco = "hmu_moco"
    /// Peak width σ at the motor-corrected angles, µrad.
    case hsigmaMoco = "hsigma_moco"
    /// Full width at half maximum, µrad.
    case hfwhm
    /// Integrated intensity above the background, counts·µrad.
    case hintegral
    /// One-standard-deviation uncertainty of the peak position, µrad.
    case hmuErr = "hmu_err"
    /// Peak height over the background noise (the goodness of the detection).
    case hsnr
    /// Reduced χ² of the fit (gauss, pvoigt); NaN for moments.
    case hchi2
    /// Lorentzian fraction η of the pseudo-Voigt (pvoigt only).
    case heta
}
