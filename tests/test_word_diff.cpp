// Word-level diff: expected spans worked out by hand from the documented rules (words and
// whitespace runs as units, longest common subsequence, removals before additions, merged
// neighbours), and on the chapter's answers the two texts are spelled back exactly.

#include "core/data/dataset.h"
#include "core/generate/word_diff.h"
#include "tests/support/test_support.h"

#include <QtTest>

using namespace sft;
using Spans = std::vector<DiffSpan>;

namespace {

DiffSpan equal(const std::string& t) { return {DiffKind::Equal, t}; }
DiffSpan removed(const std::string& t) { return {DiffKind::Removed, t}; }
DiffSpan added(const std::string& t) { return {DiffKind::Added, t}; }

std::string spell(const Spans& spans, DiffKind skipped)
{
    std::string text;
    for (const DiffSpan& s : spans)
        if (s.kind != skipped)
            text += s.text;
    return text;
}

QString show(const Spans& spans)
{
    QString out;
    for (const DiffSpan& s : spans)
        out += QString("%1[%2] ").arg("=-+"[int(s.kind)]).arg(QString::fromStdString(s.text));
    return out;
}

void check(const std::string& before, const std::string& after, const Spans& expected)
{
    const Spans got = diffWords(before, after);
    QVERIFY2(got == expected, qPrintable("got " + show(got) + "\nexpected " + show(expected)));
}

} // namespace

class TestWordDiff : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void identicalTextsAreOneEqualSpan() { check("the cat sat", "the cat sat", {equal("the cat sat")}); }

    void emptyTexts()
    {
        check("", "", {});
        check("", "new words", {added("new words")});
        check("old words", "", {removed("old words")});
    }

    void replacedWord()
    {
        check("The cat sat on the mat.", "The dog sat on the mat.",
              {equal("The "), removed("cat"), added("dog"), equal(" sat on the mat.")});
    }

    void insertedWordTakesItsSpace()
    {
        check("a b", "a new b", {equal("a "), added("new "), equal("b")});
    }

    void whitespaceIsKept()
    {
        check("one\ntwo", "one two", {equal("one"), removed("\n"), added(" "), equal("two")});
    }

    void everyWordChangedKeepsTheSpaces()
    {
        check("x y", "p q", {removed("x"), added("p"), equal(" "), removed("y"), added("q")});
    }

    void movedWord()
    {
        // The longest common part is "red green"; "blue" leaves the end and arrives in front.
        check("red green blue", "blue red green", {added("blue "), equal("red green"), removed(" blue")});
    }

    void punctuationBelongsToTheWord()
    {
        check("It is cold.", "It is cold!", {equal("It is "), removed("cold."), added("cold!")});
    }

    void longTextsFallBackToWholeReplacementAfterTheCommonStart()
    {
        std::string a = "same start ", b = "same start ";
        for (int i = 0; i < 3000; ++i) {
            a += "a" + std::to_string(i) + " ";
            b += "b" + std::to_string(i) + " ";
        }
        a += "end", b += "end";
        const std::string middleA = a.substr(11, a.size() - 11 - 4), middleB = b.substr(11, b.size() - 11 - 4);
        check(a, b, {equal("same start "), removed(middleA), added(middleB), equal(" end")});
    }

    void chapterAnswersAreSpelledBack()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        const Dataset data = loadDataset(test::sharedPath("data/instruction-data-with-response.json"));
        for (const Entry& e : data.entries) {
            const std::string answer = e.source.at("model_response").get<std::string>();
            const Spans spans = diffWords(e.output, answer);
            QCOMPARE(spell(spans, DiffKind::Added), e.output);
            QCOMPARE(spell(spans, DiffKind::Removed), answer);
            for (size_t i = 1; i < spans.size(); ++i)
                QVERIFY(spans[i].kind != spans[i - 1].kind);
        }
    }
};

QTEST_GUILESS_MAIN(TestWordDiff)
#include "test_word_diff.moc"
