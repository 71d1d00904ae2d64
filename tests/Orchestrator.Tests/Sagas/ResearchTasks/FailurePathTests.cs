using Orchestrator.Contracts;

namespace Orchestrator.Tests.Sagas.ResearchTasks;

public sealed class FailurePathTests : IAsyncLifetime
{
    readonly WorkflowHarness _harness = new();

    public Task InitializeAsync() => _harness.InitializeAsync();

    public Task DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task A_refused_voice_fails_with_AuthenticationError_and_pays_nothing()
    {
        var taskId = await _harness.SubmitAsync("Tesla Inc financial performance 2023", budget: 50, voiceId: "refused_voice");

        var task = await _harness.WaitForAsync(taskId, m => m.Failed);

        Assert.Equal(ErrorTypes.AuthenticationError, task.ErrorType);
        Assert.Equal(1, _harness.Simulators.Behaviour.RequestsTo("/token"));
        Assert.Equal(0, task.Spent);
        Assert.Empty(_harness.Simulators.Ledger.Charges);
        Assert.Null(task.VoiceId);
    }

    [Fact]
    public async Task Marketplace_server_errors_fail_the_task_with_DataError()
    {
        _harness.Simulators.Behaviour.MarketplaceOutage = true;

        var taskId = await _harness.SubmitAsync("Tesla Inc financial performance 2023", budget: 50);

        var task = await _harness.WaitForAsync(taskId, m => m.Failed);
        Assert.Equal(ErrorTypes.DataError, task.ErrorType);
        Assert.Contains("503", task.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(0, task.Spent);
    }

    [Fact]
    public async Task Marketplace_timeouts_fail_the_task_with_DataError()
    {
        _harness.Simulators.Behaviour.Latency = TimeSpan.FromSeconds(2);

        var taskId = await _harness.SubmitAsync("Tesla Inc financial performance 2023", budget: 50);

        var task = await _harness.WaitForAsync(taskId, m => m.Failed);
        Assert.Equal(ErrorTypes.DataError, task.ErrorType);
        Assert.Contains("timed out", task.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_marketplace_that_keeps_failing_opens_the_circuit_and_is_left_alone()
    {
        _harness.Simulators.Behaviour.MarketplaceOutage = true;

        var tasks = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            tasks.Add(await _harness.SubmitAsync("Tesla Inc financial performance 2023", budget: 50));
            await _harness.WaitForAsync(tasks[^1], m => m.Failed);
        }

        var calls = _harness.Simulators.Behaviour.RequestsTo("/catalog");
        var last = await _harness.WaitForAsync(tasks[^1], m => m.Failed);
        Assert.Contains("circuit open", last.ErrorMessage, StringComparison.Ordinal);
        Assert.InRange(calls, 20, 2 * 20 - 1);
    }
}
