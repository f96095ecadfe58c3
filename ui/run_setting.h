#pragma once
// One text setting recorded in a run's run.json, for views that follow the current run (the
// prompt template it was trained with, its dataset).

#include <QString>

class QComboBox;

namespace sft::ui {

// pointer: a JSON pointer such as "/options/template". Empty when there is no run, no such
// setting, or run.json cannot be read (the views then keep their own choice).
QString runSetting(const QString& runPath, const char* pointer);

// Selects in `templates` the prompt template the run was trained with, adding it when it is a
// template file; keeps the current choice when there is no run.
void selectRunTemplate(QComboBox* templates, const QString& runPath);

} // namespace sft::ui
