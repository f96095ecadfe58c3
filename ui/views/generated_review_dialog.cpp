#include "ui/views/generated_review_dialog.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace sft::ui {

namespace {

enum Column { InstructionColumn, OutputColumn };

QTableWidgetItem* textCell(const std::string& text)
{
    auto* item = new QTableWidgetItem(QString::fromStdString(text));
    item->setToolTip(item->text());
    return item;
}

} // namespace

std::vector<nlohmann::ordered_json> reviewGeneratedEntries(QWidget* parent, std::vector<nlohmann::ordered_json> items)
{
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Review the generated entries"));
    auto* table = new QTableWidget(int(items.size()), 2);
    table->setObjectName("generatedEntries");
    table->setHorizontalHeaderLabels({QObject::tr("Instruction (keep?)"), QObject::tr("Output")});
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    for (int r = 0; r < int(items.size()); ++r) {
        QTableWidgetItem* instruction = textCell(items[size_t(r)].value("instruction", ""));
        instruction->setFlags(instruction->flags() | Qt::ItemIsUserCheckable);
        instruction->setCheckState(Qt::Checked);
        table->setItem(r, InstructionColumn, instruction);
        table->setItem(r, OutputColumn, textCell(items[size_t(r)].value("output", "")));
    }
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto* layout = new QVBoxLayout(&dialog);
    layout->addWidget(new QLabel(QObject::tr("Untick what should not join the dataset; double-click a text to edit it.")));
    layout->addWidget(table, 1);
    layout->addWidget(buttons);
    dialog.resize(900, 500);
    if (dialog.exec() != QDialog::Accepted)
        return {};
    std::vector<nlohmann::ordered_json> kept;
    for (int r = 0; r < table->rowCount(); ++r) {
        if (table->item(r, InstructionColumn)->checkState() != Qt::Checked)
            continue;
        nlohmann::ordered_json item = items[size_t(r)];
        item["instruction"] = table->item(r, InstructionColumn)->text().toStdString();
        item["output"] = table->item(r, OutputColumn)->text().toStdString();
        kept.push_back(std::move(item));
    }
    return kept;
}

} // namespace sft::ui
