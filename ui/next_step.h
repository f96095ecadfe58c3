#pragma once
// The guided path of a first session: dataset, model, train, answers, judge. From what the app
// holds now, the one thing to do next, in words with the view where it is done; none once a run
// has scored answers.

#include <QString>

#include <optional>

namespace sft::ui {

class StudioState;

struct NextStep {
    int view; // a MainWindow::View
    QString text;
};

std::optional<NextStep> nextStep(const StudioState& state);

} // namespace sft::ui
