// ${VAR} expansion, secrets that never print, and the tiny JSON writer.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/env.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace tributary {
namespace {

EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const EnvLookup kEnv = fake_env({{"HOST", "db.example"}, {"PORT", "5432"}, {"EMPTY", ""},
                                 {"WITH_DOLLAR", "a$b"}, {"_U9", "under"}});

struct ExpandCase {
  const char* text;
  const char* expected;
};

void PrintTo(const ExpandCase& c, std::ostream* os) { *os << c.text; }

class Expand : public ::testing::TestWithParam<ExpandCase> {};

TEST_P(Expand, Substitutes) {
  const auto& c = GetParam();
  EXPECT_EQ(expand_env(c.text, "test.yaml:1:1", kEnv), c.expected) << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    Env, Expand,
    ::testing::Values(
        ExpandCase{"plain text", "plain text"}, ExpandCase{"", ""},
        ExpandCase{"${HOST}", "db.example"},
        ExpandCase{"postgres://${HOST}:${PORT}/x", "postgres://db.example:5432/x"},
        ExpandCase{"${_U9}", "under"},
        ExpandCase{"${MISSING:-fallback}", "fallback"},
        ExpandCase{"${MISSING:-}", ""},
        ExpandCase{"${MISSING:-https://a.example/b?c=d}", "https://a.example/b?c=d"},
        ExpandCase{"${HOST:-ignored}", "db.example"},
        // Like the shell's ":-", an empty variable takes the default...
        ExpandCase{"${EMPTY:-dflt}", "dflt"},
        // ...but without a default an empty variable is simply empty.
        ExpandCase{"[${EMPTY}]", "[]"},
        ExpandCase{"$$", "$"}, ExpandCase{"cost: $$5", "cost: $5"},
        ExpandCase{"$${HOST}", "${HOST}"},  // escaped: not expanded
        ExpandCase{"$$$${HOST}", "$${HOST}"},
        ExpandCase{"$HOST", "$HOST"},  // only the braced form expands
        ExpandCase{"trailing $", "trailing $"},
        // A value is inserted as is, never expanded again.
        ExpandCase{"${WITH_DOLLAR}", "a$b"}));

TEST(Env, UnsetVariableWithoutDefaultNamesTheVariableAndWhere) {
  const std::string where = "config/quickbooks.yaml:7:14";
  try {
    expand_env("prefix ${QBO_REALM_ID} suffix", where, kEnv);
    FAIL() << "an unset variable was expanded";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::config);
    std::string msg = e.what();
    EXPECT_EQ(msg.rfind(where + ":", 0), 0u) << msg;
    EXPECT_NE(msg.find("QBO_REALM_ID"), std::string::npos) << msg;
  }
}

TEST(Env, MalformedReferencesAreConfigErrors) {
  const std::vector<std::string> bad = {"${", "abc ${HOST", "${}", "${1ABC}", "${A-B}",
                                        "${:-x}", "${HO ST}"};
  for (const auto& text : bad) {
    try {
      auto out = expand_env(text, "f.yaml:3:5", kEnv);
      ADD_FAILURE() << "'" << text << "' expanded to '" << out << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::config) << text;
      EXPECT_EQ(std::string(e.what()).rfind("f.yaml:3:5:", 0), 0u) << e.what();
    }
  }
}

TEST(Env, LookupIsCalledWithTheBareName) {
  std::vector<std::string> asked;
  EnvLookup spy = [&](const std::string& name) -> std::optional<std::string> {
    asked.push_back(name);
    return "v";
  };
  EXPECT_EQ(expand_env("${A}-${B:-x}", "w", spy), "v-v");
  EXPECT_EQ(asked, (std::vector<std::string>{"A", "B"}));
}

TEST(Secret, NeverPrintsItsValue) {
  Secret s("hunter2-super-secret");
  std::ostringstream os;
  os << "token=" << s;
  EXPECT_EQ(os.str(), "token=***");
  EXPECT_EQ(s.reveal(), "hunter2-super-secret");
  EXPECT_FALSE(s.empty());
  EXPECT_TRUE(Secret().empty());
  EXPECT_EQ(Secret("a"), Secret("a"));
  EXPECT_NE(Secret("a"), Secret("b"));
}

struct QuoteCase {
  std::string text;
  std::string expected;
};

void PrintTo(const QuoteCase& c, std::ostream* os) { *os << c.expected; }

class JsonQuote : public ::testing::TestWithParam<QuoteCase> {};

TEST_P(JsonQuote, Escapes) {
  EXPECT_EQ(json_quote(GetParam().text), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Json, JsonQuote,
    ::testing::Values(QuoteCase{"", R"("")"}, QuoteCase{"plain", R"("plain")"},
                      QuoteCase{R"(say "hi")", R"("say \"hi\"")"},
                      QuoteCase{R"(C:\path)", R"("C:\\path")"},
                      QuoteCase{"a\nb\rc\td", R"("a\nb\rc\td")"},
                      QuoteCase{std::string("nul\0x", 5), R"("nul\u0000x")"},
                      QuoteCase{"\x01\x1f", R"("\u0001\u001f")"},
                      QuoteCase{"O'Brien", R"("O'Brien")"},
                      QuoteCase{"caf\xc3\xa9", "\"caf\xc3\xa9\""},  // UTF-8 passes through
                      QuoteCase{"\x7f", "\"\x7f\""}));

TEST(Json, ObjectQuotesValuesUnlessRaw) {
  EXPECT_EQ(json_object({}), "{}");
  EXPECT_EQ(json_object({{"method", "GET"}, {"q", "a \"b\""}}),
            R"({"method":"GET","q":"a \"b\""})");
  EXPECT_EQ(json_object({{"n", "42", true}, {"o", json_object({{"k", "v"}}), true}}),
            R"({"n":42,"o":{"k":"v"}})");
  EXPECT_EQ(json_object({{"we\"ird", "x"}}), R"({"we\"ird":"x"})");
}

}  // namespace
}  // namespace tributary
