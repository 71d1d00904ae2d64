using Orchestrator.Worker.Marketplace;

namespace Orchestrator.Worker.Consumers;

public sealed class DiscoverSourcesConsumer(SourceDiscovery discovery) : IConsumer<DiscoverSources>
{
    public Task Consume(ConsumeContext<DiscoverSources> context)
    {
        var task = context.Message;
        return context.Complete(task.TaskId, async cancellationToken =>
        {
            var found = await discovery.DiscoverAsync(task.Theme, cancellationToken);
            return new SourcesDiscovered(task.TaskId, found.Quotes, found.Skipped);
        });
    }
}
