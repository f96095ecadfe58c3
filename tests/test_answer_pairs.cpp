// Matching two responses files entry by entry (by instruction and input, whatever the order),
// and finding the fields of a responses file that hold answers. Expectations written by hand.

#include "core/generate/answer_keys.h"
#include "core/generate/answer_pairs.h"
#include "tests/support/test_support.h"

#include <QtTest>

using namespace sft;

namespace {

Responses responses(const std::string& json)
{
    Responses r{parseDataset(json, "test"), "model_response", {}};
    for (const Entry& e : r.dataset.entries)
        r.answers.push_back(e.source.at("model_response").get<std::string>());
    return r;
}

} // namespace

class TestAnswerPairs : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pairsByInstructionAndInputInTheOrderOfA()
    {
        const Responses a = responses(R"([
            {"instruction": "Add", "input": "1 2", "output": "3", "model_response": "a-add"},
            {"instruction": "Add", "input": "2 2", "output": "4", "model_response": "a-add2"},
            {"instruction": "Only in A", "input": "", "output": "x", "model_response": "a-only"},
            {"instruction": "Spell", "input": "", "output": "s", "model_response": "a-spell"}])");
        const Responses b = responses(R"([
            {"instruction": "Spell", "input": "", "output": "s", "model_response": "b-spell"},
            {"instruction": "Only in B", "input": "", "output": "y", "model_response": "b-only"},
            {"instruction": "Add", "input": "2 2", "output": "4", "model_response": "b-add2"},
            {"instruction": "Add", "input": "1 2", "output": "3", "model_response": "b-add"}])");
        const AnswerPairing pairing = pairAnswers(a, b);
        QCOMPARE(int(pairing.pairs.size()), 3);
        QCOMPARE(int(pairing.onlyInA), 1);
        QCOMPARE(int(pairing.onlyInB), 1);
        QCOMPARE(pairing.pairs[0].answerA, std::string("a-add"));
        QCOMPARE(pairing.pairs[0].answerB, std::string("b-add"));
        QCOMPARE(pairing.pairs[0].reference, std::string("3"));
        QCOMPARE(pairing.pairs[1].answerB, std::string("b-add2"));
        QCOMPARE(pairing.pairs[2].instruction, std::string("Spell"));
        QCOMPARE(pairing.pairs[2].answerB, std::string("b-spell"));
    }

    void repeatedEntriesPairInOrder()
    {
        const Responses a = responses(R"([
            {"instruction": "Same", "output": "o", "model_response": "a1"},
            {"instruction": "Same", "output": "o", "model_response": "a2"},
            {"instruction": "Same", "output": "o", "model_response": "a3"}])");
        const Responses b = responses(R"([
            {"instruction": "Same", "output": "o", "model_response": "b1"},
            {"instruction": "Same", "output": "o", "model_response": "b2"}])");
        const AnswerPairing pairing = pairAnswers(a, b);
        QCOMPARE(int(pairing.pairs.size()), 2);
        QCOMPARE(pairing.pairs[1].answerA + pairing.pairs[1].answerB, std::string("a2b2"));
        QCOMPARE(int(pairing.onlyInA), 1);
        QCOMPARE(int(pairing.onlyInB), 0);
    }

    void answerKeysAreStringFieldsOfEveryEntryModelResponseFirst()
    {
        const Dataset data = parseDataset(R"([
            {"instruction": "i", "output": "o", "zeta": "z", "model_response": "m", "alpha": "a", "n": 3, "partial": "p"},
            {"instruction": "i", "output": "o", "zeta": "z", "model_response": "m", "alpha": "a", "n": 4}])",
                                          "test");
        QCOMPARE(answerKeys(data), std::vector<std::string>({"model_response", "alpha", "zeta"}));
        QVERIFY(answerKeys(parseDataset(R"([{"instruction": "i", "output": "o"}])", "test")).empty());
    }

    void chapterEvaluationExampleHasTwoAnswerFields()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        const Dataset data = loadDataset(test::sharedPath("data/ch07-extras/03_model-evaluation/eval-example-data.json"));
        QCOMPARE(answerKeys(data), std::vector<std::string>({"model 1 response", "model 2 response"}));
    }
};

QTEST_GUILESS_MAIN(TestAnswerPairs)
#include "test_answer_pairs.moc"
