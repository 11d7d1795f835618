#pragma once
// Atom graphs built on a neighbour list: the adjacency a graph convolution multiplies by.
//
// A_ij sums the weights of all edges (i, j, S) over S (an atom can see several images of j,
// or its own images). Self-loops (I) are added on top when requested.
//   Normalisation::None       Â = A (+ I)
//   Normalisation::Symmetric  Â = D^-1/2 (A + I) D^-1/2, D = diag(row sums of A + I)
//   Normalisation::Row        Â = D^-1 (A + I)
// Rows whose degree is zero stay zero (no division by zero).

#include "graphace/neighbor_list.h"

#include <string>
#include <vector>

namespace graphace {

enum class EdgeWeighting {
    Binary,        // w = 1 for d < cutoff
    SmoothCosine,  // w = ½ (cos(π d / cutoff) + 1): w and w' vanish at the cutoff (C¹)
    // w = 1 − 10x³ + 15x⁴ − 6x⁵, x = d / cutoff: w, w' and w'' vanish at the cutoff (C²), so
    // forces are continuous and their derivatives too (what MD and force training need).
    SmoothPolynomial,
};
enum class Normalisation { None, Symmetric, Row };

struct GraphOptions {
    double cutoff = 4.0;  // Å
    EdgeWeighting weighting = EdgeWeighting::Binary;
    bool selfLoops = true;
    Normalisation normalisation = Normalisation::Symmetric;
};

// Sparse adjacency in coordinate form, one entry per (row, column) pair, sorted by row then
// column; duplicates (images of one neighbour) are already summed.
struct AtomGraph {
    int atomCount = 0;
    std::vector<int> rows;
    std::vector<int> columns;
    std::vector<double> values;
    // Number of neighbour-list edges (i, j, S) with d < cutoff, self-loops not counted.
    std::size_t edgeCount = 0;
};

AtomGraph buildGraph(const Structure& structure, const GraphOptions& options);
AtomGraph buildGraph(const NeighborList& neighbors, int atomCount, const GraphOptions& options);

// w(d) and dw/dd for d < cutoff (0 beyond it).
double edgeWeight(EdgeWeighting weighting, double distance, double cutoff);
double edgeWeightDerivative(EdgeWeighting weighting, double distance, double cutoff);
// Whether an energy built on this weighting is differentiable in the positions (not a step).
bool hasContinuousDerivative(EdgeWeighting weighting);
// Empty when a model on graphs built this way has forces (its energy differentiable in the
// positions: a smooth weighting, and self-loops when the adjacency is normalised, so that no
// degree reaches zero); else why not, naming the setting to change.
std::string whyNoForces(const GraphOptions& options);

std::string toString(EdgeWeighting weighting);
std::string toString(Normalisation normalisation);
// Parse "binary"/"smooth-cosine"/"smooth-polynomial", "none"/"symmetric"/"row"; throws std::invalid_argument.
EdgeWeighting parseEdgeWeighting(const std::string& text);
Normalisation parseNormalisation(const std::string& text);

} // namespace graphace
