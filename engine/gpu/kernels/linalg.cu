// Distributed linear algebra on one device: CSR SpMV (row-per-thread and warp-per-row), a
// deterministic two-stage dot product, vector updates and the Jacobi preconditioner.
// Compiled by NVRTC with --fmad=false so that products and sums round as on the CPU.
// Vectors hold owned entries first, then ghosts (as engine/src/linalg/layout.rs).

#define DOT_THREADS 256

extern "C" __global__ void spmv_csr_scalar(unsigned int n, const unsigned int* __restrict__ row_ptr,
                                           const unsigned int* __restrict__ cols,
                                           const double* __restrict__ vals,
                                           const double* __restrict__ x, double* __restrict__ y) {
    unsigned int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= n) return;
    double s = 0.0;
    for (unsigned int k = row_ptr[r]; k < row_ptr[r + 1]; ++k) s += vals[k] * x[cols[k]];
    y[r] = s;
}

// One warp per row: lanes stride over the row, then a butterfly sum (fixed order, so the
// result does not depend on scheduling).
extern "C" __global__ void spmv_csr_vector(unsigned int n, const unsigned int* __restrict__ row_ptr,
                                           const unsigned int* __restrict__ cols,
                                           const double* __restrict__ vals,
                                           const double* __restrict__ x, double* __restrict__ y) {
    unsigned int warp = (blockIdx.x * blockDim.x + threadIdx.x) / 32;
    unsigned int lane = threadIdx.x & 31;
    if (warp >= n) return;
    double s = 0.0;
    for (unsigned int k = row_ptr[warp] + lane; k < row_ptr[warp + 1]; k += 32) s += vals[k] * x[cols[k]];
    for (int off = 16; off > 0; off >>= 1) s += __shfl_xor_sync(0xffffffffu, s, off);
    if (lane == 0) y[warp] = s;
}

// Four lanes per row (eight rows per warp): for stencil rows of 7 to 27 entries, where one
// thread per row leaves loads uncoalesced and a warp per row leaves most lanes idle.
extern "C" __global__ void spmv_csr_lanes4(unsigned int n, const unsigned int* __restrict__ row_ptr,
                                           const unsigned int* __restrict__ cols,
                                           const double* __restrict__ vals,
                                           const double* __restrict__ x, double* __restrict__ y) {
    unsigned int t = blockIdx.x * blockDim.x + threadIdx.x;
    unsigned int row = t / 4, lane = t & 3;
    double s = 0.0;
    if (row < n)
        for (unsigned int k = row_ptr[row] + lane; k < row_ptr[row + 1]; k += 4) s += vals[k] * x[cols[k]];
    // Every lane of the warp takes part in the shuffles (rows past n contribute nothing).
    s += __shfl_xor_sync(0xffffffffu, s, 2, 4);
    s += __shfl_xor_sync(0xffffffffu, s, 1, 4);
    if (row < n && lane == 0) y[row] = s;
}

// Stage 1 of the dot product: each block sums a grid-strided share into partial[blockIdx.x].
// The grid size is fixed by the host (not by the device), so the sum order, and the result,
// is the same on every device and every run.
extern "C" __global__ void dot_partial(unsigned int n, const double* __restrict__ x,
                                       const double* __restrict__ y, double* __restrict__ partial) {
    __shared__ double s[DOT_THREADS];
    double acc = 0.0;
    for (unsigned int i = blockIdx.x * DOT_THREADS + threadIdx.x; i < n; i += gridDim.x * DOT_THREADS)
        acc += x[i] * y[i];
    s[threadIdx.x] = acc;
    __syncthreads();
    for (unsigned int h = DOT_THREADS / 2; h > 0; h >>= 1) {
        if (threadIdx.x < h) s[threadIdx.x] += s[threadIdx.x + h];
        __syncthreads();
    }
    if (threadIdx.x == 0) partial[blockIdx.x] = s[0];
}

// Stage 2: one block sums the m partials (m <= DOT_THREADS) in a fixed tree into out[0].
extern "C" __global__ void dot_final(unsigned int m, const double* __restrict__ partial,
                                     double* __restrict__ out) {
    __shared__ double s[DOT_THREADS];
    s[threadIdx.x] = threadIdx.x < m ? partial[threadIdx.x] : 0.0;
    __syncthreads();
    for (unsigned int h = DOT_THREADS / 2; h > 0; h >>= 1) {
        if (threadIdx.x < h) s[threadIdx.x] += s[threadIdx.x + h];
        __syncthreads();
    }
    if (threadIdx.x == 0) out[0] = s[0];
}

// y += a x
extern "C" __global__ void axpy(unsigned int n, double a, const double* __restrict__ x, double* __restrict__ y) {
    unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] += a * x[i];
}

// y = a x + b y
extern "C" __global__ void axpby(unsigned int n, double a, const double* __restrict__ x, double b,
                                 double* __restrict__ y) {
    unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * x[i] + b * y[i];
}

// z = r / diag (the inverse diagonal is stored: one multiply per entry)
extern "C" __global__ void jacobi_apply(unsigned int n, const double* __restrict__ inv_diag,
                                        const double* __restrict__ r, double* __restrict__ z) {
    unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) z[i] = inv_diag[i] * r[i];
}

// r = b - r (the residual after r = A x)
extern "C" __global__ void residual_from(unsigned int n, const double* __restrict__ b, double* __restrict__ r) {
    unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) r[i] = b[i] - r[i];
}
