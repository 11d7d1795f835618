#pragma once
// Reads a torch archive (a zip of stored records: model.pt, checkpoint.pt) so that LibTorch only
// ever parses what this program writes.
//
// LibTorch 1.13 checks neither the records' checksums nor a stored tensor's shape against its
// record, so a damaged file (a bit flip, a bad copy) could make it read past a buffer; and it
// compiles the TorchScript source in every archive it loads, where a crafted file crashed its
// compiler (both found by fuzz_model). So every record must lie inside the file and match its
// CRC-32, every source record must be the plain class declarations torch::serialize writes, and
// LibTorch is given the archive repacked in memory with only the records it needs.

#include <string>

namespace graphace::gcn {

// The archive at `path`, checked and repacked, for torch::serialize::InputArchive::load_from.
// Throws std::runtime_error saying what is wrong, without the file name (e.g. "damaged: the
// record 'x/data/3' fails its checksum", "no zip directory: cut short, or not a torch archive",
// "the record 'x/code/__torch__.py' line 4 is TorchScript code this program does not write").
std::string readCheckedArchive(const std::string& path);

} // namespace graphace::gcn
