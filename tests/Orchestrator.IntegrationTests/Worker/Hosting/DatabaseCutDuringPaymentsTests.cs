using Npgsql;
using Orchestrator.IntegrationTests.Databases;
using Orchestrator.IntegrationTests.Messaging;
using Orchestrator.IntegrationTests.Networking;
using Orchestrator.Sagas.Persistence;
using Orchestrator.Simulators;

namespace Orchestrator.IntegrationTests.Worker.Hosting;

/// <summary>
/// PostgreSQL goes away in the middle of payments, for the Api and the Worker (their database address is cut for
/// 8 s, every open connection with it; the shared server stays up for the other tests): readiness says so, steps
/// wait and retry, and afterwards every task completes, nothing is paid twice and every task spent what the
/// marketplace charged it.
/// </summary>
public sealed class DatabaseCutDuringPaymentsTests : IAsyncLifetime
{
    static readonly TimeSpan DatabaseDown = TimeSpan.FromSeconds(8);

    TestDatabase _database = null!;
    TestVirtualHost _broker = null!;
    SimulatorHost _simulators = null!;
    TcpProxy _databaseAddress = null!;
    HostProcess _api = null!;
    HostProcess _worker = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        _broker = await TestVirtualHost.CreateAsync();
        _simulators = await SimulatorHost.StartAsync("http://127.0.0.1:0", "http://127.0.0.1:0");
        _simulators.Behaviour.Latency = TimeSpan.FromMilliseconds(50);
        _databaseAddress = TcpProxy.Start(new NpgsqlConnectionStringBuilder(_database.ConnectionString).Port, open: true);
        _api = await HostProcess.StartApiAsync(Settings(migrate: true));
        _worker = await HostProcess.StartWorkerAsync(Settings(migrate: false));
    }

    public async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        await _api.DisposeAsync();
        await _databaseAddress.DisposeAsync();
        await _simulators.DisposeAsync();
        await _broker.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Every_task_completes_afterwards_and_nothing_is_paid_twice()
    {
        var taskIds = new List<string>();
        for (var i = 0; i < 20; i++)
            taskIds.Add(await _api.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 20 + i, voice_id = $"cut_{i}" }));
        var ledger = _simulators.Ledger;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (ledger.Charges.Count < 5 && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.True(ledger.Charges.Count >= 5, "no payments were being made");

        _databaseAddress.Close();
        var cutAt = DateTime.UtcNow;
        var notReady = false;
        while (DateTime.UtcNow - cutAt < DatabaseDown)
        {
            notReady |= !(await _worker.ReadinessAsync()).Ready;
            await Task.Delay(250);
        }

        Assert.True(notReady, "the Worker said it was ready while its database was cut");
        _databaseAddress.Open();
        await _worker.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));

        var spent = new Dictionary<Guid, long>();
        foreach (var taskId in taskIds)
        {
            var task = await _api.WaitUntilFinishedAsync(taskId, TimeSpan.FromSeconds(180));
            Assert.True(task["status"]!.GetValue<string>() == "Completed", $"task {taskId}: {task.ToJsonString()}");
            spent[Guid.Parse(taskId)] = task["spent"]!.GetValue<long>();
        }

        var charges = ledger.Charges;
        Assert.Equal(charges.Count, charges.Select(c => c.IdempotencyKey).Distinct().Count());
        var charged = charges.GroupBy(c => Guid.ParseExact(c.IdempotencyKey![..32], "N")).ToDictionary(g => g.Key, g => g.Sum(c => c.Amount));
        Assert.All(spent, s => Assert.Equal(charged.GetValueOrDefault(s.Key), s.Value));
    }

    Dictionary<string, string> Settings(bool migrate) => DistributedSettings.For(
        new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Host = "127.0.0.1", Port = _databaseAddress.Port }.ConnectionString,
        _broker,
        _simulators,
        migrate,
        new Dictionary<string, string>
        {
            ["Recovery__StepRetryDelay"] = "00:00:01",
            ["Recovery__StallAfter"] = "00:00:30",
            ["Recovery__SweepInterval"] = "00:00:05",
        });
}
