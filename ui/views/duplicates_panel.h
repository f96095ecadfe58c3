#pragma once
// Duplicates in the open dataset, as the book's find-near-duplicates.py finds them: pick a field
// (or all three) and a threshold, find the pairs in a job (progress, stop), see each pair side by
// side with its word differences, remove one entry of a pair, or apply the book's rule (the second
// entry of every input/output pair goes) as one undoable step.

#include <QWidget>

#include <memory>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace sft {
struct NearDuplicatePair;
}

namespace sft::ui {

class AnswerDetail;
class JobRunner;
class StudioState;
struct DatasetContent;

class DuplicatesPanel : public QWidget {
    Q_OBJECT
public:
    explicit DuplicatesPanel(StudioState* state, QWidget* parent = nullptr);
    ~DuplicatesPanel() override;

    // The entries searched; found pairs are dropped when they change (their positions would lie).
    void setContent(std::shared_ptr<const DatasetContent> content);
    // Starts the search with the panel's field, threshold and exact choice; false while one runs.
    bool find();
    // The book's rule over the panel's field and threshold, as one removal.
    bool removeByTheBooksRule();
    JobRunner* job() const { return job_; }
    int pairCount() const;

Q_SIGNALS:
    // Items are the file's entry positions (the document's).
    void removeRequested(const std::vector<size_t>& items, const QString& what);
    void entryPicked(size_t item);

private:
    void showPairs(std::shared_ptr<const std::vector<NearDuplicatePair>> pairs);
    void showSelectedPair();
    void removeSide(bool second);
    QString fieldChoice() const;

    StudioState* state_;
    JobRunner* job_;
    std::shared_ptr<const DatasetContent> content_;
    std::shared_ptr<const std::vector<NearDuplicatePair>> pairs_;
    QComboBox* field_;
    QDoubleSpinBox* threshold_;
    QCheckBox* exact_;
    QPushButton* findButton_;
    QPushButton* bookRuleButton_;
    QPushButton* removeFirst_;
    QPushButton* removeSecond_;
    QLabel* status_;
    QTableWidget* table_;
    AnswerDetail* detail_;
};

} // namespace sft::ui
