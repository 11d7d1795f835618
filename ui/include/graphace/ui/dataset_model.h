#pragma once
// The dataset panel's table: one row per configuration.

#include "graphace/structure.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include <memory>

namespace graphace::ui {

// "Hf32O64": element symbols in alphabetical order with their counts (count 1 is omitted).
QString chemicalFormula(const Structure& structure);

class DatasetModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Index, Atoms, Formula, Energy, EnergyPerAtom, ConfigType, Source, ColumnCount };
    // Numbers for sorting (Qt::DisplayRole holds formatted text).
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit DatasetModel(QObject* parent = nullptr);

    void setDataset(std::shared_ptr<const Dataset> dataset);
    const std::shared_ptr<const Dataset>& dataset() const { return m_dataset; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const Dataset> m_dataset;
    QStringList m_formulas; // cached: computed once per dataset, not per paint
};

// Sorts numerically and filters on every column's text (case-insensitive substring).
class DatasetFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit DatasetFilterModel(QObject* parent = nullptr);
};

} // namespace graphace::ui
