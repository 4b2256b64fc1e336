// Heat sink: a base plate with two fins on top (units: metres).
//
// Generated meshes (Gmsh 4.8.4, Debian package `gmsh`):
//   gmsh heat_sink.geo -3 -format msh41 -o heat_sink.msh
//   gmsh heat_sink.msh -format msh41 -bin -save -o heat_sink_binary.msh
// The binary file is a re-save of the ASCII mesh, so both hold exactly the same mesh.
//
// Physical groups:
//   volumes  "base" (plate 40 x 30 x 5 mm), "fin" (two fins 4 x 30 x 20 mm)
//   surfaces "bottom" (heated, z = 0), "fin_tips" (cooled, fin tops at z = 25 mm),
//            "interface" (internal surfaces between base and fins)
//   curve    "fin_edge" (top edge of the first fin along y, length 30 mm)
//   point    "corner" (origin)

SetFactory("OpenCASCADE");

L = 0.040; W = 0.030; T = 0.005;   // base plate
t = 0.004; H = 0.020;              // fin thickness and height
x1 = 0.008; x2 = 0.028;            // fin positions (left x of each fin)

Box(1) = {0, 0, 0, L, W, T};
Box(2) = {x1, 0, T, t, W, H};
Box(3) = {x2, 0, T, t, W, H};
BooleanFragments{ Volume{1}; Delete; }{ Volume{2, 3}; Delete; }

eps = 1e-7;
Physical Volume("base", 1) = Volume In BoundingBox{-eps, -eps, -eps, L + eps, W + eps, T + eps};
Physical Volume("fin", 2) = Volume In BoundingBox{-eps, -eps, T - eps, L + eps, W + eps, T + H + eps};
Physical Surface("bottom", 11) = Surface In BoundingBox{-eps, -eps, -eps, L + eps, W + eps, eps};
Physical Surface("fin_tips", 12) = Surface In BoundingBox{-eps, -eps, T + H - eps, L + eps, W + eps, T + H + eps};
Physical Surface("interface", 13) = {
  Surface In BoundingBox{x1 - eps, -eps, T - eps, x1 + t + eps, W + eps, T + eps},
  Surface In BoundingBox{x2 - eps, -eps, T - eps, x2 + t + eps, W + eps, T + eps}
};
Physical Curve("fin_edge", 21) = Curve In BoundingBox{x1 - eps, -eps, T + H - eps, x1 + eps, W + eps, T + H + eps};
Physical Point("corner", 31) = Point In BoundingBox{-eps, -eps, -eps, eps, eps, eps};

Mesh.MeshSizeMin = 0.003;
Mesh.MeshSizeMax = 0.003;
