#pragma once
// The Data view: browse and search the dataset's entries, see one exactly as the model sees
// it (template applied, tokens coloured by their role in training), the token-length
// histogram against the max length, the split sizes and every invalid entry with its reason.
// Loading and tokenizing run in a job; the view follows the state's dataset and model.

#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QTabWidget;
class QTableView;

namespace sft::ui {

class AnswerDetail;

class DatasetTableModel;
class EntryFilterModel;
class JobRunner;
class LengthHistogramChart;
class StudioState;
class TokenView;
struct DatasetContent;
struct TokenizedContent;

class DataView : public QWidget {
    Q_OBJECT
public:
    explicit DataView(StudioState* state, QWidget* parent = nullptr);

    // Preference data for DPO from the open dataset, written to outPath by the judge server and
    // model chosen in Evaluate (the book's create-preference-data notebook); the new file opens
    // when it is done. False when a job is running already.
    bool makePreferenceData(const QString& outPath);
    JobRunner* preferenceJob() const { return preferenceJob_; }

private:
    QWidget* buildToolbar();
    QWidget* buildOptions();
    QWidget* buildTable();
    QWidget* buildDetail();
    QWidget* buildPreferencePair();
    QWidget* buildSummary();

    void reload();
    void startLoad();
    void onLoadFinished(bool ok, bool cancelled, const QString& error);
    void showContent(std::shared_ptr<const DatasetContent> content);
    void showTokens(std::shared_ptr<const TokenizedContent> tokens);
    void showProgress(const QString& text, int64_t done, int64_t total);
    void showSelectedEntry();
    void showMaxLength();
    void showRowCount();

    void openDataset();
    void fetchChapterDataset();
    void askForPreferenceData();
    void onFetchFinished(bool ok, bool cancelled, const QString& error);

    StudioState* state_;
    JobRunner* loadJob_;
    JobRunner* fetchJob_;
    JobRunner* preferenceJob_;
    QPushButton* preferenceButton_ = nullptr;
    bool reloadPending_ = false;
    std::shared_ptr<const DatasetContent> content_;
    std::shared_ptr<const TokenizedContent> tokens_;
    QString tokensProblem_; // why there are no tokens, when there are none
    QString fetchNote_;     // how the chapter-7 dataset was got (downloaded or bundled), shown once it is loaded

    DatasetTableModel* model_;
    EntryFilterModel* filter_;

    QPushButton* openButton_ = nullptr;
    QPushButton* fetchButton_ = nullptr;
    QLabel* pathLabel_ = nullptr;
    QLabel* statusLabel_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QComboBox* templateCombo_ = nullptr;
    QSpinBox* maxLength_ = nullptr;
    QCheckBox* maskPrompt_ = nullptr;
    QStackedWidget* pages_ = nullptr;
    QLabel* placeholder_ = nullptr;
    QLineEdit* search_ = nullptr;
    QTableView* table_ = nullptr;
    QLabel* rowCount_ = nullptr;
    TokenView* tokenView_ = nullptr;
    QSpinBox* batchWidth_ = nullptr;
    QLabel* entrySummary_ = nullptr;
    QLabel* trainCount_ = nullptr;
    QLabel* valCount_ = nullptr;
    QLabel* testCount_ = nullptr;
    QLabel* overMaxLength_ = nullptr;
    LengthHistogramChart* histogram_ = nullptr;
    QTabWidget* summaryTabs_ = nullptr;
    QWidget* pairBox_ = nullptr;
    AnswerDetail* pair_ = nullptr;
    QListWidget* invalidEntries_ = nullptr;
    QListWidget* warnings_ = nullptr;
};

} // namespace sft::ui
