#include "graphace/neighbor_list.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__linux__)
#include <sys/mman.h>
#endif
#include <stdexcept>
#include <string>

namespace graphace {
namespace {

// Image cells a search may need before it is refused as absurd (see the header).
constexpr double kMaxImageCells = 1e8;
// The cell list searches a slightly larger radius on wrapped positions, whose rounding differs
// from that of the original positions by orders of magnitude less than this; the final d < cutoff
// decision is then taken on the original positions by edgeGeometry(), exactly as brute force does.
constexpr double kSearchSlack = 1e-8; // Å
// Beyond this many cell lengths outside the cell, image offsets would not fit shifts safely.
constexpr double kMaxFractional = 1e8;

void checkCutoff(double cutoff) {
    if (!std::isfinite(cutoff) || cutoff <= 0.0)
        throw std::invalid_argument("neighbour list: the cutoff must be a positive finite number "
                                    "of Å, got " +
                                    std::to_string(cutoff));
}

void checkPositions(const Structure& structure) {
    for (std::size_t i = 0; i < structure.positions.size(); ++i)
        if (!structure.positions[i].allFinite())
            throw std::invalid_argument("neighbour list: atom " + std::to_string(i) +
                                        " has a non-finite position");
}

// The rows that generate shifts: a_k along periodic directions, zero along the others, so that a
// non-periodic direction's bounding box (or garbage in it) never enters a vector.
Mat3 periodicRows(const Structure& structure) {
    Mat3 rows = Mat3::Zero();
    for (int k = 0; k < 3; ++k) {
        if (!structure.pbc[k])
            continue;
        if (!structure.cell.row(k).allFinite())
            throw std::invalid_argument("neighbour list: lattice vector a" + std::to_string(k + 1) +
                                        " of a periodic direction is not finite");
        rows.row(k) = structure.cell.row(k);
    }
    return rows;
}

[[noreturn]] void throwDegenerate() {
    throw std::invalid_argument("neighbour list: the lattice vectors of the periodic directions "
                                "are degenerate (zero length, area or volume)");
}

// One edge to test: atom j's image under shift S.
struct Candidate {
    std::uint64_t key; // for sorting by (j, S); see SortKeys
    int j;
    Shift s;
};

// THE expression for r_ij = r_j − r_i + S·cell, d = |r_ij| and the decision d < cutoff, taken
// on the very distance reported (so that every listed distance is strictly below the cutoff,
// which d² < cutoff² would not guarantee after rounding). Appends the targets that pass, in the
// given order. Both searches call this one function (kept out of line so that no compiler can
// contract it differently at two call sites), so their decisions agree bit for bit even for
// pairs at the cutoff. Batched, with a branch-free compaction into small local arrays appended
// in bulk, so that an edge costs no call and no capacity checks.
#if defined(__GNUC__)
__attribute__((noinline))
#endif
void appendWithinCutoff(NeighborList& out, int i, const std::vector<Vec3>& positions,
                        const Mat3& rows, const Candidate* targets, std::size_t count,
                        double cutoff) {
    constexpr std::size_t kChunk = 128;
    int second[kChunk];
    Shift shifts[kChunk];
    Vec3 vectors[kChunk];
    double distances[kChunk];
    const Vec3& ri = positions[i];
    for (std::size_t chunk = 0; chunk < count; chunk += kChunk) {
        const std::size_t end = std::min(count, chunk + kChunk);
        std::size_t kept = 0;
        for (std::size_t t = chunk; t < end; ++t) {
            const Vec3& rj = positions[targets[t].j];
            const double s0 = targets[t].s[0], s1 = targets[t].s[1], s2 = targets[t].s[2];
            const double x =
                (rj.x() - ri.x()) + (s0 * rows(0, 0) + s1 * rows(1, 0) + s2 * rows(2, 0));
            const double y =
                (rj.y() - ri.y()) + (s0 * rows(0, 1) + s1 * rows(1, 1) + s2 * rows(2, 1));
            const double z =
                (rj.z() - ri.z()) + (s0 * rows(0, 2) + s1 * rows(1, 2) + s2 * rows(2, 2));
            const double d = std::sqrt(x * x + y * y + z * z);
            second[kept] = targets[t].j;
            shifts[kept] = targets[t].s;
            vectors[kept] = Vec3(x, y, z);
            distances[kept] = d;
            kept += d < cutoff;
        }
        out.first.insert(out.first.end(), kept, i);
        out.second.insert(out.second.end(), second, second + kept);
        out.shifts.insert(out.shifts.end(), shifts, shifts + kept);
        out.vectors.insert(out.vectors.end(), vectors, vectors + kept);
        out.distances.insert(out.distances.end(), distances, distances + kept);
    }
}

// A big list is written once into fresh memory, where the kernel's page faults cost as much as
// the search itself (one per 4 KiB); transparent huge pages take one per 2 MiB. Only a hint.
template <typename T> void adviseHugePages(std::vector<T>& v) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    constexpr std::uintptr_t huge = std::uintptr_t(1) << 21;
    const auto begin = reinterpret_cast<std::uintptr_t>(v.data());
    const std::uintptr_t first = (begin + huge - 1) & ~(huge - 1);
    const std::uintptr_t last = (begin + v.capacity() * sizeof(T)) & ~(huge - 1);
    if (last > first)
        madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
    (void)v;
#endif
}

// A complete basis for binning: the periodic lattice vectors, completed by unit vectors
// orthogonal to them (a non-periodic direction is binned over the atoms' extent, never over its
// lattice vector, which may be zero or a vacuum box).
struct Frame {
    Mat3 basis;   // rows
    Mat3 inverse; // fractional row f = r_row · inverse
    Vec3 heights; // distance between opposite faces of the basis cell
};

Frame makeFrame(const Mat3& rows, const std::array<bool, 3>& pbc) {
    int periodic[3];
    int nonPeriodic[3];
    int p = 0, q = 0;
    for (int k = 0; k < 3; ++k)
        (pbc[k] ? periodic[p++] : nonPeriodic[q++]) = k;

    Frame frame;
    frame.basis = rows;
    if (p == 3) {
        const double scale = rows.row(0).norm() * rows.row(1).norm() * rows.row(2).norm();
        if (!(std::abs(rows.determinant()) > 1e-12 * scale))
            throwDegenerate();
    } else if (p == 2) {
        const Vec3 a = rows.row(periodic[0]), b = rows.row(periodic[1]);
        const Vec3 n = a.cross(b);
        if (!(n.norm() > 1e-12 * a.norm() * b.norm()))
            throwDegenerate();
        frame.basis.row(nonPeriodic[0]) = n.normalized();
    } else if (p == 1) {
        const Vec3 a = rows.row(periodic[0]);
        if (!(a.norm() > 0.0))
            throwDegenerate();
        const Vec3 along = a.normalized();
        // The coordinate axis least aligned with a gives a well-conditioned perpendicular.
        int axis = 0;
        for (int k = 1; k < 3; ++k)
            if (std::abs(along[k]) < std::abs(along[axis]))
                axis = k;
        Vec3 e = Vec3::Zero();
        e[axis] = 1.0;
        const Vec3 u = (e - e.dot(along) * along).normalized();
        frame.basis.row(nonPeriodic[0]) = u;
        frame.basis.row(nonPeriodic[1]) = along.cross(u);
    } else {
        frame.basis = Mat3::Identity();
    }
    frame.inverse = frame.basis.inverse();
    const double volume = std::abs(frame.basis.determinant());
    for (int k = 0; k < 3; ++k) {
        const Vec3 b = frame.basis.row((k + 1) % 3), c = frame.basis.row((k + 2) % 3);
        frame.heights[k] = volume / b.cross(c).norm();
    }
    if (!frame.inverse.allFinite() || !frame.heights.allFinite())
        throwDegenerate();
    return frame;
}

// Image cells along each periodic direction that a sphere of radius `radius` can reach.
void checkImageCount(const Vec3& heights, const std::array<bool, 3>& pbc, double radius) {
    double images = 1.0;
    for (int k = 0; k < 3; ++k)
        if (pbc[k])
            images *= 2.0 * std::ceil(radius / heights[k]) + 1.0;
    if (!(images <= kMaxImageCells))
        throw std::invalid_argument(
            "neighbour list: the cutoff is too large for this cell: it would need " +
            std::to_string(images) + " periodic image cells (more than 1e8)");
}

inline int floorDiv(int a, int b) {
    const int q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

inline int bitLength(std::uint64_t v) {
#if defined(__GNUC__)
    return v == 0 ? 0 : 64 - __builtin_clzll(v);
#else
    int bits = 0;
    for (; v != 0; v >>= 1)
        ++bits;
    return bits;
#endif
}

void insertionSort(Candidate* hits, std::size_t count) {
    for (std::size_t a = 1; a < count; ++a) {
        const Candidate v = hits[a];
        std::size_t b = a;
        for (; b > 0 && hits[b - 1].key > v.key; --b)
            hits[b] = hits[b - 1];
        hits[b] = v;
    }
}

// Sorts by key: one counting pass on the leading bits of (key − min) into about one bucket per
// hit, then an insertion sort that only has the few hits of each bucket left to order. Keys are
// spread out (distinct atoms, images), so this is linear in practice, unlike a comparison sort;
// the range is the centre's own, so spatially ordered atom indices do not crowd one bucket.
// Returns where the sorted hits are (`hits` or `scratch`).
const Candidate* sortByKey(Candidate* hits, std::size_t count, std::vector<Candidate>& scratch,
                           std::vector<std::uint32_t>& buckets) {
    if (count < 32) {
        insertionSort(hits, count);
        return hits;
    }
    std::uint64_t low = hits[0].key, high = low;
    for (std::size_t h = 1; h < count; ++h) {
        low = std::min(low, hits[h].key);
        high = std::max(high, hits[h].key);
    }
    const int bucketBits = std::min(16, bitLength(count - 1));
    const int shift = std::max(0, bitLength(high - low) - bucketBits);
    const std::size_t bucketCount = (std::size_t(1) << bucketBits) + 1;
    buckets.assign(bucketCount, 0);
    for (std::size_t h = 0; h < count; ++h)
        ++buckets[((hits[h].key - low) >> shift) + 1];
    for (std::size_t b = 1; b < bucketCount; ++b)
        buckets[b] += buckets[b - 1];
    if (scratch.size() < count)
        scratch.resize(count);
    for (std::size_t h = 0; h < count; ++h)
        scratch[buckets[(hits[h].key - low) >> shift]++] = hits[h];
    insertionSort(scratch.data(), count);
    return scratch.data();
}

// Single precision, beyond its range as ±inf (a plain conversion would be undefined there).
inline float toFloat(double v) {
    constexpr double kMax = std::numeric_limits<float>::max();
    return v > kMax    ? std::numeric_limits<float>::infinity()
           : v < -kMax ? -std::numeric_limits<float>::infinity()
                       : static_cast<float>(v);
}

#if defined(__SSE2__)
// For each 4-bit mask: the positions of its set bits, in order (then anything).
alignas(16) constexpr int kCompress[16][4] = {
    {0, 0, 0, 0}, {0, 0, 0, 0}, {1, 0, 0, 0}, {0, 1, 0, 0}, {2, 0, 0, 0}, {0, 2, 0, 0},
    {1, 2, 0, 0}, {0, 1, 2, 0}, {3, 0, 0, 0}, {0, 3, 0, 0}, {1, 3, 0, 0}, {0, 1, 3, 0},
    {2, 3, 0, 0}, {0, 2, 3, 0}, {1, 2, 3, 0}, {0, 1, 2, 3}};
constexpr int kBits[16] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};
#endif

// Appends to found[count…] the points p in [begin, end) with !(|p − c|² ≥ r2), in order; returns
// the new count. found needs room for 4 more entries than it can receive; the coordinate arrays
// may be read up to 3 entries past `end`.
inline std::size_t filterRow(const float* px, const float* py, const float* pz, int begin, int end,
                             float cx, float cy, float cz, float r2, int* found,
                             std::size_t count) {
#if defined(__SSE2__)
    const __m128 vx = _mm_set1_ps(cx), vy = _mm_set1_ps(cy), vz = _mm_set1_ps(cz);
    const __m128 vr2 = _mm_set1_ps(r2);
    for (int p = begin; p < end; p += 4) {
        const __m128 dx = _mm_sub_ps(_mm_loadu_ps(px + p), vx);
        const __m128 dy = _mm_sub_ps(_mm_loadu_ps(py + p), vy);
        const __m128 dz = _mm_sub_ps(_mm_loadu_ps(pz + p), vz);
        const __m128 d2 =
            _mm_add_ps(_mm_add_ps(_mm_mul_ps(dx, dx), _mm_mul_ps(dy, dy)), _mm_mul_ps(dz, dz));
        int mask = _mm_movemask_ps(_mm_cmpnge_ps(d2, vr2));
        if (end - p < 4)
            mask &= (1 << (end - p)) - 1;
        const __m128i slots = _mm_add_epi32(
            _mm_set1_epi32(p), _mm_load_si128(reinterpret_cast<const __m128i*>(kCompress[mask])));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(found + count), slots);
        count += kBits[mask];
    }
#else
    for (int p = begin; p < end; ++p) {
        const float dx = px[p] - cx, dy = py[p] - cy, dz = pz[p] - cz;
        found[count] = p;
        count += !(dx * dx + dy * dy + dz * dz >= r2);
    }
#endif
    return count;
}

// Step 1 of the search: positions wrapped into the cell along periodic directions, with the
// integer cell offsets o that take them back (w = r − o·cell), so that shifts can be reported for
// the original, unwrapped positions.
struct WrappedAtoms {
    std::vector<Shift> offset;
    std::vector<Vec3> wrapped;
    std::vector<Vec3> frac; // fractional coordinates of the wrapped positions, for binning
    double scale = 0.0;     // magnitude of the coordinates the filter subtracts, for its rounding
};

WrappedAtoms wrapIntoCell(const Structure& structure, const Frame& frame, const Mat3& rows) {
    const auto& pbc = structure.pbc;
    const std::vector<Vec3>& pos = structure.positions;
    const int n = static_cast<int>(structure.size());
    WrappedAtoms atoms;
    atoms.offset.assign(n, Shift{0, 0, 0});
    atoms.wrapped.resize(n);
    atoms.frac.resize(n);
    for (int i = 0; i < n; ++i) {
        const Vec3 f = frame.inverse.transpose() * pos[i];
        Vec3 shiftBack = Vec3::Zero();
        for (int k = 0; k < 3; ++k) {
            if (!pbc[k])
                continue;
            if (!(std::abs(f[k]) < kMaxFractional))
                throw std::invalid_argument("neighbour list: atom " + std::to_string(i) +
                                            " lies absurdly far outside the periodic cell");
            double whole = std::floor(f[k]);
            if (f[k] - whole >= 1.0) // f was a tiny negative number: 1 − ε rounded up to 1
                whole += 1.0;
            atoms.offset[i][k] = static_cast<int>(whole);
            shiftBack += whole * rows.row(k).transpose();
        }
        atoms.wrapped[i] = pos[i] - shiftBack;
        // Binning uses the fractional coordinates of the wrapped position itself, so that bins
        // and the positions the filter measures agree to rounding of cell-sized numbers.
        atoms.frac[i] = frame.inverse.transpose() * atoms.wrapped[i];
        atoms.scale =
            std::max(atoms.scale, pos[i].cwiseAbs().maxCoeff() + shiftBack.cwiseAbs().maxCoeff());
    }
    return atoms;
}

// Step 2: the bin grid. Bins about radius/2 wide (perpendicular to their faces): the 5×5×5 block
// around a centre holds ~3.7 times the sphere's volume, against ~6.4 times for the 3×3×3 block of
// bins of the full radius (and radius/3 gains nothing: more rows, each shorter). A periodic axis
// shorter than that has one bin, and the images do the rest. Along periodic axes the grid
// extends the cell's bins by the search reach (`pad`), filled with the atoms' images.
struct BinGrid {
    std::array<int, 3> bins{1, 1, 1};
    std::array<int, 3> reach{0, 0, 0}; // bins a neighbour can be away
    std::array<int, 3> pad{0, 0, 0};   // how far the grid extends a periodic axis
    std::array<int, 3> dims{1, 1, 1};  // bins + 2·pad
    std::array<int, 3> lowestImage{0, 0, 0}, highestImage{0, 0, 0};
    std::vector<std::array<int, 3>> binOf; // each atom's bin in the cell, per axis
    std::int64_t pointCount = 0;           // images of atoms that fall on the grid

    std::int64_t binCount() const { return std::int64_t(dims[0]) * dims[1] * dims[2]; }

    // Images m of an atom in bin b along axis k with 0 ≤ b + m·bins + pad < dims.
    std::pair<int, int> imageRange(int b, int k) const {
        const int first = -floorDiv(b + pad[k], bins[k]);
        const int last = floorDiv(bins[k] + 2 * pad[k] - 1 - b - pad[k], bins[k]);
        return {first, last};
    }

    // visit(mx, my, mz, grid bin) for each image of atom i on the grid.
    template <typename Visit> void forEachImage(int i, Visit&& visit) const {
        std::array<std::pair<int, int>, 3> range;
        for (int k = 0; k < 3; ++k)
            range[k] = imageRange(binOf[i][k], k);
        for (int mz = range[2].first; mz <= range[2].second; ++mz)
            for (int my = range[1].first; my <= range[1].second; ++my)
                for (int mx = range[0].first; mx <= range[0].second; ++mx) {
                    const int gx = binOf[i][0] + mx * bins[0] + pad[0];
                    const int gy = binOf[i][1] + my * bins[1] + pad[1];
                    const int gz = binOf[i][2] + mz * bins[2] + pad[2];
                    visit(mx, my, mz, (gz * dims[1] + gy) * dims[0] + gx);
                }
    }
};

BinGrid makeBinGrid(const WrappedAtoms& atoms, const Frame& frame, const std::array<bool, 3>& pbc,
                    double radius) {
    const int n = static_cast<int>(atoms.frac.size());
    Vec3 low = Vec3::Constant(std::numeric_limits<double>::infinity());
    Vec3 high = -low;
    for (int i = 0; i < n; ++i) {
        low = low.cwiseMin(atoms.frac[i]);
        high = high.cwiseMax(atoms.frac[i]);
    }

    BinGrid grid;
    std::array<double, 3> length{0.0, 0.0, 0.0};
    for (int k = 0; k < 3; ++k) {
        length[k] = pbc[k] ? frame.heights[k] : (high[k] - low[k]) * frame.heights[k];
        grid.bins[k] =
            static_cast<int>(std::clamp(std::floor(length[k] / (0.5 * radius)), 1.0, 1e6));
    }
    // Dilute systems (a few atoms in a huge box) must not allocate millions of empty bins.
    const std::int64_t maxBins = 2 * static_cast<std::int64_t>(n) + 64;
    auto& bins = grid.bins;
    while (static_cast<std::int64_t>(bins[0]) * bins[1] * bins[2] > maxBins) {
        const int k = static_cast<int>(std::max_element(bins.begin(), bins.end()) - bins.begin());
        bins[k] = std::max(1, bins[k] / 2);
    }
    for (int k = 0; k < 3; ++k) {
        if (length[k] > 0.0) // ≤ 2 unless a bin is longer than the axis (then bounded above)
            grid.reach[k] =
                static_cast<int>(std::min(std::ceil(radius * bins[k] / length[k]), 1e9));
        if (pbc[k])
            grid.pad[k] = grid.reach[k];
        else
            grid.reach[k] = std::min(grid.reach[k], bins[k] - 1);
        grid.dims[k] = bins[k] + 2 * grid.pad[k];
        if (pbc[k]) {
            grid.lowestImage[k] = -floorDiv(grid.pad[k] + bins[k] - 1, bins[k]);
            grid.highestImage[k] = floorDiv(grid.pad[k] + bins[k] - 1, bins[k]);
        }
    }

    grid.binOf.resize(n);
    for (int i = 0; i < n; ++i) {
        std::int64_t images = 1;
        for (int k = 0; k < 3; ++k) {
            const double t =
                pbc[k]
                    ? atoms.frac[i][k]
                    : (high[k] > low[k] ? (atoms.frac[i][k] - low[k]) / (high[k] - low[k]) : 0.0);
            grid.binOf[i][k] = std::clamp(static_cast<int>(t * bins[k]), 0, bins[k] - 1);
            const auto range = grid.imageRange(grid.binOf[i][k], k);
            images *= range.second - range.first + 1;
        }
        grid.pointCount += images;
    }
    if (grid.pointCount >= std::numeric_limits<int>::max() ||
        grid.binCount() >= std::numeric_limits<int>::max())
        throw std::invalid_argument("neighbour list: the cutoff is too large for this cell: the "
                                    "search would need more than 2^31 periodic images of atoms");
    return grid;
}

// Step 3: every periodic image that the search can reach, materialised once per call as a
// "point": an atom's wrapped position plus an image translation, counting-sorted by grid bin (x
// fastest). A centre's candidates then lie in a block of bins whose x-rows are contiguous in
// memory: the inner loop knows nothing of images.
struct PointInfo {
    std::int64_t key; // (j, S) sort key, less the centre's part (see SortKeys)
    int atom;         // j
    Shift offset;     // S = offset of the centre atom − offset
};

struct Points {
    std::vector<float> x, y, z; // wrapped position + image translation (for the filter only)
    std::vector<PointInfo> info;
    std::vector<int> start; // first point of each grid bin, then the count
    double largest = 0.0;   // largest coordinate of a point
};

Points placeImages(const WrappedAtoms& atoms, const BinGrid& grid, const Mat3& rows) {
    const int n = static_cast<int>(atoms.wrapped.size());
    // Translations image·a_k, per axis, indexed from the lowest image.
    std::array<std::vector<Vec3>, 3> translation;
    for (int k = 0; k < 3; ++k)
        for (int m = grid.lowestImage[k]; m <= grid.highestImage[k]; ++m)
            translation[k].push_back(double(m) * rows.row(k).transpose());

    Points pts;
    pts.start.assign(static_cast<std::size_t>(grid.binCount()) + 1, 0);
    for (int i = 0; i < n; ++i)
        grid.forEachImage(i, [&](int, int, int, int bin) { ++pts.start[bin + 1]; });
    for (std::size_t b = 1; b < pts.start.size(); ++b)
        pts.start[b] += pts.start[b - 1];
    const std::size_t points = static_cast<std::size_t>(grid.pointCount);
    // + 3: the vector filter reads (and ignores) up to 3 values past a row.
    pts.x.resize(points + 3, 0.0f);
    pts.y.resize(points + 3, 0.0f);
    pts.z.resize(points + 3, 0.0f);
    pts.info.resize(points);
    std::vector<int> fill(pts.start.begin(), pts.start.end() - 1);
    const auto& low = grid.lowestImage;
    for (int i = 0; i < n; ++i)
        grid.forEachImage(i, [&](int mx, int my, int mz, int bin) {
            const int p = fill[bin]++;
            const Vec3 r = atoms.wrapped[i] + translation[0][mx - low[0]] +
                           translation[1][my - low[1]] + translation[2][mz - low[2]];
            pts.x[p] = toFloat(r.x());
            pts.y[p] = toFloat(r.y());
            pts.z[p] = toFloat(r.z());
            pts.largest = std::max(pts.largest, r.cwiseAbs().maxCoeff());
            pts.info[p].atom = i;
            const Shift& o = atoms.offset[i];
            pts.info[p].offset = {o[0] - mx, o[1] - my, o[2] - mz};
        });
    return pts;
}

// Step 4: sort keys (j, S) ↦ ((j·N1 + S1 − lo1)·N2 + S2 − lo2)·N3 + S3 − lo3, lexicographic
// order in one integer, with S_k = o_k − offset_k ∈ [lo_k, lo_k + N_k). It splits into a point
// part (PointInfo::key) and a centre part, so a hit costs one addition. Shifts too wide for 62
// bits (atoms ~1e6 cells away) fall back to comparing (j, S) directly (packed = false).
struct SortKeys {
    bool packed = false;
    std::array<std::int64_t, 3> lowS{0, 0, 0};
    std::int64_t w0 = 0, w1 = 0, w2 = 0; // weights of j, S1, S2

    // The centre's part of its candidates' keys, and the key of the atom itself (j = i, S = 0).
    std::int64_t centre(const Shift& o) const {
        return (o[0] - lowS[0]) * w1 + (o[1] - lowS[1]) * w2 + (o[2] - lowS[2]);
    }
    std::uint64_t self(int i, const Shift& o) const {
        return static_cast<std::uint64_t>(i * w0 + centre(o) - (o[0] * w1 + o[1] * w2 + o[2]));
    }
};

SortKeys makeSortKeys(const WrappedAtoms& atoms, const std::array<bool, 3>& pbc, Points& pts) {
    const std::vector<Shift>& offset = atoms.offset;
    const int n = static_cast<int>(offset.size());
    SortKeys keys;
    std::array<std::int64_t, 3> spanS{1, 1, 1};
    for (int k = 0; k < 3; ++k) {
        if (!pbc[k])
            continue;
        std::int64_t oMin = offset[0][k], oMax = oMin, pMin = pts.info[0].offset[k], pMax = pMin;
        for (int i = 0; i < n; ++i) {
            oMin = std::min<std::int64_t>(oMin, offset[i][k]);
            oMax = std::max<std::int64_t>(oMax, offset[i][k]);
        }
        for (const PointInfo& point : pts.info) {
            pMin = std::min<std::int64_t>(pMin, point.offset[k]);
            pMax = std::max<std::int64_t>(pMax, point.offset[k]);
        }
        keys.lowS[k] = oMin - pMax;
        spanS[k] = oMax - pMin - keys.lowS[k] + 1;
    }
    // Packed only when n · spans < 4e18 fits in 64 bits; atoms far outside the cell give spans
    // whose product would overflow.
    keys.packed = double(n) * double(spanS[0]) * double(spanS[1]) * double(spanS[2]) < 4e18;
    if (keys.packed) {
        keys.w2 = spanS[2];
        keys.w1 = spanS[1] * keys.w2;
        keys.w0 = spanS[0] * keys.w1;
        for (PointInfo& point : pts.info)
            point.key = point.atom * keys.w0 -
                        (point.offset[0] * keys.w1 + point.offset[1] * keys.w2 + point.offset[2]);
    }
    return keys;
}

// The expected edges of a homogeneous 3D-periodic system, reserved up front (a hint only, capped
// to keep memory sane).
void reserveEdges(NeighborList& out, const Mat3& rows, int n, std::size_t points, double cutoff) {
    const double perAtom = n / std::abs(rows.determinant()) * 4.18879 * cutoff * cutoff * cutoff;
    const double expected = std::min({1.15 * n * perAtom + 16.0, double(n) * double(points), 5e7});
    out.first.reserve(static_cast<std::size_t>(expected));
    out.second.reserve(static_cast<std::size_t>(expected));
    out.shifts.reserve(static_cast<std::size_t>(expected));
    out.vectors.reserve(static_cast<std::size_t>(expected));
    out.distances.reserve(static_cast<std::size_t>(expected));
    adviseHugePages(out.first);
    adviseHugePages(out.second);
    adviseHugePages(out.shifts);
    adviseHugePages(out.vectors);
    adviseHugePages(out.distances);
}

// Step 5: the pair loop, one centre at a time. The filter runs in single precision, 4 points at
// a time: a point in the sphere has a float distance below radius + 1e-6·(largest coordinate),
// plus a relative 1e-6 for the rounding of the squares (float's unit roundoff is 6e-8). It only
// has to keep every pair that could be within the cutoff; its test !(d² ≥ r²) keeps overflows
// (inf, NaN) too. The candidates are then sorted by (j, S) and decided on the original
// positions by appendWithinCutoff().
class PairSearch {
public:
    PairSearch(const WrappedAtoms& atoms, const BinGrid& grid, const Points& pts,
               const SortKeys& keys, double radius)
        : m_atoms(atoms), m_grid(grid), m_pts(pts), m_keys(keys),
          m_filter2(toFloat(std::pow((radius + 1e-6 * pts.largest) * (1.0 + 1e-6), 2))),
          m_found(256), m_hits(256) {}

    // Appends centre i's edges to `out`; returns the points it looked at (for progress).
    std::size_t appendEdges(NeighborList& out, int i, const std::vector<Vec3>& positions,
                            const Mat3& rows, double cutoff) {
        const std::size_t looked = filterBlock(i);
        const std::size_t kept = collectCandidates(i);
        const Candidate* sorted = m_hits.data();
        if (m_keys.packed)
            sorted = sortByKey(m_hits.data(), kept, m_scratch, m_buckets);
        else
            std::sort(m_hits.begin(), m_hits.begin() + kept,
                      [](const Candidate& a, const Candidate& b) {
                          return a.j != b.j ? a.j < b.j : a.s < b.s;
                      });
        appendWithinCutoff(out, i, positions, rows, sorted, kept, cutoff);
        return looked;
    }

private:
    // Branch-free filter over each x-row of the block of bins around centre i (the test is
    // unpredictable); the points it keeps go to m_found[0, m_count).
    std::size_t filterBlock(int i) {
        const BinGrid& g = m_grid;
        std::array<int, 3> lo, hi;
        for (int k = 0; k < 3; ++k) {
            const int b = g.binOf[i][k] + g.pad[k];
            lo[k] = std::max(0, b - g.reach[k]);
            hi[k] = std::min(g.dims[k] - 1, b + g.reach[k]);
        }
        const Vec3& centre = m_atoms.wrapped[i];
        const float cxf = toFloat(centre.x()), cyf = toFloat(centre.y());
        const float czf = toFloat(centre.z());
        const float* px = m_pts.x.data();
        const float* py = m_pts.y.data();
        const float* pz = m_pts.z.data();
        std::size_t looked = 0;
        m_count = 0;
        for (int gz = lo[2]; gz <= hi[2]; ++gz) {
            for (int gy = lo[1]; gy <= hi[1]; ++gy) {
                const int row = (gz * g.dims[1] + gy) * g.dims[0];
                const int begin = m_pts.start[row + lo[0]], end = m_pts.start[row + hi[0] + 1];
                if (m_found.size() < m_count + (end - begin) + 4)
                    m_found.resize(2 * (m_count + (end - begin) + 4));
                m_count = filterRow(px, py, pz, begin, end, cxf, cyf, czf, m_filter2,
                                    m_found.data(), m_count);
                looked += end - begin;
            }
        }
        return looked;
    }

    // Candidates (j, S) with their keys, leaving out the atom itself (j = i, S = 0).
    std::size_t collectCandidates(int i) {
        if (m_hits.size() < m_count)
            m_hits.resize(m_count);
        const Shift& o = m_atoms.offset[i];
        std::size_t kept = 0;
        if (m_keys.packed) {
            const std::int64_t centre = m_keys.centre(o);
            const std::uint64_t self = m_keys.self(i, o);
            for (std::size_t h = 0; h < m_count; ++h) {
                const PointInfo& point = m_pts.info[m_found[h]];
                const std::uint64_t key = static_cast<std::uint64_t>(point.key + centre);
                m_hits[kept] = {
                    key,
                    point.atom,
                    {o[0] - point.offset[0], o[1] - point.offset[1], o[2] - point.offset[2]}};
                kept += key != self;
            }
        } else {
            for (std::size_t h = 0; h < m_count; ++h) {
                const PointInfo& point = m_pts.info[m_found[h]];
                m_hits[kept] = {
                    0,
                    point.atom,
                    {o[0] - point.offset[0], o[1] - point.offset[1], o[2] - point.offset[2]}};
                kept += !(point.atom == i && point.offset == o);
            }
        }
        return kept;
    }

    const WrappedAtoms& m_atoms;
    const BinGrid& m_grid;
    const Points& m_pts;
    const SortKeys& m_keys;
    const float m_filter2;
    std::vector<int> m_found;
    std::size_t m_count = 0;
    std::vector<Candidate> m_hits, m_scratch;
    std::vector<std::uint32_t> m_buckets;
};

} // namespace

// A cell list in five steps, as in vesin's cpu_cell_list: wrap the atoms into the cell, bin them
// on a grid, place the periodic images the search can reach on that grid, key the (j, S) pairs for
// sorting, then filter, sort and decide the candidates of each centre.
NeighborList computeNeighborList(const Structure& structure, double cutoff,
                                 const ProgressCallback& progress) {
    checkCutoff(cutoff);
    checkPositions(structure);
    const auto& pbc = structure.pbc;
    const Mat3 rows = periodicRows(structure);
    const Frame frame = makeFrame(rows, pbc);
    checkImageCount(frame.heights, pbc, cutoff + kSearchSlack);

    NeighborList out;
    out.cutoff = cutoff;
    const int n = static_cast<int>(structure.size());
    if (n == 0) {
        reportProgress(progress, 1.0);
        return out;
    }

    const WrappedAtoms atoms = wrapIntoCell(structure, frame, rows);
    // The filter runs on wrapped positions, whose rounding differs from the original positions';
    // the final d < cutoff decision is taken on the original positions by appendWithinCutoff(),
    // exactly as brute force does, so the filter only needs a radius that cannot miss a pair.
    const double scale = atoms.scale + rows.cwiseAbs().sum() + 2.0 * cutoff;
    const double radius =
        cutoff + kSearchSlack + 64.0 * std::numeric_limits<double>::epsilon() * scale;
    const BinGrid grid = makeBinGrid(atoms, frame, pbc, radius);
    Points pts = placeImages(atoms, grid, rows);
    const SortKeys keys = makeSortKeys(atoms, pbc, pts);
    if (pbc[0] && pbc[1] && pbc[2])
        reserveEdges(out, rows, n, pts.info.size(), cutoff);

    PairSearch search(atoms, grid, pts, keys, radius);
    std::size_t work = 0;
    for (int i = 0; i < n; ++i) {
        if ((i & 1023) == 0 || work > (std::size_t(1) << 24)) {
            reportProgress(progress, double(i) / n);
            work = 0;
        }
        work += search.appendEdges(out, i, structure.positions, rows, cutoff);
    }
    reportProgress(progress, 1.0);
    return out;
}

NeighborList bruteForceNeighborList(const Structure& structure, double cutoff) {
    checkCutoff(cutoff);
    checkPositions(structure);
    const auto& pbc = structure.pbc;
    const Mat3 rows = periodicRows(structure);

    // Shifts bounded through the Gram matrix G of the periodic vectors: for r + S·A inside the
    // sphere, the coefficients x = c + S of its in-span part satisfy xᵀGx ≤ cutoff², hence
    // |x_k| ≤ cutoff·√(G⁻¹)_kk. One extra image either side makes the range generous.
    std::vector<int> periodic;
    for (int k = 0; k < 3; ++k)
        if (pbc[k])
            periodic.push_back(k);
    const int p = static_cast<int>(periodic.size());
    Eigen::MatrixXd a(p, 3);
    for (int m = 0; m < p; ++m)
        a.row(m) = rows.row(periodic[m]);
    Eigen::MatrixXd gramInverse(p, p);
    std::vector<double> reach(p);
    if (p > 0) {
        const Eigen::MatrixXd gram = a * a.transpose();
        double scale = 1.0;
        for (int m = 0; m < p; ++m)
            scale *= gram(m, m);
        if (!(gram.determinant() > 1e-24 * scale))
            throwDegenerate();
        gramInverse = gram.inverse();
        double images = 1.0;
        for (int m = 0; m < p; ++m) {
            reach[m] = cutoff * std::sqrt(gramInverse(m, m));
            images *= 2.0 * std::ceil(reach[m]) + 1.0;
        }
        if (!(images <= kMaxImageCells))
            throw std::invalid_argument("neighbour list: the cutoff is too large for this cell");
    }

    NeighborList out;
    out.cutoff = cutoff;
    const int n = static_cast<int>(structure.size());
    const std::vector<Vec3>& pos = structure.positions;
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) {
            std::array<int, 3> lo{0, 0, 0}, hi{0, 0, 0};
            if (p > 0) {
                const Eigen::VectorXd c = gramInverse * (a * (pos[j] - pos[i]));
                for (int m = 0; m < p; ++m) {
                    lo[periodic[m]] = static_cast<int>(std::floor(-c[m] - reach[m])) - 1;
                    hi[periodic[m]] = static_cast<int>(std::ceil(-c[m] + reach[m])) + 1;
                }
            }
            // Loops nested S1, S2, S3 with i and j outside: the output comes out sorted.
            Shift s;
            for (s[0] = lo[0]; s[0] <= hi[0]; ++s[0])
                for (s[1] = lo[1]; s[1] <= hi[1]; ++s[1])
                    for (s[2] = lo[2]; s[2] <= hi[2]; ++s[2]) {
                        if (i == j && s[0] == 0 && s[1] == 0 && s[2] == 0)
                            continue;
                        const Candidate target{0, j, s};
                        appendWithinCutoff(out, i, pos, rows, &target, 1, cutoff);
                    }
        }
    }
    return out;
}

} // namespace graphace
