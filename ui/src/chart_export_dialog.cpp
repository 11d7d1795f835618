#include "graphace/ui/chart_export_dialog.h"

#include "graphace/ui/range_spin_box.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QSettings>
#include <QSpinBox>

#include <cmath>

namespace graphace::ui {

namespace {
constexpr double kScales[] = {1.0, 2.0, 300.0 / 96.0};
} // namespace

std::optional<ChartExportOptions> askChartExportOptions(QWidget* parent) {
    QSettings settings(QStringLiteral("GraphACE"), QStringLiteral("GraphACE Studio"));
    QDialog dialog(parent);
    dialog.setObjectName(QStringLiteral("chartExportDialog"));
    dialog.setWindowTitle(QObject::tr("Export charts"));
    auto* width = new RangeSpinBox;
    auto* height = new RangeSpinBox;
    for (QSpinBox* box : {width, height}) {
        box->setRange(0, 10000);
        box->setSingleStep(50);
        box->setSuffix(QObject::tr(" px"));
        box->setSpecialValueText(QObject::tr("as shown"));
    }
    width->setObjectName(QStringLiteral("chartWidth"));
    height->setObjectName(QStringLiteral("chartHeight"));
    width->setValue(settings.value(QStringLiteral("chartExportWidth"), 0).toInt());
    height->setValue(settings.value(QStringLiteral("chartExportHeight"), 0).toInt());
    auto* resolution = new QComboBox;
    resolution->setObjectName(QStringLiteral("chartResolution"));
    resolution->addItem(QObject::tr("96 dpi (screen)"), kScales[0]);
    resolution->addItem(QObject::tr("192 dpi (2×)"), kScales[1]);
    resolution->addItem(QObject::tr("300 dpi (print)"), kScales[2]);
    const double saved = settings.value(QStringLiteral("chartExportScale"), 1.0).toDouble();
    for (int i = 0; i < resolution->count(); ++i)
        if (std::abs(resolution->itemData(i).toDouble() - saved) < 1e-9)
            resolution->setCurrentIndex(i);
    auto* note = new QLabel(QObject::tr(
        "The size lays the charts out (text keeps its size); the resolution draws them finer. "
        "SVG files are vector graphics and ignore both."));
    note->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto* form = new QFormLayout(&dialog);
    form->addRow(QObject::tr("Width"), width);
    form->addRow(QObject::tr("Height"), height);
    form->addRow(QObject::tr("Resolution"), resolution);
    form->addRow(note);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return std::nullopt;
    ChartExportOptions options;
    options.width = width->value();
    options.height = height->value();
    options.scale = resolution->currentData().toDouble();
    settings.setValue(QStringLiteral("chartExportWidth"), options.width);
    settings.setValue(QStringLiteral("chartExportHeight"), options.height);
    settings.setValue(QStringLiteral("chartExportScale"), options.scale);
    return options;
}

} // namespace graphace::ui
