// graphace-studio: GraphACE Studio's desktop window (a thin shell around graphace_ui).
//
//   graphace-studio [FILE...]                 open files (extended XYZ), or the built-in sample
//   graphace-studio [--tab structure|training|dynamics] ...   the tab shown first
//   graphace-studio --screenshot OUT.png [FILE...]
//                                             render the window once everything is loaded,
//                                             save it as an image and exit
//   graphace-studio --train [--preset NAME] [--set KEY=VALUE ...]
//                                             start training once the data is loaded (with
//                                             --screenshot: the image is taken when it ends)

#include "graphace/experiment_config.h"
#include "graphace/ui/cutoff_panel.h"
#include "graphace/ui/main_window.h"
#include "graphace/ui/training_panel.h"
#include "graphace/ui/training_tab.h"
#include "graphace/ui/vtk_viewport.h"
#include "graphace/version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QTabWidget>
#include <QTimer>

#include <cstdio>
#include <cstring>

namespace {

// Waits until the window has loaded its data and computed its charts, then saves it.
void scheduleScreenshot(graphace::ui::MainWindow& window, const QString& path) {
    auto* timer = new QTimer(&window);
    auto* clock = new QElapsedTimer;
    clock->start();
    auto settledPolls = std::make_shared<int>(0);
    QObject::connect(
        timer, &QTimer::timeout, &window, [&window, timer, clock, path, settledPolls]() {
            if (!window.lastError().isEmpty()) {
                std::fprintf(stderr, "graphace-studio: error: %s\n",
                             qPrintable(window.lastError()));
                timer->stop();
                delete clock;
                QCoreApplication::exit(1);
                return;
            }
            const bool ready = !window.isBusy() && window.dataset() != nullptr &&
                               !window.trainingTab()->isRunning();
            // A few quiet polls after loading: layouts and charts settle, the 3D view paints.
            *settledPolls = ready ? *settledPolls + 1 : 0;
            if (*settledPolls < 3) {
                if (clock->elapsed() > 120000) {
                    std::fprintf(stderr, "graphace-studio: error: timed out waiting for data\n");
                    timer->stop();
                    delete clock;
                    QCoreApplication::exit(2);
                }
                return;
            }
            timer->stop();
            delete clock;
            if (!window.saveScreenshot(path)) {
                std::fprintf(stderr, "graphace-studio: error: cannot write %s\n", qPrintable(path));
                QCoreApplication::exit(1);
                return;
            }
            std::printf("%s\n", qPrintable(path));
            QCoreApplication::exit(0);
        });
    timer->start(100);
}

} // namespace

int main(int argc, char** argv) {
    // --version before QApplication, which needs a display: it works on a headless machine
    // too (package checks, bug reports over ssh). Same text as QCommandLineParser's.
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--version") == 0 || std::strcmp(argv[i], "-v") == 0) {
            std::printf("GraphACE Studio %s\n", graphace::kVersion);
            return 0;
        }
    // Before QApplication: contexts take the default format at creation.
    graphace::ui::VtkViewport::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("GraphACE Studio"));
    QApplication::setOrganizationName(QStringLiteral("GraphACE"));
    QApplication::setApplicationVersion(QString::fromUtf8(graphace::kVersion));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("GraphACE Studio: extended-XYZ datasets, periodic neighbour graphs and "
                       "cutoff tuning for machine-learned interatomic potentials.\n"
                       "Without FILE the built-in sample dataset (Hf32O64 cells) is shown."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("FILE"),
                                 QStringLiteral("Extended-XYZ files to open (one dataset)."),
                                 QStringLiteral("[FILE...]"));
    QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Save an image of the window to OUT (PNG) once loaded, then exit."),
        QStringLiteral("OUT"));
    QCommandLineOption cutoff(QStringLiteral("cutoff"),
                              QStringLiteral("Initial neighbour cutoff in Å (0.1–20, default 5)."),
                              QStringLiteral("R"));
    QCommandLineOption tab(
        QStringLiteral("tab"),
        QStringLiteral("Tab to show first: structure (default), training or dynamics."),
        QStringLiteral("NAME"));
    QCommandLineOption train(QStringLiteral("train"),
                             QStringLiteral("Start training once the data is loaded (the Training "
                                            "tab's settings, or --preset/--set)."));
    QCommandLineOption preset(QStringLiteral("preset"),
                              QStringLiteral("Training preset: study-2023 or recommended."),
                              QStringLiteral("NAME"));
    QCommandLineOption set(QStringLiteral("set"),
                           QStringLiteral("Override one training setting, e.g. "
                                          "optimiser.phases.0.epochs=50 (repeatable)."),
                           QStringLiteral("KEY=VALUE"));
    parser.addOption(screenshot);
    parser.addOption(cutoff);
    parser.addOption(tab);
    parser.addOption(train);
    parser.addOption(preset);
    parser.addOption(set);
    parser.process(app);

    graphace::ui::MainWindow window;
    if (parser.isSet(cutoff)) {
        bool ok = false;
        const double r = parser.value(cutoff).toDouble(&ok);
        if (!ok || r < graphace::ui::CutoffPanel::kMinimumCutoff ||
            r > graphace::ui::CutoffPanel::kMaximumCutoff) {
            std::fprintf(stderr, "graphace-studio: error: --cutoff must be a number in 0.1–20\n");
            return 2;
        }
        window.cutoffPanel()->setCutoff(r);
    }
    if (parser.isSet(tab)) {
        const QString name = parser.value(tab).toLower();
        int index = -1;
        for (int i = 0; i < window.tabs()->count(); ++i)
            if (window.tabs()->tabText(i).remove(QLatin1Char('&')).toLower() == name)
                index = i;
        if (index < 0) {
            std::fprintf(stderr,
                         "graphace-studio: error: --tab must be structure, training or dynamics\n");
            return 2;
        }
        window.tabs()->setCurrentIndex(index);
    }
    if (parser.isSet(preset) || parser.isSet(set)) {
        std::vector<std::string> settings;
        for (const QString& s : parser.values(set))
            settings.push_back(s.toStdString());
        try {
            const std::string name =
                parser.isSet(preset) ? parser.value(preset).toStdString() : "recommended";
            window.trainingTab()->panel()->setConfig(
                graphace::composeConfig(name, nlohmann::json::object(), settings));
        } catch (const std::exception& e) {
            std::fprintf(stderr, "graphace-studio: error: %s\n", e.what());
            return 2;
        }
    }
    if (parser.isSet(train)) {
        // Once, after the first successful load: the dataset has reached the Training tab.
        auto started = std::make_shared<bool>(false);
        QObject::connect(&window, &graphace::ui::MainWindow::loadFinished, &window,
                         [&window, started](bool ok) {
                             if (!ok || *started)
                                 return;
                             *started = true;
                             if (!window.trainingTab()->start()) {
                                 std::fprintf(stderr, "graphace-studio: error: %s\n",
                                              qPrintable(window.trainingTab()->lastError()));
                                 QCoreApplication::exit(1);
                             }
                         });
    }
    const QStringList files = parser.positionalArguments();
    if (files.isEmpty())
        window.loadSample();
    else
        window.openFiles(files);
    window.show();

    if (parser.isSet(screenshot))
        scheduleScreenshot(window, parser.value(screenshot));
    return app.exec();
}
