#pragma once
// Export of training results: the model directory (`graphace train --out DIR` files, loadable by
// `graphace predict`), charts as PNG and SVG, all series as CSV, the config as JSON. Every file
// is written atomically (temporary file + rename) so a failed export never leaves half a file.
// Functions throw std::runtime_error with the path and the reason on failure.

#include "graphace/ui/training_run.h"

#include <QString>

#include <vector>

class QWidget;

namespace graphace::ui {

// The four files of writeTrainingRun (training_outputs.h). Needs run.model and run.prepared.
void exportModel(const TrainingRunRecord& run, const QString& directory);

// A chart (any widget, typically a QChartView) as PNG and SVG (QSvgGenerator, vector). The PNG is
// laid out at the size shown, or `width`×`height` (logical pixels) when > 0, and drawn `scale`
// times finer: scale 2 gives twice the pixels per side with the same layout and text, and the
// file records 96 × scale dots per inch.
void exportWidgetPng(QWidget* widget, const QString& path, int width = 0, int height = 0,
                     double scale = 1.0);
void exportWidgetSvg(QWidget* widget, const QString& path, const QString& title = {});

// All series of all runs in one long-format CSV:
//   run,series,x,y
// with series in {train_loss, test_loss, train_rmse_mev_per_atom, test_rmse_mev_per_atom,
// learning_rate, linear_train_loss, linear_test_loss, parity_gcn_train, parity_gcn_test,
// parity_linear_train, parity_linear_test} (x = epoch, or reference eV/atom for parity).
void exportSeriesCsv(const std::vector<TrainingRunRecord>& runs, const QString& path);

// The config of a run as JSON (to_json(ExperimentConfig)), 2-space indent.
void exportConfigJson(const TrainingRunRecord& run, const QString& path);

} // namespace graphace::ui
