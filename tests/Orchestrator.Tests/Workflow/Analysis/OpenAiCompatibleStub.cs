using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Tests.Workflow.Analysis;

/// <summary>
/// An OpenAI-compatible chat completions endpoint over real HTTP, as Ollama or vLLM serve one: it rates every item
/// of a ranking request with <see cref="Rate"/> and answers any other request with <see cref="Summary"/>. It can
/// fail (500) or stall.
/// </summary>
public sealed partial class OpenAiCompatibleStub : IAsyncDisposable
{
    readonly WebApplication _app;

    OpenAiCompatibleStub(WebApplication app) => _app = app;

    /// <summary>An item's rating; null leaves the item out of the answer.</summary>
    public Func<int, double?> Rate { get; set; } = id => id;
    public string Summary { get; set; } = "The model's summary [1].";
    public bool Failing { get; set; }
    public TimeSpan Delay { get; set; }
    public int Requests { get; private set; }
    public Uri Endpoint => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/v1");

    public static async Task<OpenAiCompatibleStub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new OpenAiCompatibleStub(app);
        app.MapPost("/v1/chat/completions", stub.CompleteAsync);
        await app.StartAsync();
        return stub;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    async Task<IResult> CompleteAsync(HttpRequest request)
    {
        Requests++;
        var body = JsonNode.Parse(await new StreamReader(request.Body).ReadToEndAsync())!;
        if (Delay > TimeSpan.Zero)
            await Task.Delay(Delay, request.HttpContext.RequestAborted);
        if (Failing)
            return Results.Json(new { error = new { message = "overloaded" } }, statusCode: 500);

        var prompt = string.Join("\n", body["messages"]!.AsArray().Select(m => m!["content"]!.ToString()));
        var scores = ItemIds().Matches(prompt)
            .Select(m => (Id: m.Groups[1].Value, Rating: Rate(int.Parse(m.Groups[1].Value))))
            .Where(r => r.Rating is not null)
            .Select(r => KeyValuePair.Create(r.Id, (JsonNode?)r.Rating));
        var content = prompt.Contains("\"scores\"", StringComparison.Ordinal)
            ? new JsonObject { ["scores"] = new JsonObject(scores) }.ToJsonString()
            : Summary;
        return Results.Json(new
        {
            id = "chatcmpl-stub",
            @object = "chat.completion",
            created = 0,
            model = body["model"]!.GetValue<string>(),
            choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop" } },
            usage = new { prompt_tokens = 1, completion_tokens = 1, total_tokens = 2 },
        });
    }

    [GeneratedRegex(@"- id (\d+):")]
    private static partial Regex ItemIds();
}
