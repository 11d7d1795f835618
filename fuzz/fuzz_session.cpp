// Any bytes as a session file (File → Open Session…). It must load or be refused with the
// documented errors (ParseError with the line for invalid JSON, std::runtime_error naming the
// file for another format, version or a missing or wrong field); any other exception, a crash or
// a hang is a bug. A session that loaded saves and loads again to the same file.

#include "graphace/error.h"
#include "graphace/ui/session_file.h"

#include <QFile>
#include <QString>

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>

namespace {

QString scratch(const char* name) {
    const QByteArray dir = qgetenv("TMPDIR");
    return QStringLiteral("%1/graphace-fuzz-%2-%3.json")
        .arg(dir.isEmpty() ? QStringLiteral("/tmp") : QString::fromLocal8Bit(dir))
        .arg(QLatin1String(name))
        .arg(::getpid());
}

QByteArray contents(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        std::abort();
    return file.readAll();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const QString input = scratch("session"), first = scratch("saved"),
                         second = scratch("again");
    {
        QFile file(input);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            std::abort();
        file.write(reinterpret_cast<const char*>(data), static_cast<qint64>(size));
    }
    graphace::ui::Session session;
    try {
        session = graphace::ui::loadSession(input);
    } catch (const std::runtime_error&) { // ParseError is one
        return 0;
    }
    // Loaded: what it holds saves, and that loads and saves to the same bytes.
    graphace::ui::saveSession(session, first);
    graphace::ui::saveSession(graphace::ui::loadSession(first), second);
    if (contents(first) != contents(second))
        std::abort();
    return 0;
}
