using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Api.Tasks;

namespace Orchestrator.Tests.Api.Tasks;

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

    [Fact]
    public void No_input_makes_the_reader_throw()
    {
        var random = new Random(20261125);
        string[] fragments = ["{", "}", "[", "]", "\"theme\"", "\"budget\"", "\"voice_id\"", ":", ",", "null", "true", "1e999", "-0",
            "\"\\u0000\"", "\"x\"", "12345678901234567890", "0.5", "\"\\ud800\"", "\u00ff", " ", "\"", "\\", "\n", "nul", "[[[[[[[["];
        for (var i = 0; i < 3000; i++)
        {
            byte[] body = i % 3 == 0
                ? [.. Enumerable.Range(0, random.Next(0, 40)).Select(_ => (byte)random.Next(256))]
                : Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, random.Next(1, 14)).Select(_ => fragments[random.Next(fragments.Length)])));

            var ok = SubmitTaskRequestReader.TryRead(body, out var request, out var errors);

            Assert.Equal(ok, request is not null);
            Assert.Equal(ok, errors.Count == 0);
        }
    }

    [Fact]
    public void A_deeply_nested_body_is_a_json_error_not_a_crash()
    {
        var body = Encoding.UTF8.GetBytes(new string('[', 10_000) + new string(']', 10_000));

        Assert.False(SubmitTaskRequestReader.TryRead(body, out _, out var errors));
        Assert.Equal("value_error.jsondecode", Assert.Single(errors).Type);
    }
}
