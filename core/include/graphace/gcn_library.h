#pragma once
// The network (GcnModel, GcnTrainer, gcnForceField: everything that needs LibTorch) as a library
// loaded on first use. Debian's LibTorch brings ~285 shared libraries (OpenCV, Qt 5; ~0.4 s and
// 160 MB): the window links graphace_gcn_loader instead of graphace_gcn and shows itself before
// any of that is loaded. The loader defines every function of gcn_trainer.h and
// gcn_force_field.h; each forwards to graphace-network.so (graphace_gcn with LibTorch), opened
// the first time one is called. Programs linked with graphace_gcn itself (graphace-gcn, the core
// tests) have the network from the start, and these functions say so.

#include <string>

namespace graphace {

// Loads the network now, e.g. in the background once the window is shown; later calls return at
// once. Throws std::runtime_error naming the library and why when it cannot be loaded (missing,
// from another build); the functions of gcn_trainer.h throw the same error then.
void loadGcnLibrary();
// Whether the network (and LibTorch) is in this process.
bool gcnLibraryLoaded();
// Where the loader looks for the library: $GRAPHACE_NETWORK_LIBRARY when set; else, for a program
// in the build tree, the build tree's; else the install layout relative to the executable
// (../lib/…/graphace/graphace-network.so). Empty in programs linked with the network.
std::string gcnLibraryPath();

} // namespace graphace
