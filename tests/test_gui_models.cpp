// The Models view driven through its widgets: a download from a local stand-in for the hub
// reaches 100% and the model can be used; a cancelled download leaves the model not present
// and downloading again resumes with a Range request; a random-init model folder loads.

#include "core/hub/model_cache.h"
#include "core/hub/model_catalog.h"
#include "core/io/model_folder.h"
#include "tests/support/fake_hub_server.h"
#include "tests/support/test_support.h"
#include "ui/workers/job_runner.h"
#include "ui/views/models_view.h"
#include "ui/studio_state.h"

#include <torch/torch.h>

#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

using namespace sft;
using namespace sft::ui;
using sft::test::FakeHubServer;
using sft::test::fileBytes;
using sft::test::randomBytes;
using sft::test::FileFaults;

namespace {

constexpr int kTimeoutMs = 60000;

template <typename T> T* child(const QWidget& view, const QString& name)
{
    T* found = view.findChild<T*>(name);
    if (!found)
        qFatal("no widget %s", qPrintable(name));
    return found;
}

} // namespace

class TestGuiModels : public QObject {
    Q_OBJECT

private:
    QTemporaryDir home_;
    FakeHubServer server_;
    QByteArray weights_ = randomBytes(3 << 20, 5);

    void serve(const QString& repo)
    {
        server_.addFile(repo, "config.json", "{\"n_layer\": 2}", false);
        server_.addFile(repo, "vocab.json", "{\"!\": 0}", false);
        server_.addFile(repo, "merges.txt", "#version: 0.2\n", false);
        server_.addFile(repo, "model.safetensors", weights_, true);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(home_.isValid());
        qputenv("XDG_CONFIG_HOME", home_.filePath("config").toUtf8());
        qputenv("SFT_CACHE_DIR", home_.filePath("models").toUtf8());
        qputenv("SFT_HF_ENDPOINT", server_.endpoint().toUtf8());
        qputenv("SFT_TOKENIZER_DIR", test::sharedPath("data/gpt2-tokenizer").c_str());
        serve("openai-community/gpt2");
        serve("openai-community/gpt2-medium");
    }

    void downloadReachesOneHundredPercentAndCanBeUsed()
    {
        StudioState state;
        ModelsView view(&state);
        auto* progress = child<QProgressBar>(view, "progress_gpt2-small");
        auto* use = child<QPushButton>(view, "use_gpt2-small");
        QCOMPARE(child<QLabel>(view, "status_gpt2-small")->text(), QString("Not downloaded"));
        QVERIFY(!use->isEnabled());
        // Only what the transfer itself drove the bar to counts, not the finished state.
        JobRunner* job = nullptr;
        for (JobRunner* runner : view.findChildren<JobRunner*>())
            if (runner->name().contains("gpt2-small"))
                job = runner;
        QVERIFY(job);
        int highest = 0;
        connect(progress, &QProgressBar::valueChanged, this, [&](int value) {
            if (job->isRunning())
                highest = std::max(highest, value);
        });

        QTest::mouseClick(child<QPushButton>(view, "download_gpt2-small"), Qt::LeftButton);
        // A finished download becomes the model in use.
        QTRY_COMPARE_WITH_TIMEOUT(child<QLabel>(view, "status_gpt2-small")->text(), QString("Downloaded · in use"),
                                  kTimeoutMs);
        QCOMPARE(highest, progress->maximum());
        const QString folder = home_.filePath("models/gpt2-small");
        QCOMPARE(fileBytes(folder + "/model.safetensors"), weights_);
        QVERIFY(!child<QPushButton>(view, "download_gpt2-small")->isEnabled());
        QCOMPARE(state.modelPath(), folder);

        state.setModelPath({});
        QVERIFY(use->isEnabled());
        QTest::mouseClick(use, Qt::LeftButton);
        QCOMPARE(state.modelPath(), folder);
        QVERIFY(child<QLabel>(view, "modelInUse")->text().contains(folder));
        QCOMPARE(child<QLabel>(view, "status_gpt2-small")->text(), QString("Downloaded · in use"));
    }

    void cancelLeavesTheModelAbsentAndDownloadResumes()
    {
        FileFaults slow;
        slow.bytesPerSecond = 300'000;
        server_.setFaults("model.safetensors", slow);
        StudioState state;
        ModelsView view(&state);
        auto* progress = child<QProgressBar>(view, "progress_gpt2-medium");
        auto* download = child<QPushButton>(view, "download_gpt2-medium");
        auto* cancel = child<QPushButton>(view, "cancel_gpt2-medium");
        auto* status = child<QLabel>(view, "status_gpt2-medium");
        const QString folder = home_.filePath("models/gpt2-medium");

        QTest::mouseClick(download, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(child<QLabel>(view, "transfer_gpt2-medium")->text().startsWith("model.safetensors") &&
                                     progress->value() > 0,
                                 kTimeoutMs);
        QVERIFY(cancel->isEnabled());
        QTest::mouseClick(cancel, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(download->isEnabled(), kTimeoutMs);
        QCOMPARE(status->text(), QString("Partly downloaded (3 of 4 files)"));
        QVERIFY(!child<QPushButton>(view, "use_gpt2-medium")->isEnabled());
        QVERIFY(!QFile::exists(folder + "/model.safetensors"));
        const ModelCache cache(home_.filePath("models").toStdString());
        QVERIFY(!cache.isComplete(*findCatalogModel("gpt2-medium")));
        const qint64 kept = QFileInfo(folder + "/model.safetensors.part").size();
        QVERIFY(kept > 0 && kept < weights_.size());
        QCOMPARE(download->text(), QString("Resume"));

        server_.setFaults("model.safetensors", {});
        QTest::mouseClick(download, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(status->text(), QString("Downloaded · in use"), kTimeoutMs);
        QCOMPARE(state.modelPath(), folder);
        QVERIFY(server_.requests().last().range.startsWith("bytes="));
        QVERIFY(server_.requests().last().range != "bytes=0-");
        QCOMPARE(fileBytes(folder + "/model.safetensors"), weights_);
        QVERIFY(cache.isComplete(*findCatalogModel("gpt2-medium")));
    }

    void randomInitCreatesALoadableModel()
    {
        StudioState state;
        ModelsView view(&state);
        const QString folder = home_.filePath("random-tiny");
        auto* config = child<QComboBox>(view, "initConfigCombo");
        config->setCurrentIndex(config->findText("tiny"));
        child<QSpinBox>(view, "initSeedSpin")->setValue(7);
        auto* edit = child<QLineEdit>(view, "initFolderEdit");
        edit->clear();
        QTest::keyClicks(edit, folder);
        QTest::mouseClick(child<QPushButton>(view, "initCreateButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(child<QLabel>(view, "initStatus")->text().startsWith("Created"), kTimeoutMs);

        const LoadedModel loaded = loadModelFolder(folder.toStdString());
        QCOMPARE(loaded.config.nLayers, int64_t(2)); // the tiny preset: 2 layers of 32 dims
        QCOMPARE(loaded.config.embDim, int64_t(32));
        QCOMPARE(loadTokenizer(folder.toStdString()).encode("Hello world"), (std::vector<int>{15496, 995}));
        int64_t parameters = 0;
        for (const torch::Tensor& p : loaded.model->parameters())
            parameters += p.numel();

        auto* list = child<QTreeWidget>(view, "localModels");
        const QList<QTreeWidgetItem*> items = list->findItems(folder, Qt::MatchExactly, 4);
        QCOMPARE(items.size(), 1);
        QCOMPARE(items.front()->text(1), QLocale().toString(qlonglong(parameters)));

        // A second create into the same folder is refused, and the first model stays.
        QTest::mouseClick(child<QPushButton>(view, "initCreateButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(child<QLabel>(view, "initStatus")->text().startsWith("Could not create"), kTimeoutMs);
        QVERIFY(child<QLabel>(view, "initStatus")->text().contains("already holds a model"));

        list->setCurrentItem(items.front());
        QTest::mouseClick(child<QPushButton>(view, "useLocalButton"), Qt::LeftButton);
        QCOMPARE(state.modelPath(), folder);

        // The list is remembered for the next start.
        ModelsView again(&state);
        QCOMPARE(child<QTreeWidget>(again, "localModels")->findItems(folder, Qt::MatchExactly, 4).size(), 1);
    }
};

QTEST_MAIN(TestGuiModels)
#include "test_gui_models.moc"
