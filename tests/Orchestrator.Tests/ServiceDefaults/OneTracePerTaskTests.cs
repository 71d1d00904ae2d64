using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using OpenTelemetry.Trace;
using Orchestrator.Tests.Api;
using Orchestrator.Tests.Api.Progress;

namespace Orchestrator.Tests.ServiceDefaults;

/// <summary>
/// Traces recorded with an in-memory exporter while one task runs in the embedded mode (consumers and simulators in
/// process, the in-memory bus carrying the trace context in message headers).
/// </summary>
public sealed class OneTracePerTaskTests(OneTracePerTaskTests.Factory api) : IClassFixture<OneTracePerTaskTests.Factory>
{
    public sealed class Factory : ApiFactory
    {
        public List<Activity> Spans { get; } = [];

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans)));
        }

        public List<Activity> SpansOf(string traceId)
        {
            lock (Spans)
                return [.. Spans.Where(s => s.TraceId.ToHexString() == traceId)];
        }
    }

    [Fact]
    public async Task A_workflows_spans_share_the_trace_of_its_POST_and_include_every_consumer_and_HTTP_call()
    {
        using var client = api.CreateClient();
        var taskId = await client.SubmitAsync("Tesla Inc financial performance 2023", budget: 30);
        await client.ReadEventsAsync(taskId);
        var task = JsonNode.Parse(await client.GetStringAsync($"/tasks/{taskId}"))!;
        var traceId = task["trace_id"]!.GetValue<string>();
        var bought = task["plan"]!.AsArray().Count(p => p!["status"]!.GetValue<string>() == "Fetched");
        // The embedded simulators sell their even items over x402: paid by a signed read, not POST /pay.
        var boughtWithToken = task["plan"]!.AsArray().Count(p => p!["status"]!.GetValue<string>() == "Fetched" && p["receipt"]!["network"] is null);

        // The last spans end just after the task is recorded final.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        List<Activity> spans;
        do
        {
            await Task.Delay(100);
            spans = api.SpansOf(traceId);
        }
        while (!spans.Any(s => s.DisplayName == "write-report process") && DateTime.UtcNow < deadline);

        Assert.Matches("^[0-9a-f]{32}$", traceId);
        Assert.Contains(spans, s => s.Kind == ActivityKind.Server && s.GetTagItem("http.request.method") as string == "POST" && s.GetTagItem("url.path") as string == "/tasks");
        foreach (var endpoint in new[] { "research-task-state", "discover-sources", "request-payment-token", "pay-for-items", "fetch-items-data", "write-report" })
            Assert.Contains(spans, s => s.Kind == ActivityKind.Consumer && s.DisplayName == $"{endpoint} process");

        var calls = spans.Where(s => s.Kind == ActivityKind.Client && s.GetTagItem("url.full") is string).Select(s => (Method: s.GetTagItem("http.request.method") as string, Url: new Uri((string)s.GetTagItem("url.full")!))).ToList();
        Assert.Contains(calls, c => c is { Method: "GET" } && c.Url.AbsolutePath == "/catalog");
        Assert.Contains(calls, c => c is { Method: "POST" } && c.Url.AbsolutePath == "/token");
        Assert.Equal(boughtWithToken, calls.Count(c => c is { Method: "POST" } && c.Url.AbsolutePath == "/pay"));
        // Each candidate is quoted (402) once and each bought item read with the token once.
        Assert.True(calls.Count(c => c is { Method: "GET" } && c.Url.AbsolutePath == "/company/detail") >= task["plan"]!.AsArray().Count + bought);
    }
}
