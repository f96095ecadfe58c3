#pragma once
// The Models view: OpenAI's four GPT-2 sizes from the Hugging Face hub (download with
// progress, cancel, and resume by downloading again), local model folders, and new models with
// random weights. "Use this model" makes one the model in use for the other views.

#include <QString>
#include <QWidget>

#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTreeWidget;

namespace sft {
struct CatalogModel;
struct ModelFileProgress;
}

namespace sft::ui {

class JobRunner;
class StudioState;

class ModelsView : public QWidget {
    Q_OBJECT
public:
    explicit ModelsView(StudioState* state, QWidget* parent = nullptr);

private:
    struct HubRow {
        const CatalogModel* model = nullptr;
        JobRunner* job = nullptr;
        QLabel* status = nullptr;
        QProgressBar* progress = nullptr;
        QLabel* transfer = nullptr;
        QPushButton* download = nullptr;
        QPushButton* cancel = nullptr;
        QPushButton* use = nullptr;
    };

    QWidget* buildHub();
    QWidget* buildLocal();
    QWidget* buildRandomInit();

    void startDownload(size_t index);
    void showDownloadProgress(HubRow& row, const ModelFileProgress& progress);
    void onDownloadFinished(HubRow& row, bool ok, bool cancelled, const QString& error);
    void showHubStatus(HubRow& row);
    QString hubFolder(const CatalogModel& model) const; // empty when no cache folder is known

    void addLocalFolder();
    void listLocalFolder(const QString& path);
    void removeLocalFolder();
    void saveLocalFolders() const;

    void suggestInitFolder();
    void createRandomModel();
    void onCreateFinished(bool ok, bool cancelled, const QString& error);

    void useModel(const QString& path);
    void showModelInUse();

    StudioState* state_;
    std::vector<HubRow> hubRows_;
    QLabel* inUse_ = nullptr;

    QTreeWidget* localList_ = nullptr;
    QPushButton* useLocal_ = nullptr;
    QPushButton* removeLocal_ = nullptr;

    QComboBox* initConfig_ = nullptr;
    QLabel* initSize_ = nullptr;
    QSpinBox* initSeed_ = nullptr;
    QLineEdit* initFolder_ = nullptr;
    bool initFolderEdited_ = false;
    QPushButton* create_ = nullptr;
    QLabel* initStatus_ = nullptr;
    QString createdNote_; // what the finished job made, for the status line
    JobRunner* initJob_ = nullptr;
};

} // namespace sft::ui
