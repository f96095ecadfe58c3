#include "core/generate/answer_pairs.h"

#include <deque>
#include <map>
#include <utility>

namespace sft {

AnswerPairing pairAnswers(const Responses& a, const Responses& b)
{
    std::map<std::pair<std::string, std::string>, std::deque<size_t>> unusedInB;
    for (size_t j = 0; j < b.dataset.entries.size(); ++j) {
        const Entry& e = b.dataset.entries[j];
        unusedInB[{e.instruction, e.input}].push_back(j);
    }
    AnswerPairing out;
    for (size_t i = 0; i < a.dataset.entries.size(); ++i) {
        const Entry& e = a.dataset.entries[i];
        auto it = unusedInB.find({e.instruction, e.input});
        if (it == unusedInB.end() || it->second.empty()) {
            ++out.onlyInA;
            continue;
        }
        const size_t j = it->second.front();
        it->second.pop_front();
        out.pairs.push_back({e.instruction, e.input, e.output, a.answers[i], b.answers[j], i, j});
    }
    out.onlyInB = b.dataset.entries.size() - out.pairs.size();
    return out;
}

} // namespace sft
