#pragma once
// Shared set-up of the window suites.
#include "graphace/ui/vtk_viewport.h"

#include <QFile>
#include <QString>
#include <QTemporaryDir>

namespace graphace::testing {

// Before QApplication exists (a suite's static initMain()): settings and the checkpoints of
// training runs (run_checkpoints.h) in a private folder, not the user's, and the GL format the
// 3D view needs.
inline void prepareGuiTestProcess() {
    static QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(config.path()));
    qputenv("XDG_DATA_HOME", QFile::encodeName(config.path() + QStringLiteral("/data")));
    graphace::ui::VtkViewport::setDefaultSurfaceFormat();
}

} // namespace graphace::testing
