#pragma once
// Which BLAS the process really uses. Debian picks libblas.so.3 through alternatives, and with
// the reference BLAS LibTorch runs ~20x slower, so the resolved file is worth reporting.

#include <string>

namespace sft {

// The real path of the loaded libblas.so.3 (or libopenblas), with OpenBLAS's own build
// description when it is OpenBLAS; a sentence saying so when no shared BLAS is loaded (a
// LibTorch with MKL linked in).
std::string blasLibrary();

} // namespace sft
