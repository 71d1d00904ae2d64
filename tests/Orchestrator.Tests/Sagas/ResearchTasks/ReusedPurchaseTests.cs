using Microsoft.EntityFrameworkCore;

namespace Orchestrator.Tests.Sagas.ResearchTasks;

/// <summary>
/// <c>Purchases:ReuseFor</c> (on by default): what an owner bought from this marketplace is read from that purchase,
/// not paid again, and the budget buys more instead; another owner's purchase is never reused.
/// </summary>
public sealed class ReusedPurchaseTests : IAsyncLifetime
{
    const string Theme = "Tesla Inc financial performance 2023";

    readonly WorkflowHarness _harness = new();

    public Task InitializeAsync() => _harness.InitializeAsync();

    public Task DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task The_same_owner_reads_what_it_bought_and_pays_nothing_for_it_again()
    {
        var first = await _harness.WaitForAsync(await _harness.SubmitAsync(Theme, budget: 50, ownerId: "alice"), m => m.Completed);
        var bought = first.Purchases.Where(p => p.Status == PurchaseStatus.Fetched).ToList();
        Assert.NotEmpty(bought);
        var charges = _harness.Simulators.Ledger.Charges.Count;

        var again = await _harness.WaitForAsync(await _harness.SubmitAsync(Theme, budget: 50, ownerId: "alice"), m => m.Completed);

        foreach (var earlier in bought)
        {
            var reused = again.Purchases.Single(p => p.ItemId == earlier.ItemId);
            Assert.Equal(PurchaseStatus.Reused, reused.Status);
            Assert.Equal(first.CorrelationId, reused.ReusedFrom);
            Assert.Equal(earlier.Data, reused.Data);
            Assert.Equal(earlier.DataSha256, reused.DataSha256);
            Assert.Matches("^[0-9a-f]{64}$", reused.DataSha256);
            Assert.Contains($"already owned: bought in task {first.CorrelationId}", again.ReportMarkdown, StringComparison.Ordinal);
        }

        // What the second task paid for, if anything, is only what the first did not buy.
        Assert.Equal(again.Spent, _harness.Simulators.Ledger.Charges.Skip(charges).Sum(c => c.Amount));
        Assert.DoesNotContain(_harness.Simulators.Ledger.Charges.Skip(charges), c => bought.Exists(p => p.ItemId == c.ItemId));
        Assert.Contains(await _harness.AuditAsync(again.CorrelationId), e => e.Action == AuditActions.Reused);
    }

    [Fact]
    public async Task Another_owners_purchase_is_never_reused()
    {
        var alices = await _harness.WaitForAsync(await _harness.SubmitAsync(Theme, budget: 50, ownerId: "alice"), m => m.Completed);

        var bobs = await _harness.WaitForAsync(await _harness.SubmitAsync(Theme, budget: 50, ownerId: "bob"), m => m.Completed);

        Assert.DoesNotContain(bobs.Purchases, p => p.Status == PurchaseStatus.Reused);
        Assert.Equal(alices.Spent, bobs.Spent);
        Assert.Equal(alices.Spent + bobs.Spent, _harness.Simulators.Ledger.Charges.Sum(c => c.Amount));
    }

    [Fact]
    public async Task A_purchase_whose_data_is_gone_is_bought_again()
    {
        var first = await _harness.WaitForAsync(await _harness.SubmitAsync(Theme, budget: 50, ownerId: "alice"), m => m.Completed);
        await using (var scope = _harness.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
            await db.Set<ResearchTaskPurchase>().Where(p => p.TaskId == first.CorrelationId).ExecuteUpdateAsync(p => p.SetProperty(x => x.Data, (string?)null));
        }

        var again = await _harness.WaitForAsync(await _harness.SubmitAsync(Theme, budget: 50, ownerId: "alice"), m => m.Completed);

        Assert.DoesNotContain(again.Purchases, p => p.Status == PurchaseStatus.Reused);
        Assert.Equal(first.Spent, again.Spent);
    }
}
