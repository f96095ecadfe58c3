#include "ui/views/playground_view.h"

#include "core/data/prompt_template.h"
#include "core/generate/generation_settings.h"
#include "ui/views/checkpoint_picker.h"
#include "ui/views/settings_form.h"
#include "ui/workers/model_preloader.h"
#include "ui/workers/playground_worker.h"
#include "ui/run_setting.h"
#include "ui/named.h"
#include "ui/studio_state.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>


namespace sft::ui {

namespace {

constexpr int kRedrawMs = 40;

QString formatPrompt(const QString& templateName, const QString& instruction, const QString& input)
{
    Entry entry;
    entry.instruction = instruction.toStdString();
    entry.input = input.toStdString();
    return QString::fromStdString(PromptTemplate::byName(templateName.toStdString()).prompt(entry));
}

QPlainTextEdit* readOnlyText(const char* name, QWidget* parent)
{
    auto* text = named(new QPlainTextEdit(parent), name);
    text->setReadOnly(true);
    return text;
}

} // namespace

PlaygroundView::PlaygroundView(StudioState* state, QWidget* parent)
    : QWidget(parent),
      state_(state),
      worker_(new PlaygroundWorker(state, this)),
      preloader_(new ModelPreloader(state, this)),
      instruction_(named(new QPlainTextEdit(this), "instructionEdit")),
      input_(named(new QPlainTextEdit(this), "inputEdit")),
      template_(named(new QComboBox(this), "templateCombo")),
      checkpoint_(named(new CheckpointPicker(state, {}, this), "checkpointPicker")),
      compareWith_(named(new CheckpointPicker(state, tr("(none)"), this), "compareWithPicker")),
      decoding_(new SettingsForm(
          settingsWithFlags(generationSettings().infos(), {"max-new-tokens", "temperature", "top-k", "seed"}), this)),
      generate_(named(new QPushButton(tr("Generate"), this), "generateButton")),
      stop_(named(new QPushButton(tr("Stop"), this), "stopButton")),
      prompt_(readOnlyText("promptText", this)),
      titles_{new QLabel(this), new QLabel(this)},
      answers_{readOnlyText("answerText", this), readOnlyText("secondAnswerText", this)},
      secondAnswer_(new QWidget(this)),
      status_(named(new QLabel(this), "statusLabel")),
      redraw_(new QTimer(this))
{
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(buildSettings());
    splitter->addWidget(buildAnswers());
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(splitter, 1);
    layout->addWidget(status_);

    redraw_->setSingleShot(true);
    connect(redraw_, &QTimer::timeout, this, &PlaygroundView::drawPending);
    connect(instruction_, &QPlainTextEdit::textChanged, this, &PlaygroundView::updatePrompt);
    connect(input_, &QPlainTextEdit::textChanged, this, &PlaygroundView::updatePrompt);
    connect(template_, &QComboBox::currentTextChanged, this, &PlaygroundView::updatePrompt);
    connect(generate_, &QPushButton::clicked, this, &PlaygroundView::generateAnswers);
    connect(stop_, &QPushButton::clicked, this, &PlaygroundView::stop);
    connect(state_, &StudioState::runPathChanged, this, [this] { selectRunTemplate(template_, state_->runPath()); });
    for (CheckpointPicker* picker : {checkpoint_, compareWith_})
        connect(picker, &CheckpointPicker::pathChanged, this, [this] {
            if (isVisible())
                preloadChosen();
        });
    connect(preloader_, &ModelPreloader::statusChanged, this, [this](const QString& text) {
        if (!worker_->isRunning())
            status_->setText(text);
    });

    connectWorker();

    selectRunTemplate(template_, state_->runPath());
    updatePrompt();
    setRunning(false);
}

void PlaygroundView::connectWorker()
{
    connect(worker_, &PlaygroundWorker::loading, this, [this](int side, const QString& model) {
        titles_[size_t(side)]->setText(tr("%1: loading…").arg(CheckpointPicker::nameOf(model)));
    });
    connect(worker_, &PlaygroundWorker::answerGrew, this, &PlaygroundView::showAnswer);
    connect(worker_, &PlaygroundWorker::answerDone, this,
            [this](int side, const QString& text, int tokens, double rate) {
                showAnswer(side, text, tokens);
                drawPending();
                titles_[size_t(side)]->setText(tr("%1: %2 tokens, %3 tokens/s")
                                                   .arg(names_[size_t(side)])
                                                   .arg(tokens)
                                                   .arg(rate, 0, 'f', 1));
            });
    connect(worker_, &PlaygroundWorker::finished, this, &PlaygroundView::onFinished);
}

QWidget* PlaygroundView::buildSettings()
{
    instruction_->setPlaceholderText(tr("e.g. Rewrite the sentence using a simile."));
    input_->setPlaceholderText(tr("Optional, e.g. The car is very fast."));
    input_->setMaximumHeight(90);
    template_->addItems({"alpaca", "phi3"});
    generate_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    generate_->setToolTip(tr("Generate the answer (Ctrl+Return); it stops at <|endoftext|> or after the max tokens"));
    stop_->setShortcut(QKeySequence(Qt::Key_Escape));

    auto* box = new QWidget(this);
    auto* layout = new QVBoxLayout(box);
    layout->addWidget(new QLabel(tr("Instruction"), box));
    layout->addWidget(instruction_, 2);
    layout->addWidget(new QLabel(tr("Input"), box));
    layout->addWidget(input_);
    auto* form = new QFormLayout;
    form->addRow(tr("Template:"), template_);
    form->addRow(tr("Model:"), checkpoint_);
    form->addRow(tr("Compare with:"), compareWith_);
    decoding_->addRows(form, "");
    layout->addLayout(form);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(generate_);
    buttons->addWidget(stop_);
    layout->addLayout(buttons);
    return box;
}

QWidget* PlaygroundView::buildAnswers()
{
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    prompt_->setFont(fixed);
    auto* box = new QWidget(this);
    auto* layout = new QVBoxLayout(box);
    layout->addWidget(new QLabel(tr("Prompt (exactly as the model sees it)"), box));
    layout->addWidget(prompt_, 1);
    auto* row = new QHBoxLayout;
    for (size_t side = 0; side < 2; ++side) {
        QWidget* column = side == 0 ? new QWidget(box) : secondAnswer_;
        auto* columnLayout = new QVBoxLayout(column);
        columnLayout->setContentsMargins(0, 0, 0, 0);
        columnLayout->addWidget(titles_[side]);
        columnLayout->addWidget(answers_[side], 1);
        answers_[side]->setFont(fixed);
        row->addWidget(column, 1);
    }
    layout->addLayout(row, 2);
    titles_[0]->setText(tr("Answer"));
    secondAnswer_->setVisible(false);
    return box;
}

QString PlaygroundView::promptText() const
{
    try {
        return formatPrompt(template_->currentText(), instruction_->toPlainText(), input_->toPlainText());
    } catch (const std::exception&) {
        return {};
    }
}

void PlaygroundView::updatePrompt()
{
    try {
        prompt_->setPlainText(formatPrompt(template_->currentText(), instruction_->toPlainText(), input_->toPlainText()));
    } catch (const std::exception& e) {
        prompt_->clear();
        status_->setText(QString::fromStdString(e.what()));
    }
}

void PlaygroundView::generateAnswers()
{
    if (worker_->isRunning())
        return;
    const QString prompt = promptText();
    const QString first = checkpoint_->currentPath(), second = compareWith_->currentPath();
    if (instruction_->toPlainText().trimmed().isEmpty() || first.isEmpty() || prompt.isEmpty()) {
        status_->setText(first.isEmpty() ? tr("Choose a model: train a run, pick one in Models, or browse to a model folder.")
                                         : tr("Type an instruction first."));
        return;
    }
    PlaygroundRequest request;
    request.prompt = prompt;
    request.models = second.isEmpty() ? QStringList{first} : QStringList{first, second};
    request.generation = decoding_->values();
    for (size_t side = 0; side < 2; ++side) {
        names_[side] = CheckpointPicker::nameOf(side == 0 ? first : second);
        titles_[side]->setText(names_[side]);
        answers_[side]->clear();
        pending_[side].reset();
    }
    secondAnswer_->setVisible(!second.isEmpty());
    status_->setText(tr("Generating…"));
    sinceDraw_.invalidate();
    worker_->startGenerating(request);
    setRunning(true);
}

void PlaygroundView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    preloadChosen();
}

void PlaygroundView::preloadChosen()
{
    preloader_->preload({checkpoint_->currentPath(), compareWith_->currentPath()});
}

void PlaygroundView::stop()
{
    worker_->cancel();
}

// The first text after a pause is drawn at once; later ones wait until kRedrawMs have passed.
void PlaygroundView::showAnswer(int side, const QString& text, int tokens)
{
    pending_[size_t(side)] = Pending{text, tokens};
    if (redraw_->isActive())
        return;
    if (!sinceDraw_.isValid() || sinceDraw_.elapsed() >= kRedrawMs)
        drawPending();
    else
        redraw_->start(int(kRedrawMs - sinceDraw_.elapsed()));
}

void PlaygroundView::drawPending()
{
    redraw_->stop();
    for (size_t side = 0; side < 2; ++side) {
        if (!pending_[side])
            continue;
        answers_[side]->setPlainText(pending_[side]->text);
        answers_[side]->verticalScrollBar()->setValue(answers_[side]->verticalScrollBar()->maximum());
        titles_[side]->setText(tr("%1: %2 tokens").arg(names_[side]).arg(pending_[side]->tokens));
        pending_[side].reset();
    }
    sinceDraw_.start();
}

void PlaygroundView::onFinished(bool ok, bool cancelled, const QString& error)
{
    drawPending();
    setRunning(false);
    if (cancelled)
        status_->setText(tr("Stopped."));
    else if (!ok)
        status_->setText(tr("Generation failed: %1").arg(error));
    else
        status_->setText(tr("Done."));
}

void PlaygroundView::setRunning(bool running)
{
    generate_->setEnabled(!running);
    stop_->setEnabled(running);
    checkpoint_->setEnabled(!running);
    compareWith_->setEnabled(!running);
}

} // namespace sft::ui
