// Flattening run.json documents to dotted keys and listing only the settings that differ, for
// two runs and for three;
// expectations written out by hand.

#include "core/train/settings_diff.h"

#include <QtTest>

using namespace sft;
using nlohmann::json;

class TestSettingsDiff : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void flattensObjectsAndArrays()
    {
        const json doc = json::parse(R"({"a": {"b": 1, "c": {"d": "x"}}, "e": [2, {"f": true}], "g": {}, "h": [], "i": null})");
        const std::map<std::string, json> expected = {{"a.b", 1},      {"a.c.d", "x"}, {"e[0]", 2}, {"e[1].f", true},
                                                      {"g", json::object()}, {"h", json::array()}, {"i", nullptr}};
        QVERIFY(flattenSettings(doc) == expected);
        QVERIFY((flattenSettings(json(3)) == std::map<std::string, json>{{"", 3}}));
    }

    void listsExactlyTheKeysThatDiffer()
    {
        const json a = json::parse(R"({"status": "finished", "options": {"epochs": 2, "learning_rate": 5e-5,
            "betas": [0.9, 0.999], "template": "alpaca"}, "model": {"source": "gpt2-small"}, "only_a": 1})");
        const json b = json::parse(R"({"status": "finished", "options": {"epochs": 3, "learning_rate": 5e-5,
            "betas": [0.9, 0.95], "template": "alpaca"}, "model": {"source": "gpt2-medium"}, "only_b": "x"})");
        const std::vector<SettingDifference> diff = diffSettings({a, b});
        QStringList keys;
        for (const SettingDifference& d : diff)
            keys << QString::fromStdString(d.key);
        QCOMPARE(keys, QStringList({"model.source", "only_a", "only_b", "options.betas[1]", "options.epochs"}));
        QCOMPARE(diff[0].values[0]->get<std::string>(), std::string("gpt2-small"));
        QCOMPARE(diff[0].values[1]->get<std::string>(), std::string("gpt2-medium"));
        QCOMPARE(diff[1].values[0]->get<int>(), 1);
        QVERIFY(!diff[1].values[1]);
        QVERIFY(!diff[2].values[0]);
        QCOMPARE(diff[2].values[1]->get<std::string>(), std::string("x"));
        QCOMPARE(diff[4].values[0]->get<int>(), 2);
        QCOMPARE(diff[4].values[1]->get<int>(), 3);
    }

    void numbersCompareByValueAndTypesMatter()
    {
        QVERIFY(diffSettings({json::parse(R"({"x": 5})"), json::parse(R"({"x": 5.0})")}).empty());
        const auto diff = diffSettings({json::parse(R"({"x": 1})"), json::parse(R"({"x": "1"})")});
        QCOMPARE(int(diff.size()), 1);
        QCOMPARE(diff[0].key, std::string("x"));
    }

    void aLeafThatBecomesAnObjectShowsBothSides()
    {
        const auto diff = diffSettings({json::parse(R"({"t": "alpaca"})"), json::parse(R"({"t": {"name": "phi3"}})")});
        QCOMPARE(int(diff.size()), 2);
        QCOMPARE(diff[0].key, std::string("t"));
        QVERIFY(diff[0].values[0] && !diff[0].values[1]);
        QCOMPARE(diff[1].key, std::string("t.name"));
        QVERIFY(!diff[1].values[0] && diff[1].values[1]);
    }

    // Three runs: a key differs when any one of them differs, and each run's value is shown.
    void threeRunsDifferWhereAnyOneDiffers()
    {
        const auto diff = diffSettings({json::parse(R"({"lr": 5e-5, "epochs": 2, "seed": 1})"),
                                        json::parse(R"({"lr": 5e-5, "epochs": 2, "seed": 2})"),
                                        json::parse(R"({"lr": 1e-4, "epochs": 2})")});
        QCOMPARE(int(diff.size()), 2);
        QCOMPARE(diff[0].key, std::string("lr"));
        QCOMPARE(int(diff[0].values.size()), 3);
        QCOMPARE(diff[0].values[2]->get<double>(), 1e-4);
        QCOMPARE(diff[1].key, std::string("seed"));
        QCOMPARE(diff[1].values[1]->get<int>(), 2);
        QVERIFY(!diff[1].values[2]);
        QVERIFY(diffSettings({json::parse(R"({"a": 1})")}).empty());
    }

    void identicalDocumentsHaveNoDifferences()
    {
        const json doc = json::parse(R"({"a": [1, 2, {"b": null}], "c": {}})");
        QVERIFY(diffSettings({doc, doc}).empty());
    }
};

QTEST_GUILESS_MAIN(TestSettingsDiff)
#include "test_settings_diff.moc"
