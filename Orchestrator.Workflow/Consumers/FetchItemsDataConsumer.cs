using Orchestrator.Workflow.Payments;


namespace Orchestrator.Workflow.Consumers;

public sealed class FetchItemsDataConsumer(PaidItemFetches items) : IConsumer<FetchItemsData>
{
    public Task Consume(ConsumeContext<FetchItemsData> context)
    {
        var order = context.Message;
        return context.Complete(order.TaskId, async cancellationToken =>
            new ItemsDataFetched(order.TaskId, await items.FetchAsync(order, cancellationToken)));
    }
}
