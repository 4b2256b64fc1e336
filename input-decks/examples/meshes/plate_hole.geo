// 2D plate with a circular hole (units: metres).
//
// Generated mesh (Gmsh 4.8.4, Debian package `gmsh`):
//   gmsh plate_hole.geo -2 -format msh41 -o plate_hole.msh
//
// Physical groups:
//   surface "plate" (0.1 x 0.05 rectangle minus a hole of radius 0.01 at (0.05, 0.025))
//   curves  "left" (x = 0), "right" (x = 0.1), "walls" (y = 0 and y = 0.05), "hole"

SetFactory("OpenCASCADE");

Lx = 0.1; Ly = 0.05; R = 0.01;
Rectangle(1) = {0, 0, 0, Lx, Ly};
Disk(2) = {Lx / 2, Ly / 2, 0, R};
BooleanDifference{ Surface{1}; Delete; }{ Surface{2}; Delete; }

eps = 1e-7;
Physical Surface("plate", 1) = {1};
Physical Curve("left", 11) = Curve In BoundingBox{-eps, -eps, -eps, eps, Ly + eps, eps};
Physical Curve("right", 12) = Curve In BoundingBox{Lx - eps, -eps, -eps, Lx + eps, Ly + eps, eps};
Physical Curve("walls", 13) = {
  Curve In BoundingBox{-eps, -eps, -eps, Lx + eps, eps, eps},
  Curve In BoundingBox{-eps, Ly - eps, -eps, Lx + eps, Ly + eps, eps}
};
Physical Curve("hole", 14) = Curve In BoundingBox{Lx / 2 - R - eps, Ly / 2 - R - eps, -eps, Lx / 2 + R + eps, Ly / 2 + R + eps, eps};

Mesh.MeshSizeMin = 0.004;
Mesh.MeshSizeMax = 0.004;
Mesh.MeshSizeFromCurvature = 12;
