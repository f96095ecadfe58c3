#pragma once
// Duplicate and near-duplicate entries, as the book's ch07/02_dataset-utilities/
// find-near-duplicates.py finds them: one field at a time, each text lowercased and stripped of
// punctuation, TF-IDF over character 1- to 3-grams (scikit-learn's TfidfVectorizer defaults),
// cosine similarity between every two entries. The book indexes its entries with the positions
// of the texts it kept (empty ones are left out), which pairs the wrong entries once a field is
// empty somewhere; here every pair names the entries it compares.

#include "core/data/dataset.h"
#include "core/util/job_control.h"

#include <cstddef>
#include <string>
#include <vector>

namespace sft {

// The fields a search covers: "all" is instruction, input and output in that order; another name
// than these four throws ConfigError.
std::vector<std::string> duplicateSearchFields(const std::string& field);
// An entry's text of "instruction", "input" or "output".
const std::string& duplicateSearchText(const Entry& entry, const std::string& field);

struct NearDuplicatePair {
    std::string field; // "instruction", "input" or "output"
    size_t i = 0, j = 0; // positions in the vector searched, i < j
    double similarity = 0;
};

// Pairs whose `field` ("instruction", "input", "output", or "all": the three in that order, each
// over every entry) is more similar than `threshold`, sorted by i then j within a field. Entries
// whose field is empty take no part; a text of one character is fitted but never paired, as the
// book does. Memory grows with the texts, not with the number of pairs compared; the work is
// split over the cores. Throws ConfigError for another field, Cancelled when `job` asks.
std::vector<NearDuplicatePair> findNearDuplicates(const std::vector<Entry>& entries, const std::string& field,
                                                  double threshold, const JobControl* job = nullptr,
                                                  const ProgressFn& progress = {});

// Entries whose `field` is the same text once leading and trailing whitespace is dropped and
// every run of whitespace is one space; each later copy is paired with the first (similarity 1).
// Texts of one character or none are not compared, as in the near search.
std::vector<NearDuplicatePair> findExactDuplicates(const std::vector<Entry>& entries, const std::string& field);

// The book's removal: of each input or output pair the second entry (j) goes, even when the
// first went for another pair; instruction pairs remove nothing. With "all" the fields are
// searched in turn (instruction, input, output), each over what the one before left, as
// find_print_and_remove_near_duplicates does. Positions refer to the vector passed in.
struct NearDuplicateRemoval {
    std::vector<NearDuplicatePair> pairs; // in the order found
    std::vector<size_t> removed;          // ascending
};
NearDuplicateRemoval removeNearDuplicates(const std::vector<Entry>& entries, const std::string& field,
                                          double threshold, const JobControl* job = nullptr,
                                          const ProgressFn& progress = {});
// The same rule applied to exact duplicates.
NearDuplicateRemoval removeExactDuplicates(const std::vector<Entry>& entries, const std::string& field);

} // namespace sft
