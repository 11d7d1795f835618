#include "graphace/ui/atom_info_panel.h"

#include "graphace/element.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <numeric>

namespace graphace::ui {

namespace {
// Numeric sort for table cells whose text is formatted.
class NumberItem : public QTableWidgetItem {
public:
    NumberItem(const QString& text, double value) : QTableWidgetItem(text), m_value(value) {
        setData(Qt::UserRole, value);
        setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    }
    bool operator<(const QTableWidgetItem& other) const override {
        return m_value < other.data(Qt::UserRole).toDouble();
    }

private:
    double m_value;
};
} // namespace

AtomInfoPanel::AtomInfoPanel(QWidget* parent) : QWidget(parent) {
    m_header = new QLabel;
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_table = new QTableWidget(0, ColumnCount);
    m_table->setHorizontalHeaderLabels(
        {tr("Neighbour"), tr("Element"), tr("Distance (Å)"), tr("Image shift")});
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->setSortingEnabled(true);
    // A first shell of neighbours without scrolling: the header and six rows.
    m_table->verticalHeader()->setDefaultSectionSize(22);
    m_table->setMinimumHeight(m_table->horizontalHeader()->sizeHint().height() + 6 * 22 + 4);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_header);
    layout->addWidget(m_table, 1);
    clear();
}

void AtomInfoPanel::clear() {
    m_atom = -1;
    m_header->setText(tr("Click an atom in the 3D view to list its neighbours."));
    m_table->setRowCount(0);
}

void AtomInfoPanel::showAtom(const Structure& structure, const NeighborList& neighbors, int atom) {
    if (atom < 0 || atom >= static_cast<int>(structure.size())) {
        clear();
        return;
    }
    m_atom = atom;
    std::vector<std::size_t> edges;
    const auto begin = std::lower_bound(neighbors.first.begin(), neighbors.first.end(), atom);
    for (auto it = begin; it != neighbors.first.end() && *it == atom; ++it)
        edges.push_back(static_cast<std::size_t>(it - neighbors.first.begin()));
    std::stable_sort(edges.begin(), edges.end(), [&](std::size_t a, std::size_t b) {
        return neighbors.distances[a] < neighbors.distances[b];
    });

    const Vec3& r = structure.positions[atom];
    m_header->setText(tr("<b>Atom %1 (%2)</b> at (%3, %4, %5) Å — %6 neighbours within %7 Å")
                          .arg(atom)
                          .arg(QString::fromUtf8(elementSymbol(structure.numbers[atom])))
                          .arg(r.x(), 0, 'f', 3)
                          .arg(r.y(), 0, 'f', 3)
                          .arg(r.z(), 0, 'f', 3)
                          .arg(edges.size())
                          .arg(neighbors.cutoff, 0, 'f', 2));

    m_table->setSortingEnabled(false);
    m_table->setRowCount(static_cast<int>(edges.size()));
    for (int row = 0; row < static_cast<int>(edges.size()); ++row) {
        const std::size_t e = edges[row];
        const int j = neighbors.second[e];
        const Shift& s = neighbors.shifts[e];
        m_table->setItem(row, Neighbour, new NumberItem(QString::number(j), j));
        m_table->setItem(
            row, Element,
            new QTableWidgetItem(QString::fromUtf8(elementSymbol(structure.numbers[j]))));
        m_table->setItem(row, Distance,
                         new NumberItem(QString::number(neighbors.distances[e], 'f', 4),
                                        neighbors.distances[e]));
        auto* shift =
            new QTableWidgetItem(QStringLiteral("%1 %2 %3").arg(s[0]).arg(s[1]).arg(s[2]));
        shift->setTextAlignment(Qt::AlignCenter);
        m_table->setItem(row, ImageShift, shift);
    }
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(Distance, Qt::AscendingOrder);
    m_table->resizeColumnsToContents();
}

} // namespace graphace::ui
