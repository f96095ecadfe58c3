// Searching entries as the user types: case, fields, the empty query, and the chapter file
// against a count made here with a plain per-field scan.

#include "core/data/dataset.h"
#include "core/data/entry_search.h"
#include "tests/support/test_support.h"

#include <QtTest>

using namespace sft;

namespace {

Entry entry(std::string instruction, std::string input, std::string output)
{
    Entry e;
    e.instruction = std::move(instruction);
    e.input = std::move(input);
    e.output = std::move(output);
    return e;
}

std::vector<bool> bools(std::initializer_list<int> values)
{
    std::vector<bool> out;
    for (const int v : values)
        out.push_back(v != 0);
    return out;
}

} // namespace

class TestEntrySearch : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesAnyFieldIgnoringCase()
    {
        const EntrySearch search({entry("Convert to passive voice", "The cat ate.", "It was eaten."),
                                  entry("Name a color", "", "Blue"), entry("Translate", "Élan vital", "Lebenskraft")});
        QCOMPARE(search.size(), size_t(3));
        QCOMPARE(search.matches("PASSIVE"), bools({1, 0, 0}));
        QCOMPARE(search.matches("blue"), bools({0, 1, 0}));
        QCOMPARE(search.matches("cat ate"), bools({1, 0, 0}));
        QCOMPARE(search.matches("élan"), bools({0, 0, 1}));
        QCOMPARE(search.matches("a"), bools({1, 1, 1}));
        QCOMPARE(search.matches("zebra"), bools({0, 0, 0}));
    }

    void emptyQueryMatchesAll() { QCOMPARE(EntrySearch({entry("x", "", "y")}).matches(""), bools({1})); }

    void noMatchAcrossTwoFields()
    {
        // "voice" ends the instruction and "The" starts the input.
        const EntrySearch search({entry("Use the passive voice", "The dog barked.", "ok")});
        QCOMPARE(search.matches("voiceThe"), bools({0}));
        QCOMPARE(search.matches("voice the"), bools({0}));
    }

    void chapterFileAgreesWithAPlainScan()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        const Dataset data = loadDataset(test::sharedPath("data/instruction-data.json"));
        const EntrySearch search(data.entries);
        for (const char* query : {"sentence", "Synonym", "capital of", "the"}) {
            const QString q = QString::fromUtf8(query);
            size_t expected = 0;
            for (const Entry& e : data.entries)
                for (const std::string* field : {&e.instruction, &e.input, &e.output})
                    if (QString::fromStdString(*field).contains(q, Qt::CaseInsensitive)) {
                        ++expected;
                        break;
                    }
            const std::vector<bool> found = search.matches(query);
            QCOMPARE(size_t(std::count(found.begin(), found.end(), true)), expected);
            QVERIFY(expected > 0);
        }
    }
};

QTEST_APPLESS_MAIN(TestEntrySearch)
#include "test_entry_search.moc"
