// The zip layout read here (PKWARE APPNOTE 6.3): end of central directory (EOCD, and its zip64
// form for large archives), central directory entries, local headers, stored or deflated data.
#include "archive_integrity.h"

#include "pickle_storages.h"

#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string_view>
#include <vector>

#include <caffe2/serialize/inline_container.h>
#include <zlib.h>

namespace graphace::gcn {
namespace {

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

struct Record {
    std::string name;
    std::string data;
};

bool matchesChecksum(const std::string& data, std::uint64_t crc) {
    return ::crc32_z(::crc32_z(0, nullptr, 0), reinterpret_cast<const Bytef*>(data.data()),
                     data.size()) == crc; // crc32_z: sizes beyond 4 GiB
}

// LibTorch deflates the small source records; their inflated size is bounded, so a crafted size
// cannot make us allocate much.
constexpr std::uint64_t kMaxInflatedRecord = 1 << 20;

bool inflateRecord(const unsigned char* deflated, std::uint64_t length, std::string& out) {
    z_stream stream{};
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) // raw deflate, as in a zip
        return false;
    stream.next_in = const_cast<Bytef*>(deflated);
    stream.avail_in = static_cast<uInt>(length);
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int status = inflate(&stream, Z_FINISH);
    const bool whole = status == Z_STREAM_END && stream.avail_out == 0;
    inflateEnd(&stream);
    return whole;
}

// Every record of the zip, checked to lie inside the file and to match its CRC-32.
std::vector<Record> readRecords(const Bytes& zip) {
    std::vector<Record> records;

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
        std::string contents;
        if (method == 0 && stored == size) {
            contents.assign(reinterpret_cast<const char*>(bytes), stored);
        } else if (method == 8 && size <= kMaxInflatedRecord) {
            contents.resize(size);
            if (!inflateRecord(bytes, stored, contents))
                zip.fail("damaged: the record '" + record + "' does not inflate");
        } else {
            zip.fail("the record '" + record + "' is stored in a way LibTorch does not write");
        }
        if (!matchesChecksum(contents, crc))
            zip.fail("damaged: the record '" + record + "' fails its checksum");
        records.push_back({record, std::move(contents)});
        entry += 46 + nameLength + extraLength + commentLength;
    }
    return records;
}

bool isNameCharacter(char c, bool first) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (!first && c >= '0' && c <= '9');
}

bool isIdentifier(std::string_view text) {
    if (text.empty() || !isNameCharacter(text[0], true))
        return false;
    for (char c : text)
        if (!isNameCharacter(c, false))
            return false;
    return true;
}

// A key of a dictionary-like module (an optimiser's "param_groups/0", a state's "0x55db0df8a3b0").
bool isKey(std::string_view text) {
    if (text.empty())
        return false;
    for (char c : text)
        if (!isNameCharacter(c, false) && c != '/' && c != '.' && c != '-')
            return false;
    return true;
}

bool startsWith(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

bool isDigits(std::string_view text) {
    if (text.empty() || text.size() > 9)
        return false;
    for (char c : text)
        if (c < '0' || c > '9')
            return false;
    return true;
}

// The types our archives declare: tensors, the optimisers' options and step counters, and the
// nested modules (state, param_groups) that torch::serialize names __torch__.___torch_mangle_N.
bool isType(std::string_view type) {
    for (std::string_view plain :
         {"Tensor", "str", "int", "float", "bool", "Tuple[float, float]", "__torch__.Module"})
        if (type == plain)
            return true;
    const std::string_view prefix = "__torch__.___torch_mangle_", suffix = ".Module";
    return type.size() > prefix.size() + suffix.size() && startsWith(type, prefix) &&
           type.substr(type.size() - suffix.size()) == suffix &&
           isDigits(type.substr(prefix.size(), type.size() - prefix.size() - suffix.size()));
}

// `["a", "b", ]` or `[]`: the names listed in __parameters__ and __buffers__.
bool isNameList(std::string_view text) {
    if (text.size() < 2 || text.front() != '[' || text.back() != ']')
        return false;
    text = text.substr(1, text.size() - 2);
    while (!text.empty()) {
        if (text.front() != '"')
            return false;
        const std::size_t close = text.find("\", ", 1);
        if (close == std::string_view::npos || !isKey(text.substr(1, close - 1)))
            return false;
        text = text.substr(close + 3);
    }
    return true;
}

// One line of a class declaration as torch::serialize writes it; nothing executable.
bool isDeclarationLine(std::string_view line) {
    if (line.empty())
        return true;
    if (!startsWith(line, "  "))
        return false;
    line = line.substr(2);
    if (startsWith(line, "__parameters__ = "))
        return isNameList(line.substr(17));
    if (startsWith(line, "__buffers__ = "))
        return isNameList(line.substr(14));
    if (line == "__annotations__ = []")
        return true;
    if (startsWith(line, "__annotations__[\"")) {
        const std::size_t close = line.find("\"] = ");
        return close != std::string_view::npos && isKey(line.substr(17, close - 17)) &&
               isType(line.substr(close + 5));
    }
    const std::size_t colon = line.find(" : ");
    return colon != std::string_view::npos && isIdentifier(line.substr(0, colon)) &&
           isType(line.substr(colon + 3));
}

// The TorchScript source of a record: one `class Module(Module):` with declarations only.
// LibTorch compiles every code record of an archive it loads, and its compiler is not safe on
// crafted input (found by fuzz_model), so only the declarations this program writes reach it.
void checkDeclarations(const Record& record) {
    const std::string_view text = record.data;
    std::size_t start = 0, lineNumber = 0;
    bool seenClass = false;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        const std::string_view line = text.substr(start, end - start);
        ++lineNumber;
        bool ok = false;
        if (!seenClass)
            ok = seenClass = line == "class Module(Module):";
        else
            ok = isDeclarationLine(line);
        if (!ok)
            throw std::runtime_error("the record '" + record.name + "' line " +
                                     std::to_string(lineNumber) +
                                     " is TorchScript code this program does not write");
        start = end + 1;
    }
    if (!seenClass)
        throw std::runtime_error("the record '" + record.name + "' declares no module");
}

} // namespace

std::string readCheckedArchive(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read '" + path + "'");
    const Bytes zip(std::vector<unsigned char>(std::istreambuf_iterator<char>(in), {}));
    const std::vector<Record> records = readRecords(zip);

    // Repacked in memory, so that LibTorch reads a zip it wrote itself, holding only the records
    // it needs: the pickles, the tensors' data, the vetted declarations and the format version.
    std::string packed;
    caffe2::serialize::PyTorchStreamWriter writer([&packed](const void* data, std::size_t size) {
        packed.append(static_cast<const char*>(data), size);
        return size;
    });
    const std::size_t slash = records.empty() ? std::string::npos : records[0].name.find('/');
    if (slash == std::string::npos)
        throw std::runtime_error("no records in a folder: not a torch archive");
    const std::string folder = records[0].name.substr(0, slash + 1);
    // Each record's size by its name in the folder; the pickles, checked once all are known.
    std::map<std::string, std::uint64_t> recordSizes;
    std::vector<std::pair<std::string, const Record*>> pickles;
    for (const Record& record : records) {
        if (!startsWith(record.name, folder))
            throw std::runtime_error("the record '" + record.name + "' lies outside '" + folder +
                                     "': not a torch archive");
        const std::string name = record.name.substr(folder.size());
        if (!recordSizes.emplace(name, record.data.size()).second)
            throw std::runtime_error("the record '" + record.name + "' appears twice");
        const std::string_view text = record.data;
        if (name == "version") {
            const std::string_view digits = text.substr(0, text.find_last_not_of("\n") + 1);
            if (!isDigits(digits))
                throw std::runtime_error("its format version is not a number");
            writer.setMinVersion(std::stoull(std::string(digits)));
            continue;
        }
        const bool code =
            startsWith(name, "code/") && name.size() > 8 && name.substr(name.size() - 3) == ".py";
        if (code)
            checkDeclarations(record);
        const bool pickle = name == "data.pkl" || name == "constants.pkl";
        if (pickle)
            pickles.emplace_back(name, &record);
        // Debug tables (*.debug_pkl) and records LibTorch 1.13 does not read are left out.
        if (code || pickle || (startsWith(name, "data/") && isDigits(name.substr(5))))
            writer.writeRecord(name, record.data.data(), record.data.size());
    }
    if (!recordSizes.count("data.pkl"))
        throw std::runtime_error("no data.pkl: not a torch archive");
    // Every storage the pickles refer to must lie within its record: LibTorch sizes a storage by
    // the pickle's element count alone.
    for (const auto& [name, record] : pickles) {
        std::vector<PickledStorage> storages;
        try {
            storages = readPickledStorages(record->data);
        } catch (const std::runtime_error& e) {
            throw std::runtime_error(name + " " + e.what());
        }
        for (const PickledStorage& storage : storages) {
            const auto it = recordSizes.find("data/" + storage.key);
            if (it == recordSizes.end() || !isDigits(storage.key))
                throw std::runtime_error(name + " refers to the record 'data/" + storage.key +
                                         "', which is not there");
            if (storage.bytes > it->second)
                throw std::runtime_error(name + " says the record 'data/" + storage.key +
                                         "' holds " + std::to_string(storage.bytes) +
                                         " bytes; it holds " + std::to_string(it->second));
        }
    }
    writer.writeEndOfFile();
    return packed;
}

} // namespace graphace::gcn
