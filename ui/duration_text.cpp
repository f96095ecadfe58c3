#include "ui/duration_text.h"

#include <cmath>

namespace sft::ui {

QString durationText(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return QStringLiteral("–");
    const qint64 s = qint64(std::llround(seconds));
    const auto twoDigits = [](qint64 n) { return QStringLiteral("%1").arg(n, 2, 10, QChar('0')); };
    return s >= 3600 ? QStringLiteral("%1:%2:%3").arg(s / 3600).arg(twoDigits(s / 60 % 60), twoDigits(s % 60))
                     : QStringLiteral("%1:%2").arg(s / 60).arg(twoDigits(s % 60));
}

} // namespace sft::ui
