using Orchestrator.Workflow.X402;

namespace Orchestrator.Tests.Sagas.ResearchTasks;

/// <summary>
/// One marketplace, two dialects per item (the simulators sell their even items over x402, verifying each signature
/// with their own facilitator): discovery, the plan, the payments, the reads and the report are the same for both;
/// the seed's items are paid with the Payment Manager's token, the x402 ones with one signature each, never the token.
/// </summary>
public sealed class MixedDialectsTests : IAsyncLifetime
{
    const string Theme = "Tesla Inc financial performance 2023";
    const string Key = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

    static readonly HashSet<int> EvenItems = [2, 4, 6, 8, 10, 12, 14, 16, 18, 20];

    readonly WorkflowHarness _harness = new(new Dictionary<string, string?> { ["X402:PrivateKey"] = Key });
    readonly string _address = new LocalKeySigner(Key).Address;

    public async Task InitializeAsync()
    {
        await _harness.InitializeAsync();
        _harness.Simulators.Behaviour.X402Items = EvenItems;
    }

    public Task DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task Each_item_is_paid_in_its_own_dialect_and_the_token_is_worth_the_plan()
    {
        var task = await _harness.WaitForAsync(await _harness.SubmitAsync(Theme, budget: 50), m => m.Completed);

        var bought = task.Purchases.Where(p => p.Status == PurchaseStatus.Fetched).ToList();
        Assert.Contains(bought, p => p.IsX402);
        Assert.Contains(bought, p => !p.IsX402);
        var charges = _harness.Simulators.Ledger.Charges;
        var token = Assert.Single(_harness.Simulators.Ledger.TokenBudgets);
        Assert.Equal(bought.Sum(p => p.Price), token.Value);
        foreach (var purchase in bought)
        {
            var charge = Assert.Single(charges, c => c.IdempotencyKey == purchase.IdempotencyKey);
            Assert.Equal(purchase.Price, charge.Amount);
            Assert.Equal(EvenItems.Contains(purchase.ItemId), purchase.IsX402);
            if (purchase.IsX402)
            {
                Assert.Equal($"x402:{_address}", charge.TokenId, ignoreCase: true);
                Assert.Equal(charge.ChargeId, purchase.PaymentReference);
                Assert.Equal("eip155:84532", purchase.PaymentNetwork);
                Assert.Equal(_address, purchase.Payer, ignoreCase: true);
                Assert.Equal((purchase.Price * 1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture), purchase.X402Amount);
                Assert.Contains($"paid over x402: transaction {charge.ChargeId} on eip155:84532", task.ReportMarkdown, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(token.Key, charge.TokenId);
                Assert.Null(purchase.X402Payment);
            }
        }

        Assert.Equal(task.Spent, charges.Sum(c => c.Amount));
        // The token went with the seed's items only: one /pay per such item, none for an x402 one.
        Assert.Equal(bought.Count(p => !p.IsX402), _harness.Simulators.Behaviour.RequestsTo("/pay"));
    }

    /// <summary>Every x402 answer is lost after its settlement: sent again, the same payment gets the seller's record of it.</summary>
    [Fact]
    public async Task An_x402_answer_lost_after_settling_is_settled_by_the_same_payment()
    {
        _harness.Simulators.Behaviour.FailureRateAfterEffect = 1;

        var task = await _harness.WaitForAsync(await _harness.SubmitAsync(Theme, budget: 50), m => m.Completed);

        Assert.Contains(task.Purchases, p => p.IsX402 && p.Status == PurchaseStatus.Fetched);
        var charges = _harness.Simulators.Ledger.Charges;
        Assert.Equal(charges.Count, charges.Select(c => c.IdempotencyKey).Distinct().Count());
        Assert.Equal(task.Spent, charges.Sum(c => c.Amount));
        Assert.All(task.Purchases.Where(p => p.IsX402 && p.Status == PurchaseStatus.Fetched), p => Assert.NotNull(p.PaymentReference));
    }
}

/// <summary>Without <c>X402:PrivateKey</c> an x402 item cannot be paid: it is skipped with the reason, and the rest bought.</summary>
public sealed class X402WithoutWalletTests : IAsyncLifetime
{
    readonly WorkflowHarness _harness = new();

    public async Task InitializeAsync()
    {
        await _harness.InitializeAsync();
        _harness.Simulators.Behaviour.X402Items = new HashSet<int> { 2 };
    }

    public Task DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task An_x402_item_is_skipped_as_the_wallet_is_not_configured()
    {
        var task = await _harness.WaitForAsync(await _harness.SubmitAsync("Tesla Inc financial performance 2023", budget: 50), m => m.Completed);

        var item = task.Purchases.Single(p => p.ItemId == 2);
        Assert.Equal(PurchaseStatus.Skipped, item.Status);
        Assert.EndsWith(X402Purchases.WalletMissing, item.SkipReason, StringComparison.Ordinal);
        Assert.DoesNotContain(_harness.Simulators.Ledger.Charges, c => c.ItemId == 2);
        Assert.Contains(task.Purchases, p => p.Status == PurchaseStatus.Fetched);
    }
}
