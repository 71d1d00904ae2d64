namespace Orchestrator.IntegrationTests.Api.Spending;

/// <summary>
/// <c>Purchases:ReuseFor</c> on (7 days) in the embedded program with JWT owners: an owner's second task on the same
/// theme reads what her first one bought instead of paying again, and its receipts and report say where the data came
/// from; another owner's purchases are never reused; a purchase whose task is gone is bought again, not cited empty.
/// Each test has owners of its own, so the tests share one process.
/// </summary>
public sealed class ReuseOfEarlierPurchasesTests(ReuseOfEarlierPurchasesTests.Service service) : IClassFixture<ReuseOfEarlierPurchasesTests.Service>
{
    const string Theme = "Tesla Inc financial performance 2023";

    // Enough for every relevant item: a second task has nothing left to buy but what it reuses.
    const int Budget = 500;

    PaymentLedger Ledger => service.Simulators.Ledger;

    [Fact]
    public async Task An_owner_asking_again_reuses_what_she_bought_and_pays_nothing()
    {
        using var alice = service.ClientFor("alice-again");
        var (firstId, first) = await BuyAsync(alice);
        var firstReceipts = await alice.ReceiptsAsync(firstId);
        var firstCharges = Ledger.ChargesOf(firstId);
        Assert.True(first["spent"]!.GetValue<long>() > 0, first.ToJsonString());
        Assert.Equal(first.PlanItems("Fetched").Count, firstReceipts.Count);
        Assert.All(firstReceipts, r => Assert.Null(r!["reused_from"]));
        var chargesBefore = Ledger.Charges.Count;

        var (secondId, second) = await BuyAsync(alice);

        Assert.Equal(0, second["spent"]!.GetValue<long>());
        Assert.Empty(Ledger.ChargesOf(secondId));
        Assert.Equal(chargesBefore, Ledger.Charges.Count);
        var reused = second.PlanItems("Reused");
        Assert.Equal(Items(first.PlanItems("Fetched")), Items(reused));
        Assert.All(reused, item => Assert.Equal(firstId, item["reused_from"]!.GetValue<string>()));

        var receipts = await alice.ReceiptsAsync(secondId);
        Assert.Equal(firstReceipts.Count, receipts.Count);
        foreach (var receipt in receipts)
        {
            var item = receipt!["item"]!.GetValue<int>();
            var original = firstReceipts.Single(r => r!["item"]!.GetValue<int>() == item)!;
            Assert.Equal(firstId, receipt["reused_from"]!.GetValue<string>());
            Assert.Equal(0, receipt["amount"]!.GetValue<long>());
            Assert.Equal(original["data_sha256"]!.GetValue<string>(), receipt["data_sha256"]!.GetValue<string>());
            Assert.Matches("^[0-9a-f]{64}$", receipt["data_sha256"]!.GetValue<string>());
            Assert.Equal(original["idempotency_key"]!.GetValue<string>(), receipt["idempotency_key"]!.GetValue<string>());
            Assert.Equal(original["paid_at"]!.GetValue<DateTimeOffset>(), receipt["paid_at"]!.GetValue<DateTimeOffset>());
            Assert.Equal(firstCharges.Single(c => c.ItemId == item).Amount, original["amount"]!.GetValue<long>());
        }

        // The report cites each reused source's original purchase (the task that paid for it) and its digest.
        var report = await alice.GetStringAsync($"/tasks/{secondId}/report");
        var sources = report[report.IndexOf("## Sources", StringComparison.Ordinal)..].Split('\n');
        Assert.All(receipts, receipt => Assert.Contains(sources, line =>
            line.Contains($"marketplace item {receipt!["item"]!.GetValue<int>()},", StringComparison.Ordinal)
            && line.Contains($"task {firstId}", StringComparison.Ordinal)
            && line.Contains("SHA-256", StringComparison.Ordinal)
            && line.Contains(receipt["data_sha256"]!.GetValue<string>(), StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Another_owner_never_reuses_and_pays_in_full()
    {
        using var alice = service.ClientFor("alice-first");
        using var bob = service.ClientFor("bob");
        var (aliceTask, bought) = await BuyAsync(alice);

        var (bobTask, his) = await BuyAsync(bob);

        Assert.Empty(his.PlanItems("Reused"));
        Assert.Equal(Items(bought.PlanItems("Fetched")), Items(his.PlanItems("Fetched")));
        var charges = Ledger.ChargesOf(bobTask);
        Assert.Equal(his["spent"]!.GetValue<long>(), charges.Sum(c => c.Amount));
        Assert.Equal(bought["spent"]!.GetValue<long>(), his["spent"]!.GetValue<long>());
        Assert.DoesNotContain(charges, c => Ledger.ChargesOf(aliceTask).Any(a => a.ChargeId == c.ChargeId));
        Assert.All(await bob.ReceiptsAsync(bobTask), r => Assert.Null(r!["reused_from"]));
        using var hers = await bob.GetAsync($"/tasks/{aliceTask}/receipts");
        Assert.Equal(HttpStatusCode.NotFound, hers.StatusCode);
    }

    [Fact]
    public async Task A_purchase_whose_task_is_gone_is_bought_again()
    {
        using var carol = service.ClientFor("carol");
        var (goneId, gone) = await BuyAsync(carol);
        await service.DeleteTaskAsync(goneId);

        var (taskId, task) = await BuyAsync(carol);

        Assert.Empty(task.PlanItems("Reused"));
        Assert.Equal(Items(gone.PlanItems("Fetched")), Items(task.PlanItems("Fetched")));
        Assert.Equal(gone["spent"]!.GetValue<long>(), task["spent"]!.GetValue<long>());
        Assert.Equal(task["spent"]!.GetValue<long>(), Ledger.ChargesOf(taskId).Sum(c => c.Amount));
    }

    static async Task<(string TaskId, JsonNode Task)> BuyAsync(HttpClient owner)
    {
        var taskId = await owner.SubmitAsync(new { theme = Theme, budget = Budget, voice_id = "user_voice_123" });
        var task = await owner.WaitUntilFinishedAsync(taskId, TimeSpan.FromSeconds(60));
        Assert.True(task["status"]!.GetValue<string>() == "Completed", task.ToJsonString());
        return (taskId, task);
    }

    static int[] Items(IEnumerable<JsonNode> plan) => [.. plan.Select(p => p["item"]!.GetValue<int>()).Order()];

    public sealed class Service() : JwtProgram(new Dictionary<string, string> { ["Purchases__ReuseFor"] = "7.00:00:00" });
}
