using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Orchestrator.IntegrationTests.Api.Security;

/// <summary>
/// A chat model (or a marketplace) whose answer carries line breaks and terminal escapes, quoted in a log line of
/// the real process: the line stays one line, its text escaped, and forges nothing.
/// </summary>
public sealed class LogForgingTests : IAsyncLifetime
{
    const string Marker = "FORGED-LINE";
    const string Forged = "Not JSON at all\n[12:00:00 INF] Orchestrator.Sagas.ResearchTasks.TransitionHistory " + Marker + " Paying -> Completed\r\n\u001b[2J\u2028done";

    readonly EmbeddedApi _embedded = new();
    WebApplication _model = null!;

    public async Task InitializeAsync()
    {
        await _embedded.InitializeAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _model = builder.Build();
        _model.MapPost("/v1/chat/completions", () => Results.Json(new
        {
            id = "chatcmpl-hostile",
            @object = "chat.completion",
            created = 0,
            model = "hostile",
            choices = new[] { new { index = 0, message = new { role = "assistant", content = Forged }, finish_reason = "stop" } },
            usage = new { prompt_tokens = 1, completion_tokens = 1, total_tokens = 2 },
        }));
        await _model.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _model.DisposeAsync();
        await _embedded.DisposeAsync();
    }

    [Fact]
    public async Task A_models_answer_with_line_breaks_is_logged_as_one_escaped_value()
    {
        await using var api = await _embedded.StartAsync(new Dictionary<string, string> { ["Llm__Endpoint"] = $"{_model.Urls.First()}/v1" });

        var taskId = await api.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 50, voice_id = "user_voice_123" });
        Assert.Equal("Completed", (await api.WaitUntilFinishedAsync(taskId))["status"]!.GetValue<string>());

        var lines = api.Output.Split('\n');
        var quoting = lines.Where(line => line.Contains(Marker, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(quoting);
        Assert.All(quoting, line =>
        {
            Assert.Contains("ranking was unusable", line, StringComparison.Ordinal);
            Assert.Contains("""Not JSON at all\n[12:00:00 INF]""", line, StringComparison.Ordinal);
            Assert.Contains("""\r\n\u001b[2J\u2028done""", line, StringComparison.Ordinal);
        });
        Assert.DoesNotContain(lines, line => line.StartsWith("[12:00:00 INF]", StringComparison.Ordinal));
        Assert.DoesNotContain('\u001b', api.Output);
        Assert.DoesNotContain('\u2028', api.Output);
    }
}
