using Orchestrator.Workflow.Payments;

namespace Orchestrator.Workflow.Consumers;

public sealed class PayForItemsConsumer(ItemPayments payments) : IConsumer<PayForItems>
{
    public Task Consume(ConsumeContext<PayForItems> context)
    {
        var order = context.Message;
        return context.Complete(order.TaskId, async cancellationToken =>
            await payments.PayAsync(order, cancellationToken) is { } outcomes ? new ItemPaymentsMade(order.TaskId, outcomes) : null);
    }
}
