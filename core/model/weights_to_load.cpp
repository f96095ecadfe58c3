#include "core/model/weights_to_load.h"

namespace sft {

namespace {
thread_local bool loading = false;
} // namespace

WeightsToLoad::WeightsToLoad() : before_(loading) { loading = true; }
WeightsToLoad::~WeightsToLoad() { loading = before_; }
bool WeightsToLoad::active() { return loading; }

} // namespace sft
