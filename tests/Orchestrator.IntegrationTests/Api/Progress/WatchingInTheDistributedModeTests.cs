using System.Globalization;
using System.Net.ServerSentEvents;
using Orchestrator.IntegrationTests.Workflow;

namespace Orchestrator.IntegrationTests.Api.Progress;

/// <summary>
/// The progress stream, metrics and trace id when the Api hosts no consumers: the saga runs in two Worker processes,
/// and the Api hears of each change from RabbitMQ on a temporary queue of its own.
/// </summary>
public sealed class WatchingInTheDistributedModeTests(DistributedService service) : IClassFixture<DistributedService>
{
    [Fact]
    public async Task Curl_N_on_a_fresh_task_prints_every_state_change_each_payment_with_the_budget_remaining_and_final_then_ends()
    {
        var taskId = await service.Api.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 30, voice_id = "v" });

        var events = await ReadEventsAsync(service.Api.Client, taskId);

        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Id));
        var states = events.Where(e => e.Type == "state").Select(e => e.Data["to"]!.GetValue<string>()).ToList();
        Assert.Equal(["Submitted", "Discovering", "AwaitingPayment", "Paying", "Retrying"], states.Take(5));
        Assert.Equal("Completed", states[^1]);
        var payments = events.Where(e => e.Type == "payment").Select(e => e.Data).ToList();
        Assert.NotEmpty(payments);
        Assert.All(payments, p => Assert.Equal(30 - p["spent"]!.GetValue<long>(), p["remaining"]!.GetValue<long>()));
        Assert.Equal("final", events[^1].Type);
        var task = await service.Api.GetTaskAsync(taskId);
        Assert.Equal(task["spent"]!.GetValue<long>(), events[^1].Data["spent"]!.GetValue<long>());
        Assert.Equal(payments[^1]["spent"]!.GetValue<long>(), task["spent"]!.GetValue<long>());
    }

    [Fact]
    public async Task The_Workers_metrics_move_and_a_tasks_log_lines_carry_the_trace_id_it_shows()
    {
        var before = await CounterAsync("orchestrator_tasks_finished_total");
        var taskId = await service.Api.SubmitAsync(new { theme = "AI market trends in healthcare", budget = 20, voice_id = "refused_voice" });

        var task = await service.Api.WaitUntilFinishedAsync(taskId, TimeSpan.FromSeconds(120));
        var traceId = task["trace_id"]!.GetValue<string>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await CounterAsync("orchestrator_tasks_finished_total") <= before && DateTime.UtcNow < deadline)
            await Task.Delay(300);

        Assert.Equal("Failed", task["status"]!.GetValue<string>());
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        Assert.True(await CounterAsync("orchestrator_tasks_finished_total") > before);
        Assert.True(await CounterAsync("messaging_masstransit_consume_ea_total") > 0);
        Assert.True(await CounterAsync("db_client_operation_duration_seconds_count") > 0);
        var lines = service.WorkerProcesses.SelectMany(w => w.Output.Split('\n')).Where(l => l.Contains(taskId, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Contains(traceId, line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_built_Api_serves_the_dashboard_and_its_scripts()
    {
        using var page = await service.Api.Client.GetAsync("/");
        using var view = await service.Api.Client.GetAsync($"/tasks/{Guid.NewGuid()}/view");
        using var script = await service.Api.Client.GetAsync("/dashboard/view.js");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Start research", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, view.StatusCode);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    /// <summary>A counter's value summed over the Workers' <c>GET /metrics</c> (the saga runs there).</summary>
    async Task<double> CounterAsync(string name)
    {
        var total = 0.0;
        foreach (var worker in service.WorkerProcesses)
        {
            foreach (var line in (await worker.Client.GetStringAsync("/metrics")).Split('\n'))
            {
                if (line.StartsWith(name, StringComparison.Ordinal) && (line.Length == name.Length || line[name.Length] is '{' or ' '))
                    total += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    /// <summary>Reads the stream until the server ends it, with .NET's own Server-Sent Events parser.</summary>
    static async Task<List<(long Id, string Type, JsonNode Data)>> ReadEventsAsync(HttpClient client, string taskId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var response = await client.GetAsync($"/tasks/{taskId}/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = new List<(long, string, JsonNode)>();
        await foreach (var item in SseParser.Create(await response.Content.ReadAsStreamAsync(timeout.Token)).EnumerateAsync(timeout.Token))
            events.Add((long.Parse(item.EventId!, CultureInfo.InvariantCulture), item.EventType, JsonNode.Parse(item.Data)!));
        return events;
    }
}
