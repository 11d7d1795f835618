#pragma once
// Files that appear complete or not at all. Every file the program writes goes through here: the
// content goes to a temporary file in the same folder (PATH.tmp.PID, so two writers never share
// one), is flushed and fsync'ed, then renamed over PATH (atomic within one file system) and the
// folder fsync'ed, so that a crash, a kill or a power cut leaves either the previous PATH or the
// new one, never a mixture. On failure (a full disk, no permission) the temporary is removed,
// PATH is untouched, and std::runtime_error names PATH and the reason.

#include <functional>
#include <string>

namespace graphace {

void writeFileAtomically(const std::string& path, const std::string& text);

// For content written by another writer (a streaming one, or a library that takes a file name):
// `write` fills the temporary file whose path it is given; whatever it throws propagates
// unchanged after the temporary is removed.
void writeAtomically(const std::string& path,
                     const std::function<void(const std::string& temporary)>& write);

} // namespace graphace
