using Microsoft.Data.Sqlite;

namespace Orchestrator.IntegrationTests.Sagas.Persistence;

/// <summary>
/// The embedded mode while another program holds its SQLite file locked for writing for a few seconds, in the middle
/// of payments: steps wait and retry, and afterwards every task completes, nothing is paid twice and every task
/// spent what the marketplace charged it.
/// </summary>
public sealed class SqliteFileLockedByAnotherProcessTests : IAsyncLifetime
{
    static readonly TimeSpan Locked = TimeSpan.FromSeconds(5);

    readonly EmbeddedApi _embedded = new(TimeSpan.FromMilliseconds(50));

    public Task InitializeAsync() => _embedded.InitializeAsync();

    public Task DisposeAsync() => _embedded.DisposeAsync();

    [Fact]
    public async Task Every_task_completes_afterwards_and_nothing_is_paid_twice()
    {
        await using var api = await _embedded.StartAsync(new Dictionary<string, string>
        {
            ["Recovery__DeferralDelay"] = "00:00:01",
        });
        var taskIds = new List<string>();
        for (var i = 0; i < 10; i++)
            taskIds.Add(await api.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 20 + i, voice_id = $"locked_{i}" }));
        await _embedded.Simulators.Ledger.WaitForChargesAsync(3);

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

        await api.AssertEveryTaskCompletedAndPaidOnceAsync(taskIds, _embedded.Simulators.Ledger, TimeSpan.FromSeconds(120));
    }
}
