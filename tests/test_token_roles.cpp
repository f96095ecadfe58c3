// Token roles for the Data view: hand-worked rows (the chapter's toy batch, the pad id inside
// the text, truncation, prompt masking), and agreement with collate()'s inputs and targets for
// batches of chapter entries under every combination of masking and truncation.

#include "core/data/batcher.h"
#include "core/data/dataset.h"
#include "core/data/prompt_template.h"
#include "core/data/token_roles.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/support/test_support.h"

#include <torch/torch.h>

#include <QtTest>

using namespace sft;

namespace {

constexpr int64_t P = 50256;
constexpr auto T = TokenRole::Trained;
constexpr auto M = TokenRole::Masked;
constexpr auto D = TokenRole::Padding;
constexpr auto C = TokenRole::CutOff;

std::vector<TokenRole> roles(const std::vector<RoledToken>& tokens)
{
    std::vector<TokenRole> out;
    for (const RoledToken& t : tokens)
        out.push_back(t.role);
    return out;
}

std::vector<int64_t> ids(const std::vector<RoledToken>& tokens)
{
    std::vector<int64_t> out;
    for (const RoledToken& t : tokens)
        out.push_back(t.id);
    return out;
}

Example example(std::vector<int64_t> ids, int64_t promptLength = 0) { return Example{std::move(ids), promptLength}; }

} // namespace

namespace QTest {
template <> char* toString(const std::vector<TokenRole>& v)
{
    QString text;
    for (const TokenRole role : v)
        text += "TMDC"[int(role)];
    return qstrdup(text.toUtf8().constData());
}
} // namespace QTest

class TestTokenRoles : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void chapterToyBatchRows()
    {
        // custom_collate_fn on [0..4], [5, 6], [7, 8, 9]: targets [6, P, X, X, X] for the second
        // row, so 6 and the appended end-of-text are trained and the rest is padding.
        const CollateOptions options;
        QCOMPARE(roles(tokenRoles(example({5, 6}), options, 5)), (std::vector<TokenRole>{M, T, T, D, D, D}));
        QCOMPARE(ids(tokenRoles(example({5, 6}), options, 5)), (std::vector<int64_t>{5, 6, P, P, P, P}));
        QCOMPARE(roles(tokenRoles(example({0, 1, 2, 3, 4}), options, 5)), (std::vector<TokenRole>{M, T, T, T, T, T}));
        QCOMPARE(roles(tokenRoles(example({7, 8, 9}), options)), (std::vector<TokenRole>{M, T, T, T}));
    }

    void padIdInsideTheText()
    {
        // Targets of [1, P, 2] are [P, 2, X]: the text's own 50256 is trained, the appended one is not.
        QCOMPARE(roles(tokenRoles(example({1, P, 2}), {})), (std::vector<TokenRole>{M, T, T, D}));
    }

    void truncationCutsTokensPastTheMaxLength()
    {
        // allowed_max_length 3 keeps inputs [5, 6, P] and targets [6, P, X] of a width-5 row.
        CollateOptions options;
        options.allowedMaxLength = 3;
        QCOMPARE(roles(tokenRoles(example({5, 6}), options, 5)), (std::vector<TokenRole>{M, T, T, D, C, C}));
        QCOMPARE(roles(tokenRoles(example({0, 1, 2, 3, 4}), options)), (std::vector<TokenRole>{M, T, T, T, C, C}));
    }

    void maskedPromptKeepsTheFirstResponseToken()
    {
        // Prompt 10 11 12, response 13 14: targets [X, X, 13, 14, P].
        CollateOptions options;
        options.maskPrompt = true;
        const std::vector<RoledToken> tokens = tokenRoles(example({10, 11, 12, 13, 14}, 3), options);
        QCOMPARE(roles(tokens), (std::vector<TokenRole>{M, M, M, T, T, T}));
        QCOMPARE(countRole(tokens, M), int64_t(3));
    }

    void agreeWithCollateOnChapterBatches()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        const Tokenizer tokenizer = Tokenizer::fromDirectory(test::sharedPath("data/gpt2-tokenizer"));
        const Dataset data = loadDataset(test::sharedPath("data/instruction-data.json"));
        // Short and long entries, with and without input, from all three splits.
        std::vector<Entry> picked;
        for (const size_t i : {0, 1, 2, 7, 50, 936, 1050, 1099})
            picked.push_back(data.entries[i]);
        const std::vector<Example> examples = tokenizeEntries(picked, PromptTemplate::alpaca(), tokenizer);
        std::vector<const Example*> batch;
        size_t width = 0;
        for (const Example& e : examples) {
            batch.push_back(&e);
            width = std::max(width, e.ids.size());
        }
        for (const bool mask : {false, true})
            for (const int64_t maxLength : {int64_t(0), int64_t(50), int64_t(1024)}) {
                CollateOptions options;
                options.maskPrompt = mask;
                options.allowedMaxLength = maxLength;
                const Batch collated = collate(batch, options);
                const int64_t kept = collated.targets.size(1);
                for (size_t r = 0; r < examples.size(); ++r) {
                    const std::vector<RoledToken> tokens = tokenRoles(examples[r], options, width);
                    QCOMPARE(tokens.size(), width + 1);
                    for (int64_t k = 0; k < int64_t(tokens.size()); ++k) {
                        const RoledToken& token = tokens[size_t(k)];
                        if (k < kept)
                            QCOMPARE(token.id, collated.inputs[int64_t(r)][k].item<int64_t>());
                        if (k > kept) {
                            QCOMPARE(token.role, C);
                            continue;
                        }
                        const bool trained = k > 0 && collated.targets[int64_t(r)][k - 1].item<int64_t>() != -100;
                        QCOMPARE(token.role == T, trained);
                        // Untrained tokens past the example's own are padding, before it masked.
                        if (!trained)
                            QCOMPARE(token.role, k >= int64_t(examples[r].ids.size()) ? D : M);
                    }
                }
            }
    }
};

QTEST_APPLESS_MAIN(TestTokenRoles)
#include "test_token_roles.moc"
