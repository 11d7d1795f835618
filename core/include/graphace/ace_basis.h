#pragma once
// The ACE product basis (ACE1.jl `rpi_basis`): enumeration of the admissible one-particle
// channels and correlations, and their rotation-invariant, permutation-symmetric couplings.
//
// Notation (docs/science.md §2). For a centre atom i and neighbours j (all periodic images):
//   φ_{s n l m}(r_ij) = J_n(r_ij) · Y_lm(r̂_ij)            J: ace_radial_basis.h, Y: real,
//                                                           ace_spherical_harmonics.h
//   A_{i, s n l m}    = Σ_j δ(s, s_j) φ_{s n l m}(r_ij)      s = species index (ascending Z)
// A *channel* c = (s, n, l) is one (2l+1)-vector of A. The atomic base of one atom is stored as
//   A[channelOffset(c) + l + m],  length aSize(); channels are sorted by (s, n, l), so each
//   neighbour species owns the contiguous range [speciesBegin(s), speciesBegin(s+1)).
//
// A basis function (one per row of every centre-species block) is a coupled product of ν
// channels c_1 ≤ … ≤ c_ν (sorted tuple), admissible when ν ≤ body_order − 1 and
//   csp · Σ_k (n_k + wL · l_k) ≤ max_degree:
//   B = Σ_{m_1…m_ν} U_{m_1…m_ν} Π_k A_{c_k, m_k}
// ν = 1 keeps l = 0; ν = 2 needs l_1 = l_2; ν ≥ 3 needs Σl even. U is built as in ACE1.jl
// (`rpe_basis`): the Clebsch–Gordan coupling paths (complex, Σm = 0) are carried to the real
// Y_lm, orthonormalised (rows of U_ri), then G = Σ_{σ ∈ Stab} U_ri P_σ U_riᵀ over the
// permutations σ of identical channels; U = √λ_k v_kᵀ U_ri for the eigenpairs with
// λ_k > 1e-7 λ_max (dependent combinations removed). So l = 0 products get coefficient √2 for
// a repeated channel (√2·O1²) and 1 otherwise (O1·O2), as in the study.
//
// Order of functions in a block: by ν, then lexicographically by the channel tuple (channels
// by (s, n, l)), then by decreasing λ. For species {O, Hf}, body order 3, degree 3 this is
// O1 O2 O3 Hf1 Hf2 Hf3 √2O1² O1O2 O1Hf1 O1Hf2 O2Hf1 √2Hf1² Hf1Hf2 (13 per block).
// The full descriptor has one block per centre species (speciesCount() × blockSize()); an atom
// fills only the block of its own species.

#include "graphace/ace_config.h"
#include "graphace/ace_radial_basis.h"
#include "graphace/ace_spherical_harmonics.h"

#include <string>
#include <vector>

namespace graphace {

struct AceChannel {
    int species = 0; // index into AceConfig::species
    int n = 1;       // radial index, 1…maxn
    int l = 0;
};

struct AceBasisFunction {
    std::vector<int> channels; // ν indices into AceBasis::channels(), non-decreasing
    double degree = 0.0;       // csp · Σ (n + wL·l)
    int coupling = 0;          // which invariant of this channel tuple (0 … couplings−1)
    // Sparse form of B = Σ_t coef_t Π_{f<ν} A[index_{t,f}]: terms [termBegin, termEnd) of the
    // basis' term arrays. Terms are merged over reorderings, so each index tuple appears once.
    int termBegin = 0;
    int termEnd = 0;
    int order() const { return static_cast<int>(channels.size()); } // ν
};

class AceBasis {
public:
    // `config.species` must be non-empty (use resolvedFor()). Throws std::invalid_argument for
    // invalid parameters (validate()) or an angular degree above 20.
    explicit AceBasis(const AceConfig& config);

    const AceConfig& config() const { return m_config; }
    int speciesCount() const { return static_cast<int>(m_config.species.size()); }
    int speciesIndex(int atomicNumber) const; // −1 when not in the basis
    int blockSize() const { return static_cast<int>(m_functions.size()); }
    int size() const { return speciesCount() * blockSize(); }

    const AceRadialBasis& radial() const { return m_radial; }
    const AceSphericalHarmonics& harmonics() const { return m_harmonics; }
    int maxn() const { return m_radial.size(); }
    int lmax() const { return m_harmonics.lmax(); }

    const std::vector<AceChannel>& channels() const { return m_channels; }
    int channelOffset(int c) const { return m_channelOffset[c]; }
    int speciesBegin(int s) const { return m_speciesBegin[s]; } // s ∈ 0…speciesCount()
    int aSize() const { return m_speciesBegin.back(); }

    const std::vector<AceBasisFunction>& functions() const { return m_functions; }
    // Term arrays (see AceBasisFunction): coefficient, and 4 A indices (unused ones −1).
    const std::vector<double>& termCoefficients() const { return m_termCoef; }
    const std::vector<int>& termIndices() const { return m_termIndex; }

    // Functions per block of correlation order ν (1…4).
    int countOfOrder(int nu) const;
    // "O1·O2", "O2l1·Hf1l1" (n, then l when l > 0; "#k" for the k-th coupling when several).
    std::string label(int function) const;

private:
    AceConfig m_config;
    AceRadialBasis m_radial;
    AceSphericalHarmonics m_harmonics;
    std::vector<AceChannel> m_channels;
    std::vector<int> m_channelOffset;
    std::vector<int> m_speciesBegin;
    std::vector<AceBasisFunction> m_functions;
    std::vector<double> m_termCoef;
    std::vector<int> m_termIndex;
};

} // namespace graphace
