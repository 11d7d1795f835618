#pragma once
#include <stdexcept>
#include <string>

namespace graphace {

// An input file could not be read. what() is "FILE:LINE: MESSAGE" so that a terminal or an IDE
// can jump to the place; the parts are kept for dialogs.
class ParseError : public std::runtime_error {
public:
    ParseError(std::string file, long line, std::string message)
        : std::runtime_error(file + ":" + std::to_string(line) + ": " + message),
          m_file(std::move(file)), m_line(line), m_message(std::move(message)) {}

    const std::string& file() const { return m_file; }
    long line() const { return m_line; }
    const std::string& message() const { return m_message; }

private:
    std::string m_file;
    long m_line;
    std::string m_message;
};

// A long operation was cancelled through its progress callback.
class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("cancelled") {}
};

} // namespace graphace
