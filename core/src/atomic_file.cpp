#include "graphace/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace graphace {

namespace {

std::string reason() {
    return std::strerror(errno);
}

// fsync of a file or folder by path; false with errno set on failure.
bool syncPath(const std::string& path, bool directory) {
    const int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0)
        return false;
    const bool ok = ::fsync(fd) == 0;
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return ok;
}

} // namespace

void writeAtomically(const std::string& path,
                     const std::function<void(const std::string& temporary)>& write) {
    namespace fs = std::filesystem;
    const std::string temporary = path + ".tmp." + std::to_string(::getpid());
    try {
        write(temporary);
        if (!syncPath(temporary, false))
            throw std::runtime_error("cannot write " + path + ": " + reason());
        if (std::rename(temporary.c_str(), path.c_str()) != 0)
            throw std::runtime_error("cannot replace " + path + ": " + reason());
    } catch (...) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        throw;
    }
    // The rename itself is durable once the folder is synced; a failure here loses nothing that
    // is already visible, so it is not an error.
    const fs::path parent = fs::path(path).parent_path();
    syncPath(parent.empty() ? std::string(".") : parent.string(), true);
}

void writeFileAtomically(const std::string& path, const std::string& text) {
    writeAtomically(path, [&](const std::string& temporary) {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out)
            throw std::runtime_error("cannot write " + path + ": " + reason());
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.close();
        if (!out)
            throw std::runtime_error("cannot write " + path + ": " + reason() + " (disk full?)");
    });
}

} // namespace graphace
