#include "ui/views/judge_panel.h"

#include "core/judge/api_key_file.h"
#include "core/judge/judge_settings.h"
#include "core/judge/scores_file.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "ui/views/judge_prompt_dialog.h"
#include "ui/views/settings_form.h"
#include "ui/workers/judge_worker.h"
#include "ui/named.h"
#include "ui/remembered_judge.h"
#include "ui/charts/score_histogram_chart.h"
#include "ui/scores_location.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QVBoxLayout>

#include <algorithm>

namespace sft::ui {

namespace {

enum PromptChoice { ChapterPrompt, RubricPrompt, CustomPrompt };

QString shownPath(const QString& path) { return QDir::toNativeSeparators(QDir::cleanPath(path)); }

QString number(double value, int decimals = 1) { return QString::number(value, 'f', decimals); }

QString unscoredText(const std::vector<EntryScore>& entries)
{
    QStringList parts;
    for (ScoreStatus status : {ScoreStatus::Unparseable, ScoreStatus::Failed, ScoreStatus::Pending}) {
        const auto n = std::count_if(entries.begin(), entries.end(), [&](const EntryScore& e) { return e.status == status; });
        if (n)
            parts << QStringLiteral("%1 %2").arg(n).arg(QString::fromStdString(scoreStatusName(status)));
    }
    return parts.join(QStringLiteral(", "));
}

QString summaryText(const std::vector<EntryScore>& entries, const ScoreStats& s)
{
    if (entries.empty())
        return {};
    QString text = QObject::tr("Scored %1 of %2").arg(s.scored).arg(entries.size());
    if (s.scored > 0) {
        text += QObject::tr(": mean <b>%1</b> (95% CI %2–%3), median %4")
                    .arg(number(s.mean), number(s.ciLow), number(s.ciHigh), number(s.median));
        if (s.scored > 1)
            text += QObject::tr(", sd %1").arg(number(s.stddev));
    }
    const QString unscored = unscoredText(entries);
    if (!unscored.isEmpty())
        text += QObject::tr(".<br>Not scored: %1 (left out of the mean, not counted as 0)").arg(unscored);
    if (s.sampledEntries)
        text += QObject::tr(".<br>The judge's own spread: mean sd %1, widest range %2 (entry %3)")
                    .arg(number(s.meanSampleStddev))
                    .arg(number(s.maxSampleRange, 0))
                    .arg(s.maxRangeIndex);
    return text;
}

std::vector<std::optional<double>> scoresOf(const std::vector<EntryScore>& entries)
{
    std::vector<std::optional<double>> scores;
    for (const EntryScore& e : entries)
        scores.push_back(e.status == ScoreStatus::Scored ? e.score : std::nullopt);
    return scores;
}

} // namespace

JudgePanel::JudgePanel(StudioState* state, QWidget* parent)
    : QWidget(parent),
      state_(state),
      worker_(new JudgeWorker(state, this)),
      url_(named(new QLineEdit(this), "judgeUrlEdit")),
      api_(named(new QComboBox(this), "judgeApiCombo")),
      apiKey_(named(new QLineEdit(this), "judgeApiKeyEdit")),
      rememberKey_(named(new QCheckBox(tr("Remember"), this), "rememberKeyCheck")),
      model_(named(new QComboBox(this), "judgeModelCombo")),
      refresh_(named(new QPushButton(tr("Refresh"), this), "refreshModelsButton")),
      pull_(named(new QPushButton(tr("Pull"), this), "pullButton")),
      server_(named(new QLabel(this), "judgeServerLabel")),
      promptChoice_(named(new QComboBox(this), "judgePromptCombo")),
      editPrompt_(named(new QPushButton(tr("View / edit…"), this), "editPromptButton")),
      sampling_(new SettingsForm(settingsWithFlags(judgeSettings().infos(), {"samples", "temperature"}), this)),
      score_(named(new QPushButton(tr("Score answers"), this), "scoreButton")),
      cancel_(named(new QPushButton(tr("Cancel"), this), "judgeCancelButton")),
      progress_(named(new QProgressBar(this), "judgeProgress")),
      status_(named(new QLabel(this), "judgeStatus")),
      summary_(named(new QLabel(this), "scoreSummary")),
      histogram_(named(new ScoreHistogramChart(this), "scoreHistogram"))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(buildServerBox());
    layout->addWidget(buildScoringBox());
    layout->addWidget(histogram_, 1);

    connect(refresh_, &QPushButton::clicked, this, &JudgePanel::refreshModels);
    connect(pull_, &QPushButton::clicked, this, &JudgePanel::pullModel);
    connect(score_, &QPushButton::clicked, this, &JudgePanel::score);
    connect(cancel_, &QPushButton::clicked, this, &JudgePanel::cancel);
    connect(url_, &QLineEdit::editingFinished, this, [this] {
        loadRememberedKey();
        refreshModels();
    });
    connect(api_, &QComboBox::activated, this, [this] {
        updateEnabled();
        refreshModels();
    });
    connect(apiKey_, &QLineEdit::editingFinished, this, &JudgePanel::storeKey);
    connect(rememberKey_, &QCheckBox::clicked, this, &JudgePanel::storeKey);
    connect(promptChoice_, &QComboBox::activated, this, &JudgePanel::choosePrompt);
    connect(editPrompt_, &QPushButton::clicked, this, &JudgePanel::editPrompt);
    connect(model_, &QComboBox::currentTextChanged, this, [this] { updateEnabled(); });
    connectWorker();
    updateEnabled();
}

JudgePanel::~JudgePanel()
{
    saveSettings();
}

QWidget* JudgePanel::buildServerBox()
{
    const RememberedJudge remembered = rememberedJudge();
    url_->setText(QString::fromStdString(remembered.server.url));
    url_->setToolTip(tr("Ollama (default port 11434), or an OpenAI-compatible server such as llama.cpp's "
                        "llama-server, vLLM or LM Studio"));
    api_->addItem(tr("Ollama"), "ollama");
    api_->addItem(tr("OpenAI-compatible"), "openai");
    api_->setCurrentIndex(std::max(0, api_->findData(QString::fromStdString(judgeApiName(remembered.server.api)))));
    apiKey_->setEchoMode(QLineEdit::Password);
    apiKey_->setPlaceholderText(tr("only if the server asks for one"));
    apiKey_->setToolTip(tr("Sent as a bearer token, to this server only. Kept for this session, unless Remember "
                           "is ticked."));
    rememberKey_->setToolTip(tr("Keep the key for this server address in %1, a file only you can read")
                                 .arg(QDir::toNativeSeparators(judgeKeyStorePath())));
    loadRememberedKey();
    model_->setEditable(true);
    model_->setCurrentText(QString::fromStdString(remembered.model));
    model_->setMinimumContentsLength(14);
    model_->setToolTip(tr("The judge model as the server names it; the list is what the server has"));
    pull_->setToolTip(tr("Download the model into Ollama (llama3 is about 4.7 GB)"));
    server_->setWordWrap(true);
    server_->setTextFormat(Qt::PlainText);

    auto* box = new QGroupBox(tr("Judge server"), this);
    auto* form = new QFormLayout(box);
    auto* urlRow = new QHBoxLayout;
    urlRow->addWidget(url_, 1);
    urlRow->addWidget(api_);
    form->addRow(tr("URL:"), urlRow);
    auto* keyRow = new QHBoxLayout;
    keyRow->addWidget(apiKey_, 1);
    keyRow->addWidget(rememberKey_);
    form->addRow(tr("API key:"), keyRow);
    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(model_, 1);
    modelRow->addWidget(refresh_);
    modelRow->addWidget(pull_);
    form->addRow(tr("Model:"), modelRow);
    form->addRow(server_);
    return box;
}

QWidget* JudgePanel::buildScoringBox()
{
    const QSettings settings;
    promptChoice_->addItem(tr("Chapter (comparable with the book)"), "chapter");
    promptChoice_->addItem(tr("Rubric (reason first, anchored bands)"), "rubric");
    promptChoice_->setCurrentIndex(settings.value("judge/prompt") == "rubric" ? RubricPrompt : ChapterPrompt);
    score_->setToolTip(tr("Ask the judge to score every answer from 0 to 100 against the reference; stopped runs "
                          "continue where they stopped"));
    progress_->setTextVisible(true);
    status_->setWordWrap(true);
    status_->setTextFormat(Qt::PlainText);
    summary_->setWordWrap(true);
    summary_->setTextFormat(Qt::RichText);

    auto* box = new QGroupBox(tr("Scoring"), this);
    auto* form = new QFormLayout(box);
    auto* promptRow = new QHBoxLayout;
    promptRow->addWidget(promptChoice_, 1);
    promptRow->addWidget(editPrompt_);
    form->addRow(tr("Prompt:"), promptRow);
    sampling_->addRows(form, "");
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(score_, 1);
    buttons->addWidget(cancel_);
    form->addRow(buttons);
    form->addRow(progress_);
    form->addRow(status_);
    form->addRow(summary_);
    return box;
}

void JudgePanel::connectWorker()
{
    connect(worker_, &JudgeWorker::listed, this, [this](const QString& version, const QStringList& names) {
        const QString typed = model_->currentText();
        model_->clear();
        model_->addItems(names);
        model_->setCurrentText(typed);
        std::vector<JudgeModel> models;
        for (const QString& n : names)
            models.push_back({n.toStdString(), {}, 0});
        const QString where = version.isEmpty() ? url_->text() : tr("Ollama %1 at %2").arg(version, url_->text());
        QString text = names.size() == 1 ? tr("%1: 1 model.").arg(where) : tr("%1: %2 models.").arg(where).arg(names.size());
        if (!typed.isEmpty() && !findModel(models, typed.toStdString()))
            text += ' ' + tr("It does not have '%1': pull it, or pick one of the list.").arg(typed);
        server_->setText(text);
    });
    connect(worker_, &JudgeWorker::pullProgressed, this, [this](const QString& status, qint64 done, qint64 total) {
        progress_->setRange(0, total > 0 ? 1000 : 0);
        if (total > 0)
            progress_->setValue(int(done * 1000 / total));
        setStatus(tr("Pulling %1: %2").arg(model_->currentText(), status));
    });
    connect(worker_, &JudgeWorker::scoringProgressed, this, [this](qint64 done, qint64 total) {
        progress_->setRange(0, int(total));
        progress_->setValue(int(done));
        progress_->setFormat(tr("%v of %m answers"));
    });
    connect(worker_, &JudgeWorker::note, this, &JudgePanel::setStatus);
    connect(worker_, &JudgeWorker::entryScored, this, [this](const EntryScore& entry, const ScoreStats& stats) {
        while (entries_.size() <= entry.index) {
            entries_.emplace_back();
            entries_.back().index = entries_.size() - 1;
        }
        entries_[entry.index] = entry;
        summary_->setText(summaryText(entries_, stats));
        histogram_->setStats(stats);
        Q_EMIT scoresChanged(scoresOf(entries_));
    });
    connect(worker_, &JudgeWorker::scored, this, [this](const ScoreRunResult& result) {
        showEntries(result.entries, result.stats);
        setStatus(tr("Judged %1 answers now, %2 kept from earlier; saved in %3")
                      .arg(result.judged)
                      .arg(result.reused)
                      .arg(shownPath(scoresPath())));
    });
    connect(worker_, &JudgeWorker::finished, this, &JudgePanel::onFinished);
}

void JudgePanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (!probed_)
        refreshModels();
}

JudgeServer JudgePanel::server() const
{
    JudgeServer s;
    s.url = url_->text().trimmed().toStdString();
    s.api = judgeApiByName(api_->currentData().toString().toStdString());
    s.apiKey = apiKey_->text().toStdString();
    return s;
}

ScoreSettings JudgePanel::scoreSettings() const
{
    ScoreSettings settings = judgeSettings().read(sampling_->values());
    settings.model = model_->currentText().trimmed().toStdString();
    settings.prompt = prompt();
    return settings;
}

JudgePrompt JudgePanel::prompt() const
{
    switch (promptChoice_->currentIndex()) {
    case RubricPrompt: return JudgePrompt::rubric();
    case CustomPrompt: return customPrompt_ ? *customPrompt_ : JudgePrompt::chapter();
    default: return JudgePrompt::chapter();
    }
}

void JudgePanel::choosePrompt(int)
{
    setResponses(responses_, key_);
}

void JudgePanel::editPrompt()
{
    JudgePromptDialog dialog(prompt(), this);
    if (dialog.exec() != QDialog::Accepted || !dialog.result())
        return;
    const JudgePrompt chosen = *dialog.result();
    if (chosen.name() == "custom") {
        customPrompt_ = chosen;
        if (promptChoice_->count() == CustomPrompt)
            promptChoice_->addItem(tr("Custom (edited)"), "custom");
        promptChoice_->setCurrentIndex(CustomPrompt);
    }
    setResponses(responses_, key_);
}

QString JudgePanel::scoresPath() const
{
    if (responses_.isEmpty())
        return {};
    return scoresPathFor(responses_, key_, model_->currentText().trimmed(), QString::fromStdString(prompt().name()));
}

void JudgePanel::setResponses(const QString& path, const QString& key)
{
    if (worker_->isRunning() && job_ == "score")
        return;
    responses_ = path;
    key_ = key;
    showEntries({}, {});
    shown_.clear();
    if (!path.isEmpty()) {
        const QString mine = scoresPath();
        const QStringList stored = scoresFilesFor(path, key);
        if (stored.contains(mine))
            showStored(mine);
        else if (!stored.isEmpty())
            showStored(stored.front());
    }
    updateEnabled();
}

void JudgePanel::showStored(const QString& scoresFile)
{
    StoredScores stored;
    try {
        stored = loadStoredScores(scoresFile.toStdString());
    } catch (const std::exception& e) {
        setStatus(QString::fromStdString(e.what()));
        return;
    }
    showEntries(stored.entries, statsOf(stored.entries));
    shown_ = scoresFile;
    setStatus(tr("Scores by %1 with the %2 prompt, from %3")
                  .arg(QString::fromStdString(stored.setup.model), QString::fromStdString(stored.setup.promptName),
                       shownPath(scoresFile)));
}

void JudgePanel::showEntries(const std::vector<EntryScore>& entries, const ScoreStats& stats)
{
    entries_ = entries;
    summary_->setText(summaryText(entries_, stats));
    histogram_->setStats(stats);
    Q_EMIT scoresChanged(scoresOf(entries_));
}

void JudgePanel::setAnswersBusy(bool busy)
{
    answersBusy_ = busy;
    updateEnabled();
}

void JudgePanel::refreshModels()
{
    probed_ = true;
    if (worker_->isRunning())
        return;
    server_->setText(tr("Asking %1…").arg(url_->text()));
    try {
        worker_->startListing(server());
    } catch (const std::exception& e) {
        server_->setText(QString::fromStdString(e.what()));
        return;
    }
    setJob("list");
}

void JudgePanel::pullModel()
{
    const QString model = model_->currentText().trimmed();
    if (worker_->isRunning() || model.isEmpty())
        return;
    progress_->setRange(0, 0);
    progress_->setFormat(QStringLiteral("%p%"));
    setStatus(tr("Pulling %1…").arg(model));
    worker_->startPull(server(), model);
    setJob("pull");
}

// Stored scores made with another prompt text, options or model are not mixed with new ones:
// the user decides whether to discard them.
bool JudgePanel::confirmSetup(const QString& out, bool& restart)
{
    restart = false;
    if (!QFileInfo::exists(out))
        return true;
    StoredScores stored;
    try {
        stored = loadStoredScores(out.toStdString());
    } catch (const std::exception&) {
        return true; // the core's own check names the problem
    }
    const ScoreSetup& s = stored.setup;
    const ScoreSettings chosen = scoreSettings();
    const bool same = s.responsesSha256 == sha256OfFile(responses_.toStdString()) &&
                      s.promptText == chosen.prompt.text() && s.samples == chosen.samples &&
                      s.options.temperature == chosen.options.temperature && s.model == chosen.model;
    if (same)
        return true;
    const auto answer = QMessageBox::question(
        this, tr("Judge again?"),
        tr("%1 holds scores made for other answers, or with another prompt text, model or sampling setting. Discard "
           "them and judge every answer again?")
            .arg(shownPath(out)));
    restart = answer == QMessageBox::Yes;
    return restart;
}

void JudgePanel::score()
{
    if (worker_->isRunning())
        return;
    if (responses_.isEmpty()) {
        setStatus(tr("Generate answers or open a responses file first."));
        return;
    }
    ScoreSettings settings = scoreSettings();
    settings.responsesPath = responses_.toStdString();
    settings.responseKey = key_.toStdString();
    settings.outPath = scoresPath().toStdString();
    if (!confirmSetup(scoresPath(), settings.restart))
        return;
    // The worker's statistics start from the scores already in OUT, and only those.
    if (settings.restart || shown_ != scoresPath())
        showEntries({}, {});
    shown_ = scoresPath();
    progress_->setRange(0, 0);
    setStatus(tr("Asking %1 to judge the answers…").arg(model_->currentText()));
    try {
        worker_->startScoring(server(), settings, entries_);
    } catch (const std::exception& e) {
        setStatus(QString::fromStdString(e.what()));
        return;
    }
    setJob("score");
}

void JudgePanel::cancel()
{
    worker_->cancel();
}

void JudgePanel::onFinished(bool ok, bool cancelled, const QString& error)
{
    const QString job = job_;
    setJob({});
    if (job == "list") {
        if (!ok && !cancelled)
            server_->setText(tr("No judge server answers at %1 (%2). Start it (for Ollama: 'ollama serve') or "
                                "change the URL; everything else works without it.")
                                 .arg(url_->text(), error));
        return;
    }
    if (job == "pull") {
        setStatus(ok ? tr("Pulled %1.").arg(model_->currentText())
                     : cancelled ? tr("Pull cancelled.") : tr("Pull failed: %1").arg(error));
        if (ok)
            refreshModels();
        return;
    }
    if (ok)
        return;
    if (QFileInfo::exists(scoresPath()))
        showStored(scoresPath());
    const size_t scored = std::count_if(entries_.begin(), entries_.end(),
                                        [](const EntryScore& e) { return e.status == ScoreStatus::Scored; });
    setStatus(cancelled ? tr("Stopped. %1 of %2 scores are saved; Score answers continues where this stopped.")
                              .arg(scored)
                              .arg(entries_.size())
                        : tr("Scoring stopped: %1").arg(error));
}

void JudgePanel::setJob(const QString& job)
{
    job_ = job;
    updateEnabled();
}

void JudgePanel::updateEnabled()
{
    const bool idle = job_.isEmpty();
    const bool ollama = api_->currentData().toString() == "ollama";
    for (QWidget* w : {static_cast<QWidget*>(url_), static_cast<QWidget*>(api_), static_cast<QWidget*>(model_),
                       static_cast<QWidget*>(promptChoice_), static_cast<QWidget*>(editPrompt_),
                       sampling_->widget("/samples"), sampling_->widget("/temperature")})
        w->setEnabled(idle);
    apiKey_->setEnabled(idle && !ollama);
    rememberKey_->setEnabled(idle && !ollama);
    refresh_->setEnabled(idle);
    pull_->setEnabled(idle && ollama && !model_->currentText().trimmed().isEmpty());
    score_->setEnabled(idle && !answersBusy_ && !responses_.isEmpty() && !model_->currentText().trimmed().isEmpty());
    cancel_->setEnabled(job_ == "score" || job_ == "pull");
    progress_->setVisible(job_ == "score" || job_ == "pull");
}

void JudgePanel::setStatus(const QString& text)
{
    status_->setText(text);
}

void JudgePanel::saveSettings() const
{
    JudgeServer server;
    server.url = url_->text().toStdString();
    server.api = judgeApiByName(api_->currentData().toString().toStdString());
    rememberJudge({server, model_->currentText().toStdString()});
    QSettings().setValue("judge/prompt", promptChoice_->currentData());
}

// The key remembered for the address now in the field. A remembered key never stays in the field
// for another address: it would be sent to a server it was not meant for.
void JudgePanel::loadRememberedKey()
{
    try {
        const std::string key = ApiKeyStore(judgeKeyStorePath().toStdString()).keyFor(url_->text().trimmed().toStdString());
        if (!key.empty() || rememberKey_->isChecked())
            apiKey_->setText(QString::fromStdString(key));
        rememberKey_->setChecked(!key.empty());
    } catch (const Error& e) {
        setStatus(tr("The remembered API keys cannot be read: %1").arg(e.what()));
    }
}

void JudgePanel::storeKey()
{
    const std::string url = url_->text().trimmed().toStdString();
    const std::string key = rememberKey_->isChecked() ? apiKey_->text().trimmed().toStdString() : std::string();
    try {
        ApiKeyStore(judgeKeyStorePath().toStdString()).remember(url, key);
    } catch (const Error& e) {
        setStatus(tr("The API key cannot be remembered: %1").arg(e.what()));
    }
}

} // namespace sft::ui
