using Orchestrator.Contracts;
using Orchestrator.Sagas.ResearchTasks;

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
    public async Task A_payment_the_marketplace_never_took_is_tried_again_under_the_same_key_then_fails_with_PaymentError()
    {
        _harness.Simulators.Behaviour.PaymentsDown = true;

        var taskId = await _harness.SubmitAsync(Theme, budget: 50);

        var task = await _harness.WaitForAsync(taskId, m => m.Failed);
        Assert.Equal(ErrorTypes.PaymentError, task.ErrorType);
        Assert.Contains($"after {ResearchTaskState.MaxPaymentAttempts} attempts", task.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(0, task.Spent);
        Assert.Empty(_harness.Simulators.Ledger.Charges);
        Assert.Equal(ResearchTaskState.MaxPaymentAttempts, task.Purchases.Max(p => p.PaymentAttempts));
        Assert.Equal(ResearchTaskState.MaxPaymentAttempts, task.Transitions.Count(t => t.ToState == "Paying"));
    }

    [Fact]
    public async Task Payments_that_come_back_are_made_under_the_key_of_the_first_attempt()
    {
        _harness.Simulators.Behaviour.PaymentsDown = true;
        _harness.Simulators.Behaviour.Latency = TimeSpan.FromMilliseconds(50);
        var taskId = await _harness.SubmitAsync(Theme, budget: 50);
        await _harness.WaitForPublishedAsync<ItemPaymentUnconfirmed>(p => p.TaskId == taskId);
        _harness.Simulators.Behaviour.PaymentsDown = false;

        var task = await _harness.WaitForAsync(taskId, m => m.Completed);

        var first = task.Purchases.Single(p => p.PaymentAttempts > 1);
        Assert.Equal(PurchaseStatus.Fetched, first.Status);
        var charges = _harness.Simulators.Ledger.Charges;
        Assert.Single(charges, c => c.IdempotencyKey == first.IdempotencyKey);
        Assert.Equal(charges.Sum(c => c.Amount), task.Spent);
    }
}
