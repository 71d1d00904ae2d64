using MassTransit;
using Orchestrator.Contracts;
using Orchestrator.Worker.Marketplace;

namespace Orchestrator.Worker.Consumers;

public sealed class FetchItemDataConsumer(MarketplacePurchases purchases) : IConsumer<FetchItemData>
{
    public Task Consume(ConsumeContext<FetchItemData> context)
    {
        var fetch = context.Message;
        return context.Complete<object>(fetch.TaskId, async cancellationToken =>
            await purchases.FetchAsync(fetch.TokenId, fetch.ItemId, cancellationToken) is { } data
                ? new ItemDataFetched(fetch.TaskId, fetch.ItemId, data)
                : new ItemFoundUnpaid(fetch.TaskId, fetch.ItemId));
    }
}
