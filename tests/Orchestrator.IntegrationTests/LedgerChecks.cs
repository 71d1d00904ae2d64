namespace Orchestrator.IntegrationTests;

/// <summary>What the outage tests check of the money, once the outage is over.</summary>
static class LedgerChecks
{
    /// <summary>Waits until the marketplace has charged <paramref name="count"/> times (60 s at most): payments are being made.</summary>
    public static async Task WaitForChargesAsync(this PaymentLedger ledger, int count, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(60));
        while (ledger.Charges.Count < count && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        Assert.True(ledger.Charges.Count >= count, "no payments were being made");
    }

    /// <summary>
    /// Waits until every task is final and asserts that each completed, that no idempotency key was charged twice,
    /// and that each task spent what the marketplace charged it.
    /// </summary>
    public static async Task AssertEveryTaskCompletedAndPaidOnceAsync(this HostProcess api, IEnumerable<string> taskIds, PaymentLedger ledger, TimeSpan within)
    {
        var spent = new Dictionary<Guid, long>();
        foreach (var taskId in taskIds)
        {
            var task = await api.WaitUntilFinishedAsync(taskId, within);
            Assert.True(task["status"]!.GetValue<string>() == "Completed", $"task {taskId}: {task.ToJsonString()}");
            spent[Guid.Parse(taskId)] = task["spent"]!.GetValue<long>();
        }

        var charges = ledger.Charges;
        Assert.Equal(charges.Count, charges.Select(c => c.IdempotencyKey).Distinct().Count());
        var charged = charges.GroupBy(c => Guid.ParseExact(c.IdempotencyKey![..32], "N")).ToDictionary(g => g.Key, g => g.Sum(c => c.Amount));
        Assert.All(spent, s => Assert.Equal(charged.GetValueOrDefault(s.Key), s.Value));
    }
}
