#include "core/judge/api_key_file.h"

#include "core/util/error.h"
#include "core/util/files.h"

#include <nlohmann/json.hpp>

#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <sys/stat.h>
#include <unistd.h>

namespace sft {

namespace {

// writeFileAtomic() for a secret: mkstemp creates the file with mode 0600, so there is no
// moment, whatever the umask, in which others could open it; then it is renamed into place.
void writePrivateFileAtomic(const std::string& path, const std::string& data)
{
    makeDirectories(QFileInfo(QString::fromStdString(path)).absolutePath().toStdString());
    std::string temp = path + ".XXXXXX";
    const int fd = ::mkstemp(temp.data());
    if (fd < 0)
        throw IoError("cannot write " + path + ": " + std::strerror(errno));
    QFile file;
    bool ok = file.open(fd, QIODevice::WriteOnly | QIODevice::Unbuffered, QFileDevice::AutoCloseHandle) &&
              writeWhole(file, data) && ::fsync(fd) == 0;
    std::string reason = file.error() != QFile::NoError ? file.errorString().toStdString() : std::strerror(errno);
    if (file.isOpen())
        file.close();
    else
        ::close(fd);
    if (ok && std::rename(temp.c_str(), path.c_str()) != 0) {
        ok = false;
        reason = std::strerror(errno);
    }
    if (!ok) {
        std::remove(temp.c_str());
        throw IoError("cannot write " + path + ": " + reason);
    }
}

// Refuses a key file that others could read: a key left world-readable is as good as leaked.
void checkPrivate(const std::string& path)
{
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0)
        throw ConfigError("cannot read the API key file " + path + ": it does not exist");
    if (info.st_mode & (S_IRWXG | S_IRWXO))
        throw ConfigError("the API key file " + path + " can be read by other users; make it private with "
                          "`chmod 600 " + path + "`");
}

nlohmann::json readStore(const std::string& path)
{
    if (!fileExists(path))
        return nlohmann::json::object();
    checkPrivate(path);
    const nlohmann::json keys = nlohmann::json::parse(readFile(path), nullptr, false);
    if (!keys.is_object())
        throw ConfigError(path + " is not the API key store SFT Studio writes; delete it to start afresh");
    return keys;
}

} // namespace

std::string readApiKeyFile(const std::string& path)
{
    checkPrivate(path);
    const std::string text = readFile(path);
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        throw ConfigError("the API key file " + path + " is empty");
    const std::string key = text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
    if (key.find_first_of("\r\n") != std::string::npos)
        throw ConfigError("the API key file " + path + " holds more than one line; it should hold just the key");
    return key;
}

std::string ApiKeyStore::keyFor(const std::string& server) const
{
    const nlohmann::json keys = readStore(path_);
    const auto key = keys.find(server);
    return key != keys.end() && key->is_string() ? key->get<std::string>() : std::string();
}

void ApiKeyStore::remember(const std::string& server, const std::string& key)
{
    nlohmann::json keys = readStore(path_);
    if (key.empty() && !keys.contains(server))
        return;
    if (key.empty())
        keys.erase(server);
    else
        keys[server] = key;
    writePrivateFileAtomic(path_, keys.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

} // namespace sft
