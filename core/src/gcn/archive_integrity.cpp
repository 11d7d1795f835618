// The zip layout read here (PKWARE APPNOTE 6.3): end of central directory (EOCD, and its zip64
// form for large archives), central directory entries, local headers, stored data.
#include "archive_integrity.h"

#include <array>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

namespace graphace::gcn {
namespace {

std::uint32_t crc32(const unsigned char* data, std::size_t size) {
    static const std::array<std::uint32_t, 256> table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t n = 0; n < 256; ++n) {
            std::uint32_t c = n;
            for (int k = 0; k < 8; ++k)
                c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }();
    std::uint32_t c = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < size; ++i)
        c = table[(c ^ data[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

class Bytes {
public:
    explicit Bytes(std::vector<unsigned char> data) : m_data(std::move(data)) {}
    std::size_t size() const { return m_data.size(); }
    const unsigned char* at(std::uint64_t offset, std::uint64_t length) const {
        if (offset > m_data.size() || length > m_data.size() - offset)
            fail("cut short or damaged: a record lies beyond the end of the file");
        return m_data.data() + offset;
    }
    std::uint64_t read(std::uint64_t offset, int bytes) const {
        const unsigned char* p = at(offset, static_cast<std::uint64_t>(bytes));
        std::uint64_t value = 0;
        for (int i = bytes - 1; i >= 0; --i)
            value = value << 8 | p[i];
        return value;
    }
    [[noreturn]] void fail(const std::string& what) const { throw std::runtime_error(what); }

private:
    std::vector<unsigned char> m_data;
};

} // namespace

void checkArchiveIntegrity(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read '" + path + "'");
    const Bytes zip(std::vector<unsigned char>(std::istreambuf_iterator<char>(in), {}));

    // The end-of-central-directory record: 22 bytes plus a comment of up to 65535.
    std::uint64_t eocd = 0;
    bool found = false;
    for (std::uint64_t back = 22; back <= zip.size() && back <= 22 + 65535 && !found; ++back)
        if (zip.read(zip.size() - back, 4) == 0x06054b50) {
            eocd = zip.size() - back;
            found = true;
        }
    if (!found)
        zip.fail("no zip directory: cut short, or not a torch archive");
    std::uint64_t entries = zip.read(eocd + 10, 2);
    std::uint64_t directory = zip.read(eocd + 16, 4);
    if (entries == 0xFFFF || directory == 0xFFFFFFFF) {
        // zip64: the locator just before the EOCD points at the zip64 EOCD.
        if (eocd < 20 || zip.read(eocd - 20, 4) != 0x07064b50)
            zip.fail("its zip directory is damaged");
        const std::uint64_t eocd64 = zip.read(eocd - 20 + 8, 8);
        if (zip.read(eocd64, 4) != 0x06064b50)
            zip.fail("its zip directory is damaged");
        entries = zip.read(eocd64 + 32, 8);
        directory = zip.read(eocd64 + 48, 8);
    }

    std::uint64_t entry = directory;
    for (std::uint64_t k = 0; k < entries; ++k) {
        if (zip.read(entry, 4) != 0x02014b50)
            zip.fail("its zip directory is damaged");
        const std::uint64_t method = zip.read(entry + 10, 2);
        const std::uint64_t crc = zip.read(entry + 16, 4);
        std::uint64_t stored = zip.read(entry + 20, 4);
        std::uint64_t size = zip.read(entry + 24, 4);
        const std::uint64_t nameLength = zip.read(entry + 28, 2);
        const std::uint64_t extraLength = zip.read(entry + 30, 2);
        const std::uint64_t commentLength = zip.read(entry + 32, 2);
        std::uint64_t local = zip.read(entry + 42, 4);
        const unsigned char* name = zip.at(entry + 46, nameLength);
        const std::string record(name, name + nameLength);
        // zip64 extra field: the 8-byte values of those that did not fit, in this order.
        for (std::uint64_t e = entry + 46 + nameLength;
             e + 4 <= entry + 46 + nameLength + extraLength;) {
            const std::uint64_t id = zip.read(e, 2), length = zip.read(e + 2, 2);
            if (id == 0x0001) {
                std::uint64_t p = e + 4;
                for (std::uint64_t* field : {&size, &stored, &local})
                    if (*field == 0xFFFFFFFF && p + 8 <= e + 4 + length) {
                        *field = zip.read(p, 8);
                        p += 8;
                    }
            }
            e += 4 + length;
        }
        if (zip.read(local, 4) != 0x04034b50)
            zip.fail("damaged: the record '" + record + "' is not where the directory says");
        const std::uint64_t data = local + 30 + zip.read(local + 26, 2) + zip.read(local + 28, 2);
        const unsigned char* bytes = zip.at(data, stored);
        if (method == 0 && (stored != size || crc32(bytes, stored) != crc))
            zip.fail("damaged: the record '" + record + "' fails its checksum");
        entry += 46 + nameLength + extraLength + commentLength;
    }
}

} // namespace graphace::gcn
