using Orchestrator.Workflow.Marketplace;
using Orchestrator.Workflow.X402;

namespace Orchestrator.Workflow.Payments;

/// <summary>
/// Fetches a step's paid items, one after the other: with the task's payment token, or (x402) by sending the
/// purchase's stored payment again. A fetch that fails for now stops the step (the marketplace is likely down for the
/// rest too): the others are reported not fetched, to be fetched later.
/// </summary>
public sealed class PaidItemFetches(PaymentTokens tokens, MarketplacePurchases purchases, X402Purchases x402)
{
    public async Task<IReadOnlyList<FetchedItem>> FetchAsync(FetchItemsData order, CancellationToken cancellationToken)
    {
        var token = await tokens.StoredAsync(order.TaskId, cancellationToken);
        var x402Payments = await x402.StoredPaymentsAsync(order.TaskId, cancellationToken);
        var fetched = new List<FetchedItem>(order.ItemIds.Count);
        FetchedItem? failedForNow = null;
        foreach (var itemId in order.ItemIds)
        {
            var item = failedForNow is null
                ? await FetchAsync(order.TaskId, token, itemId, x402Payments, cancellationToken)
                : new FetchedItem(itemId, ItemFetchResult.FailedForNow, ErrorType: failedForNow.ErrorType, Error: $"Not fetched: {failedForNow.Error}");
            failedForNow ??= item.Result == ItemFetchResult.FailedForNow ? item : null;
            fetched.Add(item);
        }

        return fetched;
    }

    async Task<FetchedItem> FetchAsync(
        Guid taskId, string token, int itemId, IReadOnlyDictionary<int, X402Purchases.StoredPayment?> x402Payments, CancellationToken cancellationToken)
    {
        try
        {
            if (x402Payments.TryGetValue(itemId, out var stored))
                return await x402.FetchAsync(taskId, itemId, stored, cancellationToken);
            return await purchases.FetchAsync(token, itemId, cancellationToken) is { } data
                ? new FetchedItem(itemId, ItemFetchResult.Fetched, data.Data, DataSha256: data.Sha256)
                : new FetchedItem(itemId, ItemFetchResult.Unpaid);
        }
        catch (ResearchStepException e)
        {
            return new FetchedItem(itemId, e.Transient ? ItemFetchResult.FailedForNow : ItemFetchResult.Failed, ErrorType: e.ErrorType, Error: e.Message);
        }
    }
}
