using System.Text;

namespace Orchestrator.Tests.Api.Tasks;

public sealed class SubmitTaskValidationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    readonly HttpClient _client = api.CreateClient();

    [Theory]
    [ClassData(typeof(InvalidSubmitTaskBodies))]
    public async Task Every_problem_of_a_body_is_answered_422_in_the_seeds_format(string body, string expected)
    {
        using var response = await PostAsync(body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var actual = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}\nactual   {actual?.ToJsonString()}");
    }

    [Theory]
    [ClassData(typeof(ValidSubmitTaskBodies))]
    public async Task A_valid_body_is_accepted_with_a_task_id(string body, string theme, int budget, string voiceId)
    {
        using var response = await PostAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var taskId = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["task_id"]!.GetValue<string>();
        var task = JsonNode.Parse(await _client.GetStringAsync($"/tasks/{taskId}"))!;
        Assert.Equal(theme, task["theme"]!.GetValue<string>());
        Assert.Equal(budget, task["budget"]!.GetValue<int>());
        Assert.DoesNotContain(task.AsObject(), field => field.Value?.GetValueKind() == System.Text.Json.JsonValueKind.String && field.Value.GetValue<string>() == voiceId);
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_refused_with_413()
    {
        var body = $$"""{"theme": "{{new string('a', 70_000)}}", "budget": 5, "voice_id": "v"}""";

        using var response = await PostAsync(body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]);
    }

    [Fact]
    public async Task No_body_ever_gets_a_5xx()
    {
        var random = new Random(20261124);
        string[] fragments = ["{", "}", "[", "]", "\"theme\"", "\"budget\"", "\"voice_id\"", ":", ",", "null", "true", "1e999",
            "-0", "\"\\u0000\"", "\"x\"", "12345678901234567890", "0.5", "\"\\ud800\"", "\u00ff", " ", "\"", "\\"];
        for (var i = 0; i < 300; i++)
        {
            var body = string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(_ => fragments[random.Next(fragments.Length)]));
            using var response = await PostAsync(body);
            Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for {body}");
        }
    }

    Task<HttpResponseMessage> PostAsync(string body) =>
        _client.PostAsync("/tasks", new StringContent(body, Encoding.UTF8, "application/json"));
}
