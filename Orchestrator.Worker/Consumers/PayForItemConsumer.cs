using MassTransit;
using Orchestrator.Contracts;
using Orchestrator.Worker.Marketplace;

namespace Orchestrator.Worker.Consumers;

public sealed class PayForItemConsumer(MarketplacePurchases purchases) : IConsumer<PayForItem>
{
    public Task Consume(ConsumeContext<PayForItem> context)
    {
        var payment = context.Message;
        return context.Complete(payment.TaskId, async cancellationToken =>
        {
            await purchases.PayAsync(payment.TokenId, payment.ItemId, payment.Amount, payment.IdempotencyKey, cancellationToken);
            return new ItemPaid(payment.TaskId, payment.ItemId, payment.Amount);
        });
    }
}
