#pragma once
// One function per subcommand, each in its own cmd_*.cpp. args[0] is the subcommand name.

#include <QStringList>

namespace sft::cli {

int cmdInit(const QStringList& args);
int cmdTokenize(const QStringList& args);
int cmdDataset(const QStringList& args);
int cmdImportData(const QStringList& args);
int cmdLogits(const QStringList& args);
int cmdEvalLoss(const QStringList& args);
int cmdTrain(const QStringList& args);
int cmdRespond(const QStringList& args);
int cmdGenerate(const QStringList& args);
int cmdDownload(const QStringList& args);
int cmdScore(const QStringList& args);
int cmdMakePreferences(const QStringList& args);
int cmdGenerateData(const QStringList& args);
int cmdCompareJudge(const QStringList& args);
int cmdAgreement(const QStringList& args);
int cmdExport(const QStringList& args);
int cmdRuns(const QStringList& args);

} // namespace sft::cli
