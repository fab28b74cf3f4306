/// The constants of the reference model (CobremsGeneration), used exactly:
/// a different electron mass or ħc moves the coherent edge by a bin.
public enum PhysicalConstants {
    /// Electron mass, GeV.
    public static let electronMassGeV = 0.510998910e-3
    /// Fine-structure constant.
    public static let alpha = 7.2973525698e-3
    /// ħc, GeV·m.
    public static let hbarcGeVm = 0.1973269718e-15
    /// Rate conversion of the original tool: photons/s/GeV = dN/dx · I[µA] / (1.6e-13 · E[GeV]).
    public static let microampereElectronsPerSecondDivisor = 1.6e-13
}
