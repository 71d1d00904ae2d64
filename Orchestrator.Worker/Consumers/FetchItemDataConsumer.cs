using MassTransit;
using Orchestrator.Contracts;
using Orchestrator.Worker.Marketplace;
using Orchestrator.Worker.Payments;

namespace Orchestrator.Worker.Consumers;

public sealed class FetchItemDataConsumer(PaymentTokens tokens, MarketplacePurchases purchases) : IConsumer<FetchItemData>
{
    public Task Consume(ConsumeContext<FetchItemData> context)
    {
        var fetch = context.Message;
        return context.Complete<object>(fetch.TaskId, async cancellationToken =>
            await purchases.FetchAsync(await tokens.StoredAsync(fetch.TaskId, cancellationToken), fetch.ItemId, cancellationToken) is { } data
                ? new ItemDataFetched(fetch.TaskId, fetch.ItemId, data)
                : new ItemFoundUnpaid(fetch.TaskId, fetch.ItemId));
    }
}
