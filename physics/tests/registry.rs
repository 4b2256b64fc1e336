//! Parameter declarations vs builders: what the deck checker accepts is what the builders read.

use galvana_decks::schema::{ParamKind, Registry, SectionKind};
use galvana_physics::thermal::HeatConductionOptions;
use galvana_physics::{
    build_material, build_source, build_thermal_bc, materials, register, ParamGetter,
};
use std::cell::RefCell;
use std::collections::HashMap;

#[derive(Default)]
struct Params {
    f: HashMap<&'static str, f64>,
    s: HashMap<&'static str, String>,
    t: HashMap<&'static str, Vec<(f64, f64)>>,
    i: HashMap<&'static str, i64>,
    read: RefCell<Vec<String>>,
}

impl Params {
    fn f(mut self, k: &'static str, v: f64) -> Self {
        self.f.insert(k, v);
        self
    }
    fn note(&self, name: &str) {
        self.read.borrow_mut().push(name.to_string());
    }
}

impl ParamGetter for Params {
    fn f64(&self, name: &str) -> Option<f64> {
        self.note(name);
        self.f.get(name).copied()
    }
    fn str(&self, name: &str) -> Option<String> {
        self.note(name);
        self.s.get(name).cloned()
    }
    fn table(&self, name: &str) -> Option<Vec<(f64, f64)>> {
        self.note(name);
        self.t.get(name).cloned()
    }
    fn i64(&self, name: &str) -> Option<i64> {
        self.note(name);
        self.i.get(name).copied()
    }
}

fn registry() -> Registry {
    let mut reg = Registry::default();
    register(&mut reg);
    reg
}

/// Every name a builder read is declared for that type.
fn assert_reads_declared(reg: &Registry, section: SectionKind, ty: &str, p: &Params) {
    let spec = reg
        .get(section, ty)
        .unwrap_or_else(|| panic!("{ty} not registered"));
    for name in p.read.borrow().iter() {
        assert!(
            spec.params.iter().any(|q| q.name == name),
            "{ty}: builder reads undeclared `{name}`"
        );
    }
}

#[test]
fn registers_expected_types() {
    let reg = registry();
    assert_eq!(
        reg.types(SectionKind::Material),
        vec![
            "constant",
            "tabulated",
            "nist",
            "magnetic_linear",
            "magnetic_bh",
            "magnet",
            "body"
        ]
    );
    assert_eq!(
        reg.types(SectionKind::Physics),
        vec![
            "heat_conduction",
            "nernst_planck",
            "battery",
            "biot_savart",
            "quench",
            "magnetostatic",
            "cryostat"
        ]
    );
    assert_eq!(
        reg.meshless,
        vec!["battery", "biot_savart", "quench", "cryostat"]
    );
    assert_eq!(
        reg.types(SectionKind::Postprocessor),
        vec!["line", "plane", "points", "mesh"]
    );
    assert_eq!(
        reg.types(SectionKind::Bc),
        vec![
            "temperature",
            "heat_flux",
            "convection",
            "radiation",
            "mli",
            "cryocooler",
            "bulk",
            "butler_volmer",
            "magnetic_potential",
            "conductance",
            "radiation_link",
            "mli_link",
            "support",
            "cryocooler_stage"
        ]
    );
    assert_eq!(
        reg.types(SectionKind::Source),
        vec![
            "volumetric",
            "loop",
            "solenoid",
            "polyline",
            "racetrack",
            "helix",
            "coil",
            "heat_load"
        ]
    );
    assert!(reg.types(SectionKind::Mesh).is_empty());
    assert_eq!(
        reg.compatible_bcs,
        vec![
            (
                "heat_conduction",
                vec![
                    "temperature",
                    "heat_flux",
                    "convection",
                    "radiation",
                    "mli",
                    "cryocooler"
                ]
            ),
            ("nernst_planck", vec!["butler_volmer", "bulk"]),
            ("magnetostatic", vec!["magnetic_potential"]),
            (
                "cryostat",
                galvana_physics::cryostat::deck::BC_TYPES.to_vec()
            )
        ]
    );
    // Declared kinds that the engine relies on.
    let nist = reg.get(SectionKind::Material, "nist").unwrap();
    let material = nist.params.iter().find(|p| p.name == "material").unwrap();
    assert_eq!(material.kind, ParamKind::Choice(materials::nist_names()));
    assert!(material.required);
    let hc = reg.get(SectionKind::Physics, "heat_conduction").unwrap();
    let order = hc.params.iter().find(|p| p.name == "order").unwrap();
    assert_eq!(
        order.kind,
        ParamKind::Int {
            min: Some(1),
            max: Some(2)
        }
    );
    assert_eq!(order.default, Some("1"));
    for (section, o) in &reg.objects {
        assert!(!o.description.is_empty());
        for p in &o.params {
            assert!(
                !p.description.is_empty(),
                "{}.{} lacks a description",
                o.type_name,
                p.name
            );
            let needs_unit = matches!(p.kind, ParamKind::Float { .. })
                && ![
                    "applied_strain",
                    "emissivity",
                    "from_emissivity",
                    "to_emissivity",
                    "initial_soc",
                    "lockheed_density_exponent",
                    "max_step_change",
                    "mu_r",
                    "rrr",
                    "relative_permittivity",
                    "transfer_coefficient",
                    "turns",
                ]
                .contains(&p.name);
            assert!(
                !needs_unit || !p.unit.is_empty(),
                "{}.{} lacks a unit",
                o.type_name,
                p.name
            );
        }
        match section {
            // biot_savart coils are sources of current, not of heat on mesh regions.
            SectionKind::Source
                if galvana_physics::magnetics::deck::COIL_TYPES.contains(&o.type_name) => {}
            // Cryostat bodies, links and loads name network nodes, not mesh regions/boundaries.
            SectionKind::Material | SectionKind::Source | SectionKind::Bc
                if ["body", "heat_load"].contains(&o.type_name)
                    || galvana_physics::cryostat::deck::BC_TYPES.contains(&o.type_name) => {}
            SectionKind::Material | SectionKind::Source => {
                assert!(o
                    .params
                    .iter()
                    .any(|p| p.name == "regions" && p.kind == ParamKind::RegionNames && p.required))
            }
            SectionKind::Bc => {
                assert!(o.params.iter().any(|p| p.name == "boundary"
                    && p.kind == ParamKind::BoundaryNames
                    && p.required))
            }
            _ => {}
        }
    }
}

#[test]
fn material_builders() {
    let reg = registry();
    let p = Params::default().f("k", 2.0).f("rho", 3.0).f("cp", 4.0);
    let m = build_material("constant", &p).unwrap();
    assert_eq!(
        (m.conductivity(10.0), m.density(), m.specific_heat(10.0)),
        (2.0, 3.0, 4.0)
    );
    assert_reads_declared(&reg, SectionKind::Material, "constant", &p);
    assert!(build_material("constant", &Params::default().f("k", 2.0))
        .unwrap_err()
        .contains("rho"));

    let mut p = Params::default().f("rho", 2700.0);
    p.t.insert("conductivity", vec![(4.0, 5.0), (300.0, 150.0)]);
    p.t.insert("specific_heat", vec![(4.0, 0.3), (300.0, 900.0)]);
    let m = build_material("tabulated", &p).unwrap();
    assert_eq!(m.conductivity(300.0), 150.0);
    assert_reads_declared(&reg, SectionKind::Material, "tabulated", &p);

    for name in materials::nist_names() {
        let mut p = Params::default();
        p.s.insert("material", name.to_string());
        let m = build_material("nist", &p).unwrap();
        assert_eq!(m.name(), *name);
        assert_reads_declared(&reg, SectionKind::Material, "nist", &p);
    }
    let mut p = Params::default().f("rho", 8900.0);
    p.s.insert("material", "copper_rrr50".into());
    assert_eq!(build_material("nist", &p).unwrap().density(), 8900.0);
    let mut p = Params::default();
    p.s.insert("material", "copper_rrr1000".into());
    assert!(build_material("nist", &p)
        .unwrap_err()
        .contains("copper_rrr100"));
    assert!(build_material("granite", &Params::default()).is_err());
}

#[test]
fn bc_and_source_builders() {
    let reg = registry();
    let cases: Vec<(&str, Params)> = vec![
        ("temperature", Params::default().f("value", 4.2)),
        ("heat_flux", Params::default().f("q", 10.0)),
        (
            "convection",
            Params::default().f("h", 5.0).f("t_inf", 293.0),
        ),
        (
            "radiation",
            Params::default().f("emissivity", 0.1).f("t_inf", 293.0),
        ),
        ("mli", {
            let mut p = Params::default().f("emissivity", 0.03).f("t_inf", 293.0);
            p.i.insert("layers", 20);
            p
        }),
        ("cryocooler", {
            let mut p = Params::default().f("area", 0.01);
            p.t.insert("capacity", vec![(3.0, 0.0), (4.2, 1.5), (45.0, 40.0)]);
            p
        }),
    ];
    for (ty, p) in &cases {
        let bc = build_thermal_bc(ty, p).unwrap_or_else(|e| panic!("{ty}: {e}"));
        assert_eq!(bc.is_dirichlet(0), *ty == "temperature");
        assert_reads_declared(&reg, SectionKind::Bc, ty, p);
        assert!(
            build_thermal_bc(ty, &Params::default()).is_err(),
            "{ty} accepted no parameters"
        );
    }
    let mut p = Params::default().f("emissivity", 0.03).f("t_inf", 293.0);
    p.i.insert("layers", 0);
    assert!(build_thermal_bc("mli", &p).is_err());
    assert!(build_thermal_bc("dirichlet", &Params::default()).is_err());

    let p = Params::default().f("value", 1e5);
    let s = build_source("volumetric", &p, vec![3, 4]).unwrap();
    assert_eq!(s.regions, vec![3, 4]);
    assert_eq!(s.eval([0.0; 3], 0.0, 10.0), (1e5, 0.0));
    assert_reads_declared(&reg, SectionKind::Source, "volumetric", &p);
}

#[test]
fn physics_options() {
    let reg = registry();
    let p = Params::default();
    let o = HeatConductionOptions::from_params(&p).unwrap();
    assert_eq!((o.order, o.quadrature_order), (1, None));
    assert_reads_declared(&reg, SectionKind::Physics, "heat_conduction", &p);
    let mut p = Params::default();
    p.i.insert("order", 2);
    p.i.insert("quadrature_order", 5);
    assert_eq!(
        HeatConductionOptions::from_params(&p).unwrap(),
        HeatConductionOptions {
            order: 2,
            quadrature_order: Some(5)
        }
    );
    p.i.insert("order", 3);
    assert!(HeatConductionOptions::from_params(&p).is_err());
}

#[test]
fn magnetostatic_builders() {
    use galvana_physics::magnetostatic::deck::{build_bc, build_material, CoilDrive};
    let reg = registry();
    let p = Params::default().f("mu_r", 1000.0);
    let m = build_material("magnetic_linear", &p).unwrap();
    assert!((m.nu(1.0).0 * 1000.0 * galvana_physics::magnetostatic::MU0 - 1.0).abs() < 1e-15);
    assert_reads_declared(&reg, SectionKind::Material, "magnetic_linear", &p);
    assert!(build_material("magnetic_linear", &Params::default().f("mu_r", 0.0)).is_err());
    let mut p = Params::default();
    p.t.insert("bh", vec![(100.0, 0.5), (1000.0, 1.5)]);
    assert!(build_material("magnetic_bh", &p).unwrap().is_nonlinear());
    assert_reads_declared(&reg, SectionKind::Material, "magnetic_bh", &p);
    p.t.insert("bh", vec![(100.0, 0.5), (50.0, 1.5)]);
    assert!(build_material("magnetic_bh", &p)
        .unwrap_err()
        .contains("bh"));
    // A thermal material is not magnetic, and the other way round.
    assert!(build_material("constant", &Params::default()).is_err());

    let p = Params::default().f("turns", 100.0).f("current", 2.0);
    let d = CoilDrive::from_params(&p).unwrap();
    assert_eq!(d.density(0.5), 400.0);
    assert_reads_declared(&reg, SectionKind::Source, "coil", &p);
    let both = Params::default()
        .f("turns", 100.0)
        .f("current", 2.0)
        .f("current_density", 1.0);
    assert!(CoilDrive::from_params(&both)
        .unwrap_err()
        .contains("not both"));
    assert!(CoilDrive::from_params(&Params::default().f("turns", 3.0)).is_err());

    let p = Params::default().f("value", 0.0);
    assert!(build_bc("magnetic_potential", &p).is_ok());
    assert_reads_declared(&reg, SectionKind::Bc, "magnetic_potential", &p);
    assert!(build_bc("temperature", &p).is_err());
}
