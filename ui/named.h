#pragma once
// Widgets built with their objectName in one expression, so that tests and style sheets find
// them by name.

#include <QString>

namespace sft::ui {

template <class T>
T* named(T* object, const QString& name)
{
    object->setObjectName(name);
    return object;
}

} // namespace sft::ui
