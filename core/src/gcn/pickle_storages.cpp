// Pickle opcodes as in CPython's Lib/pickletools.py (protocol 2).
#include "pickle_storages.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <stdexcept>

namespace graphace::gcn {
namespace {

// A value on the pickle machine's stack: only strings, integers, globals and tuples are told
// apart; everything else is Other.
struct Value {
    enum Kind { Other, String, Integer, Global, Tuple } kind = Other;
    std::string text;                          // String, Global ("module name")
    std::int64_t integer = 0;                  // Integer
    std::shared_ptr<std::vector<Value>> items; // Tuple (shared: memo copies are cheap)
    int depth = 0;                             // Tuple: how deeply nested
    std::shared_ptr<int> containerDepth;       // list, dict, object: grows as items are added
    int level() const { return containerDepth ? *containerDepth : depth; }
};

// Deeper nesting is refused: destroying it recursively (here and in LibTorch) could overflow
// the stack, and our files nest a few levels.
constexpr int kMaxDepth = 100;

std::uint64_t elementSize(const std::string& global) {
    static const std::map<std::string, std::uint64_t> sizes = {
        {"torch ByteStorage", 1},         {"torch CharStorage", 1},
        {"torch BoolStorage", 1},         {"torch ShortStorage", 2},
        {"torch HalfStorage", 2},         {"torch BFloat16Storage", 2},
        {"torch IntStorage", 4},          {"torch FloatStorage", 4},
        {"torch LongStorage", 8},         {"torch DoubleStorage", 8},
        {"torch ComplexFloatStorage", 8}, {"torch ComplexDoubleStorage", 16}};
    const auto it = sizes.find(global);
    if (it == sizes.end())
        throw std::runtime_error("names the storage type '" + global +
                                 "', which this program does not write");
    return it->second;
}

class Machine {
public:
    explicit Machine(std::string_view pickle) : m_pickle(pickle) {}

    std::vector<PickledStorage> run() {
        for (;;) {
            const unsigned char op = byte();
            switch (op) {
            case 0x80: // PROTO
                if (byte() > 2)
                    fail("a pickle protocol above 2");
                break;
            case '.': // STOP
                if (m_stack.size() != 1)
                    fail("a pickle that does not end with one value");
                return std::move(m_storages);
            case 'c': { // GLOBAL "module\nname\n"
                Value v = ofKind(Value::Global);
                const std::string module = line(); // two statements: operands are unordered
                v.text = module + " " + line();
                push(std::move(v));
                break;
            }
            case '(': // MARK
                m_marks.push_back(m_stack.size());
                break;
            case ')': // EMPTY_TUPLE
                push(tuple({}));
                break;
            case 't': // TUPLE
                push(tuple(popToMark()));
                break;
            case 0x85:
            case 0x86:
            case 0x87: { // TUPLE1, TUPLE2, TUPLE3
                std::vector<Value> items(op - 0x84);
                for (std::size_t i = items.size(); i-- > 0;)
                    items[i] = pop();
                push(tuple(std::move(items)));
                break;
            }
            case ']': // EMPTY_LIST
            case '}': // EMPTY_DICT
                push(container(0));
                break;
            case 'a': { // APPEND
                const Value item = pop();
                add(top(), item.level());
                break;
            }
            case 's': { // SETITEM
                const Value value = pop(), key = pop();
                add(top(), std::max(key.level(), value.level()));
                break;
            }
            case 'e':   // APPENDS
            case 'u': { // SETITEMS
                int level = 0;
                for (const Value& item : popToMark())
                    level = std::max(level, item.level());
                add(top(), level);
                break;
            }
            case 'q': // BINPUT
                m_memo[byte()] = top();
                break;
            case 'r': // LONG_BINPUT
                m_memo[unsignedLE(4)] = top();
                break;
            case 'h': // BINGET
                push(memo(byte()));
                break;
            case 'j': // LONG_BINGET
                push(memo(unsignedLE(4)));
                break;
            case 'K': // BININT1
                push(integer(byte()));
                break;
            case 'M': // BININT2
                push(integer(static_cast<std::int64_t>(unsignedLE(2))));
                break;
            case 'J': // BININT
                push(integer(static_cast<std::int32_t>(unsignedLE(4))));
                break;
            case 0x8a: { // LONG1: n bytes, little-endian two's complement
                const unsigned n = byte();
                if (n > 8)
                    fail("an integer wider than 64 bits");
                std::uint64_t u = unsignedLE(n);
                if (n > 0 && n < 8 && (u >> (8 * n - 1)) & 1)
                    u |= ~std::uint64_t(0) << (8 * n); // sign-extend
                push(integer(static_cast<std::int64_t>(u)));
                break;
            }
            case 'G': // BINFLOAT
                take(8);
                push(Value{});
                break;
            case 'X': { // BINUNICODE
                const std::uint64_t length = unsignedLE(4);
                Value v = ofKind(Value::String);
                v.text = std::string(take(length));
                push(std::move(v));
                break;
            }
            case 0x88: // NEWTRUE
            case 0x89: // NEWFALSE
            case 'N':  // NONE
                push(Value{});
                break;
            case 'R':    // REDUCE: callable, arguments → result
            case 0x81: { // NEWOBJ: class, arguments → object
                const Value arguments = pop(), callable = pop();
                push(container(std::max(arguments.level(), callable.level()) + 1));
                break;
            }
            case 'b': { // BUILD: object, state → object
                const Value state = pop();
                add(top(), state.level());
                break;
            }
            case 'Q': // BINPERSID
                persistentId(pop());
                push(Value{});
                break;
            default:
                fail("a pickle opcode (0x" + hex(op) + ") this program does not write");
            }
        }
    }

private:
    [[noreturn]] static void fail(const std::string& what) {
        throw std::runtime_error("holds " + what);
    }
    static std::string hex(unsigned char c) {
        const char* digits = "0123456789abcdef";
        return {digits[c >> 4], digits[c & 15]};
    }
    static Value ofKind(Value::Kind kind) {
        Value v;
        v.kind = kind;
        return v;
    }
    static Value integer(std::int64_t i) {
        Value v = ofKind(Value::Integer);
        v.integer = i;
        return v;
    }
    static Value tuple(std::vector<Value> items) {
        Value v = ofKind(Value::Tuple);
        for (const Value& item : items)
            v.depth = std::max(v.depth, item.level() + 1);
        checkDepth(v.depth);
        v.items = std::make_shared<std::vector<Value>>(std::move(items));
        return v;
    }
    static Value container(int depth) {
        checkDepth(depth);
        Value v;
        v.containerDepth = std::make_shared<int>(depth);
        return v;
    }
    // `container` now holds an item `itemLevel` deep.
    static void add(const Value& container, int itemLevel) {
        if (container.containerDepth) {
            *container.containerDepth = std::max(*container.containerDepth, itemLevel + 1);
            checkDepth(*container.containerDepth);
        }
    }
    static void checkDepth(int depth) {
        if (depth > kMaxDepth)
            fail("values nested more than " + std::to_string(kMaxDepth) + " deep");
    }

    std::string_view take(std::uint64_t n) {
        if (n > m_pickle.size() - m_at)
            fail("a value cut short (the pickle ends)");
        const std::string_view bytes = m_pickle.substr(m_at, n);
        m_at += n;
        return bytes;
    }
    unsigned char byte() { return static_cast<unsigned char>(take(1)[0]); }
    std::uint64_t unsignedLE(unsigned n) {
        const std::string_view b = take(n);
        std::uint64_t value = 0;
        for (unsigned i = n; i-- > 0;)
            value = value << 8 | static_cast<unsigned char>(b[i]);
        return value;
    }
    std::string line() {
        const std::size_t end = m_pickle.find('\n', m_at);
        if (end == std::string_view::npos)
            fail("a global name cut short");
        std::string text(m_pickle.substr(m_at, end - m_at));
        m_at = end + 1;
        return text;
    }

    void push(Value v) {
        if (m_stack.size() >= kMaxStack)
            fail("more than a million values at once");
        m_stack.push_back(std::move(v));
    }
    Value pop() {
        if (m_stack.empty() || (!m_marks.empty() && m_stack.size() == m_marks.back()))
            fail("an opcode without its operands");
        Value v = std::move(m_stack.back());
        m_stack.pop_back();
        return v;
    }
    const Value& top() {
        if (m_stack.empty() || (!m_marks.empty() && m_stack.size() == m_marks.back()))
            fail("an opcode without its operands");
        return m_stack.back();
    }
    std::vector<Value> popToMark() {
        if (m_marks.empty())
            fail("an opcode without its MARK");
        const std::size_t mark = m_marks.back();
        m_marks.pop_back();
        std::vector<Value> items(std::make_move_iterator(m_stack.begin() + mark),
                                 std::make_move_iterator(m_stack.end()));
        m_stack.resize(mark);
        return items;
    }
    Value memo(std::uint64_t index) {
        const auto it = m_memo.find(index);
        if (it == m_memo.end())
            fail("a reference to a value it never stored");
        return it->second;
    }

    // ("storage", torch.<Type>Storage, key, location, element count)
    void persistentId(const Value& id) {
        const std::vector<Value>* t = id.kind == Value::Tuple ? id.items.get() : nullptr;
        if (!t || t->size() != 5 || (*t)[0].kind != Value::String || (*t)[0].text != "storage" ||
            (*t)[1].kind != Value::Global || (*t)[2].kind != Value::String ||
            (*t)[3].kind != Value::String || (*t)[4].kind != Value::Integer)
            fail("a persistent id that is not a tensor storage");
        const std::int64_t count = (*t)[4].integer;
        const std::uint64_t size = elementSize((*t)[1].text);
        if (count < 0 || static_cast<std::uint64_t>(count) > ~std::uint64_t(0) / size)
            fail("a storage of " + std::to_string(count) + " elements");
        m_storages.push_back({(*t)[2].text, static_cast<std::uint64_t>(count) * size});
    }

    static constexpr std::size_t kMaxStack = 1 << 20;
    std::string_view m_pickle;
    std::size_t m_at = 0;
    std::vector<Value> m_stack;
    std::vector<std::size_t> m_marks;
    std::map<std::uint64_t, Value> m_memo;
    std::vector<PickledStorage> m_storages;
};

} // namespace

std::vector<PickledStorage> readPickledStorages(std::string_view pickle) {
    return Machine(pickle).run();
}

} // namespace graphace::gcn
