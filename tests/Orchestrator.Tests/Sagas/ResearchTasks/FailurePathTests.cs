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
    public async Task Marketplace_server_errors_hold_the_task_until_its_timeout_then_fail_it_with_DataError()
    {
        _harness.Simulators.Behaviour.MarketplaceOutage = true;
        var taskId = await _harness.SubmitAsync("Tesla Inc financial performance 2023", budget: 50);

        var waiting = await _harness.WaitUntilDeferredAsync(taskId);
        Assert.Equal("Discovering", waiting.CurrentState);
        Assert.Equal(ErrorTypes.DataError, waiting.LastErrorType);
        Assert.Contains("503", waiting.LastError, StringComparison.Ordinal);
        Assert.Null(waiting.ErrorType);

        await _harness.Bus.Bus.Publish(new TaskDeadlinePassed(taskId));

        var task = await _harness.WaitForAsync(taskId, m => m.Failed);
        Assert.Equal(ErrorTypes.DataError, task.ErrorType);
        Assert.Contains("503", task.ErrorMessage, StringComparison.Ordinal);
        Assert.Null(task.DeferredUntil);
        Assert.Equal(0, task.Spent);
    }

    [Fact]
    public async Task An_error_quoting_a_supplier_is_stored_on_one_line_without_control_characters()
    {
        _harness.Simulators.Behaviour.MarketplaceOutage = true;
        var taskId = await _harness.SubmitAsync("Tesla Inc financial performance 2023", budget: 50);
        await _harness.WaitUntilDeferredAsync(taskId);

        await _harness.Bus.Bus.Publish(new ResearchStepFailed(taskId, ErrorTypes.DataError,
            "Marketplace catalog failed: HTTP 503 Down\r\n[12:00:00 INF] Task forged -> Completed\u2028\u001b[2J\ttab"));

        var task = await _harness.WaitForAsync(taskId, m => m.Failed);
        Assert.Equal("Marketplace catalog failed: HTTP 503 Down [12:00:00 INF] Task forged -> Completed [2J tab", task.ErrorMessage);
    }

    [Fact]
    public async Task Marketplace_timeouts_hold_the_task_until_its_timeout_then_fail_it_with_DataError()
    {
        _harness.Simulators.Behaviour.Latency = TimeSpan.FromSeconds(5); // past the harness's HTTP_TIMEOUT (2 s)
        var taskId = await _harness.SubmitAsync("Tesla Inc financial performance 2023", budget: 50);

        var waiting = await _harness.WaitUntilDeferredAsync(taskId);
        Assert.Contains("timed out", waiting.LastError, StringComparison.Ordinal);
        await _harness.Bus.Bus.Publish(new TaskDeadlinePassed(taskId));

        var task = await _harness.WaitForAsync(taskId, m => m.Failed);
        Assert.Equal(ErrorTypes.DataError, task.ErrorType);
        Assert.Contains("timed out", task.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_marketplace_outage_delays_the_task_and_it_completes_once_the_marketplace_is_back()
    {
        _harness.Simulators.Behaviour.MarketplaceOutage = true;
        var taskId = await _harness.SubmitAsync("Tesla Inc financial performance 2023", budget: 50);
        var waiting = await _harness.WaitUntilDeferredAsync(taskId);
        Assert.Equal(1, waiting.Deferrals);

        _harness.Simulators.Behaviour.MarketplaceOutage = false;
        await _harness.Bus.Bus.Publish(new DeferredStepDue(taskId));

        var task = await _harness.WaitForAsync(taskId, m => m.Completed);
        Assert.Null(task.DeferredUntil);
        Assert.Null(task.LastError);
        var charges = _harness.Simulators.Ledger.Charges;
        Assert.Equal(charges.Count, charges.Select(c => c.IdempotencyKey).Distinct().Count());
        Assert.Equal(charges.Sum(c => c.Amount), task.Spent);
    }

    [Fact]
    public async Task Each_failure_in_a_row_sets_a_later_due_time()
    {
        _harness.Simulators.Behaviour.MarketplaceOutage = true;
        var submitted = DateTime.UtcNow;
        var taskId = await _harness.SubmitAsync("Tesla Inc financial performance 2023", budget: 50);
        var first = await _harness.WaitUntilDeferredAsync(taskId);

        var retried = DateTime.UtcNow;
        await _harness.Bus.Bus.Publish(new DeferredStepDue(taskId));
        var second = await _harness.WaitUntilAsync(taskId, t => t.Deferrals == 2 && t.DeferredUntil is not null, "deferred twice");

        // 2 s, then 4 s (each with up to a quarter more at random), from when the step failed.
        Assert.InRange(first.DeferredUntil!.Value - submitted, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(2.5) + (retried - submitted));
        Assert.InRange(second.DeferredUntil!.Value - retried, TimeSpan.FromSeconds(3.9), TimeSpan.FromSeconds(7));
        Assert.Equal("Discovering", second.CurrentState);
    }

    [Fact]
    public async Task A_marketplace_that_keeps_failing_opens_the_circuit_and_is_left_alone()
    {
        _harness.Simulators.Behaviour.MarketplaceOutage = true;

        var tasks = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            tasks.Add(await _harness.SubmitAsync("Tesla Inc financial performance 2023", budget: 50));
            await _harness.WaitUntilDeferredAsync(tasks[^1]);
        }

        var calls = _harness.Simulators.Behaviour.RequestsTo("/catalog");
        var last = await _harness.WaitUntilDeferredAsync(tasks[^1]);
        Assert.Contains("circuit open", last.LastError, StringComparison.Ordinal);
        Assert.Equal("Discovering", last.CurrentState);
        Assert.InRange(calls, 20, 2 * 20 - 1);
    }
}
