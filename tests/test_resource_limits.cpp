// Inputs far beyond any real run's: a 50 MB string in a dataset, a model config of 10^12
// parameters, weight files that claim a terabyte, a disk that fills up. Each is handled in
// bounded time and memory or refused with a typed error before the memory is spent, and a
// full disk fails the write with the reason and the path and leaves the earlier file whole.

#include "core/data/batcher.h"
#include "core/data/dataset.h"
#include "core/data/prompt_template.h"
#include "core/io/leveldb_table.h"
#include "core/io/model_folder.h"
#include "core/io/safetensors.h"
#include "core/io/tf_checkpoint.h"
#include "core/model/gpt_config.h"
#include "core/tokenizer/tokenizer.h"
#include "core/train/resume_state.h"
#include "core/train/run_directory.h"
#include "core/train/trainer.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "tests/support/test_support.h"
#include "tests/support/tf_checkpoint_writer.h"
#include "tests/support/train_fixture.h"

#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <sys/mount.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

using namespace sft;

namespace {

constexpr size_t kFiftyMegabytes = 50'000'000;
constexpr const char* kDiskFull = "No space left on device";

// Words and spaces, as a pasted book would be.
std::string prose(size_t bytes)
{
    static const std::string words = "The quick brown fox jumps over the lazy dog, and then some more text. ";
    std::string text;
    text.reserve(bytes);
    while (text.size() < bytes)
        text += words;
    text.resize(bytes);
    return text;
}

// Letters without a break: one pre-tokenizer piece that BPE merges as a whole.
std::string oneWord(size_t bytes)
{
    std::string text(bytes, 'a');
    for (size_t i = 0; i < bytes; ++i)
        text[i] = char('a' + (i * 7 + i / 3) % 26);
    return text;
}

int64_t peakMemoryMb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}

const Tokenizer& gpt2Tokenizer()
{
    static const Tokenizer tokenizer = Tokenizer::fromDirectory(test::sharedPath("data/gpt2-tokenizer"));
    return tokenizer;
}

template <class E, class F>
QString errorOf(F&& attempt)
{
    try {
        attempt();
    } catch (const E& e) {
        return QString::fromStdString(e.what());
    }
    return "(nothing was thrown)";
}

std::string littleEndian64(uint64_t v)
{
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i)
        bytes[size_t(i)] = char(v >> (8 * i));
    return bytes;
}

std::string safetensorsWithHeader(const std::string& header, size_t dataBytes)
{
    return littleEndian64(header.size()) + header + std::string(dataBytes, '\0');
}

// A tmpfs of the given size, mounted for the test's lifetime; mounted() is false where this
// process may not mount (not root, or a container without CAP_SYS_ADMIN), with the reason.
class SmallDisk {
public:
    explicit SmallDisk(int64_t bytes)
    {
        const std::string options = "size=" + std::to_string(bytes);
        if (::mount("tmpfs", dir_.path().toLocal8Bit().constData(), "tmpfs", 0, options.c_str()) == 0)
            mounted_ = true;
        else
            reason_ = std::strerror(errno);
    }
    ~SmallDisk()
    {
        if (mounted_)
            ::umount2(dir_.path().toLocal8Bit().constData(), MNT_DETACH);
    }
    SmallDisk(const SmallDisk&) = delete;
    SmallDisk& operator=(const SmallDisk&) = delete;

    bool mounted() const { return mounted_; }
    QString skipReason() const { return "cannot mount a small tmpfs to fill (" + reason_ + "); needs root"; }
    std::string path(const std::string& name) const { return dir_.filePath(QString::fromStdString(name)).toStdString(); }
    QStringList entries() const { return QDir(dir_.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot); }

    // Writes a filler file until the disk takes no more, down to the last page.
    void fill() const
    {
        const int fd = ::open(path("filler").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        QVERIFY(fd >= 0);
        std::string block(1 << 16, 'x');
        for (size_t size = block.size(); size >= 512; size /= 2)
            while (::write(fd, block.data(), size) == ssize_t(size)) {
            }
        ::close(fd);
    }

private:
    QTemporaryDir dir_;
    bool mounted_ = false;
    QString reason_;
};

} // namespace

class TestResourceLimits : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
    }

    // BPE over one piece used to rescan the piece after every join: quadratic, 1 s for 40 kB
    // of letters and hours for megabytes. Now a heap: seconds for 4 MB.
    void aLongWordEncodesInBoundedTime()
    {
        const std::string word = oneWord(4'000'000);
        QElapsedTimer timer;
        timer.start();
        const std::vector<int> ids = gpt2Tokenizer().encode(word);
        const qint64 ms = timer.elapsed();
        qInfo("4 MB without a break: %zu tokens in %lld ms", ids.size(), ms);
        QVERIFY2(ms < 60'000, qPrintable(QString::number(ms) + " ms"));
        QCOMPARE(gpt2Tokenizer().decode(ids), word);
    }

    // 50 MB in one entry loads (as JSON and as one JSONL line), tokenizes in seconds, and its
    // batch is max_length wide; the row is cut before it is built, never padded to 50 MB first.
    void aFiftyMegabyteEntryLoadsAndTrainsTruncated()
    {
        QTemporaryDir dir;
        const nlohmann::json huge = {{"instruction", "Summarize."}, {"input", ""}, {"output", prose(kFiftyMegabytes)}};
        const nlohmann::json small = {{"instruction", "Say hi."}, {"input", ""}, {"output", "Hi."}};
        const std::string jsonl = dir.filePath("huge.jsonl").toStdString();
        writeFileAtomic(jsonl, huge.dump() + "\n" + small.dump() + "\n");
        const std::string array = dir.filePath("huge.json").toStdString();
        writeFileAtomic(array, nlohmann::json::array({huge, small}).dump());

        QElapsedTimer timer;
        timer.start();
        const Dataset fromLines = loadDataset(jsonl);
        const qint64 loadMs = timer.restart();
        QCOMPARE(fromLines.entries.size(), size_t(2));
        QCOMPARE(fromLines.entries[0].output.size(), kFiftyMegabytes);
        const Dataset fromArray = loadDataset(array);
        QCOMPARE(fromArray.entries[0].output, fromLines.entries[0].output);
        timer.restart();
        const std::vector<Example> examples =
            tokenizeEntries(fromLines.entries, PromptTemplate::alpaca(), gpt2Tokenizer());
        const qint64 tokenizeMs = timer.restart();
        CollateOptions options;
        options.allowedMaxLength = 1024;
        const Batch batch = collate({&examples[0], &examples[1]}, options);
        const qint64 collateMs = timer.elapsed();
        qInfo("50 MB entry: loaded in %lld ms, %zu tokens in %lld ms, collated in %lld ms, peak %lld MB", loadMs,
              examples[0].ids.size(), tokenizeMs, collateMs, (long long)peakMemoryMb());
        QCOMPARE(batch.inputs.sizes().vec(), (std::vector<int64_t>{2, 1024}));
        QCOMPARE(batch.targets.sizes().vec(), (std::vector<int64_t>{2, 1024}));
        QCOMPARE(batch.inputs[0][1023].item<int64_t>(), examples[0].ids[1023]);
        QCOMPARE(batch.targets[0][1023].item<int64_t>(), examples[0].ids[1024]);
        QVERIFY2(tokenizeMs < 120'000 && collateMs < 10'000, qPrintable(QString::number(tokenizeMs)));
    }

    void aTrillionParameterConfigIsRefusedBeforeAllocating()
    {
        QTemporaryDir dir;
        const nlohmann::json config = {{"model_type", "gpt2"}, {"n_embd", 32768}, {"n_layer", 80}, {"n_head", 64},
                                       {"n_positions", 1024},  {"vocab_size", 50257}};
        writeFileAtomic(dir.filePath("config.json").toStdString(), config.dump());
        writeSafetensors(dir.filePath("model.safetensors").toStdString(), {{"wte.weight", torch::zeros({2, 2})}});
        const int64_t before = peakMemoryMb();
        const QString read = errorOf<WeightsError>([&] { readModelConfig(dir.path().toStdString()); });
        QVERIFY2(read.contains("1034.") && read.contains("billion parameters") && read.contains("GB in float32") &&
                     read.contains("the limit is 10 billion"),
                 qPrintable(read));
        const QString load = errorOf<WeightsError>([&] { loadModelFolder(dir.path().toStdString()); });
        QVERIFY2(load.contains("billion parameters"), qPrintable(load));
        QVERIFY(peakMemoryMb() - before < 100);
    }

    void outOfRangeConfigValuesAreRefused_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("negative") << "n_embd" << "-768" << "embedding size is -768; it must be between 1 and";
        QTest::newRow("zero") << "n_layer" << "0" << "layer count is 0; it must be between 1 and";
        QTest::newRow("int64 max") << "vocab_size" << "9223372036854775807" << "vocab size is 9223372036854775807";
        QTest::newRow("uint64 max") << "n_embd" << "18446744073709551615" << "beyond any model's size";
        QTest::newRow("a huge float") << "n_positions" << "1e30" << "must be an integer";
        QTest::newRow("a float") << "n_layer" << "12.5" << "must be an integer";
        QTest::newRow("a string") << "n_head" << "\"12\"" << "must be an integer";
        QTest::newRow("huge context") << "n_positions" << "1099511627776" << "context length is 1099511627776";
    }

    void outOfRangeConfigValuesAreRefused()
    {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(QString, expected);
        nlohmann::json config = GptConfig::preset("gpt2-small").toHfJson();
        const std::string text = config.dump();
        const std::string key = "\"" + field.toStdString() + "\":";
        const size_t at = text.find(key) + key.size();
        const std::string edited = text.substr(0, at) + value.toStdString() + text.substr(text.find_first_of(",}", at));
        const QString message = errorOf<FormatError>([&] { GptConfig::fromHfJson(nlohmann::json::parse(edited)); });
        QVERIFY2(message.contains(expected), qPrintable(message));
    }

    void safetensorsThatClaimATerabyteAreRefused_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        QTest::newRow("header length 2^63")
            << QByteArray::fromStdString(littleEndian64(uint64_t(1) << 63) + "{}      ") << "runs past the end";
        QTest::newRow("1 TB tensor")
            << QByteArray::fromStdString(safetensorsWithHeader(
                   R"({"w":{"dtype":"F32","shape":[262144,1048576],"data_offsets":[0,1099511627776]}})", 16))
            << "past the 16-byte data section";
        QTest::newRow("shape overflowing 64 bits")
            << QByteArray::fromStdString(safetensorsWithHeader(
                   R"({"w":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,16]}})", 16))
            << "does not fill data_offsets [0, 16]";
        QTest::newRow("offsets beyond 64 bits")
            << QByteArray::fromStdString(safetensorsWithHeader(
                   R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,18446744073709551616]}})", 16))
            << "must be a non-negative integer";
    }

    void safetensorsThatClaimATerabyteAreRefused()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const std::string path = dir.filePath("model.safetensors").toStdString();
        writeFileAtomic(path, bytes.toStdString());
        const int64_t before = peakMemoryMb();
        const QString message = errorOf<WeightsError>([&] { readSafetensors(path); });
        QVERIFY2(message.contains(QString::fromStdString(path)) && message.contains(expected), qPrintable(message));
        QVERIFY(peakMemoryMb() - before < 100);
    }

    void tfCheckpointsThatClaimATerabyteAreRefused()
    {
        QTemporaryDir dir;
        const std::string prefix = dir.filePath("model.ckpt").toStdString();
        test::TfCheckpointWriter writer;
        writer.add("model/wte", torch::ones({4, 2}));
        writer.claimOffset("model/wte", uint64_t(1) << 40);
        writer.write(prefix);
        const QString farData = errorOf<WeightsError>([&] { readTfCheckpoint(prefix); });
        QVERIFY2(farData.contains("at offset 1099511627776 lie past the end"), qPrintable(farData));

        writer.claimOffset("model/wte", 0);
        writer.write(prefix);
        std::string index = readFile(prefix + ".index");
        const size_t body = index.size() - kLevelDbFooterBytes;
        index = index.substr(0, body) + test::levelDbFooter(0, 8, 0, uint64_t(1) << 62);
        writeFileAtomic(prefix + ".index", index);
        const QString farBlock = errorOf<WeightsError>([&] { readTfCheckpoint(prefix); });
        QVERIFY2(farBlock.contains("(4611686018427387904 bytes) lies past the end"), qPrintable(farBlock));
    }

    // Without a disk to fill, /dev/full still makes a write fail as a full disk does.
    void aWriteToAFullDeviceSaysSo()
    {
        if (!QFile::exists("/dev/full"))
            QSKIP("no /dev/full here");
        const QString message = errorOf<IoError>([] { appendLine("/dev/full", "{\"step\": 1}"); });
        QVERIFY2(message.contains("/dev/full") && message.contains(kDiskFull), qPrintable(message));
    }

    void aFullDiskKeepsTheEarlierFile()
    {
        SmallDisk disk(2 << 20);
        if (!disk.mounted())
            QSKIP(qPrintable(disk.skipReason()));
        const std::string scores = disk.path("scores.json"), weights = disk.path("model.safetensors");
        writeFileAtomic(scores, "version 1\n");
        writeSafetensors(weights, {{"w", torch::ones({4})}});
        const std::string weightsBefore = readFile(weights);
        disk.fill();

        const QString text = errorOf<IoError>([&] { writeFileAtomic(scores, std::string(1 << 20, 's')); });
        QVERIFY2(text.contains(QString::fromStdString(scores)) && text.contains(kDiskFull), qPrintable(text));
        QCOMPARE(readFile(scores), std::string("version 1\n"));
        const QString tensors =
            errorOf<IoError>([&] { writeSafetensors(weights, {{"w", torch::ones({1 << 18})}}); });
        QVERIFY2(tensors.contains(QString::fromStdString(weights)) && tensors.contains(kDiskFull), qPrintable(tensors));
        QCOMPARE(readFile(weights), weightsBefore);
        QCOMPARE(disk.entries(), (QStringList{"filler", "model.safetensors", "scores.json"})); // no temporary left
    }

    // A line is appended whole or not at all, so that the lines after a full disk stay readable.
    void aFullDiskLeavesNoHalfLine()
    {
        SmallDisk disk(1 << 20);
        if (!disk.mounted())
            QSKIP(qPrintable(disk.skipReason()));
        const std::string journal = disk.path("scores.json.journal.jsonl");
        appendLine(journal, "{\"index\": 0}");
        disk.fill();
        const std::string longLine = nlohmann::json{{"index", 1}, {"reply", std::string(1 << 16, 'r')}}.dump();
        const QString message = errorOf<IoError>([&] { appendLine(journal, longLine); });
        QVERIFY2(message.contains(QString::fromStdString(journal)) && message.contains(kDiskFull), qPrintable(message));
        QCOMPARE(readFile(journal), std::string("{\"index\": 0}\n"));
        QFile::remove(QString::fromStdString(disk.path("filler")));
        appendLine(journal, "{\"index\": 1}");
        QCOMPARE(readFile(journal), std::string("{\"index\": 0}\n{\"index\": 1}\n"));
    }

    // The second checkpoint does not fit: the run stops with the reason, the first checkpoint
    // and the logs stay loadable, and nothing half-written is left to fill the disk further.
    void aRunWhoseCheckpointFillsTheDiskStopsCleanly()
    {
        const int64_t checkpointBytes = test::tinyTrainConfig().parameterCount() * 4 * 3 + (2 << 20);
        SmallDisk disk(checkpointBytes * 3 / 2 + (4 << 20));
        if (!disk.mounted())
            QSKIP(qPrintable(disk.skipReason()));
        TrainInputs inputs = test::tinyInputs();
        TrainOptions options;
        options.batchSize = 2;
        options.maxLength = 32;
        options.evalFreq = 1000;
        options.evalIter = 1;
        options.sampleTokens = 1;
        options.saveEvery = 2;
        options.keepLast = 0;
        options.maxSteps = 6;
        options.memoryCheck = false;
        const std::string runDir = disk.path("run");
        test::Recorder recorder;
        const QString message = errorOf<IoError>([&] { train(inputs, options, runDir, recorder, nullptr); });
        QVERIFY2(message.contains(kDiskFull) && message.contains(QString::fromStdString(runDir)), qPrintable(message));

        const RunDirectory run = RunDirectory::open(runDir);
        QVERIFY(run.readSteps().size() >= 4);
        QVERIFY(!run.readMetrics().empty());
        const QStringList checkpoints =
            QDir(QString::fromStdString(run.checkpointsPath())).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
        QCOMPARE(checkpoints, QStringList{"step-000002"});
        const std::string kept = run.checkpointPath("step-000002");
        QCOMPARE(readTrainingState(kept).stepsDone, int64_t(2));
        QCOMPARE(loadModelFolder(kept).config.embDim, test::tinyTrainConfig().embDim);
    }
};

QTEST_GUILESS_MAIN(TestResourceLimits)
#include "test_resource_limits.moc"
