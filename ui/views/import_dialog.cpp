#include "ui/views/import_dialog.h"

#include "core/util/error.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QMessageBox>
#include <QVBoxLayout>

namespace sft::ui {

namespace {

QComboBox* columnChoice(const std::vector<std::string>& header, const std::string& guess, bool optional)
{
    auto* combo = new QComboBox;
    if (optional)
        combo->addItem(QObject::tr("(none)"), QString());
    for (const std::string& column : header)
        combo->addItem(QString::fromStdString(column), QString::fromStdString(column));
    const int at = combo->findData(QString::fromStdString(guess));
    combo->setCurrentIndex(at >= 0 ? at : 0);
    return combo;
}

bool askColumns(QWidget* parent, const QString& path, ImportOptions& options)
{
    const std::vector<std::string> header = csvHeader(path.toStdString(), separatorOf(options.format));
    const ColumnMapping guess = guessColumnMapping(header);
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Columns of %1").arg(QFileInfo(path).fileName()));
    auto* instruction = columnChoice(header, guess.instruction, false);
    auto* input = columnChoice(header, guess.input, true);
    auto* output = columnChoice(header, guess.output, false);
    instruction->setObjectName("instructionColumn");
    input->setObjectName("inputColumn");
    output->setObjectName("outputColumn");
    auto* form = new QFormLayout;
    form->addRow(QObject::tr("Instruction:"), instruction);
    form->addRow(QObject::tr("Input:"), input);
    form->addRow(QObject::tr("Output:"), output);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto* layout = new QVBoxLayout(&dialog);
    layout->addWidget(new QLabel(QObject::tr("Which column holds what an entry needs?")));
    layout->addLayout(form);
    layout->addWidget(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return false;
    options.columns = ColumnMapping{instruction->currentData().toString().toStdString(),
                                    input->currentData().toString().toStdString(),
                                    output->currentData().toString().toStdString()};
    return true;
}

bool askConversationRules(QWidget* parent, const QString& path, ImportOptions& options)
{
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Conversations in %1").arg(QFileInfo(path).fileName()));
    auto* turns = new QComboBox;
    turns->setObjectName("longConversations");
    turns->addItem(QObject::tr("Keep the first question and answer"), int(LongConversations::FirstPair));
    turns->addItem(QObject::tr("One entry per question and answer"), int(LongConversations::EachPair));
    turns->addItem(QObject::tr("Skip them"), int(LongConversations::Skip));
    auto* system = new QComboBox;
    system->setObjectName("systemMessage");
    system->addItem(QObject::tr("Put it before the instruction"), int(SystemMessage::Prefix));
    system->addItem(QObject::tr("Drop it"), int(SystemMessage::Drop));
    auto* form = new QFormLayout;
    form->addRow(QObject::tr("Conversations of several turns:"), turns);
    form->addRow(QObject::tr("A system message:"), system);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto* layout = new QVBoxLayout(&dialog);
    layout->addWidget(new QLabel(QObject::tr("The first user message becomes the instruction, the assistant's answer "
                                             "the output.")));
    layout->addLayout(form);
    layout->addWidget(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return false;
    options.longConversations = LongConversations(turns->currentData().toInt());
    options.system = SystemMessage(system->currentData().toInt());
    return true;
}

} // namespace

std::optional<ImportOptions> askImportOptions(QWidget* parent, const QString& path)
{
    ImportOptions options;
    try {
        options.format = detectImportFormat(path.toStdString());
        if (options.format == ImportFormat::Csv || options.format == ImportFormat::Tsv) {
            if (!askColumns(parent, path, options))
                return std::nullopt;
        } else if (options.format != ImportFormat::Alpaca && !askConversationRules(parent, path, options)) {
            return std::nullopt;
        }
    } catch (const Error& e) {
        QMessageBox::warning(parent, QObject::tr("Cannot import"), QString::fromUtf8(e.what()));
        return std::nullopt;
    }
    return options;
}

} // namespace sft::ui
