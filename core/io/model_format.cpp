#include "core/io/model_format.h"

#include "core/util/error.h"
#include "core/util/files.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

namespace sft {

namespace {

const char* const kLookedFor =
    "looked for a Hugging Face GPT-2 folder (config.json + model.safetensors), a .safetensors file with the "
    "book's tensor names (such as gpt2-medium-355M.safetensors, alone in its folder or given by its path), or "
    "OpenAI's TensorFlow checkpoint folder (hparams.json, checkpoint, model.ckpt.index, "
    "model.ckpt.data-00000-of-00001), or LoRA adapters (adapter_config.json + adapter_model.safetensors)";

const char* const kPickleHint =
    "; LibTorch cannot read Python's .pth pickles: use the .safetensors file of the same model "
    "(https://huggingface.co/rasbt/gpt2-from-scratch-pytorch has both)";

bool isPickle(const QString& name) { return name.endsWith(".pth") || name.endsWith(".pt"); }

// `checkpoint` is a text proto naming the newest prefix: model_checkpoint_path: "model.ckpt".
std::string checkpointPrefix(const QDir& folder)
{
    const QString index = folder.filePath("checkpoint");
    if (QFileInfo::exists(index)) {
        static const QRegularExpression line(R"(^model_checkpoint_path:\s*"([^"]+)\")",
                                             QRegularExpression::MultilineOption);
        const QRegularExpressionMatch m = line.match(QString::fromStdString(readFile(index.toStdString())));
        if (m.hasMatch())
            return QDir::cleanPath(folder.filePath(m.captured(1))).toStdString();
    }
    return folder.filePath("model.ckpt").toStdString();
}

ModelLocation inFolder(const QString& path)
{
    const QDir folder(path);
    const std::string dir = path.toStdString();
    if (folder.exists("model.safetensors"))
        return {ModelFormat::Safetensors, dir, folder.filePath("model.safetensors").toStdString()};
    if (folder.exists("hparams.json") && (folder.exists("checkpoint") || folder.exists("model.ckpt.index")))
        return {ModelFormat::TensorFlowCheckpoint, dir, checkpointPrefix(folder)};
    if (folder.exists("adapter_config.json") && folder.exists("adapter_model.safetensors"))
        return {ModelFormat::LoraAdapters, dir, folder.filePath("adapter_model.safetensors").toStdString()};
    const QStringList safetensors = folder.entryList({"*.safetensors"}, QDir::Files, QDir::Name);
    if (safetensors.size() == 1)
        return {ModelFormat::Safetensors, dir, folder.filePath(safetensors.first()).toStdString()};
    if (safetensors.size() > 1)
        throw WeightsError(dir + " holds several .safetensors files (" + safetensors.join(", ").toStdString() +
                           "); give the path of the one to load");
    // A Hugging Face folder whose weights are missing: loading says so.
    if (folder.exists("config.json"))
        return {ModelFormat::Safetensors, dir, folder.filePath("model.safetensors").toStdString()};
    const bool pickles = !folder.entryList({"*.pth", "*.pt"}, QDir::Files).isEmpty();
    throw WeightsError(dir + " holds no model SFT Studio can read: " + kLookedFor + (pickles ? kPickleHint : ""));
}

} // namespace

ModelLocation locateModel(const std::string& path)
{
    const QFileInfo info(QString::fromStdString(path));
    if (info.isDir())
        return inFolder(info.filePath());
    if (!info.exists())
        throw WeightsError("no model folder or file " + path + "; " + kLookedFor);
    if (info.fileName().endsWith(".safetensors"))
        return {ModelFormat::Safetensors, info.path().toStdString(), path};
    throw WeightsError(path + " is not a model SFT Studio can read: " + kLookedFor +
                       (isPickle(info.fileName()) ? kPickleHint : ""));
}

std::string modelFolderOf(const std::string& path)
{
    const QFileInfo info(QString::fromStdString(path));
    return info.isDir() || !info.exists() ? path : info.path().toStdString();
}

} // namespace sft
