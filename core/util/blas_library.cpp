#include "core/util/blas_library.h"

#include <dlfcn.h>
#include <link.h>

#include <climits>
#include <cstdlib>
#include <cstring>

namespace sft {

namespace {

bool isBlasName(const char* path)
{
    const char* slash = std::strrchr(path, '/');
    const char* name = slash ? slash + 1 : path;
    return std::strncmp(name, "libblas.so", 10) == 0 || std::strncmp(name, "libopenblas", 11) == 0;
}

// The first BLAS in load order: libblas.so.3 comes before the libopenblas.so.0 it may pull in.
std::string loadedBlasPath()
{
    std::string found;
    dl_iterate_phdr(
        [](dl_phdr_info* info, size_t, void* out) {
            if (!info->dlpi_name || !isBlasName(info->dlpi_name))
                return 0;
            char real[PATH_MAX];
            *static_cast<std::string*>(out) = realpath(info->dlpi_name, real) ? real : info->dlpi_name;
            return 1;
        },
        &found);
    return found;
}

} // namespace

std::string blasLibrary()
{
    const std::string path = loadedBlasPath();
    if (path.empty())
        return "no shared BLAS loaded (LibTorch may have one built in)";
    if (path.find("openblas") == std::string::npos)
        return path;
    using ConfigFn = const char* (*)();
    const auto config = reinterpret_cast<ConfigFn>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
    return config ? path + " (" + config() + ")" : path;
}

} // namespace sft
