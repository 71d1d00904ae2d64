using System.Text;
using System.Text.Json;
using Orchestrator.Api.Responses;
using Orchestrator.Api.Tasks;
using Orchestrator.Api.Tasks.FastApiCompat;

namespace Orchestrator.Tests.Api.Tasks.FastApiCompat;

public sealed class SubmitTaskRequestReaderTests
{
    [Theory]
    [ClassData(typeof(InvalidSubmitTaskBodies))]
    public void An_invalid_body_gives_every_problem_in_field_order(string body, string expected)
    {
        Assert.False(SubmitTaskRequestReader.TryRead(Encoding.UTF8.GetBytes(body), out var request, out var errors));

        Assert.Null(request);
        var actual = JsonNode.Parse(JsonSerializer.Serialize(new ValidationErrorResponse(errors)));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}\nactual   {actual?.ToJsonString()}");
    }

    [Theory]
    [ClassData(typeof(ValidSubmitTaskBodies))]
    public void A_valid_body_is_read_with_the_theme_trimmed(string body, string theme, int budget, string voiceId)
    {
        Assert.True(SubmitTaskRequestReader.TryRead(Encoding.UTF8.GetBytes(body), out var request, out var errors));

        Assert.Empty(errors);
        Assert.Equal(new SubmitTaskRequest(theme, budget, voiceId), request);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF }, 0)]
    [InlineData(new byte[] { (byte)'{', (byte)'"', 0xC3, 0xA9, 0xC3, (byte)'"' }, 3)]
    [InlineData(new byte[] { (byte)'"', 0xED, 0xA0, 0x80, (byte)'"' }, 1)]
    public void Invalid_utf8_is_a_json_error_at_the_first_bad_byte(byte[] body, int position)
    {
        Assert.False(SubmitTaskRequestReader.TryRead(body, out _, out var errors));

        var error = Assert.Single(errors);
        Assert.Equal("value_error.jsondecode", error.Type);
        Assert.Equal(new object[] { "body", position }, error.Loc);
        Assert.StartsWith("Invalid UTF-8 byte: line 1 column ", error.Msg, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deeply_nested_body_is_a_json_error_not_a_crash()
    {
        var body = Encoding.UTF8.GetBytes(new string('[', 60_000) + new string(']', 60_000));

        Assert.False(SubmitTaskRequestReader.TryRead(body, out _, out var errors));
        Assert.Equal("value_error.jsondecode", Assert.Single(errors).Type);
    }

    [Fact]
    public void No_input_makes_the_reader_throw()
    {
        var random = new Random(20261125);
        string[] fragments = ["{", "}", "[", "]", "\"theme\"", "\"budget\"", "\"voice_id\"", ":", ",", "null", "true", "false", "1e999",
            "-0", "-1e30", "50", "50.0", "1.5", "2147483648", "12345678901234567890", "\"50\"", "\" 7 \"", "\"\\u0000\"", "\"x\"",
            "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\u12\"", "\"\\q\"", "\u00ff", "\ud83d\ude00", " ", "\"", "\\", "\n", "\t", "nul", "NaN",
            "[[[[[[[[", "]]]]]]]]", "\uFEFF", "0", "-", "e5", "."];
        for (var i = 0; i < 2000; i++)
        {
            var body = i % 4 == 0
                ? [.. Enumerable.Range(0, random.Next(0, 48)).Select(_ => (byte)random.Next(256))]
                : Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, random.Next(1, 16)).Select(_ => fragments[random.Next(fragments.Length)])));

            var ok = SubmitTaskRequestReader.TryRead(body, out var request, out var errors);

            Assert.Equal(ok, request is not null);
            Assert.Equal(ok, errors.Count == 0);
            Assert.All(errors, e => Assert.True(e.Loc.Count > 0 && (string)e.Loc[0] == "body" && e.Msg.Length > 0 && e.Type.Length > 0));
            Assert.True(errors.Count <= 3, $"{errors.Count} errors");
        }
    }
}
