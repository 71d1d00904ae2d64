namespace Orchestrator.Workflow.Discovery;

/// <summary>
/// The candidates a task's owner already bought from this marketplace within <see cref="PurchaseReuseOptions.ReuseFor"/>,
/// with the data each delivered: read from the owner's own tasks only, the latest purchase of each item, and only one
/// whose data is still stored (a purchase whose task is gone is bought again, not cited empty).
/// </summary>
public sealed class OwnedPurchases(OrchestratorDbContext db, IOptions<PurchaseReuseOptions> options, IOptions<WorkflowOptions> workflow, TimeProvider clock)
{
    /// <summary>Which marketplace an item was bought from: the address the Worker buys from.</summary>
    public string Marketplace => workflow.Value.MarketplaceUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');

    public async Task<IReadOnlyList<OwnedSource>> FindAsync(Guid taskId, IReadOnlyCollection<int> itemIds, CancellationToken cancellationToken)
    {
        var reuseFor = options.Value.ReuseFor;
        if (reuseFor <= TimeSpan.Zero || itemIds.Count == 0)
            return [];

        var owner = await db.UntrackedTasks
            .Where(t => t.CorrelationId == taskId).Select(t => t.OwnerId).FirstOrDefaultAsync(cancellationToken);
        if (owner is null)
            return [];

        var since = clock.GetUtcNow().UtcDateTime - reuseFor;
        var marketplace = Marketplace;
        // Read by item and time (an index): a few rows per candidate, each checked for its owner by the task's key.
        var bought = await db.Set<ResearchTaskPurchase>().AsNoTracking()
            .Where(p => itemIds.Contains(p.ItemId) && p.PaidAt >= since)
            .Where(p => p.TaskId != taskId && p.Status == PurchaseStatus.Fetched && p.Data != null && p.Marketplace == marketplace)
            .Where(p => db.ResearchTasks.Any(t => t.CorrelationId == p.TaskId && t.OwnerId == owner))
            .Select(p => new OwnedSource(p.ItemId, p.TaskId, p.PaidAt!.Value, p.Data!, p.PaymentReference, p.DataSha256))
            .ToListAsync(cancellationToken);
        return [.. bought.GroupBy(p => p.ItemId).Select(item => item.MaxBy(p => p.PaidAt)!)];
    }
}
