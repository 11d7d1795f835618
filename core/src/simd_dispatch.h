#pragma once
// How the kernels (ACE descriptors, their derivatives, spherical harmonics, adjoint forces; the
// network's sparse aggregation) use vector instructions, in one place: the only run-time
// dispatch in the code. (SSE2 intrinsics elsewhere, e.g. the neighbour list's distance filter,
// are baseline x86-64 and need none.) The default build targets plain x86-64 (SSE2); with
// GCC ≥ 12 on x86-64 Linux a function marked GRAPHACE_SIMD_CLONES also gets an x86-64-v3
// (AVX2 + FMA) clone, chosen at load time when the CPU has it, so its loops run on 256-bit
// vectors. Helpers it calls are GRAPHACE_ALWAYS_INLINE: compiled into each clone, for its
// instruction set. Loops over edge-minor tables are written on V4 lanes (GCC vector
// extensions) where GRAPHACE_VECTOR_KERNELS is defined, with a plain loop otherwise.

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12 && defined(__x86_64__) &&           \
    defined(__linux__)
#define GRAPHACE_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define GRAPHACE_SIMD_CLONES
#endif

#if defined(__GNUC__)
#define GRAPHACE_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define GRAPHACE_ALWAYS_INLINE inline
#endif

#if defined(__GNUC__) && !defined(__clang__)
#define GRAPHACE_VECTOR_KERNELS 1
namespace graphace::simd {
// 256-bit lanes in the x86-64-v3 clone, pairs of SSE2 registers in the default one.
// aligned(8) and may_alias: loads and stores straight from double arrays.
typedef double V4 __attribute__((vector_size(32), aligned(8), may_alias));
typedef long long V4Mask __attribute__((vector_size(32)));
// (Loads and stores are written *reinterpret_cast<const V4*>(p): a function returning V4 would
// have a different ABI in the two clones.)
} // namespace graphace::simd
#endif
