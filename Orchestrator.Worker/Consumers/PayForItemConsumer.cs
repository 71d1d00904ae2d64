using MassTransit;
using Orchestrator.Contracts;
using Orchestrator.Sagas.ResearchTasks;
using Orchestrator.Worker.Marketplace;
using Orchestrator.Worker.Payments;

namespace Orchestrator.Worker.Consumers;

public sealed class PayForItemConsumer(PaymentPermit permit, MarketplacePurchases purchases) : IConsumer<PayForItem>
{
    public Task Consume(ConsumeContext<PayForItem> context)
    {
        var payment = context.Message;
        return context.Complete<object>(payment.TaskId, async cancellationToken =>
        {
            // An earlier attempt under the same key may have charged: a payment not made now is still unconfirmed.
            var decision = await permit.CheckAsync(payment, cancellationToken);
            if (decision.Refusal is { } refusal)
                return new ItemPaymentUnconfirmed(payment.TaskId, payment.ItemId, $"The payment was not started: {refusal}");
            try
            {
                await purchases.PayAsync(decision.Token!, payment.ItemId, payment.Amount, payment.IdempotencyKey, cancellationToken);
                TaskMetrics.PaymentMade(TaskMetrics.PaymentOutcomes.Paid);
                return new ItemPaid(payment.TaskId, payment.ItemId, payment.Amount);
            }
            catch (ResearchStepException e) when (e.Transient)
            {
                TaskMetrics.PaymentMade(TaskMetrics.PaymentOutcomes.Unconfirmed);
                return new ItemPaymentUnconfirmed(payment.TaskId, payment.ItemId, e.Message);
            }
            catch (ResearchStepException)
            {
                // The marketplace answered and said no (a 4xx other than a timeout): nothing was charged.
                TaskMetrics.PaymentMade(TaskMetrics.PaymentOutcomes.Refused);
                throw;
            }
        });
    }
}
