#!/usr/bin/env python3
"""Independent reading of the text samples in tests/data: row count and the first and last
value of each normalised column, written without the Rust code (plain splitting and the
unit factors read off each file's header by hand). Its output is pasted into
tests/samples.rs. Run: python3 instruments/tests/independent_reading.py"""
import os

D = os.path.join(os.path.dirname(__file__), "data", "impedancepy")
N = os.path.join(os.path.dirname(__file__), "data", "navani")


def lines(path):
    raw = open(path, "rb").read()
    try:
        t = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        t = raw.decode("latin-1")
    return t.splitlines()


def report(name, cols):
    n = {len(v) for v in cols.values()}
    assert len(n) == 1, name
    print(name, "rows", n.pop())
    for k, v in cols.items():
        print(f"  {k}: first {v[0]!r} last {v[-1]!r}")


def take(rows, idx, scale=1.0):
    return [float(r[idx]) * scale for r in rows]


# BioLogic .mpt: header on line 61 (`Nb header lines : 61`), tab separated.
L = lines(os.path.join(D, "exampleDataBioLogic.mpt"))
rows = [l.rstrip("\t").split("\t") for l in L[61:] if l.strip()]
report("exampleDataBioLogic.mpt", {
    "frequency_Hz": take(rows, 0), "z_real_ohm": take(rows, 1), "z_imag_ohm": take(rows, 2, -1.0),
    "time_s": take(rows, 5), "potential_V": take(rows, 6), "current_A": take(rows, 7, 1e-3),
    "cycle": take(rows, 10)})

# Gamry: ZCURVE table; columns Pt Time Freq Zreal Zimag Zsig Zmod Zphz Idc Vdc IERange.
for f in ["exampleDataGamry.DTA", "exampleDataGamryABORT.DTA"]:
    L = lines(os.path.join(D, f))
    i = L.index("ZCURVE\tTABLE") + 3
    rows = []
    while i < len(L) and L[i].startswith("\t"):
        rows.append(L[i][1:].split("\t"))
        i += 1
    report(f, {"time_s": take(rows, 1), "frequency_Hz": take(rows, 2), "z_real_ohm": take(rows, 3),
               "z_imag_ohm": take(rows, 4), "current_A": take(rows, 8), "potential_V": take(rows, 9)})

# ZPlot .z: rows after `End Comments`, tab separated: Freq Ampl Bias Time Z' Z'' GD Err Range.
for f in ["exampleDataZPlot.z"] + [f"Circuit{i}_EIS_{j}.z" for i in (1, 2, 3) for j in (1, 2)]:
    L = lines(os.path.join(D, f))
    rows = [l.split("\t") for l in L[L.index("End Comments") + 1:] if l.strip()]
    report(f, {"frequency_Hz": take(rows, 0), "time_s": take(rows, 3), "z_real_ohm": take(rows, 4),
               "z_imag_ohm": take(rows, 5)})

# ZPlotW / Autolab Z60W: comma rows after the quoted header.
for f in ["exampleDataZPlot_noComments.z", "exampleDataAutolab.txt"]:
    L = lines(os.path.join(D, f))
    h = [i for i, l in enumerate(L) if l.startswith('"') and "Freq" in l and "Z'" in l][0]
    rows = [l.split(",") for l in L[h + 1:] if l.strip()]
    report(f, {"frequency_Hz": take(rows, 0), "time_s": take(rows, 3), "z_real_ohm": take(rows, 4),
               "z_imag_ohm": take(rows, 5)})

# CH Instruments: after the `Freq/Hz, ...` header (and its blank line).
L = lines(os.path.join(D, "exampleDataCHInstruments.txt"))
h = [i for i, l in enumerate(L) if l.startswith("Freq/Hz")][0]
rows = [l.split(",") for l in L[h + 1:] if l.strip()]
report("exampleDataCHInstruments.txt", {"frequency_Hz": take(rows, 0), "z_real_ohm": take(rows, 1),
                                        "z_imag_ohm": take(rows, 2)})

# Parstat: tab separated with a trailing tab. Potential Current Time Freq Zre Zim |Vac| |Iac|.
L = lines(os.path.join(D, "exampleDataParstat.txt"))
rows = [l.rstrip("\t").split("\t") for l in L[1:] if l.strip()]
report("exampleDataParstat.txt", {"potential_V": take(rows, 0), "current_A": take(rows, 1), "time_s": take(rows, 2),
                                  "frequency_Hz": take(rows, 3), "z_real_ohm": take(rows, 4), "z_imag_ohm": take(rows, 5)})

# PowerSuite: Frequency Zre Zimg.
L = lines(os.path.join(D, "exampleDataPowersuite.txt"))
rows = [l.split("\t") for l in L[1:] if l.strip()]
report("exampleDataPowersuite.txt", {"frequency_Hz": take(rows, 0), "z_real_ohm": take(rows, 1), "z_imag_ohm": take(rows, 2)})

# Plain CSV (no header; impedance.py's layout: frequency, Z', Z'').
L = lines(os.path.join(D, "exampleData.csv"))
rows = [l.split(",") for l in L if l.strip()]
report("exampleData.csv", {"frequency_Hz": take(rows, 0), "z_real_ohm": take(rows, 1), "z_imag_ohm": take(rows, 2)})

# VersaStudio: rows between `Definition=` and `</Segment1>`; E(V)=2 I(A)=3 t=4 f=9 Zre=14 Zim=15.
L = lines(os.path.join(D, "exampleDataVersaStudio.par"))
a = [i for i, l in enumerate(L) if l.startswith("Definition=")][0]
b = L.index("</Segment1>")
rows = [l.split(",") for l in L[a + 1:b] if l.strip()]
report("exampleDataVersaStudio.par", {"potential_V": take(rows, 2), "current_A": take(rows, 3), "time_s": take(rows, 4),
                                      "frequency_Hz": take(rows, 9), "z_real_ohm": take(rows, 14), "z_imag_ohm": take(rows, 15)})

# Maccor: Rec# Cyc# Step Test(Min) Step(Min) Amp-hr Watt-hr Amps Volts State ...; D rows discharge.
L = lines(os.path.join(N, "maccor_example.txt"))
rows = [l.split("\t") for l in L[2:] if l.strip()]
cur = [float(r[7]) * (-1 if r[9] == "D" else 1) for r in rows]
report("maccor_example.txt", {"time_s": take(rows, 3, 60.0), "potential_V": take(rows, 8), "current_A": cur,
                              "charge_Ah": take(rows, 5), "cycle": take(rows, 1), "step": take(rows, 2)})
