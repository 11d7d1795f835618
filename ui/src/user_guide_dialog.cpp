#include "graphace/ui/user_guide_dialog.h"

#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QPixmap>
#include <QPushButton>
#include <QRegularExpression>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextCursor>
#include <QTextDocument>
#include <QUrl>
#include <QVBoxLayout>

#include <vector>

// Set by packaging/CMakeLists.txt; the fallbacks keep the file compiling on its own.
#ifndef GRAPHACE_DOC_DIR_FROM_BIN
#define GRAPHACE_DOC_DIR_FROM_BIN "../share/doc/graphace"
#endif
#ifndef GRAPHACE_INSTALL_DOC_DIR
#define GRAPHACE_INSTALL_DOC_DIR "/usr/share/doc/graphace"
#endif
#ifndef GRAPHACE_SOURCE_DOC_DIR
#define GRAPHACE_SOURCE_DOC_DIR ""
#endif

// graphace_ui is a static library: the linker keeps its compiled resources (icons, the embedded
// guide) only when something refers to them. This file is linked whenever the window is, so a
// static initializer here registers them before main() for every program using graphace_ui.
static void initGraphaceUiResources() {
    Q_INIT_RESOURCE(graphace_ui);
}

namespace graphace::ui {

namespace {
const QString kGuideFile = QStringLiteral("user-guide.md");
constexpr int kMaxImageWidth = 820; // fits the dialog's default width without scrolling
const bool kResourcesRegistered = (initGraphaceUiResources(), true);

// GitHub's heading ids ("## A tour of the window" → "a-tour-of-the-window"), so that the
// guide's table of contents works both on GitHub and here.
QString headingSlug(const QString& heading) {
    QString slug = heading.toLower();
    slug.remove(QRegularExpression(QStringLiteral("[^\\w\\- ]"),
                                   QRegularExpression::UseUnicodePropertiesOption));
    slug.replace(QLatin1Char(' '), QLatin1Char('-'));
    return slug;
}

// Qt's Markdown reader makes no heading anchors and shows images at their natural size: add
// the anchors, and scale screenshots down to `maxImageWidth` (aspect kept).
void prepareGuide(QTextDocument* document, int maxImageWidth) {
    struct Image {
        int position = 0, length = 0;
        QTextImageFormat format;
    };
    std::vector<Image> images;
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
        if (block.blockFormat().headingLevel() > 0) {
            QTextCursor cursor(block);
            cursor.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
            QTextCharFormat anchor;
            anchor.setAnchor(true);
            anchor.setAnchorNames({headingSlug(block.text().trimmed())});
            cursor.mergeCharFormat(anchor);
        }
        for (auto it = block.begin(); !it.atEnd(); ++it)
            if (it.fragment().charFormat().isImageFormat())
                images.push_back({it.fragment().position(), it.fragment().length(),
                                  it.fragment().charFormat().toImageFormat()});
    }
    // Formats are changed after the walk: changing them splits and merges fragments.
    for (Image& image : images) {
        const QVariant data =
            document->resource(QTextDocument::ImageResource, QUrl(image.format.name()));
        const QImage picture = data.value<QImage>();
        const QSize size = picture.isNull() ? data.value<QPixmap>().size() : picture.size();
        if (size.isEmpty() || size.width() <= maxImageWidth)
            continue;
        image.format.setWidth(maxImageWidth);
        image.format.setHeight(double(maxImageWidth) * size.height() / size.width());
        QTextCursor cursor(document);
        cursor.setPosition(image.position);
        cursor.setPosition(image.position + image.length, QTextCursor::KeepAnchor);
        cursor.setCharFormat(image.format);
    }
}

} // namespace

QString userGuidePath() {
    QStringList folders;
    if (QCoreApplication::instance())
        folders << QDir(QCoreApplication::applicationDirPath())
                       .filePath(QStringLiteral(GRAPHACE_DOC_DIR_FROM_BIN));
    if (!QStringLiteral(GRAPHACE_SOURCE_DOC_DIR).isEmpty())
        folders << QStringLiteral(GRAPHACE_SOURCE_DOC_DIR);
    folders << QStringLiteral(GRAPHACE_INSTALL_DOC_DIR);
    for (const QString& folder : folders) {
        const QFileInfo guide(QDir(folder).filePath(kGuideFile));
        if (guide.isFile() && guide.isReadable())
            return QDir::cleanPath(guide.absoluteFilePath());
    }
    return QString::fromLatin1(kEmbeddedUserGuide);
}

UserGuideDialog::UserGuideDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("GraphACE Studio User Guide"));
    m_path = userGuidePath();

    m_browser = new QTextBrowser;
    m_browser->setObjectName(QStringLiteral("userGuideBrowser"));
    m_browser->setOpenExternalLinks(true);
    // A source URL (not setMarkdown on the text) so that the guide's relative image links
    // (images/*.png) and links to the other docs resolve beside the file.
    const QUrl url = m_path.startsWith(QLatin1Char(':')) ? QUrl(QStringLiteral("qrc") + m_path)
                                                         : QUrl::fromLocalFile(m_path);
    // Also after Contents (home) and after following a link to another doc: both reload.
    connect(m_browser, &QTextBrowser::sourceChanged, this,
            [this]() { prepareGuide(m_browser->document(), kMaxImageWidth); });
    m_browser->setSource(url, QTextDocument::MarkdownResource);
    if (m_browser->document()->isEmpty())
        m_browser->setPlainText(tr("The user guide could not be read from %1.").arg(m_path));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    QPushButton* home = buttons->addButton(tr("&Contents"), QDialogButtonBox::ActionRole);
    connect(home, &QPushButton::clicked, m_browser, &QTextBrowser::home);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_browser);
    layout->addWidget(buttons);
    resize(900, 760);
}

} // namespace graphace::ui
