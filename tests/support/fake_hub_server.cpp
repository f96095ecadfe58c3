#include "tests/support/fake_hub_server.h"

#include <QCryptographicHash>
#include <QFile>
#include <QMetaObject>
#include <QMutexLocker>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

namespace sft::test {

namespace {

constexpr int kThrottleTickMs = 20;

struct Request {
    QByteArray path;
    QByteArray range;
};

// The request head up to the blank line, or nothing while it is incomplete.
bool parseHead(const QByteArray& buffer, Request& request)
{
    const int end = buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    const QList<QByteArray> lines = buffer.left(end).split('\n');
    request.path = lines.value(0).split(' ').value(1);
    for (const QByteArray& line : lines.mid(1))
        if (line.toLower().startsWith("range:"))
            request.range = line.mid(6).trimmed();
    return true;
}

int64_t rangeStart(const QByteArray& range)
{
    if (!range.startsWith("bytes=") || !range.endsWith('-'))
        return 0;
    return range.mid(6, range.size() - 7).toLongLong();
}

QByteArray quoted(const QByteArray& text) { return '"' + text + '"'; }

QByteArray gitSha1(const QByteArray& bytes)
{
    return QCryptographicHash::hash("blob " + QByteArray::number(bytes.size()) + '\0' + bytes, QCryptographicHash::Sha1)
        .toHex();
}

void sendHead(QTcpSocket* socket, int status, const QByteArray& reason, const QList<QByteArray>& headers)
{
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + " " + reason + "\r\n";
    for (const QByteArray& header : headers)
        head += header + "\r\n";
    // The hub names the file for browsers; a downloader must never take a name from here.
    head += "Content-Disposition: attachment; filename=\"../../escaped.bin\"\r\nConnection: close\r\n\r\n";
    socket->write(head);
}

// What git stores for an LFS file in place of its bytes.
QByteArray lfsPointer(const QByteArray& sha256, int64_t size)
{
    return "version https://git-lfs.github.com/spec/v1\noid sha256:" + sha256 + "\nsize " + QByteArray::number(size) +
           "\n";
}

void sendBody(QTcpSocket* socket, const QByteArray& body, const FileFaults& faults)
{
    int64_t limit = body.size();
    if (faults.dropAfter >= 0)
        limit = std::min<int64_t>(limit, faults.dropAfter);
    if (faults.stallAfter >= 0)
        limit = std::min<int64_t>(limit, faults.stallAfter);
    const bool hangUp = faults.stallAfter < 0;
    if (faults.bytesPerSecond <= 0) {
        socket->write(body.left(limit));
        if (hangUp)
            socket->disconnectFromHost();
        return;
    }
    const int64_t chunk = std::max<int64_t>(1, int64_t(faults.bytesPerSecond) * kThrottleTickMs / 1000);
    auto* timer = new QTimer(socket);
    auto sent = std::make_shared<int64_t>(0);
    QObject::connect(timer, &QTimer::timeout, socket, [socket, timer, body, limit, chunk, sent, hangUp] {
        const int64_t n = std::min(chunk, limit - *sent);
        socket->write(body.mid(*sent, n));
        *sent += n;
        if (*sent < limit)
            return;
        timer->stop();
        if (hangUp)
            socket->disconnectFromHost();
    });
    timer->start(kThrottleTickMs);
}

} // namespace

class FakeHubServer::Worker {
public:
    explicit Worker(FakeHubServer& owner) : owner_(owner) {}

    void start()
    {
        hub_ = listen(false);
        cdn_ = listen(true);
    }
    quint16 hubPort() const { return hub_->serverPort(); }
    QObject context;

private:
    QTcpServer* listen(bool onCdn);
    void serve(QTcpSocket* socket, const Request& request, bool onCdn);
    void serveHub(QTcpSocket* socket, const Request& request);
    void serveCdn(QTcpSocket* socket, const Request& request);
    void serveBody(QTcpSocket* socket, const Request& request, Served& file, const QList<QByteArray>& headers);

    FakeHubServer& owner_;
    QTcpServer* hub_ = nullptr;
    QTcpServer* cdn_ = nullptr;
};

QTcpServer* FakeHubServer::Worker::listen(bool onCdn)
{
    auto* server = new QTcpServer(&context);
    QObject::connect(server, &QTcpServer::newConnection, &context, [this, server, onCdn] {
        while (QTcpSocket* socket = server->nextPendingConnection()) {
            auto buffer = std::make_shared<QByteArray>();
            QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer, onCdn] {
                *buffer += socket->readAll();
                Request request;
                if (parseHead(*buffer, request)) {
                    buffer->clear();
                    serve(socket, request, onCdn);
                }
            });
        }
    });
    if (!server->listen(QHostAddress::LocalHost))
        qFatal("the fake hub cannot listen on 127.0.0.1: %s", qPrintable(server->errorString()));
    return server;
}

void FakeHubServer::Worker::serve(QTcpSocket* socket, const Request& request, bool onCdn)
{
    {
        QMutexLocker lock(&owner_.mutex_);
        owner_.requests_.append({request.path, request.range, onCdn});
    }
    if (onCdn)
        serveCdn(socket, request);
    else
        serveHub(socket, request);
}

void FakeHubServer::Worker::serveHub(QTcpSocket* socket, const Request& request)
{
    const QByteArray& path = request.path;
    QMutexLocker lock(&owner_.mutex_);
    if (owner_.redirects_.count(path)) {
        sendHead(socket, 302, "Found", {"Location: " + owner_.redirects_[path], "Content-Length: 0"});
        socket->disconnectFromHost();
        return;
    }
    const auto found = owner_.files_.find(path);
    if (found == owner_.files_.end()) {
        sendHead(socket, 404, "Not Found", {"Content-Length: 15"});
        socket->write("Entry not found");
        socket->disconnectFromHost();
        return;
    }
    Served& file = found->second;
    if (!file.lfs) {
        lock.unlock();
        serveBody(socket, request, file, {"ETag: " + quoted(file.gitSha1)});
        return;
    }
    const QByteArray announced = file.announcedSha256.isEmpty() ? file.sha256 : file.announcedSha256;
    const QByteArray cdn = "http://127.0.0.1:" + QByteArray::number(cdn_->serverPort()) + "/cdn/" + file.sha256 +
                           "?X-Amz-Signature=0123abcd";
    QList<QByteArray> headers = {"Location: " + cdn, "Content-Length: 0"};
    if (!file.faults.announceNothing)
        headers << "X-Linked-Etag: " + quoted(announced) << "X-Linked-Size: " + QByteArray::number(file.bytes.size())
                << "ETag: " + quoted(gitSha1(lfsPointer(file.sha256, file.bytes.size())));
    sendHead(socket, 302, "Found", headers);
    socket->disconnectFromHost();
}

void FakeHubServer::Worker::serveCdn(QTcpSocket* socket, const Request& request)
{
    const QByteArray sha = request.path.split('?').value(0).mid(5);
    QMutexLocker lock(&owner_.mutex_);
    for (auto& [path, file] : owner_.files_) {
        if (file.lfs && file.sha256 == sha) {
            // A CDN's own ETag, here a plain sha1 that looks like a git id, says nothing about the
            // hub's checksum.
            const QByteArray sha1 = QCryptographicHash::hash(file.bytes, QCryptographicHash::Sha1).toHex();
            lock.unlock();
            serveBody(socket, request, file, {"ETag: " + quoted(sha1)});
            return;
        }
    }
    sendHead(socket, 404, "Not Found", {"Content-Length: 0"});
    socket->disconnectFromHost();
}

void FakeHubServer::Worker::serveBody(QTcpSocket* socket, const Request& request, Served& file,
                                      const QList<QByteArray>& headers)
{
    QMutexLocker lock(&owner_.mutex_);
    const FileFaults faults = file.faults;
    file.faults.dropAfter = file.faults.stallAfter = -1;
    file.faults.silent = false;
    QByteArray bytes = file.bytes;
    lock.unlock();
    if (faults.silent)
        return;
    if (faults.notHttp) {
        socket->write(randomBytes(512, 20261201));
        socket->disconnectFromHost();
        return;
    }
    if (faults.corruptBody)
        bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x5a);
    const int64_t size = bytes.size();
    const int64_t start = faults.ignoreRange ? 0 : rangeStart(request.range);
    QList<QByteArray> all = headers;
    all << "Accept-Ranges: bytes";
    if (start >= size && start > 0) {
        sendHead(socket, 416, "Range Not Satisfiable", all << "Content-Range: bytes */" + QByteArray::number(size)
                                                           << "Content-Length: 0");
        socket->disconnectFromHost();
        return;
    }
    all << "Content-Length: " + QByteArray::number(size - start);
    if (start > 0)
        all << "Content-Range: bytes " + QByteArray::number(start) + "-" + QByteArray::number(size - 1) + "/" +
                   QByteArray::number(size);
    sendHead(socket, start > 0 ? 206 : 200, start > 0 ? "Partial Content" : "OK", all);
    sendBody(socket, bytes.mid(start), faults);
}

FakeHubServer::FakeHubServer() : thread_(std::make_unique<QThread>()), worker_(new Worker(*this))
{
    worker_->context.moveToThread(thread_.get());
    thread_->start();
    QMetaObject::invokeMethod(
        &worker_->context,
        [this] {
            worker_->start();
            hubPort_ = worker_->hubPort();
        },
        Qt::BlockingQueuedConnection);
}

FakeHubServer::~FakeHubServer()
{
    // The servers and sockets are children of the context: they go in the thread they live in.
    QMetaObject::invokeMethod(
        &worker_->context, [this] { qDeleteAll(worker_->context.children()); }, Qt::BlockingQueuedConnection);
    thread_->quit();
    thread_->wait();
    delete worker_;
}

QString FakeHubServer::endpoint() const { return QStringLiteral("http://127.0.0.1:%1").arg(hubPort_); }

void FakeHubServer::addFile(const QString& repo, const QString& name, const QByteArray& bytes, bool lfs)
{
    Served file;
    file.bytes = bytes;
    file.lfs = lfs;
    file.sha256 = QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex();
    file.gitSha1 = gitSha1(bytes);
    QMutexLocker lock(&mutex_);
    files_["/" + repo.toUtf8() + "/resolve/main/" + name.toUtf8()] = file;
}

void FakeHubServer::setFaults(const QString& name, const FileFaults& faults)
{
    QMutexLocker lock(&mutex_);
    for (auto& [path, file] : files_)
        if (path.endsWith("/" + name.toUtf8()))
            file.faults = faults;
}

void FakeHubServer::announceSha256(const QString& name, const QByteArray& hex)
{
    QMutexLocker lock(&mutex_);
    for (auto& [path, file] : files_)
        if (path.endsWith("/" + name.toUtf8()))
            file.announcedSha256 = hex;
}

void FakeHubServer::addRedirect(const QByteArray& fromPath, const QByteArray& location)
{
    QMutexLocker lock(&mutex_);
    redirects_[fromPath] = location;
}

QList<SeenRequest> FakeHubServer::requests() const
{
    QMutexLocker lock(&mutex_);
    return requests_;
}

QByteArray randomBytes(int size, quint32 seed)
{
    QByteArray bytes(size, '\0');
    QRandomGenerator generator(seed);
    for (char& c : bytes)
        c = char(generator.bounded(256));
    return bytes;
}

QByteArray fileBytes(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace sft::test
