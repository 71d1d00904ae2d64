using Microsoft.Data.Sqlite;
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

    readonly EmbeddedApi _embedded = new();

    SimulatorHost Simulators => _embedded.Simulators;

    public async Task InitializeAsync()
    {
        await _embedded.InitializeAsync();
        Simulators.Behaviour.Latency = TimeSpan.FromMilliseconds(50);
    }

    public Task DisposeAsync() => _embedded.DisposeAsync();

    [Fact]
    public async Task Every_task_completes_afterwards_and_nothing_is_paid_twice()
    {
        await using var api = await _embedded.StartAsync(new Dictionary<string, string>
        {
            ["Recovery__StepRetryDelay"] = "00:00:01",
        });
        var taskIds = new List<string>();
        for (var i = 0; i < 10; i++)
            taskIds.Add(await api.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 20 + i, voice_id = $"locked_{i}" }));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Simulators.Ledger.Charges.Count < 3 && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.True(Simulators.Ledger.Charges.Count >= 3, "no payments were being made");

        // Another program: a write lock on the file, held, then released.
        await using (var other = new SqliteConnection(_embedded.ConnectionString))
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

        var charges = Simulators.Ledger.Charges;
        Assert.Equal(charges.Count, charges.Select(c => c.IdempotencyKey).Distinct().Count());
        var charged = charges.GroupBy(c => Guid.ParseExact(c.IdempotencyKey![..32], "N")).ToDictionary(g => g.Key, g => g.Sum(c => c.Amount));
        Assert.All(spent, s => Assert.Equal(charged.GetValueOrDefault(s.Key), s.Value));
    }
}
