#pragma once
// A Qt 6 QOpenGLWidget that hosts a VTK render window.
//
// Debian's VTK Qt module is built against Qt 5, so VTK's own QVTKOpenGLNativeWidget cannot be
// used. This is the same idea in small: VTK renders into its own framebuffer inside paintGL,
// using the widget's context; the result is blitted into the widget's framebuffer. Because all
// rendering happens in paintGL, QWidget::grab() of a window includes the 3D view.

#include <QOpenGLWidget>
#include <QPoint>

#include <memory>

class vtkRenderer;
class vtkGenericOpenGLRenderWindow;

namespace graphace::ui {

class VtkViewport : public QOpenGLWidget {
    Q_OBJECT
public:
    explicit VtkViewport(QWidget* parent = nullptr);
    ~VtkViewport() override;

    // VTK needs a 3.2 core profile with depth and stencil; Qt only applies a default format to
    // contexts created after it is set, so call this before constructing QApplication.
    static void setDefaultSurfaceFormat();

    vtkRenderer* renderer() const;
    vtkGenericOpenGLRenderWindow* renderWindow() const;

    // Schedules a repaint (VTK renders in paintGL).
    void requestRender();
    // Duration of the last VTK render, ms (for benchmarks; 0 before the first frame).
    double lastRenderMilliseconds() const { return m_lastRenderMs; }
    int renderedFrames() const { return m_frames; }

Q_SIGNALS:
    // A left click without drag, in VTK display coordinates (device pixels, origin bottom left).
    void clicked(double x, double y);
    void frameRendered(double milliseconds);
    // The camera starts / stops moving under the mouse (orbit, pan, zoom).
    void interactionStarted();
    void interactionFinished();

protected:
    void initializeGL() override;
    void resizeGL(int width, int height) override;
    void paintGL() override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void enterEvent(QEnterEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    void cleanup();
    void updateVtkSize();
    // Gives the event position and modifiers to VTK (y flipped, device pixels).
    void setEventInformation(const QPointF& position, Qt::KeyboardModifiers modifiers,
                             int repeat = 0);

    struct Vtk;
    std::unique_ptr<Vtk> m_vtk;
    bool m_inPaint = false;
    bool m_initialized = false;
    QPoint m_pressPosition;
    bool m_leftDown = false;
    bool m_dragged = false;
    double m_lastRenderMs = 0.0;
    int m_frames = 0;
};

} // namespace graphace::ui
