// GPT-2 BPE against js-tiktoken's token IDs (shared/data/tokenizer-oracle), the chapter's
// facts, both file layouts, malformed files, and byte-exact round trips.

#include "core/tokenizer/byte_alphabet.h"
#include "core/tokenizer/pretokenizer.h"
#include "core/tokenizer/tokenizer.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "tests/support/test_support.h"

#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <optional>

using sft::Tokenizer;

namespace {

struct OracleCase {
    std::string text;
    std::vector<int> ids;
};

std::vector<OracleCase> readOracle(const std::string& file)
{
    const auto doc = nlohmann::json::parse(sft::readFile(sft::test::sharedPath("data/tokenizer-oracle/" + file)));
    std::vector<OracleCase> cases;
    for (const auto& c : doc)
        cases.push_back({c.at("text").get<std::string>(), c.at("ids").get<std::vector<int>>()});
    return cases;
}

std::string tokenizerDir() { return sft::test::sharedPath("data/gpt2-tokenizer"); }

// The first oracle case whose encoding or decoding differs, described; empty when all agree.
std::string firstMismatch(const Tokenizer& tok, const std::vector<OracleCase>& cases, bool allowSpecial)
{
    for (size_t i = 0; i < cases.size(); ++i) {
        if (tok.encode(cases[i].text, allowSpecial) != cases[i].ids)
            return "case " + std::to_string(i) + " encodes differently: " + cases[i].text;
        if (tok.decode(cases[i].ids) != cases[i].text)
            return "case " + std::to_string(i) + " decodes differently: " + cases[i].text;
    }
    return {};
}

std::string writeTemp(const QTemporaryDir& dir, const std::string& name, const std::string& content)
{
    const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
    sft::writeFileAtomic(path, content);
    return path;
}

// The message of the FormatError that loading throws; fails the test when none is thrown.
std::string formatErrorOf(const std::string& vocab, const std::string& merges)
{
    try {
        Tokenizer::fromFiles(vocab, merges);
    } catch (const sft::FormatError& e) {
        return e.what();
    }
    return "no FormatError";
}

std::vector<std::string> pieces(std::string_view text)
{
    std::vector<std::string> out;
    for (const std::string_view p : sft::splitPieces(text))
        out.emplace_back(p);
    return out;
}

// Code points from the ranges the tokenizer treats differently: ASCII, Latin-1, combining
// marks, CJK, emoji, digits of other scripts, and JavaScript's odd spaces.
char32_t randomCodePoint(QRandomGenerator& rng)
{
    static const std::pair<char32_t, char32_t> ranges[] = {
        {0x20, 0x7E}, {0x09, 0x0D}, {0xA0, 0xFF}, {0x300, 0x36F}, {0x400, 0x4FF}, {0x660, 0x669},
        {0x2000, 0x202F}, {0x3000, 0x30FF}, {0x4E00, 0x4FFF}, {0xFEFF, 0xFEFF}, {0x1F600, 0x1F64F}, {0x85, 0x85},
    };
    const auto& [lo, hi] = ranges[rng.bounded(int(std::size(ranges)))];
    return lo + char32_t(rng.bounded(int(hi - lo + 1)));
}

std::string toUtf8(const std::u32string& s) { return QString::fromUcs4(s.data(), qsizetype(s.size())).toStdString(); }

} // namespace

class TestTokenizer : public QObject {
    Q_OBJECT

    std::optional<Tokenizer> tok_;
    std::vector<OracleCase> chapter_;

private Q_SLOTS:
    void initTestCase()
    {
        if (!sft::test::sharedAvailable())
            QSKIP("shared reference data not found");
        tok_ = Tokenizer::fromDirectory(tokenizerDir());
        chapter_ = readOracle("instruction-data.alpaca-tokens.json");
        QCOMPARE(chapter_.size(), size_t(1100));
    }

    void chapterEntriesEncodeAsTiktoken()
    {
        QCOMPARE(firstMismatch(*tok_, chapter_, false), std::string());
    }

    void trickyStringsEncodeAsTiktoken()
    {
        const auto cases = readOracle("tricky-strings.tokens.json");
        QCOMPARE(cases.size(), size_t(30));
        QCOMPARE(firstMismatch(*tok_, cases, true), std::string());
    }

    void chapterFacts()
    {
        QCOMPARE(tok_->vocabSize(), 50257);
        QCOMPARE(tok_->encode("Hello, world!"), (std::vector<int>{15496, 11, 995, 0}));
        QCOMPARE(tok_->encode("<|user|>"), (std::vector<int>{27, 91, 7220, 91, 29}));
        QCOMPARE(tok_->encode("<|endoftext|>", true), std::vector<int>{Tokenizer::kEndOfText});
        QCOMPARE(tok_->tokenBytes(Tokenizer::kEndOfText), std::string("<|endoftext|>"));
    }

    void endOfTextIsPlainTextUnlessAllowed()
    {
        // js-tiktoken 1.0.21: encode("<|endoftext|>", [], []) treats it as ordinary text.
        const std::vector<int> plain{27, 91, 437, 1659, 5239, 91, 29};
        QCOMPARE(tok_->encode("<|endoftext|>"), plain);
        QCOMPARE(tok_->decode(plain), std::string("<|endoftext|>"));
        QCOMPARE(tok_->encode("a<|endoftext|>b<|endoftext|>", true), (std::vector<int>{64, 50256, 65, 50256}));
    }

    void huggingFaceLayoutLoadsTheSameTokenizer()
    {
        QTemporaryDir dir;
        tok_->save(dir.path().toStdString());
        QVERIFY(QFile::exists(dir.filePath("vocab.json")));
        QVERIFY(sft::readFile(dir.filePath("merges.txt").toStdString()).rfind("#version", 0) == 0);
        QVERIFY(!QFile::exists(dir.filePath("encoder.json")));
        QVERIFY(Tokenizer::directoryHasTokenizer(dir.path().toStdString()));

        const Tokenizer hf = Tokenizer::fromDirectory(dir.path().toStdString());
        QCOMPARE(hf.vocabSize(), 50257);
        for (int id = 0; id < hf.vocabSize(); ++id)
            QCOMPARE(hf.tokenBytes(id), tok_->tokenBytes(id));
        QCOMPARE(firstMismatch(hf, chapter_, false), std::string());
    }

    void joinsAnyPairWhoseBytesFormAMergedToken()
    {
        // tiktoken ranks the joined bytes, not the listed pair: once "a b" made "ab", the pair
        // (ab, c) joins into "abc" although the merges list it only as "a bc".
        nlohmann::json vocab;
        for (int b = 0; b < 256; ++b)
            vocab[sft::spellBytes(std::string(1, char(b)))] = b;
        vocab["ab"] = 256;
        vocab["bc"] = 257;
        vocab["abc"] = 258;
        vocab["<|endoftext|>"] = 259;
        QTemporaryDir dir;
        const Tokenizer tiny = Tokenizer::fromFiles(writeTemp(dir, "vocab.json", vocab.dump()),
                                                    writeTemp(dir, "merges.txt", "#version: 0.2\na b\nb c\na bc\n"));
        QCOMPARE(tiny.encode("abcd"), (std::vector<int>{258, 'd'}));
    }

    void missingTokenizerSaysWhatWasLookedFor()
    {
        QTemporaryDir empty;
        for (const std::string dir : {empty.path().toStdString(), std::string("/no/such/folder")}) {
            QVERIFY(!Tokenizer::directoryHasTokenizer(dir));
            try {
                Tokenizer::fromDirectory(dir);
                QFAIL("no FormatError");
            } catch (const sft::FormatError& e) {
                const std::string message = e.what();
                for (const char* name : {"encoder.json", "vocab.bpe", "vocab.json", "merges.txt", "--tokenizer"})
                    QVERIFY2(message.find(name) != std::string::npos, message.c_str());
            }
        }
    }

    void malformedMergesNameFileAndLine_data()
    {
        QTest::addColumn<QString>("merges");
        QTest::addColumn<QString>("expected");
        QTest::newRow("one token") << "#version: 0.2\nĠ t\nĠt\n" << "line 3";
        QTest::newRow("three tokens") << "#version: 0.2\nĠ t h\n" << "line 2";
        QTest::newRow("unknown token") << "Ġ t\nĠt zzzzzzzzzzzzzzzz\n" << "line 2";
        QTest::newRow("join not in vocab") << "#version: 0.2\n\nq Ġx\n" << "line 3";
        QTest::newRow("outside byte alphabet") << "#version: 0.2\n\u4e2d t\n" << "line 2";
    }

    void malformedMergesNameFileAndLine()
    {
        QFETCH(QString, merges);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const std::string path = writeTemp(dir, "vocab.bpe", merges.toStdString());
        const std::string message = formatErrorOf(tokenizerDir() + "/encoder.json", path);
        QVERIFY2(message.find(path + ", " + expected.toStdString()) != std::string::npos, message.c_str());
    }

    void malformedVocabNamesFileAndProblem_data()
    {
        QTest::addColumn<QString>("vocab");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not JSON") << "{\"a\": 0,\n\"b\" 1}" << "line 2";
        QTest::newRow("not an object") << "[1, 2]" << "JSON object";
        QTest::newRow("id not a number") << "{\"a\": \"zero\"}" << "\"a\"";
        QTest::newRow("id gap") << "{\"a\": 0, \"b\": 7}" << "\"b\"";
        QTest::newRow("no byte tokens") << "{\"<|endoftext|>\": 0}" << "byte 0";
    }

    void malformedVocabNamesFileAndProblem()
    {
        QFETCH(QString, vocab);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const std::string path = writeTemp(dir, "encoder.json", vocab.toStdString());
        const std::string message = formatErrorOf(path, tokenizerDir() + "/vocab.bpe");
        QVERIFY2(message.find(path) != std::string::npos, message.c_str());
        QVERIFY2(message.find(expected.toStdString()) != std::string::npos, message.c_str());
    }

    void decodingAnUnknownIdNamesIt()
    {
        for (const int id : {50257, -1}) {
            try {
                tok_->decode({15496, id});
                QFAIL("no sft::Error");
            } catch (const sft::Error& e) {
                QVERIFY2(std::string(e.what()).find(std::to_string(id)) != std::string::npos, e.what());
            }
        }
    }

    void piecesFollowTheRegexWithJavaScriptSpaces()
    {
        using P = std::vector<std::string>;
        QCOMPARE(pieces("Hello  world"), (P{"Hello", " ", " world"}));
        QCOMPARE(pieces("it's IT'S"), (P{"it", "'s", " IT", "'", "S"}));
        QCOMPARE(pieces("x  \n"), (P{"x", "  \n"}));
        QCOMPARE(pieces("a1b ?!c"), (P{"a", "1", "b", " ?!", "c"}));
        // U+0085 is no space in JavaScript, so the space before it leads a run of symbols...
        QCOMPARE(pieces("a \u0085b"), (P{"a", " \u0085", "b"}));
        // ...while U+FEFF is one, and only U+0020 may lead a word.
        QCOMPARE(pieces("a\uFEFF\uFEFFb"), (P{"a", "\uFEFF", "\uFEFF", "b"}));
        // Invalid bytes are symbols of their own.
        QCOMPARE(pieces("x\xff\xfe y\x80"), (P{"x", "\xff\xfe", " y", "\x80"}));
    }

    void randomTextRoundTrips()
    {
        QRandomGenerator rng(7);
        for (int n = 0; n < 2000; ++n) {
            std::u32string codePoints(size_t(rng.bounded(1, 40)), U' ');
            for (char32_t& c : codePoints)
                c = randomCodePoint(rng);
            const std::string text = toUtf8(codePoints);
            const std::vector<int> ids = tok_->encode(text);
            QCOMPARE(tok_->decode(ids), text);
            std::string joined;
            for (const std::string_view p : sft::splitPieces(text))
                joined += p;
            QCOMPARE(joined, text);
        }
    }

    void invalidUtf8RoundTripsByteForByte()
    {
        const std::vector<std::string> fixed = {"\xff\xfe", "abc\x80" "def", "\xe6\x97", "\xc0\xaf", "\xed\xa0\x80",
                                                "\xf4\x90\x80\x80", " \xf0\x9f\xa6", "it'\xff"};
        for (const std::string& text : fixed)
            QCOMPARE(tok_->decode(tok_->encode(text, true)), text);
        QRandomGenerator rng(11);
        for (int n = 0; n < 2000; ++n) {
            std::string bytes(size_t(rng.bounded(1, 30)), '\0');
            for (char& b : bytes)
                b = char(rng.bounded(256));
            QCOMPARE(tok_->decode(tok_->encode(bytes)), bytes);
        }
    }

    void unloadedTokenizerThrows()
    {
        QVERIFY_THROWS_EXCEPTION(sft::Error, Tokenizer().encode("x"));
    }
};

QTEST_GUILESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
