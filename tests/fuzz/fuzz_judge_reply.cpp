// The judge reply readers on any text: a score in 0..100 or the reason there is none, a verdict or
// the reason there is none; never a crash or an exception.

#include "core/judge/judge_reply.h"
#include "tests/fuzz/fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string reply(reinterpret_cast<const char*>(data), size);
    const sft::ScoreReading score = sft::readScore(reply);
    sft::fuzz::check(score.score.has_value() != !score.problem.empty(), "a score or a problem, not both");
    sft::fuzz::check(!score.score || (*score.score >= 0 && *score.score <= 100), "a score is in 0..100");
    const sft::VerdictReading verdict = sft::readVerdict(reply);
    sft::fuzz::check(verdict.verdict.has_value() != !verdict.problem.empty(), "a verdict or a problem, not both");
    return 0;
}
