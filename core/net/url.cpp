#include "core/net/url.h"

#include <QUrl>

namespace sft {

namespace {

QUrl parsed(const std::string& url) { return QUrl(QString::fromStdString(url)); }

} // namespace

bool isHttpUrl(const std::string& url)
{
    const QUrl u(QString::fromStdString(url), QUrl::StrictMode);
    return u.isValid() && !u.host().isEmpty() && (u.scheme() == "https" || u.scheme() == "http");
}

std::string shownUrl(const std::string& url, bool withQuery)
{
    const QUrl::FormattingOptions hidden =
        withQuery ? QUrl::FormattingOptions(QUrl::RemoveUserInfo) : QUrl::RemoveUserInfo | QUrl::RemoveQuery;
    return parsed(url).toDisplayString(hidden).toStdString();
}

std::string resolveUrl(const std::string& base, const std::string& reference)
{
    if (reference.empty())
        return {};
    const QUrl target = parsed(base).resolved(QUrl::fromEncoded(QByteArray::fromStdString(reference)));
    return target.isValid() ? target.toString(QUrl::FullyEncoded).toStdString() : std::string();
}

bool sameOrigin(const std::string& a, const std::string& b)
{
    const QUrl x = parsed(a), y = parsed(b);
    return x.scheme() == y.scheme() && x.host() == y.host() && x.port() == y.port();
}

std::string joinUrlPath(const std::string& base, const std::string& path)
{
    QUrl url = parsed(base);
    QString joined = url.path();
    if (joined.endsWith('/'))
        joined.chop(1);
    const QString tail = QString::fromStdString(path);
    url.setPath(joined + (tail.startsWith('/') ? tail : '/' + tail));
    return url.toString(QUrl::FullyEncoded).toStdString();
}

} // namespace sft
