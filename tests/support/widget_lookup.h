#pragma once
// GUI tests find the widgets they drive by objectName; a missing one ends the test at once
// with its name rather than with a null dereference later.

#include <QObject>
#include <QtGlobal>

namespace sft::test {

template <class T>
T* namedChild(const QObject* parent, const char* name)
{
    T* widget = parent->findChild<T*>(name);
    if (!widget)
        qFatal("no widget named %s", name);
    return widget;
}

} // namespace sft::test
