#pragma once
// Help → About: GraphACE's version and the versions of the libraries it runs on (Qt, VTK,
// LibTorch), whether CUDA can be used, and the OpenGL renderer. The text is built separately
// from the dialog so that tests and bug reports can use it (the dialog has a Copy button).

#include <QDialog>
#include <QString>

namespace graphace::ui {

struct AboutInfo {
    QString graphaceVersion; // graphace::kVersion (the CMake project version)
    QString qtRuntime;       // qVersion()
    QString qtCompiled;      // QT_VERSION_STR
    QString vtkVersion;      // vtkVersion::GetVTKVersion()
    QString torchVersion;    // graphace::torchInfo()
    QString networkLibrary;  // graphace::gcnLibraryPath(): where LibTorch's side was loaded from
    bool cudaAvailable = false;
    int cudaDevices = 0;
    QString openGlRenderer; // GL_RENDERER of a fresh context; empty when none could be made
};

// Collects the information. `queryOpenGl` creates a throwaway offscreen OpenGL context (needs a
// QGuiApplication); without it openGlRenderer stays empty.
AboutInfo collectAboutInfo(bool queryOpenGl = true);

// Plain text, one "Name: value" line per item after the title line, e.g.
//   GraphACE Studio 0.1.0
//   Qt: 6.4.2 (built with 6.4.2)
//   VTK: 9.1.0
//   LibTorch: 1.13.1
//   CUDA: not available
//   OpenGL: llvmpipe (LLVM 15.0.6, 256 bits)
QString aboutText(const AboutInfo& info);

class AboutDialog : public QDialog {
    Q_OBJECT
public:
    explicit AboutDialog(QWidget* parent = nullptr);
    QString text() const { return m_text; }

private:
    QString m_text;
};

} // namespace graphace::ui
