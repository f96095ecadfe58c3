#pragma once
// The Data view: browse, filter and edit the dataset's entries (undo, save keeping the file's
// form, autosave), see one exactly as the model sees it (template applied, tokens coloured by
// their role in training), the token-length histogram against the max length, the split sizes,
// every invalid entry with its reason, duplicates; import other formats and grow the data with a
// local model. Loading and tokenizing run in a job; the view follows the state's dataset and model.

#include <QWidget>

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

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

namespace sft {
class DatasetDocument;
struct AutosaveInfo;
struct ImportOptions;
}

namespace sft::ui {

class AnswerDetail;

class DatasetEditor;
class DuplicatesPanel;
class EntryEditor;
class NoticeBar;
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

    DatasetEditor* editor() const { return editor_; }
    DuplicatesPanel* duplicates() const { return duplicates_; }
    JobRunner* loadJob() const { return loadJob_; }
    JobRunner* fileJob() const { return fileJob_; }
    // Shows this entry of the file (its position), clearing filters that hide it; false when the
    // open dataset has no such entry.
    bool selectEntry(size_t item);
    // The first entry with these texts, selected (similar: a copy of it added after it, selected
    // for editing). When the dataset is still loading, once it is shown. False: not in the dataset.
    bool openEntryLike(const QString& instruction, const QString& input, const QString& output, bool similar);
    // Edits not saved yet: asks whether to save them (Save, Discard, Cancel). True when they are
    // saved or discarded, or there were none; false: keep them, the caller does not go on.
    bool confirmUnsavedEdits();
    // What confirmUnsavedEdits asks, replaceable by tests; returns a QMessageBox::StandardButton.
    void setUnsavedEditsQuestion(std::function<int(const QString& text)> ask) { askUnsaved_ = std::move(ask); }
    bool save();
    bool saveAs(const QString& path);
    // Another format (ShareGPT, OpenAI messages, CSV, TSV, Alpaca) written as an Alpaca JSON file
    // at outPath, which then opens; the import dialog chooses the options.
    bool importData(const QString& inPath, const QString& outPath, const ImportOptions& options);
    // The open dataset's valid entries as an Alpaca JSON file in the chapter's form.
    bool exportAlpaca(const QString& outPath);
    // `count` new entries from the judge server chosen in Evaluate, written to outPath (journal
    // beside it), then offered for review; the accepted ones join the open dataset.
    bool generateEntries(int count, const QString& outPath);
    // Review of generated entries (a dialog, replaceable by tests): returns the accepted ones as
    // the user left them.
    using Review = std::function<std::vector<nlohmann::ordered_json>(std::vector<nlohmann::ordered_json>)>;
    void setReviewGenerated(Review review) { review_ = std::move(review); }

private:
    QWidget* buildToolbar();
    QWidget* buildEditBar();
    QWidget* buildFilters();
    QWidget* buildOptions();
    QWidget* buildTable();
    QWidget* buildDetail();
    QWidget* buildPreferencePair();
    QWidget* buildSummary();

    void reload();
    void refreshFromEditor();
    void startLoad();
    void adoptLoaded(std::shared_ptr<const DatasetContent> content);
    void offerAutosave(const AutosaveInfo& info);
    void offerReloadFromDisk();
    void showModified();
    void applyFilters();
    void showFilteredHistogram();
    std::optional<size_t> currentItem() const;
    bool writeTo(const QString& path);
    void removeSelected();
    void moveSelected(int by);
    void askToImport();
    void askToExport();
    void askToGenerate();
    void reviewGenerated(const QString& path);
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
    DatasetEditor* editor_;
    JobRunner* loadJob_;
    JobRunner* fileJob_;
    JobRunner* fetchJob_;
    JobRunner* preferenceJob_;
    QPushButton* preferenceButton_ = nullptr;
    bool reloadPending_ = false;
    bool adopting_ = false; // the editor takes a document read from disk: not an edit
    std::shared_ptr<const DatasetDocument> edited_; // the editor's document, to be shown next
    std::optional<size_t> selectAfterLoad_;          // the entry (file position) to select once shown
    std::function<int(const QString&)> askUnsaved_;
    Review review_;
    std::function<void()> afterLoad_; // an entry asked for while the dataset was loading
    std::shared_ptr<const DatasetContent> content_;
    std::shared_ptr<const TokenizedContent> tokens_;
    QString tokensProblem_; // why there are no tokens, when there are none
    QString fetchNote_;     // how the chapter-7 dataset was got (downloaded or bundled), shown once it is loaded

    DatasetTableModel* model_;
    EntryFilterModel* filter_;

    QPushButton* openButton_ = nullptr;
    QPushButton* fetchButton_ = nullptr;
    QLabel* pathLabel_ = nullptr;
    std::vector<QWidget*> documentButtons_; // what needs an open dataset: disabled without one
    NoticeBar* notice_ = nullptr;
    EntryEditor* entryEditor_ = nullptr;
    DuplicatesPanel* duplicates_ = nullptr;
    QComboBox* splitFilter_ = nullptr;
    QComboBox* inputFilter_ = nullptr;
    QCheckBox* warnedOnly_ = nullptr;
    QSpinBox* minTokens_ = nullptr;
    QSpinBox* maxTokens_ = nullptr;
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
