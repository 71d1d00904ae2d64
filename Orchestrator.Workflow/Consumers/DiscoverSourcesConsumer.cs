using Orchestrator.Workflow.Discovery;


namespace Orchestrator.Workflow.Consumers;

public sealed class DiscoverSourcesConsumer(SourceDiscovery discovery, OwnedPurchases owned) : IConsumer<DiscoverSources>
{
    public Task Consume(ConsumeContext<DiscoverSources> context)
    {
        var task = context.Message;
        return context.Complete(task.TaskId, async cancellationToken =>
        {
            var found = await discovery.DiscoverAsync(task.Theme, cancellationToken);
            var bought = await owned.FindAsync(task.TaskId, [.. found.Quotes.Select(q => q.ItemId)], cancellationToken);
            return new SourcesDiscovered(task.TaskId, found.Quotes, found.Skipped, bought, owned.Marketplace);
        });
    }
}
