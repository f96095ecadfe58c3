#pragma once
// A stand-in for the Hugging Face hub on 127.0.0.1, on its own thread so that blocking test
// code and child processes can talk to it. It answers like the hub: a file kept in git comes
// with its git blob sha1 as ETag; an LFS file answers 302 to a second port (the "CDN") and
// announces its sha256 and size in X-Linked-Etag / X-Linked-Size on that redirect, its ETag
// being the git id of the LFS pointer. The CDN honours Range and sends an ETag of its own.
// Each file can be made to misbehave: drop or stall mid-body, go slowly, ignore Range, send
// other bytes than it announces, answer with bytes that are not HTTP.

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QString>

#include <cstdint>
#include <map>
#include <memory>

class QThread;

namespace sft::test {

struct FileFaults {
    int64_t dropAfter = -1;  // close the connection after this many body bytes (once)
    int64_t stallAfter = -1; // send this many body bytes, then nothing more (once)
    bool silent = false;     // accept the connection and never answer (once)
    int bytesPerSecond = 0;  // 0: as fast as possible
    bool ignoreRange = false;
    bool corruptBody = false; // flip a byte of what is sent; the announced checksum stays right
    bool announceNothing = false; // the LFS redirect carries no checksum or size, as a bare mirror
    bool notHttp = false;         // random bytes instead of an HTTP answer, then the connection closed
};

struct SeenRequest {
    QByteArray path;  // with the query
    QByteArray range; // the Range header, empty when none
    bool onCdn = false;
};

class FakeHubServer {
public:
    FakeHubServer();
    ~FakeHubServer();
    FakeHubServer(const FakeHubServer&) = delete;
    FakeHubServer& operator=(const FakeHubServer&) = delete;

    QString endpoint() const; // http://127.0.0.1:PORT
    // Served under /<repo>/resolve/main/<name>.
    void addFile(const QString& repo, const QString& name, const QByteArray& bytes, bool lfs);
    // Changes how the file of that name misbehaves from the next request on.
    void setFaults(const QString& name, const FileFaults& faults);
    // Announces this sha256 for the LFS file instead of its own.
    void announceSha256(const QString& name, const QByteArray& hex);
    void addRedirect(const QByteArray& fromPath, const QByteArray& location);

    QList<SeenRequest> requests() const;

private:
    struct Served {
        QByteArray bytes;
        bool lfs = false;
        QByteArray sha256;
        QByteArray announcedSha256; // what the redirect announces instead, when set
        QByteArray gitSha1;
        FileFaults faults;
    };
    class Worker;
    friend class Worker;

    mutable QMutex mutex_;
    std::map<QByteArray, Served> files_;      // by /<repo>/resolve/main/<name>
    std::map<QByteArray, QByteArray> redirects_;
    QList<SeenRequest> requests_;
    std::unique_ptr<QThread> thread_;
    Worker* worker_ = nullptr;
    quint16 hubPort_ = 0;
};

// Model-file stand-ins for the server to serve, and what a download left on disk.
QByteArray randomBytes(int size, quint32 seed);
QByteArray fileBytes(const QString& path); // empty when unreadable

} // namespace sft::test
