#pragma once
// What the tests share: where the reference data is, scratch folders, running the binary.

#include <QString>
#include <QStringList>

#include <string>

namespace sft::test {

// Path under the shared reference folder (../shared by default), e.g. "data/instruction-data.json".
std::string sharedPath(const std::string& relative);
// QSKIP-worthy check: is the shared folder there at all?
bool sharedAvailable();

struct ProcessResult {
    int exitCode = -1;
    QString out;
    QString err;
};
// Runs the sft-studio binary with args; fails the test if it does not finish within timeoutMs.
ProcessResult runStudio(const QStringList& args, int timeoutMs = 120000);

} // namespace sft::test
