#pragma once
// Reading structure files (extended XYZ, VASP POSCAR; structure_files.h) for the window, off the
// UI thread.

#include "graphace/structure.h"

#include <QFuture>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>

namespace graphace::ui {

// What a failed load tells the person: which file, which line, what was wrong.
struct LoadError {
    QString file;
    long line = 0; // 0 when the problem has no line (e.g. the file cannot be opened)
    QString message;

    QString toText() const; // "FILE, line N: MESSAGE"
};

struct LoadResult {
    std::shared_ptr<const Dataset> dataset; // null when the load failed or was cancelled
    QStringList files;
    bool cancelled = false;
    LoadError error; // set when !dataset && !cancelled

    bool ok() const { return dataset != nullptr; }
};

// Reads all files into one dataset (in the order given); the first bad file fails the whole
// load so that nothing half-read is shown. `progress(fraction, file)` is called from the
// loading thread. Setting `*cancel` stops at the next progress check.
LoadResult loadDatasetFiles(const QStringList& files,
                            const std::function<void(double, const QString&)>& progress = {},
                            const std::atomic_bool* cancel = nullptr);

// The same on the global thread pool.
QFuture<LoadResult> loadDatasetFilesAsync(const QStringList& files,
                                          std::function<void(double, const QString&)> progress = {},
                                          std::shared_ptr<std::atomic_bool> cancel = {});

} // namespace graphace::ui
