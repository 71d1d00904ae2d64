namespace Orchestrator.IntegrationTests.Workflow.Hosting;

/// <summary>
/// PostgreSQL goes away in the middle of payments, for the Api and the Worker (their database address is cut for
/// 8 s, every open connection with it; the shared server stays up for the other tests): readiness says so, steps
/// wait and retry, and afterwards every task completes, nothing is paid twice and every task spent what the
/// marketplace charged it.
/// </summary>
public sealed class DatabaseCutDuringPaymentsTests : IAsyncLifetime
{
    static readonly TimeSpan DatabaseDown = TimeSpan.FromSeconds(8);

    readonly DistributedService _service = new(new DistributedLayout
    {
        Workers = 1,
        DatabaseBehindProxy = true,
        SimulatorLatency = TimeSpan.FromMilliseconds(50),
        Settings = new Dictionary<string, string>
        {
            ["Recovery__DeferralDelay"] = "00:00:01",
            ["Recovery__StallAfter"] = "00:00:30",
            ["Recovery__SweepInterval"] = "00:00:05",
        },
    });

    public Task InitializeAsync() => _service.InitializeAsync();

    public Task DisposeAsync() => _service.DisposeAsync();

    [Fact]
    public async Task Every_task_completes_afterwards_and_nothing_is_paid_twice()
    {
        var taskIds = new List<string>();
        for (var i = 0; i < 20; i++)
            taskIds.Add(await _service.Api.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 20 + i, voice_id = $"cut_{i}" }));
        await _service.Simulators.Ledger.WaitForChargesAsync(5);

        var worker = _service.WorkerProcesses[0];
        _service.DatabaseAddress!.Close();
        var cutAt = DateTime.UtcNow;
        var notReady = false;
        while (DateTime.UtcNow - cutAt < DatabaseDown)
        {
            notReady |= !(await worker.ReadinessAsync()).Ready;
            await Task.Delay(250);
        }

        Assert.True(notReady, "the Worker said it was ready while its database was cut");
        _service.DatabaseAddress.Open();
        await worker.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));

        await _service.Api.AssertEveryTaskCompletedAndPaidOnceAsync(taskIds, _service.Simulators.Ledger, TimeSpan.FromSeconds(180));
    }
}
