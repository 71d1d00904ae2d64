namespace Orchestrator.Tests.Sagas.ResearchTasks;

/// <summary>A payment whose answer never came is settled by reading the item with the token, never paid blindly again.</summary>
public sealed class UnconfirmedPaymentTests : IAsyncLifetime
{
    const string Theme = "Tesla Inc financial performance 2023";
    readonly WorkflowHarness _harness = new();

    public Task InitializeAsync() => _harness.InitializeAsync();

    public Task DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task A_charge_whose_answer_is_always_lost_is_settled_as_paid_once()
    {
        _harness.Simulators.Behaviour.FailureRateAfterEffect = 1;

        var taskId = await _harness.SubmitAsync(Theme, budget: 50);

        var task = await _harness.WaitForAsync(taskId, m => m.Completed);
        var bought = task.Purchases.Where(p => p.Status == PurchaseStatus.Fetched).ToList();
        Assert.NotEmpty(bought);
        Assert.All(bought, p => Assert.Equal(1, p.PaymentAttempts));
        Assert.All(bought, p => Assert.NotNull(p.PaidAt));
        var charges = _harness.Simulators.Ledger.Charges;
        Assert.Equal(bought.Count, charges.Count);
        Assert.Equal(charges.Sum(c => c.Amount), task.Spent);
        Assert.Equal(bought.Sum(p => p.Price), task.Spent);
    }

    [Fact]
    public async Task A_payment_the_marketplace_keeps_failing_is_paid_again_later_and_fails_with_PaymentError_at_the_timeout()
    {
        _harness.Simulators.Behaviour.PaymentsDown = true;
        var taskId = await _harness.SubmitAsync(Theme, budget: 50);

        var waiting = await _harness.WaitUntilDeferredAsync(taskId);
        Assert.Equal("Retrying", waiting.CurrentState);
        Assert.Equal(ResearchTaskState.MaxPaymentAttempts, waiting.Purchases.Max(p => p.PaymentAttempts));
        Assert.False(waiting.PaymentInFlight);
        Assert.Empty(_harness.Simulators.Ledger.Charges);

        await _harness.Bus.Bus.Publish(new DeferredStepDue(taskId));
        var again = await _harness.WaitUntilAsync(taskId, t => t.DeferredUntil is not null && t.Purchases.Max(p => p.PaymentAttempts) == ResearchTaskState.MaxPaymentAttempts + 1, "paid again later");
        await _harness.Bus.Bus.Publish(new TaskDeadlinePassed(taskId));

        var task = await _harness.WaitForAsync(taskId, m => m.Failed);
        Assert.Equal(ErrorTypes.PaymentError, task.ErrorType);
        Assert.Contains("503", task.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(0, task.Spent);
        Assert.Empty(_harness.Simulators.Ledger.Charges);
        var keys = _harness.Simulators.Behaviour.RequestsTo("/pay");
        Assert.True(keys >= again.Purchases.Max(p => p.PaymentAttempts), $"{keys} payments sent");
    }

    [Fact]
    public async Task A_payment_paid_again_later_goes_through_under_the_key_of_the_first_attempt()
    {
        _harness.Simulators.Behaviour.PaymentsDown = true;
        var taskId = await _harness.SubmitAsync(Theme, budget: 50);
        await _harness.WaitUntilDeferredAsync(taskId);

        _harness.Simulators.Behaviour.PaymentsDown = false;
        await _harness.Bus.Bus.Publish(new DeferredStepDue(taskId));

        var task = await _harness.WaitForAsync(taskId, m => m.Completed);
        var paidLater = task.Purchases.Where(p => p.PaymentAttempts > ResearchTaskState.MaxPaymentAttempts).ToList();
        Assert.NotEmpty(paidLater);
        Assert.All(paidLater, p => Assert.Equal(PurchaseStatus.Fetched, p.Status));
        var charges = _harness.Simulators.Ledger.Charges;
        Assert.All(paidLater, p => Assert.Single(charges, c => c.IdempotencyKey == p.IdempotencyKey));
        Assert.Equal(charges.Sum(c => c.Amount), task.Spent);
    }

    [Fact]
    public async Task An_unconfirmed_payment_is_settled_past_the_workflow_timeout_and_counted_in_spent()
    {
        // The charge is made and its answer lost; then the marketplace goes down before the settling read.
        _harness.Simulators.Behaviour.Latency = TimeSpan.FromMilliseconds(300);
        _harness.Simulators.Behaviour.FailureRateAfterEffect = 1;
        var taskId = await _harness.SubmitAsync(Theme, budget: 50);
        await _harness.WaitUntilAsync(taskId, t => t.Purchases.Exists(p => p.Status == PurchaseStatus.Unconfirmed), "with its payment unconfirmed");
        _harness.Simulators.Behaviour.MarketplaceOutage = true;
        await _harness.WaitUntilAsync(taskId, t => t.DeferredUntil is not null && t.PaymentInFlight, "settling later");

        await _harness.Bus.Bus.Publish(new TaskDeadlinePassed(taskId));
        await _harness.Bus.Bus.Publish(new DeferredStepDue(taskId));
        var stillSettling = await _harness.WaitUntilAsync(taskId, t => t.StopRequested == StopReason.TimedOut && t.Deferrals >= 2, "settling past its timeout");
        Assert.Equal("Retrying", stillSettling.CurrentState);

        // The step is due again every half second, as the hosts' due sweep finds it: a settling read still in flight
        // from the outage (it then defers the step once more) must not leave the task waiting for a nudge.
        _harness.Simulators.Behaviour.MarketplaceOutage = false;
        using var settled = new CancellationTokenSource();
        var nudging = NudgeUntilAsync(taskId, settled.Token);

        var task = await _harness.WaitForAsync(taskId, m => m.Failed);
        await settled.CancelAsync();
        await nudging;
        Assert.Equal(ErrorTypes.WorkflowError, task.ErrorType);
        var charges = _harness.Simulators.Ledger.Charges;
        Assert.NotEmpty(charges);
        Assert.Equal(charges.Count, charges.DistinctBy(c => c.IdempotencyKey).Count());
        Assert.Equal(charges.Sum(c => c.Amount), task.Spent);
    }

    [Fact]
    public async Task Payments_that_come_back_are_made_under_the_key_of_the_first_attempt()
    {
        _harness.Simulators.Behaviour.PaymentsDown = true;
        _harness.Simulators.Behaviour.Latency = TimeSpan.FromMilliseconds(50);
        var taskId = await _harness.SubmitAsync(Theme, budget: 50);
        await _harness.WaitForPublishedAsync<ItemPaymentsMade>(p => p.TaskId == taskId && p.Outcomes.Any(o => o.Result == PaymentResult.Unconfirmed));
        _harness.Simulators.Behaviour.PaymentsDown = false;

        var task = await _harness.WaitForAsync(taskId, m => m.Completed);

        var paidAgain = task.Purchases.Where(p => p.PaymentAttempts > 1).ToList();
        Assert.NotEmpty(paidAgain);
        Assert.All(paidAgain, p => Assert.Equal(PurchaseStatus.Fetched, p.Status));
        var charges = _harness.Simulators.Ledger.Charges;
        Assert.All(paidAgain, p => Assert.Single(charges, c => c.IdempotencyKey == p.IdempotencyKey));
        Assert.Equal(charges.Sum(c => c.Amount), task.Spent);
    }

    async Task NudgeUntilAsync(Guid taskId, CancellationToken settled)
    {
        while (!settled.IsCancellationRequested)
        {
            await _harness.Bus.Bus.Publish(new DeferredStepDue(taskId), CancellationToken.None);
            await Task.Delay(TimeSpan.FromMilliseconds(500), settled).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
