// Axisymmetric pot-core electromagnet with a flat armature (units: metres; x = r, y = z).
//
// Generated mesh (Gmsh 4.15.2 Python module, `pip install gmsh`), equivalent to
//   gmsh iron_core_electromagnet.geo -2 -format msh41 -o iron_core_electromagnet.msh
//
// Physical groups:
//   surfaces "core" (back plate r < 23.26 mm, 0 < z < 5 mm; centre pole r < 10 mm and outer
//            shell 21 < r < 23.26 mm, 5 < z < 30 mm; pole and shell faces have equal area),
//            "coil" (11.5 < r < 19.5 mm, 7 < z < 28 mm), "armature" (r < 23.26 mm,
//            31 < z < 36 mm: a 1 mm air gap above the pole and shell), "air" (the rest)
//   curves   "axis" (r = 0), "outer" (r = 0.15 m, z = -0.12 m and z = 0.16 m)

SetFactory("OpenCASCADE");
mm = 1e-3;
r3 = Sqrt(21^2 + 10^2) * mm;  // outer shell radius: shell face area = pole face area

Rectangle(1) = {0, 0, 0, r3, 5 * mm};                       // back plate
Rectangle(2) = {0, 5 * mm, 0, 10 * mm, 25 * mm};            // centre pole
Rectangle(3) = {21 * mm, 5 * mm, 0, r3 - 21 * mm, 25 * mm}; // outer shell
Rectangle(4) = {11.5 * mm, 7 * mm, 0, 8 * mm, 21 * mm};     // coil
Rectangle(5) = {0, 31 * mm, 0, r3, 5 * mm};                 // armature
Rectangle(6) = {0, -0.12, 0, 0.15, 0.28};                   // air box
BooleanFragments{ Surface{6}; Delete; }{ Surface{1, 2, 3, 4, 5}; Delete; }

eps = 1e-6;
core() = Surface In BoundingBox{-eps, -eps, -eps, r3 + eps, 30 * mm + eps, eps};
coil() = Surface In BoundingBox{11.5 * mm - eps, 7 * mm - eps, -eps, 19.5 * mm + eps, 28 * mm + eps, eps};
arm() = Surface In BoundingBox{-eps, 31 * mm - eps, -eps, r3 + eps, 36 * mm + eps, eps};
all() = Surface{:};
core() -= coil();
// The window between pole and shell is air even though it lies in the core's bounding box.
window() = Surface In BoundingBox{10 * mm - eps, 5 * mm - eps, -eps, 21 * mm + eps, 30 * mm + eps, eps};
window() -= coil();
core() -= window();
air() = all();
air() -= core();
air() -= coil();
air() -= arm();

Physical Surface("core", 1) = {core()};
Physical Surface("coil", 2) = {coil()};
Physical Surface("armature", 3) = {arm()};
Physical Surface("air", 4) = {air()};
Physical Curve("axis", 11) = Curve In BoundingBox{-eps, -0.12 - eps, -eps, eps, 0.16 + eps, eps};
Physical Curve("outer", 12) = {
  Curve In BoundingBox{0.15 - eps, -0.12 - eps, -eps, 0.15 + eps, 0.16 + eps, eps},
  Curve In BoundingBox{-eps, -0.12 - eps, -eps, 0.15 + eps, -0.12 + eps, eps},
  Curve In BoundingBox{-eps, 0.16 - eps, -eps, 0.15 + eps, 0.16 + eps, eps}
};

// Fine in the gap and the iron, coarse far away.
Field[1] = Box;
Field[1].VIn = 0.5 * mm;
Field[1].VOut = 12 * mm;
Field[1].XMin = 0; Field[1].XMax = r3 + 2 * mm;
Field[1].YMin = -2 * mm; Field[1].YMax = 38 * mm;
Field[1].Thickness = 0.06;
Background Field = 1;
Mesh.MeshSizeExtendFromBoundary = 0;
Mesh.MeshSizeFromPoints = 0;
Mesh.MeshSizeFromCurvature = 0;
