#pragma once
// Typed errors at the core boundary. Every message is written for the person who will
// read it at the edge (a dialog or the CLI's stderr): what went wrong, where, and what to do.

#include <stdexcept>
#include <string>

namespace sft {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A file the user gave us is unreadable or malformed (dataset, weights, config, tokenizer).
class FormatError : public Error {
public:
    using Error::Error;
};

// The dataset is not a usable instruction dataset; names file, entry/line and field.
class DatasetError : public FormatError {
public:
    using FormatError::FormatError;
};

// Model weights, configs or checkpoints that cannot be read or do not fit the model.
class WeightsError : public FormatError {
public:
    using FormatError::FormatError;
};

// Reading or writing the file system failed (missing file, permission, disk full).
class IoError : public Error {
public:
    using Error::Error;
};

// A setting is out of range or inconsistent (bad flag value, unknown template name).
class ConfigError : public Error {
public:
    using Error::Error;
};

// Long work stopped because the user asked it to; not a failure.
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

} // namespace sft
