using Orchestrator.IntegrationTests.Databases;
using Orchestrator.IntegrationTests.Messaging;
using Orchestrator.Sagas.Persistence;
using Orchestrator.Simulators;

namespace Orchestrator.IntegrationTests.Worker;

/// <summary>
/// The marketplace answers 503 to everything for a minute, then recovers: the tasks submitted during that minute
/// wait (their steps deferred, with backoff, in the database) and complete afterwards, within WORKFLOW_TIMEOUT;
/// none fails and nothing is charged twice. The Api and a Worker as processes on RabbitMQ and PostgreSQL, with the
/// defaults of the step retries.
/// </summary>
public sealed class MarketplaceDownForAMinuteTests : IAsyncLifetime
{
    static readonly TimeSpan Outage = TimeSpan.FromSeconds(60);

    TestDatabase _database = null!;
    TestVirtualHost _broker = null!;
    SimulatorHost _simulators = null!;
    HostProcess _api = null!;
    HostProcess _worker = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        _broker = await TestVirtualHost.CreateAsync();
        _simulators = await SimulatorHost.StartAsync("http://127.0.0.1:0", "http://127.0.0.1:0");
        _api = await HostProcess.StartApiAsync(Settings(migrate: true));
        _worker = await HostProcess.StartWorkerAsync(Settings(migrate: false));
    }

    public async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        await _api.DisposeAsync();
        await _simulators.DisposeAsync();
        await _broker.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Tasks_submitted_during_the_outage_complete_after_it_and_none_is_charged_twice()
    {
        _simulators.Behaviour.MarketplaceOutage = true;
        var started = DateTime.UtcNow;
        var taskIds = new List<string>();
        for (var i = 0; DateTime.UtcNow - started < Outage; i++)
        {
            taskIds.Add(await _api.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 20 + i % 30, voice_id = $"outage_{i}" }));
            await Task.Delay(TimeSpan.FromSeconds(3));
        }

        foreach (var taskId in taskIds)
        {
            var task = await _api.GetTaskAsync(taskId);
            Assert.True(task["status"]!.GetValue<string>() is "Submitted" or "Discovering", $"during the outage: {task.ToJsonString()}");
        }

        Assert.Empty(_simulators.Ledger.Charges);
        _simulators.Behaviour.MarketplaceOutage = false;

        // The defaults: WORKFLOW_TIMEOUT 300 s from each task's creation, so within 240 s of the outage's end.
        var spent = new Dictionary<Guid, long>();
        foreach (var taskId in taskIds)
        {
            var task = await _api.WaitUntilFinishedAsync(taskId, TimeSpan.FromSeconds(240));
            Assert.True(task["status"]!.GetValue<string>() == "Completed", $"task {taskId}: {task.ToJsonString()}");
            spent[Guid.Parse(taskId)] = task["spent"]!.GetValue<long>();
        }

        var charges = _simulators.Ledger.Charges;
        Assert.Equal(charges.Count, charges.Select(c => c.IdempotencyKey).Distinct().Count());
        var charged = charges.GroupBy(c => Guid.ParseExact(c.IdempotencyKey![..32], "N")).ToDictionary(g => g.Key, g => g.Sum(c => c.Amount));
        Assert.All(spent, s => Assert.Equal(charged.GetValueOrDefault(s.Key), s.Value));
    }

    Dictionary<string, string> Settings(bool migrate) => DistributedSettings.For(_database.ConnectionString, _broker, _simulators, migrate);
}
