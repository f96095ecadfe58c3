#pragma once
// A duration for people: "1:05:03", "4:07"; "–" when unknown (not finite or negative).

#include <QString>

namespace sft::ui {

QString durationText(double seconds);

} // namespace sft::ui
