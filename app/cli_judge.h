#pragma once
// The judge options that `score` and `compare-judge` share (and, for asking a model to write,
// make-preferences and generate-data): where the server is, how to ask it
// (sampling, schema), how long to wait and how often to ask again.

#include "app/cli_support.h"
#include "core/judge/ask_judge.h"
#include "core/judge/judge_client.h"
#include "core/judge/score_run.h"

#include <memory>
#include <string>

namespace sft::cli {

// compare-judge asks once per pair; score may ask several times per entry.
enum class JudgeSamples { Taken, NotTaken };

// The judge settings tables' flags, and the API key's, --pull and --restart.
void addJudgeOptions(Options& o, JudgeSamples samples);

// The API key comes from the environment variable named by --api-key-env or the private file
// named by --api-key-file, never from the command line, where other users can read it in the
// process list.
JudgeServer judgeServer(const Options& o);
// How to ask the judge: model, sampling, schema, retries, samples, --restart.
ScoreSettings judgeSettingsOf(const Options& o, JudgeSamples samples);

// Jobs that ask a local model to write text (make-preferences, generate-data): the server's
// flags, the model, its sampling (defaults: `sampling`), retries, and the API key's flags.
void addAskingOptions(Options& o, const SamplingOptions& sampling);
ScoreSettings askingSettingsOf(const Options& o, const SamplingOptions& sampling);

// With --pull, a judge model Ollama does not have yet is pulled first, with progress.
void pullIfMissing(JudgeClient& client, const std::string& model, const Options& o);

std::string formatNumber(double value, int decimals = 2);

} // namespace sft::cli
