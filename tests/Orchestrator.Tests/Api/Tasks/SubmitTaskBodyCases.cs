namespace Orchestrator.Tests.Api.Tasks;

/// <summary>Every row of the wire contract's 422 table, as (body, the whole expected response).</summary>
public sealed class InvalidSubmitTaskBodies : TheoryData<string, string>
{
    const string Missing = "field required\",\"type\":\"value_error.missing";
    const string NotNull = "none is not an allowed value\",\"type\":\"type_error.none.not_allowed";
    const string NotInteger = "value is not a valid integer\",\"type\":\"type_error.integer";
    const string TooBig = "ensure this value is less than or equal to 2147483647\",\"type\":\"value_error.number.not_le";
    const string NotString = "str type expected\",\"type\":\"type_error.str";
    const string NotPositive = "Budget must be positive\",\"type\":\"value_error";
    const string BlankTheme = "Theme cannot be empty\",\"type\":\"value_error";
    const string BlankVoiceId = "Voice id cannot be empty\",\"type\":\"value_error";
    const string LongTheme = "ensure this value has at most 2000 characters\",\"type\":\"value_error.any_str.max_length";
    const string LongVoiceId = "ensure this value has at most 256 characters\",\"type\":\"value_error.any_str.max_length";
    const string BodyMissing = """{"detail":[{"loc":["body"],"msg":"field required","type":"value_error.missing"}]}""";
    const string NotDict = """{"detail":[{"loc":["body"],"msg":"value is not a valid dict","type":"type_error.dict"}]}""";

    public InvalidSubmitTaskBodies()
    {
        // field absent, every field, in field order; keys are case-sensitive
        Add("{}", Detail(("theme", Missing), ("budget", Missing), ("voice_id", Missing)));
        Add("""{"budget": 10, "voice_id": "v"}""", Detail(("theme", Missing)));
        Add("""{"theme": "t", "voice_id": "v"}""", Detail(("budget", Missing)));
        Add("""{"theme": "t", "budget": 10}""", Detail(("voice_id", Missing)));
        Add("""{"Theme": "t", "budget": 10, "voice_id": "v", "voiceId": "v"}""", Detail(("theme", Missing)));

        // null
        Add("""{"theme": null, "budget": null, "voice_id": null}""", Detail(("theme", NotNull), ("budget", NotNull), ("voice_id", NotNull)));
        Add("""{"theme": "t", "budget": 5, "voice_id": "v", "theme": null}""", Detail(("theme", NotNull)));

        // budget not an integer
        foreach (var budget in new[] { "\"abc\"", "[]", "{}", "[1]", "1.5", "-0.5", "true", "false", "\"1.5\"", "\"50.0\"", "\"\"", "\" \"",
                     "\"1e2\"", "\"0x10\"", "\"1__0\"", "\"_1\"", "\"1_\"", "\"- 5\"", "1e999", "-1e999", $"\"{new string('1', 4301)}\"" })
            Add($$"""{"theme": "t", "budget": {{budget}}, "voice_id": "v"}""", Detail(("budget", NotInteger)));

        // budget above 2147483647
        foreach (var budget in new[] { "2147483648", "1e10", "2147483648.0", "\"99999999999\"", "\"+2147483648\"", "12345678901234567890",
                     "\"12345678901234567890\"", "123456789012345678901234567890" })
            Add($$"""{"theme": "t", "budget": {{budget}}, "voice_id": "v"}""", Detail(("budget", TooBig)));

        // theme / voice_id not a string
        Add("""{"theme": 5, "budget": 10, "voice_id": true}""", Detail(("theme", NotString), ("voice_id", NotString)));
        Add("""{"theme": ["t"], "budget": 10, "voice_id": {"v": 1}}""", Detail(("theme", NotString), ("voice_id", NotString)));
        Add("""{"theme": false, "budget": 10, "voice_id": 1.5}""", Detail(("theme", NotString), ("voice_id", NotString)));

        // budget <= 0, however large the negative number
        foreach (var budget in new[] { "0", "-0", "0.0", "-1", "-2147483648", "-2147483649", "-12345678901234567890", "-1e30", "\"-5\"", "\"0\"", "\"-99999999999\"" })
            Add($$"""{"theme": "t", "budget": {{budget}}, "voice_id": "v"}""", Detail(("budget", NotPositive)));

        // blank theme / voice_id, all problems at once, in field order
        Add("""{"theme": " ", "budget": 0, "voice_id": ""}""", Detail(("theme", BlankTheme), ("budget", NotPositive), ("voice_id", BlankVoiceId)));
        Add("""{"voice_id": " \t\n ", "budget": -3, "theme": "\u3000\u001f"}""", Detail(("theme", BlankTheme), ("budget", NotPositive), ("voice_id", BlankVoiceId)));
        Add("""{"theme": "", "budget": 1, "voice_id": "   "}""", Detail(("theme", BlankTheme), ("voice_id", BlankVoiceId)));
        Add("""{"theme": null, "budget": "abc"}""", Detail(("theme", NotNull), ("budget", NotInteger), ("voice_id", Missing)));
        Add("""{"theme": 1, "budget": 2147483648, "voice_id": null}""", Detail(("theme", NotString), ("budget", TooBig), ("voice_id", NotNull)));

        // beyond the seed: lengths (the theme measured once trimmed; in UTF-16 code units, as the columns are)
        Add($$"""{"theme": "{{new string('t', 2001)}}", "budget": 1, "voice_id": "{{new string('v', 257)}}"}""", Detail(("theme", LongTheme), ("voice_id", LongVoiceId)));
        Add($$"""{"theme": " {{new string('t', 2001)}} ", "budget": 1, "voice_id": "v"}""", Detail(("theme", LongTheme)));
        Add($$"""{"theme": "t", "budget": 1, "voice_id": "{{string.Concat(Enumerable.Repeat("\ud83d\ude00", 129))}}"}""", Detail(("voice_id", LongVoiceId)));
        Add($$"""{"theme": "t", "budget": 1, "voice_id": "{{new string(' ', 257)}}"}""", Detail(("voice_id", LongVoiceId)));

        // the body itself
        Add("", BodyMissing);
        Add(" \r\n\t ", BodyMissing);
        Add("\uFEFF", BodyMissing);
        foreach (var body in new[] { "[1, 2]", "[]", "\"x\"", "42", "-1.5", "null", "true", "false", "[{\"theme\": \"t\"}]", "\uFEFF[]" })
            Add(body, NotDict);

        // not JSON: Python's json messages and positions (0-based characters, not bytes)
        Add("not json", JsonDecode(0, "Expecting value: line 1 column 1 (char 0)"));
        Add("{", JsonDecode(1, "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"));
        Add("[", JsonDecode(1, "Expecting value: line 1 column 2 (char 1)"));
        Add("""{"theme": }""", JsonDecode(10, "Expecting value: line 1 column 11 (char 10)"));
        Add("{\n  \"theme\": \"t\",\n  budget: 1}", JsonDecode(20, "Expecting property name enclosed in double quotes: line 3 column 3 (char 20)"));
        Add("\n\n  {\"a\" 1}", JsonDecode(9, "Expecting ':' delimiter: line 3 column 8 (char 9)"));
        Add("{\"theme\"", JsonDecode(8, "Expecting ':' delimiter: line 1 column 9 (char 8)"));
        Add("""{"theme": "t" "budget": 1}""", JsonDecode(14, "Expecting ',' delimiter: line 1 column 15 (char 14)"));
        Add("""{"theme": "t"} x""", JsonDecode(15, "Extra data: line 1 column 16 (char 15)"));
        Add("""{"theme": "t"}{}""", JsonDecode(14, "Extra data: line 1 column 15 (char 14)"));
        Add("""{"theme": "abc""", JsonDecode(10, "Unterminated string starting at: line 1 column 11 (char 10)"));
        Add("""{"theme": "a\qb"}""", JsonDecode(12, "Invalid \\\\escape: line 1 column 13 (char 12)"));
        Add("""{"theme": "a\u12"}""", JsonDecode(13, "Invalid \\\\uXXXX escape: line 1 column 14 (char 13)"));
        Add("{\"theme\": \"a\tb\"}", JsonDecode(12, "Invalid control character at: line 1 column 13 (char 12)"));
        Add("""{"a": 1,}""", JsonDecode(8, "Expecting property name enclosed in double quotes: line 1 column 9 (char 8)"));
        Add("[1,]", JsonDecode(3, "Expecting value: line 1 column 4 (char 3)"));
        Add("[01]", JsonDecode(2, "Expecting ',' delimiter: line 1 column 3 (char 2)"));
        Add("1.", JsonDecode(1, "Extra data: line 1 column 2 (char 1)"));
        Add("""{"budget": 1.e5}""", JsonDecode(12, "Expecting ',' delimiter: line 1 column 13 (char 12)"));
        Add("""{"thème": "é😀", }""", JsonDecode(16, "Expecting property name enclosed in double quotes: line 1 column 17 (char 16)"));
        Add("""{"theme": 'single'}""", JsonDecode(10, "Expecting value: line 1 column 11 (char 10)"));

        // refused although Python's json accepts them: NaN and Infinity, a string .NET cannot hold, deep nesting
        Add("""{"theme": "t", "budget": NaN, "voice_id": "v"}""", JsonDecode(25, "Expecting value: line 1 column 26 (char 25)"));
        Add("""{"theme": "t", "budget": -Infinity, "voice_id": "v"}""", JsonDecode(25, "Expecting value: line 1 column 26 (char 25)"));
        Add("""{"theme": "ab\ud800c", "budget": 0, "voice_id": "v"}""", JsonDecode(13, "Invalid \\\\uXXXX escape: line 1 column 14 (char 13)"));
        Add("""{"theme": "t", "budget": 0, "voice_id": "\ud83d\ude00\udc00"}""", JsonDecode(53, "Invalid \\\\uXXXX escape: line 1 column 54 (char 53)"));
        Add("""{"theme": "t", "budget": "\ud800", "voice_id": "v"}""", JsonDecode(26, "Invalid \\\\uXXXX escape: line 1 column 27 (char 26)"));
        Add(new string('[', 1001) + new string(']', 1001), JsonDecode(1000, "Maximum nesting depth exceeded: line 1 column 1001 (char 1000)"));
    }

    static string Detail(params (string Field, string MessageAndType)[] problems) =>
        $$"""{"detail":[{{string.Join(",", problems.Select(p => $$"""{"loc":["body","{{p.Field}}"],"msg":"{{p.MessageAndType}}"}"""))}}]}""";

    static string JsonDecode(int position, string message) =>
        $$"""{"detail":[{"loc":["body",{{position}}],"msg":"{{message}}","type":"value_error.jsondecode"}]}""";
}

/// <summary>Bodies the seed accepted: (body, stored theme, budget, voice id).</summary>
public sealed class ValidSubmitTaskBodies : TheoryData<string, string, int, string>
{
    public ValidSubmitTaskBodies()
    {
        Add("""{"theme": "Tesla Inc financial performance 2023", "budget": 50, "voice_id": "user_voice_123"}""", "Tesla Inc financial performance 2023", 50, "user_voice_123");
        Add("""{"theme": "  padded theme\t", "budget": 50.0, "voice_id": " v "}""", "padded theme", 50, " v ");
        Add("""{"theme": "t", "budget": 1e2, "voice_id": "v"}""", "t", 100, "v");
        Add("""{"theme": "t", "budget": 5.0e1, "voice_id": "v"}""", "t", 50, "v");
        Add("""{"theme": "t", "budget": 1E+2, "voice_id": "v"}""", "t", 100, "v");
        Add("""{"theme": "t", "budget": 12000e-3, "voice_id": "v"}""", "t", 12, "v");
        Add("""{"theme": "t", "budget": "50", "voice_id": "v"}""", "t", 50, "v");
        Add("""{"theme": "t", "budget": " 7 ", "voice_id": "v"}""", "t", 7, "v");
        Add("""{"theme": "t", "budget": "+007", "voice_id": "v"}""", "t", 7, "v");
        Add("""{"theme": "t", "budget": "1_000", "voice_id": "v"}""", "t", 1000, "v");
        Add("""{"theme": "t", "budget": "\u0664\u0662", "voice_id": "v"}""", "t", 42, "v");
        Add("""{"theme": "t", "budget": 2147483647, "voice_id": "v"}""", "t", 2147483647, "v");
        Add("""{"theme": "t", "budget": "2147483647", "voice_id": "v"}""", "t", 2147483647, "v");
        Add("""{"theme": "first", "theme": "last", "budget": 1, "voice_id": "v", "extra": [1, {"x": null}], "\ud800": "\udc00"}""", "last", 1, "v");
        Add("""{"th\u0065me": "\u00e9t\u00e9 \ud83d\ude00", "budget": 1, "voice_id": "v\n"}""", "\u00e9t\u00e9 \ud83d\ude00", 1, "v\n");
        Add("\uFEFF{\"theme\": \"t\", \"budget\": 1, \"voice_id\": \"v\"}", "t", 1, "v");
        Add($$"""{"theme": "  {{new string('t', 2000)}}  ", "budget": 1, "voice_id": "{{new string('v', 256)}}"}""", new string('t', 2000), 1, new string('v', 256));
        Add($$"""{"theme": "t", "budget": 1, "voice_id": "{{string.Concat(Enumerable.Repeat("\ud83d\ude00", 128))}}"}""", "t", 1, string.Concat(Enumerable.Repeat("\ud83d\ude00", 128)));
        Add($$"""{"theme": "t", "budget": 1, "voice_id": "v", "deep": {{new string('[', 999)}}{{new string(']', 999)}}}""", "t", 1, "v");
    }
}
