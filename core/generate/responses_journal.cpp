#include "core/generate/responses_journal.h"

#include "core/util/files.h"

#include <QDir>
#include <QFileInfo>

#include <cstdio>

namespace sft {

namespace {

// Name, size and modification time of the model's files: a model retrained in place between
// a stop and the rerun does not mix its answers with the old model's.
nlohmann::json modelStamp(const std::string& path)
{
    const QFileInfo info(QString::fromStdString(path));
    const QFileInfoList files = info.isDir() ? QDir(info.filePath()).entryInfoList(QDir::Files, QDir::Name)
                                             : QFileInfoList{info};
    nlohmann::json stamp = nlohmann::json::array();
    for (const QFileInfo& file : files)
        stamp.push_back({file.fileName().toStdString(), file.size(), file.lastModified().toMSecsSinceEpoch()});
    return stamp;
}

nlohmann::json identityOf(const ResponsesWork& work)
{
    return {{"model", QFileInfo(QString::fromStdString(work.modelDir)).absoluteFilePath().toStdString()},
            {"model_files", modelStamp(work.modelDir)},
            {"tokenizer", work.tokenizerDir},
            {"data_sha256", work.datasetSha256},
            {"split", work.split},
            {"template", work.templateName},
            {"key", work.key},
            {"max_new_tokens", work.maxNewTokens},
            {"batch_size", work.batchSize}};
}

} // namespace

std::string responsesJournalPath(const std::string& out)
{
    return out + ".journal.jsonl";
}

JsonlJournal openResponsesJournal(const std::string& out, const ResponsesWork& work, bool restart)
{
    const nlohmann::json header = {{"journal", "sft-studio responses"}, {"version", 1}};
    return JsonlJournal::resume(responsesJournalPath(out), identityOf(work), header, restart);
}

void finishResponses(const std::string& out, const nlohmann::json& answers)
{
    // Answers may end inside a multi-byte character; such bytes become U+FFFD, not an error.
    writeFileAtomic(out, answers.dump(4, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    std::remove(responsesJournalPath(out).c_str());
}

} // namespace sft
