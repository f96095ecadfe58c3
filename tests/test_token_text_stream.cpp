// Streaming token text: a character split over tokens appears only once it is whole. The byte
// sequences are written out by hand (é = C3 A9, 😀 = F0 9F 98 80) and fed one byte token at a
// time, GPT-2 having a token for every single byte.

#include "core/tokenizer/token_text_stream.h"
#include "tests/support/test_support.h"

#include <QtTest>

#include <map>

using namespace sft;

class TestTokenTextStream : public QObject {
    Q_OBJECT

    Tokenizer tokenizer_;
    std::map<unsigned char, int> byteToken_;

    void pushBytes(TokenTextStream& stream, const std::string& bytes)
    {
        for (const char c : bytes)
            stream.push(byteToken_.at(static_cast<unsigned char>(c)));
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        tokenizer_ = Tokenizer::fromDirectory(test::sharedPath("data/gpt2-tokenizer"));
        for (int id = 0; id < tokenizer_.vocabSize() && byteToken_.size() < 256; ++id) {
            const std::string bytes = tokenizer_.tokenBytes(id);
            if (bytes.size() == 1)
                byteToken_.emplace(static_cast<unsigned char>(bytes[0]), id);
        }
        QCOMPARE(int(byteToken_.size()), 256);
    }

    void twoByteCharacterWaitsForItsSecondByte()
    {
        TokenTextStream stream(tokenizer_);
        pushBytes(stream, "caf");
        QCOMPARE(stream.completeText(), std::string("caf"));
        pushBytes(stream, "\xC3");
        QCOMPARE(stream.completeText(), std::string("caf"));
        QCOMPARE(stream.bytes(), std::string("caf\xC3"));
        pushBytes(stream, "\xA9");
        QCOMPARE(stream.completeText(), std::string("caf\xC3\xA9"));
    }

    void fourByteCharacterWaitsForAllFour()
    {
        TokenTextStream stream(tokenizer_);
        pushBytes(stream, "ok ");
        for (const char* partial : {"\xF0", "\x9F", "\x98"}) {
            pushBytes(stream, partial);
            QCOMPARE(stream.completeText(), std::string("ok "));
        }
        pushBytes(stream, "\x80");
        QCOMPARE(stream.completeText(), std::string("ok \xF0\x9F\x98\x80"));
    }

    void bytesThatCannotFormACharacterAreNotHeldBack()
    {
        TokenTextStream stream(tokenizer_);
        pushBytes(stream, "a\xFF");
        QCOMPARE(stream.completeText(), std::string("a\xFF"));
        pushBytes(stream, "\x80");
        QCOMPARE(stream.completeText(), std::string("a\xFF\x80"));
    }

    void wholeTokensMatchDecode()
    {
        const std::string text = "naïve café 😀 end";
        const std::vector<int> ids = tokenizer_.encode(text);
        TokenTextStream stream(tokenizer_);
        for (const int id : ids) {
            stream.push(id);
            const std::string shown = stream.completeText();
            QVERIFY(text.compare(0, shown.size(), shown) == 0);
        }
        QCOMPARE(stream.completeText(), text);
        QCOMPARE(stream.bytes(), tokenizer_.decode(ids));
    }
};

QTEST_GUILESS_MAIN(TestTokenTextStream)
#include "test_token_text_stream.moc"
