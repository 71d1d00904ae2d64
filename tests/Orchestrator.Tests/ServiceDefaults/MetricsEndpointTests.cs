using System.Globalization;
using System.Text.RegularExpressions;
using Orchestrator.Tests.Api;
using Orchestrator.Tests.Api.Progress;

namespace Orchestrator.Tests.ServiceDefaults;

/// <summary><c>GET /metrics</c> (Prometheus text format) while tasks run in the embedded mode.</summary>
public sealed partial class MetricsEndpointTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task The_seeds_instruments_are_served_and_move_as_a_task_runs()
    {
        var before = await ScrapeAsync();
        var taskId = await _client.SubmitAsync("Tesla Inc financial performance 2023", budget: 30);
        await _client.ReadEventsAsync(taskId);
        var spent = JsonNode.Parse(await _client.GetStringAsync($"/tasks/{taskId}"))!["spent"]!.GetValue<long>();

        // Counted once the saga's step is committed, a moment after the stream saw it; other tests' tasks may add more.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        Dictionary<string, double> after;
        do
        {
            await Task.Delay(400);
            after = await ScrapeAsync();
        }
        while (Delta("orchestrator_tasks_finished_total{error_type=\"none\",status=\"Completed\"}") < 1 && DateTime.UtcNow < deadline);

        double Delta(string series) => after.GetValueOrDefault(series) - before.GetValueOrDefault(series);

        Assert.True(Delta("orchestrator_tasks_submitted_total") >= 1);
        Assert.True(Delta("orchestrator_tasks_finished_total{error_type=\"none\",status=\"Completed\"}") >= 1);
        Assert.True(Delta("orchestrator_task_duration_seconds_count{status=\"Completed\"}") >= 1);
        Assert.True(Delta("orchestrator_task_duration_seconds_sum{status=\"Completed\"}") > 0);
        Assert.True(Delta("orchestrator_payments_total{outcome=\"paid\"}") >= 1);
        Assert.True(Delta("orchestrator_spend_total") >= spent);
        Assert.Contains("orchestrator_tasks_active", after.Keys);
        // MassTransit's meter is process-wide and bound to the first bus's container: with many hosts in one test
        // process it may belong to one that is gone, so it is checked on real processes (WatchingInTheDistributedModeTests).
        // ASP.NET Core's hosting meter (http_server_*) is missing now and then among a test process's many hosts, as
        // MassTransit's is; any of ASP.NET Core's instruments (hosting, routing, rate limiting) shows its meters are collected.
        foreach (var families in new[] { new[] { "http_server_", "aspnetcore_" }, ["http_client_request_duration_seconds"], ["microsoft_entityframeworkcore_queries"] })
        {
            Assert.True(after.Keys.Any(series => families.Any(family => series.StartsWith(family, StringComparison.Ordinal))),
                $"no {string.Join(" or ", families)} in /metrics: {string.Join(", ", after.Keys.Select(k => k.Split('{')[0]).Distinct())}");
        }
    }

    /// <summary>Each sample by its name and labels, without the scope labels every sample carries.</summary>
    async Task<Dictionary<string, double>> ScrapeAsync()
    {
        using var response = await _client.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var samples = new Dictionary<string, double>();
        foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
                continue;
            var separator = line.LastIndexOf(' ');
            var series = ScopeLabels().Replace(line[..separator], "").Replace("{,", "{", StringComparison.Ordinal).Replace("{}", "", StringComparison.Ordinal);
            if (double.TryParse(line[(separator + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                samples[series] = samples.GetValueOrDefault(series) + value;
        }

        return samples;
    }

    [GeneratedRegex("otel_scope_[a-z_]+=\"[^\"]*\",?")]
    private static partial Regex ScopeLabels();
}
