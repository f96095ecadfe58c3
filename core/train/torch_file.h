#pragma once
// Files written with torch's serializer (torch::save, OutputArchive::save_to). Given a path,
// torch's writer aborts the process when a write fails, a full disk included: its destructor
// throws while the first error unwinds. Here torch writes to a stream that takes every byte,
// and the file's first error is reported once torch is done.

#include <functional>
#include <ostream>
#include <string>

namespace sft {

// Throws IoError naming the path and the reason ("No space left on device").
void saveTorchFile(const std::string& path, const std::function<void(std::ostream&)>& save);

} // namespace sft
