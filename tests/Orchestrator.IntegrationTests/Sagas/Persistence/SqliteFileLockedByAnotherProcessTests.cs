using Microsoft.Data.Sqlite;
using Orchestrator.IntegrationTests.Databases;
using Orchestrator.Sagas.Persistence;
using Orchestrator.Simulators;

namespace Orchestrator.IntegrationTests.Sagas.Persistence;

/// <summary>
/// The embedded mode while another program holds its SQLite file locked for writing for a few seconds, in the middle
/// of payments: steps wait and retry, and afterwards every task completes, nothing is paid twice and every task
/// spent what the marketplace charged it.
/// </summary>
public sealed class SqliteFileLockedByAnotherProcessTests : IAsyncLifetime
{
    static readonly TimeSpan Locked = TimeSpan.FromSeconds(5);

    TestDatabase _database = null!;
    SimulatorHost _simulators = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        _simulators = await SimulatorHost.StartAsync("http://127.0.0.1:0", "http://127.0.0.1:0");
        _simulators.Behaviour.Latency = TimeSpan.FromMilliseconds(50);
    }

    public async Task DisposeAsync()
    {
        await _simulators.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Every_task_completes_afterwards_and_nothing_is_paid_twice()
    {
        await using var api = await HostProcess.StartApiAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__Orchestrator"] = _database.ConnectionString,
            ["MARKETPLACE_URL"] = _simulators.MarketplaceUrl.ToString(),
            ["PAYMENT_MANAGER_URL"] = _simulators.PaymentManagerUrl.ToString(),
            ["Recovery__StepRetryDelay"] = "00:00:01",
        });
        var taskIds = new List<string>();
        for (var i = 0; i < 10; i++)
            taskIds.Add(await api.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 20 + i, voice_id = $"locked_{i}" }));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (_simulators.Ledger.Charges.Count < 3 && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.True(_simulators.Ledger.Charges.Count >= 3, "no payments were being made");

        // Another program: a write lock on the file, held, then released.
        await using (var other = new SqliteConnection(_database.ConnectionString))
        {
            await other.OpenAsync();
            await using var begin = other.CreateCommand();
            begin.CommandText = "BEGIN EXCLUSIVE";
            await begin.ExecuteNonQueryAsync();
            await Task.Delay(Locked);
            await using var commit = other.CreateCommand();
            commit.CommandText = "COMMIT";
            await commit.ExecuteNonQueryAsync();
        }

        var spent = new Dictionary<Guid, long>();
        foreach (var taskId in taskIds)
        {
            var task = await api.WaitUntilFinishedAsync(taskId, TimeSpan.FromSeconds(120));
            Assert.True(task["status"]!.GetValue<string>() == "Completed", $"task {taskId}: {task.ToJsonString()}");
            spent[Guid.Parse(taskId)] = task["spent"]!.GetValue<long>();
        }

        var charges = _simulators.Ledger.Charges;
        Assert.Equal(charges.Count, charges.Select(c => c.IdempotencyKey).Distinct().Count());
        var charged = charges.GroupBy(c => Guid.ParseExact(c.IdempotencyKey![..32], "N")).ToDictionary(g => g.Key, g => g.Sum(c => c.Amount));
        Assert.All(spent, s => Assert.Equal(charged.GetValueOrDefault(s.Key), s.Value));
    }
}
