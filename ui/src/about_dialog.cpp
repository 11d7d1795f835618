#include "graphace/ui/about_dialog.h"

#include "graphace/gcn_library.h"
#include "graphace/gcn_trainer.h"
#include "graphace/version.h"

#include <QClipboard>
#include <QDialogButtonBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>
#include <QtGlobal>

#include <vtkVersion.h>

#include <exception>

namespace graphace::ui {

namespace {

QString openGlRenderer() {
    if (!QGuiApplication::instance())
        return {};
    QOffscreenSurface surface;
    surface.create();
    QOpenGLContext context;
    if (!surface.isValid() || !context.create() || !context.makeCurrent(&surface))
        return {};
    const auto* renderer =
        reinterpret_cast<const char*>(context.functions()->glGetString(GL_RENDERER));
    const auto* version =
        reinterpret_cast<const char*>(context.functions()->glGetString(GL_VERSION));
    QString text = renderer ? QString::fromUtf8(renderer) : QString();
    if (version && !text.isEmpty())
        text += QStringLiteral(", OpenGL %1").arg(QString::fromUtf8(version));
    context.doneCurrent();
    return text;
}

} // namespace

AboutInfo collectAboutInfo(bool queryOpenGl) {
    AboutInfo info;
    info.graphaceVersion = QString::fromUtf8(kVersion);
    info.qtRuntime = QString::fromUtf8(qVersion());
    info.qtCompiled = QStringLiteral(QT_VERSION_STR);
    info.vtkVersion = QString::fromUtf8(vtkVersion::GetVTKVersion());
    try {
        const TorchInfo torch = torchInfo();
        info.torchVersion = QString::fromStdString(torch.version);
        info.cudaAvailable = torch.cudaAvailable;
        info.cudaDevices = torch.cudaDevices;
    } catch (const std::exception& e) {
        // The About box must open even when LibTorch cannot be queried; say why instead.
        info.torchVersion = QStringLiteral("unknown (%1)").arg(QString::fromUtf8(e.what()));
    }
    info.networkLibrary = QString::fromStdString(gcnLibraryPath());
    if (queryOpenGl)
        info.openGlRenderer = openGlRenderer();
    return info;
}

QString aboutText(const AboutInfo& info) {
    QStringList lines;
    lines << QStringLiteral("GraphACE Studio %1").arg(info.graphaceVersion);
    lines << QStringLiteral("Qt: %1 (built with %2)").arg(info.qtRuntime, info.qtCompiled);
    lines << QStringLiteral("VTK: %1").arg(info.vtkVersion);
    lines << QStringLiteral("LibTorch: %1").arg(info.torchVersion);
    if (!info.networkLibrary.isEmpty())
        lines << QStringLiteral("Network library: %1").arg(info.networkLibrary);
    lines << (info.cudaAvailable ? QStringLiteral("CUDA: available (%1 device%2)")
                                       .arg(info.cudaDevices)
                                       .arg(info.cudaDevices == 1 ? QString() : QStringLiteral("s"))
                                 : QStringLiteral("CUDA: not available"));
    lines << QStringLiteral("OpenGL: %1")
                 .arg(info.openGlRenderer.isEmpty() ? QStringLiteral("unknown")
                                                    : info.openGlRenderer);
    return lines.join(QLatin1Char('\n'));
}

AboutDialog::AboutDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("About GraphACE Studio"));
    m_text = aboutText(collectAboutInfo());

    auto* icon = new QLabel;
    icon->setPixmap(QPixmap(QStringLiteral(":/graphace/icons/graphace-studio-128.png")));
    icon->setAlignment(Qt::AlignTop);
    auto* title = new QLabel(
        tr("<h2>GraphACE Studio %1</h2>"
           "<p>Extended-XYZ datasets, periodic neighbour graphs, ACE descriptors, linear fits "
           "and graph convolutional networks for machine-learned interatomic potentials.</p>"
           "<p>Units: Å, eV, eV/Å. Help → User guide explains the workflow; "
           "<tt>graphace --help</tt> the command line.</p>")
            .arg(QString::fromUtf8(kVersion)));
    title->setWordWrap(true);
    title->setTextFormat(Qt::RichText);

    // Selectable plain text: what a bug report should quote.
    auto* versions = new QPlainTextEdit(m_text);
    versions->setObjectName(QStringLiteral("aboutVersions"));
    versions->setReadOnly(true);
    versions->setMinimumWidth(480);
    versions->setFixedHeight(versions->fontMetrics().lineSpacing() * 8);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    QPushButton* copy = buttons->addButton(tr("&Copy"), QDialogButtonBox::ActionRole);
    copy->setToolTip(tr("Copy the versions to the clipboard (for bug reports)"));
    connect(copy, &QPushButton::clicked, this,
            [this]() { QGuiApplication::clipboard()->setText(m_text); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* top = new QHBoxLayout;
    top->addWidget(icon);
    top->addWidget(title, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(versions);
    layout->addWidget(buttons);
}

} // namespace graphace::ui
