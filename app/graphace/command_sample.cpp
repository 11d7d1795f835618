// graphace sample: write the built-in dataset, so the CLI and the GUI can be tried without data.

#include "cli_common.h"
#include "commands.h"

#include "graphace/sample_dataset.h"

#include <CLI/CLI.hpp>

#include <iostream>

namespace graphace::cli {

void registerSampleCommand(CLI::App& app) {
    auto* command = app.add_subcommand(
        "sample", "Write the built-in sample dataset (Hf32O64 cells labelled by the documented "
                  "analytic reference potential, see docs/sample-dataset.md) as extended XYZ");
    auto out = std::make_shared<std::string>();
    auto options = std::make_shared<SampleOptions>();
    command->add_option("--out", *out, "Output extended-XYZ file")->required();
    command->add_option("--configurations", options->configurations, "Number of configurations")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    command->add_option("--seed", options->seed, "Random seed (same seed, same dataset)")
        ->capture_default_str();
    command->callback([out, options] {
        const Dataset dataset = generateSampleDataset(*options);
        writeExtxyzFile(*out, dataset);
        std::cerr << "wrote " << dataset.size() << " configurations (" << dataset.atomCount()
                  << " atoms) to " << *out << '\n';
    });
}

} // namespace graphace::cli
