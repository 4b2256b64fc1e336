/* Single entry point for bindgen: petscksp.h pulls in Mat, Vec, PC, options,
   error handling and <mpi.h>. */
#include <petscksp.h>
