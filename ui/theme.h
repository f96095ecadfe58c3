#pragma once
// Light and dark palettes on the Fusion style. "System" follows the desktop: Qt 6.4 has no
// colour-scheme query, so a dark system palette (dark window colour) selects the dark one.

#include <QString>

namespace sft::ui {

enum class Theme { System, Light, Dark };

void applyTheme(Theme theme);
Theme themeFromName(const QString& name); // "system" | "light" | "dark"; others: System
QString themeName(Theme theme);

} // namespace sft::ui
