#pragma once
// File → Export → Charts asks first how large and how fine the PNG files are: the size the
// charts are laid out at (as shown, or width × height) and the resolution (96 dpi is the
// screen's; 192 or 300 dpi for print). The choice is remembered between sessions.

#include <optional>

class QWidget;

namespace graphace::ui {

struct ChartExportOptions {
    int width = 0;      // logical pixels; 0: as shown
    int height = 0;     // logical pixels; 0: as shown
    double scale = 1.0; // pixels per logical pixel (dpi / 96)
};

// The options dialog (object name "chartExportDialog"); nullopt when cancelled.
std::optional<ChartExportOptions> askChartExportOptions(QWidget* parent);

} // namespace graphace::ui
