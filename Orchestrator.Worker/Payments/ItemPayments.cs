using Orchestrator.Worker.Marketplace;

namespace Orchestrator.Worker.Payments;

/// <summary>
/// Pays for a step's items one after the other, each under its own key, each after the permit allowed it and with
/// the purchase claimed (<see cref="PaymentClaims"/>): never two payers of one purchase at once. The first
/// payment not made for sure (refused by the permit or the marketplace, or left unconfirmed: the marketplace is likely
/// failing the rest too) stops the step: the rest are reported not made, and the saga settles them by reading.
/// </summary>
public sealed class ItemPayments(PaymentPermit permit, PaymentClaims claims, MarketplacePurchases purchases)
{
    public async Task<IReadOnlyList<PaymentOutcome>> PayAsync(PayForItems order, CancellationToken cancellationToken)
    {
        await using var lease = await claims.HoldStepAsync(order.TaskId, cancellationToken);
        return await PayInOrderAsync(order, lease, cancellationToken);
    }

    async Task<IReadOnlyList<PaymentOutcome>> PayInOrderAsync(PayForItems order, PaymentClaims.StepLease lease, CancellationToken cancellationToken)
    {
        var outcomes = new List<PaymentOutcome>(order.Payments.Count);
        var committed = 0L;
        string? stoppedBy = null;
        foreach (var payment in order.Payments)
        {
            if (stoppedBy is null)
            {
                var decision = await permit.CheckAsync(order.TaskId, payment, committed, cancellationToken);
                stoppedBy = decision.Refusal;
                if (decision.Token is { } token)
                {
                    if (await claims.TryClaimAsync(order.TaskId, payment.ItemId, cancellationToken) is null)
                    {
                        // Another delivery of this step pays it now: its answer settles the purchase.
                        stoppedBy = $"another payer is paying item {payment.ItemId} now";
                        outcomes.Add(new PaymentOutcome(payment.ItemId, PaymentResult.NotMade, $"The payment was not started: {stoppedBy}"));
                        continue;
                    }

                    lease.Paying = payment.ItemId;
                    var outcome = await PayAsync(token, payment, cancellationToken);
                    lease.Paying = null;
                    await claims.ReleaseAsync(order.TaskId, payment.ItemId, cancellationToken);
                    outcomes.Add(outcome);
                    // Only a payment made for sure lets the step go on; anything else stops it before another check.
                    if (outcome.Result == PaymentResult.Paid)
                        committed = checked(committed + payment.Amount);
                    else
                        stoppedBy = $"the payment for item {payment.ItemId} was {outcome.Result.ToString().ToLowerInvariant()}";
                    continue;
                }
            }

            outcomes.Add(new PaymentOutcome(payment.ItemId, PaymentResult.NotMade, $"The payment was not started: {stoppedBy}"));
        }

        return outcomes;
    }

    async Task<PaymentOutcome> PayAsync(string token, ItemPayment payment, CancellationToken cancellationToken)
    {
        try
        {
            await purchases.PayAsync(token, payment.ItemId, payment.Amount, payment.IdempotencyKey, cancellationToken);
            TaskMetrics.PaymentMade(TaskMetrics.PaymentOutcomes.Paid);
            return new PaymentOutcome(payment.ItemId, PaymentResult.Paid);
        }
        catch (ResearchStepException e) when (e.Transient)
        {
            TaskMetrics.PaymentMade(TaskMetrics.PaymentOutcomes.Unconfirmed);
            return new PaymentOutcome(payment.ItemId, PaymentResult.Unconfirmed, e.Message);
        }
        catch (ResearchStepException e)
        {
            // The marketplace answered and said no (a 4xx other than a timeout): nothing was charged.
            TaskMetrics.PaymentMade(TaskMetrics.PaymentOutcomes.Refused);
            return new PaymentOutcome(payment.ItemId, PaymentResult.Refused, e.Message);
        }
    }
}
