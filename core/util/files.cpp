#include "core/util/files.h"

#include "core/util/error.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace sft {

namespace {
QString q(const std::string& s) { return QString::fromStdString(s); }
} // namespace

std::string readFile(const std::string& path)
{
    QFile file(q(path));
    if (!file.open(QIODevice::ReadOnly))
        throw IoError("cannot read " + path + ": " + file.errorString().toStdString());
    const QByteArray bytes = file.readAll();
    if (file.error() != QFile::NoError)
        throw IoError("cannot read " + path + ": " + file.errorString().toStdString());
    return bytes.toStdString();
}

void writeFileAtomic(const std::string& path, const std::string& data)
{
    QSaveFile file(q(path));
    if (!file.open(QIODevice::WriteOnly))
        throw IoError("cannot write " + path + ": " + file.errorString().toStdString());
    if (file.write(data.data(), qint64(data.size())) != qint64(data.size()) || !file.commit())
        throw IoError("cannot write " + path + ": " + file.errorString().toStdString());
}

void appendLine(const std::string& path, const std::string& line)
{
    QFile file(q(path));
    // Unbuffered: what a failed write left in a buffer would stop resize() from taking it back.
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered))
        throw IoError("cannot append to " + path + ": " + file.errorString().toStdString());
    const std::string text = line + "\n";
    const qint64 before = file.isSequential() ? 0 : file.size();
    if (!writeWhole(file, text)) {
        const std::string reason = file.errorString().toStdString();
        // Part of a line (a full disk) would leave the lines appended later after a broken one.
        if (!file.isSequential())
            file.resize(before);
        throw IoError("cannot append to " + path + ": " + reason);
    }
}

bool writeWhole(QFile& file, std::string_view data)
{
    while (!data.empty()) {
        const qint64 written = file.write(data.data(), qint64(data.size()));
        if (written <= 0)
            return false;
        data.remove_prefix(size_t(written));
    }
    return true;
}

std::string sha256Hex(const std::string& bytes)
{
    return QCryptographicHash::hash(QByteArrayView(bytes.data(), qsizetype(bytes.size())),
                                    QCryptographicHash::Sha256)
        .toHex()
        .toStdString();
}

std::string sha256OfFile(const std::string& path)
{
    QFile file(q(path));
    if (!file.open(QIODevice::ReadOnly))
        throw IoError("cannot read " + path + ": " + file.errorString().toStdString());
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return hash.result().toHex().toStdString();
}

void makeDirectories(const std::string& path)
{
    if (!QDir().mkpath(q(path)))
        throw IoError("cannot create folder " + path);
}

bool fileExists(const std::string& path) { return QFileInfo::exists(q(path)); }

} // namespace sft
