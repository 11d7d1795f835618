#include "graphace/ui/dataset_loader.h"

#include "graphace/error.h"
#include "graphace/structure_files.h"

#include <QFileInfo>
#include <QtConcurrent>

#include <exception>

namespace graphace::ui {

QString LoadError::toText() const {
    if (line > 0)
        return QStringLiteral("%1, line %2: %3").arg(file).arg(line).arg(message);
    return QStringLiteral("%1: %2").arg(file, message);
}

LoadResult loadDatasetFiles(const QStringList& files,
                            const std::function<void(double, const QString&)>& progress,
                            const std::atomic_bool* cancel) {
    LoadResult result;
    result.files = files;
    if (files.isEmpty()) {
        result.error = {QString(), 0, QStringLiteral("no file given")};
        return result;
    }
    auto dataset = std::make_shared<Dataset>();
    const int count = static_cast<int>(files.size());
    for (int k = 0; k < count; ++k) {
        const QString& file = files[k];
        try {
            const ProgressCallback callback = [&](double fraction) {
                if (progress)
                    progress((k + fraction) / count, file);
                return !(cancel && cancel->load());
            };
            Dataset part = readStructureFile(QFile::encodeName(file).toStdString(), {}, callback);
            for (auto& s : part.structures)
                dataset->structures.push_back(std::move(s));
        } catch (const Cancelled&) {
            result.cancelled = true;
            return result;
        } catch (const ParseError& e) {
            // The reader names the file as it was given; show the path the person chose.
            result.error = {file, e.line(), QString::fromStdString(e.message())};
            return result;
        } catch (const std::exception& e) {
            result.error = {file, 0, QString::fromStdString(e.what())};
            return result;
        }
    }
    if (progress)
        progress(1.0, files.back());
    result.dataset = std::move(dataset);
    return result;
}

QFuture<LoadResult> loadDatasetFilesAsync(const QStringList& files,
                                          std::function<void(double, const QString&)> progress,
                                          std::shared_ptr<std::atomic_bool> cancel) {
    return QtConcurrent::run([files, progress = std::move(progress), cancel]() {
        return loadDatasetFiles(files, progress, cancel.get());
    });
}

} // namespace graphace::ui
