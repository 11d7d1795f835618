#include "graphace/ui/vtk_viewport.h"

#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkNew.h>
#include <vtkOpenGLState.h>
#include <vtkRenderer.h>

#include <QElapsedTimer>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLExtraFunctions>
#include <QSurfaceFormat>
#include <QWheelEvent>

namespace graphace::ui {

struct VtkViewport::Vtk {
    vtkNew<vtkGenericOpenGLRenderWindow> window;
    vtkNew<vtkRenderer> renderer;
    vtkNew<vtkGenericRenderWindowInteractor> interactor;
    vtkNew<vtkInteractorStyleTrackballCamera> style;
    VtkViewport* widget = nullptr;

    void makeCurrent(vtkObject*, unsigned long, void*) {
        if (widget->context())
            widget->makeCurrent();
    }
    void isCurrent(vtkObject*, unsigned long, void* callData) {
        *static_cast<bool*>(callData) =
            widget->context() && QOpenGLContext::currentContext() == widget->context();
    }
    void startInteraction(vtkObject*, unsigned long, void*) { Q_EMIT widget->interactionStarted(); }
    void endInteraction(vtkObject*, unsigned long, void*) { Q_EMIT widget->interactionFinished(); }
    // A frame finished or the interactor wants one: repaint (unless we are the paint).
    void frame(vtkObject*, unsigned long, void*) {
        if (!widget->m_inPaint)
            widget->update();
    }
};

void VtkViewport::setDefaultSurfaceFormat() {
    QSurfaceFormat format;
    format.setRenderableType(QSurfaceFormat::OpenGL);
    format.setVersion(3, 2);
    format.setProfile(QSurfaceFormat::CoreProfile);
    format.setSwapBehavior(QSurfaceFormat::DoubleBuffer);
    format.setRedBufferSize(8);
    format.setGreenBufferSize(8);
    format.setBlueBufferSize(8);
    format.setAlphaBufferSize(8);
    format.setDepthBufferSize(24);
    format.setStencilBufferSize(8);
    format.setSamples(0); // VTK's own framebuffer does any multisampling
    QSurfaceFormat::setDefaultFormat(format);
}

VtkViewport::VtkViewport(QWidget* parent) : QOpenGLWidget(parent), m_vtk(std::make_unique<Vtk>()) {
    setFocusPolicy(Qt::StrongFocus);
    setUpdateBehavior(QOpenGLWidget::NoPartialUpdate);
    setMinimumSize(200, 200);

    auto& v = *m_vtk;
    v.widget = this;
    v.window->AddRenderer(v.renderer);
    v.window->SetReadyForRendering(false); // until initializeGL has a context
    v.window->SetFrameBlitModeToNoBlit();  // paintGL blits into the widget's framebuffer
    v.window->SetMultiSamples(0);
    v.window->SetSupportsOpenGL(1);
    v.window->SetIsDirect(1);

    // VTK asks the host to make its context current and whether it is.
    v.window->AddObserver(vtkCommand::WindowMakeCurrentEvent, &v, &Vtk::makeCurrent);
    v.window->AddObserver(vtkCommand::WindowIsCurrentEvent, &v, &Vtk::isCurrent);
    v.window->AddObserver(vtkCommand::WindowFrameEvent, &v, &Vtk::frame);

    // Interaction: the style asks the interactor to render; rendering outside paintGL would
    // bypass Qt's compositing, so the interactor only schedules a repaint.
    v.interactor->SetRenderWindow(v.window);
    v.interactor->EnableRenderOff();
    v.interactor->SetInteractorStyle(v.style);
    v.interactor->AddObserver(vtkCommand::RenderEvent, &v, &Vtk::frame);
    v.style->AddObserver(vtkCommand::StartInteractionEvent, &v, &Vtk::startInteraction);
    v.style->AddObserver(vtkCommand::EndInteractionEvent, &v, &Vtk::endInteraction);
    v.interactor->Initialize();

    v.renderer->GradientBackgroundOn();
    v.renderer->SetBackground(0.10, 0.11, 0.14);
    v.renderer->SetBackground2(0.30, 0.33, 0.40);
}

VtkViewport::~VtkViewport() {
    if (context()) {
        makeCurrent();
        cleanup();
    }
}

vtkRenderer* VtkViewport::renderer() const {
    return m_vtk->renderer;
}
vtkGenericOpenGLRenderWindow* VtkViewport::renderWindow() const {
    return m_vtk->window;
}

void VtkViewport::requestRender() {
    update();
}

void VtkViewport::cleanup() {
    if (!m_initialized)
        return;
    m_vtk->window->Finalize();
    m_vtk->window->SetReadyForRendering(false);
    m_initialized = false;
}

void VtkViewport::initializeGL() {
    auto& window = *m_vtk->window;
    auto* state = window.GetState();
    state->Reset();
    state->vtkglDepthFunc(GL_LEQUAL); // Qt leaves GL_LESS; VTK expects GL_LEQUAL
    window.SetForceMaximumHardwareLineWidth(1);
    window.SetReadyForRendering(true);
    window.SetOwnContext(0);
    window.InitializeFromCurrentContext();
    window.SetMapped(1);
    m_initialized = true;
    updateVtkSize();
    // The context dies with the top-level window (e.g. reparenting): free VTK's GL objects
    // while it is still current.
    connect(
        context(), &QOpenGLContext::aboutToBeDestroyed, this,
        [this]() {
            makeCurrent();
            cleanup();
        },
        Qt::DirectConnection);
}

void VtkViewport::updateVtkSize() {
    const double ratio = devicePixelRatioF();
    const int w = qMax(1, qRound(width() * ratio));
    const int h = qMax(1, qRound(height() * ratio));
    m_vtk->interactor->UpdateSize(w, h); // also sets the render window's size
    m_vtk->window->SetSize(w, h);
    m_vtk->window->SetDPI(qRound(72 * ratio));
}

void VtkViewport::resizeGL(int, int) {
    updateVtkSize();
}

void VtkViewport::paintGL() {
    if (!m_initialized) {
        auto* f = context()->functions();
        f->glClearColor(0.1f, 0.1f, 0.12f, 1.0f);
        f->glClear(GL_COLOR_BUFFER_BIT);
        return;
    }
    m_inPaint = true;
    auto& window = *m_vtk->window;
    const double ratio = devicePixelRatioF();
    const int w = qMax(1, qRound(width() * ratio));
    const int h = qMax(1, qRound(height() * ratio));
    if (window.GetSize()[0] != w || window.GetSize()[1] != h)
        updateVtkSize();

    auto* state = window.GetState();
    state->Reset(); // Qt changed GL state behind VTK's cache
    state->Push();
    state->vtkglDepthFunc(GL_LEQUAL);

    QElapsedTimer timer;
    timer.start();
    window.Render();
    makeCurrent(); // rendering may have run event handlers that switched contexts

    auto* f = context()->extraFunctions();
    f->glBindFramebuffer(GL_DRAW_FRAMEBUFFER, defaultFramebufferObject());
    const GLenum drawBuffer = GL_COLOR_ATTACHMENT0;
    f->glDrawBuffers(1, &drawBuffer);
    const bool scissor = f->glIsEnabled(GL_SCISSOR_TEST);
    if (scissor) {
        state->vtkglDisable(GL_SCISSOR_TEST);
        f->glDisable(GL_SCISSOR_TEST);
    }
    window.BlitDisplayFramebuffer(0, 0, 0, w, h, 0, 0, w, h, GL_COLOR_BUFFER_BIT, GL_NEAREST);

    // VTK leaves alpha < 1 where the background is: grabs and compositors would then show
    // the view as (partly) transparent. Force alpha to 1 without touching colour.
    GLboolean mask[4];
    f->glGetBooleanv(GL_COLOR_WRITEMASK, mask);
    GLfloat clear[4];
    f->glGetFloatv(GL_COLOR_CLEAR_VALUE, clear);
    f->glColorMask(GL_FALSE, GL_FALSE, GL_FALSE, GL_TRUE);
    f->glClearColor(0.f, 0.f, 0.f, 1.f);
    f->glViewport(0, 0, w, h);
    f->glClear(GL_COLOR_BUFFER_BIT);
    f->glColorMask(mask[0], mask[1], mask[2], mask[3]);
    f->glClearColor(clear[0], clear[1], clear[2], clear[3]);
    if (scissor) {
        state->vtkglEnable(GL_SCISSOR_TEST);
        f->glEnable(GL_SCISSOR_TEST);
    }
    state->Pop();
    m_lastRenderMs = timer.nsecsElapsed() / 1e6;
    ++m_frames;
    m_inPaint = false;
    Q_EMIT frameRendered(m_lastRenderMs);
}

void VtkViewport::setEventInformation(const QPointF& position, Qt::KeyboardModifiers modifiers,
                                      int repeat) {
    const double ratio = devicePixelRatioF();
    m_vtk->interactor->SetEventInformationFlipY(qRound(position.x() * ratio),
                                                qRound(position.y() * ratio),
                                                (modifiers & Qt::ControlModifier) ? 1 : 0,
                                                (modifiers & Qt::ShiftModifier) ? 1 : 0, 0, repeat);
    m_vtk->interactor->SetAltKey((modifiers & Qt::AltModifier) ? 1 : 0);
}

void VtkViewport::mousePressEvent(QMouseEvent* event) {
    setEventInformation(event->position(), event->modifiers(), 0);
    switch (event->button()) {
    case Qt::LeftButton:
        m_leftDown = true;
        m_dragged = false;
        m_pressPosition = event->position().toPoint();
        m_vtk->interactor->InvokeEvent(vtkCommand::LeftButtonPressEvent);
        break;
    case Qt::MiddleButton:
        m_vtk->interactor->InvokeEvent(vtkCommand::MiddleButtonPressEvent);
        break;
    case Qt::RightButton:
        m_vtk->interactor->InvokeEvent(vtkCommand::RightButtonPressEvent);
        break;
    default:
        break;
    }
    event->accept();
}

void VtkViewport::mouseMoveEvent(QMouseEvent* event) {
    if (m_leftDown && (event->position().toPoint() - m_pressPosition).manhattanLength() > 3)
        m_dragged = true;
    setEventInformation(event->position(), event->modifiers());
    m_vtk->interactor->InvokeEvent(vtkCommand::MouseMoveEvent);
    event->accept();
}

void VtkViewport::mouseReleaseEvent(QMouseEvent* event) {
    setEventInformation(event->position(), event->modifiers());
    switch (event->button()) {
    case Qt::LeftButton: {
        m_vtk->interactor->InvokeEvent(vtkCommand::LeftButtonReleaseEvent);
        const bool click = m_leftDown && !m_dragged;
        m_leftDown = false;
        if (click) {
            int* p = m_vtk->interactor->GetEventPosition();
            Q_EMIT clicked(p[0], p[1]);
        }
        break;
    }
    case Qt::MiddleButton:
        m_vtk->interactor->InvokeEvent(vtkCommand::MiddleButtonReleaseEvent);
        break;
    case Qt::RightButton:
        m_vtk->interactor->InvokeEvent(vtkCommand::RightButtonReleaseEvent);
        break;
    default:
        break;
    }
    event->accept();
}

void VtkViewport::wheelEvent(QWheelEvent* event) {
    setEventInformation(event->position(), event->modifiers());
    const int delta = event->angleDelta().y();
    if (delta > 0)
        m_vtk->interactor->InvokeEvent(vtkCommand::MouseWheelForwardEvent);
    else if (delta < 0)
        m_vtk->interactor->InvokeEvent(vtkCommand::MouseWheelBackwardEvent);
    event->accept();
}

void VtkViewport::enterEvent(QEnterEvent* event) {
    m_vtk->interactor->InvokeEvent(vtkCommand::EnterEvent);
    QOpenGLWidget::enterEvent(event);
}

void VtkViewport::leaveEvent(QEvent* event) {
    m_vtk->interactor->InvokeEvent(vtkCommand::LeaveEvent);
    QOpenGLWidget::leaveEvent(event);
}

} // namespace graphace::ui
