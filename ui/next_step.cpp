#include "ui/next_step.h"

#include "core/model/gpt_config.h"
#include "core/train/memory_estimate.h"
#include "core/train/run_products.h"
#include "ui/studio_state.h"
#include "ui/views/main_window.h"

#include <QDir>

namespace sft::ui {

namespace {

// What the chapter's model needs: its download and full fine-tuning at the chapter's batch of 8.
QString chapterModelNeeds()
{
    const int64_t memory = estimateTrainingMemory(GptConfig::preset("gpt2-medium"), 8, 256, nullptr).peak();
    return QObject::tr("a 1.4 GB download, about %1 of memory to fine-tune")
        .arg(QString::fromStdString(formatGigabytes(memory)));
}

bool hasFiles(const QString& run, const char* pattern)
{
    return !QDir(run).entryList({QString(pattern)}, QDir::Files).isEmpty();
}

} // namespace

std::optional<NextStep> nextStep(const StudioState& state)
{
    using View = MainWindow::View;
    if (state.datasetPath().isEmpty())
        return NextStep{int(View::Data), QObject::tr("<b>1. Data:</b> get the chapter-7 dataset (1,100 instructions, "
                                                     "bundled) or open your own JSON file.")};
    if (state.modelPath().isEmpty())
        return NextStep{int(View::Models),
                        QObject::tr("<b>2. Model:</b> download gpt2-medium, the chapter's model (%1), or create a "
                                    "small random one to try the workflow in minutes.")
                            .arg(chapterModelNeeds())};
    const QString run = state.runPath();
    if (run.isEmpty() || !isRunFolder(run.toStdString()))
        return NextStep{int(View::Train), QObject::tr("<b>3. Train:</b> the chapter's settings are filled in; press "
                                                      "Start and watch the loss.")};
    if (!hasFiles(run, kResponsesPattern))
        return NextStep{int(View::Evaluate), QObject::tr("<b>4. Answers:</b> generate the model's answers to the "
                                                         "test set.")};
    if (!hasFiles(run, kScoresPattern))
        return NextStep{int(View::Evaluate), QObject::tr("<b>5. Judge:</b> have a local model (Ollama) score the "
                                                         "answers 0–100.")};
    return std::nullopt;
}

} // namespace sft::ui
