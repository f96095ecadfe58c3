#include "core/judge/ask_judge.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

namespace sft {

namespace {

void waitFor(int ms, const JobControl* job)
{
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < end) {
        if (job && job->cancelRequested())
            throw Cancelled();
        std::this_thread::sleep_for(std::min(std::chrono::milliseconds(20),
                                             std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 end - std::chrono::steady_clock::now())));
    }
}

ChatRequest withReminder(const ChatRequest& request, const std::string& reply, const std::string& reminder)
{
    ChatRequest next = request;
    next.messages.push_back({"assistant", reply});
    next.messages.push_back({"user", reminder});
    return next;
}

std::string secondsText(int ms)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f s", ms / 1000.0);
    return text;
}

} // namespace

int RetryPolicy::backoffMs(int failedAttempts) const
{
    int64_t wait = firstBackoffMs;
    for (int i = 1; i < failedAttempts && wait < maxBackoffMs; ++i)
        wait *= 2;
    return int(std::min<int64_t>(wait, maxBackoffMs));
}

JudgeAnswer askJudge(JudgeClient& client, const ChatRequest& request, const ReplyCheck& check,
                     const std::string& reminder, const RetryPolicy& policy, const JobControl* job, const NoteFn& note)
{
    JudgeAnswer answer;
    ChatRequest current = request;
    for (int attempt = 1; attempt <= policy.maxAttempts; ++attempt) {
        if (job)
            job->checkpoint();
        answer.attempts = attempt;
        try {
            const ChatReply reply = client.chat(current, job);
            answer.reply = reply.content;
            answer.promptTokens = reply.promptTokens;
            answer.problem = check(reply.content);
            if (answer.problem.empty()) {
                answer.outcome = JudgeAnswer::Outcome::Read;
                return answer;
            }
            if (reply.doneReason == "length")
                answer.problem += " (the reply was cut off by num_predict)";
            answer.outcome = JudgeAnswer::Outcome::Unreadable;
            current = withReminder(request, reply.content, reminder);
        } catch (const JudgeError& e) {
            if (!e.retryable() || (e.serverGone() && attempt == policy.maxAttempts))
                throw;
            answer.outcome = JudgeAnswer::Outcome::Failed;
            answer.reply.clear();
            answer.problem = e.what();
        }
        if (attempt == policy.maxAttempts)
            break;
        const int wait = policy.backoffMs(attempt);
        if (note)
            note("attempt " + std::to_string(attempt) + " of " + std::to_string(policy.maxAttempts) + ": " +
                 answer.problem + "; asking again in " + secondsText(wait));
        waitFor(wait, job);
    }
    return answer;
}

} // namespace sft
