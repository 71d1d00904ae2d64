using Orchestrator.Workflow.Marketplace;
using Orchestrator.Workflow.X402;

namespace Orchestrator.Workflow.Payments;

/// <summary>
/// Reads a step's items, one after the other: with the task's payment token, or (x402) by sending the purchase's
/// stored payment again. A read that fails for now stops the step (the marketplace is likely down for the rest too):
/// the others are reported not read, to be read later.
/// </summary>
public sealed class PaidItemReads(PaymentTokens tokens, MarketplacePurchases purchases, X402Purchases x402)
{
    public async Task<IReadOnlyList<ItemRead>> ReadAsync(FetchItemsData order, CancellationToken cancellationToken)
    {
        var token = await tokens.StoredAsync(order.TaskId, cancellationToken);
        var x402Payments = await x402.StoredPaymentsAsync(order.TaskId, cancellationToken);
        var reads = new List<ItemRead>(order.ItemIds.Count);
        ItemRead? failedForNow = null;
        foreach (var itemId in order.ItemIds)
        {
            var read = failedForNow is null
                ? await ReadAsync(order.TaskId, token, itemId, x402Payments, cancellationToken)
                : new ItemRead(itemId, ItemReadResult.FailedForNow, ErrorType: failedForNow.ErrorType, Error: $"Not read: {failedForNow.Error}");
            failedForNow ??= read.Result == ItemReadResult.FailedForNow ? read : null;
            reads.Add(read);
        }

        return reads;
    }

    async Task<ItemRead> ReadAsync(
        Guid taskId, string token, int itemId, IReadOnlyDictionary<int, X402Purchases.StoredPayment?> x402Payments, CancellationToken cancellationToken)
    {
        try
        {
            if (x402Payments.TryGetValue(itemId, out var stored))
                return await x402.ReadAsync(taskId, itemId, stored, cancellationToken);
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
