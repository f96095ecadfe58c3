// respondJournaled: the answers of respond(), each batch's kept in a journal as soon as it is
// decoded; a run stopped after a batch, or killed while writing one, continues with the batches
// still missing and ends with exactly the answers of an uninterrupted run. The models the app
// keeps loaded between answering jobs (LoadedModels): a folder asked for twice, even at once, is
// loaded once; one rewritten on disk is loaded again; beyond the limit the oldest unused goes.

#include "core/data/dataset.h"
#include "core/generate/responder.h"
#include "core/io/model_folder.h"
#include "core/jobs/loaded_models.h"
#include "core/jobs/respond_job.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "tests/support/model_fixture.h"
#include "tests/support/test_support.h"

#include <QScopeGuard>
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

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
    std::string folder_;
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
        folder_ = test::makeTinyModelFolder(tmp_.filePath("model"));
        model_ = loadModelFolder(folder_);
        tokenizer_ = loadTokenizer(folder_);
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

    // Two threads ask for one folder at once: it is loaded once, the second waiting for the
    // first, and both get the same model; asked for again (spelled otherwise), it is not loaded.
    void aFolderAskedForTwiceAtOnceLoadsOnce()
    {
        std::atomic<int> loaderCalls{0};
        std::atomic<bool> release{false};
        LoadedModels models(2, [&](const std::string& folder, const std::string& tokenizerDir) {
            ++loaderCalls;
            while (!release) // the second asks while this loads
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            return loadForInference(folder, tokenizerDir);
        });
        std::shared_ptr<const InferenceModel> first, second;
        {
            std::vector<std::thread> threads;
            const auto releaseAndJoin = qScopeGuard([&] {
                release = true;
                for (std::thread& t : threads)
                    t.join();
            });
            threads.emplace_back([&] { first = models.get(folder_); });
            QTRY_COMPARE(models.loads(), size_t(1));
            QVERIFY(!models.isLoaded(folder_));
            threads.emplace_back([&] { second = models.get(folder_); });
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        QCOMPARE(loaderCalls.load(), 1);
        QVERIFY(first && first == second);
        QVERIFY(models.isLoaded(folder_));
        QVERIFY(models.get(folder_ + "/") == first);
        QVERIFY(models.get(tmp_.filePath("./model").toStdString()) == first);
        QCOMPARE(models.loads(), size_t(1));
        QVERIFY(!first->weights.model->is_training());
    }

    // A checkpoint written again (new weights in model.safetensors) is loaded again; the job that
    // holds the old model keeps it.
    void aFolderChangedOnDiskIsLoadedAgain()
    {
        const QString folder = tmp_.filePath("rewritten");
        test::makeTinyModelFolder(folder, 1);
        LoadedModels models;
        const auto before = models.get(folder.toStdString());
        QVERIFY(models.get(folder.toStdString()) == before);
        test::makeTinyModelFolder(folder, 2);
        QVERIFY(!models.isLoaded(folder.toStdString()));
        const auto after = models.get(folder.toStdString());
        QCOMPARE(models.loads(), size_t(2));
        QVERIFY(after != before);
        const torch::Tensor oldWeights = before->weights.model->parameters().front();
        const torch::Tensor newWeights = after->weights.model->parameters().front();
        QVERIFY(!torch::equal(oldWeights, newWeights));
        QVERIFY(torch::equal(newWeights, loadModelFolder(folder.toStdString()).model->parameters().front()));
        QVERIFY(models.get(folder.toStdString()) == after);
        QCOMPARE(models.loads(), size_t(2));
        QCOMPARE(models.size(), size_t(1));
    }

    // Two models at most: a third pushes out the least recently used one no job holds; when
    // every one is held, the cache lets go of the oldest, which its job keeps using.
    void beyondTheLimitTheOldestUnusedGoes()
    {
        const std::string a = folder_;
        const std::string b = test::makeTinyModelFolder(tmp_.filePath("evict-b"), 2);
        const std::string c = test::makeTinyModelFolder(tmp_.filePath("evict-c"), 3);
        LoadedModels models(2);
        auto heldA = models.get(a);
        models.get(b);
        models.get(c); // b is newer than a, but a is held
        QCOMPARE(models.size(), size_t(2));
        QVERIFY(models.isLoaded(a));
        QVERIFY(!models.isLoaded(b));
        QVERIFY(models.isLoaded(c));

        heldA.reset();
        auto heldB = models.get(b); // now a is the oldest and unused
        QVERIFY(!models.isLoaded(a));
        QVERIFY(models.isLoaded(c));
        auto heldC = models.get(c);
        auto heldA2 = models.get(a); // b and c held: the cache lets go of b, the older
        QCOMPARE(models.size(), size_t(2));
        QVERIFY(!models.isLoaded(b));
        QVERIFY(models.isLoaded(c) && models.isLoaded(a));
        QCOMPARE(models.loads(), size_t(5));
        std::vector<int64_t> prompt = {1, 2, 3};
        GenerationOptions o = options();
        Gpt stillHeld = heldB->weights.model;
        QCOMPARE(generate(stillHeld, {prompt}, o).front().size(), size_t(o.maxNewTokens));
    }

    // Playground and Evaluate may answer with one loaded model at once: each answers as alone,
    // and the model stays in eval mode.
    void oneLoadedModelAnswersTwoJobsAtOnce()
    {
        LoadedModels models;
        const auto shared = models.get(folder_);
        std::vector<nlohmann::json> answers(2);
        {
            std::vector<std::thread> threads;
            for (size_t i = 0; i < answers.size(); ++i)
                threads.emplace_back([&, i] {
                    Gpt model = shared->weights.model;
                    answers[i] = respond(model, shared->tokenizer, PromptTemplate::alpaca(), entries_, options());
                });
            for (std::thread& t : threads)
                t.join();
        }
        for (const nlohmann::json& a : answers)
            QVERIFY(a == uninterrupted_);
        QVERIFY(!shared->weights.model->is_training());
    }

    // respond's job with the app's cache: the second job takes the model the first one loaded,
    // and both answer as a job that loads it itself.
    void answeringJobsShareTheLoadedModel()
    {
        RespondJob job;
        job.model = folder_;
        job.data = test::writeChapterSlice(tmp_.filePath("job-data.json"), 70);
        job.split = "test";
        job.generation = options();
        job.earlier = RespondJob::Earlier::Restart;
        job.out = tmp_.filePath("alone.json").toStdString();
        runResponding(job);
        LoadedModels models;
        for (const char* out : {"cached-1.json", "cached-2.json"}) {
            job.out = tmp_.filePath(out).toStdString();
            QCOMPARE(runResponding(job, {}, nullptr, &models), size_t(7));
            QCOMPARE(readFile(job.out), readFile(tmp_.filePath("alone.json").toStdString()));
        }
        QCOMPARE(models.loads(), size_t(1));
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
