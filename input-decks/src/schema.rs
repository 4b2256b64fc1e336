//! Parameter declarations: what every deck object (mesh generator, material, physics, boundary
//! condition, ...) accepts. The checker validates decks against these, and `galvana docs`
//! renders the deck reference from them, so the two can never disagree.

/// The kind (type and admissible values) of one parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamKind {
    /// A real number, with optional inclusive bounds.
    Float {
        min: Option<f64>,
        max: Option<f64>,
    },
    /// An integer, with optional inclusive bounds.
    Int {
        min: Option<i64>,
        max: Option<i64>,
    },
    Bool,
    /// Free text.
    String,
    /// One of a fixed set of words.
    Choice(&'static [&'static str]),
    /// A file path, relative to the deck's directory.
    Path,
    /// An array of reals (optionally of fixed length).
    FloatArray {
        len: Option<usize>,
    },
    /// An array of strings.
    StringArray,
    /// A list of words, each naming a boundary of the mesh (checked against the mesh).
    BoundaryNames,
    /// A list of words, each naming a region of the mesh (checked against the mesh).
    RegionNames,
    /// A table of `[[x, y], ...]` pairs (e.g. a tabulated property).
    Table,
    /// A free-form table passed through (e.g. raw PETSc options); keys are not checked.
    Any,
    /// An inline table of named integers (`{ x_n = 20, r_n = 30 }`): only these keys, each at
    /// least `min`; keys left out take the parameter's default for them.
    IntMap {
        keys: &'static [&'static str],
        min: i64,
    },
    /// An inline table of named reals (`{ c_n = 2.9e4, c_p = 1.7e4 }`): exactly these keys, all
    /// of them, each at least `min` when given.
    FloatMap {
        keys: &'static [&'static str],
        min: Option<f64>,
    },
    /// One of a fixed set of names, or else a file path relative to the deck's directory (e.g. a
    /// built-in parameter set or a parameter file). Tools that move decks (sweeps) rewrite the
    /// path, never a name.
    NameOrPath(&'static [&'static str]),
}

/// One declared parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamSpec {
    pub name: &'static str,
    pub kind: ParamKind,
    /// SI unit, or "" for dimensionless/none.
    pub unit: &'static str,
    /// Default value as TOML text; `None` with `required = false` means "absent is meaningful".
    pub default: Option<&'static str>,
    pub required: bool,
    pub description: &'static str,
}

impl ParamSpec {
    /// A required parameter.
    pub const fn required(
        name: &'static str,
        kind: ParamKind,
        unit: &'static str,
        description: &'static str,
    ) -> Self {
        Self {
            name,
            kind,
            unit,
            default: None,
            required: true,
            description,
        }
    }
    /// An optional parameter with a default (TOML text).
    pub const fn optional(
        name: &'static str,
        kind: ParamKind,
        unit: &'static str,
        default: &'static str,
        description: &'static str,
    ) -> Self {
        Self {
            name,
            kind,
            unit,
            default: Some(default),
            required: false,
            description,
        }
    }
    /// An optional parameter whose absence is meaningful (no default).
    pub const fn maybe(
        name: &'static str,
        kind: ParamKind,
        unit: &'static str,
        description: &'static str,
    ) -> Self {
        Self {
            name,
            kind,
            unit,
            default: None,
            required: false,
            description,
        }
    }
}

/// A deck object type: selected in the deck by `type = "<name>"` inside a section.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectSpec {
    /// The `type` value that selects it (e.g. "heat_conduction", "convection").
    pub type_name: &'static str,
    pub description: &'static str,
    pub params: Vec<ParamSpec>,
}

/// Where an object type may appear.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SectionKind {
    /// `[mesh]`
    Mesh,
    /// `[materials.<name>]`
    Material,
    /// `[physics]`
    Physics,
    /// `[bcs.<name>]`
    Bc,
    /// `[sources.<name>]` volumetric sources
    Source,
    /// `[postprocessors.<name>]`
    Postprocessor,
}

impl SectionKind {
    pub fn name(self) -> &'static str {
        match self {
            SectionKind::Mesh => "mesh",
            SectionKind::Material => "materials",
            SectionKind::Physics => "physics",
            SectionKind::Bc => "bcs",
            SectionKind::Source => "sources",
            SectionKind::Postprocessor => "postprocessors",
        }
    }
}

/// All object types known to a build of Galvana, by section. The engine fills it from the
/// physics crate's registrations; the deck crate registers the fixed sections' keys itself.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    pub objects: Vec<(SectionKind, ObjectSpec)>,
    /// Which bc types a physics type accepts (physics/BC compatibility); empty = any.
    pub compatible_bcs: Vec<(&'static str, Vec<&'static str>)>,
    /// Physics types that bring their own (internal) mesh: their decks have no `[mesh]`.
    pub meshless: Vec<&'static str>,
    /// Sections a physics type adds to its decks, as (physics type, section), e.g. `[sweep]`
    /// of `battery` decks. Checked like the fixed sections, but only where written, and an
    /// error in a deck of another physics.
    pub sections: Vec<(&'static str, crate::sections::FixedSection)>,
}

impl Registry {
    pub fn add(&mut self, section: SectionKind, spec: ObjectSpec) {
        self.objects.push((section, spec));
    }
    /// The object of type `type_name` in `section`.
    pub fn get(&self, section: SectionKind, type_name: &str) -> Option<&ObjectSpec> {
        self.objects
            .iter()
            .find(|(s, o)| *s == section && o.type_name == type_name)
            .map(|(_, o)| o)
    }
    /// All type names registered for `section`.
    pub fn types(&self, section: SectionKind) -> Vec<&'static str> {
        self.objects
            .iter()
            .filter(|(s, _)| *s == section)
            .map(|(_, o)| o.type_name)
            .collect()
    }
}

impl ParamKind {
    /// What a value of this kind looks like, for "expected ..., found ..." messages.
    pub fn expected(&self) -> &'static str {
        match self {
            ParamKind::Float { .. } => "a number (float)",
            ParamKind::Int { .. } => "an integer",
            ParamKind::Bool => "a boolean (`true` or `false`)",
            ParamKind::String => "a string",
            ParamKind::Choice(_) => "a string (one of the choices)",
            ParamKind::Path => "a string (a file path)",
            ParamKind::FloatArray { .. } => "an array of numbers",
            ParamKind::StringArray => "an array of strings",
            ParamKind::BoundaryNames => "an array of boundary names (strings)",
            ParamKind::RegionNames => "an array of region names (strings)",
            ParamKind::Table => "an array of [x, y] pairs",
            ParamKind::Any => "any value",
            ParamKind::IntMap { .. } => "an inline table of integers",
            ParamKind::FloatMap { .. } => "an inline table of numbers",
            ParamKind::NameOrPath(_) => "a string (a name or a file path)",
        }
    }

    /// A short type label for the deck reference (`float`, `int`, `float[3]`, ...).
    pub fn label(&self) -> String {
        match self {
            ParamKind::Float { .. } => "float".into(),
            ParamKind::Int { .. } => "int".into(),
            ParamKind::Bool => "bool".into(),
            ParamKind::String => "string".into(),
            ParamKind::Choice(_) => "choice".into(),
            ParamKind::Path => "path".into(),
            ParamKind::FloatArray { len: Some(n) } => format!("float[{n}]"),
            ParamKind::FloatArray { len: None } => "float[]".into(),
            ParamKind::StringArray => "string[]".into(),
            ParamKind::BoundaryNames => "boundary names".into(),
            ParamKind::RegionNames => "region names".into(),
            ParamKind::Table => "table [[x, y], ...]".into(),
            ParamKind::Any => "any".into(),
            ParamKind::IntMap { keys, .. } => format!("{{ {} }} (integers)", keys.join(", ")),
            ParamKind::FloatMap { keys, .. } => format!("{{ {} }} (numbers)", keys.join(", ")),
            ParamKind::NameOrPath(_) => "name or path".into(),
        }
    }
}

impl SectionKind {
    /// Every section kind, in deck order.
    pub const ALL: [SectionKind; 6] = [
        SectionKind::Mesh,
        SectionKind::Material,
        SectionKind::Physics,
        SectionKind::Bc,
        SectionKind::Source,
        SectionKind::Postprocessor,
    ];

    /// Whether the section holds named objects (`[bcs.<name>]`) rather than one (`[mesh]`).
    pub fn is_named(self) -> bool {
        !matches!(self, SectionKind::Mesh | SectionKind::Physics)
    }
}

impl Registry {
    /// The bc types physics `physics_type` accepts; `None` when any bc type is accepted.
    pub fn compatible_bcs_for(&self, physics_type: &str) -> Option<&[&'static str]> {
        self.compatible_bcs
            .iter()
            .find(|(p, list)| *p == physics_type && !list.is_empty())
            .map(|(_, list)| list.as_slice())
    }
}
