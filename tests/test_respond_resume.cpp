// respondJournaled: the answers of respond(), each batch's kept in a journal as soon as it is
// decoded; a run stopped after a batch, or killed while writing one, continues with the batches
// still missing and ends with exactly the answers of an uninterrupted run.

#include "core/data/dataset.h"
#include "core/generate/responder.h"
#include "core/io/model_folder.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "tests/support/model_fixture.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <map>
#include <set>

using namespace sft;

namespace {

GenerationOptions options()
{
    GenerationOptions o;
    o.maxNewTokens = 5;
    o.batchSize = 3;
    o.eosId = -1; // every answer takes all its tokens, so the token counts below are exact
    return o;
}

const nlohmann::json kIdentity = {{"test", 1}};

} // namespace

class TestRespondResume : public QObject {
    Q_OBJECT
private:
    QTemporaryDir tmp_;
    LoadedModel model_;
    Tokenizer tokenizer_;
    std::vector<Entry> entries_;
    nlohmann::json uninterrupted_;

    std::string journalPath(const char* name) const { return tmp_.filePath(name).toStdString(); }

    JsonlJournal openJournal(const std::string& path) const { return JsonlJournal::resume(path, kIdentity, {}, false); }

    // Answers with a fresh or reopened journal; `tokens` counts the tokens decoded.
    nlohmann::json run(JsonlJournal& journal, int64_t* tokens = nullptr, const JobControl* job = nullptr)
    {
        GenerationOptions o = options();
        o.onToken = [&](size_t, int64_t) {
            if (tokens)
                ++*tokens;
        };
        return respondJournaled(model_.model, tokenizer_, PromptTemplate::alpaca(), entries_, o, journal,
                                "model_response", {}, job);
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        torch::set_num_threads(1);
        const std::string folder = test::makeTinyModelFolder(tmp_.filePath("model"));
        model_ = loadModelFolder(folder);
        tokenizer_ = loadTokenizer(folder);
        entries_ = loadDataset(test::writeChapterSlice(tmp_.filePath("data.json"), 7)).entries;
        uninterrupted_ = respond(model_.model, tokenizer_, PromptTemplate::alpaca(), entries_, options());
    }

    void journaledAnswersEqualRespond()
    {
        const std::string path = journalPath("whole.jsonl");
        JsonlJournal journal = openJournal(path);
        QVERIFY(run(journal) == uninterrupted_);
        const JsonlJournal reread(path);
        QCOMPARE(reread.items().size(), entries_.size());
        std::set<size_t> indices;
        for (const nlohmann::json& item : reread.items()) {
            indices.insert(item["index"].get<size_t>());
            QVERIFY(item["answer"] == uninterrupted_[item["index"].get<size_t>()]["model_response"]);
        }
        QCOMPARE(indices.size(), entries_.size());
    }

    // Stopped in the second batch: the first is kept, and the rerun decodes only the others.
    void stoppedRunDecodesOnlyWhatIsMissing()
    {
        const std::string path = journalPath("stopped.jsonl");
        JobControl job;
        GenerationOptions o = options();
        int64_t decoded = 0;
        o.onToken = [&](size_t, int64_t) {
            if (++decoded > 3 * o.maxNewTokens)
                job.requestCancel();
        };
        JsonlJournal first = openJournal(path);
        QVERIFY_THROWS_EXCEPTION(Cancelled, respondJournaled(model_.model, tokenizer_, PromptTemplate::alpaca(),
                                                             entries_, o, first, "model_response", {}, &job));
        QCOMPARE(JsonlJournal(path).items().size(), size_t(3));

        JsonlJournal second = openJournal(path);
        int64_t tokens = 0;
        QVERIFY(run(second, &tokens) == uninterrupted_);
        QCOMPARE(tokens, int64_t(4 * options().maxNewTokens));
    }

    // Killed while appending the second batch's answers: the first batch, one answer of the
    // second and a torn line are on disk. The second batch is decoded again, whole, and each
    // answer ends up in the journal once.
    void batchCutShortIsDecodedAgainWhole()
    {
        const std::string whole = journalPath("whole-2.jsonl");
        {
            JsonlJournal journal = openJournal(whole);
            run(journal);
        }
        const std::string text = readFile(whole);
        size_t cut = 0;
        for (int line = 0; line < 5; ++line)
            cut = text.find('\n', cut) + 1;
        const std::string path = journalPath("torn.jsonl");
        writeFileAtomic(path, text.substr(0, cut) + "{\"index\": 4, \"ans");

        JsonlJournal journal = openJournal(path);
        int64_t tokens = 0;
        QVERIFY(run(journal, &tokens) == uninterrupted_);
        QCOMPARE(tokens, int64_t(4 * options().maxNewTokens));
        std::multiset<size_t> indices;
        const JsonlJournal reread(path);
        for (const nlohmann::json& item : reread.items())
            indices.insert(item["index"].get<size_t>());
        QCOMPARE(indices.size(), entries_.size());
        QCOMPARE(std::set<size_t>(indices.begin(), indices.end()).size(), entries_.size());
    }

    // The listener hears of every entry once, with its answer: the journaled batch before any
    // token is decoded, the others as each is done.
    void everyBatchIsReportedOnce()
    {
        const std::string path = journalPath("reported.jsonl");
        {
            JsonlJournal full = openJournal(journalPath("reported-whole.jsonl"));
            run(full);
            const std::string whole = readFile(full.path());
            size_t cut = 0;
            for (int line = 0; line < 4; ++line) // the header and the first batch of 3
                cut = whole.find('\n', cut) + 1;
            writeFileAtomic(path, whole.substr(0, cut));
        }
        JsonlJournal journal = openJournal(path);
        GenerationOptions o = options();
        int64_t tokens = 0;
        o.onToken = [&](size_t, int64_t) { ++tokens; };
        std::vector<int64_t> tokensBefore;
        std::map<size_t, std::string> reported;
        const AnswersFn answered = [&](const std::vector<size_t>& batch, const std::vector<std::string>& answers) {
            tokensBefore.push_back(tokens);
            QCOMPARE(answers.size(), batch.size());
            for (size_t k = 0; k < batch.size(); ++k)
                QVERIFY(reported.emplace(batch[k], answers[k]).second);
        };
        respondJournaled(model_.model, tokenizer_, PromptTemplate::alpaca(), entries_, o, journal, "model_response",
                         {}, nullptr, answered);
        const int64_t batchTokens = 3 * o.maxNewTokens;
        QCOMPARE(tokensBefore, std::vector<int64_t>({0, batchTokens, batchTokens + o.maxNewTokens}));
        QCOMPARE(reported.size(), entries_.size());
        for (const auto& [index, answer] : reported)
            QCOMPARE(answer, uninterrupted_[index]["model_response"].get<std::string>());
    }

    void lineForNoEntryIsAFormatError()
    {
        const std::string path = journalPath("foreign.jsonl");
        writeFileAtomic(path, nlohmann::json{{"identity", kIdentity}}.dump() + "\n" +
                                  nlohmann::json{{"index", 7}, {"answer", "x"}}.dump() + "\n");
        JsonlJournal journal = openJournal(path);
        QVERIFY_THROWS_EXCEPTION(FormatError, run(journal));
    }
};

QTEST_GUILESS_MAIN(TestRespondResume)
#include "test_respond_resume.moc"
