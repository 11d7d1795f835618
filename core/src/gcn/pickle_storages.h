#pragma once
// The tensor storages a TorchScript pickle (data.pkl, constants.pkl) refers to, read without
// LibTorch.
//
// LibTorch 1.13 sizes a storage by the element count written in the pickle, not by the record
// that holds its bytes, so a pickle that claims more than its record made it read past the
// buffer (found by fuzz_model). This reader executes the pickle opcodes that LibTorch's pickler
// writes (protocol 2: PROTO, GLOBAL, MARK, tuples, lists, dicts, memo, ints, floats, strings,
// booleans, None, REDUCE, NEWOBJ, BUILD, BINPERSID, STOP), tracking only what a persistent id
// holds, ("storage", torch.<Type>Storage, key, location, element count), and refuses anything
// else.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace graphace::gcn {

struct PickledStorage {
    std::string key;         // the record data/KEY
    std::uint64_t bytes = 0; // element count × element size, as the pickle claims
};

// Throws std::runtime_error saying what the pickle does wrong, to follow its name ("holds a
// pickle opcode (0x7d) this program does not write", "holds a value cut short ...").
std::vector<PickledStorage> readPickledStorages(std::string_view pickle);

} // namespace graphace::gcn
