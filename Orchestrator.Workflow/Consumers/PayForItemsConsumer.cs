using Orchestrator.Workflow.Payments;

namespace Orchestrator.Workflow.Consumers;

public sealed class PayForItemsConsumer(ItemPayments payments) : IConsumer<PayForItems>
{
    public Task Consume(ConsumeContext<PayForItems> context) =>
        payments.PayAsync(context.Message, answer => context.Publish(answer, context.CancellationToken), context.CancellationToken);
}
