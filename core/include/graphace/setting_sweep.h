#pragma once
// A sweep: one setting of the experiment configuration taken through several values, one run
// each. The command line (`graphace train --sweep`) and the window's Sweep… menu use it alike.
//   "KEY=FIRST:LAST:STEP"  an inclusive numeric range, e.g. "graph.cutoff=2:6:0.5"
//   "KEY=V1,V2,..."        a list of values, e.g. "model.graph_layers.*.activation=tanh,silu"
// KEY is a setting path of applySetting (experiment_config.h), "*" included.

#include "graphace/experiment_config.h"

#include <string>
#include <vector>

namespace graphace {

struct SettingSweep {
    std::string key;
    std::vector<std::string> values; // as applySetting reads them (numbers in shortest form)
};

// Throws std::invalid_argument saying what was expected (at most 1000 values; data.train and
// data.test are refused: every run of a sweep reads the same data).
SettingSweep parseSettingSweep(const std::string& text);

// `base` with KEY=value applied, parsed and validated; throws std::invalid_argument naming
// KEY=value and what is wrong with it.
ExperimentConfig sweepConfig(const ExperimentConfig& base, const SettingSweep& sweep,
                             std::size_t index);

} // namespace graphace
