#pragma once
// Where the judge's scores of a responses file live: beside it, one file per answer field, judge
// model and prompt (scores-<answers>-<model>-<prompt>.json), so judging again with another judge
// or prompt never overwrites earlier scores, and the same one continues where it stopped.

#include <QString>
#include <QStringList>

namespace sft::ui {

QString scoresPathFor(const QString& responsesPath, const QString& responseKey, const QString& judgeModel,
                      const QString& promptName);

// The scores files beside `responsesPath` that were made from it (their setup names it and the
// answer field), newest first.
QStringList scoresFilesFor(const QString& responsesPath, const QString& responseKey);

} // namespace sft::ui
