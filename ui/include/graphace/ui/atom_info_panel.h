#pragma once
// The picked atom and its neighbours (index, element, distance, image shift).

#include "graphace/neighbor_list.h"
#include "graphace/structure.h"

#include <QWidget>

class QLabel;
class QTableWidget;

namespace graphace::ui {

class AtomInfoPanel : public QWidget {
    Q_OBJECT
public:
    enum Column { Neighbour, Element, Distance, ImageShift, ColumnCount };

    explicit AtomInfoPanel(QWidget* parent = nullptr);

    // Lists the edges (atom, j, S) of `neighbors`, nearest first.
    void showAtom(const Structure& structure, const NeighborList& neighbors, int atom);
    void clear();

    int atom() const { return m_atom; }
    QTableWidget* table() const { return m_table; }
    QLabel* header() const { return m_header; }

private:
    QLabel* m_header = nullptr;
    QTableWidget* m_table = nullptr;
    int m_atom = -1;
};

} // namespace graphace::ui
