// Biot–Savart field of straight current segments at points (one thread per point), in the
// closed form of physics/src/magnetics/segment.rs (Hanson & Hirshman 2002):
//   B += k (|r1| + |r2|) (r1 x r2) / max(|r1||r2| (|r1||r2| + r1.r2), floor)
// with r1 = x - a, r2 = r1 - l, k = mu0 I / (4 pi), floor = core^2 |l|^2 / 2.
// The segments are summed in the same order as the CPU, and NVRTC runs with --fmad=false,
// so each point's field matches the CPU's to rounding.
// seg holds 8 doubles per segment: ax, ay, az, lx, ly, lz, k, floor.

extern "C" __global__ void biot_savart_segments(unsigned int npts, const double* __restrict__ x,
                                                const double* __restrict__ y,
                                                const double* __restrict__ z, unsigned int nseg,
                                                const double* __restrict__ seg,
                                                double* __restrict__ bx, double* __restrict__ by,
                                                double* __restrict__ bz) {
    unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= npts) return;
    double px = x[i], py = y[i], pz = z[i];
    double sx = bx[i], sy = by[i], sz = bz[i];
    for (unsigned int s = 0; s < nseg; ++s) {
        const double* g = seg + 8 * s;
        double r1x = px - g[0], r1y = py - g[1], r1z = pz - g[2];
        double r2x = r1x - g[3], r2y = r1y - g[4], r2z = r1z - g[5];
        double n1 = sqrt(r1x * r1x + r1y * r1y + r1z * r1z);
        double n2 = sqrt(r2x * r2x + r2y * r2y + r2z * r2z);
        double q = n1 * n2;
        double den = fmax(q * (q + r1x * r2x + r1y * r2y + r1z * r2z), g[7]);
        double f = g[6] * (n1 + n2) / den;
        sx += f * (r1y * r2z - r1z * r2y);
        sy += f * (r1z * r2x - r1x * r2z);
        sz += f * (r1x * r2y - r1y * r2x);
    }
    bx[i] = sx;
    by[i] = sy;
    bz[i] = sz;
}
