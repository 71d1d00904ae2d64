using System.Globalization;

namespace Orchestrator.IntegrationTests.Workflow.Admission;

/// <summary>
/// Admission in the real embedded program: a burst is recorded, runs at most <c>Workflow:MaxConcurrentTasks</c> at
/// a time, and beyond <c>Workflow:MaxQueuedTasks</c> waiting tasks a submission is refused with 503.
/// </summary>
public sealed class BoundedConcurrencyTests : IAsyncLifetime
{
    const int Slots = 2;
    const int Queue = 2;

    readonly EmbeddedApi _embedded = new(TimeSpan.FromMilliseconds(150));

    public Task InitializeAsync() => _embedded.InitializeAsync();

    public Task DisposeAsync() => _embedded.DisposeAsync();

    [Fact]
    public async Task A_burst_runs_two_at_a_time_and_beyond_the_queue_a_submission_gets_503_with_retry_after()
    {
        await using var api = await _embedded.StartAsync(new Dictionary<string, string>
        {
            ["Workflow__MaxConcurrentTasks"] = Slots.ToString(CultureInfo.InvariantCulture),
            ["Workflow__MaxQueuedTasks"] = Queue.ToString(CultureInfo.InvariantCulture),
        });

        var accepted = new List<string>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 30 && refused is null; i++)
        {
            var response = await api.Client.PostAsJsonAsync("/tasks", new { theme = "Tesla Inc financial performance 2023", budget = 30, voice_id = $"v{i}" });
            if (response.StatusCode == HttpStatusCode.OK)
            {
                accepted.Add(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["task_id"]!.GetValue<string>());
                response.Dispose();
                await Task.Delay(200);
            }
            else
                refused = response;
        }

        using (refused)
        {
            Assert.True(refused is not null, $"no submission of {accepted.Count} was refused");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.InRange(int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After")), CultureInfo.InvariantCulture), 1, 60);
            Assert.NotNull(JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["detail"]);
        }

        Assert.InRange(accepted.Count, Queue + 1, 30);
        var runs = new List<(DateTime Start, DateTime End)>();
        foreach (var taskId in accepted)
        {
            var task = await api.WaitUntilFinishedAsync(taskId, TimeSpan.FromSeconds(120));
            Assert.Equal("Completed", task["status"]!.GetValue<string>());
            runs.Add(await RunOfAsync(api, taskId));
        }

        Assert.InRange(MostAtOnce(runs), 1, Slots);
        var metrics = await api.Client.GetStringAsync("/metrics");
        Assert.Contains("orchestrator_tasks_waiting", metrics, StringComparison.Ordinal);
        Assert.Contains("orchestrator_tasks_rejected", metrics, StringComparison.Ordinal);
    }

    /// <summary>When the task left Submitted and when it ended, from its progress stream.</summary>
    static async Task<(DateTime Start, DateTime End)> RunOfAsync(HostProcess api, string taskId)
    {
        var stream = await api.Client.GetStringAsync($"/tasks/{taskId}/events");
        var states = stream.Split('\n')
            .Where(line => line.StartsWith("data: {\"from\"", StringComparison.Ordinal))
            .Select(line => JsonNode.Parse(line["data: ".Length..])!)
            .Select(state => (From: state["from"]!.GetValue<string>(), To: state["to"]!.GetValue<string>(), At: state["at"]!.GetValue<DateTime>()))
            .ToList();
        return (states.Single(s => s.From == "Submitted").At, states.Single(s => s.To == "Completed").At);
    }

    static int MostAtOnce(IEnumerable<(DateTime Start, DateTime End)> runs) =>
        runs.SelectMany(r => new[] { (At: r.Start, Step: 1), (At: r.End, Step: -1) })
            .OrderBy(e => e.At).ThenBy(e => e.Step)
            .Aggregate((Now: 0, Most: 0), (count, e) => (count.Now + e.Step, Math.Max(count.Most, count.Now + e.Step)))
            .Most;
}
