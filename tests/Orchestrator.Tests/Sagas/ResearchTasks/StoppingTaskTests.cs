namespace Orchestrator.Tests.Sagas.ResearchTasks;

/// <summary>Cancellation and the workflow timeout: at once, or once the payment in flight is settled.</summary>
public sealed class StoppingTaskTests : IAsyncLifetime
{
    const string Theme = "Tesla Inc financial performance 2023";
    readonly WorkflowHarness _harness = new();

    public Task InitializeAsync() => _harness.InitializeAsync();

    public Task DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task A_task_cancelled_before_paying_ends_Cancelled_and_never_pays()
    {
        _harness.Simulators.Behaviour.Latency = TimeSpan.FromMilliseconds(200);
        var taskId = await _harness.SubmitAsync(Theme, budget: 50);
        await _harness.WaitForAsync(taskId, m => m.AwaitingPayment);

        await _harness.Bus.Bus.Publish(new CancelTask(taskId));

        await _harness.WaitForAsync(taskId, m => m.Cancelled);
        // The token step has answered (a token, or, when the cancellation was recorded before it read the task, a failure),
        // and its answer reached the saga: the task is read after that, when a token it stored would show.
        Assert.True(await _harness.Bus.Consumed.Any<RequestPaymentToken>(m => m.Context.Message.TaskId == taskId), "the token step did not answer");
        await _harness.WaitUntilAsync(taskId, t => t.CurrentState == "Cancelled", "still cancelled");
        await _harness.Bus.InactivityTask;
        var task = (await _harness.LoadAsync(taskId))!;
        Assert.Equal("Cancelled", task.CurrentState);
        Assert.Null(task.ErrorType);
        Assert.Null(task.PaymentToken);
        Assert.Empty(_harness.Simulators.Ledger.Charges);
        Assert.Equal(0, task.Spent);
    }

    [Fact]
    public async Task A_task_cancelled_while_paying_settles_that_payment_then_starts_no_other()
    {
        // The cancellation must be recorded before the step's next payment is checked: one payment's latency.
        _harness.Simulators.Behaviour.Latency = TimeSpan.FromMilliseconds(300);
        var taskId = await _harness.SubmitAsync(Theme, budget: 50);
        await _harness.WaitForPaymentInFlightAsync();

        await _harness.Bus.Bus.Publish(new CancelTask(taskId));

        var task = await _harness.WaitForAsync(taskId, m => m.Cancelled);
        await _harness.Bus.InactivityTask;
        Assert.Equal(StopReason.Cancelled, task.StopRequested);
        Assert.Equal(1, _harness.Bus.Published.Select<PayForItems>().Count(p => p.Context.Message.TaskId == taskId));
        var charges = _harness.Simulators.Ledger.Charges;
        Assert.Single(charges);
        Assert.Equal(charges.Sum(c => c.Amount), task.Spent);
        Assert.Single(task.Purchases, p => p.Status == PurchaseStatus.Paid);
    }

    [Fact]
    public async Task A_task_past_its_deadline_with_no_payment_in_flight_fails_with_WorkflowError_at_once()
    {
        _harness.Simulators.Behaviour.Latency = TimeSpan.FromMilliseconds(200);
        var taskId = await _harness.SubmitAsync(Theme, budget: 50);
        await _harness.WaitForAsync(taskId, m => m.Discovering);

        await _harness.Bus.Bus.Publish(new TaskDeadlinePassed(taskId));

        var task = await _harness.WaitForAsync(taskId, m => m.Failed);
        Assert.Equal(ErrorTypes.WorkflowError, task.ErrorType);
        Assert.Contains("WORKFLOW_TIMEOUT", task.ErrorMessage, StringComparison.Ordinal);
        await _harness.Bus.InactivityTask;
        Assert.Empty(_harness.Simulators.Ledger.Charges);
    }

    [Fact]
    public async Task A_task_past_its_deadline_while_paying_fails_once_the_payment_is_settled()
    {
        _harness.Simulators.Behaviour.Latency = TimeSpan.FromMilliseconds(300);
        _harness.Simulators.Behaviour.FailureRateAfterEffect = 1;
        var taskId = await _harness.SubmitAsync(Theme, budget: 50);
        await _harness.WaitForPaymentInFlightAsync();

        await _harness.Bus.Bus.Publish(new TaskDeadlinePassed(taskId));

        var task = await _harness.WaitForAsync(taskId, m => m.Failed);
        await _harness.Bus.InactivityTask;
        Assert.Equal(ErrorTypes.WorkflowError, task.ErrorType);
        Assert.Equal(StopReason.TimedOut, task.StopRequested);
        var charges = _harness.Simulators.Ledger.Charges;
        Assert.Single(charges);
        Assert.Equal(charges.Sum(c => c.Amount), task.Spent);
    }

    [Fact]
    public async Task Cancelling_or_timing_out_a_finished_task_changes_nothing()
    {
        var taskId = await _harness.SubmitAsync(Theme, budget: 50);
        var task = await _harness.WaitForAsync(taskId, m => m.Completed);
        var transitions = task.Transitions.Count;

        await _harness.Bus.Bus.Publish(new CancelTask(taskId));
        await _harness.Bus.Bus.Publish(new TaskDeadlinePassed(taskId));
        await _harness.WaitUntilSagaConsumedAsync<CancelTask>(m => m.TaskId == taskId);
        await _harness.WaitUntilSagaConsumedAsync<TaskDeadlinePassed>(m => m.TaskId == taskId);

        var after = (await _harness.LoadAsync(taskId))!;
        Assert.Equal("Completed", after.CurrentState);
        Assert.Null(after.StopRequested);
        Assert.Null(after.ErrorType);
        Assert.Equal(task.Version, after.Version);
        Assert.Equal(transitions, after.Transitions.Count);
    }
}
