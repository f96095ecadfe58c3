#pragma once
// Web addresses as text, for the rest of core: Qt's URL rules (parsing, percent-encoding,
// resolution) stay behind this header.

#include <string>

namespace sft {

// An absolute http:// or https:// address with a host.
bool isHttpUrl(const std::string& url);

// For messages: without user name or password, and without the query (signed CDN addresses
// carry long ones that say nothing to a person) unless withQuery.
std::string shownUrl(const std::string& url, bool withQuery = false);

// `reference` (a Location header: absolute, or relative to `base`) as an absolute address;
// empty when it is none.
std::string resolveUrl(const std::string& base, const std::string& reference);

// Same scheme, host and port: where a redirect may carry what was sent to `a`.
bool sameOrigin(const std::string& a, const std::string& b);

// `base` with `path` appended to its path, one slash between them: a hub or server root plus
// an API path.
std::string joinUrlPath(const std::string& base, const std::string& path);

} // namespace sft
