#pragma once
// Help → User guide: docs/user-guide.md rendered as Markdown, with its screenshots.
//
// The guide is read from the first of: the installed copy beside the executable
// (BIN/../share/doc/graphace, so any prefix or an unpacked package finds its own), the source
// tree's docs/ (running from a build folder), the configured install folder, and finally the
// copy embedded in the Qt resources (no images), so the dialog always opens.

#include <QDialog>
#include <QString>

class QTextBrowser;

namespace graphace::ui {

// Path of the guide the dialog shows: a file path, or ":/graphace/docs/user-guide.md".
QString userGuidePath();

// The embedded fallback's resource path.
inline const char* const kEmbeddedUserGuide = ":/graphace/docs/user-guide.md";

class UserGuideDialog : public QDialog {
    Q_OBJECT
public:
    explicit UserGuideDialog(QWidget* parent = nullptr);
    QTextBrowser* browser() const { return m_browser; }
    QString guidePath() const { return m_path; }

private:
    QTextBrowser* m_browser = nullptr;
    QString m_path;
};

} // namespace graphace::ui
