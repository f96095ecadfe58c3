#include "core/hub/model_cache.h"

#include "core/util/error.h"
#include "core/util/files.h"

#include <QDir>
#include <QStandardPaths>

namespace sft {

namespace {

std::string defaultRoot()
{
    const QString fromEnv = qEnvironmentVariable("SFT_CACHE_DIR");
    if (!fromEnv.isEmpty())
        return QDir::cleanPath(fromEnv).toStdString();
    const QString xdg = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
    if (xdg.isEmpty())
        throw IoError("no cache folder is known for this user; pass --cache DIR or set SFT_CACHE_DIR");
    return (xdg + "/sft-studio/models").toStdString();
}

std::string notDownloaded(const CatalogModel& model, const ModelCache& cache)
{
    std::string missing;
    for (const std::string& file : cache.missingFiles(model))
        missing += (missing.empty() ? "" : ", ") + file;
    return model.name + " is not downloaded yet (" + cache.folder(model) + " lacks " + missing +
           "); run `sft-studio download " + model.name + "` first";
}

} // namespace

ModelCache::ModelCache(const std::string& root)
    : root_(root.empty() ? defaultRoot() : QDir::cleanPath(QString::fromStdString(root)).toStdString())
{
}

std::string ModelCache::folder(const CatalogModel& model) const { return root_ + "/" + model.name; }

std::vector<std::string> ModelCache::missingFiles(const CatalogModel& model) const
{
    std::vector<std::string> missing;
    for (const std::string& file : modelFileNames())
        if (!fileExists(folder(model) + "/" + file))
            missing.push_back(file);
    return missing;
}

std::string resolveModel(const std::string& nameOrDir, const std::string& cacheRoot)
{
    if (fileExists(nameOrDir))
        return nameOrDir;
    if (const CatalogModel* model = findCatalogModel(nameOrDir)) {
        const ModelCache cache(cacheRoot);
        if (!cache.isComplete(*model))
            throw IoError(notDownloaded(*model, cache));
        return cache.folder(*model);
    }
    throw IoError("no model folder '" + nameOrDir + "'; give the path of a model folder or one of " +
                  catalogNames() + " (fetched with `sft-studio download NAME`)");
}

Tokenizer defaultTokenizer(const std::string& cacheRoot, std::string* source)
{
    std::string dir = qEnvironmentVariable("SFT_TOKENIZER_DIR").toStdString();
    const ModelCache cache(cacheRoot);
    for (size_t i = 0; dir.empty() && i < modelCatalog().size(); ++i) {
        const std::string folder = cache.folder(modelCatalog()[i]);
        if (fileExists(folder + "/vocab.json") && fileExists(folder + "/merges.txt"))
            dir = folder;
    }
    if (source)
        *source = dir.empty() ? "GPT-2, bundled with SFT Studio" : dir;
    return dir.empty() ? Tokenizer::bundledGpt2() : Tokenizer::fromDirectory(dir);
}

} // namespace sft
