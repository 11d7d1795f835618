#include "graphace/ui/run_checkpoints.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include <nlohmann/json.hpp>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <stdexcept>

namespace graphace::ui {
namespace {

QString checkpointsRoot() {
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) +
           QStringLiteral("/checkpoints");
}

// Folder names are "PID-TIME": whether that process still runs (the same PID may have been
// reused by another program since; then the checkpoints wait until it ends). A folder with this
// process's PID but not its start time is an earlier process's (PIDs repeat across boots).
bool writerAlive(const QString& folder) {
    bool ok = false;
    const qint64 pid = folder.section(QLatin1Char('-'), 0, 0).toLongLong(&ok);
    if (!ok || pid <= 0)
        return false;
    if (pid == QCoreApplication::applicationPid())
        return folder == QFileInfo(processCheckpointFolder()).fileName();
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

} // namespace

QString processCheckpointFolder() {
    static const QString folder =
        checkpointsRoot() +
        QStringLiteral("/%1-%2")
            .arg(QCoreApplication::applicationPid())
            .arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddThhmmss")));
    QDir().mkpath(folder);
    return folder;
}

QString newCheckpointPath() {
    static std::atomic<int> serial{0};
    const QString folder = processCheckpointFolder();
    QDir().mkpath(folder); // again: someone may have tidied it away
    return folder + QStringLiteral("/run-%1.pt").arg(++serial);
}

std::string checkpointNote(const TrainingJob& job, const RunDataSource& data) {
    nlohmann::json files = nlohmann::json::array();
    for (const QString& f : data.files)
        files.push_back(f.toStdString());
    return nlohmann::json{{"window", true},
                          {"name", job.name.toStdString()},
                          {"config", job.config},
                          {"sweep_key", job.sweepKey.toStdString()},
                          {"sweep_value", std::isnan(job.sweepValue)
                                              ? nlohmann::json()
                                              : nlohmann::json(job.sweepValue)},
                          {"files", files},
                          {"sample", data.builtInSample},
                          {"label", data.label.toStdString()}}
        .dump();
}

RunCheckpoint readRunCheckpoint(const QString& path) {
    const CheckpointInfo info = readCheckpointInfo(path.toStdString());
    RunCheckpoint run;
    run.path = path;
    run.epoch = info.epoch;
    run.totalEpochs = info.totalEpochs;
    run.written = QFileInfo(path).lastModified();
    try {
        const nlohmann::json note = nlohmann::json::parse(info.note);
        if (!note.value("window", false))
            throw std::runtime_error("not written by the window");
        run.name = QString::fromStdString(note.at("name").get<std::string>());
        note.at("config").get_to(run.config);
        run.sweepKey = QString::fromStdString(note.at("sweep_key").get<std::string>());
        if (note.at("sweep_value").is_number())
            run.sweepValue = note.at("sweep_value").get<double>();
        for (const auto& f : note.at("files"))
            run.data.files << QString::fromStdString(f.get<std::string>());
        run.data.builtInSample = note.at("sample").get<bool>();
        run.data.label = QString::fromStdString(note.at("label").get<std::string>());
    } catch (const std::exception& e) {
        throw std::runtime_error("checkpoint '" + path.toStdString() +
                                 "' has no usable run description (" + e.what() + ")");
    }
    return run;
}

std::vector<RunCheckpoint> interruptedRuns() {
    std::vector<RunCheckpoint> runs;
    const QDir root(checkpointsRoot());
    for (const QString& folder : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        if (writerAlive(folder))
            continue;
        QDir dir(root.filePath(folder));
        const QStringList files = dir.entryList({QStringLiteral("*.pt")}, QDir::Files);
        if (files.isEmpty()) {
            dir.removeRecursively(); // leftovers of an interrupted write: *.tmp.PID
            continue;
        }
        for (const QString& file : files) {
            try {
                runs.push_back(readRunCheckpoint(dir.filePath(file)));
            } catch (const std::exception&) {
                // Truncated or foreign: nothing to resume from.
            }
        }
    }
    std::sort(runs.begin(), runs.end(),
              [](const RunCheckpoint& a, const RunCheckpoint& b) { return a.written > b.written; });
    return runs;
}

void discardCheckpoint(const QString& path) {
    QFile::remove(path);
    const QFileInfo info(path);
    QDir dir = info.absoluteDir();
    if (dir.absolutePath() != QDir(processCheckpointFolder()).absolutePath() &&
        dir.entryList({QStringLiteral("*.pt")}, QDir::Files).isEmpty())
        dir.removeRecursively();
}

} // namespace graphace::ui
