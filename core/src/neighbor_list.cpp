#include "graphace/neighbor_list.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstdint>
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

struct EdgeGeometry {
    double x, y, z, d2;
};

// THE expression for r_ij = r_j − r_i + S·cell. Both searches call this one function (kept out of
// line so that no compiler can contract it differently at two call sites), so their d < cutoff
// decisions agree bit for bit even for pairs at the cutoff.
#if defined(__GNUC__)
__attribute__((noinline))
#endif
EdgeGeometry
edgeGeometry(const Vec3& ri, const Vec3& rj, const Mat3& rows, const Shift& s) {
    const double s0 = s[0], s1 = s[1], s2 = s[2];
    const double x = (rj.x() - ri.x()) + (s0 * rows(0, 0) + s1 * rows(1, 0) + s2 * rows(2, 0));
    const double y = (rj.y() - ri.y()) + (s0 * rows(0, 1) + s1 * rows(1, 1) + s2 * rows(2, 1));
    const double z = (rj.z() - ri.z()) + (s0 * rows(0, 2) + s1 * rows(1, 2) + s2 * rows(2, 2));
    return {x, y, z, x * x + y * y + z * z};
}

void appendEdge(NeighborList& out, int i, int j, const Shift& s, const EdgeGeometry& g) {
    out.first.push_back(i);
    out.second.push_back(j);
    out.shifts.push_back(s);
    out.vectors.emplace_back(g.x, g.y, g.z);
    out.distances.push_back(std::sqrt(g.d2));
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

// One neighbouring bin along one axis, seen from a given bin: which bin and which cell image.
struct AxisStep {
    int bin;
    int image;
    Vec3 translation; // image · a_k
};

struct Candidate {
    int j;
    Shift s;
    EdgeGeometry g;
};

} // namespace

NeighborList computeNeighborList(const Structure& structure, double cutoff,
                                 const ProgressCallback& progress) {
    checkCutoff(cutoff);
    checkPositions(structure);
    const auto& pbc = structure.pbc;
    const Mat3 rows = periodicRows(structure);
    const Frame frame = makeFrame(rows, pbc);
    const double radius = cutoff + kSearchSlack;
    checkImageCount(frame.heights, pbc, radius);

    NeighborList out;
    out.cutoff = cutoff;
    const int n = static_cast<int>(structure.size());
    if (n == 0) {
        reportProgress(progress, 1.0);
        return out;
    }
    const std::vector<Vec3>& pos = structure.positions;

    // Fractional coordinates; periodic ones wrapped into [0, 1) with the integer cell offset
    // remembered, so that shifts can be reported for the original (unwrapped) positions.
    std::vector<Vec3> frac(n);
    std::vector<Shift> offset(n, Shift{0, 0, 0});
    Vec3 low = Vec3::Constant(std::numeric_limits<double>::infinity());
    Vec3 high = -low;
    for (int i = 0; i < n; ++i) {
        Vec3 f = frame.inverse.transpose() * pos[i];
        for (int k = 0; k < 3; ++k) {
            if (!pbc[k])
                continue;
            if (!(std::abs(f[k]) < kMaxFractional))
                throw std::invalid_argument("neighbour list: atom " + std::to_string(i) +
                                            " lies absurdly far outside the periodic cell");
            double whole = std::floor(f[k]);
            f[k] -= whole;
            if (f[k] >= 1.0) { // f was a tiny negative number: 1 − ε rounded up to 1
                f[k] -= 1.0;
                whole += 1.0;
            }
            offset[i][k] = static_cast<int>(whole);
        }
        frac[i] = f;
        low = low.cwiseMin(f);
        high = high.cwiseMax(f);
    }

    // Bins at least `radius` wide (perpendicular to their faces), so that neighbours lie in the
    // adjacent bins; along a periodic axis shorter than the radius there is one bin and the search
    // walks over as many images as needed.
    std::array<int, 3> bins{1, 1, 1};
    for (int k = 0; k < 3; ++k) {
        const double length = pbc[k] ? frame.heights[k] : (high[k] - low[k]) * frame.heights[k];
        bins[k] = static_cast<int>(std::clamp(std::floor(length / radius), 1.0, 1e6));
    }
    // Dilute systems (a few atoms in a huge box) must not allocate millions of empty bins.
    const std::int64_t maxBins = 2 * static_cast<std::int64_t>(n) + 64;
    while (static_cast<std::int64_t>(bins[0]) * bins[1] * bins[2] > maxBins) {
        const int k = static_cast<int>(std::max_element(bins.begin(), bins.end()) - bins.begin());
        bins[k] = std::max(1, bins[k] / 2);
    }

    // For each axis and bin coordinate: the bins (and images) to visit.
    std::array<std::vector<std::vector<AxisStep>>, 3> steps;
    for (int k = 0; k < 3; ++k) {
        steps[k].resize(bins[k]);
        const int reach =
            pbc[k] ? static_cast<int>(std::ceil(radius * bins[k] / frame.heights[k])) : 1;
        for (int b = 0; b < bins[k]; ++b) {
            for (int o = -reach; o <= reach; ++o) {
                const int v = b + o;
                if (pbc[k]) {
                    const int image = floorDiv(v, bins[k]);
                    steps[k][b].push_back({v - image * bins[k], image,
                                           Vec3(double(image) * rows.row(k).transpose())});
                } else if (v >= 0 && v < bins[k]) {
                    steps[k][b].push_back({v, 0, Vec3::Zero()});
                }
            }
        }
    }

    // Counting sort of the atoms by bin; wrapped Cartesian positions stored in bin order.
    std::vector<std::array<int, 3>> binOf(n);
    std::vector<int> start(static_cast<std::size_t>(bins[0]) * bins[1] * bins[2] + 1, 0);
    for (int i = 0; i < n; ++i) {
        for (int k = 0; k < 3; ++k) {
            double t = pbc[k] ? frac[i][k]
                              : (high[k] > low[k] ? (frac[i][k] - low[k]) / (high[k] - low[k]) : 0);
            binOf[i][k] = std::clamp(static_cast<int>(t * bins[k]), 0, bins[k] - 1);
        }
        ++start[binOf[i][0] + bins[0] * (binOf[i][1] + bins[1] * binOf[i][2]) + 1];
    }
    for (std::size_t b = 1; b < start.size(); ++b)
        start[b] += start[b - 1];
    std::vector<int> fill(start.begin(), start.end() - 1);
    std::vector<double> wx(n), wy(n), wz(n);
    std::vector<int> slotAtom(n);
    std::vector<Vec3> wrapped(n);
    for (int i = 0; i < n; ++i) {
        const Shift& o = offset[i];
        wrapped[i] = pos[i] - (double(o[0]) * rows.row(0) + double(o[1]) * rows.row(1) +
                               double(o[2]) * rows.row(2))
                                  .transpose();
        const int slot = fill[binOf[i][0] + bins[0] * (binOf[i][1] + bins[1] * binOf[i][2])]++;
        wx[slot] = wrapped[i].x();
        wy[slot] = wrapped[i].y();
        wz[slot] = wrapped[i].z();
        slotAtom[slot] = i;
    }

    if (pbc[0] && pbc[1] && pbc[2]) {
        // Expected edges of a homogeneous system; a hint only, capped to keep memory sane.
        const double perAtom =
            n / std::abs(rows.determinant()) * 4.18879 * cutoff * cutoff * cutoff;
        const double expected = std::min(1.3 * n * perAtom + 16.0, 5e7);
        out.first.reserve(static_cast<std::size_t>(expected));
        out.second.reserve(static_cast<std::size_t>(expected));
        out.shifts.reserve(static_cast<std::size_t>(expected));
        out.vectors.reserve(static_cast<std::size_t>(expected));
        out.distances.reserve(static_cast<std::size_t>(expected));
    }

    const double radius2 = radius * radius;
    const double cutoff2 = cutoff * cutoff;
    std::vector<Candidate> found;
    int mostPerBin = 0;
    for (std::size_t b = 0; b + 1 < start.size(); ++b)
        mostPerBin = std::max(mostPerBin, start[b + 1] - start[b]);
    std::vector<int> hits(mostPerBin + 1);
    std::vector<std::pair<std::uint64_t, int>> order;
    for (int i = 0; i < n; ++i) {
        if ((i & 1023) == 0)
            reportProgress(progress, double(i) / n);
        found.clear();
        const auto& b = binOf[i];
        const Vec3& wi = wrapped[i];
        for (const AxisStep& s2 : steps[2][b[2]]) {
            for (const AxisStep& s1 : steps[1][b[1]]) {
                for (const AxisStep& s0 : steps[0][b[0]]) {
                    const int bin = s0.bin + bins[0] * (s1.bin + bins[1] * s2.bin);
                    // r_ij = w_j + image·cell − w_i = w_j − c
                    const Vec3 c = wi - (s0.translation + s1.translation + s2.translation);
                    const double cx = c.x(), cy = c.y(), cz = c.z();
                    // Branch-free filter (the test is unpredictable), then the few hits.
                    int hitCount = 0;
                    for (int slot = start[bin], end = start[bin + 1]; slot < end; ++slot) {
                        const double dx = wx[slot] - cx, dy = wy[slot] - cy, dz = wz[slot] - cz;
                        hits[hitCount] = slot;
                        hitCount += dx * dx + dy * dy + dz * dz < radius2;
                    }
                    for (int h = 0; h < hitCount; ++h) {
                        const int j = slotAtom[hits[h]];
                        // w = r − offset·cell, so S = image + offset_i − offset_j.
                        const Shift s{s0.image + offset[i][0] - offset[j][0],
                                      s1.image + offset[i][1] - offset[j][1],
                                      s2.image + offset[i][2] - offset[j][2]};
                        if (j == i && s[0] == 0 && s[1] == 0 && s[2] == 0)
                            continue;
                        const EdgeGeometry g = edgeGeometry(pos[i], pos[j], rows, s);
                        if (g.d2 < cutoff2)
                            found.push_back({j, s, g});
                    }
                }
            }
        }
        // Sort by (j, S) through packed integer keys: j in the high bits, each shift component
        // offset into 10 bits; shifts outside ±511 (absurd cells) use the plain comparison.
        order.clear();
        bool packable = true;
        for (std::size_t c = 0; c < found.size(); ++c) {
            const Candidate& e = found[c];
            std::uint64_t k = static_cast<std::uint64_t>(e.j);
            for (int d = 0; d < 3; ++d) {
                packable = packable && e.s[d] >= -511 && e.s[d] <= 511;
                k = (k << 10) | static_cast<std::uint64_t>((e.s[d] + 512) & 1023);
            }
            order.emplace_back(k, static_cast<int>(c));
        }
        if (packable) {
            std::sort(order.begin(), order.end(),
                      [](const auto& a, const auto& b) { return a.first < b.first; });
        } else {
            std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
                const Candidate &x = found[a.second], &y = found[b.second];
                return x.j != y.j ? x.j < y.j : x.s < y.s;
            });
        }
        for (const auto& o : order) {
            const Candidate& e = found[o.second];
            appendEdge(out, i, e.j, e.s, e.g);
        }
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
    const double cutoff2 = cutoff * cutoff;
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
                        const EdgeGeometry g = edgeGeometry(pos[i], pos[j], rows, s);
                        if (g.d2 < cutoff2)
                            appendEdge(out, i, j, s, g);
                    }
        }
    }
    return out;
}

} // namespace graphace
