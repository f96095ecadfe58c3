#pragma once
// Why a call to the judge failed: what its HTTP exchange says (core/net), and what the judge's
// answers add to it (a reply cut off or unreadable is Broken, a model the server lacks NotFound).

#include "core/net/http_error.h"

namespace sft {

using JudgeError = HttpError;

} // namespace sft
