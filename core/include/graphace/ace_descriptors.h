#pragma once
// Evaluation of ACE descriptors B_i (ace_basis.h) for every atom of a structure or dataset, with
// analytic derivatives with respect to atom positions.
//
// Equations (N atoms, E edges of the full neighbour list, K = AceBasis::blockSize()),
// for an edge e = (i, j, S) with r_e = r_j − r_i + S·cell:
//   A_{i,α}        = Σ_{e of i} δ(s_α, s_j) J_{n_α}(|r_e|) Y_{l_α m_α}(r̂_e)
//   B_{i,k}        = Σ_t coef_t Π_f A_{i, idx_{t,f}}                   k = 0 … K−1
//   ∂B_{i,k}/∂r_j  = Σ_α (∂B_{i,k}/∂A_{i,α}) ∂φ_α(r_e)/∂r_e            (contribution of edge e)
//   ∂B_{i,k}/∂r_i  = −Σ_{e of i} (the edge contributions above)
//   ∂φ_α/∂r        = J'_n(r) Y_lm(r̂) r̂ + J_n(r) ∇Y_lm(r̂)
// Atom i's descriptor sits in the block of its own species: columns K·s_i … K·s_i + K − 1 of
// the full width AceBasis::size() = speciesCount · K; the other blocks are zero.
// An edge to an image of atom i itself (small cells) is treated like any other neighbour; its
// derivative rows then describe moving every image of the atom together.

#include "graphace/ace_basis.h"
#include "graphace/neighbor_list.h"
#include "graphace/progress.h"
#include "graphace/structure.h"

#include <Eigen/Core>

#include <vector>

namespace graphace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using FloatRowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

enum class AceDerivatives {
    None,   // descriptors only
    Edges,  // + per-edge derivatives (neighbors, edgeGradients)
    Forces, // + gradient of the per-structure sum Σ_i B_i (sumGradient), for force fitting
};

struct AceStructureDescriptors {
    // N × size(): row i = B_i, non-zero only in the block of atom i's species.
    RowMatrix descriptors;
    // Edges: the neighbour list used (cutoff rcut) and, for edge e = (i, j, S), the rows
    // 3e + c (c = x, y, z) of the (3E × K) matrix hold ∂B_{i,k}/∂(r_j)_c for the K functions of
    // atom i's block. ∂B_i/∂r_i = −Σ over i's edges (not stored).
    NeighborList neighbors;
    RowMatrix edgeGradients;
    // Forces: (3N × size()); row 3a + c = ∂(Σ_i B_i)/∂(r_a)_c. With E = w·Σ_i B_i the force on
    // atom a is −(row 3a+c)·w, so this matrix, negated, is the force block of a linear fit.
    RowMatrix sumGradient;
};

// Forces of an energy that depends on the positions through the descriptors, by the adjoint
// (ace_adjoint_forces.cpp): with g_i = ∂E/∂B_i given (atom i's block),
//   Ā_{i,α} = Σ_k g_{i,k} ∂B_{i,k}/∂A_{i,α}          one pass over atom i's terms
//   q_e     = Σ_α Ā_{i,α} ∂φ_α(r_e)/∂r_e = ∂E/∂r_e   one pass over its edges, all α at once
//   F_a     = −Σ_e q_e (δ_{a j_e} − δ_{a i_e}),   virial W = −Σ_e r_e ⊗ q_e   (reference_virial.h)
// so the cost is that of the descriptors plus O(terms + edges · |A|), independent of the
// number of functions' gradients: no K × 3 Jacobian per edge is formed.
struct AceForces {
    double energy = 0.0;              // linearEnergyForces only: Σ_i ε_i
    std::vector<double> atomEnergies; // linearEnergyForces only: ε_i = c·B_i + e0(s_i)
    std::vector<Vec3> forces;         // −∂E/∂r_a, eV/Å
    Eigen::Matrix3d virial = Eigen::Matrix3d::Zero(); // eV, W = −Σ_e r_e ⊗ ∂E/∂r_e
};

// Evaluates one structure at a time; holds scratch buffers, so use one evaluator per thread.
class AceEvaluator {
public:
    explicit AceEvaluator(const AceBasis& basis); // the basis must outlive the evaluator

    const AceBasis& basis() const { return m_basis; }

    // Builds the neighbour list with computeNeighborList(structure, rcut). Throws
    // std::invalid_argument for an atom whose species is not in the basis.
    AceStructureDescriptors compute(const Structure& structure,
                                    AceDerivatives mode = AceDerivatives::None);
    // With a given full neighbour list of cutoff ≥ rcut (edges beyond rcut contribute zero).
    AceStructureDescriptors compute(const Structure& structure, const NeighborList& neighbors,
                                    AceDerivatives mode = AceDerivatives::None);

    // The linear model E = Σ_i (c·B_i + e0(s_i)): energy, per-atom energies, forces, virial.
    // `coefficients` has size() entries (species blocks), `referenceEnergies` one per species
    // (empty: 0). Energies equal those from compute()'s descriptors to round-off.
    AceForces linearEnergyForces(const Structure& structure, const NeighborList& neighbors,
                                 const Eigen::VectorXd& coefficients,
                                 const std::vector<double>& referenceEnergies = {});
    // Forces and virial of any E({B_i}) given energyGradient (N × size(), row i = ∂E/∂B_i; only
    // atom i's species block is read), e.g. a network's backward pass to its inputs.
    AceForces forcesFromEnergyGradient(const Structure& structure, const NeighborList& neighbors,
                                       const RowMatrix& energyGradient);

private:
    struct Term {
        double coef;
        int order;
        int index[4]; // A indices
        int slot[4];  // adjoint slots of the function
    };

    // Validates the structure against the basis and the list, fills m_atomSpecies and groups
    // the edges by centre atom (m_start, m_order).
    void groupEdges(const Structure& structure, const NeighborList& nl);
    // Atom i's edges within rcut, by neighbour species, into m_edgesOf.
    void collectEdges(const NeighborList& nl, int i);
    void atom(const NeighborList& nl, int i, AceDerivatives mode, AceStructureDescriptors& out);
    // The adjoint pass over all atoms; gradientRow(i) → ∂E/∂B_i (K values, atom i's block).
    // out.atomEnergies[i] = gradientRow(i)·B_i.
    template <typename GradientRow>
    void adjointForces(const Structure& structure, const NeighborList& nl,
                       const GradientRow& gradientRow, AceForces& out);
    // m_adjA = Σ_k g_k ∂B_k/∂A (atom at hand, A in m_A); returns Σ_k g_k B_k.
    double contractTerms(const double* g);
    // q_e = Σ_α m_adjA[α] ∂φ_α/∂r_e for the current atom's edges to species s (tables from
    // neighbourSpecies(Tables)), into m_q (x, y, z rows of E_s).
    void edgeAdjoint(int s);

    // What neighbourSpecies leaves for the current atom's edges to one species: A always; the
    // derivative tables (J', ∇Y, û) for Tables; ∂φ/∂r per A entry (m_dphi) for Dphi.
    enum class EdgeWork { Values, Tables, Dphi };
    void neighbourSpecies(const NeighborList& nl, int s, EdgeWork work);

    const AceBasis& m_basis;
    std::vector<int> m_atomSpecies;      // per atom, scratch
    std::vector<Term> m_terms;           // all functions' terms
    std::vector<int> m_termBegin;        // per function, size K + 1
    std::vector<int> m_slotBegin;        // per function, size K + 1
    std::vector<int> m_slotIndex;        // A index of each slot (sorted per function)
    std::vector<int> m_slotSpeciesBegin; // per function × (species + 1)
    std::vector<int> m_channelsBegin;    // per species + 1, channel index range
    int m_stride = 0;                    // widest species range of A
    // Scratch. Per neighbour species s of the current atom: its edges (within rcut), and
    // edge-minor (structure-of-arrays) tables so the loops over edges vectorise (E_s = edge
    // count rounded up to a multiple of 4 with zero-weight padding edges):
    //   J[n·E_s + e], Y[lm·E_s + e], dphi[s][(α_local·3 + c)·E_s + e] = ∂φ_α(r_e)/∂(r_e)_c
    std::vector<std::vector<int>> m_edgesOf;
    std::vector<std::vector<double>> m_dphi;
    //   per species: J, J' (maxn × E_s), Y (lm × E_s), ∇Y ((lm·3 + c) × E_s), and u: rows û_x,
    //   û_y, û_z, 1/r, then the radial transform t and dt/dr (6 × E_s)
    struct SpeciesTables {
        std::vector<double> J, dJ, Y, dY, u;
        int edges = 0; // E_s
    };
    std::vector<SpeciesTables> m_tables;
    std::vector<double> m_A, m_B, m_adj, m_g;
    // Adjoint forces: Ā over A (aSize), per-edge scratch, and per species its channels grouped
    // by l: (l, count, then count pairs (n − 1, A offset)) runs.
    std::vector<double> m_adjA, m_q;
    std::vector<std::vector<int>> m_channelsByL;
    // The terms once more, packed for the adjoint: coefficients (one per term), A indices (ν per
    // term, function k's from m_packedIndexBegin[k]).
    std::vector<double> m_packedCoef;
    std::vector<int> m_packedIndex, m_packedIndexBegin;
    std::vector<double*> m_rows; // output row of each (component, edge) of the chain rule
    // Per neighbour species: 4-column tiles of the functions with terms in that species
    // (4 ints each, see ace_descriptors.cpp); a row that absorbs the padding edges' zeros; the
    // per-structure grouping of edges by centre atom; the (3N × size()) force rows being
    // accumulated (m_forces, reused across structures, or the output itself when large).
    std::vector<std::vector<int>> m_tiles;
    std::vector<double> m_sink;
    std::vector<int> m_start, m_order;
    std::vector<double> m_forces;
    double* m_forceRows = nullptr;
};

// All structures of a dataset, in order, using up to `threads` threads over structures
// (0: std::thread::hardware_concurrency()). `progress` gets the fraction of structures done;
// returning false cancels (throws Cancelled). Errors of any structure are rethrown.
std::vector<AceStructureDescriptors>
computeAceDescriptors(const AceBasis& basis, const Dataset& data,
                      AceDerivatives mode = AceDerivatives::None, int threads = 0,
                      const ProgressCallback& progress = {});

} // namespace graphace
