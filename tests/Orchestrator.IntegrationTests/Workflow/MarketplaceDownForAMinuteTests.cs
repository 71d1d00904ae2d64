namespace Orchestrator.IntegrationTests.Workflow;

/// <summary>
/// The marketplace answers 503 to everything for a minute, then recovers: the tasks submitted during that minute
/// wait (their steps deferred, with backoff, in the database) and complete afterwards, within WORKFLOW_TIMEOUT;
/// none fails and nothing is charged twice. The Api and a Worker as processes on RabbitMQ and PostgreSQL, with the
/// defaults of the step retries.
/// </summary>
public sealed class MarketplaceDownForAMinuteTests : IAsyncLifetime
{
    static readonly TimeSpan Outage = TimeSpan.FromSeconds(60);

    readonly DistributedService _service = new(new DistributedLayout { Workers = 1 });

    public Task InitializeAsync() => _service.InitializeAsync();

    public Task DisposeAsync() => _service.DisposeAsync();

    [Fact]
    public async Task Tasks_submitted_during_the_outage_complete_after_it_and_none_is_charged_twice()
    {
        var simulators = _service.Simulators;
        simulators.Behaviour.MarketplaceOutage = true;
        var started = DateTime.UtcNow;
        var taskIds = new List<string>();
        for (var i = 0; DateTime.UtcNow - started < Outage; i++)
        {
            taskIds.Add(await _service.Api.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 20 + i % 30, voice_id = $"outage_{i}" }));
            await Task.Delay(TimeSpan.FromSeconds(3));
        }

        foreach (var taskId in taskIds)
        {
            var task = await _service.Api.GetTaskAsync(taskId);
            Assert.True(task["status"]!.GetValue<string>() is "Submitted" or "Discovering", $"during the outage: {task.ToJsonString()}");
        }

        Assert.Empty(simulators.Ledger.Charges);
        simulators.Behaviour.MarketplaceOutage = false;

        // The defaults: WORKFLOW_TIMEOUT 300 s from each task's creation, so within 240 s of the outage's end.
        await _service.Api.AssertEveryTaskCompletedAndPaidOnceAsync(taskIds, simulators.Ledger, TimeSpan.FromSeconds(240));
    }
}
