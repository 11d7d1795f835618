#pragma once
// Checks that a torch archive (a zip of stored records) is whole before LibTorch reads it:
// every record lies inside the file and matches the CRC-32 the zip recorded for it.
//
// LibTorch 1.13 checks neither the records' checksums nor a stored tensor's shape against its
// record, so a damaged model.pt or checkpoint.pt (a bit flip, a bad copy) could make it read past
// a buffer (found by fuzz_model). This catches damage; it is no defence against a file crafted
// with valid checksums, which LibTorch itself would have to refuse.

#include <string>

namespace graphace::gcn {

// Throws std::runtime_error saying what is wrong, without the file name (e.g. "damaged: the
// record 'x/data/3' fails its checksum", "no zip directory: cut short, or not a torch archive")
// when the file is not a whole zip; returns quietly otherwise.
void checkArchiveIntegrity(const std::string& path);

} // namespace graphace::gcn
