#include "graphace/ui/dataset_model.h"

#include "graphace/element.h"

#include <QFileInfo>

#include <map>

namespace graphace::ui {

QString chemicalFormula(const Structure& structure) {
    std::map<std::string, int> counts;
    for (int z : structure.numbers)
        ++counts[elementSymbol(z)];
    QString formula;
    for (const auto& [symbol, count] : counts) {
        formula += QString::fromStdString(symbol);
        if (count != 1)
            formula += QString::number(count);
    }
    return formula;
}

DatasetModel::DatasetModel(QObject* parent) : QAbstractTableModel(parent) {}

void DatasetModel::setDataset(std::shared_ptr<const Dataset> dataset) {
    beginResetModel();
    m_dataset = std::move(dataset);
    m_formulas.clear();
    if (m_dataset)
        for (const auto& s : m_dataset->structures)
            m_formulas << chemicalFormula(s);
    endResetModel();
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
        const bool numeric = index.column() == Index || index.column() == Atoms ||
                             index.column() == Energy || index.column() == EnergyPerAtom;
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
