#pragma once
// The dataset panel's table: one row per configuration.

#include "graphace/structure.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include <memory>
#include <vector>

namespace graphace::ui {

// graphace::chemicalFormula (Hill notation, as the CLI writes it) as a QString.
QString chemicalFormula(const Structure& structure);

class DatasetModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Index,
        Atoms,
        Formula,
        Energy,
        EnergyPerAtom,
        ConfigType,
        EnergyError, // a model's predicted − reference energy per atom (meV/atom); sorts by size
        ForceError,  // its force RMSE over the configuration (eV/Å)
        Source,
        ColumnCount
    };
    // Numbers for sorting (Qt::DisplayRole holds formatted text).
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit DatasetModel(QObject* parent = nullptr);

    void setDataset(std::shared_ptr<const Dataset> dataset);
    const std::shared_ptr<const Dataset>& dataset() const { return m_dataset; }
    // A model's errors on each configuration (one per configuration, NaN for none; shown as —)
    // and what they are, e.g. "GCN of “recommended”" (header tooltips). Empty vectors clear
    // them; setDataset clears them.
    void setErrors(std::vector<double> energyMevPerAtom, std::vector<double> forceRmse,
                   const QString& source);
    bool hasErrors() const { return !m_energyErrors.empty(); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const Dataset> m_dataset;
    QStringList m_formulas; // cached: computed once per dataset, not per paint
    std::vector<double> m_energyErrors, m_forceErrors;
    QString m_errorSource;
};

// Sorts numerically and filters on every column's text (case-insensitive substring).
class DatasetFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit DatasetFilterModel(QObject* parent = nullptr);
};

} // namespace graphace::ui
