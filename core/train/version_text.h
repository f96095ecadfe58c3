#pragma once
// What `sft-studio --version` prints and Help > About shows: the facts run.json records
// (environmentInfo), one per line, so a bug report and a run folder say the same.

#include <string>

namespace sft {

// Lines "SFT Studio <version> (commit <hash>)", "LibTorch …", "Qt …", "BLAS …", "Threads …".
std::string versionText();

} // namespace sft
