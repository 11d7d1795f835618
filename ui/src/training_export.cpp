#include "graphace/ui/training_export.h"

#include "graphace/ui/sweep_chart.h"

#include "graphace/training_outputs.h"

#include <QApplication>
#include <QImage>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QWidget>

#include <nlohmann/json.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

namespace graphace::ui {

namespace {

[[noreturn]] void fail(const QString& path, const QString& reason) {
    throw std::runtime_error(QStringLiteral("%1: %2").arg(path, reason).toStdString());
}

void openForWriting(QSaveFile& file) {
    if (!file.open(QIODevice::WriteOnly))
        fail(file.fileName(), QStringLiteral("cannot write: %1").arg(file.errorString()));
}

void commit(QSaveFile& file) {
    if (!file.commit())
        fail(file.fileName(), QStringLiteral("cannot write: %1").arg(file.errorString()));
}

void writeTextAtomically(const QString& path, const QByteArray& text) {
    QSaveFile file(path);
    openForWriting(file);
    if (file.write(text) != text.size())
        fail(path, QStringLiteral("cannot write: %1").arg(file.errorString()));
    commit(file);
}

// Renders `widget` at `size`: a widget shown at another size is resized for the rendering (so
// that a chart lays itself out for the requested size rather than being stretched) and then
// restored.
class RenderSize {
public:
    RenderSize(QWidget* widget, QSize size) : m_widget(widget), m_old(widget->size()) {
        if (size != m_old)
            apply(size);
    }
    ~RenderSize() {
        if (m_widget->size() != m_old)
            apply(m_old);
    }
    RenderSize(const RenderSize&) = delete;
    RenderSize& operator=(const RenderSize&) = delete;

private:
    void apply(QSize size) {
        m_widget->resize(size);
        // Graphics layouts (Qt Charts) settle through posted LayoutRequest events.
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    }
    QWidget* m_widget;
    QSize m_old;
};

QSize targetSize(QWidget* widget, const QString& path, int width, int height) {
    if (!widget)
        fail(path, QStringLiteral("no widget to export"));
    const QSize size(width > 0 ? width : widget->width(), height > 0 ? height : widget->height());
    if (size.isEmpty())
        fail(path,
             QStringLiteral("the widget has no size (%1×%2)").arg(size.width()).arg(size.height()));
    return size;
}

// CSV text of a number: shortest round-trip form; non-finite values as nan / inf / -inf.
QString number(double value) {
    if (std::isnan(value))
        return QStringLiteral("nan");
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
    return QString::number(value, 'g', 17);
}

QString csvField(const QString& text) {
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n')) && !text.contains(QLatin1Char('\r')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

// The linear fit's value of the loss the network optimises (its mean squared error in the same
// units), so that the two can be compared on the loss chart.
double linearLoss(const RegressionMetrics& metrics, LossKind loss) {
    const double rmse = loss == LossKind::EnergyPerAtom ? metrics.energyRmseMevPerAtom / 1000.0
                                                        : metrics.energyRmseEv;
    return rmse * rmse;
}

} // namespace

void exportModel(const TrainingRunRecord& run, const QString& directory) {
    if (!run.model || !run.prepared)
        fail(directory, QStringLiteral("this run was restored from a session; its weights were "
                                       "not saved — train again or export from the session "
                                       "where it was trained"));
    writeTrainingRun(directory.toStdString(), *run.prepared, run.outcome, *run.model, run.linear);
}

void exportWidgetPng(QWidget* widget, const QString& path, int width, int height, double scale) {
    const QSize size = targetSize(widget, path, width, height);
    if (!(scale >= 0.25 && scale <= 16.0))
        fail(path, QStringLiteral("the resolution scale %1 is outside 0.25–16").arg(scale));
    QImage image(size * scale, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(scale); // the painter works in the layout's pixels
    image.fill(Qt::white);            // transparent parts of the widget become white, not black
    {
        RenderSize resized(widget, size);
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setRenderHint(QPainter::TextAntialiasing);
        // No DrawWindowBackground: what the widget leaves unpainted stays white.
        widget->render(&painter, QPoint(), QRegion(), QWidget::DrawChildren);
    }
    QImage opaque = image.convertToFormat(QImage::Format_RGB32);
    const int dotsPerMetre = static_cast<int>(std::lround(96.0 * scale / 0.0254));
    opaque.setDotsPerMeterX(dotsPerMetre);
    opaque.setDotsPerMeterY(dotsPerMetre);
    QSaveFile file(path);
    openForWriting(file);
    if (!opaque.save(&file, "PNG"))
        fail(path, QStringLiteral("cannot encode the image as PNG"));
    commit(file);
}

void exportWidgetSvg(QWidget* widget, const QString& path, const QString& title) {
    const QSize size = targetSize(widget, path, 0, 0);
    QSaveFile file(path);
    openForWriting(file);
    QSvgGenerator generator;
    generator.setOutputDevice(&file);
    generator.setSize(size);
    generator.setViewBox(QRect(QPoint(0, 0), size));
    generator.setResolution(96);
    generator.setTitle(title.isEmpty() ? widget->windowTitle() : title);
    generator.setDescription(
        QStringLiteral("GraphACE Studio %1").arg(QCoreApplication::applicationVersion()));
    {
        QPainter painter;
        if (!painter.begin(&generator))
            fail(path, QStringLiteral("cannot start the SVG painter"));
        painter.setRenderHint(QPainter::Antialiasing);
        painter.fillRect(QRect(QPoint(0, 0), size), Qt::white); // as the PNG: white, not clear
        widget->render(&painter, QPoint(), QRegion(), QWidget::DrawChildren);
        painter.end(); // the generator writes the document here
    }
    commit(file);
}

void exportSeriesCsv(const std::vector<TrainingRunRecord>& runs, const QString& path) {
    QString text = QStringLiteral("run,series,x,y\n");
    for (const TrainingRunRecord& run : runs) {
        const QString name = csvField(run.name);
        auto row = [&](const char* series, double x, double y) {
            // A NaN has nothing to plot (test values without a test set); ±inf is kept, it says
            // that the loss diverged.
            if (std::isnan(y))
                return;
            text += name + QLatin1Char(',') + QLatin1String(series) + QLatin1Char(',') + number(x) +
                    QLatin1Char(',') + number(y) + QLatin1Char('\n');
        };
        auto epochSeries = [&](const char* series, double EpochRecord::*field) {
            for (const EpochRecord& e : run.history)
                row(series, e.epoch, e.*field);
        };
        epochSeries("train_loss", &EpochRecord::trainLoss);
        epochSeries("test_loss", &EpochRecord::testLoss);
        epochSeries("train_rmse_mev_per_atom", &EpochRecord::trainRmseMevPerAtom);
        epochSeries("test_rmse_mev_per_atom", &EpochRecord::testRmseMevPerAtom);
        epochSeries("train_force_rmse_ev_per_a", &EpochRecord::trainForceRmseEvPerA);
        epochSeries("test_force_rmse_ev_per_a", &EpochRecord::testForceRmseEvPerA);
        epochSeries("learning_rate", &EpochRecord::learningRate);
        // The linear fit as a horizontal line over the same epochs (one point per epoch, so
        // that every epoch series of a run shares its x values).
        const LossKind loss = run.config.optimiser.loss;
        if (run.linear.train.configurations > 0)
            for (const EpochRecord& e : run.history)
                row("linear_train_loss", e.epoch, linearLoss(run.linear.train, loss));
        if (run.linear.test.configurations > 0)
            for (const EpochRecord& e : run.history)
                row("linear_test_loss", e.epoch, linearLoss(run.linear.test, loss));
        // A sweep's summary: the final errors and the mean degree against the swept value.
        if (std::isfinite(run.sweepValue) && run.finished) {
            row("sweep_energy_mae_mev_per_atom", run.sweepValue,
                sweepMae(run, false, ParityChart::Energy));
            row("sweep_linear_energy_mae_mev_per_atom", run.sweepValue,
                sweepMae(run, true, ParityChart::Energy));
            if (run.gcnTrain.forceComponents > 0) {
                row("sweep_force_mae_ev_per_a", run.sweepValue,
                    sweepMae(run, false, ParityChart::Forces));
                row("sweep_linear_force_mae_ev_per_a", run.sweepValue,
                    sweepMae(run, true, ParityChart::Forces));
            }
            row("sweep_mean_degree", run.sweepValue, sweepMeanDegree(run));
        }
        auto parity = [&](const char* series, const ParityPoints& points) {
            if (points.referencePerAtom.size() != points.predictedPerAtom.size())
                fail(path, QStringLiteral("run \"%1\": %2 has %3 reference and %4 predicted "
                                          "values")
                               .arg(run.name, QLatin1String(series))
                               .arg(points.referencePerAtom.size())
                               .arg(points.predictedPerAtom.size()));
            for (std::size_t i = 0; i < points.referencePerAtom.size(); ++i)
                row(series, points.referencePerAtom[i], points.predictedPerAtom[i]);
        };
        parity("parity_gcn_train", run.gcnParityTrain);
        parity("parity_gcn_test", run.gcnParityTest);
        parity("parity_linear_train", run.linearParityTrain);
        parity("parity_linear_test", run.linearParityTest);
        parity("force_parity_gcn_train", run.gcnForceParityTrain);
        parity("force_parity_gcn_test", run.gcnForceParityTest);
        parity("force_parity_linear_train", run.linearForceParityTrain);
        parity("force_parity_linear_test", run.linearForceParityTest);
    }
    writeTextAtomically(path, text.toUtf8());
}

void exportConfigJson(const TrainingRunRecord& run, const QString& path) {
    const nlohmann::json document = run.config;
    writeTextAtomically(path, QByteArray::fromStdString(document.dump(2) + "\n"));
}

} // namespace graphace::ui
