#include "graphace/ui/dataset_model.h"

#include "graphace/chemical_formula.h"
#include "graphace/element.h"

#include <QFileInfo>

#include <cmath>
#include <limits>
#include <map>

namespace graphace::ui {

QString chemicalFormula(const Structure& structure) {
    return QString::fromStdString(graphace::chemicalFormula(structure.numbers));
}

DatasetModel::DatasetModel(QObject* parent) : QAbstractTableModel(parent) {}

void DatasetModel::setDataset(std::shared_ptr<const Dataset> dataset) {
    beginResetModel();
    m_dataset = std::move(dataset);
    m_formulas.clear();
    m_energyErrors.clear();
    m_forceErrors.clear();
    m_errorSource.clear();
    if (m_dataset)
        for (const auto& s : m_dataset->structures)
            m_formulas << chemicalFormula(s);
    endResetModel();
}

void DatasetModel::setErrors(std::vector<double> energyMevPerAtom, std::vector<double> forceRmse,
                             const QString& source) {
    const std::size_t n = m_dataset ? m_dataset->size() : 0;
    const bool fits = energyMevPerAtom.size() == n && forceRmse.size() == n;
    m_energyErrors = fits ? std::move(energyMevPerAtom) : std::vector<double>{};
    m_forceErrors = fits ? std::move(forceRmse) : std::vector<double>{};
    m_errorSource = fits ? source : QString();
    if (n > 0)
        Q_EMIT dataChanged(index(0, EnergyError), index(static_cast<int>(n) - 1, ForceError));
    Q_EMIT headerDataChanged(Qt::Horizontal, EnergyError, ForceError);
}

int DatasetModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() || !m_dataset ? 0 : static_cast<int>(m_dataset->size());
}

int DatasetModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DatasetModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || !m_dataset || index.row() >= rowCount())
        return {};
    const Structure& s = m_dataset->structures[index.row()];
    const bool sort = role == SortRole;
    if (role == Qt::TextAlignmentRole) {
        const bool numeric =
            index.column() != Formula && index.column() != ConfigType && index.column() != Source;
        return QVariant::fromValue(Qt::AlignVCenter | (numeric ? Qt::AlignRight : Qt::AlignLeft));
    }
    if (role == Qt::ToolTipRole && index.column() == Source)
        return QStringLiteral("%1, line %2")
            .arg(QString::fromStdString(s.sourceFile))
            .arg(s.sourceLine);
    if (role != Qt::DisplayRole && !sort)
        return {};

    switch (index.column()) {
    case Index:
        return index.row();
    case Atoms:
        return static_cast<int>(s.size());
    case Formula:
        return m_formulas.value(index.row());
    case Energy:
        if (!s.energy)
            return sort ? QVariant(-1e300) : QVariant(QStringLiteral("—"));
        return sort ? QVariant(*s.energy) : QVariant(QString::number(*s.energy, 'f', 4));
    case EnergyPerAtom: {
        if (!s.energy || s.size() == 0)
            return sort ? QVariant(-1e300) : QVariant(QStringLiteral("—"));
        const double perAtom = *s.energy / static_cast<double>(s.size());
        return sort ? QVariant(perAtom) : QVariant(QString::number(perAtom, 'f', 4));
    }
    case ConfigType: {
        const std::string* type = s.findInfo("config_type");
        return type ? QString::fromStdString(*type) : QString();
    }
    case EnergyError:
    case ForceError: {
        const std::vector<double>& errors =
            index.column() == EnergyError ? m_energyErrors : m_forceErrors;
        const double e = index.row() < static_cast<int>(errors.size())
                             ? errors[index.row()]
                             : std::numeric_limits<double>::quiet_NaN();
        // Sorted by size (the worst first in descending order); none sorts last.
        if (sort)
            return std::isfinite(e) ? std::abs(e) : -1.0;
        if (!std::isfinite(e))
            return QStringLiteral("—");
        return QString::number(e, 'f', index.column() == EnergyError ? 2 : 4);
    }
    case Source:
        return sort ? QVariant(QStringLiteral("%1:%2")
                                   .arg(QString::fromStdString(s.sourceFile))
                                   .arg(s.sourceLine, 10, 10, QLatin1Char('0')))
                    : QVariant(QStringLiteral("%1:%2")
                                   .arg(QFileInfo(QString::fromStdString(s.sourceFile)).fileName())
                                   .arg(s.sourceLine));
    default:
        return {};
    }
}

QVariant DatasetModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole &&
        (section == EnergyError || section == ForceError)) {
        const QString what =
            section == EnergyError
                ? tr("Predicted − reference energy per atom (meV/atom); sorts by size")
                : tr("Force RMSE over the configuration's components (eV/Å)");
        return m_errorSource.isEmpty()
                   ? tr("%1. Filled once a model is trained on this data.").arg(what)
                   : tr("%1, %2.").arg(what, m_errorSource);
    }
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Index:
        return tr("#");
    case Atoms:
        return tr("Atoms");
    case Formula:
        return tr("Composition");
    case Energy:
        return tr("Energy (eV)");
    case EnergyPerAtom:
        return tr("E/atom (eV)");
    case ConfigType:
        return tr("Type");
    case EnergyError:
        return tr("ΔE (meV/atom)");
    case ForceError:
        return tr("F RMSE (eV/Å)");
    case Source:
        return tr("Source");
    default:
        return {};
    }
}

DatasetFilterModel::DatasetFilterModel(QObject* parent) : QSortFilterProxyModel(parent) {
    setSortRole(DatasetModel::SortRole);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
    setFilterKeyColumn(-1);
    setFilterRole(Qt::DisplayRole);
}

} // namespace graphace::ui
