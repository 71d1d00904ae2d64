using Orchestrator.Worker.Payments;

namespace Orchestrator.Worker.Marketplace;

/// <summary>
/// Reads a step's items with the task's payment token, one after the other. A read that fails for now stops the
/// step (the marketplace is likely down for the rest too): the others are reported not read, to be read later.
/// </summary>
public sealed class PaidItemReads(PaymentTokens tokens, MarketplacePurchases purchases)
{
    public async Task<IReadOnlyList<ItemRead>> ReadAsync(FetchItemsData order, CancellationToken cancellationToken)
    {
        var token = await tokens.StoredAsync(order.TaskId, cancellationToken);
        var reads = new List<ItemRead>(order.ItemIds.Count);
        ItemRead? failedForNow = null;
        foreach (var itemId in order.ItemIds)
        {
            var read = failedForNow is null
                ? await ReadAsync(token, itemId, cancellationToken)
                : new ItemRead(itemId, ItemReadResult.FailedForNow, ErrorType: failedForNow.ErrorType, Error: $"Not read: {failedForNow.Error}");
            failedForNow ??= read.Result == ItemReadResult.FailedForNow ? read : null;
            reads.Add(read);
        }

        return reads;
    }

    async Task<ItemRead> ReadAsync(string token, int itemId, CancellationToken cancellationToken)
    {
        try
        {
            return await purchases.FetchAsync(token, itemId, cancellationToken) is { } read
                ? new ItemRead(itemId, ItemReadResult.Read, read.Data, DataSha256: read.Sha256)
                : new ItemRead(itemId, ItemReadResult.Unpaid);
        }
        catch (ResearchStepException e)
        {
            return new ItemRead(itemId, e.Transient ? ItemReadResult.FailedForNow : ItemReadResult.Failed, ErrorType: e.ErrorType, Error: e.Message);
        }
    }
}
