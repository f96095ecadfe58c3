#include "core/hub/announced_checksum.h"

#include "core/util/error.h"

#include <QCryptographicHash>
#include <QFile>

namespace sft {

namespace {

bool isHex(const QByteArray& text)
{
    for (const char c : text)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}

QByteArray unquoted(QByteArray value)
{
    value = value.trimmed();
    if (value.startsWith("W/"))
        value = value.mid(2);
    if (value.size() >= 2 && value.startsWith('"') && value.endsWith('"'))
        value = value.mid(1, value.size() - 2);
    return value.toLower();
}

} // namespace

AnnouncedChecksum parseEtag(const std::string& value)
{
    const QByteArray hex = unquoted(QByteArray::fromStdString(value));
    if (!isHex(hex))
        return {};
    if (hex.size() == 64)
        return {AnnouncedChecksum::Kind::Sha256, hex.toStdString()};
    if (hex.size() == 40)
        return {AnnouncedChecksum::Kind::GitBlobSha1, hex.toStdString()};
    return {};
}

const char* checksumName(AnnouncedChecksum::Kind kind)
{
    switch (kind) {
    case AnnouncedChecksum::Kind::Sha256:
        return "sha256";
    case AnnouncedChecksum::Kind::GitBlobSha1:
        return "git blob sha1";
    case AnnouncedChecksum::Kind::None:
        break;
    }
    return "no checksum";
}

std::string checksumOfFile(const std::string& path, AnnouncedChecksum::Kind kind,
                           const std::function<void(int64_t done, int64_t total)>& onBytes, const JobControl* job)
{
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly))
        throw IoError("cannot read " + path + " to verify it: " + file.errorString().toStdString());
    const int64_t total = file.size();
    const bool git = kind == AnnouncedChecksum::Kind::GitBlobSha1;
    QCryptographicHash hash(git ? QCryptographicHash::Sha1 : QCryptographicHash::Sha256);
    if (git)
        hash.addData("blob " + QByteArray::number(qint64(total)) + '\0');
    int64_t done = 0;
    while (done < total) {
        if (job)
            job->checkpoint();
        const QByteArray chunk = file.read(4 << 20);
        if (chunk.isEmpty())
            throw IoError("cannot read " + path + " to verify it: " + file.errorString().toStdString());
        hash.addData(chunk);
        done += chunk.size();
        if (onBytes)
            onBytes(done, total);
    }
    return hash.result().toHex().toStdString();
}

} // namespace sft
