#pragma once
// One question to the judge, asked again while asking again can help: after a connection
// error, a busy or failing server (429, 5xx), a broken stream, or a reply that cannot be read.
// The attempts are bounded and the waits between them grow, so a struggling server gets air.

#include "core/judge/judge_client.h"

#include <functional>
#include <string>

namespace sft {

struct RetryPolicy {
    int maxAttempts = 3;
    int firstBackoffMs = 1000; // doubles after every failed attempt
    int maxBackoffMs = 30'000;

    int backoffMs(int failedAttempts) const;
};

struct JudgeAnswer {
    enum class Outcome { Read, Unreadable, Failed };
    Outcome outcome = Outcome::Failed;
    std::string reply;   // the judge's last reply, as given (empty when the last attempt failed)
    std::string problem; // why the last reply could not be read, or why the last attempt failed
    int attempts = 0;
    int64_t promptTokens = 0;
};

// "" when a reply is usable, else what is wrong with it.
using ReplyCheck = std::function<std::string(const std::string& reply)>;

// After an unreadable reply the judge is shown its reply and `reminder`, so the next attempt is
// not the same request (with temperature 0 it would give the same reply). Throws the
// JudgeError at once for a refused request or a missing model, and after the last attempt when
// the server is gone (unreachable, timed out): then the caller should stop, not go on to the
// next entry.
JudgeAnswer askJudge(JudgeClient& client, const ChatRequest& request, const ReplyCheck& check,
                     const std::string& reminder, const RetryPolicy& policy, const JobControl* job, const NoteFn& note);

} // namespace sft
