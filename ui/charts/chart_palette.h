#pragma once
// Qt Charts paints its own light theme whatever the window's palette: a chart in the dark theme
// would be a white box. These charts take their background, text and grid colours from the
// palette instead, and again whenever it changes (View > Theme while the app runs). The series
// keep their own colours, chosen to read on light and dark backgrounds.

class QChartView;

namespace sft::ui {

void followPalette(QChartView* view);

} // namespace sft::ui
