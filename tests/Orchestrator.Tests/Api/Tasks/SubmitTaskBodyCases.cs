namespace Orchestrator.Tests.Api.Tasks;

/// <summary>Every row of the wire contract's 422 table, as (body, the whole expected response).</summary>
public sealed class InvalidSubmitTaskBodies : TheoryData<string, string>
{
    const string Missing = "field required\",\"type\":\"value_error.missing";
    const string NotNull = "none is not an allowed value\",\"type\":\"type_error.none.not_allowed";
    const string NotInteger = "value is not a valid integer\",\"type\":\"type_error.integer";
    const string TooBig = "ensure this value is less than or equal to 2147483647\",\"type\":\"value_error.number.not_le";
    const string NotString = "str type expected\",\"type\":\"type_error.str";

    public InvalidSubmitTaskBodies()
    {
        // field absent, every field, in field order
        Add("{}", Detail(("theme", Missing), ("budget", Missing), ("voice_id", Missing)));
        Add("""{"budget": 10, "voice_id": "v"}""", Detail(("theme", Missing)));
        Add("""{"theme": "t", "voice_id": "v"}""", Detail(("budget", Missing)));
        Add("""{"theme": "t", "budget": 10}""", Detail(("voice_id", Missing)));
        Add("""{"Theme": "t", "budget": 10, "voice_id": "v"}""", Detail(("theme", Missing)));

        // null
        Add("""{"theme": null, "budget": null, "voice_id": null}""", Detail(("theme", NotNull), ("budget", NotNull), ("voice_id", NotNull)));

        // budget not an integer
        foreach (var budget in new[] { "\"abc\"", "[]", "{}", "1.5", "true", "false", "\"1.5\"", "\"\"", "\"50.0\"", "1e999", "-1e999" })
            Add($$"""{"theme": "t", "budget": {{budget}}, "voice_id": "v"}""", Detail(("budget", NotInteger)));

        // budget above 2147483647
        foreach (var budget in new[] { "2147483648", "1e10", "\"99999999999\"", "12345678901234567890123" })
            Add($$"""{"theme": "t", "budget": {{budget}}, "voice_id": "v"}""", Detail(("budget", TooBig)));

        // theme / voice_id not a string
        Add("""{"theme": 5, "budget": 10, "voice_id": true}""", Detail(("theme", NotString), ("voice_id", NotString)));
        Add("""{"theme": ["t"], "budget": 10, "voice_id": {"v": 1}}""", Detail(("theme", NotString), ("voice_id", NotString)));

        // budget <= 0
        foreach (var budget in new[] { "0", "-1", "-2147483649", "-1e30", "\"-5\"" })
            Add($$"""{"theme": "t", "budget": {{budget}}, "voice_id": "v"}""", Detail(("budget", "Budget must be positive\",\"type\":\"value_error")));

        // blank theme / voice_id, all problems at once
        Add("""{"theme": " \t ", "budget": 0, "voice_id": ""}""", Detail(
            ("theme", "Theme cannot be empty\",\"type\":\"value_error"),
            ("budget", "Budget must be positive\",\"type\":\"value_error"),
            ("voice_id", "Voice id cannot be empty\",\"type\":\"value_error")));
        Add("""{"theme": "", "budget": 1, "voice_id": "   "}""", Detail(
            ("theme", "Theme cannot be empty\",\"type\":\"value_error"),
            ("voice_id", "Voice id cannot be empty\",\"type\":\"value_error")));

        // beyond the seed: lengths
        Add($$"""{"theme": "{{new string('t', 2001)}}", "budget": 1, "voice_id": "{{new string('v', 257)}}"}""", Detail(
            ("theme", "ensure this value has at most 2000 characters\",\"type\":\"value_error.any_str.max_length"),
            ("voice_id", "ensure this value has at most 256 characters\",\"type\":\"value_error.any_str.max_length")));

        // the body itself
        Add("", """{"detail":[{"loc":["body"],"msg":"field required","type":"value_error.missing"}]}""");
        Add(" \n ", """{"detail":[{"loc":["body"],"msg":"field required","type":"value_error.missing"}]}""");
        Add("not json", JsonDecode(0, "Expecting value: line 1 column 1 (char 0)"));
        Add("""{"theme": }""", JsonDecode(10, "Expecting value: line 1 column 11 (char 10)"));
        Add("{\n  \"theme\": \"t\",\n  budget: 1}", JsonDecode(20, "Expecting property name enclosed in double quotes: line 3 column 3 (char 20)"));
        Add("""{"theme": "t"} x""", JsonDecode(15, "Extra data: line 1 column 16 (char 15)"));
        foreach (var body in new[] { "[1, 2]", "\"x\"", "42", "null", "true" })
            Add(body, """{"detail":[{"loc":["body"],"msg":"value is not a valid dict","type":"type_error.dict"}]}""");
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
        Add("""{"theme": "  padded theme\t", "budget": 50.0, "voice_id": "v"}""", "padded theme", 50, "v");
        Add("""{"theme": "t", "budget": 1e2, "voice_id": "v"}""", "t", 100, "v");
        Add("""{"theme": "t", "budget": "50", "voice_id": "v"}""", "t", 50, "v");
        Add("""{"theme": "t", "budget": " 7 ", "voice_id": "v"}""", "t", 7, "v");
        Add("""{"theme": "t", "budget": 2147483647, "voice_id": "v"}""", "t", 2147483647, "v");
        Add("""{"theme": "first", "theme": "last", "budget": 1, "voice_id": "v", "extra": [1, {"x": null}]}""", "last", 1, "v");
        Add($$"""{"theme": "{{new string('t', 2000)}}", "budget": 1, "voice_id": "{{new string('v', 256)}}"}""", new string('t', 2000), 1, new string('v', 256));
    }
}
