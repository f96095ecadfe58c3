#include "core/train/torch_file.h"

#include "core/util/error.h"
#include "core/util/files.h"

#include <QFile>

#include <streambuf>

namespace sft {

namespace {

// Passes bytes on to the file until a write fails, then swallows the rest.
class FileSink : public std::streambuf {
public:
    explicit FileSink(const std::string& path) : file_(QString::fromStdString(path))
    {
        // Unbuffered, so that a failed write is seen at the write that failed.
        if (!file_.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Unbuffered))
            error_ = file_.errorString().toStdString();
    }

    const std::string& error() const { return error_; }

protected:
    std::streamsize xsputn(const char* data, std::streamsize count) override
    {
        if (error_.empty() && !writeWhole(file_, std::string_view(data, size_t(count))))
            error_ = file_.errorString().toStdString();
        return count;
    }

    int_type overflow(int_type c) override
    {
        if (!traits_type::eq_int_type(c, traits_type::eof())) {
            const char byte = traits_type::to_char_type(c);
            xsputn(&byte, 1);
        }
        return traits_type::not_eof(c);
    }

private:
    QFile file_;
    std::string error_;
};

} // namespace

void saveTorchFile(const std::string& path, const std::function<void(std::ostream&)>& save)
{
    FileSink sink(path);
    if (sink.error().empty()) {
        std::ostream out(&sink);
        save(out);
    }
    if (!sink.error().empty())
        throw IoError("cannot write " + path + ": " + sink.error());
}

} // namespace sft
